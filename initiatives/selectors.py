"""Reads that combine filters. Every public read starts from published().

search_initiatives() is the one way to turn a URL query into initiatives: the
HTML list, the CSV export and the region, country, topic and audience pages
all call it. Facets and place counts read the membership tables
(initiatives.membership): each facet is one grouped query.
"""

import datetime
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from django.core.cache import cache
from django.db import connection
from django.db.models import Case, Count, IntegerField, Max, Min, Prefetch, Q, QuerySet, Value, When
from django.db.models.functions import ExtractYear, Greatest, Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django_filters import FilterSet

from initiatives.cards import cards
from initiatives.dimensions import BY_NAME, FACET_NAMES, Dimension
from initiatives.filters import MIN_YEAR, InitiativeFilter, published_filter
from initiatives.membership import COUNT_CACHE_SECONDS, batched, cached_count, fold, revision
from initiatives.models import (
    FootprintCountry,
    FormerSlug,
    Initiative,
    Organisation,
    OrganisationAlias,
    Participation,
    Reach,
    RegionReach,
    Source,
    SourceRecord,
    TermMembership,
)
from taxonomy.models import Country, Region, Term, Tree, Vocabulary, collation_key, name_in_language

MAX_ORGANISATION_OPTIONS = 25


@dataclass
class Option:
    value: str
    label: str
    count: int
    selected: bool = False
    depth: int = 0


@dataclass
class Facet:
    name: str
    label: str
    options: list[Option] = field(default_factory=list)

    @property
    def visible(self) -> list[Option]:
        """Options worth a click: those with results, and any already selected."""
        return [o for o in self.options if o.count or o.selected]


@dataclass
class FilteredQuery:
    """A URL query read through a FilterSet: whether it is valid, and its problems by parameter."""

    filterset: FilterSet

    @property
    def valid(self) -> bool:
        return self.filterset.is_valid()

    @property
    def errors(self) -> dict[str, list[str]]:
        return {name: list(messages) for name, messages in self.filterset.errors.items()}


@dataclass
class Search(FilteredQuery):
    """A listing query, read: the validated FilterSet, its errors, the ordered queryset and (on demand) facets."""

    filterset: InitiativeFilter
    facet_names: tuple[str, ...] = FACET_NAMES

    @cached_property
    def queryset(self) -> QuerySet:
        """The matching published initiatives, in the requested order. Only for a valid query."""
        return self.filterset.qs

    @cached_property
    def token(self) -> str:
        """The data revision the counts of this request are cached under (read once)."""
        return revision()

    @cached_property
    def count(self) -> int:
        return cached_count(self.queryset.order_by(), QuerySet.count, token=self.token)

    @cached_property
    def facets(self) -> list[Facet]:
        return facets(self.filterset, self.facet_names, token=self.token)


def published_at(slug: str, queryset: QuerySet | None = None) -> tuple[Initiative | None, str | None]:
    """The published initiative at this address, or else the slug it moved to (a merge left the old
    address as a former slug), or else (None, None): unknown and unpublished look the same."""
    initiative = (queryset if queryset is not None else Initiative.objects.published()).filter(slug=slug).first()
    if initiative is not None:
        return initiative, None
    published = Initiative.PublicationState.PUBLISHED
    former = FormerSlug.objects.filter(slug=slug, initiative__publication_state=published)
    return None, former.values_list("initiative__slug", flat=True).first()


def search_initiatives(data, *, facet_names: tuple[str, ...] = FACET_NAMES) -> Search:
    """Read a listing query (a QueryDict or dict of lists) over the published initiatives."""
    search = Search(published_filter(data), tuple(facet_names))
    search.filterset.is_valid()
    return search


# --- facets: counts that respect every other active filter, one grouped query each


def _selected(filterset, name: str) -> set[str]:
    value = filterset.form.cleaned_data.get(name) or []
    return {getattr(v, "slug", None) or getattr(v, "iso2", None) or v for v in value}


def counted_in(base: QuerySet, rows: Callable[[object], QuerySet], read: Callable, *, token: str):
    """read(rows(initiatives of `base`)): counts over a table joined to a filtered set, cached.

    On PostgreSQL the set's ids are read first and passed as a list. Left as a subquery, the
    planner may nest a loop over a sequential scan of a membership table it believes nearly
    empty (statistics go stale after bulk writes), which ran for minutes; with a list, the
    count is one scan or one index probe per id whatever the statistics. SQLite plans the
    subquery well and limits the number of parameters, so it keeps it.
    """
    subquery = base.order_by().values("pk")

    def compute(_query):
        if connection.vendor != "postgresql":
            return read(rows(subquery))
        return read(rows(list(subquery.values_list("pk", flat=True))))

    return cached_count(rows(subquery), compute, token=token)


def _grouped(model, key: str, **conditions) -> Callable[[object], QuerySet]:
    """Rows of a membership table for some initiatives, counted per `key` (each pair is unique)."""
    return lambda initiatives: (
        model.objects.filter(initiative__in=initiatives, **conditions)
        .order_by()
        .values_list(key)
        .annotate(n=Count("initiative_id"))
    )


def region_counts(base: QuerySet, *, token: str, specific: bool = False) -> dict[int, int]:
    """Initiatives of `base` per region whose footprint meets it."""
    conditions = {"specific": True} if specific else {}
    return counted_in(base, _grouped(RegionReach, "region_id", **conditions), dict, token=token)


def term_counts(base: QuerySet, terms: list[Term], *, token: str) -> dict[int, int]:
    """Initiatives of `base` per term, a term counting those tagged with any term below it."""
    rows = _grouped(TermMembership, "term_id", term__in=[t.pk for t in terms])
    return counted_in(base, rows, dict, token=token)


def ordered_regions() -> list[tuple[Region, int]]:
    """Continents, each followed by its sub-regions (depth-first), then the groupings: each level
    alphabetical in the active language."""
    regions = sorted(Region.objects.all(), key=lambda region: collation_key(region.display_name))
    children: dict[int | None, list[Region]] = {}
    for region in regions:
        if region.kind != Region.Kind.GROUPING:
            children.setdefault(region.parent_id, []).append(region)
    ordered: list[tuple[Region, int]] = []

    def walk(parent_id, depth):
        for region in children.get(parent_id, []):
            ordered.append((region, depth))
            walk(region.pk, depth + 1)

    walk(None, 0)
    ordered += [(r, 0) for r in regions if r.kind == Region.Kind.GROUPING]
    return ordered


