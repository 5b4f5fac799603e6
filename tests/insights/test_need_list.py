"""The public list /needs/: what it shows, every filter, facet counts, bad input and query counts."""

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import InitiativeFactory, NeedFactory
from tests.helpers import UNPUBLISHED, count_queries, region

pytestmark = pytest.mark.django_db

NEED_RE = re.compile(r'<li class="card need">\s*<h3><a href="/needs/([^/"]+)/">')
MATCHES_RE = re.compile(r'<p class="matches"><a href="([^"]+)">(\d+) ')


def listed(response) -> list[str]:
    return NEED_RE.findall(response.content.decode())


def get_list(client, query: str = ""):
    response = client.get("/needs/" + (f"?{query}" if query else ""))
    assert response.status_code == 200, response.content.decode()[:2000]
    return response


def facet_counts(response, name: str) -> dict[str, int]:
    facet = next(f for f in response.context["facets"] if f.name == name)
    return {option.value: option.count for option in facet.options}


# --- what it shows


def test_it_lists_only_published_needs(client):
    NeedFactory(slug="public")
    for state in UNPUBLISHED:
        NeedFactory(slug=f"hidden-{state}", publication_state=state)
    assert listed(get_list(client)) == ["public"]
    for state in UNPUBLISHED:
        assert client.get(f"/needs/?q=hidden-{state}").content.decode().count('class="card need"') == 0


def test_each_need_shows_place_terms_state_statement_and_that_it_is_illustrative(client):
    NeedFactory(
        slug="shown",
        title="Forensic laboratories",
        topics=["digital-forensics"],
        audiences=["judiciary"],
        state="partly_met",
        stated_in="Cybersecurity Act 2020",
        stated_url="https://example.org/act",
        illustrative=True,
        country_id="GH",
    )
    body = get_list(client).content.decode()
    card = body[body.index('<li class="card need">') :]
    card = card[: card.index("</li>")]
    for text in [
        'href="/countries/GH/">Ghana</a>',
        "Digital forensics &amp; e-evidence",
        "Judiciary &amp; prosecutors",
        "Partly met",
        '<a href="https://example.org/act" rel="nofollow">Cybersecurity Act 2020</a>',
        "Illustrative",
    ]:
        assert text in card, text


def test_a_need_not_marked_illustrative_does_not_say_so(client):
    NeedFactory(slug="real", illustrative=False)
    assert '<span class="illustrative">' not in get_list(client).content.decode()


def test_each_count_of_matching_initiatives_is_the_total_of_the_list_it_links_to(client):
    InitiativeFactory(slug="region-wide", regions=[region("ecowas")], topics=["cybercrime-legislation"])
    InitiativeFactory(slug="in-nigeria", countries=["NG"], topics=["cybercrime"])
    InitiativeFactory(slug="finished", countries=["NG"], topics=["cybercrime"], status="completed")
    InitiativeFactory(slug="draft", countries=["NG"], topics=["cybercrime"], publication_state="draft")
    NeedFactory(slug="nigeria", topics=["cybercrime"])
    NeedFactory(slug="ecowas", region=region("ecowas"), topics=["cybercrime"])
    NeedFactory(slug="france", country_id="FR", topics=["cybercrime"])

    found = {
        slug: (html.unescape(url), int(count))
        for slug, (url, count) in zip(
            listed(get_list(client)), MATCHES_RE.findall(get_list(client).content.decode()), strict=True
        )
    }
    assert {slug: count for slug, (_url, count) in found.items()} == {"ecowas": 2, "france": 0, "nigeria": 2}
    for url, count in found.values():
        assert client.get(url).context["browse"].total == count, url


def test_a_need_without_matches_is_marked_a_gap_unless_met(client):
    NeedFactory(slug="gap", topics=["ciip"])
    NeedFactory(slug="met", topics=["ciip"], state="met")
    body = get_list(client).content.decode()
    gap_card = body[body.index("/needs/gap/") : body.index("/needs/met/")]
    met_card = body[body.index("/needs/met/") :]
    assert 'class="gap"' in gap_card
    assert 'class="gap"' not in met_card


def test_open_needs_come_first(client):
    NeedFactory(slug="a-met", title="A met", state="met")
    NeedFactory(slug="b-open", title="B open", state="open")
    NeedFactory(slug="c-partly", title="C partly", state="partly_met")
    assert listed(get_list(client)) == ["b-open", "c-partly", "a-met"]


def test_it_links_to_the_comparison_of_places(client):
    assert 'href="/compare/"' in get_list(client).content.decode()


# --- filters


def test_region_filter_takes_needs_of_its_countries_itself_and_regions_within_it(client):
    NeedFactory(slug="nigeria")  # a country of Western Africa
    NeedFactory(slug="western-africa", region=region("western-africa"))
    NeedFactory(slug="ecowas", region=region("ecowas"))  # a grouping all of whose members are in it
    NeedFactory(slug="africa", region=region("africa"))  # wider: not in it
    NeedFactory(slug="african-union", region=region("african-union"))  # wider
    NeedFactory(slug="kenya", country_id="KE")
    assert sorted(listed(get_list(client, "region=western-africa"))) == ["ecowas", "nigeria", "western-africa"]
    assert sorted(listed(get_list(client, "region=africa"))) == sorted(
        ["nigeria", "western-africa", "ecowas", "africa", "african-union", "kenya"]
    )


def test_region_filter_on_a_grouping_takes_its_member_countries(client):
    NeedFactory(slug="ghana", country_id="GH")
    NeedFactory(slug="cameroon", country_id="CM")  # not in ECOWAS
    assert listed(get_list(client, "region=ecowas")) == ["ghana"]


