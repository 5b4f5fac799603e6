"""/api/v1/organisations/: only organisations taking part in a published initiative, by slug."""

import pytest

from tests.factories import InitiativeFactory, OrganisationFactory, ParticipationFactory
from tests.helpers import UNPUBLISHED

pytestmark = pytest.mark.django_db

API = "/api/v1/organisations/"


@pytest.fixture
def organisations():
    shown = OrganisationFactory(slug="shown", name="Shown", acronym="SH", country_id="KE")
    ParticipationFactory(initiative=InitiativeFactory(), organisation=shown)
    for state in UNPUBLISHED:
        ParticipationFactory(
            initiative=InitiativeFactory(publication_state=state),
            organisation=OrganisationFactory(slug=f"only-{state}"),
        )
    # Also in an unpublished one: still shown, since it takes part in a published one too.
    ParticipationFactory(initiative=InitiativeFactory(publication_state="draft"), organisation=shown, role="funder")
    OrganisationFactory(slug="in-nothing")


def test_the_list_has_only_organisations_of_published_initiatives(client, organisations):
    page = client.get(API).json()
    assert page["count"] == 1
    assert page["results"] == [
        {
            "slug": "shown",
            "name": "Shown",
            "names": {"en": "Shown", "fr": "", "es": ""},
            "acronym": "SH",
            "aliases": [],
            "kind": "government",
            "country": "KE",
            "website": "",
            "description": "",
            "url": "http://testserver/organisations/shown/",
        }
    ]


@pytest.mark.parametrize("slug", ["only-draft", "only-review", "only-archived", "in-nothing", "nope", "bad%00slug"])
def test_a_hidden_or_unknown_organisation_is_a_404(client, organisations, slug):
    response = client.get(f"{API}{slug}/")
    assert response.status_code == 404
    assert "detail" in response.json()


def test_a_public_organisation_reads_by_its_slug(client, organisations):
    response = client.get(f"{API}shown/")
    assert response.status_code == 200
    assert response.json() == client.get(API).json()["results"][0]
