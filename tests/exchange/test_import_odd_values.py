"""Cells that say "nothing", and numbers too large to read."""

import contextlib

import pytest
from django.core.management import CommandError

from exchange.values import UnreadableValue, parse_budget
from initiatives.models import Initiative, Organisation
from tests.factories import SourceFactory
from tests.helpers import import_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def source():
    return SourceFactory(slug="other-map", name="Other map")


@pytest.mark.parametrize("text", ["EUR 100000000000000000000000000000", "EUR 10000000000000000000000000000 bn"])
def test_a_budget_too_long_to_compute_is_an_unreadable_value(text):
    with pytest.raises(UnreadableValue):
        parse_budget(text)


def test_a_budget_too_long_to_compute_is_reported_against_its_row(tmp_path, source):
    with pytest.raises(CommandError, match="1 of 1 rows"):
        import_text(tmp_path, "Title,ID,Budget\nHuge,H-1,EUR 100000000000000000000000000000\n")


@pytest.mark.parametrize("cell", ["n/a", "N/A", "n.a."])
def test_not_applicable_in_a_country_column_is_not_namibia(tmp_path, source, cell):
    with contextlib.suppress(CommandError):  # reported as not a country: acceptable
        import_text(tmp_path, f"Title,ID,Country\nNowhere,N-1,{cell}\n")
    initiative = Initiative.objects.filter(title="Nowhere").first()
    assert initiative is None or not initiative.countries.filter(iso2="NA").exists()


def test_not_applicable_in_an_organisation_column_creates_no_organisation(tmp_path, source):
    import_text(tmp_path, "Title,ID,Country,Implementing agency,Donor\nNobody,N-1,Kenya,N/A,-\n")
    assert not Organisation.objects.filter(name__in=["N/A", "-"]).exists()


def test_a_slug_longer_than_the_field_is_refused_or_shortened(tmp_path, source):
    # Initiative.slug is max_length=120: SQLite stores 200 characters, PostgreSQL raises a DataError.
    try:
        import_text(tmp_path, f"Title,ID,Slug\nLong slug,L-1,{'a' * 200}\n")
    except CommandError:
        return
    assert len(Initiative.objects.get(title="Long slug").slug) <= 120