def _region_facet(filterset, dimension: Dimension, context: dict) -> Facet:
    counts = region_counts(filterset.without(dimension.name), specific=filterset.specific_only, token=context["token"])
    chosen = _selected(filterset, dimension.name)
    options = [
        Option(r.slug, r.display_name, counts.get(r.pk, 0), r.slug in chosen, depth) for r, depth in ordered_regions()
    ]
    return Facet(dimension.name, str(dimension.label), options)


def _term_facet(filterset, dimension: Dimension, context: dict) -> Facet:
    if "terms" not in context:  # the vocabularies and their tree, read once for every term facet
        context["terms"] = list(Term.objects.select_related("vocabulary"))
        context["term_tree"] = Tree(Term.objects)
    terms = [t for t in context["terms"] if t.vocabulary.slug == dimension.vocabulary]
    counts = term_counts(filterset.without(dimension.name), terms, token=context["token"])
    chosen = _selected(filterset, dimension.name)
    tree = context["term_tree"]
    options = [Option(t.slug, t.display_name, counts.get(t.pk, 0), t.slug in chosen, tree.depth(t.pk)) for t in terms]
    return Facet(dimension.name, str(dimension.label), options)


def _status_facet(filterset, dimension: Dimension, context: dict) -> Facet:
    chosen = _selected(filterset, dimension.name)
    rows = filterset.without(dimension.name).values_list("status").annotate(n=Count("pk"))
    counts = cached_count(rows, dict, token=context["token"])
    options = [Option(v, label, counts.get(v, 0), v in chosen) for v, label in Initiative.Status.choices]
    return Facet(dimension.name, str(dimension.label), options)


def _organisation_facet(filterset, dimension: Dimension, context: dict) -> Facet:
    chosen = _selected(filterset, dimension.name)

    label = name_in_language("organisation__name")  # its SQL differs by language: so do the cached rows

    def rows(initiatives) -> QuerySet:
        return (
            Participation.objects.filter(role=dimension.role, initiative__in=initiatives)
            .values_list("organisation__slug", label)
            .annotate(n=Count("initiative_id"))
            .order_by("-n", label)
        )

    # The busiest organisations only, so the page stays light however many there are;
    # a selected one is always shown, with its count.
    base = filterset.without(dimension.name)
    busiest = counted_in(
        base, lambda initiatives: rows(initiatives)[:MAX_ORGANISATION_OPTIONS], list, token=context["token"]
    )
    options = [Option(slug, org_name, n, slug in chosen) for slug, org_name, n in busiest]
    missing = chosen - {o.value for o in options}
    if missing:
        counts = {slug: n for slug, _name, n in rows(base.values("pk")).filter(organisation__slug__in=missing)}
        options += [
            Option(org.slug, org.display_name, counts.get(org.slug, 0), True)
            for org in filterset.form.cleaned_data[dimension.name]
            if org.slug in missing
        ]
    return Facet(dimension.name, str(dimension.label), options)


FACET_BUILDERS = {
    "region": _region_facet,
    "term": _term_facet,
    "status": _status_facet,
    "organisation": _organisation_facet,
}


def facets(filterset, names=FACET_NAMES, *, token: str) -> list[Facet]:
    """The named facets, in the order of initiatives.dimensions, each counted without its own filter."""
    context: dict = {"token": token}
    return [
        FACET_BUILDERS[BY_NAME[name].kind](filterset, BY_NAME[name], context) for name in FACET_NAMES if name in names
    ]


# --- how each result reaches the place being browsed


@dataclass
class ReachLabel:
    reach: int
    text: str


def reach_text(reach: int, via: Region | None, *, place_is_country: bool, place_ids: set) -> str:
    """ "In this country", "Region-wide (ECOWAS)", "Continent-wide (Africa)" or "Global"."""
    if reach == Reach.COUNTRY:
        return _("In this country") if place_is_country else _("In named countries")
    if reach == Reach.GLOBAL:
        return _("Global")
    label = _("Continent-wide") if reach == Reach.CONTINENT else _("Region-wide")
    if via is None or via.pk in place_ids:
        return label
    return f"{label} ({via.display_name})"


def reach_labels(filterset, initiative_ids: list[int]) -> dict[int, ReachLabel]:
    """For a page of results filtered by place: how each reaches the chosen places (the closest way)."""
    data = filterset.form.cleaned_data
    countries, regions = data.get("country") or [], data.get("region") or []
    if not initiative_ids or not (countries or regions):
        return {}
    if countries:
        rows = FootprintCountry.objects.filter(initiative__in=initiative_ids, country__in=[c.pk for c in countries])
        place_ids = {c.pk for c in countries}
    else:
        rows = RegionReach.objects.filter(initiative__in=initiative_ids, region__in=[r.pk for r in regions])
        place_ids = {r.pk for r in regions}
    best: dict[int, tuple[int, Region | None]] = {}
    for pk, reach, via in rows.order_by("reach").values_list("initiative_id", "reach", "via"):
        best.setdefault(pk, (reach, via))
    vias = Region.objects.in_bulk({via for _reach, via in best.values() if via})
    return {
        pk: ReachLabel(reach, reach_text(reach, vias.get(via), place_is_country=bool(countries), place_ids=place_ids))
        for pk, (reach, via) in best.items()
    }


def chosen_countries(filterset) -> set[str]:
    """ISO codes of the places a listing is filtered by: the chosen countries, else the chosen regions'
    countries (a card names those of its countries first). A few queries however many results."""
    data = filterset.form.cleaned_data
    countries, regions = data.get("country") or [], data.get("region") or []
    if countries:
        return {country.iso2 for country in countries}
    if not regions:
        return set()
    chosen = Region.objects.filter(pk__in=[region.pk for region in regions])
    return set(chosen.with_descendants().countries().values_list("iso2", flat=True))


# --- pages


