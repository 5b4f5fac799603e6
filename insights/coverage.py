"""The coverage matrix: places against topics (or target users, or modalities), and the gaps in it.

The matrix is a two-dimensional facet. The listing query (the parameters of /initiatives/)
chooses the initiatives, but the parameter of each axis does not narrow them: it chooses the
rows (``region``, or ``country`` in the country-level view) and the columns (``topic``,
``audience`` or ``modality``), the way a facet is counted without its own filter. So every
cell is "every other filter, this place, this term": a listing query, and the cell links to
that list. (Keeping, say, topic=cybercrime as a filter could not be linked: repeated values of
one parameter are ORed by the list.)

Each matrix is one grouped query on the membership tables: the places an initiative reaches
(RegionReach, or FootprintCountry for countries) joined to the terms it is under
(TermMembership, which holds every ancestor, so a parent term covers its children), grouped by
place and term, with a conditional count of those that target the place itself. It is read
through selectors.counted_in, so it is cached under the data revision.

Own parameters, next to the listing ones:
- ``rows``: ``subregions`` (default, the M49 sub-regions), ``continents`` or ``groupings``;
  ``region`` values, when given, are the rows instead (each with the regions inside it).
- ``columns``: ``topic`` (default: the top-level topics; ``topic`` values drill down to those
  topics and their sub-topics), ``audience`` or ``modality``.
- ``from`` and ``to``: years; initiatives active at any time in the range, which is the list's
  ``year`` filter with every year of the range (active in any of them = active during the
  range), so a range is at most MAX_VALUES years long. One of them alone is a single year.
- ``within``: a region slug; its member countries are the rows (``country`` values pick among them).
- ``specific=1`` counts only the initiatives that target the place itself, as on the list.
"""

import csv
import datetime
import io
import math
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import Count, F, Q, QuerySet
from django.http import QueryDict
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.text import slugify
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from initiatives.browsing import canonical_query
from initiatives.dimensions import TERM_DIMENSIONS
from initiatives.exports import safe_cell
from initiatives.filters import MAX_VALUES, MAX_YEAR, MIN_YEAR, SLUG_RE, InitiativeFilter
from initiatives.models import FootprintCountry, Initiative, Reach, RegionReach
from initiatives.selectors import Search, counted_in, ordered_regions, search_initiatives
from insights.models import Need
from insights.needs import matching_count
from taxonomy.models import Country, Region, Term, Tree

ROWS = {
    "subregions": (Region.Kind.SUB_REGION, gettext_lazy("Sub-region")),
    "continents": (Region.Kind.CONTINENT, gettext_lazy("Continent")),
    "groupings": (Region.Kind.GROUPING, gettext_lazy("Grouping")),
}
COLUMNS = {dimension.name: dimension for dimension in TERM_DIMENSIONS}  # topic, audience, modality
OWN_PARAMETERS = ("rows", "columns", "from", "to", "within")
MAX_PARAMETER_LENGTH = 100

# A cell counting this many initiatives or fewer is a gap: nobody, or one or two programmes,
# is thin cover for a region and a theme (and few enough to check by hand).
GAP_AT_MOST = 2
# The colour scale: bucket 0 is an empty cell, buckets 1-5 grow geometrically up to the
# largest cell of the matrix, so the scale works for a dozen initiatives and for 50,000.
BUCKETS = 5
# Fills of buckets 0-5, the same as the .heat-N classes of static/css/site.css, for the SVG.
FILLS = ("#ffffff", "#e6f0fa", "#c4dcf1", "#8dbbe3", "#4d8fcb", "#1d5a99")
TEXT_FILLS = ("#1b1f24",) * 5 + ("#ffffff",)

# Open needs checked for a matching initiative, most recently stated first. Each check is
# insights.needs.matching_count(need): a count of matching_initiatives(need), cached under the data
# revision and the need's listing query (shared with the needs pages). Cold, that is at most three
# queries per need (two slug lookups and the count); warm, none. So the needs cost at most
# 6 + 3 * MAX_NEEDS_CHECKED queries whatever the size of the data; the page says when there were more.
MAX_NEEDS_CHECKED = 15


