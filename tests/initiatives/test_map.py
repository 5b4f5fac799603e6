"""The world map on /countries/: a link per country shape, coloured by class, titled in the visitor's language,
within the page's weight budget."""

import json
import re
from pathlib import Path

import pytest

from initiatives import worldmap
from taxonomy.models import Country
from tests.factories import InitiativeFactory
from tests.helpers import UNPUBLISHED, region

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
PAGE_BUDGET = 60 * 1024  # bytes, uncompressed, HTML and CSS: as tests/browser/test_page_weight.py measures
SVG_RE = re.compile(r"<svg\b.*?</svg>", re.S)
GROUP_RE = re.compile(r"<g class=(m\d)>(.*?)</g>", re.S)
SHAPE_RE = re.compile(r'<a href=([A-Z]{2})/><title>([^<]*?(\d+))</title><path d="[^"]+"/></a>')


def svg_of(response) -> str:
    return SVG_RE.search(response.content.decode()).group(0)


def shapes_by_class(svg: str) -> dict[str, dict[str, tuple[int, str]]]:
    """css class -> {iso2: (count, title)}, the count read from the end of the title."""
    groups = GROUP_RE.findall(svg)
    return {css: {iso2: (int(n), title) for iso2, title, n in SHAPE_RE.findall(body)} for css, body in groups}


def legend(response) -> list[tuple[str, str]]:
    block = re.search(r'<ul class="map-legend"[^>]*>(.*?)</ul>', response.content.decode(), re.S).group(1)
    return re.findall(r'<li><span class="(m\d)"></span>([^<]+)</li>', block)


@pytest.fixture
def world():
    """Nigeria 3 (named, ECOWAS-wide, Africa-wide), the rest of ECOWAS 2, the rest of Africa 1, France 1."""
    InitiativeFactory(slug="ng-police", countries=["NG"], topics=["cybercrime"], audiences=["law-enforcement"])
    InitiativeFactory(slug="ecowas-judges", regions=[region("ecowas")], topics=["cybercrime"])
    InitiativeFactory(slug="africa-certs", regions=[region("africa")], topics=["cert-development"])
    InitiativeFactory(slug="fr-awareness", countries=["FR"], topics=["awareness"])
    for state in UNPUBLISHED:
        InitiativeFactory(slug=f"hidden-{state}", countries=["JP", "NG"], publication_state=state)


def test_every_shape_links_to_its_country_page_and_every_drawn_country_is_there(client, world):
    svg = svg_of(client.get("/countries/"))
    shapes = {iso2: shape for group in shapes_by_class(svg).values() for iso2, shape in group.items()}
    assert set(shapes) == set(worldmap.shapes().paths)  # every shape of the asset, each once
    assert len(shapes) > 160
    assert set(shapes) <= set(Country.objects.values_list("iso2", flat=True))
    for iso2 in ["NG", "FR", "JP", "BR", "AU"]:
        assert client.get(f"/countries/{iso2}/").status_code == 200  # where "NG/" leads from /countries/
    assert svg.count("<a ") == len(shapes)  # nothing else is a link


