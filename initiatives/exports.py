"""CSV export of a filtered list: streamed, spreadsheet-safe, with stable columns."""

import csv
import datetime
from collections.abc import Iterator

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.text import slugify

from initiatives.dates import as_text
from initiatives.filters import filter_labels
from initiatives.membership import CELL_SEPARATOR, EXPORT_COLUMNS
from initiatives.models import Initiative

COLUMNS = [
    "slug",
    "title",
    "summary",
    "status",
    "start_date",
    "end_date",
    "countries",
    "regions",
    "topics",
    "audiences",
    "modalities",
    "implementers",
    "funders",
    "partners",
    "website",
    "detail_url",
    "sources",
    "last_verified",
    "updated_at",
]
CHUNK_SIZE = 500
# A cell starting with one of these is a formula to Excel and LibreOffice.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


FORMULA_FIRST_CHARACTERS = frozenset("".join(FORMULA_PREFIXES))


def safe_cell(value) -> str:
    """Text a spreadsheet shows as it is: formulas are neutralised with a leading apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text and text[0] in FORMULA_FIRST_CHARACTERS else text


SCALARS = [
    "slug",
    "title",
    "summary",
    "status",
    "start_date",
    "start_precision",
    "end_date",
    "end_precision",
    "website",
    "last_verified",
    "updated_at",
]


class _Echo:
    """A file-like object whose write() returns the line, for streaming csv.writer output."""

    def write(self, value: str) -> str:
        return value


def _date(value) -> str:
    return value.isoformat() if value else ""


def csv_lines(queryset: QuerySet, base_url: str) -> Iterator[str]:
    """The CSV text in chunks of lines, from one query streamed in chunks: one query, flat memory.

    The multi-valued cells are precomputed per initiative (Initiative.export_cells, kept by
    initiatives.membership), so the export reads one table, like a flat file.
    """
    writer = csv.writer(_Echo())
    yield "\ufeff"  # byte order mark: Excel then reads the file as UTF-8
    yield writer.writerow(COLUMNS)
    # Every row's link is the same URL with its slug; reverse() once.
    detail = base_url + reverse("initiatives:detail", kwargs={"slug": "slug-placeholder"})
    empty = CELL_SEPARATOR * (len(EXPORT_COLUMNS) - 1)
    lines: list[str] = []
    for values in queryset.values_list(*SCALARS, "export_cells").iterator(chunk_size=CHUNK_SIZE):
        slug, title, summary, status, start, start_precision, end, end_precision, website, verified, updated, cells = (
            values
        )
        record = dict(zip(EXPORT_COLUMNS, (cells or empty).split(CELL_SEPARATOR), strict=True))
        record |= {
            "slug": slug,
            "title": title,
            "summary": summary,
            "status": status,
            "start_date": as_text(start, start_precision),  # "2021" stays a year
            "end_date": as_text(end, end_precision),
            "website": website,
            "detail_url": detail.replace("slug-placeholder", slug),
            "last_verified": _date(verified),
            "updated_at": updated.isoformat(timespec="seconds"),
        }
        lines.append(writer.writerow([safe_cell(record[name]) for name in COLUMNS]))
        if len(lines) == CHUNK_SIZE:  # one write to the socket per chunk, not per line
            yield "".join(lines)
            lines.clear()
    yield "".join(lines)


def export_filename(active: dict, today: datetime.date | None = None) -> str:
    """ccb-initiatives-2026-11-23-region-africa-topic-cybercrime.csv"""
    parts = ["ccb-initiatives", (today or datetime.date.today()).isoformat()]
    parts += [f"{name}-{'-'.join(filter_labels(value))}" for name, value in active.items()]
    return slugify("-".join(parts))[:150].strip("-") + ".csv"


# --- the columns described, as a Frictionless Table Schema (https://specs.frictionlessdata.io/table-schema/)

DATE_AT_PRECISION = r"^\d{4}(-\d{2}(-\d{2})?)?$"
SLUG_LIST = r"^[-a-z0-9_]+(; [-a-z0-9_]+)*$"
LIST_NOTE = "Several values are joined by “; ” (semicolon and space), sorted."
TEXT_NOTE = (
    "Text beginning with =, +, -, @, a tab or a carriage return has an apostrophe put before it, "
    "so that spreadsheets do not run it as a formula."
)
DATE_NOTE = "ISO 8601 at the precision it is known: a year (2021), a month (2021-03) or a day (2021-03-05)."

SCHEMA_FIELDS: dict[str, dict] = {
    "slug": {
        "type": "string",
        "title": "Identifier",
        "description": "The initiative's identifier on the portal, the last part of its address.",
        "constraints": {"required": True, "unique": True, "pattern": r"^[-a-z0-9_]+$"},
    },
    "title": {
        "type": "string",
        "title": "Title",
        "description": f"The initiative's name. {TEXT_NOTE}",
        "constraints": {"required": True},
    },
    "summary": {"type": "string", "title": "Summary", "description": f"One or two sentences. {TEXT_NOTE}"},
    "status": {
        "type": "string",
        "title": "Status",
        "description": "Whether it is planned, ongoing or completed.",
        "constraints": {"required": True, "enum": [value for value, _label in Initiative.Status.choices]},
    },
    "start_date": {
        "type": "string",
        "title": "Start date",
        "description": f"When it started or starts. {DATE_NOTE}",
        "constraints": {"pattern": DATE_AT_PRECISION},
    },
    "end_date": {
        "type": "string",
        "title": "End date",
        "description": f"When it ended or ends. {DATE_NOTE}",
        "constraints": {"pattern": DATE_AT_PRECISION},
    },
    "countries": {
        "type": "string",
        "title": "Beneficiary countries",
        "description": f"The countries it names as beneficiaries, as ISO 3166-1 alpha-2 codes. {LIST_NOTE}",
        "constraints": {"pattern": r"^[A-Z]{2}(; [A-Z]{2})*$"},
    },
    "regions": {
        "type": "string",
        "title": "Beneficiary regions",
        "description": f"The regions or groupings it names as beneficiaries, as the portal's region slugs. {LIST_NOTE}",
        "constraints": {"pattern": SLUG_LIST},
    },
    "topics": {
        "type": "string",
        "title": "Topics",
        "description": f"Its themes, as slugs of the topic vocabulary. {LIST_NOTE}",
        "constraints": {"pattern": SLUG_LIST},
    },
    "audiences": {
        "type": "string",
        "title": "Target users",
        "description": f"Whom it is for, as slugs of the audience vocabulary. {LIST_NOTE}",
        "constraints": {"pattern": SLUG_LIST},
    },
    "modalities": {
        "type": "string",
        "title": "Modalities",
        "description": f"How it works (training, funding...), as slugs of the modality vocabulary. {LIST_NOTE}",
        "constraints": {"pattern": SLUG_LIST},
    },
    "implementers": {
        "type": "string",
        "title": "Implementers",
        "description": f"Names of the organisations that carry it out. {LIST_NOTE} {TEXT_NOTE}",
    },
    "funders": {
        "type": "string",
        "title": "Funders",
        "description": f"Names of the organisations that fund it. {LIST_NOTE} {TEXT_NOTE}",
    },
    "partners": {
        "type": "string",
        "title": "Partners",
        "description": f"Names of its other partner organisations. {LIST_NOTE} {TEXT_NOTE}",
    },
    "website": {"type": "string", "format": "uri", "title": "Website", "description": "Its own website."},
    "detail_url": {
        "type": "string",
        "format": "uri",
        "title": "Page on the portal",
        "description": "The address of its page on the portal.",
        "constraints": {"required": True},
    },
    "sources": {
        "type": "string",
        "title": "Sources",
        "description": (
            "The other mappings it was found in, each as “mapping name: its identifier there” "
            f"(or the mapping name alone). {LIST_NOTE} {TEXT_NOTE}"
        ),
    },
    "last_verified": {
        "type": "date",
        "title": "Last verified",
        "description": "When a curator last checked the entry (YYYY-MM-DD).",
    },
    "updated_at": {
        "type": "datetime",
        "format": "%Y-%m-%dT%H:%M:%S%z",
        "title": "Updated",
        "description": "When the entry last changed on the portal, ISO 8601 with its UTC offset.",
        "constraints": {"required": True},
    },
}


def table_schema() -> dict:
    """The CSV export's columns, in order, as a Frictionless Table Schema."""
    return {
        "fields": [{"name": name, **SCHEMA_FIELDS[name]} for name in COLUMNS],
        "missingValues": [""],
        "primaryKey": "slug",
    }