@dataclass(frozen=True)
class Axes:
    """The matrix's own parameters, read."""

    rows: str = "subregions"
    columns: str = "topic"
    first: int | None = None
    last: int | None = None
    within: Region | None = None

    @property
    def years(self) -> list[int]:
        return list(range(self.first, self.last + 1)) if self.first else []

    @property
    def row_parameter(self) -> str:
        return "country" if self.within else "region"


@dataclass
class Cell:
    count: int  # what the cell counts: every initiative, or only those targeting the place with specific=1
    specific: int  # those that target the place itself
    url: str  # the list it counts
    bucket: int = 0

    @property
    def gap(self) -> bool:
        return self.count <= GAP_AT_MOST


@dataclass
class Row:
    key: str  # region slug or country code: the list's parameter value
    pk: int | str  # region id or country code: the membership tables' value
    label: str
    url: str  # a closer look: the country-level view of a region, or a country's page
    depth: int = 0
    group: str = ""
    cells: list[Cell] = field(default_factory=list)


@dataclass
class Column:
    key: str  # term slug
    pk: int
    label: str
    depth: int = 0
    url: str = ""  # the drill-down to its sub-terms, when it has some


@dataclass
class Band:
    """One step of the colour scale, for the legend."""

    bucket: int
    low: int
    high: int


@dataclass
class Coverage:
    """A matrix, read from a query. status is 200 or 400 (bad input, with errors to show)."""

    axes: Axes
    data: QueryDict  # the query as given
    listing: QueryDict  # the listing query every cell starts from (with the years of the range)
    status: int = 200
    errors: list[str] = field(default_factory=list)
    search: Search | None = None
    rows: list[Row] = field(default_factory=list)
    columns: list[Column] = field(default_factory=list)
    legend: list[Band] = field(default_factory=list)

    @property
    def specific_only(self) -> bool:
        return self.search is not None and self.search.valid and self.search.filterset.specific_only

    @property
    def column_label(self) -> str:
        return str(COLUMNS[self.axes.columns].label)

    @property
    def row_label(self) -> str:
        if self.axes.within:
            return _("Country")
        if self.search and self.search.valid and self.search.filterset.form.cleaned_data.get("region"):
            return _("Region")
        return str(ROWS[self.axes.rows][1])

    @property
    def groups(self) -> list[tuple[str, list[Row]]]:
        """Rows in runs of the same group (the continent of each sub-region), for <tbody> sections."""
        groups: list[tuple[str, list[Row]]] = []
        for row in self.rows:
            if not groups or groups[-1][0] != row.group:
                groups.append((row.group, []))
            groups[-1][1].append(row)
        return groups

    @cached_property
    def query(self) -> str:
        """This matrix's query string, for the CSV and SVG links."""
        return coverage_query(self.axes, self.listing).urlencode()

    @property
    def form_values(self) -> dict:
        """What the form shows: the query as given, so that a mistake can be corrected."""
        return {name: self.data.get(name, "")[:MAX_PARAMETER_LENGTH] for name in ("from", "to", "q")}

    @property
    def hidden_filters(self) -> list[tuple[str, str]]:
        """The listing filters the form has no field for, carried along when it is sent again."""
        shown = {"q", "specific", *OWN_PARAMETERS} | ({"year"} if self.axes.first else set())
        return [(name, value) for name in self.listing for value in self.listing.getlist(name) if name not in shown]

    @property
    def list_url(self) -> str:
        """The initiatives of the matrix, every place and term together, as a list."""
        query = self.listing.copy()
        for name in (self.axes.row_parameter, self.axes.columns):
            query.pop(name, None)
        return reverse("initiatives:list") + (f"?{query.urlencode()}" if query else "")

    @property
    def gap_count(self) -> int:
        return sum(cell.gap for row in self.rows for cell in row.cells)

    @property
    def active_filters(self) -> list[str]:
        """The listing filters that narrow the initiatives (not the axes, years or `specific`), as text."""
        if not self.search or not self.search.valid:
            return []
        shown = []
        filterset = self.search.filterset
        axes = {self.axes.row_parameter, self.axes.columns, "specific"} | ({"year"} if self.axes.first else set())
        for name, value in filterset.active_values().items():
            if name in axes:
                continue
            items = [value] if isinstance(value, str) else list(value)
            if name == "status":
                items = [Initiative.Status(item).label for item in items]
            label = filterset.filters[name].label or name
            shown.append(f"{label}: {', '.join(str(getattr(item, 'display_label', item)) for item in items)}")
        return shown


