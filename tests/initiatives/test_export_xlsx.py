"""XLSX export /initiatives/export.xlsx: the CSV's rows and columns, typed, safe, in flat memory."""

import csv
import datetime
import gc
import io
import re
import tracemalloc
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from initiatives.exports import COLUMNS, table_schema
from initiatives.models import Participation
from tests.factories import (
    InitiativeFactory,
    OrganisationFactory,
    ParticipationFactory,
    SourceFactory,
    SourceRecordFactory,
)
from tests.helpers import bulk_initiatives, region

pytestmark = pytest.mark.django_db

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORTED_COLUMNS = {field["name"]: field for field in table_schema()["fields"]}


def xlsx_bytes(client, query: str = "") -> bytes:
    response = client.get("/initiatives/export.xlsx" + (f"?{query}" if query else ""))
    assert response.status_code == 200, response
    assert response["Content-Type"] == XLSX_TYPE
    return b"".join(response.streaming_content)


def workbook(client, query: str = "") -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(xlsx_bytes(client, query)))


def sheet_rows(book) -> list[dict]:
    rows = list(book["Initiatives"].iter_rows(values_only=True))
    assert list(rows[0]) == COLUMNS
    return [dict(zip(COLUMNS, row, strict=True)) for row in rows[1:]]


def csv_rows(client, query: str = "") -> list[dict[str, str]]:
    response = client.get("/initiatives/export.csv" + (f"?{query}" if query else ""))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def as_csv_text(name: str, value, number_format: str) -> str:
    """A typed XLSX cell as the CSV writes the same value."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        if name == "updated_at":  # UTC in the workbook, with its offset in the CSV
            return value.replace(tzinfo=datetime.UTC).isoformat(timespec="seconds")
        shape = {"yyyy": "%Y", "yyyy-mm": "%Y-%m"}.get(number_format, "%Y-%m-%d")
        return value.strftime(shape)
    if isinstance(value, int | float):  # openpyxl reads 9000000.0 back as an int
        return f"{Decimal(str(value)):.2f}"
    return "'" + value if value[:1] in {"=", "+", "-", "@", "\t", "\r"} else value


@pytest.fixture
def varied():
    """Initiatives with every kind of cell: places, roles, records, dates at each precision, budgets, risky text."""
    implementer = OrganisationFactory(slug="implementer", name="Implementer")
    funder = OrganisationFactory(slug="funder", name="=Funder")
    mapping = SourceFactory(name="Cybil portal")
    for n in range(12):
        initiative = InitiativeFactory(
            slug=f"x-{n:02d}",
            title=f"Programme {n}" if n % 5 else f"-{n} programme",
            description=f"Details of {n}." if n % 2 else "",
            status=["ongoing", "completed", "planned"][n % 3],
            start_date=None if n % 4 == 0 else datetime.date(2015 + n, 1 + n % 12, 1),
            start_precision=["day", "month", "year"][n % 3],
            end_date=datetime.date(2030, 12, 31) if n % 2 else None,
            end_precision="year",
            website=f"https://example.org/{n}" if n % 3 else "",
            budget=Decimal(f"{n * 125000}.50") if n % 2 else None,
            budget_max=Decimal("9000000") if n == 3 else None,
            currency="EUR" if n % 2 else "",
            last_verified=datetime.date(2025, 1, 1 + n) if n % 2 else None,
            countries=[["NG", "GH"], ["FR"], []][n % 3],
            regions=[region("western-africa")] if n % 4 == 1 else [],
            topics=["cybercrime" if n % 2 else "standards"],
        )
        ParticipationFactory(initiative=initiative, organisation=implementer)
        if n % 3 == 0:
            ParticipationFactory(initiative=initiative, organisation=funder, role=Participation.Role.FUNDER)
        if n % 2:
            SourceRecordFactory(initiative=initiative, source=mapping, url=f"https://cybil.example/{n}")
    InitiativeFactory(slug="hidden-draft", title="Programme draft", countries=["NG"], publication_state="draft")


@pytest.mark.parametrize(
    "query",
    ["", "country=NG", "topic=cybercrime&sort=-start", "status=ongoing&status=planned&sort=-updated", "q=programme"],
)
def test_xlsx_has_the_same_rows_and_cells_as_the_csv(client, varied, query):
    book = workbook(client, query)
    formats = {(cell.row, cell.column): cell.number_format for row in book["Initiatives"].iter_rows() for cell in row}
    listed = csv_rows(client, query)
    assert listed, "the filter should match something"
    rows = sheet_rows(book)
    assert [row["slug"] for row in rows] == [row["slug"] for row in listed]
    for number, (row, expected) in enumerate(zip(rows, listed, strict=True), start=2):
        as_text = {
            name: as_csv_text(name, value, formats[(number, column)])
            for column, (name, value) in enumerate(row.items(), start=1)
        }
        assert as_text == expected


def test_unpublished_initiatives_are_never_exported(client, varied):
    slugs = [row["slug"] for row in sheet_rows(workbook(client, "country=NG"))]
    assert slugs and "hidden-draft" not in slugs
    sheet_xml = zipfile.ZipFile(io.BytesIO(xlsx_bytes(client))).read("xl/worksheets/sheet1.xml")
    assert b"hidden-draft" not in sheet_xml and b"Programme draft" not in sheet_xml


def test_header_row_is_bold_frozen_and_filterable_with_sensible_widths(client, varied):
    sheet = workbook(client)["Initiatives"]
    assert all(cell.font.bold for cell in sheet[1])
    assert not sheet["A2"].font.bold
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{openpyxl.utils.get_column_letter(len(COLUMNS))}13"
    widths = {
        name: sheet.column_dimensions[openpyxl.utils.get_column_letter(n)].width for n, name in enumerate(COLUMNS, 1)
    }
    assert widths["title"] > widths["slug"] > widths["status"] >= 9
    assert widths["description"] >= 40


def test_dates_are_dates_shown_at_their_precision(client):
    InitiativeFactory(
        slug="dated",
        start_date=datetime.date(2021, 1, 1),
        start_precision="year",
        end_date=datetime.date(2023, 3, 31),
        end_precision="month",
        last_verified=datetime.date(2025, 2, 3),
    )
    InitiativeFactory(slug="daily", start_date=datetime.date(2019, 6, 5), start_precision="day", end_date=None)
    sheet = workbook(client)["Initiatives"]
    cells = {
        sheet.cell(row, 1).value: {name: sheet.cell(row, n) for n, name in enumerate(COLUMNS, 1)} for row in (2, 3)
    }
    start, end = cells["dated"]["start_date"], cells["dated"]["end_date"]
    assert (start.value, start.number_format) == (datetime.datetime(2021, 1, 1), "yyyy")
    assert (end.value, end.number_format) == (datetime.datetime(2023, 3, 31), "yyyy-mm")
    assert start.is_date and end.is_date
    daily = cells["daily"]["start_date"]
    assert (daily.value, daily.number_format) == (datetime.datetime(2019, 6, 5), "yyyy-mm-dd")
    assert cells["daily"]["end_date"].value is None
    verified = cells["dated"]["last_verified"]
    assert verified.is_date and verified.value == datetime.datetime(2025, 2, 3)
    updated = cells["dated"]["updated_at"]
    assert updated.is_date and isinstance(updated.value, datetime.datetime)


def test_budgets_are_numbers_and_currencies_text(client):
    InitiativeFactory(slug="band", budget=Decimal("100000.50"), budget_max=Decimal("500000"), currency="CHF")
    InitiativeFactory(slug="none")
    rows = {row["slug"]: row for row in sheet_rows(workbook(client))}
    assert rows["band"]["budget"] == 100000.5 and isinstance(rows["band"]["budget"], float)
    assert rows["band"]["budget_max"] == 500000.0
    assert rows["band"]["currency"] == "CHF"
    assert (rows["none"]["budget"], rows["none"]["budget_max"], rows["none"]["currency"]) == (None, None, None)
    budget = workbook(client)["Initiatives"].cell(2, COLUMNS.index("budget") + 1)
    assert budget.data_type == "n" and budget.number_format == "#,##0.00"


def test_web_addresses_are_plain_text_not_links(client):
    initiative = InitiativeFactory(slug="linked", website="https://example.org/a?b=1")
    SourceRecordFactory(initiative=initiative, source__name="Map", external_id="r-1", url="https://map.example/r/1")
    sheet = workbook(client)["Initiatives"]
    row = {name: sheet.cell(2, n) for n, name in enumerate(COLUMNS, 1)}
    assert (row["website"].value, row["website"].data_type) == ("https://example.org/a?b=1", "s")
    assert row["detail_url"].value == "http://testserver/initiatives/linked/"
    assert row["source_links"].value == "Map: r-1 <https://map.example/r/1>"
    assert not sheet._hyperlinks and all(cell.hyperlink is None for cell in row.values())


@pytest.mark.parametrize(
    "text",
    ['=HYPERLINK("http://evil","click")', "+1+1", "-2+3", "@SUM(A1:A2)", "\tTabbed", "=cmd|' /C calc'!A0"],
)
def test_text_that_looks_like_a_formula_stays_text_as_it_was(client, text):
    initiative = InitiativeFactory(slug="risky", title=text, summary=text, description=text)
    ParticipationFactory(initiative=initiative, organisation=OrganisationFactory(name=text))
    SourceRecordFactory(initiative=initiative, source__name=text, external_id="")
    data = xlsx_bytes(client)
    sheet_xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml  # no formula anywhere
    sheet = openpyxl.load_workbook(io.BytesIO(data))["Initiatives"]
    row = {name: sheet.cell(2, n) for n, name in enumerate(COLUMNS, 1)}
    for name in ["title", "summary", "description", "implementers", "source_links"]:
        # The value itself, as text; Excel's quote prefix keeps it text when someone edits the cell.
        assert (row[name].value, row[name].data_type, row[name].quotePrefix) == (text, "s", True), name
    assert not row["slug"].quotePrefix


@pytest.mark.parametrize("text", ["Plain text", "A = B", "1+1", "'quoted already", "0042"])
def test_ordinary_text_is_unchanged_and_not_read_as_a_number(client, text):
    InitiativeFactory(slug="plain", title=text)
    sheet = workbook(client)["Initiatives"]
    assert (sheet["B2"].value, sheet["B2"].data_type, sheet["B2"].quotePrefix) == (text, "s", False)


def test_a_bad_filter_answers_400_with_the_csv_message(client):
    query = "year=abc&region=atlantis"
    xlsx, csv_answer = client.get(f"/initiatives/export.xlsx?{query}"), client.get(f"/initiatives/export.csv?{query}")
    assert xlsx.status_code == csv_answer.status_code == 400
    assert xlsx["Content-Type"] == "text/plain; charset=utf-8"
    assert xlsx.content == csv_answer.content
    assert b"year" in xlsx.content and b"region" in xlsx.content


def test_nothing_matching_still_gives_a_workbook_with_the_header(client):
    InitiativeFactory(countries=["NG"])
    book = workbook(client, "country=DE")
    assert list(book["Initiatives"].iter_rows(values_only=True)) == [tuple(COLUMNS)]
    assert book.sheetnames == ["Initiatives", "About"]


def test_about_sheet_gives_the_query_the_date_and_every_column(client):
    InitiativeFactory(countries=["NG"], topics=["cybercrime"])
    before = datetime.datetime.now(datetime.UTC).replace(tzinfo=None, microsecond=0)
    about = workbook(client, "topic=cybercrime&q=&region=africa&page=2")["About"]
    facts = {row[0]: row[1] for row in about.iter_rows(min_row=3, max_row=8, values_only=True)}
    assert facts["Query"] == "topic=cybercrime&region=africa"  # as links carry it: no empty parameter, no page
    assert facts["Same list on the portal"] == "http://testserver/initiatives/?topic=cybercrime&region=africa"
    assert before <= facts["Exported (UTC)"] <= datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
    assert facts["Rows"] == 1
    assert "http://testserver/sources/" in facts["Data"] and "licence" in facts["Data"]
    described = {row[0]: row[1] for row in about.iter_rows(min_row=11, values_only=True)}
    assert list(described) == COLUMNS
    assert all(described[name] == EXPORTED_COLUMNS[name]["description"] for name in COLUMNS)


def test_about_sheet_of_the_whole_list_says_so(client):
    facts = {row[0]: row[1] for row in workbook(client)["About"].iter_rows(min_row=3, max_row=4, values_only=True)}
    assert facts["Query"] == "(none: every published initiative)"
    assert facts["Same list on the portal"] == "http://testserver/initiatives/"


def test_filename_is_the_csvs_with_xlsx(client):
    InitiativeFactory(countries=["NG"], topics=["cybercrime"])
    xlsx = client.get("/initiatives/export.xlsx?region=africa&topic=cybercrime")["Content-Disposition"]
    csv_name = client.get("/initiatives/export.csv?region=africa&topic=cybercrime")["Content-Disposition"]
    assert re.fullmatch(r'attachment; filename="ccb-initiatives-[-0-9]+-region-africa-topic-cybercrime\.xlsx"', xlsx)
    assert xlsx.removesuffix('.xlsx"') == csv_name.removesuffix('.csv"')


def test_it_is_served_from_a_file_with_its_length(client):
    InitiativeFactory()
    response = client.get("/initiatives/export.xlsx")
    body = b"".join(response.streaming_content)
    assert response.streaming and int(response["Content-Length"]) == len(body)
    assert zipfile.ZipFile(io.BytesIO(body)).testzip() is None


def test_the_list_links_the_xlsx_with_the_same_filters(client):
    InitiativeFactory(slug="ng", countries=["NG"], topics=["cybercrime"])
    InitiativeFactory(slug="fr", countries=["FR"], topics=["cybercrime"])
    body = client.get("/initiatives/?region=africa&topic=cybercrime&page=1").content.decode()
    link = re.search(r'<a href="([^"]+)"[^>]*>Excel \(XLSX\)</a>', body).group(1).replace("&amp;", "&")
    assert link.startswith("/initiatives/export.xlsx?") and "page=" not in link
    assert [row["slug"] for row in sheet_rows(workbook(client, link.partition("?")[2]))] == ["ng"]


# --- queries and memory


def export_queries(client) -> tuple[int, int]:
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        book = workbook(client)
    return len(queries), book["Initiatives"].max_row - 1


def test_query_count_does_not_grow_with_the_number_of_rows(client):
    bulk_initiatives(10, "few")
    export_queries(client)  # warm up caches (content types and the like)
    few, few_rows = export_queries(client)
    bulk_initiatives(1_000, "many")
    many, many_rows = export_queries(client)
    assert (few_rows, many_rows) == (10, 1_010)  # the second export really had more rows, over several chunks
    assert many == few


def export_peak(client) -> tuple[int, int]:
    """(tracemalloc peak in bytes, size of the file) while building and sending the whole workbook."""
    gc.collect()
    tracemalloc.start()
    try:
        response = client.get("/initiatives/export.xlsx")
        size = sum(len(chunk) for chunk in response.streaming_content)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak, size


def test_memory_stays_flat_as_rows_grow(client):
    """Ten times the rows must not take anywhere near ten times the memory: rows go to a file one by one."""
    bulk_initiatives(200, "small")
    xlsx_bytes(client, "country=FR")  # warm up: imports, URL resolvers, the library's first workbook
    small_peak, small_size = export_peak(client)
    bulk_initiatives(1_800, "large")
    large_peak, large_size = export_peak(client)
    assert large_size > 5 * small_size  # the second workbook really holds far more
    assert large_peak < 2 * small_peak, f"200 rows: {small_peak / 1e6:.1f} MB, 2,000: {large_peak / 1e6:.1f} MB"


# --- the page cache


@pytest.mark.page_cache
def test_the_page_cache_keeps_a_whole_workbook_and_serves_the_same_bytes():
    InitiativeFactory(countries=["NG"])
    visitor = Client()
    first = visitor.get("/initiatives/export.xlsx?country=NG")
    body = b"".join(first.streaming_content)
    assert first["X-Cache"] == "miss"
    again = visitor.get("/initiatives/export.xlsx?country=NG")
    assert again["X-Cache"] == "hit"
    assert again.content == body
    assert again["Content-Type"] == XLSX_TYPE
    assert again["Content-Disposition"] == first["Content-Disposition"]


@pytest.mark.page_cache
def test_the_page_cache_does_not_keep_a_workbook_larger_than_its_bound(settings):
    InitiativeFactory()
    settings.PAGE_CACHE_MAX_BYTES = 1_000  # a workbook is a zip of several parts: always more
    visitor = Client()
    assert len(b"".join(visitor.get("/initiatives/export.xlsx").streaming_content)) > 1_000
    assert visitor.get("/initiatives/export.xlsx")["X-Cache"] == "miss"
