"""CSV export of a filtered list: streamed, spreadsheet-safe, with stable columns."""

import csv
import datetime
from collections.abc import Iterator

from django.db.models import QuerySet
from django.utils.text import slugify

from initiatives.filters import filter_labels
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
JOINER = "; "
CHUNK_SIZE = 200
# A cell starting with one of these is a formula to Excel and LibreOffice.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """Text a spreadsheet shows as it is: formulas are neutralised with a leading apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def initiative_row(initiative: Initiative, base_url: str) -> list[str]:
    def names(items):
        return JOINER.join(item.name for item in items)

    return [
        initiative.slug,
        initiative.title,
        initiative.summary,
        initiative.status,
        initiative.start_date.isoformat() if initiative.start_date else "",
        initiative.end_date.isoformat() if initiative.end_date else "",
        JOINER.join(country.iso2 for country in initiative.countries.all()),
        JOINER.join(region.slug for region in initiative.regions.all()),
        JOINER.join(term.slug for term in initiative.topics.all()),
        JOINER.join(term.slug for term in initiative.audiences.all()),
        JOINER.join(term.slug for term in initiative.modalities.all()),
        names(initiative.implementers),
        names(initiative.funders),
        names(initiative.partners),
        initiative.website,
        base_url + initiative.get_absolute_url(),
        JOINER.join(
            f"{record.source.name}: {record.external_id}" if record.external_id else record.source.name
            for record in initiative.source_records.all()
        ),
        initiative.last_verified.isoformat() if initiative.last_verified else "",
        initiative.updated_at.isoformat(timespec="seconds"),
    ]


class _Echo:
    """A file-like object whose write() returns the line, for streaming csv.writer output."""

    def write(self, value: str) -> str:
        return value


def csv_lines(queryset: QuerySet, base_url: str) -> Iterator[str]:
    """The CSV text, line by line; rows are fetched in chunks so memory stays flat."""
    writer = csv.writer(_Echo())
    yield "\ufeff"  # byte order mark: Excel then reads the file as UTF-8
    yield writer.writerow(COLUMNS)
    for initiative in queryset.with_related(keywords=False).iterator(chunk_size=CHUNK_SIZE):
        yield writer.writerow([safe_cell(cell) for cell in initiative_row(initiative, base_url)])


def export_filename(active: dict, today: datetime.date | None = None) -> str:
    """ccb-initiatives-2026-11-23-region-africa-topic-cybercrime.csv"""
    parts = ["ccb-initiatives", (today or datetime.date.today()).isoformat()]
    parts += [f"{name}-{'-'.join(filter_labels(value))}" for name, value in active.items()]
    return slugify("-".join(parts))[:150].strip("-") + ".csv"
