"""Re-importing a source's files (matching rows to initiatives, emptied cells)."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from initiatives.models import Initiative, SourceRecord
from tests.factories import InitiativeFactory, SourceFactory
from tests.helpers import import_text

pytestmark = pytest.mark.django_db

HEADER = "Title,ID,Country,Topics\n"


@pytest.fixture
def source():
    return SourceFactory(slug="other-map", name="Other map")


def test_a_new_record_with_the_title_of_another_record_does_not_overwrite_it(tmp_path, source):
    # The source has two records called the same (two phases of one programme, say).
    import_text(tmp_path, HEADER + "Cyber phase,A-1,Kenya,Cybercrime\nCyber phase,A-2,Ghana,Cybercrime\n")
    assert Initiative.objects.filter(title="Cyber phase").count() == 2
    # Its next file adds a third record with the same title: a new initiative, not A-1 overwritten.
    import_text(
        tmp_path,
        HEADER
        + "Cyber phase,A-1,Kenya,Cybercrime\nCyber phase,A-2,Ghana,Cybercrime\nCyber phase,A-3,Nigeria,Cybercrime\n",
    )
    ids = set(SourceRecord.objects.filter(source=source).values_list("external_id", flat=True))
    assert ids == {"A-1", "A-2", "A-3"}
    a1 = SourceRecord.objects.get(source=source, external_id="A-1").initiative
    assert list(a1.countries.values_list("iso2", flat=True)) == ["KE"]


def test_a_changed_record_and_a_new_one_under_its_title_are_two_initiatives(tmp_path, source):
    import_text(tmp_path, HEADER + "Cyber phase,A-1,Kenya,Cybercrime\n")
    # A-1 changed, and A-2 (an id this source has not used) has the same title: a second initiative.
    import_text(tmp_path, HEADER + "Cyber phase,A-1,Uganda,Cybercrime\nCyber phase,A-2,Ghana,Cybercrime\n")
    countries = {
        record.external_id: list(record.initiative.countries.values_list("iso2", flat=True))
        for record in SourceRecord.objects.filter(source=source)
    }
    assert countries == {"A-1": ["UG"], "A-2": ["GH"]}


def test_two_rows_landing_on_one_initiative_reject_the_second(tmp_path, source):
    InitiativeFactory(title="Curated elsewhere")
    path = tmp_path / "file.csv"
    path.write_text(HEADER + "Curated elsewhere,B-1,Kenya,\ncurated elsewhere!,B-2,Ghana,\n", encoding="utf-8")
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("import_initiatives", str(path), "--source", "other-map", stdout=out)
    assert "Same initiative as row 2." in out.getvalue()


def test_an_emptied_cell_on_reimport_does_not_silently_keep_the_old_value(tmp_path, source):
    header = "Title,ID,Country,Implementing agency,Budget,End\n"
    import_text(tmp_path, header + "Emptied,E-1,Kenya,ITU,EUR 5m,2022\n")
    output = import_text(tmp_path, header + "Emptied,E-1,,,,\n")
    initiative = Initiative.objects.get(title="Emptied")
    kept = {
        "countries": list(initiative.countries.values_list("iso2", flat=True)),
        "implementers": initiative.participations.count(),
        "budget": initiative.budget,
        "end_date": initiative.end_date,
    }
    # The source's now-empty cells clear the values of the initiative it created.
    assert kept == {"countries": [], "implementers": 0, "budget": None, "end_date": None}
    assert "1 to update" in output


def test_two_columns_for_one_single_valued_field_are_reported(tmp_path, source):
    # "Start" and "From" both mean the start date; the file gives two different ones.
    output = import_text(tmp_path, "Title,ID,Start,From\nTwo starts,S-1,2019,2015\n", "--dry-run")
    assert "From" in output.split("Columns:")[1].split("\n", 1)[1]  # a note or a problem names the dropped column


def test_a_column_map_naming_a_header_the_file_lacks_is_reported(tmp_path, source):
    output = import_text(tmp_path, "Project,ID\nX,1\n", "--dry-run", "--columns", "Projet=title;Notes=description")
    assert "Projet" in output.split("Columns:")[1]
