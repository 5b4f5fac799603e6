"""Reads that combine filters. Every public read starts from published().

search_initiatives() is the one way to turn a URL query into initiatives: the
HTML list, the CSV export and the region, country, topic and audience pages
all call it. Facets and place counts read the membership tables
(initiatives.membership): each facet is one grouped query.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from django.db import connection
from django.db.models import Count, F, QuerySet
from django.utils.translation import gettext as _

from initiatives.dimensions import BY_NAME, FACET_NAMES, Dimension
from initiatives.filters import InitiativeFilter, published_filter
from initiatives.membership import cached_count, revision
from initiatives.models import (
    FootprintCountry,
    Initiative,
    Organisation,
    Participation,
    Reach,
    RegionReach,
    Source,
    TermMembership,
)
from taxonomy.models import Region, Term, Tree

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
class Search:
    """A URL query, read: the validated FilterSet, its errors, the ordered queryset and (on demand) facets."""

    filterset: InitiativeFilter
    facet_names: tuple[str, ...] = FACET_NAMES

    @property
    def valid(self) -> bool:
        return self.filterset.is_valid()

    @property
    def errors(self) -> dict[str, list[str]]:
        return {name: list(messages) for name, messages in self.filterset.errors.items()}

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
    """Continents, each followed by its sub-regions (depth-first), then the groupings."""
    regions = list(Region.objects.order_by("name"))
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
    options = [Option(r.slug, r.name, counts.get(r.pk, 0), r.slug in chosen, depth) for r, depth in ordered_regions()]
    return Facet(dimension.name, str(dimension.label), options)


def _term_facet(filterset, dimension: Dimension, context: dict) -> Facet:
    if "terms" not in context:  # the vocabularies and their tree, read once for every term facet
        context["terms"] = list(Term.objects.select_related("vocabulary"))
        context["term_tree"] = Tree(Term.objects)
    terms = [t for t in context["terms"] if t.vocabulary.slug == dimension.vocabulary]
    counts = term_counts(filterset.without(dimension.name), terms, token=context["token"])
    chosen = _selected(filterset, dimension.name)
    tree = context["term_tree"]
    options = [Option(t.slug, t.name, counts.get(t.pk, 0), t.slug in chosen, tree.depth(t.pk)) for t in terms]
    return Facet(dimension.name, str(dimension.label), options)


def _status_facet(filterset, dimension: Dimension, context: dict) -> Facet:
    chosen = _selected(filterset, dimension.name)
    rows = filterset.without(dimension.name).values_list("status").annotate(n=Count("pk"))
    counts = cached_count(rows, dict, token=context["token"])
    options = [Option(v, label, counts.get(v, 0), v in chosen) for v, label in Initiative.Status.choices]
    return Facet(dimension.name, str(dimension.label), options)


def _organisation_facet(filterset, dimension: Dimension, context: dict) -> Facet:
    chosen = _selected(filterset, dimension.name)

    def rows(initiatives) -> QuerySet:
        return (
            Participation.objects.filter(role=dimension.role, initiative__in=initiatives)
            .values_list("organisation__slug", "organisation__name")
            .annotate(n=Count("initiative_id"))
            .order_by("-n", "organisation__name")
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
            Option(org.slug, org.name, counts.get(org.slug, 0), True)
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
    return f"{label} ({via.name})"


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


# --- pages


def home_summary() -> dict:
    """Counts, continents, topics and the latest updates for the home page."""
    published = Initiative.objects.published()
    token = revision()
    continents = list(Region.objects.filter(kind=Region.Kind.CONTINENT))
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
        "latest": published.order_by("-updated_at").prefetch_related("topics")[:6],
    }


def related_initiatives(initiative: Initiative, limit: int = 5) -> QuerySet:
    """Published initiatives on one of its topics that target one of the places it works in most closely."""
    topics = [t.pk for t in initiative.topics.all()]
    places = {r.pk for r in initiative.regions.all()} | {c.region_id for c in initiative.countries.all() if c.region_id}
    return (
        Initiative.objects.published()
        .exclude(pk=initiative.pk)
        .filter(pk__in=RegionReach.objects.filter(region__in=places, specific=True).values("initiative_id"))
        .filter(pk__in=TermMembership.objects.filter(term__in=topics).values("initiative_id"))
        .order_by(F("start_date").desc(nulls_last=True), "title")
        .prefetch_related("topics")[:limit]
    )


def country_breakdown(base: QuerySet, countries: list[str]) -> list[tuple[str, str, int]]:
    """(iso2, name, count) of the initiatives in `base` per country they serve, most first."""

    def rows(initiatives) -> QuerySet:
        return (
            FootprintCountry.objects.filter(initiative__in=initiatives, country__in=countries)
            .values_list("country__iso2", "country__name")
            .annotate(n=Count("initiative_id"))
            .order_by("-n", "country__name")
        )

    return counted_in(base, rows, list, token=revision())


def region_overview() -> list[tuple[Region, int, int]]:
    """Every region as (region, depth, published initiatives reaching it), continents first, then groupings."""
    counts = region_counts(Initiative.objects.published(), token=revision())
    return [(region, depth, counts.get(region.pk, 0)) for region, depth in ordered_regions()]


def region_countries(region: Region) -> list[str]:
    """ISO codes of a region's countries: M49 members at any depth and grouping members."""
    return list(Region.objects.filter(pk=region.pk).with_descendants().countries().values_list("iso2", flat=True))