def home_summary() -> dict:
    """Counts, continents, topics and the latest updates for the home page."""
    published = Initiative.objects.published()
    token = revision()
    continents = sorted(
        Region.objects.filter(kind=Region.Kind.CONTINENT), key=lambda region: collation_key(region.display_name)
    )
    counts = region_counts(published, token=token)
    for continent in continents:
        continent.initiative_count = counts.get(continent.pk, 0)
    topics = list(Term.objects.topics().filter(parent__isnull=True))
    counts = term_counts(published, topics, token=token)
    for topic in topics:
        topic.initiative_count = counts.get(topic.pk, 0)

    def countries_served(initiatives) -> QuerySet:
        return FootprintCountry.objects.filter(initiative__in=initiatives).values("country").distinct()

    return {
        "counts": {
            "initiatives": cached_count(published, QuerySet.count, token=token),
            "organisations": cached_count(Organisation.objects.public(), QuerySet.count, token=token),
            "countries": counted_in(published, countries_served, QuerySet.count, token=token),
            "sources": Source.objects.count(),
        },
        "continents": continents,
        "topics": topics,
        # Cards as the list shows them (where, who implements and funds), in a few queries for all six.
        "latest": cards(published.order_by("-updated_at")[:6]),
    }


def region_overview() -> list[tuple[Region, int, int]]:
    """Every region as (region, depth, published initiatives reaching it), continents first, then groupings."""
    counts = region_counts(Initiative.objects.published(), token=revision())
    return [(region, depth, counts.get(region.pk, 0)) for region, depth in ordered_regions()]


def region_countries(region: Region) -> list[str]:
    """ISO codes of a region's countries: M49 members at any depth and grouping members."""
    return list(Region.objects.filter(pk=region.pk).with_descendants().countries().values_list("iso2", flat=True))


# --- the other mappings, compared side by side (/sources/)

REGIONS_TARGETED = 5  # per mapping: the M49 sub-regions (the smallest ones) its records target most
STRONGEST_SHOWN = 4  # per mapping: the rows of the comparison where it records the most of any mapping


@dataclass
class MappingCell:
    """One mapping's count in a row of the comparison, linking to exactly the initiatives it counts."""

    count: int
    url: str
    strongest: bool = False  # the most of any mapping in its row
    declared: bool = False  # the mapping says it covers this


@dataclass
class CoverageRow:
    label: str
    url: str  # the term's or region's own page
    cells: list[MappingCell]


@dataclass
class CoverageGroup:
    label: str
    rows: list[CoverageRow]


@dataclass
class Mapping:
    source: Source
    size: int  # the published initiatives it records
    list_url: str
    last_retrieved: datetime.date | None
    overlaps: list[MappingCell] = field(default_factory=list)  # with each mapping in turn, itself included
    strongest: list[str] = field(default_factory=list)  # where it records the most of any mapping...
    mostly: list[str] = field(default_factory=list)  # ...or else what most of its records are about
    targets: list[tuple[Region, int, str]] = field(default_factory=list)  # sub-region, count, list url


@dataclass
class SourceOverview:
    mappings: list[Mapping]
    coverage: list[CoverageGroup]


def initiatives_url(**params: str) -> str:
    """The public list for these parameters, e.g. initiatives_url(source="gfce-cybil", topic="cybercrime")."""
    return reverse("initiatives:list") + "?" + urlencode(params)


def overlap_url(a: Source, b: Source) -> str:
    """The initiatives two mappings both record (the list of one mapping's own when a is b)."""
    if a.pk == b.pk:
        return initiatives_url(source=a.slug)
    first, second = sorted([a.slug, b.slug])
    return reverse("initiatives:source_overlap", kwargs={"a": first, "b": second})


def recorded_by_all(sources: list[Source]) -> QuerySet:
    """Published initiatives that every one of these mappings records, by title."""
    initiatives = Initiative.objects.published()
    for source in sources:
        initiatives = initiatives.filter(pk__in=SourceRecord.objects.filter(source=source).values("initiative_id"))
    return initiatives.order_by(Lower("title"), "pk")


def _roots(parents: dict[int, int | None]) -> dict[int, int]:
    """Each node of a tree -> its top ancestor."""

    def root(pk: int) -> int:
        seen = set()
        while parents.get(pk) is not None and pk not in seen:
            seen.add(pk)
            pk = parents[pk]
        return pk

    return {pk: root(pk) for pk in parents}