def coverage_query(axes: Axes, listing: QueryDict) -> QueryDict:
    """The coverage page's own query for these axes and listing filters (years as a range again)."""
    query = listing.copy()
    if axes.first:
        query.pop("year")
        query["from"], query["to"] = str(axes.first), str(axes.last)
    if axes.rows != "subregions":
        query["rows"] = axes.rows
    if axes.columns != "topic":
        query["columns"] = axes.columns
    if axes.within:
        query["within"] = axes.within.slug
    return query


# --- reading the parameters


def _text(data: QueryDict, name: str, errors: list[str]) -> str:
    value = data.get(name, "").strip()
    if len(value) > MAX_PARAMETER_LENGTH:
        errors.append(_("The value of “%(name)s” is too long.") % {"name": name})
        return ""
    return value


def _year(value: str, errors: list[str]) -> int | None:
    if not value:
        return None
    if value.isascii() and value.isdigit() and len(value) <= 4 and MIN_YEAR <= int(value) <= MAX_YEAR:
        return int(value)
    errors.append(
        _("“%(value)s” is not a year between %(min)d and %(max)d.")
        % {"value": value[:20], "min": MIN_YEAR, "max": MAX_YEAR}
    )
    return None


def read_axes(data: QueryDict) -> tuple[Axes, list[str]]:
    """The matrix's own parameters and what is wrong with them (unknown values, bad years)."""
    errors: list[str] = []
    rows = _text(data, "rows", errors).lower() or "subregions"
    if rows not in ROWS:
        errors.append(
            _("Unknown rows: “%(value)s”. Choose %(choices)s.") % {"value": rows[:40], "choices": ", ".join(ROWS)}
        )
        rows = "subregions"
    columns = _text(data, "columns", errors).lower() or "topic"
    if columns not in COLUMNS:
        errors.append(
            _("Unknown columns: “%(value)s”. Choose %(choices)s.")
            % {"value": columns[:40], "choices": ", ".join(COLUMNS)}
        )
        columns = "topic"

    first = _year(_text(data, "from", errors), errors)
    last = _year(_text(data, "to", errors), errors)
    first, last = first or last, last or first  # one year alone is that year
    if first and first > last:
        errors.append(_("The range starts in %(first)d, after it ends in %(last)d.") % {"first": first, "last": last})
        first = last = None
    elif first and last - first + 1 > MAX_VALUES:
        errors.append(_("Choose a range of at most %(max)d years.") % {"max": MAX_VALUES})
        first = last = None
    if first and any(value.strip() for value in data.getlist("year")):
        errors.append(_("Give the years either as a range (from, to) or as years (year), not both."))

    within = None
    slug = _text(data, "within", errors).lower()
    if slug:
        within = Region.objects.filter(slug=slug).first() if SLUG_RE.match(slug) else None
        if within is None:
            errors.append(_("Unknown %(what)s: “%(value)s”.") % {"what": _("region"), "value": slug[:60]})
    return Axes(rows=rows, columns=columns, first=first, last=last, within=within), errors


def listing_query(data: QueryDict, axes: Axes) -> QueryDict:
    """The listing parameters of the query, with the years of the range as the list's `year` filter."""
    query = canonical_query(data, drop=("page", "sort", *OWN_PARAMETERS))
    if axes.first:
        query.setlist("year", [str(year) for year in axes.years])
    return query


# --- the matrix


