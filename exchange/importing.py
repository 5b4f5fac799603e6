"""Importing other mappings' files: read in their words, reconcile onto ours, report, then write all or nothing.

One service for the command (`manage.py import_initiatives`) and the admin upload:
``plan_import()`` reads and reconciles without writing (the dry run, the admin preview);
``apply_import()`` writes a plan in one transaction. Every value that cannot be placed
is reported with its row, column and the closest known names; a row with such a value
is invalid, and by default one invalid row stops the whole import.
"""

import datetime
import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.text import slugify
from taggit.models import Tag, TaggedItem

from exchange.models import ImportBatch, ImportedRow
from exchange.tables import EXTRA_CELLS, MULTI_VALUED, Table, map_columns, read_table
from exchange.values import UnreadableValue, end_from_duration, parse_budget, parse_date, parse_period
from initiatives.membership import THROUGH, batched, deferred_refresh, insert_rows, schedule_refresh
from initiatives.models import (
    DatePrecision,
    Initiative,
    Organisation,
    OrganisationAlias,
    Participation,
    Source,
    SourceRecord,
)
from initiatives.similarity import FLAG_THRESHOLD, Lookup
from taxonomy.models import Country
from taxonomy.reconcile import Reconciler, Unplaced, normalise
from taxonomy.versioning import record_history

State = Initiative.PublicationState
Role = Participation.Role
STATUS_WORDS = {
    Initiative.Status.PLANNED: ["planned", "pipeline", "upcoming", "proposed", "forthcoming", "not started",
                                "prevu", "planificado", "en preparation"],
    Initiative.Status.ONGOING: ["ongoing", "active", "current", "in progress", "running", "implementation",
                                "under implementation", "open", "en cours", "en curso", "activo", "actif"],
    Initiative.Status.COMPLETED: ["completed", "complete", "closed", "finished", "ended", "past", "done",
                                  "termine", "acheve", "finalizado", "completado", "cerrado"],
}  # fmt: skip
STATUS = {normalise(word): status for status, words in STATUS_WORDS.items() for word in words}
ROLE_OF_COLUMN = {"implementers": Role.IMPLEMENTER, "funders": Role.FUNDER, "partners": Role.PARTNER}
VOCABULARY_OF_COLUMN = {"topics": "topic", "audiences": "audience", "modalities": "modality"}
UNPLACED_WHAT = {
    "countries": "country or region",
    "regions": "region or country",
    "topics": "topic",
    "audiences": "target user",
    "modalities": "modality",
}
# Themes every initiative here has: placing them under one of our terms would misfile them.
BROAD_WORDS = ["Cybersecurity", "Cyber security", "Cyber", "ICT", "Capacity building", "Cyber capacity building",
               "Digital", "Other", "General", "Various"]  # fmt: skip
TOO_BROAD = {normalise(word) for word in BROAD_WORDS}
LENGTHS = {"title": 300, "summary": 500, "external_id": 200, "url": 500, "website": 500, "slug": 120}
# Cells (or values in a cell) that say "nothing": never a place ("n/a" is not Namibia's NA) or an organisation.
NOTHING = {"n/a", "n.a.", "n.a", "na.", "-", "--", "–", "—", "?", "none", "nil", "null", "unknown", "tbd", "tbc",
           "not applicable", "not available", "not known", "s/o", "sans objet", "no aplica"}  # fmt: skip
# "Expertise France (EF)", "Caribbean ... (CARICOM IMPACS)"; not "Google (Google.org)" or "X (formerly Y)".
ORGANISATION_ACRONYM_RE = re.compile(
    r"^(?P<name>.+?)\s*\((?P<acronym>(?=(?:[^()]*[A-Z]){2})[A-Z0-9][\w&./-]*(?: [A-Z0-9][A-Z0-9&./-]*)*)\)$"
)
SOURCE_CELL_RE = re.compile(r"^(?P<name>.+?)(?::\s+(?P<external_id>[^:]+))?$")
SOURCE_LINK_RE = re.compile(r"^(?P<record>.+?) <(?P<url>[^<>\s]+)>$")  # "Name: id <https://...>"
FORMULA_ESCAPE_RE = re.compile(r"^'(?=[=+\-@\t\r])")  # what exports.safe_cell added
validate_url = URLValidator(schemes=["http", "https"])


def is_nothing(text: str) -> bool:
    return text.strip().casefold() in NOTHING


BATCH = 1000  # ids per IN (...): SQLite takes at most 32,766 parameters in a statement


class ImportRejected(Exception):
    """All-or-nothing: at least one row is invalid, so nothing was written. Carries the report."""

    def __init__(self, report: "Report") -> None:
        super().__init__(f"{report.rejected} row(s) cannot be imported; nothing was written.")
        self.report = report


@dataclass
class Problem:
    row: int
    column: str
    value: str
    message: str
    suggestions: list[str] = field(default_factory=list)
    severity: str = "error"  # "error": the row cannot be imported; "warning": imported, but look at it
    # For an unplaced word: the column kind it was in (countries, regions, topics...), so a curator
    # can teach it as an alias of a place or a term.
    kind: str = ""

    def __str__(self) -> str:
        where = f"row {self.row}" + (f', column "{self.column}"' if self.column else "")
        if self.value and self.value not in self.message:
            where += f', "{self.value}"'
        text = f"{where}: {self.message}"
        if self.suggestions:
            text += f" Closest known: {', '.join(self.suggestions)}."
        return text


