"""No lost updates: the second of two concurrent saves is refused and says what changed."""

import pytest
from django.db.models.signals import pre_save
from django.urls import reverse

from initiatives.models import Initiative, Organisation
from insights.models import Need
from taxonomy.models import Country, Region, Term
from taxonomy.versioning import EditConflict
from tests.factories import InitiativeFactory, NeedFactory, OrganisationFactory, ParticipationFactory
from tests.helpers import admin_form_data, member_of

pytestmark = pytest.mark.django_db


def change_url(obj) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


@pytest.fixture
def draft():
    initiative = InitiativeFactory(
        title="Cyber skills for judges",
        summary="The first summary.",
        publication_state=Initiative.PublicationState.DRAFT,
        countries=[Country.objects.get(iso2="GH")],
        topics=["cybercrime"],
    )
    ParticipationFactory(initiative=initiative)
    return initiative


def test_the_second_of_two_saves_is_refused_and_shows_what_changed(client, draft):
    alice, bob = member_of("Curator", "alice"), member_of("Curator", "bob")
    client.force_login(alice)
    alice_form = admin_form_data(client.get(change_url(draft)))
    client.force_login(bob)
    bob_form = admin_form_data(client.get(change_url(draft)))

    client.force_login(alice)
    alice_form.update(title="Cyber skills for judges and prosecutors", summary="Alice's better summary.")
    assert client.post(change_url(draft), alice_form).status_code == 302

    client.force_login(bob)
    bob_form.update(title="Cyber skills for the judiciary")
    response = client.post(change_url(draft), bob_form)
    assert response.status_code == 200
    text = response.content.decode()
    assert "Someone else saved this record after you opened it" in text
    assert "Saved by alice" in text
    assert "Alice&#x27;s better summary." in text or "Alice's better summary." in text

    draft.refresh_from_db()
    assert draft.title == "Cyber skills for judges and prosecutors"
    assert draft.summary == "Alice's better summary."  # not silently reverted


def test_after_reloading_the_second_curator_saves(client, draft):
    client.force_login(member_of("Curator", "alice"))
    stale = admin_form_data(client.get(change_url(draft)))
    fresh_elsewhere = admin_form_data(client.get(change_url(draft)))
    fresh_elsewhere["summary"] = "Changed first."
    assert client.post(change_url(draft), fresh_elsewhere).status_code == 302
    assert client.post(change_url(draft), stale).status_code == 200  # refused
    reloaded = admin_form_data(client.get(change_url(draft)))
    reloaded["title"] = "Saved after reloading"
    assert client.post(change_url(draft), reloaded).status_code == 302
    draft.refresh_from_db()
    assert (draft.title, draft.summary) == ("Saved after reloading", "Changed first.")


def test_a_form_without_its_version_is_refused(client, draft):
    client.force_login(member_of("Curator", "alice"))
    data = admin_form_data(client.get(change_url(draft)))
    del data["version"]
    data["title"] = "Crafted"
    assert client.post(change_url(draft), data).status_code == 200
    draft.refresh_from_db()
    assert draft.title == "Cyber skills for judges"


def test_every_write_path_refuses_a_save_based_on_an_old_version(draft):
    first = Initiative.objects.get(pk=draft.pk)
    second = Initiative.objects.get(pk=draft.pk)
    first.summary = "Saved first."
    first.save()
    second.title = "Based on the old version"
    with pytest.raises(EditConflict):
        second.save(update_fields=["title"])
    draft.refresh_from_db()
    assert (draft.title, draft.summary) == ("Cyber skills for judges", "Saved first.")
    assert draft.version == first.version == 2


def test_marking_verified_moves_the_version_so_an_open_form_is_refused(client, draft):
    client.force_login(member_of("Curator", "alice"))
    opened = admin_form_data(client.get(change_url(draft)))
    verify = reverse("admin:initiatives_initiative_verify", args=[draft.pk])
    assert client.post(verify).status_code == 302
    opened["summary"] = "Edited in a form opened before the verification"
    response = client.post(change_url(draft), opened)
    assert response.status_code == 200
    text = response.content.decode()
    assert "Someone else saved this record after you opened it" in text
    assert "last verified" in text.split("Someone else saved")[1].lower()  # what they changed
    draft.refresh_from_db()
    assert draft.summary == "The first summary."
    assert draft.last_verified is not None


