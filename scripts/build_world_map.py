"""Regenerate initiatives/worldmap.json: the country shapes of the world map on /countries/.

Source: the npm package ``world-atlas`` 2.0.2 (Mike Bostock, ISC licence), file
``countries-110m.json``: Natural Earth's 1:110m admin-0 countries (public domain),
as TopoJSON whose ids are ISO 3166-1 numeric codes, i.e. our Country.m49.

What it does, with the Python standard library only:

1. ``npm pack world-atlas@2.0.2`` into a temporary directory (or ``--topojson FILE``);
2. simplifies each TopoJSON arc once (Visvalingam-Whyatt, by effective area), so
   that neighbours keep sharing exactly the same border;
3. projects with Equal Earth (Šavrič, Patterson and Jenny, 2018), leaving out
   Antarctica, and rounds to whole units of a MAP_WIDTH-wide canvas;
4. drops rings too small to see, and writes each country's outline as an SVG path
   with relative commands, keyed by ISO alpha-2 (read from fixtures/reference/countries.json).

Natural Earth's Somaliland and Northern Cyprus are drawn as parts of Somalia and Cyprus, as
ISO 3166-1 counts them; Kosovo, with no ISO 3166-1 code, is kept apart under "unassigned":
drawn as land, linked to nothing.
Countries too small for the 1:110m set (most island states) have no shape; the page's
table lists them all the same.

Run it by hand from the repository root when the source or the parameters change::

    python scripts/build_world_map.py            # rewrite initiatives/worldmap.json
    python scripts/build_world_map.py --check    # exit 1 if it is out of date
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "initiatives" / "worldmap.json"
COUNTRIES = ROOT / "fixtures" / "reference" / "countries.json"
PACKAGE = "world-atlas@2.0.2"
SOURCE_FILE = "package/countries-110m.json"
ANTARCTICA = "010"
# Natural Earth draws these apart with no ISO code; ISO 3166-1 (and so our country list and the
# footprints) counts them in these countries. Kosovo, which has no ISO 3166-1 code, stays apart.
PART_OF = {"Somaliland": "706", "N. Cyprus": "196"}

MAP_WIDTH = 600  # canvas units; the SVG scales to its box
# Visvalingam: a point goes when the triangle it makes with its neighbours is smaller than this
# (in canvas units squared). Chosen by eye and by weight: under 9 KB of outlines.
MIN_TRIANGLE = 13.0
MIN_RING_AREA = 6.0  # rings smaller than this vanish, except a country's largest
MIN_SHAPE_AREA = 1.0  # a ring below this, even drawn from the finest arcs, is not drawn at all


# --- Equal Earth (https://doi.org/10.1080/13658816.2018.1504949)

A1, A2, A3, A4 = 1.340264, -0.081106, 0.000893, 0.003796
M = math.sqrt(3) / 2


def equal_earth(lon: float, lat: float) -> tuple[float, float]:
    theta = math.asin(M * math.sin(math.radians(lat)))
    t2 = theta * theta
    t6 = t2 * t2 * t2
    x = math.radians(lon) * math.cos(theta) / (M * (A1 + 3 * A2 * t2 + t6 * (7 * A3 + 9 * A4 * t2)))
    y = theta * (A1 + A2 * t2 + t6 * (A3 + A4 * t2))
    return x, -y  # SVG's y grows downwards


# --- TopoJSON


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """Every arc as longitude/latitude points (the quantized deltas, summed and scaled)."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def crosses_antimeridian(points: list[tuple[float, float]]) -> bool:
    return any(abs(b[0] - a[0]) > 180 for a, b in zip(points, points[1:], strict=False))


def on_one_side(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """A ring that crosses 180° (Russia's Chukotka, Fiji), made continuous on the side where most of
    it lies, then flattened against the map's edge: a plane map cannot show it whole."""
    unwrapped = [points[0]]
    for lon, lat in points[1:]:
        previous = unwrapped[-1][0]
        lon += 360 * round((previous - lon) / 360)
        unwrapped.append((lon, lat))
    shift = 360 * round(sum(lon for lon, _lat in unwrapped) / len(unwrapped) / 360)
    return [(max(-180.0, min(180.0, lon - shift)), lat) for lon, lat in unwrapped]


def triangle_area(a, b, c) -> float:
    return abs((b[0] - a[0]) * (c[1] - a[1]) - (c[0] - a[0]) * (b[1] - a[1])) / 2


def visvalingam(points: list[tuple[float, float]], min_area: float) -> list[tuple[float, float]]:
    """Remove the point of smallest effective area until none is below min_area; the ends stay."""
    if len(points) <= 2:
        return points
    kept = list(points)
    while len(kept) > 2:
        areas = [triangle_area(kept[i - 1], kept[i], kept[i + 1]) for i in range(1, len(kept) - 1)]
        smallest = min(range(len(areas)), key=areas.__getitem__)
        if areas[smallest] >= min_area:
            break
        del kept[smallest + 1]
    return kept


def ring_points(ring: list[int], arcs: list[list[tuple[float, float]]]) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for index in ring:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc if not points else arc[1:])
    return points


def signed_area(points) -> float:
    return sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(points, points[1:] + points[:1], strict=True)) / 2


# --- SVG


def path_data(rings: list[list[tuple[int, int]]]) -> str:
    """Rings as one SVG path: an absolute move to the first ring, relative commands after it."""
    parts = []
    cursor = (0, 0)
    for n, ring in enumerate(rings):
        start = ring[0]
        move = f"M{start[0]} {start[1]}" if n == 0 else "m" + _pair(start[0] - cursor[0], start[1] - cursor[1]).lstrip()
        steps = "".join(_pair(b[0] - a[0], b[1] - a[1]) for a, b in zip(ring, ring[1:], strict=False))
        parts.append(f"{move}l{steps.lstrip(' ')}z" if steps else f"{move}z")
        cursor = start  # after z the current point is the ring's start
    return "".join(parts)