@dataclass
class RowPlan:
    number: int
    original: dict
    values: dict = field(default_factory=dict)  # Initiative fields
    relations: dict = field(default_factory=dict)  # "countries" -> iso2s, "regions" -> ids, "topics"... -> ids
    organisations: dict = field(default_factory=dict)  # role -> [organisation key]
    keywords: list[str] | None = None
    sources: list[tuple[str, str]] | None = None  # the own format's provenance cell: (source name, external id)
    source_urls: dict[tuple[str, str], str] = field(default_factory=dict)  # (name, external id) -> record address
    external_id: str = ""
    url: str = ""
    key: str = ""  # normalised title
    action: str = ""  # ImportedRow.Action, or "rejected"
    target: int | None = None  # the existing initiative
    looks_like: int | None = None  # a new row much like an initiative we have: created for review, never published
    errors: list[Problem] = field(default_factory=list)


@dataclass
class Report:
    source: str
    file_format: str = ""
    rows: int = 0
    created: int = 0
    updated: int = 0
    matched: int = 0
    unchanged: int = 0
    rejected: int = 0
    flagged: int = 0  # new rows that look like initiatives we have (kept in review)
    values_placed: int = 0  # place and term values found in our taxonomy
    values_approximate: int = 0  # of which by similarity (typos): reported as warnings
    values_unplaced: int = 0
    columns: dict = field(default_factory=dict)
    columns_ignored: list[str] = field(default_factory=list)
    column_notes: list[str] = field(default_factory=list)
    new_organisations: list[str] = field(default_factory=list)
    new_sources: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    written: bool = False

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    def unplaced(self) -> list[Problem]:
        """The words that could be taught as aliases: unplaced place and term values, once each."""
        seen, words = set(), []
        for problem in self.errors:
            if problem.kind and (problem.kind, problem.value) not in seen:
                seen.add((problem.kind, problem.value))
                words.append(problem)
        return words

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Report":
        data = dict(data)
        data["problems"] = [Problem(**p) for p in data.get("problems", [])]
        return cls(**data)

    def summary(self) -> str:
        return (
            f"{self.rows} rows: {self.created} to create, {self.updated} to update, "
            f"{self.matched} matched to existing initiatives, {self.unchanged} unchanged, {self.rejected} rejected. "
            + (f"{self.flagged} flagged as looking like initiatives we have (kept in review). " if self.flagged else "")
            + f"Values placed in the taxonomy: {self.values_placed} ({self.values_approximate} approximately), "
            f"not placed: {self.values_unplaced}."
        )


@dataclass
class Plan:
    source: Source
    table: Table
    rows: list[RowPlan]
    report: Report
    new_organisations: dict  # key -> (name, acronym)
    new_sources: dict  # normalised name -> name
    options: dict


@dataclass
class Options:
    publish: bool = False
    skip_invalid: bool = False
    day_first: bool = True
    retrieved_on: datetime.date | None = None
    columns: dict | None = None


class Organisations:
    """Organisations by name, acronym or alias (normalised), and the new ones a file names."""

    def __init__(self) -> None:
        self.by_key: dict[str, int | str] = {}
        acronyms = Counter()
        rows = list(Organisation.objects.values_list("pk", "name", "acronym"))
        for _pk, _name, acronym in rows:
            if acronym:
                acronyms[normalise(acronym)] += 1
        for pk, name, acronym in rows:
            self.by_key.setdefault(normalise(name), pk)
            if acronym and acronyms[normalise(acronym)] == 1:  # an acronym two organisations share places neither
                self.by_key.setdefault(normalise(acronym), pk)
                self.by_key.setdefault(normalise(f"{name} ({acronym})"), pk)
        for pk, name in OrganisationAlias.objects.values_list("organisation_id", "name"):
            self.by_key.setdefault(normalise(name), pk)
        # A French or Spanish file names it in its language ("Banque mondiale").
        for pk, name_fr, name_es in Organisation.objects.values_list("pk", "name_fr", "name_es"):
            for name in (name_fr, name_es):
                if name:
                    self.by_key.setdefault(normalise(name), pk)
        self.new: dict[str, tuple[str, str]] = {}

    def find(self, text: str) -> int | str | None:
        """The organisation's pk, or the key of a new one already named in this file."""
        key = normalise(text)
        if key in self.by_key:
            return self.by_key[key]
        match = ORGANISATION_ACRONYM_RE.match(text)
        if match:
            for part in (match["name"], match["acronym"]):
                if normalise(part) in self.by_key:
                    return self.by_key[normalise(part)]
        return None

    def find_or_add(self, text: str) -> tuple[int | str, bool]:
        found = self.find(text)
        if found is not None:
            return found, False
        match = ORGANISATION_ACRONYM_RE.match(text)
        name, acronym = (match["name"], match["acronym"].strip()) if match else (text, "")
        key = "new:" + normalise(name)
        self.new[key] = (name[:200], acronym)
        for word in filter(None, (name, acronym, text)):
            self.by_key[normalise(word)] = key
        return key, True

    def split(self, cell) -> list[str]:
        """Organisation names in a cell: ";", "|" and new lines separate them. A comma does when the cell
        is not itself a known name ("Foreign, Commonwealth & Development Office") and names a known one
        ("Union européenne, BMZ"): otherwise it may be part of a name and the cell stays whole."""
        if isinstance(cell, list):
            return [c.strip() for c in cell if c.strip() and not is_nothing(c)]
        pieces = [p.strip() for p in re.split(r"[;|\n]", cell) if p.strip() and not is_nothing(p)]
        if len(pieces) == 1 and "," in pieces[0] and self.find(pieces[0]) is None:
            parts = [p.strip() for p in pieces[0].split(",") if p.strip()]
            if any(self.find(p) is not None for p in parts):
                return parts
        return pieces


