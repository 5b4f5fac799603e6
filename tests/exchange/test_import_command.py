"""manage.py import_initiatives: other mappings' files in their own words, all or nothing, idempotent."""

import datetime
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from exchange.models import ImportBatch, ImportedRow
from initiatives.models import Initiative, Organisation, Participation, SourceRecord
from tests.factories import InitiativeFactory, OrganisationFactory, SourceFactory

pytestmark = pytest.mark.django_db

HEADER = "Project name,ID,Beneficiary countries,Region,Implementing agency,Donor,Themes,Start,End,Budget,Status\n"


@pytest.fixture
def source():
    return SourceFactory(slug="other-map", name="Other map")


def write(tmp_path, text: str, name: str = "file.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def run(path, *args) -> str:
    out = StringIO()
    call_command("import_initiatives", path, *args, stdout=out)
    return out.getvalue()


def database_state() -> dict:
    return {
        model.__name__: model.objects.count()
        for model in (Initiative, Organisation, Participation, SourceRecord, ImportedRow, ImportBatch)
    }


def test_it_imports_a_foreign_file_with_common_headers(tmp_path, source):
    path = write(
        tmp_path,
        HEADER + '"Cyber resilience for Ghana",GH-1,"Ghana; Ivory Coast",,Expertise France (EF),"UK; Netherlands",'
        '"CERTs; Cybercrime; Law enforcement",Mar 2016,2019,"EUR 9 000 000",Active\n',
    )
    output = run(path, "--source", "other-map")
    initiative = Initiative.objects.get(title="Cyber resilience for Ghana")
    assert initiative.publication_state == "review"
    assert set(initiative.countries.values_list("iso2", flat=True)) == {"GH", "CI"}
    assert set(initiative.topics.values_list("slug", flat=True)) == {"cert-development", "cybercrime"}
    # "Law enforcement" in a themes column is a target user: placed in its own vocabulary.
    assert set(initiative.audiences.values_list("slug", flat=True)) == {"law-enforcement"}
    assert (initiative.start_date, initiative.start_precision) == (datetime.date(2016, 3, 1), "month")
    assert (initiative.end_date, initiative.end_precision) == (datetime.date(2019, 12, 31), "year")
    assert (initiative.budget, initiative.currency) == (Decimal("9000000"), "EUR")
    assert initiative.status == "ongoing"
    implementer = initiative.participations.get(role="implementer").organisation
    assert (implementer.name, implementer.acronym, implementer.kind) == ("Expertise France", "EF", "")
    assert initiative.participations.filter(role="funder").count() == 2
    record = SourceRecord.objects.get(initiative=initiative)
    assert (record.source, record.external_id, record.retrieved_on) == (source, "GH-1", datetime.date.today())
    row = ImportedRow.objects.get(initiative=initiative)
    assert row.original["Project name"] == "Cyber resilience for Ghana"
    assert row.original["Budget"] == "EUR 9 000 000"
    assert "1 to create" in output


def test_an_unknown_country_rejects_the_whole_file_by_default(tmp_path, source):
    path = write(
        tmp_path,
        HEADER + "Good row,A-1,Kenya,,ITU,,Cybercrime,2020,,,\n" + "Bad row,A-2,Nigria,,ITU,,Cybercrime,2020,,,\n",
    )
    before = database_state()
    with pytest.raises(CommandError, match="1 of 2 rows cannot be imported, so nothing was written"):
        run(path, "--source", "other-map")
    assert database_state() == before


def test_the_report_names_row_column_value_and_closest_terms(tmp_path, source):
    path = write(tmp_path, HEADER + "Bad row,A-2,Nigria,,ITU,,Cybercrime,2020,,,\n")
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("import_initiatives", path, "--source", "other-map", stdout=out)
    line = next(line for line in out.getvalue().splitlines() if "Nigria" in line)
    assert 'row 2, column "Beneficiary countries"' in line
    assert "Nigeria" in line.split("Closest known:")[1]


def test_skip_invalid_writes_the_good_rows_and_reports_the_rest(tmp_path, source):
    path = write(
        tmp_path,
        HEADER + "Good row,A-1,Kenya,,ITU,,Cybercrime,2020,,,\n" + "Bad row,A-2,Atlantis,,ITU,,Cybercrime,2020,,,\n",
    )
    output = run(path, "--source", "other-map", "--skip-invalid")
    assert list(Initiative.objects.values_list("title", flat=True)) == ["Good row"]
    assert "Atlantis" in output and "1 rejected" in output


def test_dry_run_writes_nothing_and_says_what_would_happen(tmp_path, source):
    InitiativeFactory(title="Already Here", publication_state="published")
    path = write(
        tmp_path,
        HEADER + "New one,A-1,Kenya,,ITU,,Cybercrime,2020,,,\n" + "already here!,A-2,Kenya,,ITU,,Cybercrime,2020,,,\n",
    )
    before = database_state()
    output = run(path, "--source", "other-map", "--dry-run")
    assert database_state() == before
    assert "1 to create" in output and "1 matched to existing initiatives" in output
    assert "Dry run: nothing was written." in output


def test_reimporting_a_file_duplicates_nothing_and_updates_changed_rows(tmp_path, source):
    rows = ["First,A-1,Kenya,,ITU,,Cybercrime,2020,,,", "Second,A-2,Ghana,,ITU,,Cybercrime,2020,,,"]
    path = write(tmp_path, HEADER + "\n".join(rows) + "\n")
    run(path, "--source", "other-map")
    first = database_state()
    output = run(path, "--source", "other-map")
    assert "0 to create" in output and "2 unchanged" in output
    assert Initiative.objects.count() == first["Initiative"]
    rows[1] = "Second (renamed),A-2,Ghana; Togo,,ITU,,Cybercrime,2020,,,"
    run(write(tmp_path, HEADER + "\n".join(rows) + "\n"), "--source", "other-map")
    assert Initiative.objects.count() == first["Initiative"]
    second = SourceRecord.objects.get(source=source, external_id="A-2").initiative
    assert second.title == "Second (renamed)"
    assert set(second.countries.values_list("iso2", flat=True)) == {"GH", "TG"}


def test_rows_without_ids_match_on_a_normalised_title_when_reimported(tmp_path, source):
    header = "Title,Countries\n"
    run(write(tmp_path, header + '"Cyber Drills, Africa",Kenya\n'), "--source", "other-map")
    run(write(tmp_path, header + '"cyber drills – africa",Kenya\n'), "--source", "other-map")
    assert Initiative.objects.count() == 1


def test_an_initiative_curated_elsewhere_is_matched_not_overwritten(tmp_path, source):
    curated = InitiativeFactory(title="CyberSouth", summary="Curated words.", publication_state="published")
    path = write(tmp_path, "Title,ID,Summary\nCyberSouth,X-9,Their words.\n")
    run(path, "--source", "other-map")
    run(path, "--source", "other-map")
    curated.refresh_from_db()
    assert curated.summary == "Curated words."
    assert SourceRecord.objects.filter(initiative=curated, source=source, external_id="X-9").count() == 1
    assert list(ImportedRow.objects.values_list("action", flat=True)) == ["matched", "matched"]


def test_publish_publishes_new_initiatives(tmp_path, source):
    run(write(tmp_path, "Title,Countries\nPublished at once,Kenya\n"), "--source", "other-map", "--publish")
    assert Initiative.objects.get().publication_state == "published"


def test_organisations_are_found_by_name_acronym_or_alias_and_roleless_ones_become_partners(tmp_path, source):
    itu = OrganisationFactory(name="International Telecommunication Union", acronym="ITU")
    unodc = OrganisationFactory(name="United Nations Office on Drugs and Crime", acronym="UNODC")
    unodc.aliases.create(name="ONUDC")
    path = write(tmp_path, "Title,Implementer,Organisations\nDrills,ITU,ONUDC | A New Foundation\n")
    output = run(path, "--source", "other-map")
    initiative = Initiative.objects.get()
    assert initiative.participants("implementer") == [itu]
    partners = initiative.participants("partner")
    assert unodc in partners and Organisation.objects.get(name="A New Foundation") in partners
    assert "Organisations without a stated role: kept as partners." in output
    assert "New organisations (1): A New Foundation" in output


def test_a_column_map_names_headers_we_do_not_know(tmp_path, source):
    path = write(tmp_path, "Intitulé;Pays bénéficiaires;Bailleur\nProjet Sahel;Mali, Niger;GIZ\n")
    OrganisationFactory(name="Deutsche Gesellschaft für Internationale Zusammenarbeit", acronym="GIZ")
    run(path, "--source", "other-map", "--columns", "Intitulé=title;Pays bénéficiaires=countries;Bailleur=funders")
    initiative = Initiative.objects.get()
    assert initiative.title == "Projet Sahel"
    assert set(initiative.countries.values_list("iso2", flat=True)) == {"ML", "NE"}
    assert initiative.participants("funder")[0].acronym == "GIZ"


def test_json_lines_are_read_with_lists(tmp_path, source):
    line = {
        "title": "JSON initiative",
        "external_id": "J-1",
        "countries": ["Viet Nam", "Lao PDR (priority)"],
        "topics": ["awareness"],
        "budget": "USD 2.5m",
        "start_date": "2021",
        "keywords": ["drills", "SOC"],
    }
    run(write(tmp_path, json.dumps(line) + "\n", "file.jsonl"), "--source", "other-map")
    initiative = Initiative.objects.get()
    assert set(initiative.countries.values_list("iso2", flat=True)) == {"VN", "LA"}
    assert initiative.budget == Decimal("2500000") and initiative.currency == "USD"
    assert (initiative.start_date, initiative.start_precision) == (datetime.date(2021, 1, 1), "year")
    assert sorted(initiative.keywords.names()) == ["SOC", "drills"]


def test_a_budget_band_keeps_both_ends(tmp_path, source):
    run(write(tmp_path, "Title,Budget\nBand,\"CHF 100'000 - 500'000\"\n"), "--source", "other-map")
    initiative = Initiative.objects.get()
    assert (initiative.budget, initiative.budget_max, initiative.currency) == (
        Decimal("100000"),
        Decimal("500000"),
        "CHF",
    )


def test_an_ambiguous_date_is_imported_and_reported(tmp_path, source):
    output = run(write(tmp_path, "Title,Start\nAmbiguous,1/10/2017\n"), "--source", "other-map")
    assert Initiative.objects.get().start_date == datetime.date(2017, 10, 1)
    assert "WARNING: row 2" in output and "1/10/2017" in output


def test_a_duration_sets_the_end(tmp_path, source):
    run(write(tmp_path, "Title,Start,Duration\nLong,2016,66 months\n"), "--source", "other-map")
    initiative = Initiative.objects.get()
    assert (initiative.end_date, initiative.end_precision) == (datetime.date(2021, 6, 30), "month")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "The file is empty."),
        ("\x00\x01binary", "not a text file"),
        ('{"title": "ok"}\n{not json\n', "Line 2 is not valid JSON"),
        ("[1, 2]\n", "not a JSON object"),
    ],
)
def test_an_unreadable_file_is_refused_with_a_clear_message(tmp_path, source, content, message):
    name = "file.jsonl" if content.startswith(("{", "[")) else "file.csv"
    with pytest.raises(CommandError, match=message):
        run(write(tmp_path, content, name), "--source", "other-map")
    assert Initiative.objects.count() == 0


def test_an_unknown_source_names_the_known_ones(tmp_path, source):
    with pytest.raises(CommandError, match='Unknown source "nope". Known sources: other-map'):
        run(write(tmp_path, "Title\nX\n"), "--source", "nope")


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (",Kenya,,", "No title"),
        ("X,Kenya,2020,2019", "The end date is before the start date."),
        ("X,Kenya,31/02/2019,", "31/02/2019"),
        ("X,Kenya,2020,2021,extra", "1 more cell(s) than the header"),
        ("=HYPERLINK(1),Kenya,2020,2021", None),
    ],
)
def test_bad_rows_are_rejected_with_a_reason(tmp_path, source, row, message):
    path = write(tmp_path, "Title,Countries,Start,End\n" + row + "\n")
    if message is None:  # hostile text is stored as text, not refused
        run(path, "--source", "other-map")
        assert Initiative.objects.get().title == "=HYPERLINK(1)"
        return
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("import_initiatives", path, "--source", "other-map", stdout=out)
    assert message in out.getvalue()
    assert Initiative.objects.count() == 0
