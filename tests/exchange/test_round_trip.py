"""Export the published set, import it into an empty database, export again: the same bytes."""

import csv
import io
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from taggit.models import Tag

from initiatives.models import Initiative, Organisation, Participation, Source, SourceRecord
from initiatives.services import load_demo
from tests.factories import InitiativeFactory, SourceRecordFactory

pytestmark = pytest.mark.django_db


def export(client) -> bytes:
    response = client.get("/initiatives/export.csv", HTTP_HOST="127.0.0.1")  # a host a URL validator accepts
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def empty_the_database() -> None:
    SourceRecord.objects.all().delete()
    Participation.objects.all().delete()
    Initiative.objects.all().delete()
    Organisation.objects.all().delete()
    Source.objects.all().delete()
    Tag.objects.all().delete()


def test_export_import_export_gives_the_same_bytes(client, tmp_path):
    load_demo()
    first = export(client)
    published = Initiative.objects.published().count()
    assert published > 40 and first.count(b"\n") == published + 1

    empty_the_database()
    assert export(client).count(b"\n") == 1  # the header alone: really empty
    Source.objects.create(name="Portal copy", slug="portal-copy")
    path = tmp_path / "export.csv"
    path.write_bytes(first)
    call_command("import_initiatives", str(path), "--source", "portal-copy", "--publish", stdout=StringIO())

    assert export(client) == first


def test_reimporting_the_portals_own_export_changes_nothing(client, tmp_path):
    load_demo()
    first = export(client)
    path = tmp_path / "export.csv"
    path.write_bytes(first)
    Source.objects.create(name="Portal copy", slug="portal-copy")
    out = StringIO()
    call_command("import_initiatives", str(path), "--source", "portal-copy", stdout=out)
    # Every row is an initiative we already have: provenance only, nothing overwritten or duplicated.
    assert "0 to create" in out.getvalue()
    assert export(client) == first


def test_an_export_made_before_columns_were_appended_is_still_read_as_the_portals_own(client, tmp_path):
    load_demo()
    first = export(client)
    # The same file as the first export's 19 columns: every line cut after its 19th cell.
    rows = list(csv.reader(io.StringIO(first.decode("utf-8-sig"), newline="")))
    assert rows[0][:19][-1] == "updated_at" and len(rows[0]) > 19
    old = io.StringIO(newline="")
    csv.writer(old).writerows(row[:19] for row in rows)
    path = tmp_path / "old-export.csv"
    path.write_bytes(b"\xef\xbb\xbf" + old.getvalue().encode())
    Source.objects.create(name="Portal copy", slug="portal-copy")
    out = StringIO()
    call_command("import_initiatives", str(path), "--source", "portal-copy", stdout=out)
    # Matched by slug, as the portal's own: nothing created, nothing changed.
    assert "0 to create" in out.getvalue()
    assert export(client) == first


def test_a_budget_band_and_record_addresses_survive_the_round_trip(client, tmp_path):
    initiative = InitiativeFactory(
        slug="banded", budget=Decimal("100000.50"), budget_max=Decimal("500000"), currency="CHF", countries=["NG"]
    )
    SourceRecordFactory(initiative=initiative, source__name="Map", external_id="m-1", url="https://map.example/m-1")
    first = export(client)
    assert b",100000.50,500000.00,CHF,Map: m-1 <https://map.example/m-1>" in first

    empty_the_database()
    Source.objects.create(name="Portal copy", slug="portal-copy")
    path = tmp_path / "export.csv"
    path.write_bytes(first)
    call_command("import_initiatives", str(path), "--source", "portal-copy", "--publish", stdout=StringIO())
    assert export(client) == first
