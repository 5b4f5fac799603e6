"""Exports of a filtered list, CSV and XLSX: one column contract, streamed, spreadsheet-safe.

The columns are declared once (COLUMN_DEFINITIONS): the CSV header and cells, the XLSX sheet
and its "About" sheet, and the Table Schema at /initiatives/export.schema.json all read them.
Integrators rely on the names and the order: columns are only ever appended.
"""

import csv
import datetime
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO

import xlsxwriter
from django.db.models import Aggregate, OuterRef, QuerySet, Subquery, TextField, Value
from django.db.models.functions import Concat
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from initiatives.browsing import canonical_query
from initiatives.dates import MONTH, YEAR, as_text
from initiatives.filters import filter_labels
from initiatives.membership import CELL_SEPARATOR, EXPORT_COLUMNS, JOINER
from initiatives.models import Initiative, SourceRecord
from taxonomy.models import Country, Region

CHUNK_SIZE = 500
# A cell starting with one of these is a formula to Excel and LibreOffice.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
FORMULA_FIRST_CHARACTERS = frozenset("".join(FORMULA_PREFIXES))
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_MAX_TEXT = 32_767  # characters in one Excel cell; longer text is cut there (the CSV keeps it whole)


def safe_cell(value) -> str:
    """Text a spreadsheet shows as it is: formulas are neutralised with a leading apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text and text[0] in FORMULA_FIRST_CHARACTERS else text


# --- the columns described, as a Frictionless Table Schema (https://specs.frictionlessdata.io/table-schema/)

DATE_AT_PRECISION = r"^\d{4}(-\d{2}(-\d{2})?)?$"
SLUG_LIST = r"^[-a-z0-9_]+(; [-a-z0-9_]+)*$"
LIST_NOTE = "Several values are joined by “; ” (semicolon and space), sorted."
TEXT_NOTE = (
    "Text beginning with =, +, -, @, a tab or a carriage return has an apostrophe put before it, "
    "so that spreadsheets do not run it as a formula."
)
DATE_NOTE = "ISO 8601 at the precision it is known: a year (2021), a month (2021-03) or a day (2021-03-05)."
ENGLISH_NOTE = (
    "Always the English name, whatever the interface language: the export is a stable data contract "
    "(the portal's pages show the names translated)."
)
AMOUNT_NOTE = "A plain decimal number with a point and two decimals (7500000.00), no thousands separator."


@dataclass(frozen=True)
class Column:
    """One column of the export, in every format.

    `cell` says what the value is, and so how each format writes it: "text" (neutralised when it looks
    like a formula), "dated" (a date at its precision), "date", "datetime" or "number".
    """

    name: str
    title: str
    description: str
    type: str = "string"  # the Table Schema type
    cell: str = "text"
    width: int = 18  # in the XLSX, in characters
    format: str | None = None
    constraints: dict = field(default_factory=dict)

    def schema(self) -> dict:
        described = {"name": self.name, "type": self.type}
        if self.format:
            described["format"] = self.format
        described |= {"title": self.title, "description": self.description}
        if self.constraints:
            described["constraints"] = self.constraints
        return described


COLUMN_DEFINITIONS: tuple[Column, ...] = (
    Column(
        "slug",
        "Identifier",
        "The initiative's identifier on the portal, the last part of its address.",
        width=28,
        constraints={"required": True, "unique": True, "pattern": r"^[-a-z0-9_]+$"},
    ),
    Column("title", "Title", f"The initiative's name. {TEXT_NOTE}", width=48, constraints={"required": True}),
    Column("summary", "Summary", f"One or two sentences. {TEXT_NOTE}", width=60),
    Column(
        "status",
        "Status",
        "Whether it is planned, ongoing or completed.",
        width=11,
        constraints={"required": True, "enum": [value for value, _label in Initiative.Status.choices]},
    ),
    Column(
        "start_date",
        "Start date",
        f"When it started or starts. {DATE_NOTE}",
        cell="dated",
        width=11,
        constraints={"pattern": DATE_AT_PRECISION},
    ),
    Column(
        "end_date",
        "End date",
        f"When it ended or ends. {DATE_NOTE}",
        cell="dated",
        width=11,
        constraints={"pattern": DATE_AT_PRECISION},
    ),
    Column(
        "countries",
        "Beneficiary countries",
        f"The countries it names as beneficiaries, as ISO 3166-1 alpha-2 codes. {LIST_NOTE}",
        width=16,
        constraints={"pattern": r"^[A-Z]{2}(; [A-Z]{2})*$"},
    ),
    Column(
        "regions",
        "Beneficiary regions",
        f"The regions or groupings it names as beneficiaries, as the portal's region slugs. {LIST_NOTE}",
        width=20,
        constraints={"pattern": SLUG_LIST},
    ),
    Column(
        "topics",
        "Topics",
        f"Its themes, as slugs of the topic vocabulary. {LIST_NOTE}",
        width=24,
        constraints={"pattern": SLUG_LIST},
    ),
    Column(
        "audiences",
        "Target users",
        f"Whom it is for, as slugs of the audience vocabulary. {LIST_NOTE}",
        width=24,
        constraints={"pattern": SLUG_LIST},
    ),
    Column(
        "modalities",
        "Modalities",
        f"How it works (training, funding...), as slugs of the modality vocabulary. {LIST_NOTE}",
        width=20,
        constraints={"pattern": SLUG_LIST},
    ),
    Column(
        "implementers",
        "Implementers",
        f"Names of the organisations that carry it out. {LIST_NOTE} {TEXT_NOTE}",
        width=32,
    ),
    Column("funders", "Funders", f"Names of the organisations that fund it. {LIST_NOTE} {TEXT_NOTE}", width=32),
    Column("partners", "Partners", f"Names of its other partner organisations. {LIST_NOTE} {TEXT_NOTE}", width=32),
    Column("website", "Website", "Its own website, as an http or https address.", format="uri", width=36),
    Column(
        "detail_url",
        "Page on the portal",
        "The address of its page on the portal.",
        format="uri",
        width=36,
        constraints={"required": True},
    ),
    Column(
        "sources",
        "Sources",
        (
            "The other mappings it was found in, each as “mapping name: its identifier there” "
            f"(or the mapping name alone). {LIST_NOTE} {TEXT_NOTE}"
        ),
        width=28,
    ),
    Column(
        "last_verified",
        "Last verified",
        "When a curator last checked the entry (YYYY-MM-DD).",
        type="date",
        cell="date",
        width=12,
    ),
    Column(
        "updated_at",
        "Updated",
        (
            "When the entry last changed on the portal, ISO 8601 with its UTC offset "
            "(in the XLSX: a date and time in UTC)."
        ),
        type="datetime",
        format="%Y-%m-%dT%H:%M:%S%z",
        cell="datetime",
        width=19,
        constraints={"required": True},
    ),
    # --- appended 2026-12 (issue 14): names next to the codes, the budget, the description, source links.
    Column(
        "country_names",
        "Beneficiary country names",
        (
            "The countries of the countries column by their ISO 3166-1 short names, in the same order as "
            f"the codes there, joined by “; ” (semicolon and space). {ENGLISH_NOTE}"
        ),
        width=28,
    ),
    Column(
        "region_names",
        "Beneficiary region names",
        (
            "The regions of the regions column by their names, in the same order as the slugs there, "
            f"joined by “; ” (semicolon and space). {ENGLISH_NOTE}"
        ),
        width=28,
    ),
    Column("description", "Description", f"The full description, as curators wrote it. {TEXT_NOTE}", width=60),
    Column(
        "budget",
        "Budget",
        f"Its budget in the currency column, or the low end of a budget band. {AMOUNT_NOTE}",
        type="number",
        cell="number",
        width=16,
        constraints={"minimum": 0},
    ),
    Column(
        "budget_max",
        "Budget (high end)",
        f"The high end of a budget band; empty when the budget is a single amount. {AMOUNT_NOTE}",
        type="number",
        cell="number",
        width=16,
        constraints={"minimum": 0},
    ),
    Column(
        "currency",
        "Currency",
        "The budget's currency as an ISO 4217 code (EUR, USD...); empty when no budget is known.",
        width=9,
        constraints={"pattern": r"^[A-Z]{3}$"},
    ),
    Column(
        "source_links",
        "Source records",
        (
            "The records of the sources column with the address of each record in its mapping: "
            "“mapping name: its identifier there <address>” (without the identifier or the address when the "
            f"record has none). {LIST_NOTE} {TEXT_NOTE}"
        ),
        width=48,
    ),
)
COLUMNS = [column.name for column in COLUMN_DEFINITIONS]
# The columns of the first published export: a file that starts with them is the portal's own.
FIRST_COLUMNS = COLUMNS[: COLUMNS.index("updated_at") + 1]


def table_schema() -> dict:
    """The export's columns, in order, as a Frictionless Table Schema."""
    return {
        "fields": [column.schema() for column in COLUMN_DEFINITIONS],
        "missingValues": [""],
        "primaryKey": "slug",
    }


