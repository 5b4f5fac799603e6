"""CSV export of a filtered list: streamed, spreadsheet-safe, with stable columns."""

import csv
import datetime
from collections.abc import Iterator

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.text import slugify

from initiatives.filters import filter_labels
from initiatives.membership import CELL_SEPARATOR, EXPORT_COLUMNS

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


SCALARS = ["slug", "title", "summary", "status", "start_date", "end_date", "website", "last_verified", "updated_at"]


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
        slug, title, summary, status, start, end, website, verified, updated, cells = values
        record = dict(zip(EXPORT_COLUMNS, (cells or empty).split(CELL_SEPARATOR), strict=True))
        record |= {
            "slug": slug,
            "title": title,
            "summary": summary,
            "status": status,
            "start_date": _date(start),
            "end_date": _date(end),
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
