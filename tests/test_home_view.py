import pytest

from taxonomy.models import Country
from tests.factories import InitiativeFactory, ParticipationFactory

pytestmark = pytest.mark.django_db


def test_home_counts_only_published_initiatives(client):
    ParticipationFactory(initiative=InitiativeFactory(title="Visible one", countries=[Country.objects.get(iso2="KE")]))
    InitiativeFactory(title="Visible two", topics=["cert-development"])
    InitiativeFactory(title="[Draft] hidden", publication_state="draft", countries=[Country.objects.get(iso2="FR")])
    response = client.get("/")
    assert response.status_code == 200
    counts = response.context["counts"]
    assert counts["initiatives"] == 2
    assert counts["organisations"] == 1
    assert counts["countries"] == 1
    body = response.content.decode()
    assert "Visible one" in body
    assert "[Draft] hidden" not in body


def test_home_counts_child_topics_under_their_parent_and_countries_under_continents(client):
    InitiativeFactory(topics=["cert-development"], countries=[Country.objects.get(iso2="KE")])
    InitiativeFactory(topics=["incident-management", "ciip"])
    InitiativeFactory(topics=["ciip"], publication_state="draft", countries=[Country.objects.get(iso2="NG")])
    response = client.get("/")
    topics = {t.slug: t.initiative_count for t in response.context["topics"]}
    assert topics["incident-management"] == 2
    assert topics["cybercrime"] == 0
    continents = {r.slug: r.initiative_count for r in response.context["continents"]}
    assert continents == {"africa": 1, "americas": 0, "asia": 0, "europe": 0, "oceania": 0}


def test_home_says_demo_data_is_illustrative(client):
    assert "illustrative" in client.get("/").content.decode()
