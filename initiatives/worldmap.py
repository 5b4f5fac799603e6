"""The world map of /countries/: an inline SVG whose country shapes are coloured by a count.

The shapes come from initiatives/worldmap.json (built by scripts/build_world_map.py from
world-atlas 2.0.2, Natural Earth 1:110m: ISC licence, public-domain data). They never change,
so each is read and written out as SVG once per process; a request only adds what it counts:
which class each country falls in and its title.
"""

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from taxonomy.models import collation_key

ASSET = Path(__file__).resolve().parent / "worldmap.json"

CLASSES = 4  # colours for countries with initiatives: few, so that each is told apart at a glance


@dataclass(frozen=True)
class MapClass:
    css: str  # m0 (none: where help may be missing), then m1 (fewest) to m4 (most)
    low: int
    high: int

    @property
    def label(self) -> str:
        return str(self.low) if self.low == self.high else f"{self.low}–{self.high}"


@dataclass(frozen=True)
class Shapes:
    width: int
    height: int
    paths: dict[str, str]  # iso2 -> `<path d="…"/>`, ready to write
    unassigned: str  # land with no ISO 3166-1 code (Kosovo): drawn, linked to nothing


@cache
def shapes() -> Shapes:
    data = json.loads(ASSET.read_text(encoding="utf-8"))
    paths = {iso2: f'<path d="{escape(d)}"/>' for iso2, d in data["shapes"].items()}
    unassigned = f'<path class="map-none" d="{escape(data["unassigned"])}"/>' if data["unassigned"] else ""
    return Shapes(data["width"], data["height"], paths, unassigned)


def classes(counts: Iterable[int]) -> list[MapClass]:
    """None, then up to CLASSES ranges of counts holding about as many countries each (quartiles of
    the countries with any). Fixed ranges would paint every country alike as soon as a few global
    programmes reach them all; quartiles show where there is more than elsewhere, at any scale."""
    values = sorted(count for count in counts if count > 0)
    ranges: list[tuple[int, int]] = []
    low = values[0] if values else 0
    for part in range(1, CLASSES + 1):
        high = values[math.ceil(part * len(values) / CLASSES) - 1] if values else 0
        if values and high >= low:
            ranges.append((low, high))
            low = high + 1
    # Spread over the colours, the most always the darkest: m4; two classes are m1 and m4.
    shades = [
        CLASSES if len(ranges) == 1 else 1 + round(n * (CLASSES - 1) / (len(ranges) - 1)) for n in range(len(ranges))
    ]
    return [MapClass("m0", 0, 0)] + [MapClass(f"m{shade}", a, b) for shade, (a, b) in zip(shades, ranges, strict=True)]


def class_of(count: int, scale: list[MapClass]) -> MapClass:
    return next((c for c in scale if c.low <= count <= c.high), scale[0])


def shape_title(name: str, count: int) -> str:
    """ "Nigeria: 12", the count also saying which class the shape is in. The map is headed "initiatives
    per country": 173 titles saying "initiatives" again (or a data-count attribute repeating the number)
    would cost 2 KB each of a page that must stay under 60 KB."""
    return _("%(name)s: %(count)d") % {"name": name, "count": count}


def render(counts: dict[str, int], names: dict[str, str], scale: list[MapClass], *, label_id: str) -> SafeString:
    """The map as SVG: a link to each drawn country's page, titled with its name and count, its shape
    in the group of its class, busiest first, so that a screen reader going through the links hears
    the most served countries first. `names` gives each country's name in the active language.

    Links are relative ("NG/", the page being /countries/) and attributes that hold only a code or a
    number unquoted (the map is inline HTML): with the 249 rows of the page's table, that keeps the
    page within its weight budget."""
    drawn = shapes()
    groups: dict[str, list[str]] = {c.css: [] for c in scale}
    for iso2, path in sorted(drawn.paths.items(), key=lambda item: collation_key(names.get(item[0], item[0]))):
        if iso2 not in names:
            continue  # a country the reference data does not have
        count = counts.get(iso2, 0)
        title = escape(shape_title(names[iso2], count))
        groups[class_of(count, scale).css].append(f"<a href={iso2}/><title>{title}</title>{path}</a>")
    parts = [
        f'<svg class=world-map viewBox="0 0 {drawn.width} {drawn.height}" role=group '
        f"aria-labelledby={escape(label_id)}>",  # inline in HTML: no xmlns needed
        drawn.unassigned,
        *(f"<g class={c.css}>{''.join(groups[c.css])}</g>" for c in reversed(scale) if groups[c.css]),
        "</svg>",
    ]
    return mark_safe("".join(parts))  # noqa: S308 -- every value in it is escaped above