def _region_rows(axes: Axes, filterset: InitiativeFilter, coverage_base: QueryDict) -> list[Row]:
    """Regions as rows: the chosen ones with those inside them, or every region of a kind."""
    chosen = {region.pk for region in filterset.form.cleaned_data.get("region") or []}
    ordered = ordered_regions()
    if chosen:  # the chosen regions and every region inside them, in tree order
        children: dict[int, list[int]] = {}
        for region, _depth in ordered:
            if region.kind != Region.Kind.GROUPING and region.parent_id:
                children.setdefault(region.parent_id, []).append(region.pk)
        keep, frontier = set(chosen), list(chosen)
        while frontier:
            for child in children.get(frontier.pop(), []):
                if child not in keep:
                    keep.add(child)
                    frontier.append(child)
        parent = {region.pk: region.parent_id for region, _depth in ordered}

        def below_chosen(pk: int) -> int:  # steps up to the nearest chosen region
            steps = 0
            while pk not in chosen:
                pk, steps = parent[pk], steps + 1
            return steps

        shown = [(region, below_chosen(region.pk)) for region, _depth in ordered if region.pk in keep]
    else:
        kind = ROWS[axes.rows][0]
        shown = [(region, max(depth - 1, 0)) for region, depth in ordered if region.kind == kind]

    language = get_language()
    continents = {region.pk: region for region, _depth in ordered if region.kind == Region.Kind.CONTINENT}
    by_pk = {region.pk: region for region, _depth in ordered}
    rows = []
    for region, depth in shown:
        group = ""
        if not chosen and region.kind == Region.Kind.SUB_REGION:
            top = region
            while top.parent_id and top.parent_id in by_pk:
                top = by_pk[top.parent_id]
            group = continents[top.pk].localized_name(language) if top.pk in continents else ""
        closer = coverage_base.copy()
        closer["within"] = region.slug
        url = reverse("insights:coverage") + "?" + closer.urlencode()
        rows.append(Row(region.slug, region.pk, region.localized_name(language), url, depth, group))
    return rows


def _country_rows(within: Region, filterset: InitiativeFilter) -> list[Row]:
    """The member countries of a region (any depth, and grouping members), or the chosen ones among them."""
    countries = Region.objects.filter(pk=within.pk).with_descendants().countries()
    chosen = [country.pk for country in filterset.form.cleaned_data.get("country") or []]
    if chosen:
        countries = countries.filter(iso2__in=chosen)
    language = get_language()
    return [
        Row(country.iso2, country.iso2, country.localized_name(language), country.get_absolute_url())
        for country in countries.order_by("name")
    ]


def _columns(axes: Axes, filterset: InitiativeFilter, coverage_base: QueryDict) -> list[Column]:
    """Terms as columns in tree order: the top-level ones, or the chosen ones with those below them."""
    terms = list(Term.objects.of(axes.columns).order_by("order", "name"))
    children: dict[int | None, list[Term]] = {}
    for term in terms:
        children.setdefault(term.parent_id, []).append(term)
    chosen = filterset.form.cleaned_data.get(axes.columns) or []
    language = get_language()
    columns: list[Column] = []
    seen: set[int] = set()

    def add(term: Term, depth: int, deep: bool) -> None:
        if term.pk in seen:
            return
        seen.add(term.pk)
        url = ""
        if not deep and children.get(term.pk):  # a closer look: this term and those below it
            closer = coverage_base.copy()
            closer[axes.columns] = term.slug
            url = reverse("insights:coverage") + "?" + closer.urlencode()
        columns.append(Column(term.slug, term.pk, term.localized_name(language), depth, url))
        if deep:
            for child in children.get(term.pk, []):
                add(child, depth + 1, deep)

    if chosen:
        chosen_pks = {term.pk for term in chosen}
        for term in terms:  # vocabulary order, whatever the order of the parameters
            if term.pk in chosen_pks:
                add(term, 0, deep=True)
    else:
        for term in children.get(None, []):
            add(term, 0, deep=False)
    return columns