class Planner:
    """Reads a table row by row into plans; keeps the lookups (taxonomy, organisations, matches) in memory."""

    def __init__(self, source: Source, table: Table, options: Options) -> None:
        self.source, self.table, self.options = source, table, options
        self.reconciler = Reconciler()
        self.organisations = Organisations()
        self.report = Report(source=source.slug, file_format=table.format, notes=list(table.notes))
        self.mapping, ignored = map_columns(table.headers, options.columns)
        self.mapped = set(self.mapping.values())  # a mapped column left empty clears what the source owns
        self.report.columns = dict(self.mapping)
        self.report.columns_ignored = ignored
        self.report.column_notes = self.column_notes()
        self.today = timezone.localdate()
        records = SourceRecord.objects.filter(source=source)
        self.by_external_id = dict(records.exclude(external_id="").values_list("external_id", "initiative_id"))
        self.by_url = dict(records.exclude(url="").values_list("url", "initiative_id"))
        self.record_id = {pk: external_id for external_id, pk in self.by_external_id.items()}
        # Initiatives this source's imports created: only those are updated from its files.
        self.owned = set(
            ImportedRow.objects.filter(
                batch__source=source, batch__state=ImportBatch.State.APPLIED, action=ImportedRow.Action.CREATED
            ).values_list("initiative_id", flat=True)
        )
        self.last_original = dict(
            ImportedRow.objects.filter(batch__source=source, batch__state=ImportBatch.State.APPLIED)
            .order_by("initiative_id", "pk")
            .values_list("initiative_id", "original")
        )
        self.by_slug, self.by_title = {}, {}
        for pk, slug, title in Initiative.objects.values_list("pk", "slug", "title"):
            self.by_slug[slug] = pk
            self.by_title.setdefault(normalise(title), pk)
        self.sources = {normalise(name): name for name in Source.objects.values_list("name", flat=True)}
        self.new_sources: dict[str, str] = {}

    def column_notes(self) -> list[str]:
        notes = []
        headers = {normalise(header) for header in self.table.headers}
        missing = [header for header in self.options.columns or {} if normalise(header) not in headers]
        if missing:
            notes.append(f"The column map names columns the file does not have: {', '.join(missing)}.")
        by_field: dict[str, list[str]] = {}
        for header, name in self.mapping.items():
            by_field.setdefault(name, []).append(header)
        for name, headers_of_field in by_field.items():
            if len(headers_of_field) > 1 and name not in MULTI_VALUED:
                notes.append(
                    f"Columns {', '.join(headers_of_field)} all give the {name}: in each row the first one "
                    f"filled ({headers_of_field[0]} first) is used, the others are kept in the provenance only."
                )
        return notes

    def plan(self) -> list[RowPlan]:
        if "title" not in self.mapping.values():
            self.report.notes.append(
                "No column gives the title: name one with --columns (for example 'Project name=title')."
            )
        seen: dict[str, int] = {}
        plans = []
        for number, cells in self.table.rows:
            row = self.plan_row(number, cells)
            # Two rows for one record: the second would overwrite the first. Rows without an id or a
            # link are told apart by their titles.
            keys = [f"id:{row.external_id}"] if row.external_id else [f"url:{row.url}"] if row.url else []
            for key in keys or ([f"title:{row.key}"] if row.key else []):
                if key in seen:
                    what = key.partition(":")[0].replace("id", "the same id").replace("url", "the same link")
                    what = what.replace("title", "the same title and no id")
                    self.error(row, "", key.partition(":")[2], f"Same record as row {seen[key]} ({what}).")
                seen.setdefault(key, number)
            plans.append(row)
        self.match(plans)
        self.reject_clashes(plans)
        self.flag_lookalikes(plans)
        for row in plans:
            self.report.problems += row.errors
            setattr(self.report, row.action, getattr(self.report, row.action) + 1)
        self.report.rows = len(plans)
        self.report.new_organisations = sorted(name for name, _ in self.organisations.new.values())
        self.report.new_sources = sorted(self.new_sources.values())
        return plans

    # --- one row

    def error(self, row: RowPlan, column: str, value, message: str, suggestions=(), severity="error") -> None:
        text = value if isinstance(value, str) else "; ".join(value)
        row.errors.append(Problem(row.number, column, text[:300], message, list(suggestions), severity))

    def cells(self, cells: dict) -> dict[str, tuple[str, object]]:
        """field -> (header, cell); two columns for one multi-valued field are read together."""
        gathered: dict[str, tuple[str, object]] = {}
        for header, name in self.mapping.items():
            cell = cells.get(header, "")
            if isinstance(cell, str):
                cell = FORMULA_ESCAPE_RE.sub("", cell.strip()) if self.table.own_format else cell.strip()
                cell = "" if is_nothing(cell) else cell
            else:
                cell = [value for value in cell if not is_nothing(value)]
            if not cell:
                continue
            if name in gathered and name in MULTI_VALUED:
                previous_header, previous = gathered[name]
                as_list = (previous if isinstance(previous, list) else [previous]) + (
                    cell if isinstance(cell, list) else [cell]
                )
                gathered[name] = (f"{previous_header} + {header}", as_list)
            else:
                gathered.setdefault(name, (header, cell))
        return gathered

    def plan_row(self, number: int, cells: dict) -> RowPlan:
        row = RowPlan(number, original=dict(cells))
        if EXTRA_CELLS in cells:
            extra = cells[EXTRA_CELLS]
            self.error(row, "", extra, f"The line has {len(extra)} more cell(s) than the header: check the quoting.")
        given = self.cells(cells)
        for name, (header, cell) in given.items():
            if name in MULTI_VALUED and name != "sources":
                continue
            if isinstance(cell, list) and name not in MULTI_VALUED:
                cell = "; ".join(cell)
                given[name] = (header, cell)
        self.scalars(row, given)
        self.dates(row, given)
        self.budget(row, given)
        self.places(row, given)
        self.terms(row, given)
        self.participants(row, given)
        if "keywords" in self.mapped:
            header, cell = given.get("keywords", ("", ""))
            words = cell if isinstance(cell, list) else re.split(r"[;|,\n]", cell)
            row.keywords = list(dict.fromkeys(w.strip()[:100] for w in words if w.strip() and not is_nothing(w)))
        if "sources" in self.mapped and self.table.own_format:
            row.sources = self.source_cell(row, *given["sources"]) if "sources" in given else []
            if "source_links" in given:
                row.source_urls = self.source_urls(given["source_links"][1])
        return row

    def scalars(self, row: RowPlan, given: dict) -> None:
        for name in ("title", "summary", "description", "website", "external_id", "url", "slug"):
            if name in given:
                header, text = given[name]
                limit = LENGTHS.get(name)
                if name == "summary" and limit and len(text) > limit:
                    if "description" not in given:
                        given["description"] = (header, text)
                        row.values["description"] = text
                        self.error(row, header, text[:80] + "…", "Longer than 500 characters: kept as the "
                                   "description, with no summary.", severity="warning")  # fmt: skip
                        continue
                    self.error(row, header, text[:80] + "…", f"Longer than {limit} characters ({len(text)}).")
                    continue
                if limit and len(text) > limit:
                    self.error(row, header, text[:80] + "…", f"Longer than {limit} characters ({len(text)}).")
                    continue
                if name in ("website", "url"):
                    try:
                        validate_url(text)
                    except ValidationError:
                        self.error(row, header, text, "Not a web address (expected http:// or https://...).")
                        continue
                if name == "slug":
                    if slugify(text) != text.lower():
                        self.error(row, header, text, "Not a slug: lower-case letters, digits and hyphens.")
                        continue
                    text = text.lower()
                row.values[name] = text
        for name in ("summary", "description", "website"):  # a mapped column left empty: the source has none
            if name in self.mapped and name not in given:
                row.values[name] = ""
        if "last_verified" in self.mapped and "last_verified" not in given:
            row.values["last_verified"] = None
        row.external_id = row.values.pop("external_id", "")
        row.url = row.values.pop("url", "")
        if self.table.own_format and not row.external_id:
            row.external_id = row.values.get("slug", "")
        if not row.values.get("title"):
            self.error(row, "", "", "No title: every initiative needs one.")
        row.key = normalise(row.values.get("title", ""))
        if "status" in given:
            header, text = given["status"]
            status = STATUS.get(normalise(text))
            if status is None:
                self.error(row, header, text, "Unknown status: expected planned, ongoing or completed.")
            else:
                row.values["status"] = status
        for name in ("last_verified", "updated_at"):
            if name in given:
                header, text = given[name]
                try:
                    if name == "updated_at":
                        parsed = datetime.datetime.fromisoformat(text)
                        parsed = parsed if parsed.tzinfo else parsed.replace(tzinfo=datetime.UTC)
                        parsed = parsed.astimezone(datetime.UTC)  # out of range raises here, not when written
                    else:
                        parsed = parse_date(text).value
                except (ValueError, AttributeError, OverflowError):
                    self.error(row, header, text, "Cannot read this date.")
                    continue
                row.values[name] = parsed

    def dates(self, row: RowPlan, given: dict) -> None:
        start = end = None
        day_first = self.options.day_first
        try:
            if "period" in given:
                period = parse_period(given["period"][1], day_first=day_first)
                start, end = period.start, period.end
        except UnreadableValue as error:
            self.error(row, given["period"][0], given["period"][1], str(error))
        for name in ("start_date", "end_date"):
            if name not in given:
                continue
            header, text = given[name]
            try:
                value = parse_date(text, day_first=day_first)
            except UnreadableValue as error:
                period = self.period_in_date_column(text)
                if name == "start_date" and period and period.end and "end_date" not in given:
                    start, end = period.start, period.end  # "2021-2024" in a start column: both dates
                    continue
                self.error(row, header, text, str(error))
                continue
            if value is None:
                continue
            if value.ambiguous:
                read = f"{value.value.day} {value.value:%B %Y}"
                message = f"Read as {read} (day first); the order of day and month cannot be told from this date."
                self.error(row, header, text, message, severity="warning")
            if name == "start_date":
                start = value
            else:
                end = value.as_end()
        if "duration" in given and end is None:
            header, text = given["duration"]
            if start is None:
                self.error(row, header, text, "A duration needs a start date.")
            else:
                try:
                    end = end_from_duration(start, text)
                except UnreadableValue as error:
                    self.error(row, header, text, str(error))
        if start and end and end.value < start.value:
            self.error(row, "", f"{start.text} – {end.text}", "The end date is before the start date.")
            return
        columns = {"start": {"start_date", "period"}, "end": {"end_date", "period", "duration"}}
        for name, value in (("start", start), ("end", end)):
            if value is not None:
                row.values[f"{name}_date"] = value.value
                row.values[f"{name}_precision"] = value.precision
            elif columns[name] & self.mapped:  # given as a column, left empty: no date
                row.values[f"{name}_date"], row.values[f"{name}_precision"] = None, DatePrecision.DAY
        if "status" not in row.values and (start or end):
            if end and end.value < self.today:
                row.values["status"] = Initiative.Status.COMPLETED
            elif start and start.value > self.today:
                row.values["status"] = Initiative.Status.PLANNED
            else:
                row.values["status"] = Initiative.Status.ONGOING

    def period_in_date_column(self, text: str):
        try:
            return parse_period(text, day_first=self.options.day_first)
        except UnreadableValue:
            return None

    def budget(self, row: RowPlan, given: dict) -> None:
        if "budget" in self.mapped:  # left empty (or unreadable): no budget
            row.values.update(budget=None, budget_max=None, currency="")
        if "budget" not in given:
            return
        header, text = given["budget"]
        if "budget_max" in given:  # a band's two ends in two cells, as the portal's own export gives them
            text = f"{text} - {given['budget_max'][1]}"
        currency = given.get("currency", ("", ""))[1].strip().upper()
        try:
            budget = parse_budget(text, default_currency=currency)
        except (UnreadableValue, ArithmeticError) as error:  # ArithmeticError: digits beyond any budget
            message = str(error) if isinstance(error, UnreadableValue) else "Too large for a budget."
            self.error(row, header, text, message)
            return
        if budget is None or budget.amount is None:
            return
        cents = [amount for amount in (budget.amount, budget.high) if amount is not None]
        if any(amount != amount.quantize(Decimal("0.01")) for amount in cents if amount < Decimal("1e13")):
            self.error(row, header, text, "Rounded to cents.", severity="warning")
        if not budget.currency:
            self.error(row, header, text, "A budget needs a currency: add it to the cell or give a currency column.")
            return
        if budget.amount >= Decimal("1e13") or (budget.high or 0) >= Decimal("1e13"):
            self.error(row, header, text, "Too large for a budget.")
            return
        row.values.update(budget=budget.amount, budget_max=budget.high, currency=budget.currency[:3])

    def place(self, row: RowPlan, header: str, column: str, value: str, result) -> list:
        if isinstance(result, Unplaced) or not result:
            self.report.values_unplaced += 1
            what = UNPLACED_WHAT[column]
            self.error(row, header, value, f'"{value}" is not a known {what}.', getattr(result, "suggestions", ()))
            row.errors[-1].kind = column
            return []
        self.report.values_placed += 1
        if result.how == "approximate":
            self.report.values_approximate += 1
            names = ", ".join(str(obj) for obj in result.objects)
            self.error(row, header, value, f'Read as "{names}" (a close spelling).', severity="warning")
        return list(result.objects)

    def places(self, row: RowPlan, given: dict) -> None:
        countries, regions = set(), set()
        for column in ("countries", "regions"):
            if column not in given:
                continue
            header, cell = given[column]
            # "Micronesia" in a regions column is the region; in a countries column, the country.
            first = self.reconciler.region if column == "regions" else self.reconciler.country
            for value, result in self.split(cell, lambda text, first=first: self.closest_place(text, first)):
                for obj in self.place(row, header, column, value, result):
                    if isinstance(obj, Country):
                        countries.add(obj.pk)
                    else:
                        regions.add(obj.pk)
        if self.mapped & {"countries", "regions"}:  # the file's places replace the ones it gave before
            row.relations["countries"], row.relations["regions"] = sorted(countries), sorted(regions)

    def closest_place(self, text: str, first):
        result = first(text)
        return result if result and result.how != "approximate" else self.reconciler.place(text)

    def split(self, cell, lookup) -> list[tuple[str, object]]:
        if isinstance(cell, list):
            return [(value, lookup(value)) for value in (v.strip() for v in cell) if value and not is_nothing(value)]
        return [(value, result) for value, result in self.reconciler.split(cell, lookup) if not is_nothing(value)]

    def terms(self, row: RowPlan, given: dict) -> None:
        found = {column: set() for column in VOCABULARY_OF_COLUMN}
        for column, vocabulary in VOCABULARY_OF_COLUMN.items():
            if column not in given:
                continue
            header, cell = given[column]
            for value, result in self.split(cell, lambda text, v=vocabulary: self.reconciler.term(v, text)):
                if not result and normalise(value) in TOO_BROAD:
                    self.error(row, header, value, f'"{value}" is too broad to place among our {column}: left out '
                               "(it stays in the row's provenance).", severity="warning")  # fmt: skip
                    continue
                if not result:  # a theme column naming a target user, say: place it in its own vocabulary
                    for other_column, other in VOCABULARY_OF_COLUMN.items():
                        other_result = self.reconciler.term(other, value) if other != vocabulary else None
                        if other_result and other_result.how != "approximate":
                            found[other_column].update(t.pk for t in other_result.objects)
                            self.report.values_placed += 1
                            break
                    else:
                        self.place(row, header, column, value, result)
                    continue
                found[column].update(term.pk for term in self.place(row, header, column, value, result))
        for column in VOCABULARY_OF_COLUMN:
            if column in self.mapped or found[column]:
                row.relations[column] = sorted(found[column])

    def participants(self, row: RowPlan, given: dict) -> None:
        for column in ("implementers", "funders", "partners", "organisations"):
            role = ROLE_OF_COLUMN.get(column, Role.PARTNER)
            if column in self.mapped:  # a role the file gives, even empty, replaces that role's participants
                row.organisations.setdefault(role, [])
            if column not in given:
                continue
            header, cell = given[column]
            keys = row.organisations.setdefault(role, [])
            for name in self.organisations.split(cell):
                if len(name) > 200:
                    self.error(row, header, name[:80] + "…", "An organisation name longer than 200 characters.")
                    continue
                key, new = self.organisations.find_or_add(name)
                if key not in keys:
                    keys.append(key)
                if new:
                    self.error(row, header, name, "A new organisation: it will be created.", severity="warning")
            if column == "organisations":
                self.error(row, header, cell, "Organisations without a stated role: kept as partners.",
                           severity="warning")  # fmt: skip

    def source_cell(self, row: RowPlan, header: str, cell) -> list[tuple[str, str]]:
        pieces = cell if isinstance(cell, list) else [p for p in cell.split("; ") if p.strip()]
        records = []
        for piece in pieces:
            match = SOURCE_CELL_RE.match(piece.strip())
            name, external_id = match["name"].strip(), (match["external_id"] or "").strip()
            key = normalise(name)
            if key not in self.sources:
                self.new_sources[key] = self.sources[key] = name[:200]
            records.append((self.sources[key], external_id[:200]))
        return list(dict.fromkeys(records))  # the same record twice in a cell is one record

    def source_urls(self, cell) -> dict[tuple[str, str], str]:
        """The own export's source_links cell: each record's address, keyed as source_cell() keys it."""
        urls = {}
        for piece in cell if isinstance(cell, list) else cell.split("; "):
            link = SOURCE_LINK_RE.match(piece.strip())
            match = SOURCE_CELL_RE.match(link["record"]) if link else None
            if match:
                name = self.sources.get(normalise(match["name"].strip()), match["name"].strip()[:200])
                urls[(name, (match["external_id"] or "").strip()[:200])] = link["url"]
        return urls

    def reject_clashes(self, plans: list[RowPlan]) -> None:
        """Rows that would write over each other: two rows on one initiative, one source record twice."""

        def reject(row: RowPlan, column: str, value, message: str) -> None:
            self.error(row, column, value, message)
            row.action = "rejected"

        landed: dict[int, int] = {}
        for row in plans:
            if row.action == "rejected" or row.target is None:
                continue
            if row.target in landed:
                reject(row, "", row.values.get("title", ""), f"Same initiative as row {landed[row.target]}.")
            landed.setdefault(row.target, row.number)
        names = {name for row in plans for name, _ in row.sources or []}
        if not names:
            return
        taken = {
            (name, external_id): pk
            for name, external_id, pk in SourceRecord.objects.exclude(external_id="")
            .filter(source__name__in=names)
            .values_list("source__name", "external_id", "initiative_id")
        }
        claimed: dict[tuple[str, str], int] = {}
        for row in plans:
            if row.action in ("rejected", ImportedRow.Action.MATCHED) or not row.sources:
                continue
            clash = []
            for name, external_id in row.sources:
                if not external_id:
                    continue
                owner, first = taken.get((name, external_id)), claimed.setdefault((name, external_id), row.number)
                if (owner is not None and owner != row.target) or first != row.number:
                    clash.append(f"{name}: {external_id}")
            if clash:
                reject(row, "sources", clash, "This source record belongs to another initiative or row.")

    # --- matching rows to initiatives we have

    def match(self, plans: list[RowPlan]) -> None:
        for row in plans:
            if row.errors and any(p.severity == "error" for p in row.errors):
                row.action = "rejected"
                continue
            target = self.by_slug.get(row.values.get("slug", "")) if self.table.own_format else None
            target = target or self.by_external_id.get(row.external_id) or self.by_url.get(row.url)
            if target is None and row.key in self.by_title:
                # The same title under another id of this source is another record (a second phase, say).
                other_id = self.record_id.get(self.by_title[row.key], "")
                if not (row.external_id and other_id and other_id != row.external_id):
                    target = self.by_title[row.key]
            if target is None:
                row.action = ImportedRow.Action.CREATED
                continue
            row.target = target
            if target not in self.owned:
                row.action = ImportedRow.Action.MATCHED
            elif self.last_original.get(target) == row.original:
                row.action = ImportedRow.Action.UNCHANGED
            else:
                row.action = ImportedRow.Action.UPDATED

    # --- new rows that look like initiatives we have

    def flag_lookalikes(self, plans: list[RowPlan]) -> None:
        """A row that would create an initiative much like one we have (initiatives.similarity, from
        FLAG_THRESHOLD) is reported, and its initiative stays in review even with --publish, so that a
        curator sees the pair among the possible duplicates and merges it or sets it apart.

        One Lookup for the whole file: every initiative's title, website, dates and topics are read
        once, the context (implementers, footprints) of the candidates only."""
        rows = [row for row in plans if row.action == ImportedRow.Action.CREATED and row.values.get("title")]
        if not rows:
            return
        lookup = Lookup()
        known = {key for row in rows for key in row.organisations.get(Role.IMPLEMENTER, []) if isinstance(key, int)}
        names = dict(Organisation.objects.filter(pk__in=known).values_list("pk", "name")) if known else {}
        probes = [
            lookup.probe(
                title=row.values["title"],
                website=row.values.get("website", ""),
                start=row.values.get("start_date"),
                end=row.values.get("end_date"),
                countries=row.relations.get("countries", ()),
                regions=row.relations.get("regions", ()),
                terms=row.relations.get("topics", ()),
                implementers={key: names[key] for key in row.organisations.get(Role.IMPLEMENTER, []) if key in names},
            )
            for row in rows
        ]
        for row, matches in zip(rows, lookup.matches(probes, threshold=FLAG_THRESHOLD, limit=3), strict=True):
            # The source itself records the two apart (another id of its own): not a duplicate.
            matches = [
                m
                for m in matches
                if not (row.external_id and self.record_id.get(m.pk, row.external_id) != row.external_id)
            ]
            if not matches:
                continue
            best = matches[0]
            row.looks_like = best.pk
            self.report.flagged += 1
            title = lookup.features[best.pk].title.text
            message = (
                f"Looks like “{title}” ({best.score:.2f}: {', '.join(best.reasons)}): created in review, "
                "not published, for a curator to merge or set apart."
            )
            self.error(row, "", "", message, severity="warning")


