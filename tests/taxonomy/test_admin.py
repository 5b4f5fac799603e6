import pytest
from django.urls import reverse

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
