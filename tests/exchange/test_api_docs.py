"""/api/v1/openapi.json and the documentation page /api/v1/ built from it."""

import html
import json

import jsonschema
import pytest
from drf_spectacular.validation import validate_schema

from initiatives.dimensions import DIMENSIONS
from tests.factories import InitiativeFactory

pytestmark = pytest.mark.django_db

PATHS = [
    "/api/v1/initiatives/",
    "/api/v1/initiatives/{slug}/",
    "/api/v1/regions/",
    "/api/v1/regions/{slug}/",
    "/api/v1/countries/",
    "/api/v1/countries/{iso2}/",
    "/api/v1/vocabularies/",
    "/api/v1/terms/",
    "/api/v1/organisations/",
    "/api/v1/organisations/{slug}/",
    "/api/v1/sources/",
]


@pytest.fixture
def schema(client) -> dict:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi+json")
    return json.loads(response.content)


def test_the_schema_is_valid_openapi_3_with_every_endpoint(schema):
    assert schema["openapi"].startswith("3.")
    validate_schema(schema)
    assert list(schema["paths"]) == PATHS
    assert all(set(operations) == {"get"} for operations in schema["paths"].values())


def test_the_schema_validator_would_catch_a_broken_schema(schema):
    schema["paths"]["/api/v1/initiatives/"]["get"]["parameters"][0]["in"] = "nowhere"
    with pytest.raises(jsonschema.ValidationError):
        validate_schema(schema)


def test_the_schema_describes_every_parameter_of_the_initiatives_list(schema):
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/initiatives/"]["get"]["parameters"]}
    expected = {"q", *(d.name for d in DIMENSIONS), "specific", "sort", "page", "page_size", "facets"}
    assert set(parameters) == expected
    assert parameters["status"]["schema"]["items"]["enum"] == ["planned", "ongoing", "completed"]
    assert parameters["sort"]["schema"]["enum"] == ["title", "-start", "-updated"]
    assert parameters["year"]["schema"]["items"] == {"type": "integer", "minimum": 1990, "maximum": 2100}
    assert parameters["page_size"]["schema"]["maximum"] == 100
    assert "all" in parameters["facets"]["schema"]["items"]["enum"]
    assert all(p["description"] for p in parameters.values())
    responses = schema["paths"]["/api/v1/initiatives/"]["get"]["responses"]
    assert set(responses) == {"200", "400", "404"}


def test_the_documentation_page_lists_every_endpoint_with_examples(client, schema):
    InitiativeFactory(slug="an-example")
    response = client.get("/api/v1/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    body = html.unescape(response.content.decode())
    assert '<a href="/api/v1/openapi.json">' in body
    for path in PATHS:
        assert f"GET {path}</code>" in body
    assert '<a href="/api/v1/initiatives/?region=africa&topic=cybercrime&facets=region%2Ctopic">' in body
    assert '<a href="/api/v1/initiatives/an-example/">' in body
    assert "<code>page_size</code>" in body
    assert "<script" not in body
    assert 'class="skip-link"' in body  # the site's own layout


def test_every_page_links_to_the_api_documentation(client):
    assert '<a href="/api/v1/">API</a>' in client.get("/").content.decode()
