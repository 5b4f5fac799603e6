"""Places side by side (/compare/).

A comparison counts, for each of two to four places, the published initiatives
in it by the footprint rule (DESIGN.md): in total, by topic, by target users,
and its main funders and implementers; and the open needs it has stated. Every
number is the size of a listing query (/initiatives/?country=NG&topic=...), so
each links to exactly the list it counts. Each table is one grouped query per
place, over that place's search queryset, cached per data revision.
"""

from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode

from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext as _

from initiatives.filters import SLUG_RE, FlagField, YearsField
from initiatives.membership import cached_count, revision
from initiatives.models import Participation
from initiatives.selectors import counted_in, ordered_regions, search_initiatives, term_counts
from insights.filters import published_need_filter
from insights.models import Need
from taxonomy.models import Country, Region, Term, Tree, Vocabulary, collation_key, name_in_language

MIN_PLACES, MAX_PLACES = 2, 4
MAX_PARAMETERS = 40  # a comparison has at most four places, a flag and a few years
TOP_ORGANISATIONS = 5
OPEN_NEEDS_SHOWN = 5


# --- reading a comparison request


@dataclass
class Place:
    country: Country | None = None
    region: Region | None = None

    @property
    def parameter(self) -> str:
        return "country" if self.country else "region"

    @property
    def value(self) -> str:
        return self.country.iso2 if self.country else self.region.slug

    @property
    def display_name(self) -> str:
        return (self.country or self.region).display_name

    @property
    def url(self) -> str:
        return (self.country or self.region).get_absolute_url()

    def query(self) -> dict[str, list[str]]:
        return {self.parameter: [self.value]}


@dataclass
class CompareRequest:
    """The places asked for, in the order given, the qualifiers, and what was wrong with the request."""

    places: list[Place] = field(default_factory=list)
    specific: bool = False
    years: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    asked_countries: list[str] = field(default_factory=list)  # as typed, to fill the form again
    asked_regions: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.places or self.errors or self.asked_countries or self.asked_regions)

    def extra(self) -> dict[str, list[str]]:
        """What qualifies every count of the comparison: `specific` and `year`, as the list reads them."""
        extra: dict[str, list[str]] = {}
        if self.specific:
            extra["specific"] = ["1"]
        if self.years:
            extra["year"] = [str(year) for year in self.years]
        return extra


def read_compare_request(query_string: str, data) -> CompareRequest:
    """Places from the raw query string (to keep the order given across `country` and `region`), then checks."""
    asked = CompareRequest()
    try:
        pairs = parse_qsl(query_string, keep_blank_values=True, max_num_fields=MAX_PARAMETERS)
    except ValueError:
        asked.errors.append(_("Too many parameters: compare two to four places."))
        return asked
    entries = [(key, value.strip()) for key, value in pairs if key in ("country", "region") and value.strip()]
    asked.asked_countries = [value[:20] for key, value in entries if key == "country"]
    asked.asked_regions = [value[:100] for key, value in entries if key == "region"]
    for key, value in entries:
        if key == "country" and not (len(value) == 2 and value.isascii() and value.isalpha()):
            asked.errors.append(
                _("“%(value)s” is not a country code (use ISO alpha-2, e.g. NG).") % {"value": value[:20]}
            )
        elif key == "region" and not SLUG_RE.match(value):
            asked.errors.append(_("“%(value)s” is not a region (use its slug, e.g. sadc).") % {"value": value[:60]})
    if asked.errors:
        return asked

    # Each place once, in the order first given.
    wanted = list(dict.fromkeys((key, value.upper() if key == "country" else value.lower()) for key, value in entries))
    if len(wanted) > MAX_PLACES:
        asked.errors.append(_("Too many places: compare at most %(max)d.") % {"max": MAX_PLACES})
        return asked
    countries = Country.objects.in_bulk([value for key, value in wanted if key == "country"])
    regions = Region.objects.in_bulk([value for key, value in wanted if key == "region"], field_name="slug")
    for key, value in wanted:
        if key == "country" and value not in countries:
            asked.errors.append(_("Unknown country code: “%(value)s”.") % {"value": value})
        elif key == "region" and value not in regions:
            asked.errors.append(_("Unknown region: “%(value)s”.") % {"value": value})
        elif key == "country":
            asked.places.append(Place(country=countries[value]))
        else:
            asked.places.append(Place(region=regions[value]))

    for read in (_read_specific, _read_years):
        try:
            read(asked, data)
        except ValidationError as error:
            asked.errors += error.messages
    if not asked.errors and len(asked.places) < MIN_PLACES and not asked.empty:
        asked.errors.append(_("Choose at least %(min)d places to compare.") % {"min": MIN_PLACES})
    return asked


def _read_specific(asked: CompareRequest, data) -> None:
    asked.specific = FlagField().clean(data.get("specific"))


def _read_years(asked: CompareRequest, data) -> None:
    asked.years = YearsField(required=False).clean(data.getlist("year"))


# --- the comparison


@dataclass
class Cell:
    count: int
    url: str


@dataclass
class TermRow:
    term: Term
    depth: int
    cells: list[Cell]


@dataclass
class OrganisationCell:
    name: str
    url: str  # the organisation's page
    count: int
    list_url: str  # the place's initiatives it takes part in, in this role


@dataclass
class Column:
    """One place: its totals, its open needs and its main funders and implementers."""

    place: Place
    total: Cell
    open_needs: Cell
    needs_shown: list[Need]
    funders: list[OrganisationCell]
    implementers: list[OrganisationCell]


