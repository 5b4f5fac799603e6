"""Freshness: public pages say when an entry was last verified; curators find stale ones and verify in one click."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from initiatives.models import Initiative
from tests.factories import InitiativeFactory
from tests.helpers import member_of

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:initiatives_initiative_changelist")


def days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


@pytest.fixture
def entries():
    return {
        "recent": InitiativeFactory(title="Checked last month", last_verified=days_ago(30)),
        "old": InitiativeFactory(title="Checked two years ago", last_verified=days_ago(730)),
        "never": InitiativeFactory(title="Never checked", last_verified=None),
    }


def test_the_public_page_says_when_it_was_last_verified(client, entries):
    recent = client.get(entries["recent"].get_absolute_url()).content.decode()
    assert "Last verified" in recent and str(days_ago(30).year) in recent
    assert "out of date" not in recent
    old = client.get(entries["old"].get_absolute_url()).content.decode()
    assert "over a year ago: some details may be out of date" in old
    never = client.get(entries["never"].get_absolute_url()).content.decode()
    assert "not yet" in never


def test_the_admin_lists_entries_not_verified_for_twelve_months(client, entries):
    client.force_login(member_of("Curator", "carla"))
    stale = client.get(CHANGELIST + "?verified=stale").context["cl"].result_list
    assert {i.title for i in stale} == {"Checked two years ago", "Never checked"}
    recent = client.get(CHANGELIST + "?verified=recent").context["cl"].result_list
    assert [i.title for i in recent] == ["Checked last month"]


def test_one_click_marks_an_entry_verified_today_with_who_did_it(client, entries):
    client.force_login(member_of("Curator", "carla"))
    page = client.get(CHANGELIST + "?verified=stale").content.decode()
    verify = reverse("admin:initiatives_initiative_verify", args=[entries["old"].pk])
    assert f'formaction="{verify}"' in page  # the one button on its row
    assert 'id="verify-form"' in page
    response = client.post(verify, {"next": CHANGELIST + "?verified=stale"})
    assert response.status_code == 302
    assert response["Location"] == CHANGELIST + "?verified=stale"
    entries["old"].refresh_from_db()
    assert entries["old"].last_verified == timezone.localdate()
    assert entries["old"].history.first().history_user.username == "carla"
    # A curator may verify a published entry: it changes no public text.
    assert entries["old"].publication_state == Initiative.PublicationState.PUBLISHED


def test_verifying_refuses_get_anonymous_users_and_foreign_redirects(client, entries):
    verify = reverse("admin:initiatives_initiative_verify", args=[entries["old"].pk])
    assert client.post(verify).status_code == 302  # to the login page
    entries["old"].refresh_from_db()
    assert entries["old"].last_verified == days_ago(730)
    client.force_login(member_of("Curator", "carla"))
    assert client.get(verify).status_code == 405
    response = client.post(verify, {"next": "https://evil.example/"})
    assert response["Location"] == CHANGELIST


def test_the_bulk_action_marks_several_verified(client, entries):
    client.force_login(member_of("Curator", "carla"))
    ids = [entries["old"].pk, entries["never"].pk]
    client.post(CHANGELIST, {"action": "mark_verified", "_selected_action": ids})
    assert set(Initiative.objects.filter(pk__in=ids).values_list("last_verified", flat=True)) == {timezone.localdate()}