def source_overview() -> SourceOverview:
    """The mappings side by side: what they declare, what their published records cover, their overlaps.

    A fixed number of queries however many mappings, records, terms and regions there are: the
    mappings with their declared terms and regions, the rows of the comparison, then four grouped
    queries over the published records: the latest retrieval, the overlaps (whose diagonal is each
    mapping's size), the terms and the regions they cover. Those are cached under the data
    revision, like the list's facets.
    """
    token = revision()
    with_vocabulary = Term.objects.select_related("vocabulary")
    sources = list(
        Source.objects.prefetch_related(
            Prefetch("topics", queryset=with_vocabulary), Prefetch("audiences", queryset=with_vocabulary), "regions"
        ).order_by("name", "pk")
    )
    terms = list(with_vocabulary.filter(vocabulary__slug__in=[Vocabulary.TOPIC, Vocabulary.AUDIENCE]))
    regions = list(Region.objects.order_by("name"))
    top_terms = [term for term in terms if term.parent_id is None]  # each counts its sub-terms too
    continents = [region for region in regions if region.kind == Region.Kind.CONTINENT]
    # Leaf sub-regions (Western Africa, not Sub-Saharan Africa): where records target, without nesting.
    parents = {region.parent_id for region in regions}
    smallest = [r for r in regions if r.kind == Region.Kind.SUB_REGION and r.pk not in parents]

    records = SourceRecord.objects.filter(initiative__publication_state=Initiative.PublicationState.PUBLISHED)
    initiatives = Count("initiative_id", distinct=True)  # an initiative may have two records of one source

    def grouped(rows: QuerySet) -> list[tuple]:
        return cached_count(rows.order_by(), list, token=token)

    last_retrieved = dict(grouped(records.values_list("source_id").annotate(last=Max("retrieved_on"))))
    pairs = records.values_list("source_id", "initiative__source_records__source_id").annotate(n=initiatives)
    overlaps = {(a, b): n for a, b, n in grouped(pairs)}
    # Every term each record is under, read in index order; the comparison keeps the top-level ones.
    by_term = {
        (source, term): n
        for source, term, n in grouped(
            records.values_list("source_id", "initiative__term_memberships__term_id").annotate(n=initiatives)
        )
    }
    by_region, targeting = {}, {}
    reached = records.filter(initiative__regions_reached__region__in=[r.pk for r in continents + smallest])
    for source, region_id, n, specific in grouped(
        reached.values_list("source_id", "initiative__regions_reached__region_id").annotate(
            n=initiatives,
            specific=Count("initiative_id", distinct=True, filter=Q(initiative__regions_reached__specific=True)),
        )
    ):
        by_region[source, region_id], targeting[source, region_id] = n, specific

    mappings = [
        Mapping(
            source,
            overlaps.get((source.pk, source.pk), 0),
            initiatives_url(source=source.slug),
            last_retrieved.get(source.pk),
        )
        for source in sources
    ]
    for mapping in mappings:
        mapping.overlaps = [
            MappingCell(overlaps.get((mapping.source.pk, other.pk), 0), overlap_url(mapping.source, other))
            for other in sources
        ]

    term_root = _roots({term.pk: term.parent_id for term in terms})
    region_root = _roots({region.pk: region.parent_id for region in regions})

    def row(item, parameter: str, counts: dict, declared: list[set[int]]) -> CoverageRow:
        cells = [
            MappingCell(
                counts.get((source.pk, item.pk), 0),
                initiatives_url(source=source.slug, **{parameter: item.slug}),
                declared=item.pk in declared[n],
            )
            for n, source in enumerate(sources)
        ]
        # The largest count stands out, ties shared, unless every mapping records as many.
        most = max((cell.count for cell in cells), default=0)
        least = min((cell.count for cell in cells), default=0)
        for cell in cells:
            cell.strongest = most > least and cell.count == most
        return CoverageRow(item.display_name, item.get_absolute_url(), cells)

    coverage = [
        CoverageGroup(
            _("Topics"),
            [
                row(term, "topic", by_term, [{term_root[t.pk] for t in s.topics.all()} for s in sources])
                for term in top_terms
                if term.vocabulary.slug == Vocabulary.TOPIC
            ],
        ),
        CoverageGroup(
            _("Target users"),
            [
                row(term, "audience", by_term, [{term_root[t.pk] for t in s.audiences.all()} for s in sources])
                for term in top_terms
                if term.vocabulary.slug == Vocabulary.AUDIENCE
            ],
        ),
        CoverageGroup(
            _("Continents"),
            [
                row(region, "region", by_region, [{region_root[r.pk] for r in s.regions.all()} for s in sources])
                for region in continents
            ],
        ),
    ]

    for n, mapping in enumerate(mappings):
        strongest = [(-r.cells[n].count, r.label) for group in coverage for r in group.rows if r.cells[n].strongest]
        mapping.strongest = [label for _count, label in sorted(strongest)[:STRONGEST_SHOWN]]
        if not mapping.strongest:
            for group in coverage:
                top = max(group.rows, key=lambda r: r.cells[n].count, default=None)
                if top and top.cells[n].count:
                    mapping.mostly.append(top.label)
        targeted = [
            (region, targeting[mapping.source.pk, region.pk])
            for region in smallest
            if targeting.get((mapping.source.pk, region.pk))
        ]
        mapping.targets = [
            (region, count, initiatives_url(source=mapping.source.slug, region=region.slug, specific="1"))
            for region, count in sorted(targeted, key=lambda pair: -pair[1])[:REGIONS_TARGETED]
        ]
    return SourceOverview(mappings, coverage)


# --- similar initiatives (the detail page): same topic, overlapping footprint, ranked

SIMILAR_CANDIDATES = 200  # the closest candidates, scored in Python: bounds the work on any data size
# How closely two footprints meet: the broader of the two reaches at their closest shared country...
PLACE_POINTS = {Reach.COUNTRY: 8, Reach.REGION: 5, Reach.CONTINENT: 2, Reach.GLOBAL: 1}
# ...then what else they share. A topic counts with its ancestors (TermMembership), so a shared
# sub-topic weighs more than a shared broad topic.
TOPIC_POINTS, AUDIENCE_POINTS, ORGANISATION_POINTS, DATES_POINTS = 4, 1, 2, 1
UNPUBLISHED_STATES = sorted(set(Initiative.PublicationState.values) - {Initiative.PublicationState.PUBLISHED})


@dataclass
class Similar:
    initiative: Initiative
    score: int
    reasons: list[str]


def _closest(initiative: Initiative, footprint: dict[str, tuple[int, int | None, str | None]], topics: list[int]):
    """{pk: closeness} of the SIMILAR_CANDIDATES published initiatives sharing a topic term and a country
    whose footprints meet this one's most closely, then share the most topic terms, then are newest.

    Closeness is a Reach: the smallest, over the shared countries, of the broader of the two reaches.
    It is read without going through every country of a wide footprint: the countries this initiative
    names are compared one by one (FootprintCountry); each beneficiary region it covers whole (a
    footprint `via`) is compared at once, with the candidate's closest reach into it (RegionReach).
    Where this initiative is global, every candidate meeting it there is as close (Reach.GLOBAL), so
    only those sharing the most topic terms are looked up. Each step is one grouped query on an index.
    """
    sharing = dict(  # candidate -> topic terms shared (its terms include their ancestors)
        TermMembership.objects.filter(term__in=topics)
        .exclude(initiative=initiative.pk)
        .values_list("initiative_id")
        .annotate(n=Count("term_id"))
        .order_by()
    )
    for pk in Initiative.objects.filter(publication_state__in=UNPUBLISHED_STATES).values_list("pk", flat=True):
        sharing.pop(pk, None)
    closeness: dict[int, int] = {}

    def meet(rows) -> None:
        for pk, reach in rows:
            if pk in sharing and reach < closeness.get(pk, len(Reach)):
                closeness[pk] = reach

    named = [country for country, (reach, _via, _name) in footprint.items() if reach == Reach.COUNTRY]
    if named:
        rows = FootprintCountry.objects.filter(country__in=named).values_list("initiative_id")
        meet(rows.annotate(closest=Min("reach")).order_by())
    covered = {via: reach for reach, via, _name in footprint.values() if via and reach != Reach.GLOBAL}
    if covered:
        number = IntegerField()
        mine = Case(*(When(region=via, then=Value(reach)) for via, reach in covered.items()), output_field=number)
        rows = RegionReach.objects.filter(region__in=list(covered)).values_list("initiative_id")
        meet(rows.annotate(closest=Min(Greatest(mine, "reach", output_field=number))).order_by())
    best = sorted(closeness, key=lambda pk: (closeness[pk], -sharing[pk], -pk))[:SIMILAR_CANDIDATES]

    worldwide = {via for reach, via, _name in footprint.values() if reach == Reach.GLOBAL}
    if worldwide and len(best) < SIMILAR_CANDIDATES:
        rest = sorted((pk for pk in sharing if pk not in closeness), key=lambda pk: (-sharing[pk], -pk))
        for chunk in batched(rest[: 3 * SIMILAR_CANDIDATES], SIMILAR_CANDIDATES):  # at most three lookups
            meeting = RegionReach.objects.filter(initiative__in=chunk, region__in=worldwide)
            found = set(meeting.values_list("initiative_id", flat=True))
            for pk in [pk for pk in chunk if pk in found][: SIMILAR_CANDIDATES - len(best)]:
                closeness[pk] = Reach.GLOBAL
                best.append(pk)
            if len(best) == SIMILAR_CANDIDATES:
                break
    return {pk: closeness[pk] for pk in best}