# --- the rows, shared by both formats: one query, streamed in chunks, typed values

SCALARS = [
    "slug",
    "title",
    "summary",
    "description",
    "status",
    "start_date",
    "start_precision",
    "end_date",
    "end_precision",
    "website",
    "budget",
    "budget_max",
    "currency",
    "last_verified",
    "updated_at",
]
# Between the records, and between a record's name, id and address, in source_links as the database joins them.
RECORD_SEPARATOR, UNIT_SEPARATOR = "\x1f", "\x1d"


class JoinedText(Aggregate):
    """A group's texts joined by a separator, in no particular order (sorted afterwards)."""

    function = "STRING_AGG"  # PostgreSQL
    output_field = TextField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="GROUP_CONCAT", **extra_context)


def source_links_subquery() -> Subquery:
    """Each initiative's records as "name<GS>id<GS>address<RS>...": a correlated subquery on the
    records' initiative index, so that the export stays one query however many rows it has."""
    record = Concat(
        "source__name", Value(UNIT_SEPARATOR), "external_id", Value(UNIT_SEPARATOR), "url", output_field=TextField()
    )
    return Subquery(
        SourceRecord.objects.filter(initiative=OuterRef("pk"))
        .order_by()
        .values("initiative")
        .annotate(joined=JoinedText(record, Value(RECORD_SEPARATOR)))
        .values("joined")
    )


