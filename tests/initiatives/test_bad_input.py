"""Invalid input gives a clear message or a 4xx: never a 500, never silently the unfiltered list."""

import html
import re

import pytest

from tests.factories import InitiativeFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

CARD = '<li class="card">'


@pytest.fixture(autouse=True)
def some_initiatives():
    """Published initiatives an unfiltered list would show: none must appear after bad input."""
    OrganisationFactory(slug="real-org")
    InitiativeFactory(slug="visible-ng", title="Visible Nigeria", countries=["NG"], topics=["cybercrime"])
    InitiativeFactory(slug="visible-fr", title="Visible France", countries=["FR"], topics=["standards"])


BAD_FILTERS = [
    pytest.param("region=nope", "Unknown region", id="unknown-region"),
    pytest.param("region=africa&region=nope", "Unknown region", id="one-unknown-region-among-good"),
    pytest.param("topic=nope", "Unknown topic", id="unknown-topic"),
    pytest.param("topic=training", "Unknown topic", id="modality-slug-as-topic"),
    pytest.param("audience=nope", "Unknown target user", id="unknown-audience"),
    pytest.param("modality=nope", "Unknown modality", id="unknown-modality"),
    pytest.param("implementer=nope", "Unknown organisation", id="unknown-implementer"),
    pytest.param("funder=nope", "Unknown organisation", id="unknown-funder"),
    pytest.param("country=ZZ", "Unknown country code", id="unknown-country"),
    pytest.param("country=zz", "Unknown country code", id="unknown-country-lowercase"),
    pytest.param("country=NGA", "country code", id="alpha3-country"),
    pytest.param("country=N%21", "not a valid country code", id="country-bad-shape"),
    pytest.param("country=" + "N" * 300, "not a valid country code", id="country-too-long"),
    pytest.param("year=abc", "not a year", id="year-not-numeric"),
    pytest.param("year=10000", "not a year", id="year-10000"),
    pytest.param("year=1066", "not a year", id="year-too-early"),
    pytest.param("year=-2020", "not a year", id="year-negative"),
    pytest.param("year=" + "9" * 5000, "not a year", id="year-with-5000-digits"),
    pytest.param("year=%D9%A2%D9%A0%D9%A2%D9%A0", "not a year", id="year-arabic-digits"),
    pytest.param("sort=bogus", "Unknown sort order", id="unknown-sort"),
    pytest.param("sort=-title", "Unknown sort order", id="unknown-sort-direction"),
    pytest.param("status=bogus", "Unknown status", id="unknown-status"),
    pytest.param("status=ongoing&status=bogus", "Unknown status", id="one-unknown-status"),
    pytest.param("q=" + "x" * 10_000, "at most 200 characters", id="huge-q"),
    pytest.param("q=cyber%00crime", "Null characters are not allowed", id="nul-in-q"),
    pytest.param("region=afr%00ica", "not a valid region", id="nul-in-region"),
    pytest.param("topic=%00", "not a valid topic", id="nul-alone-in-topic"),
    pytest.param("region=%3Cscript%3E", "not a valid region", id="markup-in-region"),
]


def assert_no_cards(body: str) -> None:
    assert CARD not in body
    assert "Visible Nigeria" not in body
    assert "Visible France" not in body


@pytest.mark.parametrize("query, message", BAD_FILTERS)
def test_list_with_a_bad_filter_says_so_and_lists_nothing(client, query, message):
    response = client.get(f"/initiatives/?{query}")
    assert response.status_code == 400
    body = response.content.decode()
    assert message in html.unescape(body)
    assert "Some filters could not be applied" in body
    assert_no_cards(body)


@pytest.mark.parametrize("query, message", BAD_FILTERS)
def test_export_with_a_bad_filter_answers_400_in_plain_text(client, query, message):
    response = client.get(f"/initiatives/export.csv?{query}")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert not response.streaming
    text = response.content.decode()
    assert message in text
    assert "visible-ng" not in text
    assert "slug,title" not in text


def test_the_error_names_the_bad_value(client):
    body = html.unescape(client.get("/initiatives/?region=atlantis&topic=cybercrime").content.decode())
    assert "Unknown region: “atlantis”" in body
    text = client.get("/initiatives/export.csv?region=atlantis").content.decode()
    assert "region" in text and "atlantis" in text


def test_a_bad_filter_is_reported_even_with_good_ones(client):
    response = client.get("/initiatives/?country=NG&topic=nope&status=ongoing")
    assert response.status_code == 400
    body = html.unescape(response.content.decode())
    assert "Unknown topic: “nope”" in body
    assert_no_cards(body)