def _dates_overlap(a_start, a_end, b_start, b_end) -> bool:
    """Whether two periods meet; an open end runs on, an unknown start meets nothing."""
    if not a_start or not b_start:
        return False
    return a_start <= (b_end or datetime.date.max) and b_start <= (a_end or datetime.date.max)


def _listed(names: list[str], limit: int = 2) -> str:
    names = sorted(set(names))
    if len(names) > limit:
        return _("%(names)s and %(count)d more") % {"names": ", ".join(names[:limit]), "count": len(names) - limit}
    return ", ".join(names)


def _place_reason(closeness: int, shared: list[tuple[int, str, str | None]]) -> str:
    """ "Also in Nigeria", "Same region: ECOWAS", "Same continent: Africa" or "Global in scope"."""
    closest = [(country, via) for level, country, via in shared if level == closeness]
    if closeness == Reach.COUNTRY:
        return _("Also in %(places)s") % {"places": _listed([country for country, _via in closest])}
    vias = [via for _country, via in closest if via]
    if closeness == Reach.REGION and vias:
        return _("Same region: %(places)s") % {"places": _listed(vias)}
    if closeness == Reach.CONTINENT and vias:
        return _("Same continent: %(places)s") % {"places": _listed(vias)}
    return _("Global in scope")


def _reasons(terms: dict, shared: list[int], organisations: list[Organisation], place: str) -> list[str]:
    """Why a candidate is similar: its most specific shared topics, the place, target users, organisations."""
    topics = [t for t in shared if terms[t][0] == Vocabulary.TOPIC]
    # A shared sub-topic says more than its parent, which every such pair shares too.
    specific = [terms[t][1] for t in topics if not any(terms[other][2] == t for other in topics)]
    reasons = [
        ngettext("Same topic: %(names)s", "Same topics: %(names)s", len(specific)) % {"names": _listed(specific)},
        place,
    ]
    audiences = [terms[t][1] for t in shared if terms[t][0] == Vocabulary.AUDIENCE]
    if audiences:
        reasons.append(_("Same target users: %(names)s") % {"names": _listed(audiences)})
    if organisations:
        names = _listed([o.display_label for o in organisations])
        reasons.append(_("Same implementer or funder: %(names)s") % {"names": names})
    return reasons


def similar_initiatives(initiative: Initiative, limit: int = 5) -> list[Similar]:
    """Published initiatives sharing a topic and a country of the footprint, best first, each with why.

    Ranked by the closeness of the footprints (both in the country, then region-wide, continent-wide,
    global), shared topics, shared target users, shared implementers or funders and overlapping dates,
    then the most recent start. Scores the SIMILAR_CANDIDATES closest (see _closest) in Python, so
    the work is bounded on any data size: at most a dozen queries, none per candidate. Reads
    initiative.participations as with_related() prefetches it.
    """
    terms = {
        pk: (vocabulary, name, parent)
        for pk, vocabulary, name, parent in TermMembership.objects.filter(initiative=initiative).values_list(
            "term_id", "term__vocabulary__slug", name_in_language("term__name"), "term__parent_id"
        )
    }
    topics = [pk for pk, (vocabulary, _name, _parent) in terms.items() if vocabulary == Vocabulary.TOPIC]
    audiences = [pk for pk, (vocabulary, _name, _parent) in terms.items() if vocabulary == Vocabulary.AUDIENCE]
    footprint = {
        country: (reach, via, via_name)
        for country, reach, via, via_name in FootprintCountry.objects.filter(initiative=initiative).values_list(
            "country_id", "reach", "via_id", name_in_language("via__name")
        )
    }
    if not topics or not footprint:
        return []
    closeness = _closest(initiative, footprint, topics)
    candidates = Initiative.objects.published().filter(pk__in=list(closeness))
    candidates = candidates.only("slug", "title", "status", "start_date", "end_date").in_bulk()
    if not candidates:
        return []
    ids = list(candidates)

    shared_terms: dict[int, list[int]] = defaultdict(list)
    for pk, term in TermMembership.objects.filter(initiative__in=ids, term__in=topics + audiences).values_list(
        "initiative_id", "term_id"
    ):
        shared_terms[pk].append(term)
    roles = [Participation.Role.IMPLEMENTER, Participation.Role.FUNDER]
    organisations = {p.organisation_id: p.organisation for p in initiative.participations.all() if p.role in roles}
    shared_organisations: dict[int, set[int]] = defaultdict(set)
    for pk, organisation in Participation.objects.filter(
        initiative__in=ids, organisation__in=list(organisations), role__in=roles
    ).values_list("initiative_id", "organisation_id"):
        shared_organisations[pk].add(organisation)

    def score(candidate: Initiative) -> int:
        shared = shared_terms[candidate.pk]
        return (
            PLACE_POINTS[closeness[candidate.pk]]
            + TOPIC_POINTS * sum(terms[t][0] == Vocabulary.TOPIC for t in shared)
            + AUDIENCE_POINTS * sum(terms[t][0] == Vocabulary.AUDIENCE for t in shared)
            + ORGANISATION_POINTS * len(shared_organisations[candidate.pk])
            + DATES_POINTS
            * _dates_overlap(initiative.start_date, initiative.end_date, candidate.start_date, candidate.end_date)
        )

    scores = {pk: score(candidate) for pk, candidate in candidates.items()}
    best = sorted(
        candidates.values(),
        key=lambda c: (-scores[c.pk], -(c.start_date or datetime.date.min).toordinal(), c.title.lower(), c.pk),
    )[:limit]

    places: dict[int, list[tuple[int, str, str | None]]] = defaultdict(list)
    for pk, country, name, reach, via in FootprintCountry.objects.filter(
        initiative__in=[c.pk for c in best], country__in=list(footprint)
    ).values_list(
        "initiative_id", "country_id", name_in_language("country__name"), "reach", name_in_language("via__name")
    ):
        my_reach, _my_via, my_via_name = footprint[country]
        # The broader of the two reaches decides how closely they meet there, and names the region.
        places[pk].append((max(reach, my_reach), name, via if reach >= my_reach else my_via_name))
    return [
        Similar(
            candidate,
            scores[candidate.pk],
            _reasons(
                terms,
                shared_terms[candidate.pk],
                [organisations[o] for o in sorted(shared_organisations[candidate.pk])],
                _place_reason(closeness[candidate.pk], places[candidate.pk]),
            ),
        )
        for candidate in best
    ]


