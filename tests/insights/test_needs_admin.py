"""Curating needs in the admin: the list, its filters and search, the term menus, the matching count."""

import html
import re

import pytest
from django.urls import reverse

from insights.models import Need
from taxonomy.models import Term, Vocabulary
from tests.factories import InitiativeFactory, NeedFactory
from tests.helpers import region

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:insights_need_changelist")
ADD = reverse("admin:insights_need_add")


def change_url(need: Need) -> str:
    return reverse("admin:insights_need_change", args=[need.pk])


def test_list_add_and_change_pages_open_for_a_curator(curator_client):
    need = NeedFactory(topics=["cybercrime"], audiences=["judiciary"])
    for url in (CHANGELIST, ADD, change_url(need)):
        assert curator_client.get(url).status_code == 200, url


def test_anonymous_visitors_are_sent_to_login(client):
    response = client.get(CHANGELIST)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_the_list_filters_and_searches(curator_client):
    open_need = NeedFactory(title="Forensic laboratory", topics=["digital-forensics"])
    met_need = NeedFactory(title="Strategy", state="met", region=region("sadc"), stated_in="SADC declaration")
    draft = NeedFactory(title="Draft need", publication_state="draft")

    def shown(query: str) -> set[Need]:
        return set(curator_client.get(f"{CHANGELIST}?{query}").context["cl"].result_list)

    assert shown("state__exact=met") == {met_need}
    assert shown("publication_state__exact=draft") == {draft}
    topic = Term.objects.topics().get(slug="digital-forensics")
    assert shown(f"topics__id__exact={topic.pk}") == {open_need}
    assert shown("q=declaration") == {met_need}
    assert shown("q=Nigeria") == {open_need, draft}


def test_term_menus_offer_only_their_vocabulary(curator_client):
    form = curator_client.get(ADD).context["adminform"].form
    topics = form.fields["topics"].queryset
    audiences = form.fields["audiences"].queryset
    assert topics.exists() and not topics.exclude(vocabulary__slug=Vocabulary.TOPIC).exists()
    assert audiences.exists() and not audiences.exclude(vocabulary__slug=Vocabulary.AUDIENCE).exists()


def test_term_autocomplete_offers_only_topics_for_topics(curator_client):
    url = reverse("admin:autocomplete")
    response = curator_client.get(
        url, {"app_label": "insights", "model_name": "need", "field_name": "topics", "term": ""}
    )
    ids = {int(result["id"]) for result in response.json()["results"]}
    assert ids
    assert ids <= set(Term.objects.topics().values_list("pk", flat=True))


def test_the_change_form_shows_the_matching_initiatives_with_a_link_to_them(curator_client):
    need = NeedFactory(topics=["cybercrime"])
    InitiativeFactory(countries=["NG"], topics=["digital-forensics"])
    InitiativeFactory(regions=[region("ecowas")], topics=["cybercrime"])
    InitiativeFactory(countries=["NG"], topics=["cybercrime"], publication_state="draft")
    body = curator_client.get(change_url(need)).content.decode()
    match = re.search(r'<a href="(/initiatives/\?[^"]+)">(\d+) ongoing published initiatives</a>', body)
    assert match, body[body.index("matching") :][:500]
    assert match.group(2) == "2"
    assert curator_client.get(html.unescape(match.group(1))).context["browse"].total == 2


def test_the_change_form_calls_a_need_without_matches_a_gap(curator_client):
    need = NeedFactory(topics=["ciip"])
    assert "it is a gap" in curator_client.get(change_url(need)).content.decode()


def test_a_curator_can_add_a_need(curator_client):
    topic = Term.objects.topics().get(slug="ciip")
    response = curator_client.post(
        ADD,
        {
            "title": "Critical infrastructure",
            "slug": "critical-infrastructure",
            "country": "GH",
            "topics": [topic.pk],
            "state": "open",
            "publication_state": "published",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    need = Need.objects.get(slug="critical-infrastructure")
    assert list(need.topics.all()) == [topic]


def test_a_need_with_two_places_is_refused(curator_client):
    response = curator_client.post(
        ADD,
        {
            "title": "Two places",
            "slug": "two-places",
            "country": "GH",
            "region": region("sadc").pk,
            "state": "open",
            "publication_state": "draft",
        },
    )
    assert response.status_code == 200
    assert "exactly one place" in response.content.decode()
    assert not Need.objects.filter(slug="two-places").exists()
