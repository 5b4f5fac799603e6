"""History: every change to curated records is recorded, readable as a diff in the admin, and revertible."""

import pytest
from django.urls import reverse

from initiatives.models import Initiative
from initiatives.services import load_demo
from taxonomy.models import Country, Region, Term
from tests.factories import InitiativeFactory, NeedFactory, OrganisationFactory, ParticipationFactory, SourceFactory
from tests.helpers import admin_form_data, import_text, member_of

pytestmark = pytest.mark.django_db


def url(obj, view: str, *extra) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_{view}", args=[obj.pk, *extra])


@pytest.fixture
def draft():
    initiative = InitiativeFactory(
        title="Before",
        summary="Old summary.",
        publication_state=Initiative.PublicationState.DRAFT,
        countries=[Country.objects.get(iso2="GH")],
        topics=["cybercrime"],
    )
    ParticipationFactory(initiative=initiative)
    return initiative


def edit(client, obj, **changes):
    data = admin_form_data(client.get(url(obj, "change")))
    data.update(changes)
    response = client.post(url(obj, "change"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    return response


def test_one_admin_save_is_one_history_entry_with_its_author_and_places_and_topics(client, draft):
    client.force_login(member_of("Curator", "alice"))
    before = draft.history.count()
    standards = Term.objects.topics().get(slug="standards")
    edit(client, draft, title="After", topics=[str(standards.pk)], countries=[str(Country.objects.get(iso2="NG").pk)])
    entries = list(draft.history.order_by("-history_id"))
    assert len(entries) == before + 1
    latest = entries[0]
    assert latest.history_user.username == "alice"
    assert latest.title == "After"
    assert [row.term_id for row in latest.topics.all()] == [standards.pk]
    assert [row.country_id for row in latest.countries.all()] == ["NG"]


def test_the_history_page_shows_a_readable_diff(client, draft):
    client.force_login(member_of("Curator", "alice"))
    edit(client, draft, title="After", topics=[str(Term.objects.topics().get(slug="standards").pk)])
    page = client.get(url(draft, "history")).content.decode()
    assert "Before" in page and "After" in page
    assert "alice" in page
    assert "Standards" in page and "Cybercrime" in page  # the topics, by name
    assert "version" not in page.lower().split("changes")[-1]  # bookkeeping is not shown as a change


def test_an_old_entry_can_be_reverted_to(client, draft):
    client.force_login(member_of("Curator", "alice"))
    original = draft.history.order_by("history_id").last()
    edit(client, draft, title="A mistake", summary="Wrong.")
    form_url = url(draft, "simple_history", original.history_id)
    data = admin_form_data(client.get(form_url))
    data["_change_history"] = "1"
    response = client.post(form_url, data)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.title, draft.summary) == ("Before", "Old summary.")
    assert draft.history.first().history_user.username == "alice"


def test_a_curator_cannot_revert_a_published_entry(client):
    published = InitiativeFactory(title="Live", countries=[Country.objects.get(iso2="GH")], topics=["cybercrime"])
    first = published.history.order_by("history_id").first()
    client.force_login(member_of("Curator", "alice"))
    form_url = url(published, "simple_history", first.history_id)
    data = admin_form_data(client.get(form_url))
    data.update(title="Reverted by a curator", _change_history="1")
    assert client.post(form_url, data).status_code == 403
    published.refresh_from_db()
    assert published.title == "Live"


@pytest.mark.parametrize("make", ["organisation", "need", "term", "region"])
def test_organisations_needs_terms_and_regions_keep_their_history(client, make):
    obj = {
        "organisation": lambda: OrganisationFactory(name="Expertise France"),
        "need": lambda: NeedFactory(topics=["cybercrime"]),
        "term": lambda: Term.objects.topics().get(slug="cybercrime"),
        "region": lambda: Region.objects.get(slug="ecowas"),
    }[make]()
    client.force_login(member_of("Editor", "edith"))
    before = obj.history.count()
    edit(client, obj, description="Changed by the editor.")
    assert obj.history.count() == before + 1
    latest = obj.history.first()
    assert (latest.history_user.username, latest.description) == ("edith", "Changed by the editor.")
    page = client.get(url(obj, "history")).content.decode()
    assert "Changed by the editor." in page


def test_a_revert_restores_places_and_topics(client, draft):
    client.force_login(member_of("Editor", "edith"))
    original = draft.history.order_by("history_id").last()
    nigeria = Country.objects.get(iso2="NG")
    standards = Term.objects.topics().get(slug="standards")
    edit(client, draft, countries=[nigeria.pk], topics=[str(standards.pk)], summary="Moved.")
    form_url = url(draft, "simple_history", original.history_id)
    page = client.get(form_url)
    assert page.context["adminform"].form.initial["countries"] == ["GH"]  # the old entry's, not today's
    data = admin_form_data(page)
    data["_change_history"] = "1"
    assert client.post(form_url, data).status_code == 302
    draft.refresh_from_db()
    assert draft.summary == "Old summary."
    assert [c.iso2 for c in draft.countries.all()] == ["GH"]
    assert [t.slug for t in draft.topics.all()] == ["cybercrime"]
    # The public list reads the membership tables: they follow the revert.
    assert set(draft.footprint.values_list("country_id", flat=True)) == {"GH"}


def test_a_revert_cannot_publish_without_participants(client):
    published = InitiativeFactory(title="Live", countries=[Country.objects.get(iso2="GH")], topics=["cybercrime"])
    ParticipationFactory(initiative=published)
    first = published.history.order_by("history_id").last()
    client.force_login(member_of("Editor", "edith"))
    edit(
        client,
        published,
        publication_state=Initiative.PublicationState.REVIEW,
        **{"participations-0-DELETE": "on"},
    )
    assert not published.participations.exists()
    form_url = url(published, "simple_history", first.history_id)
    data = admin_form_data(client.get(form_url))
    data["_change_history"] = "1"
    response = client.post(form_url, data)
    assert response.status_code == 200
    assert "To publish it, add: an implementer, funder or partner." in response.content.decode()
    published.refresh_from_db()
    assert published.publication_state == Initiative.PublicationState.REVIEW


def test_a_curators_revert_of_a_once_public_entry_keeps_its_state(client):
    entry = InitiativeFactory(title="Live", countries=[Country.objects.get(iso2="GH")], topics=["cybercrime"])
    ParticipationFactory(initiative=entry)
    first = entry.history.order_by("history_id").last()
    client.force_login(member_of("Editor", "edith"))
    edit(client, entry, publication_state=Initiative.PublicationState.REVIEW, title="Taken back")
    client.force_login(member_of("Curator", "alice"))
    page = client.get(url(entry, "simple_history", first.history_id))
    assert page.context["adminform"].form.initial["publication_state"] == Initiative.PublicationState.REVIEW


@pytest.mark.parametrize(
    "address",
    [
        "/admin/initiatives/initiative/abc/history/",
        "/admin/initiatives/initiative/{pk}/history/abc/",
        "/admin/initiatives/initiative/abc/history/1/",
        "/admin/initiatives/initiative/999999999/history/1/",
        "/admin/initiatives/participation/abc/history/",
        "/admin/taxonomy/region/abc/history/1/",
    ],
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_history_addresses_with_bad_ids_are_not_found(client, draft, address, method):
    client.force_login(member_of("Editor", "edith"))
    response = getattr(client, method)(address.format(pk=draft.pk))
    assert response.status_code == 404


def recorded_places_and_terms(entry) -> tuple[set, set, set]:
    return (
        {row.country_id for row in entry.countries.all()},
        {row.region_id for row in entry.regions.all()},
        {row.term_id for row in entry.topics.all()} | {row.term_id for row in entry.audiences.all()},
    )


def current_places_and_terms(initiative) -> tuple[set, set, set]:
    return (
        set(initiative.countries.values_list("pk", flat=True)),
        set(initiative.regions.values_list("pk", flat=True)),
        set(initiative.topics.values_list("pk", flat=True)) | set(initiative.audiences.values_list("pk", flat=True)),
    )


def test_an_import_records_one_entry_per_initiative_with_its_places_and_terms(tmp_path):
    SourceFactory(slug="other-map")
    import_text(
        tmp_path,
        "Project name,Beneficiary countries,Region,Implementing agency,Themes\n"
        '"Cyber resilience for Ghana","Ghana; Ivory Coast",ECOWAS,Expertise France,"CERTs; Law enforcement"\n',
    )
    initiative = Initiative.objects.get(title="Cyber resilience for Ghana")
    (entry,) = initiative.history.all()
    assert entry.history_change_reason.startswith("Import of")
    assert recorded_places_and_terms(entry) == current_places_and_terms(initiative)
    assert recorded_places_and_terms(entry)[0] == {"GH", "CI"}  # not empty: a revert to it keeps them


def test_the_demo_data_records_one_entry_per_initiative_with_its_places_and_terms():
    load_demo()
    initiatives = Initiative.objects.prefetch_related("countries", "regions", "topics", "audiences")
    assert initiatives.count() > 50
    for initiative in initiatives:
        (entry,) = initiative.history.all()
        assert entry.history_change_reason == "Demo data"
        assert recorded_places_and_terms(entry) == current_places_and_terms(initiative), initiative.slug
