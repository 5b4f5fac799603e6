"""What a result card says beyond its title: where, who implements, who funds.

Its own module so that both the listing pages (browsing, which reads selectors) and the selectors
that fill other pages with cards (the home page's latest updates) can answer cards the same way.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from initiatives.models import Initiative, InitiativeQuerySet
from taxonomy.models import collation_key

# What a card names before "+N more": enough to answer "where" and "who", few enough to scan 20 cards.
CARD_COUNTRIES, CARD_REGIONS, CARD_ORGANISATIONS = 4, 3, 3


@dataclass
class Shown:
    """The first few of a list and how many more there are: "Ghana, Nigeria +3 more"."""

    items: list
    more: int = 0


@dataclass
class CardFacts:
    """What a result card says beyond its title: where, who implements, who funds."""

    countries: Shown
    regions: Shown
    implementers: Shown
    funders: Shown


def _first(items: Iterable, limit: int, *, before: Callable = lambda item: False) -> Shown:
    """The first `limit` by name in the active language, those for which before(item) is true first."""
    ordered = sorted(items, key=lambda item: (not before(item), collation_key(item.display_name)))
    return Shown(ordered[:limit], max(0, len(ordered) - limit))


def answer_cards(initiatives: list[Initiative], *, place: set[str] = frozenset()) -> None:
    """Give each initiative (read with for_cards(), so no query here) the facts its card shows, names in
    the active language; its countries in `place` (ISO codes of the place browsed) come first. Only
    published initiatives are listed, so every organisation named is public."""
    for initiative in initiatives:
        initiative.facts = CardFacts(
            countries=_first(initiative.countries.all(), CARD_COUNTRIES, before=lambda country: country.iso2 in place),
            regions=_first(initiative.regions.all(), CARD_REGIONS),
            implementers=_first(initiative.implementers, CARD_ORGANISATIONS),
            funders=_first(initiative.funders, CARD_ORGANISATIONS),
        )


def cards(initiatives: InitiativeQuerySet, *, place: set[str] = frozenset()) -> list[Initiative]:
    """Published initiatives (a queryset, sliced or not) read and answered for their cards: a few queries
    however many cards, whichever page includes initiatives/_card.html."""
    answered = list(initiatives.for_cards())
    answer_cards(answered, place=place)
    return answered
