"""The membership tables and the search index: derived data, written here and nowhere else.

For each initiative this keeps
- its footprint (FootprintCountry): every country it serves, named or through a
  beneficiary region (M49 members and grouping members, at any depth), with how;
- the regions its footprint meets (RegionReach), with how and whether it targets
  the region specifically;
- the terms it is under (TermMembership): its terms and all their ancestors;
- its search document: PostgreSQL's weighted tsvector, SQLite's FTS5 row.

Filters and facets then read plain indexed tables. Every write path calls
refresh_membership() with the initiatives it touched (the signals in
initiatives.signals do it for model saves, admin edits and many-to-many changes;
bulk writers call it themselves), and rebuild_membership() recomputes everything,
for `manage.py rebuild_membership`.
"""

import hashlib
import io
import re
import threading
import unicodedata
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from itertools import islice

from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from taggit.models import TaggedItem

from initiatives.dimensions import DIMENSIONS
from initiatives.models import (
    DataRevision,
    FootprintCountry,
    Initiative,
    Participation,
    Reach,
    RegionReach,
    SourceRecord,
    TermMembership,
)
from taxonomy.models import Country, CountryAlias, Region, RegionAlias, Term, TermAlias, Tree

CHUNK = 1000
ANALYZE_AFTER = 1000  # initiatives refreshed at once: a bulk write, worth fresh statistics
# An initiative whose beneficiary regions include this many continents is global.
GLOBAL_CONTINENTS = 4
SEARCH_CONFIG = "english"
FTS_TABLE = "initiatives_initiative_fts"

THROUGH = {
    "countries": Initiative.countries.through,
    "regions": Initiative.regions.through,
    "topics": Initiative.topics.through,
    "audiences": Initiative.audiences.through,
    "modalities": Initiative.modalities.through,
}


COMBINING_MARKS_RE = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def fold(text: str) -> str:
    """Lower case without accents, so "Nigéria", "NIGERIA" and "nigeria" are one word."""
    if text.isascii():
        return text.lower()
    return COMBINING_MARKS_RE.sub("", unicodedata.normalize("NFKD", text.casefold()))


def batched(items, size: int) -> Iterator[list]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


@dataclass
class Places:
    """The taxonomy, read once per refresh: a few hundred rows."""

    kind: dict[int, str]
    countries: dict[int, frozenset[str]]  # region -> its countries, at any depth
    ancestors: dict[int, list[int]]  # term -> itself and every term above it
    country_words: dict[str, str]
    region_words: dict[int, str]
    term_words: dict[int, str]

    @classmethod
    def load(cls) -> "Places":
        regions = list(Region.objects.all())
        tree = Tree(Region.objects)
        by_m49_region: dict[int, set[str]] = defaultdict(set)
        country_words = {}
        for country in Country.objects.all():
            if country.region_id:
                by_m49_region[country.region_id].add(country.iso2)
            country_words[country.iso2] = " ".join(country.names())
        for iso2, alias in CountryAlias.objects.values_list("country_id", "name"):  # "Swaziland", "Viet Nam"
            country_words[iso2] += " " + alias
        region_words = {region.pk: " ".join(region.names()) for region in regions}
        # A region's own other names ("West Africa"); not the scope words that name several ("Global").
        aliases = list(RegionAlias.objects.values_list("region_id", "name"))
        targets = Counter(fold(name) for _, name in aliases)
        for region_id, alias in aliases:
            if targets[fold(alias)] == 1:
                region_words[region_id] += " " + alias
        members: dict[int, set[str]] = defaultdict(set)
        for region_id, iso2 in Region.members.through.objects.values_list("region_id", "country_id"):
            members[region_id].add(iso2)
        countries = {}
        for region in regions:
            found: set[str] = set()
            for pk in tree.descendants([region.pk]):
                found |= by_m49_region[pk] | members[pk]
            countries[region.pk] = frozenset(found)

        term_tree = Tree(Term.objects)
        term_words: dict[int, list[str]] = {}
        terms = list(Term.objects.all())
        for term in terms:
            term_words[term.pk] = term.names()
        for term_id, alias in TermAlias.objects.values_list("term_id", "name"):
            term_words[term_id].append(alias)
        ancestors = {}
        for term in terms:
            chain, pk = [], term.pk
            while pk is not None and pk not in chain:
                chain.append(pk)
                pk = term_tree.parent.get(pk)
            ancestors[term.pk] = chain
        return cls(
            kind={region.pk: region.kind for region in regions},
            countries=countries,
            ancestors=ancestors,
            country_words=country_words,
            region_words=region_words,
            term_words={pk: " ".join(words) for pk, words in term_words.items()},
        )


