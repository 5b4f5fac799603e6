"""/initiatives/?q= in any of the three languages: places, terms and organisations by any of their names,
accents and case ignored, and the suggestions named in the visitor's language."""

from urllib.parse import urlencode

import pytest
from django.test import Client

from initiatives.models import Participation
from tests.factories import InitiativeFactory, OrganisationFactory, ParticipationFactory
from tests.helpers import listed

pytestmark = pytest.mark.django_db


def found(q: str, language: str = "en") -> list[str]:
    response = Client(HTTP_ACCEPT_LANGUAGE=language).get("/initiatives/?" + urlencode({"q": q}))
    assert response.status_code == 200
    return listed(response)


@pytest.fixture
def funded():
    """One initiative in Nigeria and Côte d'Ivoire on cybercrime, funded by the World Bank; another elsewhere."""
    target = InitiativeFactory(slug="target", countries=["NG", "CI"], topics=["cybercrime"])
    InitiativeFactory(slug="other", countries=["JP"], topics=["data-protection"])
    bank = OrganisationFactory(name="World Bank", name_fr="Banque mondiale", name_es="Banco Mundial", acronym="WB")
    ParticipationFactory(initiative=target, organisation=bank, role=Participation.Role.FUNDER)
    return bank


@pytest.mark.parametrize(
    "q",
    [
        "Nigéria",  # French
        "nigeria",  # English, lower case
        "NIGERIA",
        "Côte d'Ivoire",
        "cote d ivoire",
        "Costa de Marfil",  # Spanish
        "ciberdelincuencia",  # Spanish, the topic
        "Cybercriminalité",  # French
        "cybercriminalite",
    ],
)
def test_search_finds_places_and_terms_by_any_of_their_names_without_accents(funded, q):
    assert found(q) == ["target"]


@pytest.mark.parametrize("q", ["World Bank", "Banque mondiale", "banco mundial", "BANQUE MONDIALE"])
@pytest.mark.parametrize("language", ["en", "fr", "es"])
def test_search_finds_an_organisation_by_its_name_in_any_language_on_any_page(funded, q, language):
    assert found(q, language) == ["target"]


def test_a_new_translated_name_of_an_organisation_is_searchable_at_once(funded):
    assert found("Unión Africana") == []
    union = OrganisationFactory(name="African Union Commission")
    ParticipationFactory(initiative=funded.participations.get().initiative, organisation=union)
    union.name_es = "Comisión de la Unión Africana"
    union.save()
    assert found("Unión Africana") == ["target"]
    assert found("union africana") == ["target"]


def test_suggestions_name_places_and_terms_in_the_visitors_language(funded):
    response = Client(HTTP_ACCEPT_LANGUAGE="fr").get("/initiatives/?q=nigeria+cybercrime")
    labels = " ".join(suggestion.label for suggestion in response.context["browse"].suggestions)
    assert "Nigéria" in labels and "Cybercriminalité" in labels
    response = Client(HTTP_ACCEPT_LANGUAGE="es").get("/initiatives/?q=Nigéria+cybercriminalité")
    labels = " ".join(suggestion.label for suggestion in response.context["browse"].suggestions)
    assert "Nigeria" in labels and "Ciberdelincuencia" in labels
