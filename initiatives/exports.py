"""CSV export of a filtered list: streamed, spreadsheet-safe, with stable columns."""

import csv
import datetime
from collections.abc import Iterator

from django.db.models import Aggregate, Case, F, OuterRef, QuerySet, Subquery, TextField, Value, When
from django.db.models.functions import Concat
from django.urls import reverse
from django.utils.text import slugify

from initiatives.dimensions import DIMENSIONS
from initiatives.filters import filter_labels
from initiatives.models import Initiative, Participation, SourceRecord

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
CHUNK_SIZE = 500
# A cell starting with one of these is a formula to Excel and LibreOffice.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
UNIT_SEPARATOR = "\x1f"  # between the values of one multi-valued cell, as aggregated by the database


def safe_cell(value) -> str:
    """Text a spreadsheet shows as it is: formulas are neutralised with a leading apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


class Joined(Aggregate):
    """A group's values in one text, separated by the unit separator (sorted in Python afterwards)."""

    function = "GROUP_CONCAT"
    template = "%(function)s(%(expressions)s, CHAR(31))"
    output_field = TextField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(
            compiler, connection, function="STRING_AGG", template="%(function)s(%(expressions)s, CHR(31))"
        )


def _joined(model, value, **conditions) -> Subquery:
    """One initiative's values of a related table, aggregated in a correlated subquery."""
    rows = model.objects.filter(initiative=OuterRef("pk"), **conditions).order_by().values("initiative")
    return Subquery(rows.annotate(joined=Joined(value)).values("joined"))


def _multi_valued_columns() -> dict[str, Subquery]:
    """Each multi-valued column: from the dimensions (places, terms, organisations), plus partners and sources."""
    columns = {}
    for dimension in DIMENSIONS:
        if dimension.kind in {"region", "country", "term"} and dimension.csv_column:
            field = getattr(Initiative, dimension.relation).field
            target = "country_id" if dimension.kind == "country" else f"{field.m2m_reverse_field_name()}__slug"
            columns[dimension.csv_column] = _joined(field.remote_field.through, target)
        elif dimension.kind == "organisation":
            columns[dimension.csv_column] = _joined(Participation, "organisation__name", role=dimension.role)
    columns["partners"] = _joined(Participation, "organisation__name", role=Participation.Role.PARTNER)
    columns["sources"] = _joined(
        SourceRecord,
        Case(
            When(external_id="", then=F("source__name")),
            default=Concat(F("source__name"), Value(": "), F("external_id")),
            output_field=TextField(),
        ),
    )
    return columns


SCALARS = ["slug", "title", "summary", "status", "start_date", "end_date", "website", "last_verified", "updated_at"]


def _cell(column: str, value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if column in MULTI_VALUED:
        return JOINER.join(sorted(value.split(UNIT_SEPARATOR)))
    return value


MULTI_VALUED = {
    "countries",
    "regions",
    "topics",
    "audiences",
    "modalities",
    "implementers",
    "funders",
    "partners",
    "sources",
}


class _Echo:
    """A file-like object whose write() returns the line, for streaming csv.writer output."""

    def write(self, value: str) -> str:
        return value


def csv_lines(queryset: QuerySet, base_url: str) -> Iterator[str]:
    """The CSV text, line by line, from one query streamed in chunks: constant queries, flat memory.

    Each multi-valued column is a correlated subquery aggregating that initiative's values,
    so no related rows are loaded or matched up in Python.
    """
    writer = csv.writer(_Echo())
    yield "\ufeff"  # byte order mark: Excel then reads the file as UTF-8
    yield writer.writerow(COLUMNS)
    multi = _multi_valued_columns()
    rows = queryset.annotate(**{f"csv_{name}": expression for name, expression in multi.items()})
    fields = [*SCALARS, *(f"csv_{name}" for name in multi)]
    # Every row's link is the same URL with its slug; reverse() once.
    detail = base_url + reverse("initiatives:detail", kwargs={"slug": "slug-placeholder"})
    for values in rows.values_list(*fields).iterator(chunk_size=CHUNK_SIZE):
        record = dict(zip([*SCALARS, *multi], values, strict=True))
        record["detail_url"] = detail.replace("slug-placeholder", record["slug"])
        yield writer.writerow([safe_cell(_cell(column, record.get(column))) for column in COLUMNS])


def export_filename(active: dict, today: datetime.date | None = None) -> str:
    """ccb-initiatives-2026-11-23-region-africa-topic-cybercrime.csv"""
    parts = ["ccb-initiatives", (today or datetime.date.today()).isoformat()]
    parts += [f"{name}-{'-'.join(filter_labels(value))}" for name, value in active.items()]
    return slugify("-".join(parts))[:150].strip("-") + ".csv"
