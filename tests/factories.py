"""factory_boy factories for test data; reference data (countries, terms) comes from the fixtures."""

import datetime

import factory

from initiatives.membership import deferred_refresh
from initiatives.models import Initiative, Organisation, Participation, Source, SourceRecord
from taxonomy.models import Term
from taxonomy.versioning import history_paused, record_history


def related(field: str, vocabulary: str = ""):
    """A factory argument that sets a many-to-many field after creation: rows, or term slugs of a vocabulary."""

    def set_rows(obj, create, extracted, **kwargs):
        if create and extracted:
            rows = Term.objects.of(vocabulary).filter(slug__in=extracted) if vocabulary else extracted
            getattr(obj, field).set(rows)

    return factory.PostGeneration(set_rows)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"organisation-{n}")
    kind = Organisation.Kind.GOVERNMENT


class WrittenOnce(factory.django.DjangoModelFactory):
    """Creates each row as a service or an admin save writes it: the membership tables refreshed once
    and one history entry with its places and terms, not one refresh and one entry per field set."""

    class Meta:
        abstract = True

    @classmethod
    def _generate(cls, strategy, params):
        if strategy != factory.CREATE_STRATEGY:
            return super()._generate(strategy, params)
        with deferred_refresh(), history_paused():
            obj = super()._generate(strategy, params)
        record_history(type(obj), [obj])
        return obj


class InitiativeFactory(WrittenOnce):
    class Meta:
        model = Initiative
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Initiative {n}")
    slug = factory.Sequence(lambda n: f"initiative-{n}")
    summary = "A capacity-building initiative."
    status = Initiative.Status.ONGOING
    start_date = datetime.date(2020, 1, 1)
    publication_state = Initiative.PublicationState.PUBLISHED

    countries = related("countries")

    regions = related("regions")

    topics = related("topics", "topic")

    audiences = related("audiences", "audience")

    modalities = related("modalities", "modality")

    keywords = related("keywords")


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


class NeedFactory(WrittenOnce):
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

    topics = related("topics", "topic")

    audiences = related("audiences", "audience")


class SuggestionFactory(factory.django.DjangoModelFactory):
    """A visitor's new-initiative suggestion, in review; `kind="correction", initiative=...` for a correction."""

    class Meta:
        model = "exchange.Suggestion"

    kind = "new"
    title = factory.Sequence(lambda n: f"Suggested initiative {n}")
    message = "Trains CERT staff in the region since 2022."
    client_hash = "0" * 64
