"""Atom feeds /initiatives/feed.atom?<the list's parameters>: the list's set, newest update first."""

import datetime
import html
import re
import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone

from initiatives.models import Initiative, Participation
from initiatives.services import load_demo
from tests.factories import InitiativeFactory, OrganisationFactory, ParticipationFactory
from tests.helpers import UNPUBLISHED, bulk_initiatives, count_queries, region

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def get_feed(client, query: str = "") -> ET.Element:
    response = client.get("/initiatives/feed.atom" + (f"?{query}" if query else ""))
    assert response.status_code == 200, response.content.decode()[:2000]
    assert response["Content-Type"].startswith("application/atom+xml")
    return ET.fromstring(response.content)


def entry_slugs(feed: ET.Element) -> list[str]:
    links = [entry.find(f"{ATOM}link[@rel='alternate']").get("href") for entry in feed.iter(f"{ATOM}entry")]
    return [re.fullmatch(r"http://testserver/initiatives/([^/]+)/", link).group(1) for link in links]


def listed_set(client, query: str) -> set[str]:
    """Every initiative the list matches for this query, over all its pages."""
    response = client.get(f"/initiatives/?{query}")
    assert response.status_code == 200
    return set(response.context["browse"].filterset.qs.values_list("slug", flat=True))


def set_updated(slug: str, hours_ago: float) -> None:
    Initiative.objects.filter(slug=slug).update(updated_at=timezone.now() - datetime.timedelta(hours=hours_ago))


@pytest.fixture
def demo():
    load_demo()


@pytest.mark.parametrize(
    "query",
    [
        "topic=cybercrime&region=western-africa",
        "region=africa&specific=1",
        "country=NG",
        "q=cert",
        "audience=law-enforcement&status=completed",
        "implementer=coe",
        "funder=european-commission&year=2020",
        "modality=training&region=asia",
    ],
)
def test_entries_are_the_lists_set_for_the_same_filter(client, demo, query):
    expected = listed_set(client, query)
    assert 0 < len(expected) <= 50, "pick a filter the feed can show whole"
    assert set(entry_slugs(get_feed(client, query))) == expected


def test_without_filters_it_has_the_50_most_recently_updated(client, demo):
    published = Initiative.objects.published()
    assert published.count() > 50
    newest = list(published.order_by("-updated_at", "-pk").values_list("slug", flat=True)[:50])
    assert entry_slugs(get_feed(client)) == newest


def test_entries_are_newest_update_first(client):
    for slug, hours_ago in [("old", 30), ("newest", 1), ("middle", 5)]:
        InitiativeFactory(slug=slug, topics=["cybercrime"])
        set_updated(slug, hours_ago)
    feed = get_feed(client, "topic=cybercrime")
    assert entry_slugs(feed) == ["newest", "middle", "old"]
    updated = [entry.findtext(f"{ATOM}updated") for entry in feed.iter(f"{ATOM}entry")]
    assert updated == sorted(updated, reverse=True)
    assert feed.findtext(f"{ATOM}updated") == updated[0]


def test_an_update_brings_an_initiative_to_the_top(client):
    for slug, hours_ago in [("first", 1), ("second", 2)]:
        InitiativeFactory(slug=slug)
        set_updated(slug, hours_ago)
    assert entry_slugs(get_feed(client))[0] == "first"
    second = Initiative.objects.get(slug="second")
    second.summary = "Changed."
    second.save()
    assert entry_slugs(get_feed(client))[0] == "second"


def test_at_most_50_entries(client):
    bulk_initiatives(55, "bulk")
    assert len(entry_slugs(get_feed(client))) == 50


@pytest.mark.parametrize("state", UNPUBLISHED)
def test_unpublished_initiatives_are_left_out(client, state):
    InitiativeFactory(slug="shown", countries=["NG"], topics=["cybercrime"])
    InitiativeFactory(slug="hidden", countries=["NG"], topics=["cybercrime"], publication_state=state)
    set_updated("hidden", 0)  # the newest of all, still absent
    for query in ["", "country=NG&topic=cybercrime", "q=initiative"]:
        assert entry_slugs(get_feed(client, query)) == ["shown"]


@pytest.mark.parametrize(
    "query",
    [
        "region=nowhere",
        "country=XX",
        "country=not-a-code!",
        "topic=cybercrime&topic=" + "x" * 300,
        "year=abc",
        "year=1800",
        "status=paused",
        "specific=maybe",
        "funder=" + "&funder=".join(f"org-{n}" for n in range(40)),
        "q=" + "word " * 100,
    ],
)
def test_invalid_parameters_answer_400_with_a_short_message(client, query):
    response = client.get(f"/initiatives/feed.atom?{query}")
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    text = response.content.decode()
    assert text.startswith("No feed was made because some filters are invalid.")
    assert len(text) < 1000


