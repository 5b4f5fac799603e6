"""Needs and the initiatives that answer them.

An initiative answers a need when its footprint meets the need's place (the
footprint rule of DESIGN.md), it is on one of the need's topics (a parent topic
covers its children) and it is active now (status ongoing). That is exactly a
listing query, so every count links to the list it counts.
"""

from django.db.models import QuerySet

from initiatives.selectors import search_initiatives
from insights.models import Need


def need_query(need: Need) -> dict[str, list[str]]:
    """The listing query of the initiatives that answer a need (topics and place prefetched or not)."""
    query: dict[str, list[str]] = {"status": ["ongoing"]}
    if need.country_id:
        query["country"] = [need.country_id]
    else:
        query["region"] = [need.region.slug]
    topics = [term.slug for term in need.topics.all()]
    if topics:
        query["topic"] = topics
    return query


def matching_initiatives(need: Need) -> QuerySet:
    """Published, ongoing initiatives whose footprint meets the need's place, on one of its topics."""
    search = search_initiatives(need_query(need), facet_names=())
    return search.queryset