def _grouped_counts(
    base: QuerySet, axes: Axes, places: list, terms: list[int], token: str, strict: QuerySet | None = None
) -> list[tuple]:
    """(place, term, initiatives, of which specific): ONE grouped query joining two membership tables.

    `strict`, when given, is the set read with specific=1 (another place filter is active, and
    `specific` narrows it too): the specific count keeps only its initiatives, as the list would.
    """
    if axes.within:
        table, place, where, specific = FootprintCountry, "country_id", {"country__in": places}, Q(reach=Reach.COUNTRY)
    else:
        table, place, where, specific = RegionReach, "region_id", {"region__in": places}, Q(specific=True)
    if strict is not None:
        specific &= Q(initiative__in=strict.values("pk"))

    def rows(initiatives) -> QuerySet:
        # Each (initiative, place) and (initiative, term) pair is unique, so a joined row is one
        # initiative in one cell: a plain count, no DISTINCT.
        return (
            table.objects.filter(initiative__in=initiatives, initiative__term_memberships__term__in=terms, **where)
            .order_by()
            .values_list(place, "initiative__term_memberships__term_id")
            .annotate(n=Count("initiative_id"), specific=Count("initiative_id", filter=specific))
        )

    return counted_in(base, rows, list, token=token)


def scale(maximum: int) -> list[int]:
    """The lowest count of each bucket 1..BUCKETS: a geometric scale up to the largest cell."""
    if maximum <= 0:
        return []
    return [max(1, math.ceil(maximum ** (k / BUCKETS))) for k in range(BUCKETS)]


def bucket(count: int, lows: list[int]) -> int:
    if count <= 0:
        return 0
    return max(k + 1 for k, low in enumerate(lows) if low <= count)


def legend(lows: list[int], maximum: int) -> list[Band]:
    bands = [Band(0, 0, 0)]
    distinct = sorted(set(lows))
    for n, low in enumerate(distinct):
        high = distinct[n + 1] - 1 if n + 1 < len(distinct) else maximum
        bands.append(Band(bucket(low, lows), low, high))
    return bands


def _with_specific(listing: QueryDict) -> QueryDict:
    query = listing.copy()
    query["specific"] = "1"
    return query


def coverage_matrix(data: QueryDict) -> Coverage:
    """Read a coverage query and count its matrix; on bad input, status 400 and the errors."""
    axes, errors = read_axes(data)
    listing = listing_query(data, axes)
    search = search_initiatives(listing, facet_names=())
    result = Coverage(axes=axes, data=data, listing=listing, search=search, errors=errors)
    if not search.valid:
        result.errors += [message for messages in search.errors.values() for message in messages]
    if result.errors:
        result.status = 400
        return result

    filterset = search.filterset
    row_parameter, column_parameter = axes.row_parameter, axes.columns
    # Links to a closer look keep everything but the axis being looked into.
    coverage_base = coverage_query(axes, listing)
    coverage_base.pop(row_parameter, None)
    if axes.within:
        result.rows = _country_rows(axes.within, filterset)
    else:
        coverage_base.pop("within", None)
        result.rows = _region_rows(axes, filterset, coverage_base)
    columns_base = coverage_query(axes, listing)
    columns_base.pop(column_parameter, None)
    result.columns = _columns(axes, filterset, columns_base)

    base = filterset.filter_queryset(
        filterset.queryset.all(), exclude=frozenset({row_parameter, column_parameter, "sort"})
    ).order_by()
    # The bracketed count is what the same list shows with specific=1. That flag also narrows the
    # other place filter (country on a region matrix, region on a country matrix), so when one is
    # active the specific count is read from the set filtered that way too.
    strict = None
    if not filterset.specific_only and filterset.form.cleaned_data.get("region" if axes.within else "country"):
        strict_filterset = search_initiatives(_with_specific(listing), facet_names=()).filterset
        strict = strict_filterset.filter_queryset(
            strict_filterset.queryset.all(), exclude=frozenset({row_parameter, column_parameter, "sort"})
        ).order_by()
    places = sorted(row.pk for row in result.rows)
    terms = sorted(column.pk for column in result.columns)
    counts = {
        (place, term): (n, specific)
        for place, term, n, specific in _grouped_counts(base, axes, places, terms, search.token, strict)
    }

    # Every cell's list: the row's place, the column's term, then the other filters unchanged.
    rest = listing.copy()
    rest.pop(row_parameter, None)
    rest.pop(column_parameter, None)
    tail = ("&" + rest.urlencode()) if rest else ""
    list_url = reverse("initiatives:list")
    specific_only = filterset.specific_only
    for row in result.rows:
        for column in result.columns:
            n, specific = counts.get((row.pk, column.pk), (0, 0))
            url = f"{list_url}?{urlencode({row_parameter: row.key, column_parameter: column.key})}{tail}"
            row.cells.append(Cell(specific if specific_only else n, specific, url))

    maximum = max((cell.count for row in result.rows for cell in row.cells), default=0)
    lows = scale(maximum)
    for row in result.rows:
        for cell in row.cells:
            cell.bucket = bucket(cell.count, lows)
    result.legend = legend(lows, maximum)
    return result