def test_sort_and_page_are_ignored(client):
    InitiativeFactory(slug="a", title="A", topics=["cybercrime"])
    InitiativeFactory(slug="b", title="B", topics=["cybercrime"])
    set_updated("a", 5)
    set_updated("b", 1)
    plain = entry_slugs(get_feed(client, "topic=cybercrime"))
    assert plain == ["b", "a"]
    for extra in ["sort=title", "sort=-start&page=7", "sort=bogus", "page=x"]:
        assert entry_slugs(get_feed(client, f"topic=cybercrime&{extra}")) == plain


def test_feed_is_valid_atom(client):
    implementer = OrganisationFactory(slug="ecowas-commission-x", name="ECOWAS Commission")
    with_implementer = InitiativeFactory(slug="with", title="Law & order <training>", topics=["cybercrime"])
    ParticipationFactory(initiative=with_implementer, organisation=implementer)
    InitiativeFactory(slug="without", topics=["cybercrime"])
    feed = get_feed(client, "topic=cybercrime")

    assert feed.tag == f"{ATOM}feed"
    for name in ["title", "id", "updated"]:
        assert feed.findtext(f"{ATOM}{name}"), name
    assert RFC3339.match(feed.findtext(f"{ATOM}updated"))
    assert feed.find(f"{ATOM}author/{ATOM}name").text  # entries without an implementer inherit it
    links = {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")}
    assert links["self"] == "http://testserver/initiatives/feed.atom?topic=cybercrime"
    assert links["alternate"] == "http://testserver/initiatives/?topic=cybercrime"
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 2
    for entry in entries:
        for name in ["title", "id", "updated"]:
            assert len(entry.findall(f"{ATOM}{name}")) == 1, name
        assert RFC3339.match(entry.findtext(f"{ATOM}updated"))
        assert entry.find(f"{ATOM}link[@rel='alternate']") is not None
        assert entry.find(f"{ATOM}content").get("type") == "text"
    # Atom titles are text: the title arrives as it is written, not escaped twice.
    assert "Law & order <training>" in [entry.findtext(f"{ATOM}title") for entry in entries]


def test_an_entry_has_the_link_summary_topics_implementers_and_update_time(client):
    implementer = OrganisationFactory(slug="coe-x", name="Council of Europe", acronym="CoE")
    funder = OrganisationFactory(slug="eu-x", name="European Union")
    initiative = InitiativeFactory(
        slug="glacy",
        title="GLACY+",
        summary="Cybercrime legislation & criminal justice capacity.",
        topics=["cybercrime-legislation", "digital-forensics"],
    )
    ParticipationFactory(initiative=initiative, organisation=implementer)
    ParticipationFactory(initiative=initiative, organisation=funder, role=Participation.Role.FUNDER)
    initiative.refresh_from_db()
    entry = get_feed(client).find(f"{ATOM}entry")

    assert entry.findtext(f"{ATOM}title") == "GLACY+"
    assert entry.find(f"{ATOM}link[@rel='alternate']").get("href") == "http://testserver/initiatives/glacy/"
    assert entry.findtext(f"{ATOM}content") == "Cybercrime legislation & criminal justice capacity."
    assert sorted(c.get("term") for c in entry.findall(f"{ATOM}category")) == [
        "Cybercrime legislation",
        "Digital forensics & e-evidence",
    ]
    authors = [(a.findtext(f"{ATOM}name"), a.findtext(f"{ATOM}uri")) for a in entry.findall(f"{ATOM}author")]
    assert authors == [("Council of Europe (CoE)", "http://testserver/organisations/coe-x/")]  # funders are not authors
    updated = datetime.datetime.fromisoformat(entry.findtext(f"{ATOM}updated"))
    assert updated == initiative.updated_at


def test_entry_ids_are_the_detail_pages_and_do_not_change(client):
    InitiativeFactory(slug="stable", topics=["cybercrime"])
    first = get_feed(client, "topic=cybercrime").find(f"{ATOM}entry").findtext(f"{ATOM}id")
    initiative = Initiative.objects.get(slug="stable")
    initiative.title = "Renamed"
    initiative.save()
    again = get_feed(client, "topic=cybercrime&sort=title").find(f"{ATOM}entry").findtext(f"{ATOM}id")
    assert first == again == "http://testserver/initiatives/stable/"


def test_the_same_filters_in_another_order_are_the_same_feed(client):
    InitiativeFactory(topics=["cybercrime"], regions=[region("western-africa")])
    one = get_feed(client, "topic=cybercrime&region=western-africa")
    other = get_feed(client, "region=western-africa&topic=cybercrime&page=2")
    assert one.findtext(f"{ATOM}id") == other.findtext(f"{ATOM}id")
    assert one.findtext(f"{ATOM}id") != get_feed(client, "topic=cybercrime").findtext(f"{ATOM}id")


@pytest.mark.parametrize(
    ("query", "title"),
    [
        ("topic=cybercrime&region=western-africa", "Initiatives: Cybercrime, Western Africa"),
        ("region=western-africa&topic=cybercrime", "Initiatives: Western Africa, Cybercrime"),
        ("topic=cybercrime&topic=standards", "Initiatives: Cybercrime or Standards & technologies"),
        ("country=ng&status=ongoing", "Initiatives: Nigeria, Status: Ongoing"),
        ("funder=eu&year=2021", "Initiatives: Funder: European Union, Active in year: 2021"),
        ("q=honeypot", "Initiatives: “honeypot”"),
        ("", "All initiatives"),
        ("sort=title", "All initiatives"),
    ],
)
def test_the_title_says_what_the_filter_is_in_words(client, query, title):
    # A funder of a published initiative: any other organisation is unknown to the filters.
    ParticipationFactory(organisation=OrganisationFactory(slug="eu", name="European Union"), role="funder")
    assert get_feed(client, query).findtext(f"{ATOM}title") == title


def test_query_count_does_not_grow_with_the_number_of_entries(client):
    url = "/initiatives/feed.atom?region=western-africa&status=ongoing"
    bulk_initiatives(3, "few")
    client.get(url)  # warm up caches (content types and the like)
    few = count_queries(client, url)
    assert len(entry_slugs(get_feed(client, "region=western-africa&status=ongoing"))) == 1
    bulk_initiatives(150, "many")
    many = count_queries(client, url)
    assert len(entry_slugs(get_feed(client, "region=western-africa&status=ongoing"))) == 50  # really had more
    assert many == few


def feed_links(body: str) -> tuple[list[str], list[str]]:
    head = body.split("</head>")[0]
    alternates = re.findall(r'<link rel="alternate" type="application/atom\+xml" title="[^"]+" href="([^"]+)">', head)
    visible = re.findall(r'<a href="(/initiatives/feed\.atom[^"]*)" type="application/atom\+xml">', body)
    return [html.unescape(url) for url in alternates], [html.unescape(url) for url in visible]


def csv_link(body: str) -> str:
    return html.unescape(re.search(r'<a class="download" href="([^"]+)"', body).group(1))


def test_list_page_links_the_feed_with_the_same_query_as_the_csv(client):
    InitiativeFactory(topics=["cybercrime"], regions=[region("western-africa")])
    body = client.get("/initiatives/?topic=cybercrime&region=western-africa&page=1&sort=title").content.decode()
    alternates, visible = feed_links(body)
    query = csv_link(body).split("?", 1)[1]
    assert query == "topic=cybercrime&region=western-africa&sort=title"
    assert alternates == visible == [f"/initiatives/feed.atom?{query}"]
    assert "Feed for this search" in body
    assert client.get(visible[0]).status_code == 200


def test_unfiltered_list_links_the_feed_of_everything(client):
    InitiativeFactory()
    alternates, visible = feed_links(client.get("/initiatives/").content.decode())
    assert alternates == visible == ["/initiatives/feed.atom"]


def test_a_list_with_invalid_filters_links_no_feed(client):
    response = client.get("/initiatives/?region=nowhere")
    assert response.status_code == 400
    assert feed_links(response.content.decode()) == ([], [])


@pytest.mark.parametrize(
    ("page", "query"),
    [
        ("/regions/western-africa/", "region=western-africa"),
        ("/countries/ng/", "country=NG"),
        ("/topics/cybercrime/", "topic=cybercrime"),
        ("/audiences/certs/", "audience=certs"),
    ],
)
def test_place_and_term_pages_link_their_feed_next_to_the_csv(client, page, query):
    InitiativeFactory(countries=["NG"], topics=["cybercrime"], audiences=["certs"])
    body = client.get(page).content.decode()
    _alternates, visible = feed_links(body)
    assert csv_link(body) == f"/initiatives/export.csv?{query}"
    assert visible == [f"/initiatives/feed.atom?{query}"]
    assert entry_slugs(get_feed(client, query))  # the link leads to entries


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_it_rejects_writes(client, method):
    response = getattr(client, method)("/initiatives/feed.atom")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
