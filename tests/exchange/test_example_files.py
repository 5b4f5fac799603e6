"""The example files under fixtures/import/ import as their README says (make run imports the messy one)."""

import json
from pathlib import Path

import pytest
from django.conf import settings

from exchange.importing import Options, import_file
from exchange.tables import parse_column_map
from initiatives.models import Initiative, Source
from initiatives.services import load_demo

pytestmark = pytest.mark.django_db

EXAMPLES = Path(settings.BASE_DIR) / "fixtures" / "import"


def dry_run(name: str, **options):
    path = EXAMPLES / name
    source = Source.objects.get(slug="igf-bpf-cybersecurity")
    return import_file(path.read_bytes(), name=name, source=source, options=Options(**options), dry_run=True)


def test_the_messy_mapping_reconciles_all_but_three_values():
    load_demo()
    report = dry_run("messy-mapping.csv")
    assert (report.rows, report.created, report.matched, report.rejected) == (28, 23, 2, 3)
    unplaced = sorted(problem.value for problem in report.unplaced())
    assert unplaced == ["Cyber hygiene for e-government", "Kosovo*", "Micronesia region"]
    assert report.values_placed > 250 and report.values_approximate == 1


def test_the_french_mapping_imports_with_its_column_map():
    load_demo()
    columns = parse_column_map(str(EXAMPLES / "french-mapping.columns.json"), files=True)
    report = dry_run("french-mapping.csv", columns=columns)
    assert report.rows == 5 and report.rejected == 0, [str(p) for p in report.errors]


def test_the_json_lines_example_imports_and_keeps_its_values():
    load_demo()
    lines = (EXAMPLES / "example.jsonl").read_text(encoding="utf-8").splitlines()
    source = Source.objects.get(slug="igf-bpf-cybersecurity")
    data = (EXAMPLES / "example.jsonl").read_bytes()
    report = import_file(data, name="example.jsonl", source=source, options=Options())
    assert report.rejected == 0 and report.created == len(lines)
    first = json.loads(lines[0])
    initiative = Initiative.objects.get(source_records__source=source, source_records__external_id=first["external_id"])
    assert initiative.title == first["title"] and initiative.publication_state == "review"
