"""The countries index (/countries/): every country by region, with how many initiatives reach it.

It reads the list's query: the same FilterSet validates it (an invalid one is a 400 with the
same messages), and each count is the total of the list for the same query with country=XX
(selectors.country_counts), which its button opens: the tables are one GET form to the list that
carries the filters once, rather than 249 links each repeating them. The country parameter itself
is set aside: every country is counted, and each count's button names only its own country.
"""

from dataclasses import dataclass, field

from django.http import QueryDict
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from initiatives import worldmap
from initiatives.browsing import Chip, canonical_query, chips
from initiatives.selectors import Search, country_counts, ordered_regions, search_initiatives
from taxonomy.models import Country, Region, collation_key

NOT_COUNTED_HERE = ("page", "view", "country")


@dataclass
class CountryRow:
    country: Country
    count: int  # the total of the list with the same filters and country=XX


@dataclass
class CountryGroup:
    region: Region | None  # the country's M49 region (sub-region or intermediate region)
    rows: list[CountryRow] = field(default_factory=list)


@dataclass
class Continent:
    region: Region | None  # None: the few territories with no M49 region (Antarctica...)
    groups: list[CountryGroup] = field(default_factory=list)


@dataclass
class CountryIndex:
    search: Search
    status: int = 200
    message: str = ""
    filters: list[tuple[str, str]] = field(default_factory=list)  # the query but page and country, for a form
    chips: list[Chip] = field(default_factory=list)
    continents: list[Continent] = field(default_factory=list)
    served: int = 0  # countries with at least one initiative
    total: int = 0  # countries listed
    map: SafeString | None = None
    legend: list[worldmap.MapClass] = field(default_factory=list)
    countries_ignored: bool = False  # a country filter was given: it is not applied here

    @property
    def list_url(self) -> str:
        """The list with the same filters (the country filter too, if there was one), in cards: this
        page ignores the list's `view`, so it does not pass one on either."""
        query = canonical_query(self.search.filterset.data, drop=("page", "view"))
        return reverse("initiatives:list") + (f"?{query.urlencode()}" if query else "")


def _index_url(query: QueryDict) -> str:
    return reverse("initiatives:countries") + (f"?{query.urlencode()}" if query else "")


def _continent_of(region: Region | None, regions: dict[int, Region]) -> Region | None:
    seen = set()
    while region is not None and region.parent_id is not None and region.pk not in seen:
        seen.add(region.pk)
        region = regions.get(region.parent_id)
    return region


def country_index(data: QueryDict) -> CountryIndex:
    """Validate the listing query, then count its initiatives per country and group the countries
    by continent and M49 region, each level in the order of the region list, countries by name."""
    search = search_initiatives(data, facet_names=())
    index = CountryIndex(search=search, countries_ignored=bool(canonical_query(data).getlist("country")))
    if not search.valid:
        index.status = 400
        index.message = _("Some filters could not be applied, so no countries are counted. Correct or remove them.")
        return index
    query = canonical_query(data, drop=NOT_COUNTED_HERE)
    # The country is set aside (not applied here); each chip links to this index without its filter.
    index.chips = chips(search.filterset, query, url_for=_index_url, skip=("country",))
    counts = country_counts(search.filterset, token=search.token)

    order = [region for region, _depth in ordered_regions() if region.kind != Region.Kind.GROUPING]
    regions = {region.pk: region for region in order}
    position = {region.pk: n for n, region in enumerate(order)}
    index.filters = [(name, value) for name in query for value in query.getlist(name)]
    continents: dict[int | None, Continent] = {}
    groups: dict[int | None, CountryGroup] = {}
    countries = sorted(Country.objects.all(), key=lambda country: collation_key(country.display_name))
    for country in countries:
        region = regions.get(country.region_id)
        if country.region_id not in groups:
            groups[country.region_id] = CountryGroup(region)
            continent = _continent_of(region, regions)
            key = continent.pk if continent else None
            if key not in continents:
                continents[key] = Continent(continent)
            continents[key].groups.append(groups[country.region_id])
        count = counts.get(country.iso2, 0)
        groups[country.region_id].rows.append(CountryRow(country, count))

    def place(region: Region | None) -> int:
        return position.get(region.pk, len(position)) if region else len(position)

    index.continents = sorted(continents.values(), key=lambda continent: place(continent.region))
    for continent in index.continents:
        continent.groups.sort(key=lambda group: place(group.region))
    index.total = len(countries)
    index.served = sum(1 for country in countries if counts.get(country.iso2))
    names = {country.iso2: country.display_name for country in countries}
    index.legend = worldmap.classes(counts.get(country.iso2, 0) for country in countries)
    index.map = worldmap.render(counts, names, index.legend, label_id="map-heading")
    return index
