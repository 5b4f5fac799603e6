"""The portal's own export format (slugs, provenance cells, timestamps) imported and re-imported."""

import contextlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from initiatives.exports import COLUMNS
from initiatives.models import Initiative, SourceRecord
from tests.factories import SourceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sources():
    SourceFactory(slug="cyber-policy-portal", name="Cyber Policy Portal")
    return SourceFactory(slug="portal-copy", name="Portal copy")


def own_row(**cells) -> str:
    values = {"status": "ongoing", "countries": "KE", **cells}
    return ",".join(values.get(column, "") for column in COLUMNS) + "\n"


def run(tmp_path, text: str, *args) -> str:
    path = tmp_path / "export.csv"
    path.write_text(",".join(COLUMNS) + "\n" + text, encoding="utf-8")
    out = StringIO()
    call_command("import_initiatives", str(path), "--source", "portal-copy", *args, stdout=out)
    return out.getvalue()


def test_reimporting_an_unchanged_own_file_with_a_record_id_is_not_a_traceback(tmp_path, sources):
    text = own_row(slug="new-one", title="New one", sources="Cyber Policy Portal: Z-1")
    run(tmp_path, text)
    output = run(tmp_path, text)
    assert "1 unchanged" in output
    assert SourceRecord.objects.filter(external_id="Z-1").count() == 1


def test_reimporting_an_unchanged_own_file_does_not_duplicate_provenance(tmp_path, sources):
    text = own_row(slug="new-two", title="New two", sources="Cyber Policy Portal")
    for _ in range(3):
        run(tmp_path, text)
    initiative = Initiative.objects.get(slug="new-two")
    assert initiative.source_records.count() == 1


def test_one_record_named_twice_in_a_file_is_reported_not_a_traceback(tmp_path, sources):
    text = own_row(slug="new-one", title="New one", sources="Cyber Policy Portal: Z-1") + own_row(
        slug="new-two", title="New two", sources="Cyber Policy Portal: Z-1"
    )
    with pytest.raises(CommandError):
        run(tmp_path, text)
    assert not Initiative.objects.filter(slug__in=["new-one", "new-two"]).exists()


def test_one_record_named_twice_in_a_cell_is_not_a_traceback(tmp_path, sources):
    run(
        tmp_path, own_row(slug="new-one", title="New one", sources="Cyber Policy Portal: Z-1; Cyber Policy Portal: Z-1")
    )
    assert SourceRecord.objects.filter(external_id="Z-1").count() == 1


def test_an_updated_at_out_of_range_is_reported_not_a_traceback(tmp_path, sources):
    text = own_row(slug="late", title="Late", updated_at="9999-12-31T23:59:59-14:00")
    with contextlib.suppress(CommandError):  # the dry run accepts it; writing raises OverflowError
        run(tmp_path, text)
    # Either refused with a message, or imported; never an OverflowError.