def _source_links(joined: str | None) -> str:
    if not joined:
        return ""
    links = []
    for record in joined.split(RECORD_SEPARATOR):
        name, external_id, url = record.split(UNIT_SEPARATOR)
        text = f"{name}: {external_id}" if external_id else name  # as in the sources column
        links.append(f"{text} <{url}>" if url else text)
    return JOINER.join(sorted(links))


def _names(codes: str, names: dict[str, str]) -> str:
    """ "GH; NG" -> "Ghana; Nigeria": in the codes' order, so each name stands where its code does."""
    return JOINER.join(names.get(code, code) for code in codes.split(JOINER)) if codes else ""


def export_rows(queryset: QuerySet, base_url: str) -> Iterator[dict]:
    """Each initiative's cells by column name, as typed values: text, (date, precision), dates,
    datetimes and Decimals. One query for the rows, streamed in chunks, plus the names of the
    countries and regions (a few hundred rows, read once): flat memory, no query per row.

    The multi-valued cells are precomputed per initiative (Initiative.export_cells, kept by
    initiatives.membership), so the export reads one table, like a flat file.
    """
    # Country.name and Region.name are the English names; the translations are other fields.
    country_names = dict(Country.objects.values_list("iso2", "name"))
    region_names = dict(Region.objects.values_list("slug", "name"))
    # Every row's link is the same URL with its slug; reverse() once.
    detail = base_url + reverse("initiatives:detail", kwargs={"slug": "slug-placeholder"})
    empty = CELL_SEPARATOR * (len(EXPORT_COLUMNS) - 1)
    rows = (
        queryset.annotate(export_source_links=source_links_subquery())
        .values_list(*SCALARS, "export_cells", "export_source_links")
        .iterator(chunk_size=CHUNK_SIZE)
    )
    for values in rows:
        (
            slug,
            title,
            summary,
            description,
            status,
            start,
            start_precision,
            end,
            end_precision,
            website,
            budget,
            budget_max,
            currency,
            verified,
            updated,
            cells,
            links,
        ) = values
        record = dict(zip(EXPORT_COLUMNS, (cells or empty).split(CELL_SEPARATOR), strict=True))
        record |= {
            "slug": slug,
            "title": title,
            "summary": summary,
            "status": status,
            "start_date": (start, start_precision),  # "2021" stays a year
            "end_date": (end, end_precision),
            "website": website,
            "detail_url": detail.replace("slug-placeholder", slug),
            "last_verified": verified,
            "updated_at": updated,
            "country_names": _names(record["countries"], country_names),
            "region_names": _names(record["regions"], region_names),
            "description": description,
            "budget": budget,
            "budget_max": budget_max,
            "currency": currency,
            "source_links": _source_links(links),
        }
        yield record


