"""Reads that combine filters. Every public read starts from published()."""

from dataclasses import dataclass, field

from django.db.models import Count, F, Q, QuerySet
from django.utils.translation import gettext as _

from initiatives.models import Initiative, Organisation, Participation, Source
from taxonomy.models import Country, Region, Term, Tree, Vocabulary

RegionThrough = Initiative.regions.through
CountryThrough = Initiative.countries.through


def in_regions_q(regions, tree: Tree | None = None) -> Q:
    """Initiatives tagged with these regions or their sub-regions, or with any of their countries.

    `regions` is a queryset or a list of primary keys. Subqueries on the through
    tables, not joins, so no row is repeated and no DISTINCT is needed.
    """
    if isinstance(regions, QuerySet):
        regions = [region.pk for region in regions]  # iterating uses the queryset's cache on repeat calls
    ids = sorted((tree or Tree(Region.objects)).descendants(regions))
    countries = Country.objects.filter(Q(region__in=ids) | Q(groupings__in=ids)).values("iso2")
    return Q(pk__in=RegionThrough.objects.filter(region__in=ids).values("initiative_id")) | Q(
        pk__in=CountryThrough.objects.filter(country__in=countries).values("initiative_id")
    )


def with_term_children(terms, tree: Tree | None = None) -> list[int]:
    """Primary keys of these terms and every term below them (a parent term covers its children)."""
    return sorted((tree or Tree(Term.objects)).descendants(term.pk for term in terms))


def home_summary() -> dict:
    """Counts, continents, topics and the latest updates for the home page."""
    published = Initiative.objects.published()
    continents = list(Region.objects.filter(kind=Region.Kind.CONTINENT))
    counts = region_counts(published, continents, Tree(Region.objects))
    for continent in continents:
        continent.initiative_count = counts[continent.pk]
    topics = list(Term.objects.topics().filter(parent__isnull=True))
    counts = term_counts(published, "topics", topics, Tree(Term.objects))
    for topic in topics:
        topic.initiative_count = counts[topic.pk]
    return {
        "counts": {
            "initiatives": published.count(),
            "organisations": Organisation.objects.filter(initiatives__in=published).distinct().count(),
            "countries": Country.objects.filter(initiatives__in=published).distinct().count(),
            "sources": Source.objects.count(),
        },
        "continents": continents,
        "topics": topics,
        "latest": published.order_by("-updated_at").prefetch_related("topics")[:6],
    }


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


def _selected(filterset, name: str, attr: str = "slug") -> set[str]:
    value = filterset.form.cleaned_data.get(name) or []
    return {getattr(v, attr) if attr else v for v in value}


def _counts_by(base: QuerySet, conditions: dict[str, Q]) -> dict[str, int]:
    """Count `base` under many conditions in one query (COUNT ... FILTER)."""
    if not conditions:
        return {}
    plain = Initiative.objects.filter(pk__in=base.values("pk"))
    return plain.aggregate(**{key: Count("pk", filter=condition) for key, condition in conditions.items()})


def region_counts(base: QuerySet, regions: list[Region], tree: Tree) -> dict[int, int]:
    """Initiatives per region, counting its sub-regions and countries too."""
    counts = _counts_by(base, {f"r{r.pk}": in_regions_q([r.pk], tree) for r in regions})
    return {r.pk: counts[f"r{r.pk}"] for r in regions}


def term_counts(base: QuerySet, vocabulary_field: str, terms: list[Term], tree: Tree) -> dict[int, int]:
    """Initiatives per term; a term counts those tagged with it or any term below it."""
    through = getattr(Initiative, vocabulary_field).through
    conditions = {
        f"t{t.pk}": Q(pk__in=through.objects.filter(term__in=sorted(tree.descendants([t.pk]))).values("initiative_id"))
        for t in terms
    }
    counts = _counts_by(base, conditions)
    return {t.pk: counts[f"t{t.pk}"] for t in terms}


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


FACET_NAMES = ("region", "topic", "audience", "modality", "status", "implementer", "funder")


