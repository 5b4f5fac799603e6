"""/api/v1/initiatives/: the same set as the HTML list and the CSV, pages, facets, bad input, the detail."""

import csv
import datetime
import io

import pytest

from initiatives.models import DatePrecision, Initiative, Participation
from initiatives.services import load_demo
from tests.factories import InitiativeFactory, OrganisationFactory, ParticipationFactory, SourceRecordFactory
from tests.helpers import UNPUBLISHED, bulk_initiatives, count_queries, listed, region

pytestmark = pytest.mark.django_db

API = "/api/v1/initiatives/"


@pytest.fixture
def demo():
    load_demo()
    hidden = list(Initiative.objects.exclude(publication_state="published").values_list("slug", flat=True))
    assert hidden, "the demo data should have unpublished initiatives"
    return hidden


def get_json(client, url: str, status: int = 200) -> dict:
    response = client.get(url)
    assert response.status_code == status, response.content.decode()[:2000]
    assert response["Content-Type"] == "application/json"
    return response.json()


def api_slugs(client, query: str) -> list[str]:
    """Every page of the API's answer, following `next`."""
    slugs, url = [], f"{API}?{query}&page_size=7"
    while url:
        page = get_json(client, url)
        slugs += [row["slug"] for row in page["results"]]
        url = page["next"]
    return slugs


def html_slugs(client, query: str) -> list[str]:
    slugs, number, pages = [], 1, 1
    while number <= pages:
        response = client.get(f"/initiatives/?{query}&page={number}")
        assert response.status_code == 200
        slugs += listed(response)
        pages = response.context["browse"].page.paginator.num_pages
        number += 1
    return slugs


def csv_slugs(client, query: str) -> list[str]:
    response = client.get(f"/initiatives/export.csv?{query}")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return [row["slug"] for row in csv.DictReader(io.StringIO(text, newline=""))]


# --- the same set as the list and the export


@pytest.mark.parametrize(
    "query",
    [
        "",
        "region=africa",
        "region=africa&topic=cybercrime",
        "country=KE&specific=1",
        "q=cert",
        "q=cybercrime&region=europe&sort=title",
        "status=ongoing&status=planned&sort=-updated",
        "topic=incident-management&sort=-start",
        "audience=law-enforcement&modality=training",
        "funder=european-commission&year=2020",
        "implementer=coe&country=NG&country=gh",
    ],
)
def test_the_api_lists_what_the_html_list_and_the_csv_list_in_the_same_order(client, demo, query):
    from_api = api_slugs(client, query)
    assert from_api, "the filter should match something"
    assert from_api == html_slugs(client, query)
    assert from_api == csv_slugs(client, query)
    assert not set(from_api) & set(demo)
    assert get_json(client, f"{API}?{query}")["count"] == len(from_api)


def test_unpublished_initiatives_never_appear(client):
    InitiativeFactory(slug="shown", countries=["NG"])
    for state in UNPUBLISHED:
        InitiativeFactory(slug=f"hidden-{state}", countries=["NG"], publication_state=state)
    assert api_slugs(client, "") == ["shown"]
    assert api_slugs(client, "country=NG") == ["shown"]
    for state in UNPUBLISHED:
        assert get_json(client, f"{API}hidden-{state}/", status=404) == {
            "detail": "No Initiative matches the given query."
        }


# --- one initiative, as it reads


def test_an_initiative_reads_with_its_relations_by_their_keys(client):
    funder = OrganisationFactory(slug="funder-org", name="Funder Org", acronym="FO")
    initiative = InitiativeFactory(
        slug="full",
        title="Full",
        start_date=datetime.date(2021, 3, 1),
        start_precision=DatePrecision.MONTH,
        end_date=datetime.date(2023, 12, 31),
        end_precision=DatePrecision.YEAR,
        budget="100000.00",
        budget_max="500000.00",
        currency="CHF",
        countries=["NG", "GH"],
        regions=[region("ecowas")],
        topics=["cybercrime"],
        audiences=["certs"],
        modalities=["training"],
        keywords=["drills", "Abuja"],
        last_verified=datetime.date(2026, 1, 15),
    )
    ParticipationFactory(initiative=initiative, organisation=funder, role=Participation.Role.FUNDER)
    ParticipationFactory(initiative=initiative, organisation=OrganisationFactory(slug="runner"))
    record = SourceRecordFactory(initiative=initiative, external_id="X-1", url="https://example.org/x-1")

    row = get_json(client, f"{API}full/")
    assert row == get_json(client, API)["results"][0]
    assert row["start_date"] == "2021-03"
    assert row["end_date"] == "2023"
    assert (row["budget"], row["budget_max"], row["currency"]) == ("100000.00", "500000.00", "CHF")
    assert sorted(row["countries"]) == ["GH", "NG"]
    assert row["regions"] == ["ecowas"]
    assert (row["topics"], row["audiences"], row["modalities"]) == (["cybercrime"], ["certs"], ["training"])
    assert row["keywords"] == ["Abuja", "drills"]
    assert row["funders"] == [{"slug": "funder-org", "name": "Funder Org", "acronym": "FO"}]
    assert [o["slug"] for o in row["implementers"]] == ["runner"]
    assert row["partners"] == []
    assert row["sources"] == [
        {"source": record.source.slug, "external_id": "X-1", "url": "https://example.org/x-1", "retrieved_on": None}
    ]
    assert row["last_verified"] == "2026-01-15"
    assert row["url"] == "http://testserver/initiatives/full/"
    assert row["status"] == "ongoing"


