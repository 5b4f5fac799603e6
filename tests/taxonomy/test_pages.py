"""Region, country, topic, audience, organisation and source pages: counts that link to lists that agree."""

import html
import re
from urllib.parse import urljoin

import pytest

from initiatives.models import Participation
from taxonomy.models import Country, Region, Term
from tests.factories import InitiativeFactory, OrganisationFactory, ParticipationFactory
from tests.helpers import CARD_RE, UNPUBLISHED, analyze, bulk_initiatives, count_queries, region

pytestmark = pytest.mark.django_db

# A count in a breakdown table or bar chart, linking to its list:
# <td><a href="/initiatives/?region=x&amp;topic=y">3<span class="bar w20" aria-hidden="true"></span></a></td>
LINKED_COUNT_RE = re.compile(
    r'<td><a href="(/initiatives/\?[^"]+)">(\d+)(?:<span class="bar w\d+" aria-hidden="true"></span>)?</a></td>'
)
CSV_LINK_RE = re.compile(r'<a class="download" href="([^"]+)"[^>]*>Download CSV, (\d+) rows?</a>')


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def listed(body: str) -> list[str]:
    return CARD_RE.findall(body)


def list_total(client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.context["browse"].total


def linked_counts(body: str) -> dict[str, int]:
    """Every count in the page's breakdown tables, by the query of the list it links to."""
    return {html.unescape(url).split("?", 1)[1]: int(count) for url, count in LINKED_COUNT_RE.findall(body)}


def csv_rows(client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200, url
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    return [line.split(",", 1)[0] for line in lines[1:]]


def assert_linked_counts_match_their_lists(client, body: str) -> None:
    counts = linked_counts(body)
    assert counts, "the page should link some counts"
    for query, count in counts.items():
        assert list_total(client, f"/initiatives/?{query}") == count, query


@pytest.fixture
def world():
    """Six published initiatives (p1-p6) and three unpublished ones, counted by hand below."""
    expertise = OrganisationFactory(slug="expertise-france", name="Expertise France")
    eu = OrganisationFactory(slug="eu", name="European Union")
    coe = OrganisationFactory(slug="coe", name="Council of Europe")
    hidden_org = OrganisationFactory(slug="hidden-org", name="Hidden Org")

    p1 = InitiativeFactory(slug="p1", title="P1 Nigeria CERT", countries=["NG"], topics=["cert-development"])
    p1.audiences.set(Term.objects.audiences().filter(slug="certs"))
    p2 = InitiativeFactory(
        slug="p2", title="P2 ECOWAS cybercrime law", regions=[region("ecowas")], topics=["cybercrime-legislation"]
    )
    p3 = InitiativeFactory(
        slug="p3", title="P3 Ghana and Nigeria awareness", countries=["GH", "NG"], topics=["awareness"]
    )
    p3.audiences.set(Term.objects.audiences().filter(slug="youth"))
    p4 = InitiativeFactory(slug="p4", title="P4 Kenya incidents", countries=["KE"], topics=["incident-management"])
    p4.audiences.set(Term.objects.audiences().filter(slug="certs"))
    p5 = InitiativeFactory(slug="p5", title="P5 France strategy", countries=["FR"], topics=["national-strategy"])
    p6 = InitiativeFactory(
        slug="p6",
        title="P6 West Africa forensics",
        regions=[region("western-africa")],
        topics=["digital-forensics", "cert-development"],
    )
    p6.audiences.set(Term.objects.audiences().filter(slug__in=["certs", "law-enforcement"]))

    ParticipationFactory(initiative=p1, organisation=expertise)
    ParticipationFactory(initiative=p2, organisation=expertise)
    ParticipationFactory(initiative=p4, organisation=coe)
    for funded in (p1, p3, p5):
        ParticipationFactory(initiative=funded, organisation=eu, role=Participation.Role.FUNDER)

    for state in UNPUBLISHED:
        hidden = InitiativeFactory(
            slug=f"hidden-{state}",
            title=f"Hidden {state}",
            countries=["NG", "KE", "FR", "JP"],
            regions=[region("ecowas"), region("western-africa"), region("asia")],
            topics=["cert-development", "cybercrime", "standards"],
            audiences=["certs", "judiciary"],
            publication_state=state,
        )
        ParticipationFactory(initiative=hidden, organisation=expertise)
        ParticipationFactory(initiative=hidden, organisation=eu, role=Participation.Role.FUNDER)
        ParticipationFactory(initiative=hidden, organisation=hidden_org)


def assert_nothing_hidden(body: str) -> None:
    assert "hidden-" not in body
    assert "Hidden draft" not in body and "Hidden review" not in body and "Hidden archived" not in body


# --- regions


def test_region_list_shows_continents_sub_regions_and_groupings_with_counts(client, world):
    body = page(client, "/regions/")
    counts = {
        slug: int(count)
        for slug, count in re.findall(r'<a href="/regions/([^/]+)/">[^<]+</a> <span class="count">(\d+)</span>', body)
    }
    assert len(counts) == Region.objects.count()
    # The footprint rule: a region counts every initiative serving one of its countries.
    expected = {
        "africa": 5,  # p1 NG, p2 ECOWAS, p3 GH+NG, p4 KE, p6 western-africa
        "sub-saharan-africa": 5,
        "western-africa": 4,  # p1, p2 (every ECOWAS member is West African), p3, p6
        "eastern-africa": 1,
        "northern-africa": 0,
        "europe": 1,
        "western-europe": 1,
        "asia": 0,
        "ecowas": 4,  # p1 NG, p2 itself, p3, p6 (serves every ECOWAS member)
        "african-union": 5,
        "commonwealth": 5,
        "eac": 1,
        "european-union": 1,
        "sadc": 0,
    }
    assert {slug: counts[slug] for slug in expected} == expected
    m49, groupings = body.split("groupings-heading", 1)
    assert "/regions/western-africa/" in m49 and "/regions/ecowas/" not in m49
    assert "/regions/ecowas/" in groupings and "/regions/western-africa/" not in groupings
    assert_nothing_hidden(body)


def test_each_region_count_matches_its_page(client, world):
    body = page(client, "/regions/")
    for slug, count in re.findall(r'<a href="/regions/([^/]+)/">[^<]+</a> <span class="count">(\d+)</span>', body):
        if slug in {"africa", "western-africa", "ecowas", "european-union", "asia", "eac"}:
            assert client.get(f"/regions/{slug}/").context["browse"].total == int(count), slug


def test_region_page_lists_its_initiatives_with_breakdowns_and_a_csv_link(client, world):
    body = page(client, "/regions/western-africa/")
    assert sorted(listed(body)) == ["p1", "p2", "p3", "p6"]
    assert_nothing_hidden(body)

    counts = linked_counts(body)
    by_topic = {q.split("&topic=")[1]: n for q, n in counts.items() if "&topic=" in q}
    by_country = {q.split("&country=")[1]: n for q, n in counts.items() if "&country=" in q}
    assert all(q.startswith("region=western-africa&") for q in counts)
    assert by_topic == {
        "incident-management": 2,
        "cert-development": 2,
        "cybercrime": 2,
        "cybercrime-legislation": 1,
        "digital-forensics": 1,
        "culture-skills": 1,
        "awareness": 1,
    }
    # Every West African country is served by p6; ECOWAS members by p2 too; Ghana and Nigeria by more.
    # The chart shows the ten busiest and links to all of them.
    west_africa = set(Country.objects.filter(region__slug="western-africa").values_list("iso2", flat=True))
    assert set(by_country) < west_africa and len(by_country) == 10
    assert (by_country["NG"], by_country["GH"]) == (4, 3)
    assert sorted(by_country.values(), reverse=True) == [4, 3] + [2] * 8
    assert '<a href="/countries/?region=western-africa">All countries, with a map</a>' in body

    url, rows = CSV_LINK_RE.search(body).groups()
    assert int(rows) == 4
    assert sorted(csv_rows(client, html.unescape(url))) == ["p1", "p2", "p3", "p6"]


def test_region_page_counts_link_to_lists_that_show_that_many(client, world):
    for slug in ["western-africa", "ecowas"]:
        assert_linked_counts_match_their_lists(client, page(client, f"/regions/{slug}/"))


def test_grouping_page_covers_member_countries(client, world):
    body = page(client, "/regions/ecowas/")
    assert sorted(listed(body)) == ["p1", "p2", "p3", "p6"]
    by_country = {q.split("&country=")[1]: n for q, n in linked_counts(body).items() if "&country=" in q}
    assert set(by_country) < set(Region.objects.get(slug="ecowas").members.values_list("iso2", flat=True))
    assert (by_country["NG"], by_country["GH"]) == (4, 3)
    assert sorted(by_country.values(), reverse=True) == [4, 3] + [2] * 8  # the ten busiest members


def test_region_page_pagination_keeps_to_the_region(client):
    for n in range(25):
        InitiativeFactory(slug=f"ke-{n:02d}", title=f"Kenya {n:02d}", countries=["KE"])
    InitiativeFactory(slug="fr", title="A France", countries=["FR"])
    url = "/regions/eastern-africa/"
    body = page(client, url)
    assert listed(body) == [f"ke-{n:02d}" for n in range(20)]
    href = html.unescape(re.search(r'<a href="([^"]+)" rel="next">', body).group(1))
    assert listed(page(client, urljoin(url, href))) == [f"ke-{n:02d}" for n in range(20, 25)]


def test_region_page_of_a_region_with_nothing_says_so(client, world):
    body = page(client, "/regions/northern-africa/")
    assert listed(body) == []
    assert linked_counts(body) == {}
    assert "No initiative matches these filters." in body


# --- countries


@pytest.mark.parametrize("code", ["ng", "NG"])
def test_country_page_lists_its_initiatives_by_topic(client, world, code):
    body = page(client, f"/countries/{code}/")
    assert "Nigeria" in body
    # Named (p1, p3), and through ECOWAS (p2) and Western Africa (p6).
    assert sorted(listed(body)) == ["p1", "p2", "p3", "p6"]
    counts = linked_counts(body)
    assert {query: n for query, n in counts.items() if "&topic=" in query} == {
        "country=NG&topic=incident-management": 2,
        "country=NG&topic=cert-development": 2,
        "country=NG&topic=cybercrime": 2,
        "country=NG&topic=cybercrime-legislation": 1,
        "country=NG&topic=digital-forensics": 1,
        "country=NG&topic=culture-skills": 1,
        "country=NG&topic=awareness": 1,
    }
    assert any("&audience=" in query for query in counts) and any("&year=" in query for query in counts)
    assert_linked_counts_match_their_lists(client, body)
    assert_nothing_hidden(body)
    assert "/regions/ecowas/" in body  # its groupings are linked


# --- topics and audiences


def test_topic_page_includes_initiatives_tagged_with_child_terms(client, world):
    body = page(client, "/topics/incident-management/")
    assert sorted(listed(body)) == ["p1", "p4", "p6"]
    assert_nothing_hidden(body)
    counts = linked_counts(body)
    by_region = {q.split("&region=")[1]: n for q, n in counts.items() if "&region=" in q}
    by_audience = {q.split("&audience=")[1]: n for q, n in counts.items() if "&audience=" in q}
    assert by_region == {  # the M49 regions (groupings overlap them: they stay in the list's facet)
        "africa": 3,
        "sub-saharan-africa": 3,
        "western-africa": 2,  # p1 by country, p6 by region
        "eastern-africa": 1,
    }
    assert by_audience == {"certs": 3, "law-enforcement": 1}
    assert_linked_counts_match_their_lists(client, body)


def test_child_topic_page_does_not_include_the_parent(client, world):
    body = page(client, "/topics/cert-development/")
    assert sorted(listed(body)) == ["p1", "p6"]
    assert_linked_counts_match_their_lists(client, body)


def test_audience_page_lists_its_initiatives_with_breakdowns(client, world):
    body = page(client, "/audiences/certs/")
    assert sorted(listed(body)) == ["p1", "p4", "p6"]
    assert_nothing_hidden(body)
    by_topic = {q.split("&topic=")[1]: n for q, n in linked_counts(body).items() if "&topic=" in q}
    assert by_topic == {"incident-management": 3, "cert-development": 2, "cybercrime": 1, "digital-forensics": 1}
    assert_linked_counts_match_their_lists(client, body)
    url, rows = CSV_LINK_RE.search(body).groups()
    assert int(rows) == 3
    assert sorted(csv_rows(client, html.unescape(url))) == ["p1", "p4", "p6"]


# --- organisations


def test_organisation_list_counts_published_roles_and_links_them(client, world):
    body = page(client, "/organisations/")
    rows = dict(re.findall(r'<a href="/organisations/([^/]+)/">.*?</th>(.*?)</tr>', body, re.S))
    assert set(rows) == {"expertise-france", "eu", "coe"}  # hidden-org only works on unpublished ones

    def linked(cells):
        return {
            html.unescape(url): int(n) for url, n in re.findall(r'<a href="(/initiatives/\?[^"]+)">(\d+)</a>', cells)
        }

    assert linked(rows["expertise-france"]) == {"/initiatives/?implementer=expertise-france": 2}
    assert linked(rows["eu"]) == {"/initiatives/?funder=eu": 3}
    assert linked(rows["coe"]) == {"/initiatives/?implementer=coe": 1}
    for cells in rows.values():
        for url, count in linked(cells).items():
            assert list_total(client, url) == count, url


def test_organisation_page_shows_what_it_implements_and_funds_with_csv_links(client, world):
    body = page(client, "/organisations/expertise-france/")
    assert "Expertise France" in body
    assert sorted(listed(body)) == ["p1", "p2"]
    assert_nothing_hidden(body)
    links = {html.unescape(url): int(n) for url, n in CSV_LINK_RE.findall(body)}
    assert links == {"/initiatives/export.csv?implementer=expertise-france": 2}
    assert sorted(csv_rows(client, "/initiatives/export.csv?implementer=expertise-france")) == ["p1", "p2"]

    body = page(client, "/organisations/eu/")
    assert sorted(listed(body)) == ["p1", "p3", "p5"]
    links = {html.unescape(url): int(n) for url, n in CSV_LINK_RE.findall(body)}
    assert links == {"/initiatives/export.csv?funder=eu": 3}
    assert sorted(csv_rows(client, "/initiatives/export.csv?funder=eu")) == ["p1", "p3", "p5"]
    assert_nothing_hidden(body)


def test_organisation_page_separates_implementing_from_funding(client):
    both = OrganisationFactory(slug="both", name="Both Ways")
    ParticipationFactory(initiative=InitiativeFactory(slug="runs", title="Runs it"), organisation=both)
    ParticipationFactory(
        initiative=InitiativeFactory(slug="pays", title="Pays for it"), organisation=both, role="funder"
    )
    ParticipationFactory(
        initiative=InitiativeFactory(slug="helps", title="Helps with it"), organisation=both, role="partner"
    )
    body = page(client, "/organisations/both/")
    implements = body.split('id="role-1"', 1)[1].split('id="role-2"', 1)[0]
    funds = body.split('id="role-2"', 1)[1].split('id="role-partner"', 1)[0]
    partner = body.split('id="role-partner"', 1)[1]
    assert listed(implements) == ["runs"]
    assert listed(funds) == ["pays"]
    assert listed(partner) == ["helps"]
    assert {html.unescape(url) for url, _ in CSV_LINK_RE.findall(body)} == {
        "/initiatives/export.csv?implementer=both",
        "/initiatives/export.csv?funder=both",
    }


def test_organisation_page_shows_ten_per_role_and_links_to_the_full_list(client):
    """Ten cards a role keep the page light: its charts summarise them all, the list shows the rest."""
    org = OrganisationFactory(slug="busy")
    for n in range(11):
        ParticipationFactory(
            initiative=InitiativeFactory(slug=f"busy-{n:02d}", title=f"Busy {n:02d}"), organisation=org
        )
    body = page(client, "/organisations/busy/")
    assert listed(body) == [f"busy-{n:02d}" for n in range(10)]
    assert '<a href="/initiatives/?implementer=busy">See all 11</a>' in body
    assert list_total(client, "/initiatives/?implementer=busy") == 11


# The sources page: tests/initiatives/test_sources_view.py; similar initiatives on the detail page:
# tests/initiatives/test_similar_initiatives.py.


# --- query counts


@pytest.mark.parametrize(
    "url",
    [
        "/regions/africa/",
        "/regions/ecowas/",
        "/countries/ng/",
        "/topics/incident-management/",
        "/audiences/policymakers/",
        "/organisations/",
        "/regions/",
    ],
)
@pytest.mark.parametrize("fresh_statistics", [False, True], ids=["stale-statistics", "analyzed"])
def test_page_query_count_does_not_grow_with_the_number_of_initiatives(client, url, fresh_statistics):
    bulk_initiatives(10, "few")
    client.get(url)  # warm up
    few = count_queries(client, url)
    before = client.get(url).content
    bulk_initiatives(600, "many")
    if fresh_statistics:  # the planner sees the real table sizes, as after autovacuum
        analyze()
    many = count_queries(client, url)
    assert client.get(url).content != before  # the second run really shows more
    assert many == few


def test_an_organisation_with_only_unpublished_initiatives_is_not_public(client):
    organisation = OrganisationFactory(slug="only-drafts")
    ParticipationFactory(organisation=organisation, initiative=InitiativeFactory(publication_state="draft"))
    assert client.get("/organisations/only-drafts/").status_code == 404
    assert "only-drafts" not in client.get("/organisations/").content.decode()
    ParticipationFactory(organisation=organisation, role="funder", initiative=InitiativeFactory())
    assert client.get("/organisations/only-drafts/").status_code == 200
