"""An initiative's former address (merged into it) answers 301 to it; only ever to a published initiative."""

import pytest

from initiatives.models import FormerSlug
from insights.services import merge_initiatives
from tests.factories import InitiativeFactory
from tests.helpers import UNPUBLISHED

pytestmark = pytest.mark.django_db


def test_a_former_slug_answers_301_to_the_initiative(client):
    initiative = InitiativeFactory(slug="glacy-plus")
    FormerSlug.objects.create(slug="glacy-extended", initiative=initiative)
    response = client.get("/initiatives/glacy-extended/")
    assert response.status_code == 301
    assert response["Location"] == "/initiatives/glacy-plus/"
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.parametrize("state", UNPUBLISHED)
def test_a_former_slug_of_an_unpublished_initiative_answers_as_an_unknown_slug(client, state):
    initiative = InitiativeFactory(slug="glacy-plus", publication_state=state)
    FormerSlug.objects.create(slug="glacy-extended", initiative=initiative)
    response = client.get("/initiatives/glacy-extended/")
    unknown = client.get("/initiatives/no-such-initiative/")
    assert response.status_code == unknown.status_code == 404
    assert response.content == unknown.content.replace(b"no-such-initiative", b"glacy-extended")


def test_a_live_initiative_keeps_its_address_over_a_former_slug(client):
    live = InitiativeFactory(slug="glacy", title="The live one")
    FormerSlug.objects.create(slug="glacy", initiative=InitiativeFactory(slug="elsewhere"))
    response = client.get("/initiatives/glacy/")
    assert response.status_code == 200 and live.title in response.content.decode()


def test_the_merged_initiative_s_address_leads_to_the_kept_one(client, curator):
    keep = InitiativeFactory(slug="glacy-plus")
    other = InitiativeFactory(slug="glacy-plus-copy")
    assert client.get("/initiatives/glacy-plus-copy/").status_code == 200
    merge_initiatives(keep=keep, other=other, user=curator)
    response = client.get("/initiatives/glacy-plus-copy/")
    assert (response.status_code, response["Location"]) == (301, "/initiatives/glacy-plus/")