def cached_similar_initiatives(initiative: Initiative, limit: int = 5) -> list[Similar]:
    """similar_initiatives(), cached under the data revision (any write recomputes it) and the language of
    its reasons: a detail page then costs one query for them instead of a dozen grouped ones."""
    key = f"ccb-similar:{revision()}:{get_language()}:{initiative.pk}:{limit}"
    similar = cache.get(key)
    if similar is None:
        similar = similar_initiatives(initiative, limit)
        cache.set(key, similar, COUNT_CACHE_SECONDS)
    return similar


# --- bar charts: region, topic, audience and organisation pages summarised by topic, place and year
#
# Each bar links to a filtered list and its count is that list's total: the counts are read from the
# same membership tables as the list's filters and facets, one grouped query per chart, cached under
# the data revision (counted_in). Charts list only what has initiatives.

YEARS_CHARTED = 15  # the "by year" chart: at most this many years, up to the current one
TOP_COUNTRIES = 10  # a region page charts its busiest countries and links to all of them
BAR_STEPS = 20  # bar lengths in 5 % steps, as CSS classes .w0 to .w20: the CSP forbids inline styles


@dataclass
class Bar:
    label: str
    count: int
    url: str  # the list this bar counts
    page_url: str = ""  # the place's or term's own page, when it has one
    depth: int = 0  # a sub-region or sub-term, indented under its parent
    step: int = 0  # length in BAR_STEPS of the chart's longest bar (set by BarChart)


@dataclass
class BarChart:
    caption: str
    heading: str  # what each bar is (a topic, a region, a year): the label column's heading
    bars: list[Bar]
    more_url: str = ""  # everything the chart leaves out, when it shows only the busiest
    more_label: str = ""

    def __post_init__(self) -> None:
        longest = max((bar.count for bar in self.bars), default=0)
        for bar in self.bars:
            # Proportional to the longest bar; a count of one among hundreds still shows a sliver.
            bar.step = max(round(BAR_STEPS * bar.count / longest), 1) if bar.count else 0


def _list_url(query: str, **params: str) -> str:
    """The list for the page's own query (e.g. "region=africa") narrowed by one more parameter."""
    return reverse("initiatives:list") + "?" + "&".join(part for part in (query, urlencode(params)) if part)


def _term_bars(base: QuerySet, vocabulary: str, query: str, *, token: str, top_level: bool = False) -> list[Bar]:
    """Initiatives of `base` per term of a vocabulary, in its curated order; a term counts its sub-terms."""
    terms = list(Term.objects.of(vocabulary).select_related("vocabulary"))
    parents = {term.pk: term.parent_id for term in terms}
    if top_level:
        terms = [term for term in terms if term.parent_id is None]
    counts = term_counts(base, terms, token=token)

    def depth(pk: int) -> int:
        return 0 if parents.get(pk) is None else 1 + depth(parents[pk])

    return [
        Bar(
            term.display_name,
            counts[term.pk],
            _list_url(query, **{vocabulary: term.slug}),
            term.get_absolute_url(),
            depth(term.pk),
        )
        for term in terms
        if counts.get(term.pk)
    ]


def _region_bars(regions: list[tuple[Region, int]], counts: dict[int, int], query: str, **extra: str) -> list[Bar]:
    return [
        Bar(
            region.display_name,
            counts[region.pk],
            _list_url(query, region=region.slug, **extra),
            region.get_absolute_url(),
            depth,
        )
        for region, depth in regions
        if counts.get(region.pk)
    ]


def _m49_regions() -> list[tuple[Region, int]]:
    """Continents and their sub-regions, nested: a chart of places that do not overlap within a level."""
    return [(region, depth) for region, depth in ordered_regions() if region.kind != Region.Kind.GROUPING]


def _regions_below(region: Region) -> list[tuple[Region, int]]:
    """A region's sub-regions at any depth, nested (depth 0 for its children)."""
    ordered = ordered_regions()
    for index, (candidate, depth) in enumerate(ordered):
        if candidate.pk == region.pk:
            below = []
            for other, other_depth in ordered[index + 1 :]:
                if other_depth <= depth:
                    break
                below.append((other, other_depth - depth - 1))
            return below
    return []


def year_counts(base: QuerySet, *, token: str, this_year: int | None = None) -> list[tuple[int, int]]:
    """(year, initiatives of `base` active during it), what `?year=` lists, for the YEARS_CHARTED years up to
    this one, from the first with any.

    One grouped query reads how many initiatives start and end in each pair of years, and the years
    are counted from those pairs in Python: a few hundred pairs at most, however many initiatives.
    An initiative without a start date is active in no year; without an end date, in every year from
    its start (as the filter has it).
    """
    this_year = this_year or timezone.localdate().year

    def rows(initiatives) -> QuerySet:
        return (
            Initiative.objects.filter(pk__in=initiatives, start_date__isnull=False)
            .annotate(start_year=ExtractYear("start_date"), end_year=ExtractYear("end_date"))
            .values_list("start_year", "end_year")
            .annotate(n=Count("pk"))
            .order_by()
        )

    spans = counted_in(base, rows, list, token=token)
    counts = [
        (year, sum(n for start, end, n in spans if start <= year and (end is None or end >= year)))
        for year in range(max(this_year - YEARS_CHARTED + 1, MIN_YEAR), this_year + 1)
    ]
    while counts and not counts[0][1]:
        counts.pop(0)
    return counts


def _year_chart(base: QuerySet, query: str, *, token: str) -> BarChart:
    bars = [Bar(str(year), n, _list_url(query, year=str(year))) for year, n in year_counts(base, token=token)]
    return BarChart(_("Active by year"), _("Year"), bars)


