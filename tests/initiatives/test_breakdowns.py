"""The bar charts of region, topic, audience and organisation pages: each bar's count is the total of the
list it links to, years count what was active, nothing unpublished is counted, queries do not grow."""

import datetime
import html
import re

import pytest
from django.utils import timezone

from initiatives.models import Participation
from tests.factories import InitiativeFactory, OrganisationFactory, ParticipationFactory
from tests.helpers import UNPUBLISHED, bulk_initiatives, count_queries, region

pytestmark = pytest.mark.django_db

# One bar: the count is the link's text, the bar a decoration its width class draws.
BAR_RE = re.compile(
    r'<td><a href="(/initiatives/\?[^"]+)">(\d+)<span class="bar w(\d+)" aria-hidden="true"></span></a></td>'
)
THIS_YEAR = timezone.localdate().year


def year(offset: int) -> datetime.date:
    """1 January of a year counted from this one (0 is this year, -3 three years ago)."""
    return datetime.date(THIS_YEAR + offset, 1, 1)


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def bars(body: str) -> dict[str, int]:
    """Every bar of a page: the query of the list it links to -> its count."""
    return {html.unescape(url).split("?", 1)[1]: int(count) for url, count, _width in BAR_RE.findall(body)}


def list_total(client, query: str) -> int:
    response = client.get(f"/initiatives/?{query}")
    assert response.status_code == 200, query
    return response.context["browse"].total


@pytest.fixture
def world():
    """Published initiatives in West Africa, Kenya and France over several years, run and paid for by two
    organisations, and in each unpublished state one that would change every count if it leaked."""
    giz = OrganisationFactory(slug="giz", name="GIZ")
    eu = OrganisationFactory(slug="eu", name="European Union", kind="intergovernmental")
    made = [
        InitiativeFactory(
            slug="ng-cert",
            countries=["NG"],
            topics=["cert-development"],
            audiences=["certs"],
            start_date=year(-8),
            end_date=year(-6),
        ),
        InitiativeFactory(
            slug="ecowas-law",
            regions=[region("ecowas")],
            topics=["cybercrime-legislation"],
            audiences=["law-enforcement", "judiciary"],
            start_date=year(-5),
            end_date=None,
        ),
        InitiativeFactory(
            slug="gh-awareness", countries=["GH", "NG"], topics=["awareness"], audiences=["youth"], start_date=year(-1)
        ),
        InitiativeFactory(
            slug="ke-incidents",
            countries=["KE"],
            topics=["incident-management"],
            audiences=["certs"],
            start_date=year(0),
        ),
        InitiativeFactory(slug="fr-strategy", countries=["FR"], topics=["national-strategy"], start_date=year(-3)),
        InitiativeFactory(
            slug="west-forensics",
            regions=[region("western-africa")],
            topics=["digital-forensics", "cert-development"],
            audiences=["certs", "law-enforcement"],
            start_date=None,
        ),
    ]
    for initiative in made[:4]:
        ParticipationFactory(initiative=initiative, organisation=giz)
    for initiative in made[1:5]:
        ParticipationFactory(initiative=initiative, organisation=eu, role=Participation.Role.FUNDER)
    ParticipationFactory(initiative=made[5], organisation=eu, role=Participation.Role.PARTNER)
    for state in UNPUBLISHED:
        hidden = InitiativeFactory(
            slug=f"hidden-{state}",
            countries=["NG", "KE", "FR"],
            regions=[region("ecowas"), region("western-africa")],
            topics=["cert-development", "cybercrime", "standards"],
            audiences=["certs", "judiciary"],
            start_date=year(-14),
            publication_state=state,
        )
        ParticipationFactory(initiative=hidden, organisation=giz)
        ParticipationFactory(initiative=hidden, organisation=eu, role=Participation.Role.FUNDER)
        ParticipationFactory(initiative=hidden, organisation=eu, role=Participation.Role.PARTNER)


CHARTED_PAGES = [
    "/regions/africa/",
    "/regions/africa/?specific=1",
    "/regions/western-africa/",
    "/regions/ecowas/",
    "/topics/cert-development/",
    "/topics/incident-management/",
    "/audiences/certs/",
    "/organisations/giz/",
    "/organisations/eu/",
]


@pytest.mark.parametrize("url", CHARTED_PAGES)
def test_each_bar_counts_what_the_list_it_links_to_shows(client, world, url):
    charted = bars(page(client, url))
    assert charted, "the page should chart something"
    for query, count in charted.items():
        assert list_total(client, query) == count, query


