"""Cross-origin reads: other sites' scripts may GET the API, the CSV export, its schema and the feeds; nothing else."""

import pytest

from tests.factories import InitiativeFactory

pytestmark = pytest.mark.django_db

ORIGIN = "https://research.example.org"


@pytest.fixture(autouse=True)
def an_initiative():
    InitiativeFactory(slug="one")


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/initiatives/?region=africa",
        "/api/v1/initiatives/one/",
        "/api/v1/openapi.json",
        "/initiatives/export.csv",
        "/initiatives/export.schema.json",
        "/initiatives/feed.atom?topic=cybercrime",
    ],
)
def test_the_api_and_the_csv_may_be_read_from_any_origin(client, url):
    response = client.get(url, HTTP_ORIGIN=ORIGIN)
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response


@pytest.mark.parametrize("url", ["/initiatives/", "/initiatives/one/", "/", "/organisations/"])
def test_html_pages_are_not_shared_across_origins(client, url):
    response = client.get(url, HTTP_ORIGIN=ORIGIN)
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response


def test_a_preflight_allows_reads_only(client):
    response = client.options("/api/v1/initiatives/", HTTP_ORIGIN=ORIGIN, HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET")
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert set(response["Access-Control-Allow-Methods"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