def region_charts(region: Region, filterset: InitiativeFilter, *, query: str, countries: list[str]) -> list[BarChart]:
    """A region page's initiatives by topic, by sub-region, by country (the busiest) and by year.

    `query` is the page's list query ("region=africa", with "&specific=1" when the visitor keeps only
    those targeting the region). A sub-region's bar counts what its own list holds (`?region=` the
    sub-region, targeting it when `specific`), which without `specific` is the part of this region's
    initiatives that reaches it.
    """
    token = revision()
    base = filterset.qs
    specific = filterset.specific_only
    flag = {"specific": "1"} if specific else {}
    charts = [BarChart(_("By topic"), _("Topic"), _term_bars(base, Vocabulary.TOPIC, query, token=token))]

    below = _regions_below(region)
    if below:
        counts = region_counts(filterset.without("region"), specific=specific, token=token)
        charts.append(BarChart(_("By sub-region"), _("Region"), _region_bars(below, counts, "", **flag)))

    def served(initiatives) -> QuerySet:
        rows = FootprintCountry.objects.filter(initiative__in=initiatives, country__in=countries)
        if specific:  # as `?country=` reads with `specific`: those naming the country itself
            rows = rows.filter(reach=Reach.COUNTRY)
        # Grouped by code alone: joining the names in slowed this query tenfold (SQLite, 50,000 initiatives).
        return rows.values_list("country_id").annotate(n=Count("initiative_id")).order_by()

    counts = dict(counted_in(base, served, list, token=token))
    served_countries = sorted(
        Country.objects.filter(iso2__in=list(counts)),
        key=lambda country: (-counts[country.iso2], collation_key(country.display_name)),
    )
    bars = [
        Bar(
            country.display_name,
            counts[country.iso2],
            _list_url(query, country=country.iso2),
            country.get_absolute_url(),
        )
        for country in served_countries[:TOP_COUNTRIES]
    ]
    chart = BarChart(_("By country"), _("Country"), bars)
    if len(served_countries) > TOP_COUNTRIES:
        chart.caption = _("The %(count)d busiest countries") % {"count": TOP_COUNTRIES}
        # The countries index counts the same initiatives for every country, on a map.
        chart.more_url = reverse("initiatives:countries") + f"?{query}"
        chart.more_label = _("All countries, with a map")
    charts.append(chart)
    charts.append(_year_chart(base, query, token=token))
    return [chart for chart in charts if chart.bars]


def charts_by(filterset: InitiativeFilter, *, query: str, names: list[str]) -> list[BarChart]:
    """A page's initiatives (a topic's, an audience's, a country's) by each of `names` ("region" or a
    vocabulary slug), then by year; `query` is the page's list query, which each bar narrows.

    The region chart shows the UN M49 continents and sub-regions (groupings overlap them: they stay
    in the list's region facet).
    """
    token = revision()
    base = filterset.qs
    charts = []
    for name in names:
        label = BY_NAME[name].label
        caption = _("By %(facet)s") % {"facet": str(label).lower()}
        if name == "region":
            counts = region_counts(base, token=token)
            charts.append(BarChart(caption, str(label), _region_bars(_m49_regions(), counts, query)))
        else:
            charts.append(BarChart(caption, str(label), _term_bars(base, BY_NAME[name].vocabulary, query, token=token)))
    charts.append(_year_chart(base, query, token=token))
    return [chart for chart in charts if chart.bars]


@dataclass
class RoleSummary:
    label: str  # "Implements", "Funds"
    total: int
    list_url: str
    charts: list[BarChart]


@dataclass
class OrganisationSummary:
    roles: list[RoleSummary]  # implementing and funding, each with its charts
    partner_in: int
    first_year: int | None  # the earliest start of the published initiatives it takes part in
    last_year: int | None  # their latest end
    open_ended: bool  # one of them has no end date

    @property
    def years(self) -> str:
        """ "2014–2026", "since 2014" or "" (no dates)."""
        if self.first_year is None:
            return ""
        if self.open_ended or self.last_year is None:
            return _("since %(year)d") % {"year": self.first_year}
        if self.last_year == self.first_year:
            return str(self.first_year)
        return f"{self.first_year}–{self.last_year}"


def organisation_summary(organisation: Organisation, roles: dict[str, InitiativeFilter]) -> OrganisationSummary:
    """What an organisation does, at a glance: per role (`roles` holds the FilterSet of each role's list,
    e.g. `?implementer=giz`) its total and its initiatives by topic, continent and year; how many it is a
    partner in; the years its published initiatives span. A fixed number of queries: three grouped ones
    per role, a count and one aggregate."""
    token = revision()
    labels = {"implementer": _("Implements"), "funder": _("Funds")}
    summaries = []
    continents = [(region, 0) for region, _depth in ordered_regions() if region.kind == Region.Kind.CONTINENT]
    for role, filterset in roles.items():
        base = filterset.qs
        total = cached_count(base.order_by(), QuerySet.count, token=token)  # the key Search.count uses
        if not total:
            continue
        query = urlencode({role: organisation.slug})
        counts = region_counts(base, token=token)
        charts = [
            BarChart(_("By topic"), _("Topic"), _term_bars(base, Vocabulary.TOPIC, query, token=token, top_level=True)),
            BarChart(
                _("By continent"),
                _("Region"),
                _region_bars(continents, counts, query),
            ),
            _year_chart(base, query, token=token),
        ]
        summaries.append(RoleSummary(labels[role], total, _list_url(query), [chart for chart in charts if chart.bars]))

    taking_part = Initiative.objects.published().filter(
        pk__in=organisation.participations.values("initiative_id"), start_date__isnull=False
    )
    span = taking_part.aggregate(
        first=Min("start_date"), last=Max("end_date"), open_ended=Count("pk", filter=Q(end_date__isnull=True))
    )
    partner_in = (
        Initiative.objects.published()
        .filter(pk__in=organisation.participations.filter(role=Participation.Role.PARTNER).values("initiative_id"))
        .count()
    )
    return OrganisationSummary(
        summaries,
        partner_in,
        span["first"].year if span["first"] else None,
        span["last"].year if span["last"] else None,
        bool(span["open_ended"]),
    )


# --- the organisations table (/organisations/): sorted and filtered from the URL

ORGANISATION_SORTS = ("name", "-name", "implements", "-implements", "funds", "-funds")
ORGANISATION_PAGE_SIZE = 50  # rows of the organisations table: a page within the 60 KB budget
# Cards per role on an organisation page, which keeps it within the budget with its charts (they
# summarise every initiative; the list has them all).
ORGANISATION_SLICE = 10
MAX_ORGANISATION_SEARCH = 100