@dataclass
class Row:
    """One initiative's facts, as read for a refresh."""

    pk: int
    title: str
    summary: str
    description: str
    countries: set[str]
    regions: set[int]
    terms: set[int]
    organisations: list[str]
    keywords: list[str]
    # What the CSV export shows of its relations: column -> values (slugs, ISO codes, names).
    cells: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))


def footprint(row: Row, places: Places) -> dict[str, tuple[int, int | None]]:
    """country -> (reach, via region): the most specific way the initiative reaches each country."""
    is_global = sum(places.kind[r] == "continent" for r in row.regions) >= GLOBAL_CONTINENTS
    best: dict[str, tuple[int, int, int | None]] = dict.fromkeys(row.countries, (Reach.COUNTRY, 0, None))
    for region in row.regions:
        key = (_reach_of(region, places, is_global), len(places.countries[region]))
        for country in places.countries[region]:
            if country not in best or key < best[country][:2]:
                best[country] = (*key, region)
    return {country: (reach, via) for country, (reach, _size, via) in best.items()}


def regions_reached(row: Row, served: set[str], places: Places) -> Iterator[tuple[int, int, int | None, bool]]:
    """(region, reach, via, specific) for every region the footprint meets."""
    is_global = sum(places.kind[r] == "continent" for r in row.regions) >= GLOBAL_CONTINENTS
    for region, members in places.countries.items():
        if not members or members.isdisjoint(served):
            continue
        # Targeting the region: naming a country of it, or a region within it (a global programme's continents aside).
        inside = [
            r
            for r in row.regions
            if places.countries[r]
            and places.countries[r] <= members
            and _reach_of(r, places, is_global) != Reach.GLOBAL
        ]
        specific = bool(inside) or not members.isdisjoint(row.countries)
        if not members.isdisjoint(row.countries):
            yield region, Reach.COUNTRY, None, specific
            continue
        ways = [
            (_reach_of(r, places, is_global), len(places.countries[r]), r)
            for r in row.regions
            if not places.countries[r].isdisjoint(members)
        ]
        reach, _size, via = min(ways)
        yield region, reach, via, specific


def _reach_of(region: int, places: Places, is_global: bool) -> int:
    if places.kind[region] == "continent":
        return Reach.GLOBAL if is_global else Reach.CONTINENT
    return Reach.REGION


def search_parts(row: Row, places: Places) -> tuple[str, str, str, str]:
    """The search document in four weights: title; summary, organisations, keywords; places, terms; description."""
    terms = {ancestor for term in row.terms for ancestor in places.ancestors.get(term, [term])}
    return (
        fold(row.title),
        fold(" ".join([row.summary, *row.organisations, *row.keywords])),
        fold(
            " ".join(
                [
                    *(places.country_words.get(c, "") for c in sorted(row.countries)),
                    *(places.region_words.get(r, "") for r in sorted(row.regions)),
                    *(places.term_words.get(t, "") for t in sorted(terms)),
                ]
            )
        ),
        fold(row.description),
    )


