"""Needs and the initiatives that answer them.

An initiative answers a need when its footprint meets the need's place (the
footprint rule of DESIGN.md), it is on one of the need's topics (a parent topic
covers its children) and it is active now (status ongoing). That is exactly a
listing query, so every count links to the list it counts.
"""

import hashlib
from dataclasses import dataclass
from functools import cached_property
from urllib.parse import urlencode

from django.core.cache import cache
from django.db.models import Case, Count, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.urls import reverse

from initiatives.filters import MAX_VALUES
from initiatives.membership import COUNT_CACHE_SECONDS, cached_count, revision
from initiatives.models import FootprintCountry, Initiative, Participation, RegionReach, TermMembership
from initiatives.selectors import Facet, FilteredQuery, Option, search_initiatives
from insights.filters import NeedFilter, published_need_filter
from insights.models import Need
from insights.places import continents_around
from taxonomy.models import Region, Term, Tree, Vocabulary, name_in_language


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


# --- the public list of needs (added with the /needs/ pages)

NEED_COUNT_PREFIX = "ccb-need-matches:"


def matching_url(need: Need) -> str:
    """The /initiatives/ list of the initiatives that answer a need: what its count counts."""
    return reverse("initiatives:list") + "?" + urlencode(need_query(need), doseq=True)


def matching_count(need: Need, *, token: str) -> int:
    """How many initiatives answer a need, cached per data revision and listing query.

    Keyed on the query rather than its SQL, so that a warm page of needs costs no
    query per need (reading the SQL would first check the query's slugs).
    """
    query = urlencode(need_query(need), doseq=True)
    key = NEED_COUNT_PREFIX + hashlib.sha256(f"{token}\x00{query}".encode()).hexdigest()
    count = cache.get(key)
    if count is None:
        count = matching_initiatives(need).order_by().count()
        cache.set(key, count, COUNT_CACHE_SECONDS)
    return count


STATE_ORDER = Case(
    *(When(state=state, then=Value(n)) for n, state in enumerate(Need.State.values)),
    output_field=IntegerField(),
)


@dataclass
class NeedSearch(FilteredQuery):
    """A /needs/ query, read: the validated FilterSet, its errors and the ordered needs."""

    filterset: NeedFilter

    @cached_property
    def queryset(self) -> QuerySet:
        """Open needs first, then partly met, then met; by title within each."""
        return self.filterset.qs.order_by(STATE_ORDER, "title", "pk")


def search_needs(data) -> NeedSearch:
    """Read a /needs/ query (a QueryDict or dict of lists) over the published needs."""
    search = NeedSearch(published_need_filter(data))
    search.filterset.is_valid()
    return search


def with_card_details(needs: QuerySet) -> QuerySet:
    """Everything a need's card shows: its place and terms, in a fixed number of queries."""
    terms = Term.objects.select_related("vocabulary")
    return needs.select_related("country", "region").prefetch_related(
        Prefetch("topics", queryset=terms), Prefetch("audiences", queryset=terms)
    )


def need_facets(filterset: NeedFilter) -> list[Facet]:
    """Counts of needs by topic, target users and state, each counted without its own filter.

    For an invalid query the options come without counts (None), ticked as asked, so the form can be corrected.
    """
    valid = filterset.is_valid()
    terms = list(
        Term.objects.filter(vocabulary__slug__in=[Vocabulary.TOPIC, Vocabulary.AUDIENCE]).select_related("vocabulary")
    )
    tree = Tree(Term.objects)
    facets = []
    for name, vocabulary, through in (
        ("topic", Vocabulary.TOPIC, Need.topics.through),
        ("audience", Vocabulary.AUDIENCE, Need.audiences.through),
    ):
        # Each need counts once under each term it has and every term above them.
        under: dict[int, set[int]] = {}
        if valid:
            pairs = through.objects.filter(need__in=filterset.without(name).values("pk")).values_list(
                "need_id", "term_id"
            )
            for need_id, term_id in pairs:
                pk, seen = term_id, set()
                while pk is not None and pk not in seen:
                    seen.add(pk)
                    under.setdefault(pk, set()).add(need_id)
                    pk = tree.parent.get(pk)
        chosen = _asked(filterset, name)
        options = [
            Option(
                t.slug, t.display_name, len(under.get(t.pk, ())) if valid else None, t.slug in chosen, tree.depth(t.pk)
            )
            for t in terms
            if t.vocabulary.slug == vocabulary
        ]
        facets.append(Facet(name, str(filterset.filters[name].label), options))
    counts = dict(filterset.without("state").values_list("state").annotate(n=Count("pk"))) if valid else {}
    chosen = _asked(filterset, "state")
    options = [
        Option(value, label, counts.get(value, 0) if valid else None, value in chosen)
        for value, label in Need.State.choices
    ]
    facets.append(Facet("state", str(filterset.filters["state"].label), options))
    return facets