@dataclass
class Comparison:
    asked: CompareRequest
    columns: list[Column]
    topics: list[TermRow]
    audiences: list[TermRow]

    def ranks(self, role: str) -> list[tuple[int, list[OrganisationCell | None]]]:
        """Rows 1..5 of a role's table: the n-th busiest organisation of each place (or nothing)."""
        lists = [getattr(column, role) for column in self.columns]
        longest = max((len(found) for found in lists), default=0)
        return [(n + 1, [found[n] if n < len(found) else None for found in lists]) for n in range(longest)]

    @property
    def funder_ranks(self):
        return self.ranks("funders")

    @property
    def implementer_ranks(self):
        return self.ranks("implementers")


def initiatives_url(place: Place, extra: dict[str, list[str]], **more: str) -> str:
    """The /initiatives/ list a number counts: the place, one more filter, then `specific` and `year`."""
    query = {**place.query(), **{key: [value] for key, value in more.items()}, **extra}
    return reverse("initiatives:list") + "?" + urlencode(query, doseq=True)


def needs_url(place: Place, **more: str) -> str:
    query = {**place.query(), **{key: [value] for key, value in more.items()}}
    return reverse("insights:needs") + "?" + urlencode(query, doseq=True)


def top_organisations(base: QuerySet, role: str, *, token: str) -> list[tuple[str, str, str, int]]:
    """(slug, name, acronym, initiatives) of the organisations taking part most often in `base`, in one role."""

    def rows(initiatives) -> QuerySet:
        return (
            Participation.objects.filter(role=role, initiative__in=initiatives)
            .values_list("organisation__slug", name_in_language("organisation__name"), "organisation__acronym")
            .annotate(n=Count("initiative_id"))
            .order_by("-n", name_in_language("organisation__name"))[:TOP_ORGANISATIONS]
        )

    return counted_in(base, rows, list, token=token)


def compare_places(asked: CompareRequest) -> Comparison:
    """The comparison of valid places: a fixed number of queries per place, whatever the data size."""
    token = revision()
    extra = asked.extra()
    terms = list(
        Term.objects.filter(vocabulary__slug__in=[Vocabulary.TOPIC, Vocabulary.AUDIENCE]).select_related("vocabulary")
    )
    topics = [term for term in terms if term.vocabulary.slug == Vocabulary.TOPIC]
    audiences = [term for term in terms if term.vocabulary.slug == Vocabulary.AUDIENCE]
    tree = Tree(Term.objects)
    columns, topic_counts, audience_counts = [], [], []
    for place in asked.places:
        # A QueryDict, not a dict of lists: the `specific` flag is read as one value (a list was an error,
        # silently dropping the flag from the counts while their links kept it).
        query = QueryDict(mutable=True)
        for name, values in {**place.query(), **extra}.items():
            query.setlist(name, values)
        search = search_initiatives(query, facet_names=())
        base = search.queryset.order_by()
        topic_counts.append(term_counts(base, topics, token=token))
        audience_counts.append(term_counts(base, audiences, token=token))
        needs = published_need_filter({**place.query(), "state": [Need.State.OPEN]})
        needs.is_valid()
        open_needs = needs.qs.select_related("country", "region")
        shown = list(open_needs[: OPEN_NEEDS_SHOWN + 1])  # counted without a second query when few
        open_count = len(shown) if len(shown) <= OPEN_NEEDS_SHOWN else open_needs.count()
        columns.append(
            Column(
                place=place,
                total=Cell(cached_count(base, QuerySet.count, token=token), initiatives_url(place, extra)),
                open_needs=Cell(open_count, needs_url(place, state=Need.State.OPEN)),
                needs_shown=shown[:OPEN_NEEDS_SHOWN],
                funders=_organisation_cells(place, extra, base, "funder", token),
                implementers=_organisation_cells(place, extra, base, "implementer", token),
            )
        )

    def rows(vocabulary: list[Term], counts: list[dict[int, int]], parameter: str) -> list[TermRow]:
        return [
            TermRow(
                term,
                tree.depth(term.pk),
                [
                    Cell(place_counts.get(term.pk, 0), initiatives_url(place, extra, **{parameter: term.slug}))
                    for place, place_counts in zip(asked.places, counts, strict=True)
                ],
            )
            for term in vocabulary
        ]

    return Comparison(
        asked=asked,
        columns=columns,
        topics=rows(topics, topic_counts, "topic"),
        audiences=rows(audiences, audience_counts, "audience"),
    )


def _organisation_cells(place: Place, extra, base: QuerySet, role: str, token: str) -> list[OrganisationCell]:
    return [
        OrganisationCell(
            name=f"{name} ({acronym})" if acronym else name,
            url=reverse("initiatives:organisation", kwargs={"slug": slug}),
            count=count,
            list_url=initiatives_url(place, extra, **{role: slug}),
        )
        for slug, name, acronym, count in top_organisations(base, role, token=token)
    ]


def compare_form_choices(asked: CompareRequest) -> dict:
    """The form to pick places, filled with what was asked (four country boxes, one menu of regions)."""
    countries = (asked.asked_countries + [""] * MAX_PLACES)[:MAX_PLACES]
    return {
        "country_fields": list(enumerate(countries, start=1)),
        "region_values": {value.lower() for value in asked.asked_regions},
        "all_regions": [(region.slug, "– " * depth + region.display_name) for region, depth in ordered_regions()],
        "all_countries": sorted(
            Country.objects.values_list("iso2", name_in_language()), key=lambda country: collation_key(country[1])
        ),
    }