# --- open needs in the places shown that no initiative answers


@dataclass
class UnansweredNeeds:
    needs: list[Need] = field(default_factory=list)
    checked: int = 0
    total: int = 0  # open needs in the places shown


def region_members() -> dict[int, set[str]]:
    """Every region's countries (M49 members at any depth, grouping members), in three small queries."""
    tree = Tree(Region.objects)
    direct: dict[int, set[str]] = defaultdict(set)
    for iso2, region_id in Country.objects.filter(region__isnull=False).values_list("iso2", "region_id"):
        direct[region_id].add(iso2)
    for region_id, iso2 in Region.members.through.objects.values_list("region_id", "country_id"):
        direct[region_id].add(iso2)
    return {pk: set().union(*(direct[below] for below in tree.descendants([pk]))) for pk in tree.parent}


def unanswered_needs(coverage: Coverage) -> UnansweredNeeds:
    """Published open needs located in the places shown with no matching initiative.

    A need is located there when its country is one of the rows' countries, or all the countries
    of its region are (ECOWAS's needs show on Western Africa's matrix, Africa's do not). At most
    MAX_NEEDS_CHECKED needs are checked, the most recently stated first (see above).
    """
    if coverage.status != 200 or not coverage.rows:
        return UnansweredNeeds()
    members = region_members()
    if coverage.axes.within:
        shown = {row.key for row in coverage.rows}
    else:
        shown = set().union(*(members.get(row.pk, set()) for row in coverage.rows))
    inside = [pk for pk, countries in members.items() if countries and countries <= shown]
    candidates = (
        Need.objects.published()
        .filter(state=Need.State.OPEN)
        .filter(Q(country__in=sorted(shown)) | Q(region__in=inside))
        .select_related("country", "region")
        .prefetch_related("topics")
        .order_by(F("stated_on").desc(nulls_last=True), "title")
    )
    total = candidates.count()
    checked = list(candidates[:MAX_NEEDS_CHECKED]) if total else []
    token = coverage.search.token
    unanswered = [need for need in checked if not matching_count(need, token=token)]
    return UnansweredNeeds(unanswered, len(checked), total)


# --- the same matrix as CSV and as an SVG heat map


def coverage_csv_text(coverage: Coverage) -> str:
    """One row per place; per term, the initiatives counted and those that target the place.

    With specific=1 only the second kind is counted, and only those columns are written.
    """
    output = io.StringIO()
    writer = csv.writer(output)
    header = ["country" if coverage.axes.within else "region", "name"]
    for column in coverage.columns:
        header += [f"{column.key} (specific)"] if coverage.specific_only else [column.key, f"{column.key} (specific)"]
    writer.writerow(header)
    for row in coverage.rows:
        values = [row.key, safe_cell(row.label)]
        for cell in row.cells:
            values += [cell.specific] if coverage.specific_only else [cell.count, cell.specific]
        writer.writerow(values)
    return "\ufeff" + output.getvalue()  # byte order mark: Excel then reads the file as UTF-8


def coverage_filename(coverage: Coverage, extension: str, today: datetime.date | None = None) -> str:
    """ccb-coverage-2026-11-23-subregions-topic-2020-2022.csv"""
    axes = coverage.axes
    parts = ["ccb-coverage", (today or datetime.date.today()).isoformat()]
    parts.append(axes.within.slug if axes.within else axes.rows)
    parts.append(axes.columns)
    if axes.first:
        parts += [str(axes.first), str(axes.last)]
    if coverage.specific_only:
        parts.append("specific")
    return slugify("-".join(parts))[:150].strip("-") + "." + extension


