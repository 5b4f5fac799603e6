import pytest
from django.urls import reverse

from taxonomy.models import Region

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