# --- CSV


class _Echo:
    """A file-like object whose write() returns the line, for streaming csv.writer output."""

    def write(self, value: str) -> str:
        return value


def _csv_dated(value: tuple[datetime.date | None, str]) -> str:
    return as_text(*value)


def _csv_date(value: datetime.date | None) -> str:
    return value.isoformat() if value else ""


def _csv_datetime(value: datetime.datetime) -> str:
    return value.isoformat(timespec="seconds")


def _csv_number(value: Decimal | None) -> str:
    return "" if value is None else str(value)


CSV_TEXT: dict[str, Callable] = {
    "text": safe_cell,
    "dated": _csv_dated,
    "date": _csv_date,
    "datetime": _csv_datetime,
    "number": _csv_number,
}


def csv_lines(queryset: QuerySet, base_url: str) -> Iterator[str]:
    """The CSV text in chunks of lines, streamed: one query, flat memory."""
    writer = csv.writer(_Echo())
    cells = [(column.name, CSV_TEXT[column.cell]) for column in COLUMN_DEFINITIONS]
    yield "\ufeff"  # byte order mark: Excel then reads the file as UTF-8
    yield writer.writerow(COLUMNS)
    lines: list[str] = []
    for record in export_rows(queryset, base_url):
        lines.append(writer.writerow([as_text_(record[name]) for name, as_text_ in cells]))
        if len(lines) == CHUNK_SIZE:  # one write to the socket per chunk, not per line
            yield "".join(lines)
            lines.clear()
    yield "".join(lines)


def export_filename(active: dict, today: datetime.date | None = None, extension: str = "csv") -> str:
    """ccb-initiatives-2026-11-23-region-africa-topic-cybercrime.csv"""
    parts = ["ccb-initiatives", (today or datetime.date.today()).isoformat()]
    parts += [f"{name}-{'-'.join(filter_labels(value))}" for name, value in active.items()]
    return slugify("-".join(parts))[:150].strip("-") + "." + extension


# --- XLSX


@dataclass(frozen=True)
class AboutExport:
    """What the XLSX's "About" sheet says of the export."""

    query: str  # the list's parameters, canonical ("region=africa&topic=cybercrime"), or ""
    list_url: str  # the same list on the portal
    sources_url: str  # the mappings, with their publishers and licences
    exported_at: datetime.datetime


DATE_FORMATS = {YEAR: "yyyy", MONTH: "yyyy-mm"}  # a day, and every other precision: yyyy-mm-dd


class XlsxCells:
    """Writes typed cells: text as text (never a formula), dates as dates, amounts as numbers."""

    def __init__(self, workbook):
        self.bold = workbook.add_format({"bold": True})
        # Text that Excel would read as a formula if someone edited the cell: the quote prefix keeps
        # it text then too, without changing the value (the CSV can only add an apostrophe).
        self.quoted = workbook.add_format({"quote_prefix": True})
        self.day = workbook.add_format({"num_format": "yyyy-mm-dd"})
        self.by_precision = {
            precision: workbook.add_format({"num_format": shape}) for precision, shape in DATE_FORMATS.items()
        }
        self.moment = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        self.amount = workbook.add_format({"num_format": "#,##0.00"})
        self.wrapped = workbook.add_format({"text_wrap": True, "valign": "top"})

    def text(self, sheet, row: int, col: int, value) -> None:
        if value:
            text = str(value)
            sheet.write_string(row, col, text, self.quoted if text[0] in FORMULA_FIRST_CHARACTERS else None)

    def dated(self, sheet, row: int, col: int, value: tuple[datetime.date | None, str]) -> None:
        day, precision = value
        if day is not None:
            sheet.write_datetime(row, col, day, self.by_precision.get(precision, self.day))

    def date(self, sheet, row: int, col: int, value: datetime.date | None) -> None:
        if value is not None:
            sheet.write_datetime(row, col, value, self.day)

    def datetime(self, sheet, row: int, col: int, value: datetime.datetime) -> None:
        # Excel has no time zones: the time in UTC, as the column's description says.
        # To the second, as the CSV.
        moment = value.astimezone(datetime.UTC).replace(tzinfo=None, microsecond=0)
        sheet.write_datetime(row, col, moment, self.moment)

    def number(self, sheet, row: int, col: int, value: Decimal | None) -> None:
        if value is not None:
            sheet.write_number(row, col, float(value), self.amount)