LABEL_WIDTH, HEADER_HEIGHT, CELL_WIDTH, CELL_HEIGHT = 230, 200, 64, 24
LONGEST_LABEL = 34  # characters; longer names are cut with an ellipsis (each cell's title has them whole)


@dataclass
class HeatCell:
    x: int
    y: int
    fill: str
    text_fill: str
    text: str
    title: str
    url: str
    gap: bool

    @property
    def text_x(self) -> int:
        return self.x + CELL_WIDTH // 2

    @property
    def text_y(self) -> int:
        return self.y + CELL_HEIGHT // 2 + 4


@dataclass
class HeatMap:
    """Where everything goes in the SVG: the grid, the labels and the legend."""

    width: int
    height: int
    grid_width: int
    grid_height: int
    cells: list[HeatCell]
    row_labels: list[tuple[int, int, str]]  # x, y, text
    column_labels: list[tuple[int, str]]  # x, text
    legend: list[tuple[int, str, str]]  # x, fill, text
    legend_y: int
    box_width: int = CELL_WIDTH - 1  # a hairline of white between squares
    box_height: int = CELL_HEIGHT - 1
    column_label_y: int = HEADER_HEIGHT - 8

    @property
    def how_to_read(self) -> str:
        # Here rather than in the .svg template, which makemessages does not read by default.
        return _("Darker is more; hatched cells are gaps. Each cell links to the list of initiatives it counts.")


def _shorten(label: str) -> str:
    return label if len(label) <= LONGEST_LABEL else label[: LONGEST_LABEL - 1].rstrip() + "…"


def heat_map(coverage: Coverage) -> HeatMap:
    """The matrix as a grid of coloured, linked squares (each with its numbers, and its title read aloud)."""
    cells, row_labels = [], []
    for r, row in enumerate(coverage.rows):
        y = HEADER_HEIGHT + r * CELL_HEIGHT
        row_labels.append((LABEL_WIDTH - 8, y + CELL_HEIGHT // 2 + 4, _shorten(("· " * row.depth) + row.label)))
        for c, (column, cell) in enumerate(zip(coverage.columns, row.cells, strict=True)):
            names = {"place": row.label, "term": column.label, "count": cell.count, "specific": cell.specific}
            if coverage.specific_only:
                text = str(cell.count)
                title = (
                    ngettext(
                        "%(place)s, %(term)s: %(count)d initiative targets the place",
                        "%(place)s, %(term)s: %(count)d initiatives target the place",
                        cell.count,
                    )
                    % names
                )
            else:
                text = f"{cell.count} ({cell.specific})"
                title = (
                    ngettext(
                        "%(place)s, %(term)s: %(count)d initiative, %(specific)d of them targeting the place",
                        "%(place)s, %(term)s: %(count)d initiatives, %(specific)d of them targeting the place",
                        cell.count,
                    )
                    % names
                )
            if cell.gap:
                title += " – " + _("gap")
            x = LABEL_WIDTH + c * CELL_WIDTH
            cells.append(HeatCell(x, y, FILLS[cell.bucket], TEXT_FILLS[cell.bucket], text, title, cell.url, cell.gap))
    grid_width = len(coverage.columns) * CELL_WIDTH
    grid_height = len(coverage.rows) * CELL_HEIGHT
    column_labels = [
        (LABEL_WIDTH + c * CELL_WIDTH + CELL_WIDTH // 2, _shorten(("· " * column.depth) + column.label))
        for c, column in enumerate(coverage.columns)
    ]
    legend = []
    for n, band in enumerate(coverage.legend):
        text = str(band.low) if band.low == band.high else f"{band.low}–{band.high}"
        legend.append((LABEL_WIDTH + n * 90, FILLS[band.bucket], text))
    legend_y = HEADER_HEIGHT + grid_height + 20
    return HeatMap(
        width=LABEL_WIDTH + grid_width + HEADER_HEIGHT,
        height=legend_y + 50,
        grid_width=grid_width,
        grid_height=grid_height,
        cells=cells,
        row_labels=row_labels,
        column_labels=column_labels,
        legend=legend,
        legend_y=legend_y,
    )
