import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from initiatives.models import Initiative, Organisation, Participation, Source, SourceRecord
from taxonomy.models import Country, Region, Term, TermAlias, Vocabulary
from tests.factories import InitiativeFactory, ParticipationFactory, SourceRecordFactory

pytestmark = pytest.mark.django_db

MODELS = [Initiative, Organisation, Participation, Source, SourceRecord, Region, Country, Vocabulary, Term, TermAlias]


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def some_data():
    initiative = InitiativeFactory(
        countries=[Country.objects.get(iso2="GH")], topics=["cybercrime"], audiences=["judiciary"]
    )
    ParticipationFactory(initiative=initiative)
    SourceRecordFactory(initiative=initiative)
    TermAlias.objects.create(term=Term.objects.topics().get(slug="standards"), name="ISO 27001", scheme="Test")
    return initiative


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_changelist_and_add_pages_open_for_a_curator(curator_client, some_data, model):
    assert curator_client.get(admin_url(model, "changelist")).status_code == 200
    # Participants and provenance are added in their initiative's form, not on their own.
    added_alone = model not in (Participation, SourceRecord)
    assert curator_client.get(admin_url(model, "add")).status_code == (200 if added_alone else 403)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_change_page_opens_for_a_curator(curator_client, some_data, model):
    obj = model.objects.first()
    assert curator_client.get(admin_url(model, "change", obj.pk)).status_code == 200


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get(admin_url(Initiative, "changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_changelist_filters_by_region_topic_and_audience(curator_client, some_data):
    InitiativeFactory(title="Elsewhere", countries=[Country.objects.get(iso2="FR")], topics=["standards"])
    url = admin_url(Initiative, "changelist")
    for query in ["region=ecowas", "region=africa", "topic=cybercrime", "audience=judiciary"]:
        response = curator_client.get(f"{url}?{query}")
        assert list(response.context["cl"].result_list) == [some_data], query


def test_topic_filter_on_a_parent_includes_children(curator_client):
    child = InitiativeFactory(topics=["cert-development"])
    response = curator_client.get(admin_url(Initiative, "changelist") + "?topic=incident-management")
    assert list(response.context["cl"].result_list) == [child]


def test_changelist_query_count_does_not_depend_on_page_size(curator_client):
    def queries_for(n):
        Initiative.objects.all().delete()
        for _ in range(n):
            initiative = InitiativeFactory(topics=["cybercrime", "awareness"])
            ParticipationFactory(initiative=initiative)
            ParticipationFactory(initiative=initiative, role=Participation.Role.FUNDER)
        with CaptureQueriesContext(connection) as ctx:
            response = curator_client.get(admin_url(Initiative, "changelist"))
        assert len(response.context["cl"].result_list) == n
        return len(ctx)

    assert queries_for(3) == queries_for(60)


def complete_draft() -> Initiative:
    """A draft with what publishing needs (summary, place, topic, participant)."""
    draft = InitiativeFactory(
        publication_state="draft", countries=[Country.objects.get(iso2="GH")], topics=["cybercrime"]
    )
    ParticipationFactory(initiative=draft)
    return draft


def test_bulk_publish_and_archive(curator_client):
    drafts = [complete_draft() for _ in range(3)]
    url = admin_url(Initiative, "changelist")
    pks = [d.pk for d in drafts[:2]]
    response = curator_client.post(url, {"action": "publish", "_selected_action": pks}, follow=True)
    assert "2 entries published" in response.content.decode()
    assert set(Initiative.objects.published().values_list("pk", flat=True)) == set(pks)
    curator_client.post(url, {"action": "archive", "_selected_action": [pks[0]]})
    assert Initiative.objects.get(pk=pks[0]).publication_state == "archived"
    assert Initiative.objects.get(pk=drafts[2].pk).publication_state == "draft"


def test_term_autocomplete_offers_only_the_fields_vocabulary(curator_client):
    url = reverse("admin:autocomplete")
    response = curator_client.get(
        url, {"term": "", "app_label": "initiatives", "model_name": "initiative", "field_name": "audiences"}
    )
    assert response.status_code == 200
    slugs = {Term.objects.get(pk=r["id"]).vocabulary.slug for r in response.json()["results"]}
    assert slugs == {"audience"}


def test_curator_can_add_an_initiative_with_a_participation(curator_client):
    organisation = ParticipationFactory().organisation
    data = {
        "title": "Cyber4Dev",
        "slug": "cyber4dev",
        "summary": "Cyber security capacity building for development.",
        "description": "",
        "website": "",
        "status": "ongoing",
        "start_date": "2017-01-01",
        "start_precision": "day",
        "end_date": "",
        "end_precision": "day",
        "countries": ["KE", "GH"],
        "topics": [Term.objects.topics().get(slug="policy-strategy").pk],
        "keywords": "strategy, CERT",
        "budget": "",
        "currency": "",
        "publication_state": "published",
        "last_verified": "",
        "participations-TOTAL_FORMS": "1",
        "participations-INITIAL_FORMS": "0",
        "participations-0-organisation": organisation.pk,
        "participations-0-role": "implementer",
        "source_records-TOTAL_FORMS": "0",
        "source_records-INITIAL_FORMS": "0",
    }
    response = curator_client.post(admin_url(Initiative, "add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    created = Initiative.objects.get(slug="cyber4dev")
    assert set(created.countries.values_list("iso2", flat=True)) == {"KE", "GH"}
    assert created.implementers == [organisation]
    assert set(created.keywords.names()) == {"strategy", "CERT"}


def test_end_before_start_is_a_form_error_not_a_crash(curator_client):
    data = {
        "title": "Backwards",
        "slug": "backwards",
        "status": "ongoing",
        "start_date": "2022-01-01",
        "end_date": "2021-01-01",
        "publication_state": "draft",
        "participations-TOTAL_FORMS": "0",
        "participations-INITIAL_FORMS": "0",
        "source_records-TOTAL_FORMS": "0",
        "source_records-INITIAL_FORMS": "0",
    }
    response = curator_client.post(admin_url(Initiative, "add"), data)
    assert response.status_code == 200
    assert "The end date cannot be before the start date." in response.content.decode()
    assert not Initiative.objects.filter(slug="backwards").exists()


def test_bulk_publish_moves_updated_at_and_records_history(curator_client, curator):
    from django.contrib.admin.models import LogEntry

    draft = complete_draft()
    Initiative.objects.filter(pk=draft.pk).update(updated_at="2020-01-01T00:00:00Z")
    curator_client.post(admin_url(Initiative, "changelist"), {"action": "publish", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.publication_state == "published"
    assert draft.updated_at.year >= 2026
    entry = LogEntry.objects.get(object_id=str(draft.pk))
    assert entry.user == curator
    assert "Publication state" in entry.get_change_message()