def test_an_initiative_without_dates_has_null_dates(client):
    InitiativeFactory(slug="undated", start_date=None)
    row = get_json(client, f"{API}undated/")
    assert (row["start_date"], row["end_date"]) == (None, None)


@pytest.mark.parametrize("slug", ["nope", "a%00b", "NOPE", "x" * 300, "%ff"])
def test_an_unknown_initiative_is_a_404_in_json(client, slug):
    assert "detail" in get_json(client, f"{API}{slug}/", status=404)


# --- pages


def test_pages_link_to_each_other(client):
    bulk_initiatives(45, "paged")
    first = get_json(client, API)
    assert first["count"] == 45
    assert len(first["results"]) == 20
    assert first["previous"] is None
    assert first["next"] == "http://testserver/api/v1/initiatives/?page=2"
    second = get_json(client, first["next"])
    assert second["previous"] == "http://testserver/api/v1/initiatives/"
    third = get_json(client, second["next"])
    assert len(third["results"]) == 5
    assert third["next"] is None
    every = first["results"] + second["results"] + third["results"]
    assert len({row["slug"] for row in every}) == 45


def test_page_size_is_chosen_and_capped_at_100(client):
    bulk_initiatives(120, "sized")
    assert len(get_json(client, f"{API}?page_size=50")["results"]) == 50
    assert len(get_json(client, f"{API}?page_size=1000")["results"]) == 100
    assert len(get_json(client, f"{API}?page_size=0")["results"]) == 20
    assert len(get_json(client, f"{API}?page_size=lots")["results"]) == 20


@pytest.mark.parametrize("page", ["2", "0", "-1", "abc", "1.5", "%00", "9" * 5000])
def test_a_page_that_does_not_exist_is_a_404_in_json(client, page):
    InitiativeFactory()
    assert get_json(client, f"{API}?page={page}", status=404) == {"detail": "Invalid page."}


def test_a_page_costs_the_same_queries_however_many_rows_it_has(client):
    url = f"{API}?page_size=100&facets=all"
    bulk_initiatives(3, "few")
    client.get(url)  # warm up caches (content types and the like)
    few = count_queries(client, url)
    bulk_initiatives(60, "many")
    many = count_queries(client, url)
    assert len(client.get(url).json()["results"]) == 63  # the second run really had more rows
    assert many == few


# --- facets


def html_facets(client, query: str) -> dict[str, dict[str, int]]:
    response = client.get(f"/initiatives/?{query}")
    assert response.status_code == 200
    return {facet.name: {o.value: o.count for o in facet.options} for facet in response.context["browse"].facets}


@pytest.mark.parametrize("query", ["", "region=africa&topic=cybercrime", "status=ongoing&funder=european-commission"])
def test_facets_on_request_count_what_the_html_list_counts(client, demo, query):
    page = get_json(client, f"{API}?{query}&facets=all")
    counted = {name: {o["value"]: o["count"] for o in options} for name, options in page["facets"].items()}
    assert counted == html_facets(client, query)
    assert any(counted["region"].values())


def test_only_the_facets_asked_for_are_counted(client):
    InitiativeFactory(topics=["cybercrime"], countries=["NG"])
    assert "facets" not in get_json(client, API)
    facets = get_json(client, f"{API}?facets=topic,status")["facets"]
    assert list(facets) == ["topic", "status"]
    assert {"value": "ongoing", "label": "Ongoing", "count": 1} in facets["status"]
    assert list(get_json(client, f"{API}?facets=region&facets=topic")["facets"]) == ["region", "topic"]


@pytest.mark.parametrize("facets", ["nope", "region,nope", "source", "year"])
def test_an_unknown_facet_is_a_400(client, facets):
    errors = get_json(client, f"{API}?facets={facets}", status=400)
    assert list(errors) == ["facets"]
    assert "Unknown facet" in errors["facets"][0]


# --- bad input


@pytest.mark.parametrize(
    "query, field, message",
    [
        ("region=nope", "region", "Unknown region"),
        ("country=ZZ", "country", "Unknown country code"),
        ("topic=training", "topic", "Unknown topic"),
        ("year=10000", "year", "not a year"),
        ("year=" + "9" * 5000, "year", "not a year"),
        ("sort=bogus", "sort", "Unknown sort order"),
        ("status=bogus", "status", "Unknown status"),
        ("specific=maybe", "specific", "not a yes or no"),
        ("q=" + "x" * 300, "q", "at most 200 characters"),
        ("q=cyber%00crime", "q", "Null characters are not allowed"),
        ("region=afr%00ica", "region", "not a valid region"),
    ],
)
def test_a_bad_parameter_is_a_400_naming_it(client, query, field, message):
    InitiativeFactory(countries=["NG"])
    errors = get_json(client, f"{API}?{query}", status=400)
    assert field in errors
    assert message in " ".join(errors[field])
    assert "results" not in errors


def test_every_bad_parameter_is_reported_at_once(client):
    errors = get_json(client, f"{API}?region=atlantis&topic=nope&facets=bogus", status=400)
    assert set(errors) == {"region", "topic", "facets"}


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("url", [API, f"{API}some-slug/"])
def test_writes_are_refused_with_405(client, method, url):
    InitiativeFactory(slug="some-slug")
    response = getattr(client, method)(url, {"title": "x"})
    assert response.status_code == 405
    assert "GET" in response["Allow"]