# The export's multi-valued columns, in this order in Initiative.export_cells.
EXPORT_COLUMNS = (
    "countries",
    "regions",
    "topics",
    "audiences",
    "modalities",
    "implementers",
    "funders",
    "partners",
    "sources",
)
# Implementers and funders are dimensions (initiatives.dimensions); partners are only shown.
ROLE_COLUMNS = {d.role: d.csv_column for d in DIMENSIONS if d.kind == "organisation"} | {"partner": "partners"}
CELL_SEPARATOR = "\x1e"  # between columns (record separator)
JOINER = "; "  # between the values of one column, as the CSV shows them


def export_cells(row: Row) -> str:
    """The CSV's multi-valued cells of one initiative, precomputed so the export reads one table."""
    return CELL_SEPARATOR.join(JOINER.join(sorted(row.cells.get(column, []))) for column in EXPORT_COLUMNS)


def _read(ids: list[int]) -> list[Row]:
    rows = {
        pk: Row(pk, title, summary, description, set(), set(), set(), [], [])
        for pk, title, summary, description in Initiative.objects.filter(pk__in=ids).values_list(
            "pk", "title", "summary", "description"
        )
    }
    for pk, iso2 in (
        THROUGH["countries"].objects.filter(initiative_id__in=ids).values_list("initiative_id", "country_id")
    ):
        rows[pk].countries.add(iso2)
        rows[pk].cells["countries"].append(iso2)
    for pk, region, slug in (
        THROUGH["regions"]
        .objects.filter(initiative_id__in=ids)
        .values_list("initiative_id", "region_id", "region__slug")
    ):
        rows[pk].regions.add(region)
        rows[pk].cells["regions"].append(slug)
    for name in ("topics", "audiences", "modalities"):
        for pk, term, slug in (
            THROUGH[name].objects.filter(initiative_id__in=ids).values_list("initiative_id", "term_id", "term__slug")
        ):
            rows[pk].terms.add(term)
            rows[pk].cells[name].append(slug)
    organisation_fields = ["organisation__name", "organisation__name_fr", "organisation__name_es"]
    for pk, org_name, name_fr, name_es, acronym, role in Participation.objects.filter(
        initiative_id__in=ids
    ).values_list("initiative_id", *organisation_fields, "organisation__acronym", "role"):
        # Found by its name in any of the three languages ("Banque mondiale", "Unión Africana").
        rows[pk].organisations += [org_name, name_fr, name_es, acronym]
        rows[pk].cells[ROLE_COLUMNS[role]].append(org_name)
    for pk, source, external_id in SourceRecord.objects.filter(initiative_id__in=ids).values_list(
        "initiative_id", "source__name", "external_id"
    ):
        rows[pk].cells["sources"].append(f"{source}: {external_id}" if external_id else source)
    for pk, tag in TaggedItem.objects.filter(
        content_type=ContentType.objects.get_for_model(Initiative), object_id__in=ids
    ).values_list("object_id", "tag__name"):
        rows[pk].keywords.append(tag)
    return list(rows.values())


def _refresh_chunk(ids: list[int], places: Places) -> None:
    rows = _read(ids)  # deleted initiatives are simply absent: their old rows go below and are not rewritten
    FootprintCountry.objects.filter(initiative_id__in=ids)._raw_delete(FootprintCountry.objects.db)
    RegionReach.objects.filter(initiative_id__in=ids)._raw_delete(RegionReach.objects.db)
    TermMembership.objects.filter(initiative_id__in=ids)._raw_delete(TermMembership.objects.db)
    footprints, reached, memberships = [], [], []
    for row in rows:
        served = footprint(row, places)
        footprints += [(row.pk, country, reach, via) for country, (reach, via) in served.items()]
        reached += [
            (row.pk, region, reach, via, specific)
            for region, reach, via, specific in regions_reached(row, set(served), places)
        ]
        terms = {ancestor for term in row.terms for ancestor in places.ancestors.get(term, [term])}
        memberships += [(row.pk, term) for term in terms]
    insert_rows(FootprintCountry, ["initiative_id", "country_id", "reach", "via_id"], footprints)
    insert_rows(RegionReach, ["initiative_id", "region_id", "reach", "via_id", "specific"], reached)
    insert_rows(TermMembership, ["initiative_id", "term_id"], memberships)
    _write_documents(ids, [(row.pk, export_cells(row), *search_parts(row, places)) for row in rows])


