"""factory_boy factories for test data; reference data (countries, terms) comes from the fixtures."""

import datetime

import factory

from initiatives.models import Initiative, Organisation, Participation, Source, SourceRecord
from taxonomy.models import Term


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"organisation-{n}")
    kind = Organisation.Kind.GOVERNMENT


class InitiativeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Initiative
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Initiative {n}")
    slug = factory.Sequence(lambda n: f"initiative-{n}")
    summary = "A capacity-building initiative."
    status = Initiative.Status.ONGOING
    start_date = datetime.date(2020, 1, 1)
    publication_state = Initiative.PublicationState.PUBLISHED

    @factory.post_generation
    def countries(self, create, extracted, **kwargs):
        if create and extracted:
            self.countries.set(extracted)

    @factory.post_generation
    def regions(self, create, extracted, **kwargs):
        if create and extracted:
            self.regions.set(extracted)

    @factory.post_generation
    def topics(self, create, extracted, **kwargs):
        if create and extracted:
            self.topics.set(Term.objects.topics().filter(slug__in=extracted))

    @factory.post_generation
    def audiences(self, create, extracted, **kwargs):
        if create and extracted:
            self.audiences.set(Term.objects.audiences().filter(slug__in=extracted))

    @factory.post_generation
    def modalities(self, create, extracted, **kwargs):
        if create and extracted:
            self.modalities.set(Term.objects.modalities().filter(slug__in=extracted))

    @factory.post_generation
    def keywords(self, create, extracted, **kwargs):
        if create and extracted:
            self.keywords.set(extracted)


class ParticipationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participation

    initiative = factory.SubFactory(InitiativeFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Participation.Role.IMPLEMENTER


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    name = factory.Sequence(lambda n: f"Mapping {n}")
    slug = factory.Sequence(lambda n: f"mapping-{n}")


class SourceRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SourceRecord

    initiative = factory.SubFactory(InitiativeFactory)
    source = factory.SubFactory(SourceFactory)
    external_id = factory.Sequence(lambda n: f"ext-{n}")


class NeedFactory(factory.django.DjangoModelFactory):
    """A published need of Nigeria unless told otherwise; topics and audiences by slug, like InitiativeFactory."""

    class Meta:
        model = "insights.Need"
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Need {n}")
    slug = factory.Sequence(lambda n: f"need-{n}")
    region = None
    country_id = factory.LazyAttribute(lambda need: None if need.region else "NG")
    state = "open"
    publication_state = Initiative.PublicationState.PUBLISHED

    @factory.post_generation
    def topics(self, create, extracted, **kwargs):
        if create and extracted:
            self.topics.set(Term.objects.topics().filter(slug__in=extracted))

    @factory.post_generation
    def audiences(self, create, extracted, **kwargs):
        if create and extracted:
            self.audiences.set(Term.objects.audiences().filter(slug__in=extracted))
