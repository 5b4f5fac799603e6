"""Reads that combine filters. Every public read starts from published()."""

from django.db.models import Count, Q
from django.db.models.functions import Coalesce

from initiatives.models import Initiative, Organisation, Source
from taxonomy.models import Country, Region, Term

RegionThrough = Initiative.regions.through
CountryThrough = Initiative.countries.through


def in_regions_q(regions) -> Q:
    """Initiatives tagged with these regions, their sub-regions or any of their countries.

    Subqueries on the through tables, not joins, so no row is repeated and no
    DISTINCT is needed.
    """
    regions = Region.objects.filter(pk__in=regions.values("pk")).with_descendants()
    countries = regions.countries()
    return Q(pk__in=RegionThrough.objects.filter(region__in=regions).values("initiative_id")) | Q(
        pk__in=CountryThrough.objects.filter(country__in=countries).values("initiative_id")
    )


def with_term_children(terms) -> list[int]:
    """Primary keys of these terms and their child terms (a parent term covers its children)."""
    ids = terms.values("pk")
    return list(Term.objects.filter(Q(pk__in=ids) | Q(parent__in=ids)).values_list("pk", flat=True))


def home_summary() -> dict:
    """Counts, continents, topics and the latest updates for the home page."""
    published = Initiative.objects.published()
    continents = list(Region.objects.filter(kind=Region.Kind.CONTINENT))
    for continent in continents:
        continent.initiative_count = published.filter(in_regions_q(Region.objects.filter(pk=continent.pk))).count()
    topics = list(Term.objects.topics().filter(parent__isnull=True))
    # A parent topic counts the initiatives tagged with it or with any of its children.
    per_root = dict(
        Initiative.topics.through.objects.filter(initiative__in=published)
        .annotate(root=Coalesce("term__parent_id", "term_id"))
        .values_list("root")
        .annotate(n=Count("initiative_id", distinct=True))
    )
    for topic in topics:
        topic.initiative_count = per_root.get(topic.pk, 0)
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
