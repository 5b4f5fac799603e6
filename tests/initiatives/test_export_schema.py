"""/initiatives/export.schema.json: the CSV export's columns as a Frictionless Table Schema, kept in step with it."""

import csv
import datetime
import io
import re
from urllib.parse import urlsplit

import pytest

from initiatives.exports import COLUMNS
from initiatives.membership import EXPORT_COLUMNS
from initiatives.models import Initiative
from initiatives.services import load_demo
from tests.factories import InitiativeFactory

pytestmark = pytest.mark.django_db

TYPES = {"string", "number", "date", "datetime"}


def get_schema(client) -> dict:
    response = client.get("/initiatives/export.schema.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return response.json()


def export_rows(client, query: str = "") -> tuple[list[str], list[dict[str, str]]]:
    response = client.get("/initiatives/export.csv" + (f"?{query}" if query else ""))
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    return list(reader.fieldnames), list(reader)


def problems(schema: dict, rows: list[dict[str, str]]) -> list[str]:
    """What a Table Schema validator would object to in these rows (the parts of the spec the schema uses)."""
    found = []
    seen: dict[str, set[str]] = {}
    for number, row in enumerate(rows, start=2):  # line 1 is the header
        for field in schema["fields"]:
            name, constraints = field["name"], field.get("constraints", {})
            value = row[name]
            where = f"line {number}, {name}={value!r}"
            if value in schema["missingValues"]:
                if constraints.get("required"):
                    found.append(f"{where}: required")
                continue
            if field["type"] == "number":
                # Table Schema numbers: digits with a point for decimals, no grouping, no currency.
                if not re.fullmatch(r"-?\d+(\.\d+)?", value):
                    found.append(f"{where}: not a number")
                elif "minimum" in constraints and float(value) < constraints["minimum"]:
                    found.append(f"{where}: below {constraints['minimum']}")
            if field["type"] == "date" and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                found.append(f"{where}: not a date")
            if field["type"] == "datetime":
                try:
                    datetime.datetime.strptime(value, field["format"])
                except ValueError:
                    found.append(f"{where}: not a datetime in {field['format']}")
            if field.get("format") == "uri":
                parts = urlsplit(value)
                if parts.scheme not in {"http", "https"} or not parts.netloc:
                    found.append(f"{where}: not a URI")
            if "pattern" in constraints and not re.fullmatch(constraints["pattern"], value):
                found.append(f"{where}: does not match {constraints['pattern']}")
            if "enum" in constraints and value not in constraints["enum"]:
                found.append(f"{where}: not one of {constraints['enum']}")
            if constraints.get("unique"):
                if value in seen.setdefault(name, set()):
                    found.append(f"{where}: repeated")
                seen[name].add(value)
    return found


def test_it_is_served_as_json(client):
    schema = get_schema(client)
    assert schema["missingValues"] == [""]
    assert schema["primaryKey"] == "slug"


def test_every_csv_column_is_described_in_order_and_nothing_else(client):
    InitiativeFactory()
    header, _rows = export_rows(client)
    names = [field["name"] for field in get_schema(client)["fields"]]
    assert names == header == COLUMNS


def test_every_field_has_a_type_a_title_and_a_description(client):
    for field in get_schema(client)["fields"]:
        assert field["type"] in TYPES, field
        assert field["title"] and field["description"], field


def test_multi_valued_fields_say_their_values_are_joined_by_a_semicolon(client):
    fields = {field["name"]: field for field in get_schema(client)["fields"]}
    assert EXPORT_COLUMNS
    for name in EXPORT_COLUMNS:
        assert "“; ”" in fields[name]["description"], name
    assert "“; ”" not in fields["title"]["description"]


@pytest.mark.parametrize("name", ["start_date", "end_date"])
def test_dates_are_strings_at_their_precision(client, name):
    field = next(field for field in get_schema(client)["fields"] if field["name"] == name)
    assert field["type"] == "string"
    pattern = field["constraints"]["pattern"]
    assert pattern == r"^\d{4}(-\d{2}(-\d{2})?)?$"
    for value in ["2021", "2021-03", "2021-03-05"]:
        assert re.fullmatch(pattern, value)
    for value in ["21", "2021-3", "2021-03-05T00:00", "March 2021"]:
        assert not re.fullmatch(pattern, value)


def test_the_check_used_here_finds_bad_rows(client):
    schema = get_schema(client)
    good = dict.fromkeys(COLUMNS, "")
    good |= {
        "slug": "a",
        "title": "A",
        "status": "ongoing",
        "detail_url": "http://testserver/initiatives/a/",
        "updated_at": "2025-01-02T03:04:05+00:00",
    }
    assert problems(schema, [good]) == []
    bad = [
        good | {"status": "paused"},
        good | {"slug": "b", "start_date": "2021-3"},
        good | {"slug": "c", "countries": "NG, GH"},
        good | {"slug": "d", "website": "example.org"},
        good | {"slug": "e", "last_verified": "2025"},
        good | {"slug": "f", "updated_at": "yesterday"},
        good | {"slug": "g", "title": ""},
        good | {"slug": "h", "budget": "7,500,000"},
        good | {"slug": "i", "budget_max": "-1.00"},
        good | {"slug": "j", "currency": "euro"},
    ]
    found = problems(schema, [good, *bad])
    assert len(found) == len(bad) + 1, found  # one each, and the first repeats the slug "a"


def test_the_demo_export_validates_against_the_schema(client):
    load_demo()
    InitiativeFactory(
        slug="dated-by-year",
        start_date=datetime.date(2021, 1, 1),
        start_precision="year",
        end_date=datetime.date(2022, 3, 31),
        end_precision="month",
    )
    header, rows = export_rows(client)
    assert len(rows) == Initiative.objects.published().count() > 50
    assert any(row["countries"].count("; ") > 1 for row in rows)  # multi-valued cells are really there
    assert problems(get_schema(client), rows) == []


def test_every_column_says_what_it_holds_and_how_it_is_written(client):
    fields = {field["name"]: field for field in get_schema(client)["fields"]}
    assert fields["budget"]["type"] == fields["budget_max"]["type"] == "number"
    assert fields["currency"]["constraints"]["pattern"] == r"^[A-Z]{3}$"
    for name in ["country_names", "region_names"]:
        assert "English" in fields[name]["description"], name
        assert "same order" in fields[name]["description"], name
    assert "<" in fields["source_links"]["description"]  # "mapping name <address>"
    assert all(len(field["description"]) > 20 for field in fields.values())


def test_the_demo_export_has_names_and_budgets_that_validate(client):
    load_demo()
    _header, rows = export_rows(client)
    assert any(row["country_names"] for row in rows) and any(row["budget"] for row in rows)
    for row in rows:  # one name per code, in the same order
        assert len(row["country_names"].split("; ")) == len(row["countries"].split("; ")), row["slug"]
        assert len(row["region_names"].split("; ")) == len(row["regions"].split("; ")), row["slug"]
        assert bool(row["budget"]) <= bool(row["currency"]), row["slug"]


def test_the_csv_links_its_schema(client):
    InitiativeFactory()
    response = client.get("/initiatives/export.csv?status=ongoing")
    assert response["Link"] == '<http://testserver/initiatives/export.schema.json>; rel="describedby"'
    assert client.get(urlsplit(response["Link"][1:].split(">")[0]).path).status_code == 200


def test_the_xlsx_links_the_same_schema(client):
    InitiativeFactory()
    response = client.get("/initiatives/export.xlsx?status=ongoing")
    assert response["Link"] == '<http://testserver/initiatives/export.schema.json>; rel="describedby"'


def test_the_list_page_links_the_schema_next_to_the_csv(client):
    InitiativeFactory()
    body = client.get("/initiatives/").content.decode()
    download = body.index('class="download"')
    schema = body.index('<a href="/initiatives/export.schema.json" type="application/json">Column descriptions</a>')
    assert 0 < schema - download < 400
