"""Reading other mappings' files: CSV or JSON Lines, their column names mapped onto our fields."""

import csv
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from initiatives.exports import FIRST_COLUMNS as EXPORT_COLUMNS
from taxonomy.reconcile import normalise

# Our fields, as a file may give them, with what each means (shown by `import_initiatives --help`
# and in the README). Multi-valued fields take several values in one cell, separated by ";", "|",
# new lines or commas, or a list in JSON Lines.
FIELDS = {
    "title": "The initiative's name (required).",
    "slug": "Our identifier (the portal's own export); kept when new.",
    "external_id": "The record's id in the other mapping: re-imports match on it.",
    "url": "The record's page in the other mapping: re-imports match on it when there is no id.",
    "summary": "One or two sentences (500 characters at most; longer text goes to the description).",
    "description": "The full description.",
    "status": "planned, ongoing or completed (or active, closed, pipeline...); from the dates when blank.",
    "start_date": "A year, a month or a day in any common form (2021, Mar 2016, 18.01.2019...).",
    "end_date": "Same forms as the start date.",
    "period": "Both dates in one cell: 2016-2019, Mar 2016 - Dec 2018.",
    "duration": "How long from the start: 66 months, 3 years.",
    "countries": "Beneficiary countries (names in any language, ISO or M49 codes); regions named here count too.",
    "regions": "Beneficiary regions or groupings, in any scheme (UN, ITU, political); countries named here count too.",
    "topics": "Themes, in our words or another mapping's.",
    "audiences": "Target users.",
    "modalities": "How: training, technical assistance, funding...",
    "implementers": "Implementing organisations.",
    "funders": "Funding organisations (donors).",
    "partners": "Partner organisations.",
    "organisations": "Organisations without a stated role: kept as partners, and reported.",
    "keywords": "Free-form keywords.",
    "website": "The initiative's own website.",
    "budget": "An amount or a band with its currency: EUR 9 000 000, CHF 100'000 - 500'000, USD 2.5m.",
    "currency": "ISO 4217 code for a budget given without one.",
    "budget_max": "The high end of a budget band given in two cells (the portal's own export).",
    "sources": "Provenance in the portal's own export: 'Mapping name: record id; ...'.",
    "source_links": "The same records with their addresses (the portal's own export): 'Name: id <url>; ...'.",
    "last_verified": "When the entry was last checked against its sources.",
    "updated_at": "When the entry last changed (the portal's own export).",
}