def test_country_filter_takes_the_needs_that_country_stated(client):
    NeedFactory(slug="nigeria")
    NeedFactory(slug="ghana", country_id="GH")
    NeedFactory(slug="ecowas", region=region("ecowas"))
    assert listed(get_list(client, "country=ng")) == ["nigeria"]
    assert sorted(listed(get_list(client, "country=NG&country=GH"))) == ["ghana", "nigeria"]


def test_topic_filter_on_a_parent_covers_its_children(client):
    NeedFactory(slug="forensics", topics=["digital-forensics"])
    NeedFactory(slug="cybercrime", topics=["cybercrime"])
    NeedFactory(slug="standards", topics=["standards"])
    assert sorted(listed(get_list(client, "topic=cybercrime"))) == ["cybercrime", "forensics"]
    assert listed(get_list(client, "topic=digital-forensics")) == ["forensics"]


def test_audience_and_state_filters(client):
    NeedFactory(slug="women-open", audiences=["women"])
    NeedFactory(slug="women-met", audiences=["women"], state="met")
    NeedFactory(slug="youth-open", audiences=["youth"])
    assert sorted(listed(get_list(client, "audience=women"))) == ["women-met", "women-open"]
    assert listed(get_list(client, "audience=women&state=met")) == ["women-met"]
    assert sorted(listed(get_list(client, "state=open"))) == ["women-open", "youth-open"]


@pytest.mark.parametrize("field", ["title", "description", "stated_in"])
def test_text_search_looks_in_title_description_and_statement(client, field):
    NeedFactory(slug="target", **{field: "About Quokkaville and more"})
    NeedFactory(slug="other", title="Something else")
    assert listed(get_list(client, "q=quokkaville")) == ["target"]


def test_text_search_requires_every_word(client):
    NeedFactory(slug="both", title="Forensic laboratory for Ghana")
    NeedFactory(slug="one", title="Forensic training")
    assert listed(get_list(client, "q=forensic+ghana")) == ["both"]


def test_facet_counts_respect_the_other_filters_and_parents_count_children(client):
    NeedFactory(slug="a", topics=["digital-forensics"], audiences=["judiciary"])
    NeedFactory(slug="b", topics=["cybercrime-legislation", "digital-forensics"], audiences=["judiciary"])
    NeedFactory(slug="c", topics=["standards"], audiences=["youth"], state="met")
    response = get_list(client, "audience=judiciary")
    topics = facet_counts(response, "topic")
    assert topics["cybercrime"] == 2  # each need once, however many of its children it has
    assert topics["digital-forensics"] == 2
    assert topics["standards"] == 0
    assert facet_counts(response, "audience")["youth"] == 1  # counted without its own filter
    assert facet_counts(response, "state") == {"open": 2, "partly_met": 0, "met": 0}


# --- bad input


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("region=atlantis", "Unknown region"),
        ("country=ZZ", "Unknown country code"),
        ("country=N%3BG", "is not a valid country code"),
        ("topic=nonsense", "Unknown topic"),
        ("topic=policymakers", "Unknown topic"),  # an audience, not a topic
        ("audience=cybercrime", "Unknown target user"),
        ("state=solved", "solved"),
        ("&".join(f"topic=t{n}" for n in range(31)), "Too many values"),
        ("&".join(["state=open"] * 31), "Too many values"),
    ],
)
def test_bad_input_is_a_400_with_a_message(client, query, message):
    NeedFactory(slug="never-shown")
    response = client.get(f"/needs/?{query}")
    assert response.status_code == 400
    body = response.content.decode()
    assert message in html.unescape(body)
    assert "never-shown" not in body
    assert '<form class="filters"' in body  # the form is there to correct it


def test_a_page_beyond_the_last_is_a_404_with_a_message(client):
    NeedFactory()
    for page in ["2", "0", "x"]:
        response = client.get(f"/needs/?page={page}")
        assert response.status_code == 404
        assert "There is no page" in html.unescape(response.content.decode())


def test_needs_are_paginated_by_twenty(client):
    for n in range(25):
        NeedFactory(slug=f"need-{n:02d}", title=f"Need {n:02d}")
    assert len(listed(get_list(client))) == 20
    assert len(listed(get_list(client, "page=2"))) == 5


# --- queries


def many_needs(count: int, prefix: str) -> None:
    for n in range(count):
        InitiativeFactory(slug=f"{prefix}-initiative-{n}", countries=["NG"], topics=["cybercrime"])
        NeedFactory(
            slug=f"{prefix}-{n}",
            country_id=["NG", "GH"][n % 2] if n % 3 else None,
            region=region("ecowas") if not n % 3 else None,
            topics=["cybercrime", "standards"],
            audiences=["judiciary"],
        )


def test_query_count_does_not_grow_with_the_number_of_needs(client):
    url = "/needs/?region=western-africa&topic=cybercrime"
    many_needs(20, "few")
    client.get(url)
    few = count_queries(client, url)
    many_needs(40, "many")
    assert client.get(url).context["page"].paginator.count == 60  # really more, over three pages
    assert count_queries(client, url) == few
    # A small constant per need on the page (checking its query, counting its matches), cached after.
    assert few <= 30 + 3 * 20
    client.get(url)
    assert count_queries_warm(client, url) <= 30


def count_queries_warm(client, url: str) -> int:
    """Queries of a repeat visit: the counts come from the cache."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_filter_form_offers_every_region_and_the_countries_with_needs(client):
    NeedFactory(slug="kenya", country_id="KE")
    NeedFactory(slug="draft", country_id="FR", publication_state="draft")
    body = get_list(client).content.decode()
    assert '<option value="KE">Kenya</option>' in body
    assert '<option value="FR">' not in body  # only a draft need: not offered
    assert '<option value="sadc">' in body
