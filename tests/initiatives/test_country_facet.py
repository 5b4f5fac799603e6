"""The country facet of /initiatives/: the busiest countries under the other filters, plus any selected one."""

import re

import pytest

from tests.factories import InitiativeFactory
from tests.helpers import UNPUBLISHED, region

pytestmark = pytest.mark.django_db


def country_facet(client, query: str = "", **headers):
    response = client.get("/initiatives/" + (f"?{query}" if query else ""), **headers)
    assert response.status_code == 200, response.content.decode()[:2000]
    facet = next(f for f in response.context["browse"].facets if f.name == "country")
    return facet, response


@pytest.fixture
def busy():
    """Twelve countries, the first with 12 initiatives and the last with 1; two on another topic; hidden ones."""
    codes = ["NG", "GH", "KE", "SN", "FR", "DE", "JP", "BR", "IN", "ZA", "EG", "MA"]
    for rank, iso2 in enumerate(codes):
        for n in range(12 - rank):
            InitiativeFactory(slug=f"{iso2.lower()}-{n}", countries=[iso2], topics=["cybercrime"])
    InitiativeFactory(slug="ma-awareness", countries=["MA"], topics=["awareness"])
    InitiativeFactory(slug="ecowas-awareness", regions=[region("ecowas")], topics=["awareness"])
    for state in UNPUBLISHED:
        InitiativeFactory(
            slug=f"hidden-{state}", countries=["MA", "US"], topics=["cybercrime"], publication_state=state
        )


def test_the_facet_shows_the_ten_busiest_countries_most_first(client, busy):
    facet, _response = country_facet(client, "topic=cybercrime")
    assert [(o.value, o.count) for o in facet.options] == [
        ("NG", 12),
        ("GH", 11),
        ("KE", 10),
        ("SN", 9),
        ("FR", 8),
        ("DE", 7),
        ("JP", 6),
        ("BR", 5),
        ("IN", 4),
        ("ZA", 3),
    ]
    assert not any(o.selected for o in facet.options)


def test_a_selected_country_outside_the_busiest_is_shown_checked_with_its_count(client, busy):
    facet, response = country_facet(client, "topic=cybercrime&country=MA")
    assert len(facet.options) == 11
    assert (facet.options[-1].value, facet.options[-1].count, facet.options[-1].selected) == ("MA", 1, True)
    body = response.content.decode()
    # One box per selected country, and no hidden copy of it: unticking it removes the filter.
    assert len(re.findall(r'name="country" value="MA"', body)) == 1
    assert re.search(r'<input type="checkbox" name="country" value="MA" checked>', body)


def test_counts_respect_the_other_filters_but_not_the_country_filter(client, busy):
    facet, _response = country_facet(client, "topic=awareness&country=NG")
    counts = {o.value: o.count for o in facet.options}
    assert counts["MA"] == 1 and counts["NG"] == 1  # NG through ECOWAS; the other countries are counted too
    assert counts["GH"] == 1 and "KE" not in counts
    assert "US" not in counts  # only hidden initiatives name it
    specific, _response = country_facet(client, "topic=awareness&specific=1")
    assert {o.value: o.count for o in specific.options} == {"MA": 1}  # ECOWAS-wide does not name a country


def test_options_are_named_in_the_visitors_language(client, busy):
    facet, response = country_facet(client, "topic=cybercrime", HTTP_ACCEPT_LANGUAGE="fr")
    labels = {o.value: o.label for o in facet.options}
    assert labels["NG"] == "Nigéria" and labels["DE"] == "Allemagne"
    assert "Allemagne" in response.content.decode()


def test_each_count_is_the_total_of_the_list_with_that_country_added(client, busy):
    facet, _response = country_facet(client, "topic=cybercrime")
    for option in facet.options[:3]:
        response = client.get(f"/initiatives/?topic=cybercrime&country={option.value}")
        assert response.context["browse"].total == option.count