@pytest.mark.parametrize("make", ["organisation", "need", "term", "region"])
def test_the_other_curated_records_refuse_a_stale_save_too(client, make):
    obj = {
        "organisation": lambda: OrganisationFactory(name="Expertise France"),
        "need": lambda: NeedFactory(topics=["cybercrime"]),
        "term": lambda: Term.objects.topics().get(slug="cybercrime"),
        "region": lambda: Region.objects.get(slug="ecowas"),
    }[make]()
    client.force_login(member_of("Editor", "edith"))
    first = admin_form_data(client.get(change_url(obj)))
    second = dict(first)
    first["description"] = "First save."
    assert client.post(change_url(obj), first).status_code == 302
    second["description"] = "Second save, based on the old version."
    response = client.post(change_url(obj), second)
    assert response.status_code == 200
    assert "Someone else saved this record after you opened it" in response.content.decode()
    model = {"organisation": Organisation, "need": Need, "term": Term, "region": Region}[make]
    assert model.objects.get(pk=obj.pk).description == "First save."


def test_a_stale_form_cannot_undo_a_change_of_participants(client, draft):
    """Participants change in the initiative's form, which raises its version: an older form is refused."""
    participation = draft.participations.get()
    client.force_login(member_of("Editor", "edith"))
    stale = admin_form_data(client.get(change_url(draft)))
    fresh = admin_form_data(client.get(change_url(draft)))
    fresh["participations-0-role"] = "funder"
    assert client.post(change_url(draft), fresh).status_code == 302
    response = client.post(change_url(draft), stale)
    assert response.status_code == 200
    assert "Someone else saved this record after you opened it" in response.content.decode()
    participation.refresh_from_db()
    assert participation.role == "funder"


@pytest.fixture
def saved_meanwhile():
    """Another save lands between a view's check and its write: the race the version check exists for."""

    def bump(sender, instance, **kwargs):
        pre_save.disconnect(bump, sender=Initiative)
        Initiative.objects.filter(pk=instance.pk).update(version=instance._version_based_on + 1)

    pre_save.connect(bump, sender=Initiative)
    yield
    pre_save.disconnect(bump, sender=Initiative)


def test_a_bulk_action_leaves_a_row_saved_meanwhile_and_says_so(client, draft, saved_meanwhile):
    client.force_login(member_of("Curator", "alice"))
    response = client.post(
        reverse("admin:initiatives_initiative_changelist"),
        {"action": "submit_for_review", "_selected_action": [draft.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert "someone saved them meanwhile" in response.content.decode()
    assert Initiative.objects.get(pk=draft.pk).publication_state == Initiative.PublicationState.DRAFT


def test_a_revert_racing_another_save_is_refused_whole(client, draft):
    client.force_login(member_of("Editor", "edith"))
    original = draft.history.order_by("history_id").last()
    data = admin_form_data(client.get(change_url(draft)))
    data.update(title="Second title", topics=[str(Term.objects.topics().get(slug="standards").pk)])
    assert client.post(change_url(draft), data).status_code == 302
    revert = reverse("admin:initiatives_initiative_simple_history", args=[draft.pk, original.history_id])
    data = admin_form_data(client.get(revert))
    data["_change_history"] = "1"

    def bump(sender, instance, **kwargs):
        pre_save.disconnect(bump, sender=Initiative)
        Initiative.objects.filter(pk=instance.pk).update(version=instance._version_based_on + 1)

    pre_save.connect(bump, sender=Initiative)
    try:
        response = client.post(revert, data, follow=True)
    finally:
        pre_save.disconnect(bump, sender=Initiative)
    assert response.status_code == 200
    assert "your changes were not saved" in response.content.decode()
    draft.refresh_from_db()
    assert draft.title == "Second title"
    assert [t.slug for t in draft.topics.all()] == ["standards"]