def plan_import(table: Table, *, source: Source, options: Options | None = None) -> Plan:
    """Read and reconcile every row; write nothing. The plan's report says what applying it would do."""
    options = options or Options()
    planner = Planner(source, table, options)
    rows = planner.plan()
    return Plan(source, table, rows, planner.report, planner.organisations.new, planner.new_sources, asdict(options))


def apply_import(plan: Plan, *, batch: ImportBatch) -> Report:
    """Write the plan in one transaction. Without skip_invalid, one rejected row writes nothing."""
    report = plan.report
    if report.rejected and not plan.options["skip_invalid"]:
        raise ImportRejected(report)
    # Bulk writes send no signals (Writer schedules their refresh), deletions do: one refresh for all, at the end.
    with transaction.atomic(), deferred_refresh():
        Writer(plan, batch).write()
    report.written = True
    return report


class Writer:
    """Bulk writes: a 50,000-row file is a few hundred queries, not a million."""

    def __init__(self, plan: Plan, batch: ImportBatch) -> None:
        self.plan, self.options = plan, plan.options
        self.rows = [row for row in plan.rows if row.action != "rejected"]
        self.batch = batch

    def write(self) -> None:
        plan = self.plan
        if self.batch.pk is None:
            self.batch.save()
        organisations = self.create_organisations()
        sources = self.create_sources()
        self.create_initiatives()
        self.update_initiatives([row for row in self.rows if row.action == ImportedRow.Action.UPDATED])
        written = [row for row in self.rows if row.action in (ImportedRow.Action.CREATED, ImportedRow.Action.UPDATED)]
        self.replace_relations(written, organisations)
        self.write_keywords(written)
        self.write_provenance(sources)
        # Refreshed once, when apply_import's deferred_refresh() ends, with those its deletions signalled.
        refreshed = {ImportedRow.Action.CREATED, ImportedRow.Action.UPDATED, ImportedRow.Action.MATCHED}
        schedule_refresh(row.target for row in self.rows if row.action in refreshed)
        if self.plan.table.own_format:  # a copy keeps the time of the last change at its origin
            kept = [Initiative(pk=row.target, updated_at=row.values["updated_at"]) for row in written
                    if "updated_at" in row.values]  # fmt: skip
            Initiative.objects.bulk_update(kept, ["updated_at"], batch_size=1000)
        self.record_history(written)
        self.batch.state = ImportBatch.State.APPLIED
        self.batch.applied_at = timezone.now()
        self.batch.report = _jsonable(plan.report.as_dict() | {"written": True})
        self.batch.save()

    def create_organisations(self) -> dict:
        keys = {}
        if self.plan.new_organisations:
            taken = set(Organisation.objects.values_list("slug", flat=True))
            new = []
            for key, (name, acronym) in self.plan.new_organisations.items():
                slug = _unique_slug(name, taken, 100)
                new.append(Organisation(name=name, acronym=acronym, slug=slug, kind=""))
                keys[key] = slug
            Organisation.objects.bulk_create(new, batch_size=1000)  # sets the pks (PostgreSQL, SQLite >= 3.35)
            pks = {organisation.slug: organisation.pk for organisation in new}
            keys = {key: pks[slug] for key, slug in keys.items()}
        return keys

    def create_sources(self) -> dict:
        names = {self.plan.source.name: self.plan.source.pk}
        names |= dict(Source.objects.values_list("name", "pk"))
        if self.plan.new_sources:
            taken = set(Source.objects.values_list("slug", flat=True))
            for name in self.plan.new_sources.values():
                names[name] = Source.objects.create(name=name, slug=_unique_slug(name, taken, 100)).pk
        return names

    def fields(self, row: RowPlan) -> dict:
        return {name: value for name, value in row.values.items() if name != "updated_at"}

    def create_initiatives(self) -> list[RowPlan]:
        rows = [row for row in self.rows if row.action == ImportedRow.Action.CREATED]
        if not rows:
            return []
        taken = set(Initiative.objects.values_list("slug", flat=True))
        state = State.PUBLISHED if self.options["publish"] else State.REVIEW
        objects = []
        for row in rows:
            values = self.fields(row)
            slug = values.pop("slug", "")
            slug = slug if slug and slug not in taken else _unique_slug(values["title"], taken, 120)
            taken.add(slug)
            looks_like = row.looks_like is not None  # left for a curator, among the possible duplicates
            objects.append(Initiative(slug=slug, publication_state=State.REVIEW if looks_like else state, **values))
        Initiative.objects.bulk_create(objects, batch_size=1000)  # sets the pks (PostgreSQL, SQLite >= 3.35)
        for row, obj in zip(rows, objects, strict=True):
            row.target = obj.pk
        return rows

    def update_initiatives(self, rows: list[RowPlan]) -> None:
        if not rows:
            return
        # Locked until the import commits: a curator's save waits, then finds the version moved on
        # and is refused (taxonomy.versioning), instead of one of the two writes being lost.
        targets = Initiative.objects.select_for_update().in_bulk([row.target for row in rows])
        names = {"version"}
        for row in rows:
            obj = targets[row.target]
            obj.version += 1
            for name, value in self.fields(row).items():
                if name != "slug":
                    setattr(obj, name, value)
                    names.add(name)
            if self.options["publish"]:
                obj.publication_state = State.PUBLISHED
                names.add("publication_state")
            obj.updated_at = timezone.now()
        Initiative.objects.bulk_update(targets.values(), sorted(names | {"updated_at"}), batch_size=500)

    def record_history(self, rows: list[RowPlan]) -> None:
        """One history entry per created or updated initiative, by whoever applied the import."""
        ids = [row.target for row in rows]
        reason = f"Import of {self.batch.file_name}"[:100]
        for start in range(0, len(ids), 2000):
            chunk = Initiative.objects.filter(pk__in=ids[start : start + 2000])
            record_history(Initiative, chunk, user=self.batch.created_by, reason=reason, update=True)

    def replace_relations(self, rows: list[RowPlan], organisations: dict) -> None:
        """Places, terms and participants: the file's replace an updated row's, in the columns it gives."""
        for column, through in THROUGH.items():
            given = [row for row in rows if column in row.relations]
            target = {"countries": "country_id", "regions": "region_id"}.get(column, "term_id")
            for ids in _updated(given):
                through.objects.filter(initiative_id__in=ids).delete()
            insert_rows(through, ["initiative_id", target], [(r.target, v) for r in given for v in r.relations[column]])
        for role in Role.values:
            for ids in _updated([row for row in rows if role in row.organisations]):
                Participation.objects.filter(initiative_id__in=ids, role=role).delete()
        participations = {
            (row.target, organisations.get(key, key), role)
            for row in rows
            for role, keys in row.organisations.items()
            for key in keys
        }
        insert_rows(Participation, ["initiative_id", "organisation_id", "role"], sorted(participations))

    def write_keywords(self, rows: list[RowPlan]) -> None:
        rows = [row for row in rows if row.keywords is not None]
        if not rows:
            return
        content_type = TaggedItem.objects.model._meta.get_field("content_type").related_model.objects.get_for_model(
            Initiative
        )
        for ids in _updated(rows):
            TaggedItem.objects.filter(content_type=content_type, object_id__in=ids).delete()
        words = {word for row in rows for word in row.keywords}
        tags = {name.lower(): pk for pk, name in Tag.objects.annotate(low=Lower("name")).values_list("pk", "name")}
        missing = sorted({w for w in words if w.lower() not in tags}, key=str.lower)
        if missing:
            taken = set(Tag.objects.values_list("slug", flat=True))
            unique = {}
            for word in missing:
                unique.setdefault(word.lower(), word)
            Tag.objects.bulk_create(
                [Tag(name=word, slug=_unique_slug(word, taken, 100)) for word in unique.values()], batch_size=1000
            )
            tags = {name.lower(): pk for pk, name in Tag.objects.values_list("pk", "name")}
        items = {
            (row.target, tags[word.lower()]): TaggedItem(
                content_type=content_type, object_id=row.target, tag_id=tags[word.lower()]
            )
            for row in rows
            for word in row.keywords
        }
        TaggedItem.objects.bulk_create(items.values(), batch_size=2000)

    def existing_records(self) -> dict[int, SourceRecord]:
        ids = [row.target for row in self.rows if row.action != ImportedRow.Action.CREATED]
        records = {}
        for chunk in batched(ids, BATCH):
            for record in SourceRecord.objects.filter(source=self.plan.source, initiative_id__in=chunk):
                records.setdefault(record.initiative_id, record)
        return records

    def write_provenance(self, sources: dict) -> None:
        retrieved = self.options.get("retrieved_on") or timezone.localdate()
        own = self.plan.table.own_format
        records, kept = [], []
        existing = self.existing_records() if not own else {}
        for row in self.rows:
            if own:  # an unchanged row's records are as the file says already
                if row.sources is not None and row.action in (ImportedRow.Action.CREATED, ImportedRow.Action.UPDATED):
                    records += [
                        SourceRecord(
                            initiative_id=row.target,
                            source_id=sources[name],
                            external_id=external_id,
                            url=row.source_urls.get((name, external_id), ""),
                        )
                        for name, external_id in row.sources
                    ]
                continue
            record = existing.get(row.target)
            if record is None:
                records.append(
                    SourceRecord(
                        initiative_id=row.target,
                        source_id=self.plan.source.pk,
                        external_id=row.external_id,
                        url=row.url,
                        retrieved_on=retrieved,
                    )
                )
            else:  # the source's record of this initiative: its id, link and retrieval date as now
                record.external_id, record.url, record.retrieved_on = row.external_id, row.url, retrieved
                kept.append(record)
        if own:  # the file's provenance cells replace an updated initiative's records
            for ids in _updated([row for row in self.rows if row.sources is not None]):
                SourceRecord.objects.filter(initiative_id__in=ids).delete()
        SourceRecord.objects.bulk_update(kept, ["external_id", "url", "retrieved_on"], batch_size=1000)
        SourceRecord.objects.bulk_create(records, batch_size=2000)
        ImportedRow.objects.bulk_create(
            [
                ImportedRow(
                    batch=self.batch,
                    row_number=row.number,
                    initiative_id=row.target,
                    action=row.action,
                    external_id=row.external_id,
                    url=row.url,
                    original=row.original,
                )
                for row in self.rows
            ],
            batch_size=2000,
        )


def _updated(rows: list[RowPlan]):
    """The ids of the rows that update an initiative, in batches a database accepts in one IN (...)."""
    return batched([row.target for row in rows if row.action == ImportedRow.Action.UPDATED], BATCH)


def _unique_slug(text: str, taken: set[str], length: int) -> str:
    base = (slugify(text)[: length - 8].strip("-")) or "item"
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return slug


def _jsonable(value):
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime.date | Decimal):
        return str(value)
    return value


def import_file(data: bytes, *, name: str, source: Source, options: Options, dry_run: bool = False, user=None):
    """The one import service: read, plan, and (unless a dry run) write. Raises ImportRejected or UnreadableFile."""
    plan = plan_import(read_table(data, name), source=source, options=options)
    if dry_run:
        return plan.report
    batch = ImportBatch(
        source=source, file_name=name[:255], content="", options=_jsonable(asdict(options)), created_by=user
    )
    return apply_import(plan, batch=batch)
