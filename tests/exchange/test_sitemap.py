"""/sitemap.xml: an index of sections listing only what visitors can see."""

import datetime
import xml.etree.ElementTree as ET

import pytest

from initiatives.models import Initiative, Participation
from taxonomy.models import Region, Term
from tests.factories import InitiativeFactory, OrganisationFactory, ParticipationFactory
from tests.helpers import UNPUBLISHED, bulk_initiatives, count_queries, region

pytestmark = pytest.mark.django_db

NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
SERVER = "http://testserver"
SECTIONS = ["static", "initiatives", "regions", "countries", "topics", "audiences", "organisations"]


def get_xml(client, url: str) -> ET.Element:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("application/xml")
    return ET.fromstring(response.content)


def section(client, name: str) -> dict[str, str | None]:
    """loc (without the server) -> lastmod of one section."""
    urlset = get_xml(client, f"/sitemap-{name}.xml")
    assert urlset.tag == f"{NS}urlset"
    return {
        url.findtext(f"{NS}loc").removeprefix(SERVER): url.findtext(f"{NS}lastmod") for url in urlset.iter(f"{NS}url")
    }


@pytest.fixture
def rows():
    """Published initiatives with their organisations, and unpublished ones with organisations of their own."""
    shown = InitiativeFactory(slug="shown", countries=["NG"], topics=["cybercrime"])
    ParticipationFactory(initiative=shown, organisation=OrganisationFactory(slug="public-org"))
    regional = InitiativeFactory(slug="regional", regions=[region("ecowas")])
    for state in UNPUBLISHED:
        hidden = InitiativeFactory(slug=f"hidden-{state}", countries=["JP"], publication_state=state)
        ParticipationFactory(initiative=hidden, organisation=OrganisationFactory(slug=f"only-in-{state}"))
        # An organisation of both a published and an unpublished initiative is public.
        both = OrganisationFactory(slug=f"both-{state}")
        ParticipationFactory(initiative=hidden, organisation=both)
        ParticipationFactory(initiative=regional, organisation=both, role=Participation.Role.FUNDER)
    return shown, regional


def test_the_index_lists_every_section(client):
    index = get_xml(client, "/sitemap.xml")
    assert index.tag == f"{NS}sitemapindex"
    locations = [sitemap.findtext(f"{NS}loc") for sitemap in index.iter(f"{NS}sitemap")]
    assert locations == [f"{SERVER}/sitemap-{name}.xml" for name in SECTIONS]


def test_the_index_dates_the_initiatives_section_by_the_latest_update(client, rows):
    latest = Initiative.objects.published().latest("updated_at").updated_at
    InitiativeFactory(slug="newer-draft", publication_state="draft")  # a draft's update does not count
    index = get_xml(client, "/sitemap.xml")
    dated = {s.findtext(f"{NS}loc"): s.findtext(f"{NS}lastmod") for s in index.iter(f"{NS}sitemap")}
    assert datetime.datetime.fromisoformat(dated[f"{SERVER}/sitemap-initiatives.xml"]) == latest


def test_static_pages_are_listed(client):
    assert list(section(client, "static")) == [
        "/",
        "/initiatives/",
        "/regions/",
        "/countries/",
        "/organisations/",
        "/sources/",
    ]


def test_only_published_initiatives_are_listed_with_their_last_update(client, rows):
    listed = section(client, "initiatives")
    assert set(listed) == {"/initiatives/shown/", "/initiatives/regional/"}
    shown = Initiative.objects.get(slug="shown")
    assert listed["/initiatives/shown/"] == shown.updated_at.date().isoformat()


def test_only_public_organisations_are_listed(client, rows):
    listed = set(section(client, "organisations"))
    assert listed == {"/organisations/public-org/"} | {f"/organisations/both-{state}/" for state in UNPUBLISHED}


def test_only_countries_a_published_initiative_serves_are_listed(client, rows):
    listed = set(section(client, "countries"))
    assert "/countries/NG/" in listed  # named
    assert "/countries/SN/" in listed  # a member of ECOWAS, a beneficiary region
    assert "/countries/JP/" not in listed  # only drafts serve it
    assert "/countries/FR/" not in listed  # nothing does
    assert all(client.get(url).status_code == 200 for url in listed)


def test_regions_topics_and_audiences_are_listed_whole(client):
    assert len(section(client, "regions")) == Region.objects.count()
    assert "/regions/western-africa/" in section(client, "regions")
    topics = section(client, "topics")
    assert len(topics) == Term.objects.topics().count()
    assert "/topics/cybercrime/" in topics
    audiences = section(client, "audiences")
    assert len(audiences) == Term.objects.audiences().count()
    assert "/audiences/certs/" in audiences


def test_no_section_names_anything_unpublished(client, rows):
    every = [loc for name in SECTIONS for loc in section(client, name)]
    assert len(every) == len(set(every))
    assert not [loc for loc in every if "hidden" in loc or "only-in" in loc]
    for loc in every:
        assert client.get(loc).status_code == 200, loc


def test_an_unknown_section_or_page_is_404(client):
    assert client.get("/sitemap-drafts.xml").status_code == 404
    assert client.get("/sitemap-initiatives.xml?p=9").status_code == 404
    assert client.get("/sitemap-initiatives.xml?p=x").status_code == 404


def test_a_section_costs_the_same_queries_however_many_rows(client):
    bulk_initiatives(3, "few")
    few = {name: count_queries(client, f"/sitemap-{name}.xml") for name in SECTIONS}
    few_index = count_queries(client, "/sitemap.xml")
    bulk_initiatives(60, "many")
    assert len(section(client, "initiatives")) == 63  # the second run really had more
    assert {name: count_queries(client, f"/sitemap-{name}.xml") for name in SECTIONS} == few
    assert count_queries(client, "/sitemap.xml") == few_index


@pytest.mark.parametrize("url", ["/sitemap.xml", "/sitemap-initiatives.xml"])
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_it_rejects_writes(client, url, method):
    response = getattr(client, method)(url)
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
