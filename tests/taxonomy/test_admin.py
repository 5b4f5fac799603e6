import pytest
from django.urls import reverse

from taxonomy.models import Region
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

ECOWAS = "Economic Community of West African States (ECOWAS)"


@pytest.mark.parametrize(
    ("changelist", "query", "expected"),
    [
        ("admin:taxonomy_country_changelist", "Allemagne", ["Germany"]),
        ("admin:taxonomy_country_changelist", "Alemania", ["Germany"]),
        ("admin:taxonomy_region_changelist", "Afrique de l'Ouest", [ECOWAS, "Western Africa"]),
        ("admin:taxonomy_region_changelist", "África subsahariana", ["Sub-Saharan Africa"]),
        ("admin:taxonomy_term_changelist", "Forces de l'ordre", ["Law enforcement"]),
        ("admin:taxonomy_term_changelist", "Ciberdelincuencia", ["Cybercrime", "Cybercrime legislation"]),
    ],
)
def test_admin_search_finds_french_and_spanish_names(curator_client, changelist, query, expected):
    response = curator_client.get(reverse(changelist), {"q": query})
    assert response.status_code == 200
    assert sorted(str(row) for row in response.context["cl"].result_list) == expected


@pytest.mark.parametrize(
    ("changelist", "query", "expected"),
    [
        ("admin:taxonomy_country_changelist", "Swaziland", ["Eswatini"]),
        ("admin:taxonomy_region_changelist", "Arab region", ["Arab States"]),
        (
            "admin:taxonomy_countryalias_changelist",
            "Eswatini",
            ["Kingdom of Eswatini (ISO 3166-1)", "Swaziland (former name)"],
        ),
        ("admin:taxonomy_regionalias_changelist", "Independent States", ["CIS region (ITU)", "Europe & CIS (UNDP)"]),
    ],
)
def test_admin_search_finds_aliases_and_what_they_name(curator_client, changelist, query, expected):
    response = curator_client.get(reverse(changelist), {"q": query})
    assert response.status_code == 200
    assert sorted(str(row) for row in response.context["cl"].result_list) == expected


def test_country_page_edits_its_aliases_inline(curator_client):
    response = curator_client.get(reverse("admin:taxonomy_country_change", args=["SZ"]))
    assert response.status_code == 200
    assert 'value="Swaziland"' in response.content.decode()


def test_region_page_edits_its_aliases_inline(curator_client):
    response = curator_client.get(reverse("admin:taxonomy_region_change", args=[Region.objects.get(slug="cis").pk]))
    assert response.status_code == 200
    assert 'value="CIS region"' in response.content.decode()


# --- autocompletes: exact codes first, then names that start with the term, accents ignored


def autocomplete(client, field_name: str, term: str, model_name: str = "initiative") -> list[str]:
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "initiatives", "model_name": model_name, "field_name": field_name, "term": term},
    )
    assert response.status_code == 200
    return [result["text"] for result in response.json()["results"]]


@pytest.mark.parametrize(
    ("term", "first"),
    [
        ("NG", "Nigeria"),  # before Angola, Bangladesh... which only contain "ng"
        ("ng", "Nigeria"),
        ("NGA", "Nigeria"),
        ("Nigéria", "Nigeria"),
        ("nigeria", "Nigeria"),
        ("cote", "Côte d'Ivoire"),
        ("Côte d'Ivoire", "Côte d'Ivoire"),
        ("Allemagne", "Germany"),
        ("Alemania", "Germany"),
        ("IN", "India"),
        ("niger", "Niger"),  # the name itself before the longer one starting with it
    ],
)
def test_country_autocomplete_ranks_codes_then_name_starts_in_any_language(curator_client, term, first):
    found = autocomplete(curator_client, "countries", term)
    assert found and found[0] == first, found[:5]


def test_country_autocomplete_keeps_other_matches_after_the_best(curator_client):
    found = autocomplete(curator_client, "countries", "NG")
    assert found[0] == "Nigeria" and "Angola" in found
    niger = autocomplete(curator_client, "countries", "niger")
    assert niger[:2] == ["Niger", "Nigeria"]


@pytest.mark.parametrize(
    ("term", "first"),
    [
        ("ECOWAS", ECOWAS),
        ("EU", "European Union (EU)"),
        ("afrique de l'ouest", "Western Africa"),
        ("africa", "Africa"),
    ],
)
def test_region_autocomplete_ranks_acronyms_then_name_starts(curator_client, term, first):
    found = autocomplete(curator_client, "regions", term)
    assert found and found[0] == first, found[:5]


def test_country_changelist_search_ignores_accents(curator_client):
    response = curator_client.get(reverse("admin:taxonomy_country_changelist"), {"q": "Nigéria"})
    assert [str(row) for row in response.context["cl"].result_list] == ["Nigeria"]
    response = curator_client.get(reverse("admin:taxonomy_country_changelist"), {"q": "NG"})
    assert "Nigeria" in [str(row) for row in response.context["cl"].result_list]


def test_organisation_autocomplete_ranks_the_acronym_then_name_starts(curator_client):
    for name, acronym in [
        ("Centre of Excellence for Cyber", ""),
        ("Coelacanth Institute", ""),
        ("Council of Europe", "CoE"),
        ("Cyber Resilience Hub", ""),
    ]:
        OrganisationFactory(name=name, acronym=acronym)
    found = autocomplete(curator_client, "organisation", "coe", model_name="participation")
    assert [name.split(" (")[0] for name in found] == ["Council of Europe", "Coelacanth Institute"]
    # A name starting with the term before one only containing it, though "Centre" sorts first.
    found = autocomplete(curator_client, "organisation", "cyber", model_name="participation")
    assert found[0] == "Cyber Resilience Hub"
