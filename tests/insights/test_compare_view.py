"""/compare/: places side by side, every number equal to the list it links to, bad input, query counts."""

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.factories import InitiativeFactory, NeedFactory, OrganisationFactory, ParticipationFactory
from tests.helpers import UNPUBLISHED, bulk_initiatives, count_queries, region

pytestmark = pytest.mark.django_db

LINK_RE = re.compile(r'<a href="(/(?:initiatives|needs)/\?[^"]+)"[^>]*>\(?(\d+)\)?</a>')


def get_compare(client, query: str):
    response = client.get(f"/compare/?{query}")
    assert response.status_code == 200, response.content.decode()[:3000]
    return response


def numbers(response) -> list[tuple[str, int]]:
    """Every number of the comparison tables with the URL it links to."""
    body = response.content.decode()
    tables = body[body.index("<table") : body.index('id="compare-form-heading"')]
    return [(html.unescape(url), int(count)) for url, count in LINK_RE.findall(tables)]


def total_of(client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200, url
    if url.startswith("/needs/"):
        return response.context["page"].paginator.count
    return response.context["browse"].total


@pytest.fixture
def world():
    """Initiatives in Nigeria, Ghana and Southern Africa, with drafts that must never count."""
    eu = OrganisationFactory(slug="eu", name="European Union")
    coe = OrganisationFactory(slug="coe", name="Council of Europe")
    drafter = OrganisationFactory(slug="drafter", name="Only Drafts")
    ecowas = InitiativeFactory(
        slug="ecowas-wide", regions=[region("ecowas")], topics=["cybercrime"], audiences=["judiciary"]
    )
    ParticipationFactory(initiative=ecowas, organisation=coe)
    ParticipationFactory(initiative=ecowas, organisation=eu, role="funder")
    nigeria = InitiativeFactory(
        slug="nigeria-only", countries=["NG"], topics=["digital-forensics"], audiences=["certs"]
    )
    ParticipationFactory(initiative=nigeria, organisation=coe)
    old = InitiativeFactory(
        slug="old-ghana", countries=["GH"], topics=["standards"], start_date="2010-01-01", end_date="2012-12-31"
    )
    ParticipationFactory(initiative=old, organisation=eu, role="funder")
    south = InitiativeFactory(slug="south", countries=["ZA", "BW"], topics=["cert-development"], audiences=["certs"])
    ParticipationFactory(initiative=south, organisation=eu, role="funder")
    InitiativeFactory(slug="africa-wide", regions=[region("africa")], topics=["awareness"], audiences=["youth"])
    for state in UNPUBLISHED:
        draft = InitiativeFactory(
            slug=f"draft-{state}", countries=["NG", "GH", "ZA"], topics=["ciip"], publication_state=state
        )
        ParticipationFactory(initiative=draft, organisation=drafter)
        ParticipationFactory(initiative=draft, organisation=drafter, role="funder")
    NeedFactory(slug="nigeria-open", topics=["cybercrime"])
    NeedFactory(slug="nigeria-met", topics=["cybercrime"], state="met")
    NeedFactory(slug="nigeria-draft", publication_state="draft")
    NeedFactory(slug="sadc-open", region=region("sadc"))
    NeedFactory(slug="botswana-open", country_id="BW")


def test_hand_counted_columns(client, world):
    comparison = get_compare(client, "country=NG&country=GH&region=sadc").context["comparison"]
    assert [column.place.value for column in comparison.columns] == ["NG", "GH", "sadc"]
    assert [column.total.count for column in comparison.columns] == [3, 3, 2]
    assert [column.open_needs.count for column in comparison.columns] == [1, 0, 2]
    cybercrime = next(row for row in comparison.topics if row.term.slug == "cybercrime")
    assert [cell.count for cell in cybercrime.cells] == [2, 1, 0]  # a parent counts its children
    ciip = next(row for row in comparison.topics if row.term.slug == "ciip")
    assert [cell.count for cell in ciip.cells] == [0, 0, 0]  # drafts only
    funders = [[(cell.name, cell.count) for cell in column.funders] for column in comparison.columns]
    assert funders == [[("European Union", 1)], [("European Union", 2)], [("European Union", 1)]]
    implementers = [[(cell.name, cell.count) for cell in column.implementers] for column in comparison.columns]
    assert implementers == [[("Council of Europe", 2)], [("Council of Europe", 1)], []]


def test_every_number_is_the_total_of_the_list_it_links_to(client, world):
    found = numbers(get_compare(client, "country=NG&country=GH&region=sadc"))
    assert len(found) >= 3 * (1 + 1 + 15 + 12)  # totals, open needs, topics and audiences, then organisations
    assert any(count for _url, count in found)
    for url, count in found:
        assert total_of(client, url) == count, url


def test_specific_and_year_qualify_every_number_and_its_link(client, world):
    response = get_compare(client, "country=GH&region=western-africa&specific=1&year=2011")
    found = numbers(response)
    initiative_links = [(url, count) for url, count in found if url.startswith("/initiatives/")]
    for url, count in initiative_links:
        query = parse_qs(urlsplit(url).query)
        assert query["specific"] == ["1"] and query["year"] == ["2011"], url
        assert total_of(client, url) == count, url
    totals = [column.total.count for column in response.context["comparison"].columns]
    assert totals == [1, 1]  # only the old Ghana project was active in 2011; the ECOWAS one is not specific
    unqualified = get_compare(client, "country=GH&region=western-africa").context["comparison"]
    assert [column.total.count for column in unqualified.columns] == [3, 4]


def test_places_keep_the_order_given(client, world):
    comparison = get_compare(client, "region=sadc&country=gh&country=NG").context["comparison"]
    assert [column.place.value for column in comparison.columns] == ["sadc", "GH", "NG"]


def test_drafts_and_their_organisations_never_show(client, world):
    body = get_compare(client, "country=NG&country=GH&region=sadc").content.decode()
    assert "/organisations/drafter/" not in body
    assert "nigeria-draft" not in body


def test_open_needs_are_listed_under_each_place(client, world):
    body = get_compare(client, "country=NG&region=sadc").content.decode()
    assert 'href="/needs/nigeria-open/"' in body
    assert 'href="/needs/sadc-open/"' in body and 'href="/needs/botswana-open/"' in body  # a member country
    assert "/needs/nigeria-met/" not in body


def test_tables_are_accessible(client, world):
    body = get_compare(client, "country=NG&country=GH").content.decode()
    assert body.count("<caption>") == 5
    assert '<th scope="col"><a href="/countries/NG/">Nigeria</a></th>' in body
    assert '<th scope="row">Cybercrime</th>' in body
    assert "style=" not in body and "<script" not in body


# --- the form and bad input


def test_without_places_it_shows_the_form(client):
    response = client.get("/compare/")
    assert response.status_code == 200
    body = response.content.decode()
    assert '<form class="compare-form" method="get" action="/compare/">' in body
    assert '<option value="NG">Nigeria</option>' in body
    assert '<option value="sadc">' in body


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("country=NG", "at least 2 places"),
        ("country=NG&country=ng", "at least 2 places"),  # the same place twice is one place
        ("country=NG&country=GH&country=SN&country=CI&region=sadc", "at most 4"),
        ("country=NG&country=ZZ", "Unknown country code: “ZZ”"),
        ("country=NG&country=NGA", "not a country code"),
        ("country=NG&region=atlantis", "Unknown region: “atlantis”"),
        ("country=NG&region=%3Cscript%3E", "not a region"),
        ("country=NG&country=GH&year=1066", "not a year"),
        ("country=NG&country=GH&specific=maybe", "not a yes or no"),
        ("&".join(["x=1"] * 50), "Too many parameters"),
    ],
)
def test_bad_input_is_a_400_with_a_message_and_the_form(client, query, message):
    response = client.get(f"/compare/?{query}")
    assert response.status_code == 400
    raw = response.content.decode()
    assert message in html.unescape(raw)
    assert '<form class="compare-form"' in raw
    assert "<table" not in raw
    assert "<script>" not in raw  # what was typed comes back escaped