def xlsx_file(queryset: QuerySet, base_url: str, about: AboutExport) -> IO[bytes]:
    """The workbook in an anonymous temporary file, at its start: rows are written one by one
    (XlsxWriter's constant_memory mode keeps only the current row in memory), so that memory
    stays flat however many rows there are. The caller streams the file and closes it."""
    output = tempfile.TemporaryFile()  # noqa: SIM115 (returned open: the response closes it)
    try:
        workbook = xlsxwriter.Workbook(
            output,
            {
                "constant_memory": True,
                # Never guess: text stays text, whatever it looks like.
                "strings_to_numbers": False,
                "strings_to_formulas": False,
                "strings_to_urls": False,
            },
        )
        workbook.set_properties({"title": "Cyber capacity building initiatives", "comments": about.list_url})
        cells = XlsxCells(workbook)
        sheet = workbook.add_worksheet("Initiatives")
        for number, column in enumerate(COLUMN_DEFINITIONS):
            sheet.set_column(number, number, column.width)
            sheet.write_string(0, number, column.name, cells.bold)
        sheet.freeze_panes(1, 0)
        writers = [(column.name, getattr(cells, column.cell)) for column in COLUMN_DEFINITIONS]
        row = 0
        for row, record in enumerate(export_rows(queryset, base_url), start=1):
            for col, (name, write) in enumerate(writers):
                write(sheet, row, col, record[name])
        sheet.autofilter(0, 0, row, len(COLUMNS) - 1)
        _write_about(workbook.add_worksheet("About"), cells, about, rows=row)
        workbook.close()
    except BaseException:
        output.close()
        raise
    output.seek(0)
    return output


def _write_about(sheet, cells: XlsxCells, about: AboutExport, *, rows: int) -> None:
    sheet.set_column(0, 0, 22)
    sheet.set_column(1, 1, 90)
    sheet.set_column(2, 3, 14)
    sheet.write_string(0, 0, "Cyber Capacity Building portal: initiatives", cells.bold)
    facts = [
        ("Query", about.query or "(none: every published initiative)"),
        ("Same list on the portal", about.list_url),
        ("Exported (UTC)", about.exported_at),
        ("Rows", rows),
        (
            "Data",
            "Published initiatives only, as curated on the portal from its own research and from other "
            "mappings (the sources and source_links columns name them). Each mapping's publisher and "
            f"licence are listed at {about.sources_url}. Please cite the portal, and the mappings you use.",
        ),
        (
            "Columns",
            "The same columns, in the same order, as the CSV export; they are only ever appended to. Dates are "
            "dates (a year or a month shown as such), budgets are numbers, text is never a formula. "
            "Text longer than 32,767 characters (Excel's limit for a cell) is cut; the CSV keeps it whole.",
        ),
    ]
    for number, (label, value) in enumerate(facts, start=2):
        sheet.write_string(number, 0, label, cells.bold)
        if isinstance(value, datetime.datetime):
            cells.datetime(sheet, number, 1, value)
        elif isinstance(value, int):
            sheet.write_number(number, 1, value)
        else:
            sheet.write_string(number, 1, value, cells.wrapped)
    top = len(facts) + 3
    for col, label in enumerate(["Column", "Description", "Type", "Title"]):
        sheet.write_string(top, col, label, cells.bold)
    for number, column in enumerate(COLUMN_DEFINITIONS, start=top + 1):
        sheet.write_string(number, 0, column.name)
        sheet.write_string(number, 1, column.description, cells.wrapped)
        sheet.write_string(number, 2, column.type)
        sheet.write_string(number, 3, column.title)


def about_export(*, data, base_url: str) -> AboutExport:
    """The About sheet's facts for a listing query (a QueryDict), as links carry it."""
    query = canonical_query(data, drop=("page", "view")).urlencode()  # the list's layout is not the set's
    list_url = base_url + reverse("initiatives:list") + (f"?{query}" if query else "")
    return AboutExport(
        query=query,
        list_url=list_url,
        sources_url=base_url + reverse("initiatives:sources"),
        exported_at=timezone.now(),
    )
