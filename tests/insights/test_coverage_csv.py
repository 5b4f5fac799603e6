"""The coverage matrix as CSV, /coverage/export.csv: the same numbers as the page, spreadsheet-safe."""

import csv
import io
import re

import pytest

from taxonomy.models import Country, Region, Term
from tests.factories import InitiativeFactory
from tests.helpers import bulk_initiatives, region

pytestmark = pytest.mark.django_db


@pytest.fixture
def spread():
    """Bulk-made initiatives in Nigeria, Ghana and Western Africa on every term, plus a few elsewhere."""
    bulk_initiatives(60, "spread")
    InitiativeFactory(countries=["KE"], topics=["awareness"], audiences=["youth"], modalities=["training"])
    InitiativeFactory(regions=[region("europe")], topics=["standards"], audiences=["certs"])
    InitiativeFactory(countries=["NG"], topics=["ciip"], publication_state="draft")


def export(client, query: str = "") -> list[list[str]]:
    response = client.get("/coverage/export.csv" + (f"?{query}" if query else ""))
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="ccb-coverage-')
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")  # Excel reads it as UTF-8
    return list(csv.reader(io.StringIO(text[1:], newline="")))


def page_numbers(client, query: str = "") -> dict[tuple[str, str], tuple[int, int]]:
    """(place, term) -> (count, specific) as the page's matrix shows them."""
    response = client.get("/coverage/" + (f"?{query}" if query else ""))
    assert response.status_code == 200
    coverage = response.context["coverage"]
    return {
        (row.key, column.key): (cell.count, cell.specific)
        for row in coverage.rows
        for column, cell in zip(coverage.columns, row.cells, strict=True)
    }


@pytest.mark.parametrize(
    "query",
    ["", "rows=continents&from=2016&to=2020", "rows=groupings&columns=audience", "columns=modality&status=ongoing"],
)
def test_csv_has_the_numbers_of_the_page(client, spread, query):
    rows = export(client, query)
    header, body = rows[0], rows[1:]
    assert header[:2] == ["region", "name"]
    shown = page_numbers(client, query)
    terms = header[2::2]
    assert header[3::2] == [f"{term} (specific)" for term in terms]
    assert len(body) * len(terms) == len(shown)
    from_csv = {
        (line[0], term): (int(line[2 + 2 * n]), int(line[3 + 2 * n])) for line in body for n, term in enumerate(terms)
    }
    assert from_csv == shown
    assert sum(count for count, _specific in shown.values()) > 20  # the comparison had numbers to compare


def test_csv_rows_are_the_places_and_names_of_the_page(client, spread):
    rows = export(client)
    sub_regions = Region.objects.filter(kind=Region.Kind.SUB_REGION)
    assert sorted(line[0] for line in rows[1:]) == sorted(sub_regions.values_list("slug", flat=True))
    assert next(line[:2] for line in rows if line[0] == "western-africa") == ["western-africa", "Western Africa"]
    top_level = Term.objects.topics().filter(parent__isnull=True).order_by("order", "name")
    assert rows[0][2::2] == list(top_level.values_list("slug", flat=True))


def test_country_level_csv(client, spread):
    rows = export(client, "within=western-africa&columns=audience")
    assert rows[0][:2] == ["country", "name"]
    members = Country.objects.filter(region__slug="western-africa")
    assert sorted(line[0] for line in rows[1:]) == sorted(members.values_list("iso2", flat=True))
    shown = page_numbers(client, "within=western-africa&columns=audience")
    terms = rows[0][2::2]
    from_csv = {
        (line[0], term): (int(line[2 + 2 * n]), int(line[3 + 2 * n]))
        for line in rows[1:]
        for n, term in enumerate(terms)
    }
    assert from_csv == shown
    assert from_csv[("NG", "youth")][0] > 0


def test_specific_only_csv_has_only_the_specific_counts(client, spread):
    rows = export(client, "specific=1")
    assert all(name.endswith(" (specific)") for name in rows[0][2:])
    shown = page_numbers(client, "specific=1")
    terms = [name.removesuffix(" (specific)") for name in rows[0][2:]]
    assert {(line[0], term): int(line[2 + n]) for line in rows[1:] for n, term in enumerate(terms)} == {
        key: count for key, (count, _specific) in shown.items()
    }


def test_csv_neutralises_formulas_in_names(client, spread):
    grouping = Region.objects.create(slug="formula-group", name="=HYPERLINK(1)", kind=Region.Kind.GROUPING)
    grouping.members.set(["NG"])
    rows = export(client, "rows=groupings")
    assert next(line[1] for line in rows if line[0] == "formula-group") == "'=HYPERLINK(1)"


def test_csv_filename_names_the_matrix(client):
    response = client.get("/coverage/export.csv?within=western-africa&columns=audience&from=2019&to=2021&specific=1")
    assert re.fullmatch(
        r'attachment; filename="ccb-coverage-\d{4}-\d{2}-\d{2}-western-africa-audience-2019-2021-specific\.csv"',
        response["Content-Disposition"],
    )


@pytest.mark.parametrize("query", ["rows=planets", "from=2021&to=2020", "topic=nope", "within=nowhere"])
def test_bad_input_answers_400_in_plain_text(client, query):
    response = client.get(f"/coverage/export.csv?{query}")
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "The coverage matrix was not made because some parameters are invalid." in response.content.decode()
