"""Roles and review: Curators edit and submit for review; only Editors publish, and only what is complete."""

import pytest
from django.test import Client
from django.urls import reverse

from initiatives.models import Initiative
from taxonomy.models import Country
from tests.factories import InitiativeFactory, OrganisationFactory, ParticipationFactory, SourceFactory
from tests.helpers import admin_form_data, member_of

pytestmark = pytest.mark.django_db

State = Initiative.PublicationState
CHANGELIST = reverse("admin:initiatives_initiative_changelist")


def change_url(initiative) -> str:
    return reverse("admin:initiatives_initiative_change", args=[initiative.pk])


@pytest.fixture
def complete_draft():
    initiative = InitiativeFactory(
        title="Complete draft",
        publication_state=State.DRAFT,
        countries=[Country.objects.get(iso2="GH")],
        topics=["cybercrime"],
    )
    ParticipationFactory(initiative=initiative)
    return initiative


def post_change(client, initiative, **changes):
    data = admin_form_data(client.get(change_url(initiative)))
    data.update(changes)
    return client.post(change_url(initiative), data)


def state_of(initiative) -> str:
    return Initiative.objects.values_list("publication_state", flat=True).get(pk=initiative.pk)


def test_a_curator_cannot_publish_by_editing_the_state(curator_role_client, complete_draft):
    response = post_change(curator_role_client, complete_draft, publication_state=State.PUBLISHED)
    assert response.status_code == 200  # the form again, with the error
    assert "Only editors can publish" in response.content.decode()
    assert state_of(complete_draft) == State.DRAFT
    assert curator_role_client.get(complete_draft.get_absolute_url()).status_code == 404


def test_a_curator_is_offered_only_draft_and_review(curator_role_client, complete_draft):
    form = curator_role_client.get(change_url(complete_draft)).context["adminform"].form
    assert [value for value, _label in form.fields["publication_state"].widget.choices] == [State.DRAFT, State.REVIEW]


def test_a_curator_submits_for_review(curator_role_client, complete_draft):
    response = post_change(curator_role_client, complete_draft, publication_state=State.REVIEW)
    assert response.status_code == 302
    assert state_of(complete_draft) == State.REVIEW


def test_a_curator_cannot_publish_with_the_bulk_action_or_a_crafted_post(curator_role_client, complete_draft):
    for action in ["publish", "archive"]:
        response = curator_role_client.post(
            CHANGELIST, {"action": action, "_selected_action": [complete_draft.pk]}, follow=True
        )
        assert response.status_code == 200
        assert state_of(complete_draft) == State.DRAFT, action
    actions = curator_role_client.get(CHANGELIST).context["action_form"].fields["action"].choices
    names = [name for name, _label in actions]
    assert "publish" not in names and "archive" not in names
    assert "submit_for_review" in names


def test_a_curator_reads_but_cannot_change_a_published_entry(curator_role_client):
    published = InitiativeFactory(title="Live text", countries=[Country.objects.get(iso2="GH")], topics=["cybercrime"])
    response = curator_role_client.get(change_url(published))
    assert response.status_code == 200
    assert not response.context["has_change_permission"]
    crafted = curator_role_client.post(change_url(published), {"title": "Unreviewed text", "summary": "x"})
    assert crafted.status_code == 403
    published.refresh_from_db()
    assert published.title == "Live text"


def test_an_editor_publishes_a_complete_entry_and_it_appears(editor_role_client, complete_draft):
    response = post_change(editor_role_client, complete_draft, publication_state=State.PUBLISHED)
    assert response.status_code == 302
    assert state_of(complete_draft) == State.PUBLISHED
    assert editor_role_client.get(complete_draft.get_absolute_url()).status_code == 200


@pytest.mark.parametrize(
    "emptied, missing",
    [
        ({"summary": ""}, "a summary"),
        ({"countries": [], "regions": []}, "a beneficiary country or region"),
        ({"topics": []}, "a topic"),
    ],
)
def test_publishing_says_what_is_missing(editor_role_client, complete_draft, emptied, missing):
    response = post_change(editor_role_client, complete_draft, publication_state=State.PUBLISHED, **emptied)
    assert response.status_code == 200
    assert f"To publish it, add: {missing}" in response.content.decode()
    assert state_of(complete_draft) == State.DRAFT


def test_publishing_needs_a_participant(editor_role_client):
    lonely = InitiativeFactory(
        publication_state=State.REVIEW, countries=[Country.objects.get(iso2="GH")], topics=["cybercrime"]
    )
    response = post_change(editor_role_client, lonely, publication_state=State.PUBLISHED)
    assert response.status_code == 200
    assert "To publish it, add: an implementer, funder or partner." in response.content.decode()
    assert state_of(lonely) == State.REVIEW


def test_the_bulk_publish_skips_incomplete_entries_and_names_what_they_lack(editor_role_client, complete_draft):
    bare = InitiativeFactory(title="Only a title", summary="", publication_state=State.REVIEW)
    response = editor_role_client.post(
        CHANGELIST, {"action": "publish", "_selected_action": [complete_draft.pk, bare.pk]}, follow=True
    )
    text = response.content.decode()
    assert state_of(complete_draft) == State.PUBLISHED
    assert state_of(bare) == State.REVIEW
    assert "Only a title" in text and "a summary" in text and "a topic" in text
    home = editor_role_client.get("/").content.decode()
    assert "Only a title" not in home