def test_a_thousand_repeated_topics_are_refused_or_deduplicated(client):
    query = "&".join(["topic=cybercrime"] * 1000)
    response = client.get(f"/initiatives/?{query}")
    assert response.status_code in (200, 400)
    body = response.content.decode()
    if response.status_code == 400:
        assert "Too many values for topic" in body
        assert_no_cards(body)
    else:
        assert "Visible Nigeria" in body
        assert "Visible France" not in body
    assert client.get(f"/initiatives/export.csv?{query}").status_code in (200, 400)


def test_a_thousand_different_topic_values_are_refused(client):
    query = "&".join(f"topic=t{n}" for n in range(1000))
    response = client.get(f"/initiatives/?{query}")
    assert response.status_code == 400
    assert_no_cards(response.content.decode())
    assert client.get(f"/initiatives/export.csv?{query}").status_code == 400


@pytest.mark.parametrize("url", ["/initiatives/", "/initiatives/export.csv"])
def test_more_query_fields_than_django_accepts_answer_400(client, url):
    query = "&".join(["topic=cybercrime"] * 1500)
    assert client.get(f"{url}?{query}").status_code == 400


@pytest.mark.parametrize(
    "raw",
    ["region=%ff%fe", "topic=%c3%28", "country=%ff%ff", "implementer=real-org%ff"],
)
def test_non_utf8_bytes_in_a_filter_are_refused(client, raw):
    response = client.get("/initiatives/", QUERY_STRING=raw)
    assert response.status_code == 400
    body = response.content.decode()
    assert "not a valid" in body
    assert_no_cards(body)
    assert client.get("/initiatives/export.csv", QUERY_STRING=raw).status_code == 400


def test_non_utf8_bytes_in_the_search_do_not_list_everything(client):
    response = client.get("/initiatives/", QUERY_STRING="q=%ff%fe")
    assert response.status_code in (200, 400)
    assert_no_cards(response.content.decode())


@pytest.mark.parametrize("page", ["2", "99999", "0", "-1", "abc", "1.5", "%00", "%ff"])
def test_a_page_that_does_not_exist_answers_404_with_a_message(client, page):
    response = client.get(f"/initiatives/?page={page}")
    assert response.status_code == 404
    body = html.unescape(response.content.decode())
    assert "There is no page" in body
    assert "this list has 1 page" in body
    assert_no_cards(body)


def test_a_huge_page_number_answers_404(client):
    response = client.get("/initiatives/?page=" + "9" * 5000)
    assert response.status_code == 404
    assert_no_cards(response.content.decode())


def test_page_beyond_the_last_of_a_filtered_list_answers_404(client):
    for _ in range(21):
        InitiativeFactory(countries=["KE"])
    assert client.get("/initiatives/?country=KE&page=2").status_code == 200
    response = client.get("/initiatives/?country=KE&page=3")
    assert response.status_code == 404
    assert "this list has 2 page" in html.unescape(response.content.decode())


@pytest.mark.parametrize("url", ["/initiatives/", "/initiatives/export.csv"])
@pytest.mark.parametrize("method", ["post", "put", "delete", "patch"])
def test_writes_are_refused_with_405(client, url, method):
    response = getattr(client, method)(url, {"region": "africa"})
    assert response.status_code == 405
    assert "GET" in response["Allow"]


def test_head_is_allowed_on_the_list(client):
    assert client.head("/initiatives/").status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/countries/zz/",
        "/countries/ZZ/",
        "/countries/toolong/",
        "/countries/n/",
        "/countries/12/",
        "/regions/nope/",
        "/topics/nope/",
        "/topics/training/",  # a modality, not a topic
        "/topics/certs/",  # an audience, not a topic
        "/audiences/nope/",
        "/audiences/cybercrime/",  # a topic, not an audience
        "/organisations/nope/",
        "/initiatives/nope/",
    ],
)
def test_unknown_pages_answer_404(client, url):
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("state", ["draft", "review", "archived"])
def test_detail_of_an_unpublished_initiative_answers_404(client, state):
    InitiativeFactory(slug="not-yet", publication_state=state)
    assert client.get("/initiatives/not-yet/").status_code == 404


@pytest.mark.parametrize(
    "url",
    ["/regions/africa/?page=abc", "/countries/ng/?page=7", "/topics/cybercrime/?page=0", "/audiences/certs/?page=x"],
)
def test_bad_page_on_a_browsing_page_answers_404_with_a_message(client, url):
    response = client.get(url)
    assert response.status_code == 404
    body = html.unescape(response.content.decode())
    assert "There is no page" in body
    assert_no_cards(body)


def test_error_message_is_escaped(client):
    body = client.get("/initiatives/?q=" + "<b>x</b>" * 40).content.decode()
    assert "<b>x</b>" not in body
    body = client.get("/initiatives/?country=%3Cb%3E").content.decode()
    assert "<b>" not in body
    assert re.search(r"&lt;b&gt;|&lt;B&gt;", body)