def insert_rows(model, columns: list[str], rows: list[tuple]) -> None:
    """Many rows in one go: these tables hold millions of rows at scale, and model instances
    would cost more than the writing (bulk_create builds one object per row)."""
    table = model._meta.db_table
    names = ", ".join(columns)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":  # in-process: executemany is one prepared statement
            placeholders = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({placeholders})", rows)
            return
        # PostgreSQL: COPY, one stream for all the rows (values are ids, ISO codes and booleans,
        # never tabs or newlines).
        text = io.StringIO("".join("\t".join(_copy_value(value) for value in row) + "\n" for row in rows))
        cursor.copy_expert(f"COPY {table} ({names}) FROM STDIN", text)


def _copy_value(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    return str(value)


def _write_documents(ids: list[int], documents: list[tuple[int, str, str, str, str, str]]) -> None:
    """(id, export cells, four weighted search parts) per initiative, in a few statements per chunk."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One UPDATE per batch; the weights are what ranking reads (title highest).
            for batch in batched(documents, 500):
                values = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(batch))
                cursor.execute(
                    f"""
                    UPDATE initiatives_initiative AS i SET export_cells = d.cells, search_vector =
                        setweight(to_tsvector('{SEARCH_CONFIG}', d.a), 'A')
                        || setweight(to_tsvector('{SEARCH_CONFIG}', d.b), 'B')
                        || setweight(to_tsvector('{SEARCH_CONFIG}', d.c), 'C')
                        || setweight(to_tsvector('{SEARCH_CONFIG}', d.d), 'D')
                    FROM (VALUES {values}) AS d(id, cells, a, b, c, d)
                    WHERE i.id = d.id
                    """,
                    [value for document in batch for value in document],
                )
            return
        cursor.executemany(
            "UPDATE initiatives_initiative SET export_cells = %s WHERE id = %s",
            [(cells, pk) for pk, cells, *_parts in documents],
        )
        if connection.vendor == "sqlite":
            placeholders = ", ".join(["%s"] * len(ids))
            cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({placeholders})", ids)
            cursor.executemany(
                f"INSERT INTO {FTS_TABLE} (rowid, title, body, places, description) VALUES (%s, %s, %s, %s, %s)",
                [(pk, *parts) for pk, _cells, *parts in documents],
            )


@transaction.atomic
def refresh_membership(initiative_ids: Iterable[int]) -> None:
    """Recompute the membership rows and search documents of these initiatives."""
    ids = sorted({int(pk) for pk in initiative_ids})
    if not ids:
        return
    places = Places.load()
    for chunk in batched(ids, CHUNK):
        _refresh_chunk(chunk, places)
    if len(ids) >= ANALYZE_AFTER:
        analyze_membership()
    new_revision()


@transaction.atomic
def rebuild_membership() -> int:
    """Recompute everything from scratch; returns the number of initiatives."""
    FootprintCountry.objects.all()._raw_delete(FootprintCountry.objects.db)
    RegionReach.objects.all()._raw_delete(RegionReach.objects.db)
    TermMembership.objects.all()._raw_delete(TermMembership.objects.db)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {FTS_TABLE}")
    ids = list(Initiative.objects.order_by("pk").values_list("pk", flat=True))
    places = Places.load()
    for chunk in batched(ids, CHUNK):
        _refresh_chunk(chunk, places)
    analyze_membership()
    new_revision()
    return len(ids)


def analyze_membership() -> None:
    """Fresh planner statistics after a bulk write, before autovacuum gets to it.

    A PostgreSQL plan chosen on statistics that say "empty" for tables that now hold
    millions of rows (nested loops over sequential scans) can run for minutes.
    """
    if connection.vendor != "postgresql":
        return
    tables = [model._meta.db_table for model in (Initiative, FootprintCountry, RegionReach, TermMembership)]
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {', '.join(tables)}")


# --- cached counts: keyed on the data revision, so a write makes every process recount

COUNT_CACHE_SECONDS = 24 * 60 * 60


def new_revision() -> None:
    DataRevision.objects.update_or_create(pk=1, defaults={"token": uuid.uuid4().hex})


# The revision a request already read (the page cache reads it first), so that its counts are
# cached under the same one, and not read twice.
_pinned_revision: ContextVar[str | None] = ContextVar("pinned_revision", default=None)


def revision() -> str:
    pinned = _pinned_revision.get()
    if pinned is not None:
        return pinned
    return DataRevision.objects.filter(pk=1).values_list("token", flat=True).first() or ""


@contextmanager
def revision_pinned(token: str):
    """Inside the block, revision() answers `token` without reading it (for read-only requests)."""
    reset = _pinned_revision.set(token)
    try:
        yield
    finally:
        _pinned_revision.reset(reset)


def cached_count(queryset, compute, *, token: str):
    """compute(queryset), cached under the revision token and the query's SQL (the counts it stands for)."""
    try:
        sql = str(queryset.query)
    except EmptyResultSet:  # .none(): nothing to count, nothing to cache
        return compute(queryset)
    key = "ccb-count:" + hashlib.sha256(f"{token}\x00{sql}".encode()).hexdigest()
    value = cache.get(key)
    if value is None:
        value = compute(queryset)
        cache.set(key, value, COUNT_CACHE_SECONDS)
    return value


# --- deferring: many changes to one initiative (an admin save with its inlines and
# many-to-many fields, a bulk load) refresh it once, at the end.

_local = threading.local()


@contextmanager
def deferred_refresh():
    """Collect refreshes inside the block and run them once when it ends without error."""
    if getattr(_local, "pending", None) is not None:
        yield  # already deferring: the outermost block refreshes
        return
    _local.pending = set()
    try:
        yield
        pending = _local.pending
    finally:
        _local.pending = None
    refresh_membership(pending)


def schedule_refresh(initiative_ids: Iterable[int]) -> None:
    """Refresh now, or at the end of the enclosing deferred_refresh() block."""
    pending = getattr(_local, "pending", None)
    if pending is None:
        refresh_membership(initiative_ids)
    else:
        pending.update(initiative_ids)


def initiatives_under_regions(region_ids: Iterable[int]) -> list[int]:
    """Initiatives whose footprint depends on these regions (for taxonomy edits)."""
    region_ids = list(region_ids)
    tree = Tree(Region.objects)
    related = set(tree.descendants(region_ids))
    for pk in region_ids:  # and every region above: their member sets changed too
        while (pk := tree.parent.get(pk)) is not None and pk not in related:
            related.add(pk)
    return list(
        THROUGH["regions"].objects.filter(region_id__in=related).values_list("initiative_id", flat=True).distinct()
    )


def initiatives_serving(countries: Iterable[str]) -> list[int]:
    """Initiatives whose footprint holds any of these countries (for changes to region membership)."""
    return list(
        FootprintCountry.objects.filter(country_id__in=list(countries))
        .values_list("initiative_id", flat=True)
        .distinct()
    )


def initiatives_under_terms(term_ids: Iterable[int]) -> list[int]:
    """Initiatives tagged with these terms or any term below them."""
    below = Tree(Term.objects).descendants(term_ids)
    ids: set[int] = set()
    for name in ("topics", "audiences", "modalities"):
        ids.update(THROUGH[name].objects.filter(term_id__in=below).values_list("initiative_id", flat=True))
    return list(ids)