def facets(filterset, names=FACET_NAMES) -> list[Facet]:
    """The named facets, each with counts that respect all the *other* active filters."""
    result = []

    if "region" in names:
        regions = ordered_regions()
        counts = region_counts(filterset.without("region"), [r for r, _ in regions], filterset.region_tree)
        chosen = _selected(filterset, "region")
        result.append(
            Facet(
                "region",
                _("Region"),
                [Option(r.slug, r.name, counts[r.pk], r.slug in chosen, depth) for r, depth in regions],
            )
        )

    term_facets = [
        ("topic", _("Topic"), Vocabulary.TOPIC, "topics"),
        ("audience", _("Target users"), Vocabulary.AUDIENCE, "audiences"),
        ("modality", _("Modality"), Vocabulary.MODALITY, "modalities"),
    ]
    if any(name in names for name, *_rest in term_facets):
        tree = filterset.term_tree
        all_terms = list(Term.objects.select_related("vocabulary"))
        for name, label, vocabulary, field_name in term_facets:
            if name not in names:
                continue
            terms = [t for t in all_terms if t.vocabulary.slug == vocabulary]
            counts = term_counts(filterset.without(name), field_name, terms, tree)
            chosen = _selected(filterset, name)
            options = [Option(t.slug, t.name, counts[t.pk], t.slug in chosen, tree.depth(t.pk)) for t in terms]
            result.append(Facet(name, label, options))

    if "status" in names:
        result.append(_status_facet(filterset))
    for name, label, role in [
        ("implementer", _("Implementer"), Participation.Role.IMPLEMENTER),
        ("funder", _("Funder"), Participation.Role.FUNDER),
    ]:
        if name in names:
            result.append(_organisation_facet(filterset, name, label, role))
    return result


def _status_facet(filterset) -> Facet:
    chosen = _selected(filterset, "status", attr="")
    status_counts = dict(
        Initiative.objects.filter(pk__in=filterset.without("status").values("pk"))
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    return Facet(
        "status",
        _("Status"),
        [Option(v, label, status_counts.get(v, 0), v in chosen) for v, label in Initiative.Status.choices],
    )


def _organisation_facet(filterset, name: str, label: str, role: str) -> Facet:
    chosen = _selected(filterset, name)
    rows = (
        Participation.objects.filter(role=role, initiative__in=filterset.without(name).values("pk"))
        .values_list("organisation__slug", "organisation__name")
        .annotate(n=Count("initiative_id", distinct=True))
        .order_by("-n", "organisation__name")
    )
    # The busiest organisations only, so the page stays light however many there are;
    # a selected one is always shown, with its count.
    options = [Option(slug, org_name, n, slug in chosen) for slug, org_name, n in rows[:MAX_ORGANISATION_OPTIONS]]
    missing = chosen - {o.value for o in options}
    if missing:
        counts = {slug: n for slug, _name, n in rows.filter(organisation__slug__in=missing)}
        options += [
            Option(org.slug, org.name, counts.get(org.slug, 0), True)
            for org in filterset.form.cleaned_data[name]
            if org.slug in missing
        ]
    return Facet(name, label, options)


def related_initiatives(initiative: Initiative, limit: int = 5) -> QuerySet:
    """Published initiatives that share a topic and a region or country with this one."""
    topics = [t.pk for t in initiative.topics.all()]
    countries = [c.pk for c in initiative.countries.all()]
    regions = [r.pk for r in initiative.regions.all()]
    where = Q(pk__in=RegionThrough.objects.filter(region__in=regions).values("initiative_id")) | Q(
        pk__in=CountryThrough.objects.filter(country__in=countries).values("initiative_id")
    )
    return (
        Initiative.objects.published()
        .exclude(pk=initiative.pk)
        .filter(where, pk__in=Initiative.topics.through.objects.filter(term__in=topics).values("initiative_id"))
        .order_by(F("start_date").desc(nulls_last=True), "title")
        .prefetch_related("topics")[:limit]
    )


def country_breakdown(base: QuerySet, countries: QuerySet) -> list[tuple[str, str, int]]:
    """(iso2, name, count) of the initiatives in `base` per country, most first."""
    return list(
        CountryThrough.objects.filter(initiative__in=base.values("pk"), country__in=countries)
        .values_list("country__iso2", "country__name")
        .annotate(n=Count("initiative_id", distinct=True))
        .order_by("-n", "country__name")
    )


def region_overview() -> list[tuple[Region, int, int]]:
    """Every region as (region, depth, published initiatives), continents first, then groupings."""
    regions = ordered_regions()
    counts = region_counts(Initiative.objects.published(), [r for r, _ in regions], Tree(Region.objects))
    return [(region, depth, counts[region.pk]) for region, depth in regions]