@dataclass
class SortLink:
    url: str
    aria_sort: str = ""  # "ascending" or "descending" on the column the table is sorted by

    @property
    def arrow(self) -> str:
        return {"ascending": "↑", "descending": "↓"}.get(self.aria_sort, "")


@dataclass
class OrganisationTable:
    organisations: list[Organisation]
    q: str = ""
    kind: str = ""
    sort: str = "name"
    errors: list[str] = field(default_factory=list)
    sort_links: dict[str, SortLink] = field(default_factory=dict)  # by column: name, implements, funds

    @property
    def filtered(self) -> bool:
        return bool(self.q or self.kind)

    @property
    def kinds(self) -> list[tuple[str, str]]:
        return Organisation.Kind.choices


def organisation_table(data) -> OrganisationTable:
    """Public organisations with their published initiatives by role, filtered by `q` (any of their
    names, acronym or aliases, ignoring case and accents) and `kind`, sorted by `sort`. Invalid values
    leave the table empty with `errors` saying why."""
    q = " ".join(data.get("q", "").split())
    kind = data.get("kind", "").strip()
    sort = data.get("sort", "").strip() or "name"
    errors = []
    if len(q) > MAX_ORGANISATION_SEARCH:
        errors.append(_("The search is too long: at most %(max)d characters.") % {"max": MAX_ORGANISATION_SEARCH})
    if kind and kind not in Organisation.Kind.values:
        errors.append(_("Unknown kind of organisation: “%(value)s”.") % {"value": kind[:60]})
    if sort not in ORGANISATION_SORTS:
        errors.append(_("Unknown sort order: “%(value)s”.") % {"value": sort[:60]})
    table = OrganisationTable([], q, kind, sort if sort in ORGANISATION_SORTS else "name", errors)

    def link(column: str) -> SortLink:
        # A column first sorts its usual way (names A to Z, counts most first); clicked again, the other way.
        usual = column if column == "name" else f"-{column}"
        other = usual[1:] if usual.startswith("-") else f"-{usual}"
        wanted = other if table.sort == usual else usual
        params = {"q": table.q, "kind": table.kind, "sort": "" if wanted == "name" else wanted}
        query = urlencode({key: value for key, value in params.items() if value})
        url = reverse("initiatives:organisations") + (f"?{query}" if query else "")
        if table.sort.lstrip("-") != column:
            return SortLink(url)
        return SortLink(url, "descending" if table.sort.startswith("-") else "ascending")

    table.sort_links = {column: link(column) for column in ("name", "implements", "funds")}
    if errors:
        return table

    # One grouped count of every organisation's published roles, cached under the data revision: six
    # times faster than annotating the organisations (SQLite, 5,000 of them in 150,000 participations).
    roles = Participation.objects.filter(initiative__publication_state=Initiative.PublicationState.PUBLISHED)
    grouped = roles.values_list("organisation_id", "role").annotate(n=Count("pk")).order_by()
    counts: dict[tuple[int, str], int] = {
        (pk, role): n for pk, role, n in cached_count(grouped, list, token=revision())
    }
    organisations = Organisation.objects.public().select_related("country")
    if kind:
        organisations = organisations.filter(kind=kind)
    organisations = list(organisations)
    for organisation in organisations:
        organisation.implements = counts.get((organisation.pk, Participation.Role.IMPLEMENTER), 0)
        organisation.funds = counts.get((organisation.pk, Participation.Role.FUNDER), 0)
        organisation.partners = counts.get((organisation.pk, Participation.Role.PARTNER), 0)
    if q:
        # In Python, as the list is read whole anyway: one folding rule on every database.
        aliases = defaultdict(list)
        for organisation_id, alias in OrganisationAlias.objects.values_list("organisation_id", "name"):
            aliases[organisation_id].append(alias)
        wanted = fold(q)
        organisations = [o for o in organisations if wanted in fold(" ".join([*o.names(), o.acronym, *aliases[o.pk]]))]
    descending = table.sort.startswith("-")
    column = table.sort.lstrip("-")
    organisations.sort(key=lambda o: collation_key(o.display_name))
    if column == "name":
        organisations.sort(key=lambda o: collation_key(o.display_name), reverse=descending)
    else:
        organisations.sort(key=lambda o: getattr(o, column), reverse=descending)  # stable: ties stay by name
    table.organisations = organisations
    return table


# --- places: counts per country for the countries index (/countries/), its map and the country facet

MAX_COUNTRY_OPTIONS = 10  # the country facet: the busiest countries, plus any selected


def _footprint_rows(*, specific: bool) -> Callable[[object], QuerySet]:
    """Footprint rows per country, read as ?country= reads them: every way in, or only naming the country."""
    return _grouped(FootprintCountry, "country_id", **({"reach": Reach.COUNTRY} if specific else {}))


def country_counts(filterset, *, token: str) -> dict[str, int]:
    """{iso2: initiatives} matching every active filter but `country` whose footprint includes the country:
    each count is the total of the same query with country=XX instead. Countries with none are absent."""
    rows = _footprint_rows(specific=filterset.specific_only)
    return counted_in(filterset.without("country"), rows, dict, token=token)


def _country_facet(filterset, dimension: Dimension, context: dict) -> Facet:
    """The busiest countries under the other filters (one grouped query on the footprint table, cached),
    then any selected one: 249 options would make the panel long and the page heavy."""
    chosen = filterset.form.cleaned_data.get(dimension.name) or []
    chosen_codes = {country.iso2 for country in chosen}
    base = filterset.without(dimension.name)
    rows = _footprint_rows(specific=filterset.specific_only)
    busiest = counted_in(
        base,
        lambda initiatives: rows(initiatives).order_by("-n", "country_id")[:MAX_COUNTRY_OPTIONS],
        list,
        token=context["token"],
    )
    counts = dict(busiest)
    missing = [country.iso2 for country in chosen if country.iso2 not in counts]
    if missing:
        counts |= counted_in(
            base, lambda initiatives: rows(initiatives).filter(country__in=missing), dict, token=context["token"]
        )
    countries = {country.iso2: country for country in chosen}
    countries |= Country.objects.in_bulk([iso2 for iso2, _n in busiest if iso2 not in countries])  # their names
    options = [Option(iso2, countries[iso2].display_name, n, iso2 in chosen_codes) for iso2, n in busiest]
    options += [Option(iso2, countries[iso2].display_name, counts.get(iso2, 0), True) for iso2 in missing]
    return Facet(dimension.name, str(dimension.label), options)


FACET_BUILDERS["country"] = _country_facet