def _pair(dx: int, dy: int) -> str:
    """ "-3-2" or " 3 2": a minus sign separates numbers by itself."""
    return f"{dx:+d}".replace("+", " ") + f"{dy:+d}".replace("+", " ")


def rounded_ring(points) -> list[tuple[int, int]]:
    ring: list[tuple[int, int]] = []
    for x, y in points:
        point = (round(x), round(y))
        if not ring or point != ring[-1]:
            ring.append(point)
    if len(ring) > 1 and ring[0] == ring[-1]:
        ring.pop()  # `z` closes it
    return ring


def build(topology: dict, iso2_by_m49: dict[str, str]) -> dict:
    arcs = decode_arcs(topology)
    projected = [[equal_earth(lon, lat) for lon, lat in arc] for arc in arcs]
    geometries = [g for g in topology["objects"]["countries"]["geometries"] if g.get("id") != ANTARCTICA]
    used = {abs(i if i >= 0 else ~i) for g in geometries for polygon in _polygons(g) for ring in polygon for i in ring}
    xs = [x for i in used for x, _y in projected[i]]
    ys = [y for i in used for _x, y in projected[i]]
    origin = (min(xs), min(ys))
    scale = MAP_WIDTH / (max(xs) - min(xs))
    height = math.ceil((max(ys) - min(ys)) * scale)

    # Simplified in canvas units, so that MIN_TRIANGLE reads in the units the path is written in.
    def to_canvas(points):
        return [((x - origin[0]) * scale, (y - origin[1]) * scale) for x, y in points]

    canvas = [to_canvas(arc) for arc in projected]
    # Each arc once, so neighbours keep one shared border; a ring that this leaves too thin (a small
    # country whose arcs shrank to their ends: Qatar, Jamaica) is redrawn from finer arcs.
    levels = [[visvalingam(arc, threshold) for arc in canvas] for threshold in (MIN_TRIANGLE, MIN_TRIANGLE / 8)]
    levels.append(canvas)

    rings_of: dict[str, list] = {}
    for geometry in geometries:
        rings = []
        for polygon in _polygons(geometry):
            for ring in polygon:
                lonlat = ring_points(ring, arcs)
                if crosses_antimeridian(lonlat):  # drawn on its own, simplified as a whole
                    flat = to_canvas(equal_earth(lon, lat) for lon, lat in on_one_side(lonlat))
                    points = rounded_ring(visvalingam(flat, MIN_TRIANGLE))
                    if len(points) >= 3:
                        rings.append(points)
                    continue
                for level in levels:
                    points = rounded_ring(ring_points(ring, level))
                    if len(points) >= 3 and abs(signed_area(points)) >= MIN_SHAPE_AREA:
                        rings.append(points)
                        break
        if not rings:
            continue
        largest = max(rings, key=lambda r: abs(signed_area(r)))
        rings = [r for r in rings if r is largest or abs(signed_area(r)) >= MIN_RING_AREA]
        m49 = geometry.get("id") or PART_OF.get(geometry["properties"]["name"], "")
        rings_of.setdefault(iso2_by_m49.get(m49, ""), []).extend(rings)
    unassigned = rings_of.pop("", [])
    shapes = {iso2: path_data(rings) for iso2, rings in rings_of.items()}
    return {
        "source": "world-atlas 2.0.2 (countries-110m.json): Natural Earth 1:110m admin-0 countries",
        "licence": "world-atlas: ISC licence, copyright 2013-2019 Michael Bostock; Natural Earth data: public domain",
        "projection": "Equal Earth, Antarctica left out",
        "built_by": "scripts/build_world_map.py",
        "width": MAP_WIDTH,
        "height": height,
        "shapes": dict(sorted(shapes.items())),
        "unassigned": path_data(unassigned) if unassigned else "",
    }


def _polygons(geometry: dict) -> list[list[list[int]]]:
    if geometry["type"] == "Polygon":
        return [geometry["arcs"]]
    if geometry["type"] == "MultiPolygon":
        return geometry["arcs"]
    return []


def read_topology(path: Path | None) -> dict:
    if path:
        return json.loads(path.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["npm", "pack", PACKAGE, "--silent"], cwd=tmp, check=True, stdout=subprocess.DEVNULL)
        (tarball,) = Path(tmp).glob("world-atlas-*.tgz")
        with tarfile.open(tarball) as archive:
            return json.load(archive.extractfile(SOURCE_FILE))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if initiatives/worldmap.json is out of date")
    parser.add_argument("--topojson", type=Path, help="a countries-110m.json already on disk (no npm)")
    args = parser.parse_args()
    iso2_by_m49 = {row["m49"]: row["iso2"] for row in json.loads(COUNTRIES.read_text(encoding="utf-8"))}
    text = json.dumps(build(read_topology(args.topojson), iso2_by_m49), indent=0, ensure_ascii=False) + "\n"
    if args.check:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
        if current != text:
            print(f"{OUTPUT.relative_to(ROOT)} is out of date: run scripts/build_world_map.py", file=sys.stderr)
            return 1
        return 0
    OUTPUT.write_text(text, encoding="utf-8")
    shapes = json.loads(text)["shapes"]
    print(f"wrote {OUTPUT.relative_to(ROOT)}: {len(shapes)} countries, {sum(map(len, shapes.values()))} bytes of paths")
    return 0


if __name__ == "__main__":
    sys.exit(main())
