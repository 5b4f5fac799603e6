"""No lost updates: the second of two concurrent saves is refused and says what changed."""

import pytest
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
    assert "Last verified" in response.content.decode()


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
