"""The page cache (ccb_portal.pagecache): anonymous public pages and exports, fresh after every change."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from initiatives.models import Initiative
from insights.models import Need
from taxonomy.models import Country
from tests.factories import InitiativeFactory, NeedFactory, ParticipationFactory
from tests.helpers import admin_form_data, listed

pytestmark = [pytest.mark.django_db, pytest.mark.page_cache]

LIST = "/initiatives/?topic=cybercrime"


@pytest.fixture
def visitor():
    return Client()


def changelist(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def change_page(obj) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def publishable_draft(title: str) -> Initiative:
    draft = InitiativeFactory(
        title=title, publication_state="draft", countries=[Country.objects.get(iso2="GH")], topics=["cybercrime"]
    )
    ParticipationFactory(initiative=draft)
    return draft


def test_a_second_visit_is_served_from_the_cache_with_one_query(visitor):
    InitiativeFactory(topics=["cybercrime"])
    first = visitor.get(LIST)
    assert first["X-Cache"] == "miss"
    with CaptureQueriesContext(connection) as queries:
        again = visitor.get(LIST)
    assert again["X-Cache"] == "hit"
    assert again.content == first.content
    assert len(queries) == 1, "only the data revision is read"
    with CaptureQueriesContext(connection) as uncached:
        visitor.get("/initiatives/?topic=policy-strategy")
    assert len(uncached) > 3, "the larger run really rendered a page"


def test_the_key_is_the_normalised_query(visitor):
    InitiativeFactory(topics=["cybercrime"], countries=[Country.objects.get(iso2="NG")])
    assert visitor.get("/initiatives/?topic=cybercrime&country=NG")["X-Cache"] == "miss"
    assert visitor.get("/initiatives/?country=NG&topic=cybercrime")["X-Cache"] == "hit"
    # Empty parameters reach the list, which sends them to its address without them (no loop: it has none).
    redirected = visitor.get("/initiatives/?country=NG&q=&topic=cybercrime&year=")
    assert (redirected.status_code, redirected["Location"]) == (302, "/initiatives/?country=NG&topic=cybercrime")
    assert visitor.get("/initiatives/?country=NG&topic=cybercrime&topic=policy-strategy")["X-Cache"] == "miss"


def test_each_language_has_its_own_copy(visitor):
    english = visitor.get("/initiatives/", HTTP_ACCEPT_LANGUAGE="en")
    french = visitor.get("/initiatives/", HTTP_ACCEPT_LANGUAGE="fr")
    assert french["X-Cache"] == "miss"
    assert english.content != french.content
    assert visitor.get("/initiatives/", HTTP_ACCEPT_LANGUAGE="fr").content == french.content


def test_a_cached_page_keeps_its_etag_and_answers_304(visitor):
    first = visitor.get("/regions/africa/")
    again = visitor.get("/regions/africa/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304


def test_publishing_in_the_admin_shows_the_initiative_at_once(visitor, editor_role_client):
    draft = publishable_draft("Freshly published programme")
    assert draft.slug not in listed(visitor.get(LIST))
    assert visitor.get(LIST)["X-Cache"] == "hit"

    editor_role_client.post(changelist(Initiative), {"action": "publish", "_selected_action": [draft.pk]})

    assert Initiative.objects.get(pk=draft.pk).publication_state == "published"
    response = visitor.get(LIST)
    assert response["X-Cache"] == "miss"
    assert draft.slug in listed(response)


def test_archiving_and_editing_in_the_admin_are_seen_at_once(visitor, editor_role_client):
    initiative = publishable_draft("Old title")
    Initiative.objects.filter(pk=initiative.pk).update(publication_state="published")
    detail = f"/initiatives/{initiative.slug}/"
    assert "Old title" in visitor.get(detail).content.decode()

    data = admin_form_data(editor_role_client.get(change_page(initiative)))
    data["title"] = "New title"
    assert editor_role_client.post(change_page(initiative), data).status_code == 302
    assert "New title" in visitor.get(detail).content.decode()

    editor_role_client.post(changelist(Initiative), {"action": "archive", "_selected_action": [initiative.pk]})
    assert visitor.get(detail).status_code == 404
    assert initiative.slug not in listed(visitor.get(LIST))


def test_an_edit_to_a_need_is_seen_at_once(visitor, editor_role_client):
    need = NeedFactory(title="Before the edit", topics=["cybercrime"])
    page = f"/needs/{need.slug}/"
    assert "Before the edit" in visitor.get(page).content.decode()
    data = admin_form_data(editor_role_client.get(change_page(need)))
    data["title"] = "After the edit"
    assert editor_role_client.post(change_page(need), data).status_code == 302
    assert Need.objects.get(pk=need.pk).title == "After the edit"
    assert "After the edit" in visitor.get(page).content.decode()


def test_logged_in_curators_always_get_a_fresh_page(visitor, curator_role_client):
    initiative = InitiativeFactory(title="As cached", topics=["cybercrime"])
    visitor.get(LIST)
    # A write that bypasses the models (and so the revision): only a fresh render can see it.
    Initiative.objects.filter(pk=initiative.pk).update(title="As in the database")

    stale = visitor.get(LIST)
    assert stale["X-Cache"] == "hit"
    assert "As cached" in stale.content.decode()
    fresh = curator_role_client.get(LIST)
    assert fresh["X-Cache"] == "bypass"
    assert "As in the database" in fresh.content.decode()
    assert curator_role_client.get(LIST)["X-Cache"] == "bypass"


def test_what_is_not_a_complete_public_answer_is_not_kept(visitor):
    assert visitor.get("/initiatives/?year=abc").status_code == 400
    assert visitor.get("/initiatives/?year=abc")["X-Cache"] == "miss"
    assert visitor.get("/initiatives/no-such-thing/")["X-Cache"] == "miss"
    # A form carries a CSRF token of the visitor's own.
    assert visitor.get("/suggest/")["X-Cache"] == "bypass"
    assert visitor.get("/suggest/")["X-Cache"] == "bypass"


def test_the_csv_export_is_kept_as_it_streams_out(visitor):
    InitiativeFactory(title="Exported")
    first = visitor.get("/initiatives/export.csv")
    body = b"".join(first.streaming_content)
    again = visitor.get("/initiatives/export.csv")
    assert again["X-Cache"] == "hit"
    assert again.content == body
    assert again["Content-Disposition"] == first["Content-Disposition"]
    assert again["Content-Type"] == "text/csv; charset=utf-8"


def test_an_export_larger_than_the_bound_is_not_kept(visitor, settings):
    settings.PAGE_CACHE_MAX_BYTES = 100
    InitiativeFactory(title="Exported")
    b"".join(visitor.get("/initiatives/export.csv").streaming_content)
    assert visitor.get("/initiatives/export.csv")["X-Cache"] == "miss"


def test_an_export_the_visitor_stopped_reading_is_not_kept(visitor, monkeypatch):
    InitiativeFactory(title="Exported")
    response = visitor.get("/initiatives/export.csv")
    next(iter(response.streaming_content))
    # The server closes the response (and so the export's generator) when the visitor goes away. The
    # end of a request closes its database connection too, which is this test's, so keep that one.
    with monkeypatch.context() as patch:
        patch.setattr(connection, "close_if_unusable_or_obsolete", lambda: None)
        response.close()
    assert visitor.get("/initiatives/export.csv")["X-Cache"] == "miss"