@pytest.mark.parametrize("url", CHARTED_PAGES)
def test_charts_are_drawn_without_inline_styles_and_read_without_the_bars(client, world, url):
    body = page(client, url)
    assert "style=" not in body  # the CSP forbids inline styles: widths are classes
    for _url, count, width in BAR_RE.findall(body):
        assert 1 <= int(width) <= 20 and int(count) > 0
    assert body.count('<table class="bars">') == body.count("<caption>") - body.count("<caption class=")


def test_region_page_charts_topics_sub_regions_countries_and_years(client, world):
    charted = bars(page(client, "/regions/africa/"))
    assert {q: n for q, n in charted.items() if "topic=" in q} == {
        "region=africa&topic=incident-management": 3,  # ng-cert, ke-incidents and west-forensics, by sub-topic
        "region=africa&topic=cert-development": 2,
        "region=africa&topic=cybercrime": 2,
        "region=africa&topic=cybercrime-legislation": 1,
        "region=africa&topic=digital-forensics": 1,
        "region=africa&topic=culture-skills": 1,
        "region=africa&topic=awareness": 1,
    }
    # A sub-region's bar links to its own list: every initiative reaching it is in Africa's.
    assert {q: n for q, n in charted.items() if "country=" not in q and "topic=" not in q and "year=" not in q} == {
        "region=sub-saharan-africa": 5,
        "region=western-africa": 4,
        "region=eastern-africa": 1,
    }
    countries = {q: n for q, n in charted.items() if "country=" in q}
    assert len(countries) == 10  # the busiest, then a link to every country
    assert countries["region=africa&country=NG"] == 4 and countries["region=africa&country=GH"] == 3


def test_region_page_keeping_what_targets_it_charts_the_same_way(client, world):
    """With `specific`, each bar's list keeps it too (a country named, a region targeted)."""
    body = page(client, "/regions/western-africa/?specific=1")
    charted = bars(body)
    assert charted["region=western-africa&specific=1&topic=digital-forensics"] == 1
    # Nigeria as named by ng-cert and gh-awareness, not reached through ECOWAS or the region (4 without).
    assert {q: n for q, n in charted.items() if "&country=" in q} == {
        "region=western-africa&specific=1&country=NG": 2,
        "region=western-africa&specific=1&country=GH": 1,
    }
    assert '<a href="/countries/?region=western-africa&amp;specific=1">' not in body  # both fit
    for query, count in charted.items():
        assert list_total(client, query) == count, query


def test_region_page_links_to_every_country_beyond_the_busiest(client, world):
    body = page(client, "/regions/western-africa/")
    assert '<a href="/countries/?region=western-africa">All countries, with a map</a>' in body
    assert client.get("/countries/?region=western-africa").status_code == 200


def test_topic_page_charts_regions_audiences_and_years(client, world):
    charted = bars(page(client, "/topics/incident-management/"))
    regions = {q.split("&region=")[1]: n for q, n in charted.items() if "&region=" in q}
    audiences = {q.split("&audience=")[1]: n for q, n in charted.items() if "&audience=" in q}
    # UN M49 continents and sub-regions; groupings (ECOWAS, AU) overlap them and stay in the list's facet.
    assert regions == {"africa": 3, "sub-saharan-africa": 3, "western-africa": 2, "eastern-africa": 1}
    assert audiences == {"certs": 3, "law-enforcement": 1}


def test_audience_page_charts_topics(client, world):
    charted = bars(page(client, "/audiences/law-enforcement/"))
    topics = {q.split("&topic=")[1]: n for q, n in charted.items() if "&topic=" in q}
    assert topics == {
        "cybercrime": 2,  # a topic counts its sub-topics
        "cybercrime-legislation": 1,
        "digital-forensics": 1,
        "incident-management": 1,
        "cert-development": 1,
    }


# --- years


def test_year_chart_counts_initiatives_active_in_each_year_from_the_first_with_any(client, world):
    charted = bars(page(client, "/regions/africa/"))
    years = {int(q.split("&year=")[1]): n for q, n in charted.items() if "&year=" in q}
    # ng-cert 8 to 6 years ago, ecowas-law from 5 years ago on, gh-awareness since last year, ke-incidents
    # this year; west-forensics has no start date, so no year; the unpublished ones began 14 years ago.
    assert years == {
        THIS_YEAR - 8: 1,
        THIS_YEAR - 7: 1,
        THIS_YEAR - 6: 1,
        THIS_YEAR - 5: 1,
        THIS_YEAR - 4: 1,
        THIS_YEAR - 3: 1,
        THIS_YEAR - 2: 1,
        THIS_YEAR - 1: 2,
        THIS_YEAR: 3,
    }