def _asked(filterset: NeedFilter, name: str) -> set[str]:
    """The values asked for one parameter, as typed (lower case): what the form shows ticked."""
    data = filterset.data
    values = data.getlist(name) if hasattr(data, "getlist") else data.get(name) or []
    return {value.strip().lower() for value in values[:MAX_VALUES]}


# --- organisations that could help (added with the need pages)

MAX_PROVIDERS = 15
PROVIDER_ROLES = (Participation.Role.IMPLEMENTER, Participation.Role.FUNDER)


@dataclass
class Provider:
    slug: str
    name: str
    role: str
    role_label: str
    here: int
    here_url: str
    near: int
    near_url: str


@dataclass
class Providers:
    """Who could help with a need, and the places its counts are counted in."""

    continents: list[Region]
    rows: list[Provider]

    @property
    def area(self) -> str:
        return ", ".join(continent.display_name for continent in self.continents)


def need_providers(need: Need) -> Providers:
    """Organisations implementing or funding published initiatives on the need's topics in or near its place.

    "In" the place: the initiative's footprint meets it (as in the list). "Near": its
    footprint meets a continent holding the place's countries (several for a wide
    grouping). Whatever the status: an organisation that has done it before can
    help. Ranked by initiatives in the place, then near it, then name; one grouped
    query. Only published initiatives count, so only organisations taking part in
    them ever appear. Each count is the size of the /initiatives/ list it links to.
    """
    continents = continents_around(country=need.country, region=need.region)
    topics = [term.slug for term in need.topics.all()]
    initiatives = Initiative.objects.published()
    if topics:  # the membership table lists every term above a tagged one: a parent topic covers its children
        on_topics = TermMembership.objects.filter(term__in=[term.pk for term in need.topics.all()])
        initiatives = initiatives.filter(pk__in=on_topics.values("initiative_id"))
    if need.country_id:
        here = FootprintCountry.objects.filter(country=need.country_id)
    else:
        here = RegionReach.objects.filter(region=need.region_id)
    near = RegionReach.objects.filter(region__in=[c.pk for c in continents]) if continents else here
    rows = (
        Participation.objects.filter(
            role__in=PROVIDER_ROLES,
            initiative__in=initiatives.filter(pk__in=near.values("initiative_id")).values("pk"),
        )
        .values_list("organisation__slug", name_in_language("organisation__name"), "organisation__acronym", "role")
        .annotate(
            near=Count("initiative_id"),
            here=Count("initiative_id", filter=Q(initiative__in=here.values("initiative_id"))),
        )
        .order_by("-here", "-near", name_in_language("organisation__name"), "role")[:MAX_PROVIDERS]
    )
    place = {"country": [need.country_id]} if need.country_id else {"region": [need.region.slug]}
    around = {"region": [c.slug for c in continents]} if continents else place

    def url(role: str, slug: str, where: dict[str, list[str]]) -> str:
        query = {role: [slug], **({"topic": topics} if topics else {}), **where}
        return reverse("initiatives:list") + "?" + urlencode(query, doseq=True)

    return Providers(
        continents=continents,
        rows=[
            Provider(
                slug=slug,
                name=f"{name} ({acronym})" if acronym else name,
                role=role,
                role_label=str(Participation.Role(role).label),
                here=here_count,
                here_url=url(role, slug, place),
                near=near_count,
                near_url=url(role, slug, around),
            )
            for slug, name, acronym, role, near_count, here_count in cached_count(rows, list, token=revision())
        ],
    )