# Column names seen in other mappings' files, normalised (taxonomy.reconcile.normalise), and the
# field each one means. A file with other headers needs a column map (--columns).
SYNONYMS = {
    **{normalise(name): name for name in FIELDS},
    **{
        normalise(header): name
        for name, headers in {
            "title": [
                "name",
                "project",
                "project name",
                "project title",
                "initiative",
                "initiative name",
                "programme",
                "program",
                "programme name",
                "program name",
                "activity",
                "activity name",
            ],
            "external_id": ["id", "project id", "identifier", "record id", "reference", "ref", "code"],
            "url": ["link", "source url", "record url", "detail url", "detail_url", "permalink"],
            "summary": ["short description", "abstract", "overview"],
            "description": ["details", "objectives", "project description", "activities"],
            "status": ["state", "project status", "stage"],
            "start_date": ["start", "starting date", "start year", "from", "begin", "beginning"],
            "end_date": ["end", "ending date", "end year", "to", "until", "completion date"],
            "period": ["dates", "timeframe", "time frame", "years", "implementation period"],
            "countries": [
                "country",
                "beneficiary countries",
                "beneficiary country",
                "recipient countries",
                "recipient country",
                "target countries",
                "countries covered",
                "location",
                "locations",
            ],
            "regions": [
                "region",
                "beneficiary regions",
                "beneficiary region",
                "geographic scope",
                "geographical scope",
                "geographic focus",
                "scope",
            ],
            "topics": [
                "theme",
                "themes",
                "topic",
                "thematic area",
                "thematic areas",
                "focus area",
                "focus areas",
                "sector",
                "sectors",
                "category",
                "categories",
            ],
            "audiences": [
                "audience",
                "target audience",
                "target group",
                "target groups",
                "target users",
                "beneficiaries",
                "stakeholders targeted",
            ],
            "modalities": ["modality", "type", "type of activity", "activity type", "types of activity", "format"],
            "implementers": [
                "implementer",
                "implementing agency",
                "implementing agencies",
                "implementing organisation",
                "implementing organization",
                "implementing organisations",
                "implementing organizations",
                "implementing partner",
                "implementing partners",
                "executing agency",
                "lead organisation",
                "lead organization",
            ],
            "funders": [
                "funder",
                "donor",
                "donors",
                "funding organisation",
                "funding organization",
                "funding organisations",
                "funded by",
                "financed by",
                "sponsor",
                "sponsors",
            ],
            "partners": ["partner", "partner organisations", "partner organizations"],
            "organisations": [
                "organisation",
                "organization",
                "organizations",
                "actors",
                "actor",
                "stakeholders",
                "involved organisations",
                "involved organizations",
            ],
            "keywords": ["keyword", "tags", "tag"],
            "website": ["project website", "web site", "homepage", "project url", "project link"],
            "budget": ["total budget", "amount", "funding", "funding amount", "budget eur", "value", "cost"],
            "currency": ["budget currency"],
            "last_verified": ["last checked", "verified"],
            "updated_at": ["last updated", "updated", "modified"],
        }.items()
        for header in headers
    },
}
MULTI_VALUED = {
    "countries", "regions", "topics", "audiences", "modalities",
    "implementers", "funders", "partners", "organisations", "keywords", "sources",
}  # fmt: skip
MAX_FILE_BYTES = 100 * 1024 * 1024
EXTRA_CELLS = "(cells beyond the header)"  # the key under which a CSV row's surplus cells are kept


class UnreadableFile(ValueError):
    """The file as a whole cannot be read: nothing is imported and the message says why."""


@dataclass
class Table:
    """A file's rows, each a dict of its own column names to the cell (a string, or a list in JSON Lines)."""

    format: str  # "csv" | "jsonl"
    headers: list[str]
    rows: list[tuple[int, dict]]  # (line or row number as a person counts them, cells)
    notes: list[str] = field(default_factory=list)

    @property
    def own_format(self) -> bool:
        """The portal's own export: the round trip keeps its slugs, provenance cells and timestamps.
        Columns are only ever appended to the export, so its first columns tell it, old or new."""
        return self.headers[: len(EXPORT_COLUMNS)] == EXPORT_COLUMNS


def decode(data: bytes) -> tuple[str, list[str]]:
    """The file's text; a file that is not UTF-8 is read as Windows-1252 (what spreadsheets write) and said so."""
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), ["The file is not UTF-8; it was read as Windows-1252."]