def test_year_chart_shows_at_most_fifteen_years_up_to_this_one(client):
    InitiativeFactory(slug="long", countries=["KE"], start_date=year(-30), end_date=year(-2))
    InitiativeFactory(slug="next", countries=["KE"], start_date=year(1))  # planned: in no year shown yet
    body = page(client, "/regions/eastern-africa/")
    years = {int(q.split("&year=")[1]): n for q, n in bars(body).items() if "&year=" in q}
    assert sorted(years) == list(range(THIS_YEAR - 14, THIS_YEAR - 1))
    assert set(years.values()) == {1}
    assert f'<th scope="row">{THIS_YEAR}</th><td><span class="none">0</span>' in body  # empty years stay, unlinked


def test_pages_without_initiatives_chart_nothing(client, world):
    body = page(client, "/regions/northern-africa/")
    assert bars(body) == {} and '<table class="bars">' not in body


# --- organisations


def test_organisation_page_summarises_its_roles_and_years_above_the_lists(client, world):
    body = page(client, "/organisations/eu/")
    summary = body.split('id="role-1"', 1)[0]
    assert '<dt>Funds</dt><dd><a href="/initiatives/?funder=eu">4 initiatives</a></dd>' in summary
    assert "<dt>Implements</dt>" not in summary  # it implements nothing: no empty charts either
    assert "<dt>Partner in</dt><dd>1 initiative</dd>" in summary  # west-forensics, not the hidden ones
    assert f"<dt>Years active</dt><dd>since {THIS_YEAR - 5}</dd>" in summary  # ecowas-law has no end
    charted = bars(summary)
    assert {q: n for q, n in charted.items() if "&topic=" in q} == {  # top-level topics only
        "funder=eu&topic=policy-strategy": 1,
        "funder=eu&topic=incident-management": 1,
        "funder=eu&topic=cybercrime": 1,
        "funder=eu&topic=culture-skills": 1,
    }
    assert {q: n for q, n in charted.items() if "&region=" in q} == {  # the continents
        "funder=eu&region=africa": 3,
        "funder=eu&region=europe": 1,
    }


def test_organisation_years_active_span_its_published_initiatives(client):
    organisation = OrganisationFactory(slug="span")
    for start, end in [(year(-10), year(-7)), (year(-4), year(-2))]:
        ParticipationFactory(initiative=InitiativeFactory(start_date=start, end_date=end), organisation=organisation)
    ParticipationFactory(
        initiative=InitiativeFactory(start_date=year(-12), end_date=None, publication_state="draft"),
        organisation=organisation,
    )
    body = page(client, "/organisations/span/")
    assert f"<dt>Years active</dt><dd>{THIS_YEAR - 10}–{THIS_YEAR - 2}</dd>" in body


def test_bar_lengths_are_proportional_to_the_longest_bar(client):
    for n in range(4):
        InitiativeFactory(slug=f"ke-{n}", countries=["KE"], topics=["cybercrime"])
    InitiativeFactory(slug="ke-strategy", countries=["KE"], topics=["national-strategy"])
    found = [
        (html.unescape(url), int(width))
        for url, _count, width in BAR_RE.findall(page(client, "/regions/eastern-africa/"))
    ]
    widths = {url.split("&topic=")[1]: width for url, width in found if "&topic=" in url}
    assert widths == {"cybercrime": 20, "national-strategy": 5, "policy-strategy": 5}


# --- cost


@pytest.mark.parametrize("url", ["/regions/western-africa/", "/topics/cybercrime/", "/organisations/busy/"])
def test_chart_queries_do_not_grow_with_the_number_of_initiatives(client, url):
    busy = OrganisationFactory(slug="busy")

    def grow(count: int, prefix: str) -> None:
        ids = bulk_initiatives(count, prefix)
        Participation.objects.filter(initiative__in=ids, role=Participation.Role.IMPLEMENTER).update(organisation=busy)

    grow(10, "few")
    few = count_queries(client, url)
    before = bars(page(client, url))
    grow(300, "many")
    many = count_queries(client, url)
    assert sum(bars(page(client, url)).values()) > sum(before.values())  # the second run really counts more
    assert many == few