def test_each_state_change_is_recorded_with_who_and_when(client, complete_draft):
    client.force_login(member_of("Curator", "carla"))
    post_change(client, complete_draft, publication_state=State.REVIEW)
    client.force_login(member_of("Editor", "edith"))
    post_change(client, complete_draft, publication_state=State.PUBLISHED)
    changes = [
        (entry.history_user.username, entry.publication_state)
        for entry in complete_draft.history.order_by("history_id")
        if entry.history_user
    ]
    assert changes == [("carla", State.REVIEW), ("edith", State.PUBLISHED)]
    page = client.get(change_url(complete_draft)).content.decode()
    assert "carla, Draft → In review" in page
    assert "edith, In review → Published" in page


def test_only_an_editor_merges_and_imports(curator_role_client, django_user_model):
    from django.contrib.auth.models import Group

    curator = django_user_model.objects.get(username="carla")
    editor = Group.objects.get(name="Editor")
    assert not curator.has_perm("initiatives.delete_initiative")
    assert not curator.has_perm("insights.add_merge")
    assert not curator.has_perm("exchange.add_importbatch")
    assert editor.permissions.filter(codename__in=["add_merge", "add_importbatch", "publish_initiative"]).count() == 3
    assert curator_role_client.get(reverse("admin:exchange_importbatch_add"), follow=True).status_code == 403


@pytest.fixture
def published():
    initiative = InitiativeFactory(title="Live", countries=[Country.objects.get(iso2="GH")], topics=["cybercrime"])
    ParticipationFactory(initiative=initiative, organisation=OrganisationFactory(name="Real implementer"))
    return initiative


@pytest.mark.parametrize("role", ["Curator", "Editor"])
def test_participants_and_sources_change_only_in_the_initiatives_form(client, published, role):
    # A second way in would bypass the publication rules and the initiative's version check.
    client.force_login(member_of(role, "someone"))
    participation = published.participations.get()
    outsider = OrganisationFactory(name="Unreviewed organisation", slug="unreviewed")
    attempts = [
        (
            reverse("admin:initiatives_participation_add"),
            {"initiative": published.pk, "organisation": outsider.pk, "role": "funder"},
        ),
        (
            reverse("admin:initiatives_participation_change", args=[participation.pk]),
            {"initiative": published.pk, "organisation": outsider.pk, "role": "funder"},
        ),
        (reverse("admin:initiatives_participation_delete", args=[participation.pk]), {"post": "yes"}),
        (
            reverse("admin:initiatives_sourcerecord_add"),
            {"initiative": published.pk, "source": SourceFactory().pk, "url": "https://unreviewed.example/"},
        ),
    ]
    for address, data in attempts:
        assert client.post(address, data).status_code == 403, address
    assert [(p.organisation_id, p.role) for p in published.participations.all()] == [
        (participation.organisation_id, participation.role)
    ]
    assert not published.source_records.exists()
    page = Client().get(published.get_absolute_url()).content.decode()
    assert "Unreviewed organisation" not in page and "unreviewed.example" not in page
    assert Client().get("/organisations/unreviewed/").status_code == 404
    # The list is still there to read and search.
    assert client.get(reverse("admin:initiatives_participation_changelist")).status_code == 200


def rename(client, organisation, name: str) -> int:
    """Post the organisation's change form with a new name, as a browser would; the status."""
    address = reverse("admin:initiatives_organisation_change", args=[organisation.pk])
    data = admin_form_data(client.get(address))
    data["name"] = name
    return client.post(address, data).status_code


def test_a_curator_cannot_change_what_a_public_organisation_says(curator_role_client, published):
    organisation = published.participations.get().organisation
    assert rename(curator_role_client, organisation, "Unreviewed name") == 403
    organisation.refresh_from_db()
    assert organisation.name == "Real implementer"
    assert "Unreviewed name" not in Client().get(organisation.get_absolute_url()).content.decode()


def test_a_curator_edits_an_organisation_that_only_drafts_name(curator_role_client):
    organisation = OrganisationFactory(name="Draft partner")
    ParticipationFactory(initiative=InitiativeFactory(publication_state=State.DRAFT), organisation=organisation)
    assert rename(curator_role_client, organisation, "Draft partner, renamed") == 302
    organisation.refresh_from_db()
    assert organisation.name == "Draft partner, renamed"


def test_an_editor_changes_a_public_organisation(editor_role_client, published):
    organisation = published.participations.get().organisation
    assert rename(editor_role_client, organisation, "Reviewed name") == 302
    assert "Reviewed name" in Client().get(organisation.get_absolute_url()).content.decode()


def test_publishing_names_everything_missing_at_once(editor_role_client):
    bare = InitiativeFactory(title="Only a title", summary="", publication_state=State.REVIEW)
    response = post_change(editor_role_client, bare, publication_state=State.PUBLISHED)
    assert response.status_code == 200
    assert (
        "To publish it, add: a summary, a beneficiary country or region, a topic, an implementer, funder or partner."
        in response.content.decode()
    )
    assert state_of(bare) == State.REVIEW


def test_a_participant_added_in_the_same_save_is_enough_to_publish(editor_role_client):
    lonely = InitiativeFactory(
        publication_state=State.REVIEW, countries=[Country.objects.get(iso2="GH")], topics=["cybercrime"]
    )
    response = post_change(
        editor_role_client,
        lonely,
        publication_state=State.PUBLISHED,
        **{
            "participations-TOTAL_FORMS": "1",
            "participations-0-organisation": str(OrganisationFactory().pk),
            "participations-0-role": "implementer",
        },
    )
    assert response.status_code == 302
    assert state_of(lonely) == State.PUBLISHED
    assert lonely.participations.count() == 1