def read_table(data: bytes, name: str) -> Table:
    if len(data) > MAX_FILE_BYTES:
        raise UnreadableFile(f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB.")
    if b"\x00" in data:
        raise UnreadableFile("This is not a text file (it contains NUL bytes); expected CSV or JSON Lines.")
    text, notes = decode(data)
    if not text.strip():
        raise UnreadableFile("The file is empty.")
    suffix = Path(name).suffix.lower()
    if suffix in {".jsonl", ".ndjson"} or (suffix not in {".csv", ".tsv", ".txt"} and text.lstrip()[:1] == "{"):
        table = _read_json_lines(text)
    else:
        table = _read_csv(text)
    table.notes[:0] = notes
    return table


def _read_json_lines(text: str) -> Table:
    headers: dict[str, None] = {}
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise UnreadableFile(f"Line {number} is not valid JSON: {error.msg} (column {error.colno}).") from None
        if not isinstance(record, dict):
            raise UnreadableFile(f"Line {number} is not a JSON object: each line must be one initiative.")
        cells = {}
        for key, value in record.items():
            headers.setdefault(str(key))
            cells[str(key)] = _json_cell(value)
        rows.append((number, cells))
    return Table("jsonl", list(headers), rows)


def _json_cell(value) -> str | list[str]:
    if value is None:
        return ""
    if isinstance(value, list):
        return [_json_cell(item) if not isinstance(item, list) else json.dumps(item) for item in value]
    if isinstance(value, dict):  # an organisation or a source given as an object: its name, or its text
        return str(value.get("name") or value.get("title") or json.dumps(value, ensure_ascii=False))
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _read_csv(text: str) -> Table:
    sample = text[:20000]
    try:
        dialect = csv.Sniffer().sniff(sample.partition("\n")[0] or sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        headers = [header.strip() for header in next(reader)]
    except (StopIteration, csv.Error) as error:
        raise UnreadableFile(f"Cannot read the header line: {error}") from None
    if not any(headers):
        raise UnreadableFile("The first line has no column names.")
    rows = []
    try:
        while True:
            line = reader.line_num + 1  # where the row starts: a quoted cell may span several lines
            cells = next(reader, None)
            if cells is None:
                break
            if not any(cell.strip() for cell in cells):
                continue
            row = dict(zip(headers, cells, strict=False))
            if len(cells) > len(headers) and any(cell.strip() for cell in cells[len(headers) :]):
                row[EXTRA_CELLS] = cells[len(headers) :]  # reported as an error; kept in the provenance
            rows.append((line, row))
    except csv.Error as error:
        raise UnreadableFile(f"Line {reader.line_num}: {error}.") from None
    return Table("csv", headers, rows)


def parse_column_map(text: str, *, files: bool = False) -> dict[str, str]:
    """--columns: a JSON object {"Their header": "our_field"}, "Header=field;Header=field", or (only when
    `files`, for the command line: never for text typed into the admin) the path of a file holding either."""
    text = text.strip()
    if files and not text.startswith("{") and "=" not in text:
        try:
            text = Path(text).read_text(encoding="utf-8-sig").strip()
        except (OSError, UnicodeDecodeError) as error:
            reason = getattr(error, "strerror", None) or "not a UTF-8 text file"
            raise UnreadableFile(f"Cannot read the column map {text}: {reason}.") from None
    if text.startswith("{"):
        try:
            mapping = json.loads(text)
        except json.JSONDecodeError as error:
            raise UnreadableFile(f"The column map is not valid JSON: {error.msg}.") from None
        if not isinstance(mapping, dict) or not all(isinstance(v, str) for v in mapping.values()):
            raise UnreadableFile('The column map must be a JSON object of headers to fields: {"Donor": "funders"}.')
    else:
        mapping = {}
        for pair in re.split(r"[;\n]", text):
            if not pair.strip():
                continue
            header, sep, name = pair.partition("=")
            if not sep:
                raise UnreadableFile(f'Cannot read "{pair.strip()}" in the column map: expected Header=field.')
            mapping[header.strip()] = name.strip()
    unknown = sorted({name for name in mapping.values() if name and name not in FIELDS})
    if unknown:
        raise UnreadableFile(f"Unknown field(s) in the column map: {', '.join(unknown)}. Known: {', '.join(FIELDS)}.")
    return mapping


def map_columns(headers: list[str], explicit: dict[str, str] | None = None) -> tuple[dict[str, str], list[str]]:
    """Each header's field, from the explicit map first, then the names other mappings use; and the ignored headers.

    An explicit map entry with an empty field ignores that column on purpose.
    """
    explicit = {normalise(header): name for header, name in (explicit or {}).items()}
    mapping, ignored = {}, []
    for header in headers:
        key = normalise(header)
        name = explicit[key] if key in explicit else SYNONYMS.get(key, "")
        if name:
            mapping[header] = name
        elif header:
            ignored.append(header)
    return mapping, ignored
