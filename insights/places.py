"""The countries of regions, read once per request for the rules that need them.

A region's countries are its M49 members at any depth and its grouping members,
as in the footprint rule (DESIGN.md). The needs filter reads which regions lie
inside another (a grouping all of whose members are in it counts), and the
providers of a need read the continents around its place.
"""

from collections import defaultdict

from taxonomy.models import Country, Region, Tree


def region_country_sets() -> tuple[Tree, dict[int, frozenset[str]]]:
    """The region tree, and every region's countries: M49 members at any depth and grouping members."""
    tree = Tree(Region.objects)
    by_m49_region: dict[int, set[str]] = defaultdict(set)
    for iso2, region_id in Country.objects.filter(region__isnull=False).values_list("iso2", "region_id"):
        by_m49_region[region_id].add(iso2)
    members: dict[int, set[str]] = defaultdict(set)
    for region_id, iso2 in Region.members.through.objects.values_list("region_id", "country_id"):
        members[region_id].add(iso2)
    sets = {
        pk: frozenset(iso2 for below in tree.descendants([pk]) for iso2 in by_m49_region[below] | members[below])
        for pk in tree.parent
    }
    return tree, sets


def regions_within(regions: list[Region]) -> tuple[list[str], set[int]]:
    """The countries of these regions, and the regions inside them (themselves, their sub-regions,
    and any region all of whose countries are among theirs: ECOWAS is inside Western Africa)."""
    tree, sets = region_country_sets()
    chosen = [sets.get(region.pk, frozenset()) for region in regions]
    countries = sorted(set().union(*chosen))
    inside = tree.descendants(region.pk for region in regions)
    inside |= {pk for pk, members in sets.items() if members and any(members <= outer for outer in chosen)}
    return countries, inside


def continents_around(*, country: Country | None = None, region: Region | None = None) -> list[Region]:
    """The continents holding the place's countries: its wider neighbourhood (several for a wide grouping)."""
    _tree, sets = region_country_sets()
    countries = {country.pk} if country else sets.get(region.pk, frozenset())
    continents = Region.objects.filter(kind=Region.Kind.CONTINENT).order_by("name")
    return [continent for continent in continents if not sets.get(continent.pk, frozenset()).isdisjoint(countries)]