def test_the_form_keeps_what_was_asked(client):
    body = client.get("/compare/?country=NG&country=ZZ&region=sadc").content.decode()
    assert 'value="NG"' in body and 'value="ZZ"' in body
    assert '<option value="sadc" selected>' in body


# --- size and queries


def test_query_count_does_not_grow_with_the_data(client):
    url = "/compare/?country=NG&country=GH&region=sadc&region=ecowas"
    bulk_initiatives(10, "few")
    for n in range(6):  # more than are listed, so they are counted by a query from the start
        NeedFactory(slug=f"few-need-{n}", country_id="GH")
    client.get(url)
    few = count_queries(client, url)
    bulk_initiatives(300, "many")
    for n in range(10):
        NeedFactory(slug=f"many-need-{n}", country_id="GH")
    comparison = client.get(url).context["comparison"]
    assert comparison.columns[0].total.count == 310  # really more
    ghana = comparison.columns[1]
    assert (ghana.open_needs.count, len(ghana.needs_shown)) == (16, 5)
    assert total_of(client, ghana.open_needs.url) == 16
    assert count_queries(client, url) == few
    assert few <= 4 * 15 + 5  # a small constant per place (PostgreSQL reads each counted set's ids first)


def test_the_page_stays_light_with_four_places(client):
    bulk_initiatives(200, "weight")
    response = get_compare(client, "country=NG&country=GH&region=sadc&region=ecowas")
    assert len(response.content) < 60_000


def test_specific_alone_narrows_every_number_as_its_link_does(client, world):
    response = get_compare(client, "country=NG&region=western-africa&specific=1")
    comparison = response.context["comparison"]
    assert comparison.columns[0].total.count == 1  # only the Nigeria project targets Nigeria itself
    for url, count in numbers(response):
        assert total_of(client, url) == count, url
