import datetime

import pytest
from django.db import IntegrityError, transaction

from initiatives.models import Participation
from taxonomy.models import Country, Term, TermAlias
from tests.factories import InitiativeFactory, OrganisationFactory, ParticipationFactory, SourceRecordFactory

pytestmark = pytest.mark.django_db


def rejected(**fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        InitiativeFactory(**fields)


def test_end_date_before_start_date_is_rejected_by_the_database():
    rejected(start_date=datetime.date(2022, 1, 1), end_date=datetime.date(2021, 12, 31))


def test_end_date_equal_to_start_date_is_accepted():
    InitiativeFactory(start_date=datetime.date(2022, 1, 1), end_date=datetime.date(2022, 1, 1))


def test_negative_budget_is_rejected():
    rejected(budget=-1, currency="EUR")


def test_budget_without_currency_is_rejected():
    rejected(budget=1000, currency="")


def test_duplicate_initiative_slug_is_rejected():
    InitiativeFactory(slug="glacy-plus")
    rejected(slug="glacy-plus")


def test_duplicate_organisation_slug_is_rejected():
    OrganisationFactory(slug="gfce")
    with pytest.raises(IntegrityError), transaction.atomic():
        OrganisationFactory(slug="gfce")


def test_one_participation_per_organisation_and_role():
    participation = ParticipationFactory()
    ParticipationFactory(
        initiative=participation.initiative, organisation=participation.organisation, role=Participation.Role.FUNDER
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        ParticipationFactory(
            initiative=participation.initiative,
            organisation=participation.organisation,
            role=Participation.Role.IMPLEMENTER,
        )


def test_external_id_is_unique_per_source():
    record = SourceRecordFactory(external_id="X-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        SourceRecordFactory(source=record.source, external_id="X-1")
    SourceRecordFactory(source=record.source, external_id="")
    SourceRecordFactory(source=record.source, external_id="")


def test_country_code_format_is_checked():
    with pytest.raises(IntegrityError), transaction.atomic():
        Country.objects.create(iso2="x1", iso3="XXX", m49="999", name="Nowhere")


def test_term_slug_is_unique_within_a_vocabulary():
    existing = Term.objects.topics().get(slug="cybercrime")
    with pytest.raises(IntegrityError), transaction.atomic():
        Term.objects.create(vocabulary=existing.vocabulary, slug="cybercrime", name="Again")


def test_alias_is_unique_per_term_and_scheme_ignoring_case():
    term = Term.objects.topics().get(slug="cybercrime")
    TermAlias.objects.create(term=term, name="Computer crime", scheme="Test")
    with pytest.raises(IntegrityError), transaction.atomic():
        TermAlias.objects.create(term=term, name="COMPUTER CRIME", scheme="Test")