def test_shapes_are_grouped_by_class_of_count_with_a_key(client, world):
    response = client.get("/countries/")
    groups = shapes_by_class(svg_of(response))
    where = {iso2: css for css, shapes in groups.items() for iso2 in shapes}
    counts = {iso2: n for shapes in groups.values() for iso2, (n, _title) in shapes.items()}
    assert (counts["NG"], counts["GH"], counts["KE"], counts["FR"], counts["JP"]) == (3, 2, 1, 1, 0)
    # Non-zero counts in quartiles of the countries having them: 1 is more than three quarters of them
    # (most of Africa, France), so two classes: 1, and 2–3 (the rest of ECOWAS, Nigeria), the darkest.
    assert where["JP"] == "m0" and where["US"] == "m0"
    assert where["KE"] == where["FR"] == "m1"
    assert where["GH"] == where["NG"] == "m4"
    assert legend(response) == [("m0", "none"), ("m1", "1"), ("m4", "2–3")]
    # The busiest class first: a screen reader going through the links hears Nigeria first.
    assert list(groups)[0] == "m4"


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ([], [(0, 0)]),
        ([0, 0, 5], [(0, 0), (5, 5)]),
        ([1, 2, 3, 4, 5, 6, 7, 8], [(0, 0), (1, 2), (3, 4), (5, 6), (7, 8)]),
        ([30] * 200 + [31, 40, 45], [(0, 0), (30, 30), (31, 45)]),
    ],
)
def test_classes_split_the_countries_with_initiatives_in_quartiles(counts, expected):
    assert [(c.low, c.high) for c in worldmap.classes(counts)] == expected


def test_the_map_counts_the_same_as_the_tables_and_follows_the_filters(client, world):
    response = client.get("/countries/?topic=cybercrime")
    svg = svg_of(response)
    counts = {iso2: n for shapes in shapes_by_class(svg).values() for iso2, (n, _title) in shapes.items()}
    assert (counts["NG"], counts["GH"], counts["KE"], counts["FR"]) == (2, 1, 0, 0)
    rows = {
        row.country.iso2: row.count
        for continent in response.context["index"].continents
        for group in continent.groups
        for row in group.rows
    }
    assert all(rows[iso2] == n for iso2, n in counts.items())


def test_titles_give_the_name_and_count_in_the_visitors_language(client, world):
    english = shapes_by_class(svg_of(client.get("/countries/")))
    assert english["m4"]["NG"][1] == "Nigeria: 3"
    french = shapes_by_class(svg_of(client.get("/countries/", HTTP_ACCEPT_LANGUAGE="fr")))
    assert french["m4"]["NG"][1] == "Nigéria : 3"
    assert french["m0"]["US"][1] == "États-Unis : 0"
    spanish = shapes_by_class(svg_of(client.get("/countries/", HTTP_ACCEPT_LANGUAGE="es")))
    assert spanish["m0"]["DE"][1] == "Alemania: 0"


def test_the_map_is_a_labelled_group_that_can_be_skipped(client, world):
    response = client.get("/countries/")
    body, svg = response.content.decode(), svg_of(response)
    assert svg.startswith("<svg class=world-map ") and "role=group aria-labelledby=map-heading>" in svg
    assert '<h2 id="map-heading">Map: initiatives per country</h2>' in body
    assert '<a class="skip-map" href="#country-tables">Skip the map</a>' in body
    assert 'id="country-tables"' in body


@pytest.mark.parametrize("language", ["en", "fr", "es"])
@pytest.mark.parametrize("query", ["", "?topic=cybercrime&audience=law-enforcement&status=ongoing&region=africa"])
def test_the_page_with_its_map_weighs_under_60_kb_with_its_stylesheet(client, world, language, query):
    response = client.get(f"/countries/{query}", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    stylesheet = sum((ROOT / "static" / "css" / name).stat().st_size for name in ("site.css", "places.css"))
    svg = svg_of(response)
    assert len(svg.encode()) <= 22 * 1024
    assert len(response.content) + stylesheet <= PAGE_BUDGET


def test_the_shapes_asset_names_its_source_and_licence():
    data = json.loads((ROOT / "initiatives" / "worldmap.json").read_text(encoding="utf-8"))
    assert "Natural Earth" in data["source"] and "world-atlas" in data["source"]
    assert "ISC" in data["licence"] and "public domain" in data["licence"]
    # Outlines as relative moves on whole units: small enough for the page budget.
    assert sum(len(d) for d in data["shapes"].values()) <= 9 * 1024
    assert all(re.fullmatch(r"M\d+ \d+l[-\d ]+z(m[-\d ]+l[-\d ]+z)*", d) for d in data["shapes"].values())
