"""/api/v1/ regions, countries, vocabularies, terms and sources: the shared vocabulary, by its keys."""

import pytest

from initiatives.selectors import region_countries
from taxonomy.models import Country, Region, Term, TermAlias
from tests.factories import SourceFactory
from tests.helpers import region

pytestmark = pytest.mark.django_db


def every_row(client, url: str) -> list[dict]:
    rows = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content.decode()[:500]
        rows += response.json()["results"]
        url = response.json()["next"]
    return rows


def test_regions_list_every_region_with_its_countries_at_any_depth(client):
    rows = {row["slug"]: row for row in every_row(client, "/api/v1/regions/?page_size=100")}
    assert set(rows) == set(Region.objects.values_list("slug", flat=True))
    africa = rows["africa"]
    assert africa["kind"] == "continent"
    assert africa["parent"] is None
    assert africa["m49"] == "002"
    assert set(africa["names"]) == {"en", "fr", "es"}
    assert africa["names"]["fr"] == "Afrique"
    assert "NG" in africa["countries"]  # through Western Africa, a sub-region
    assert rows["western-africa"]["parent"] == "sub-saharan-africa"
    for slug in ["africa", "ecowas", "western-africa"]:
        assert rows[slug]["countries"] == sorted(region_countries(region(slug)))


def test_a_region_reads_by_its_slug(client):
    response = client.get("/api/v1/regions/ecowas/")
    assert response.status_code == 200
    row = response.json()
    assert row["kind"] == "grouping"
    assert "NG" in row["countries"] and "KE" not in row["countries"]
    assert row["url"] == "http://testserver/regions/ecowas/"
    assert client.get("/api/v1/regions/atlantis/").status_code == 404


def test_countries_are_paginated_and_read_by_their_code_in_any_case(client):
    rows = every_row(client, "/api/v1/countries/?page_size=100")
    assert len(rows) == Country.objects.count() > 200
    nigeria = client.get("/api/v1/countries/ng/").json()
    assert nigeria == next(row for row in rows if row["iso2"] == "NG")
    assert (nigeria["iso3"], nigeria["m49"], nigeria["region"]) == ("NGA", "566", "western-africa")
    assert nigeria["names"]["fr"] == "Nigéria"
    for code in ["ZZ", "NGA", "1", "n%00"]:
        assert client.get(f"/api/v1/countries/{code}/").status_code == 404


def test_vocabularies_come_with_their_terms(client):
    rows = {row["slug"]: row for row in every_row(client, "/api/v1/vocabularies/")}
    assert set(rows) == {"topic", "audience", "modality"}
    topics = {term["slug"] for term in rows["topic"]["terms"]}
    assert topics == set(Term.objects.topics().values_list("slug", flat=True))


def test_terms_filter_by_vocabulary_and_carry_their_aliases_and_parent(client):
    term = Term.objects.topics().filter(parent__isnull=False).first()
    TermAlias.objects.create(term=term, name="An other word", scheme="GFCE")
    rows = {row["slug"]: row for row in every_row(client, "/api/v1/terms/?vocabulary=topic&page_size=100")}
    assert set(rows) == set(Term.objects.topics().values_list("slug", flat=True))
    assert {row["vocabulary"] for row in rows.values()} == {"topic"}
    assert rows[term.slug]["parent"] == term.parent.slug
    assert {"name": "An other word", "scheme": "GFCE"} in rows[term.slug]["aliases"]
    assert len(every_row(client, "/api/v1/terms/?page_size=100")) == Term.objects.count()


def test_an_unknown_vocabulary_is_a_400(client):
    response = client.get("/api/v1/terms/?vocabulary=colours")
    assert response.status_code == 400
    assert response.json() == {"vocabulary": ["Unknown vocabulary: “colours”."]}


def test_sources_list_the_other_mappings(client):
    source = SourceFactory(slug="gfce-map", name="GFCE map", url="https://example.org/map")
    source.regions.set([region("africa")])
    [row] = every_row(client, "/api/v1/sources/")
    assert (row["slug"], row["website"], row["regions"]) == ("gfce-map", "https://example.org/map", ["africa"])
    assert row["url"] == "http://testserver/sources/#gfce-map"


@pytest.mark.parametrize("url", ["/api/v1/nothing-here/", "/api/v1/initiatives/a/b/"])
def test_other_urls_under_the_api_are_404_in_json(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
