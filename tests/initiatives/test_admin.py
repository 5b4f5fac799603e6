import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from initiatives.models import Initiative, Organisation, Participation, Source, SourceRecord
from taxonomy.models import Country, Region, Term, TermAlias, Vocabulary
from tests.factories import (
    InitiativeFactory,
    OrganisationFactory,
    ParticipationFactory,
    SourceFactory,
    SourceRecordFactory,
)
from tests.helpers import region

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
    places = {"countries": list(Country.objects.filter(iso2__in=["NG", "GH"])), "regions": [region("ecowas")]}

    def queries_for(n):
        Initiative.objects.all().delete()
        for _ in range(n):
            initiative = InitiativeFactory(topics=["cybercrime", "awareness"], **places)
            ParticipationFactory(initiative=initiative)
            ParticipationFactory(initiative=initiative, role=Participation.Role.FUNDER)
        with CaptureQueriesContext(connection) as ctx:
            response = curator_client.get(admin_url(Initiative, "changelist"))
        rows = response.context["cl"].result_list
        assert len(rows) == n
        assert "ECOWAS, GH, NG" in response.content.decode()  # every row's places, from the prefetches
        return len(ctx)

    assert queries_for(5) == queries_for(50)


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


# --- a compact changelist, a search and filters that answer curators' questions


def changelist(client, **query) -> list[str]:
    response = client.get(admin_url(Initiative, "changelist"), query)
    assert response.status_code == 200
    return [initiative.slug for initiative in response.context["cl"].result_list]


@pytest.fixture
def west_africa():
    """One initiative naming Nigeria, one reaching it through ECOWAS, one elsewhere whose title has "ng" in it."""
    named = InitiativeFactory(slug="named", title="Cyber law reform", countries=[Country.objects.get(iso2="NG")])
    regional = InitiativeFactory(slug="regional", title="Regional CERT support", regions=[region("ecowas")])
    InitiativeFactory(slug="elsewhere", title="Police training", countries=[Country.objects.get(iso2="KE")])
    return named, regional


@pytest.mark.parametrize("query", ["Nigeria", "Nigéria", "nigeria", "NIGERIA", "NG", "ng", "NGA"])
def test_changelist_search_finds_a_country_by_any_name_or_code_and_what_reaches_it(curator_client, west_africa, query):
    assert sorted(changelist(curator_client, q=query)) == ["named", "regional"]


def test_changelist_search_by_code_is_not_a_substring_search(curator_client, west_africa):
    assert "elsewhere" not in changelist(curator_client, q="NG")  # "traiNinG"
    assert changelist(curator_client, q="training") == ["elsewhere"]


def test_changelist_search_combines_a_place_with_other_words(curator_client, west_africa):
    assert changelist(curator_client, q="Nigeria CERT") == ["regional"]
    assert changelist(curator_client, q="NG law") == ["named"]
    assert changelist(curator_client, q="Afrique de l'Ouest") == ["named", "regional"]


@pytest.mark.parametrize("role", ["implementer", "funder", "partner"])
@pytest.mark.parametrize("query", ["UNODC", "unodc", "Office on Drugs", "Oficina de las Naciones Unidas"])
def test_changelist_search_finds_an_organisation_by_name_or_acronym_in_any_role(curator_client, role, query):
    unodc = OrganisationFactory(
        name="United Nations Office on Drugs and Crime",
        name_es="Oficina de las Naciones Unidas contra la Droga y el Delito",
        acronym="UNODC",
    )
    ParticipationFactory(initiative=InitiativeFactory(slug="with-unodc"), organisation=unodc, role=role)
    InitiativeFactory(slug="without")
    assert changelist(curator_client, q=query) == ["with-unodc"]


def test_changelist_search_finds_titles_summaries_slugs_and_title_fragments(curator_client):
    InitiativeFactory(slug="glacy-plus", title="GLACY+ Global Action on Cybercrime Extended", summary="Budapest.")
    InitiativeFactory(slug="other", title="Something else")
    for query in ["global action", "Budapest", "glacy-plus", "Cybercri"]:
        assert changelist(curator_client, q=query) == ["glacy-plus"], query
    assert changelist(curator_client, q="!!") == []


def test_changelist_search_for_a_slug_lists_that_initiative_alone(curator_client):
    InitiativeFactory(slug="ecowas-cyber-programme", title="ECOWAS cyber programme", regions=[region("ecowas")])
    InitiativeFactory(slug="other", title="Another cyber programme", regions=[region("ecowas")])
    assert changelist(curator_client, q="ecowas-cyber-programme") == ["ecowas-cyber-programme"]
    assert changelist(curator_client, q="ECOWAS cyber programme") == ["other", "ecowas-cyber-programme"]


def test_changelist_filters_by_funder_implementer_country_and_mapping(curator_client, west_africa):
    named, regional = west_africa
    funder, implementer = OrganisationFactory(slug="funds"), OrganisationFactory(slug="implements")
    ParticipationFactory(initiative=named, organisation=funder, role="funder")
    ParticipationFactory(initiative=regional, organisation=implementer, role="implementer")
    SourceRecordFactory(initiative=regional, source=SourceFactory(slug="other-map"))
    assert changelist(curator_client, funder="funds") == ["named"]
    assert changelist(curator_client, implementer="implements") == ["regional"]
    assert changelist(curator_client, implementer="funds") == []  # it funds, implements nothing
    assert changelist(curator_client, country="NG") == ["named", "regional"]  # the footprint, as on the site
    assert changelist(curator_client, country="KE") == ["elsewhere"]
    assert changelist(curator_client, source="other-map") == ["regional"]


def test_changelist_filters_offer_only_values_in_use(curator_client, west_africa):
    named, _regional = west_africa
    ParticipationFactory(initiative=named, organisation=OrganisationFactory(name="Funds", slug="funds"), role="funder")
    OrganisationFactory(name="Idle", slug="idle")
    SourceFactory(name="Empty mapping", slug="empty")
    response = curator_client.get(admin_url(Initiative, "changelist"))
    options = {
        spec.parameter_name: [value for value, _label in spec.lookup_choices]
        for spec in response.context["cl"].filter_specs
        if hasattr(spec, "lookup_choices") and hasattr(spec, "parameter_name")
    }
    assert options["funder"] == ["funds"]
    assert options["country"] == ["KE", "NG"]  # the countries initiatives name, by name
    assert "implementer" not in options and "source" not in options  # nothing to offer: not shown


def test_changelist_orders_titles_without_regard_to_case(curator_client):
    for title in ["beta", "Alpha", "charlie", "Delta"]:
        InitiativeFactory(title=title, slug=title.lower())
    assert changelist(curator_client) == ["alpha", "beta", "charlie", "delta"]
    assert changelist(curator_client, o="1") == ["alpha", "beta", "charlie", "delta"]  # the title column
    assert changelist(curator_client, o="-1") == ["delta", "charlie", "beta", "alpha"]


def test_changelist_shows_places_abbreviated_with_their_names_in_the_tooltip(curator_client):
    countries = Country.objects.filter(iso2__in=["GH", "NG", "SN", "CI", "BJ"])
    InitiativeFactory(title="A " * 140, countries=countries, regions=[region("ecowas")])
    page = curator_client.get(admin_url(Initiative, "changelist")).content.decode()
    assert "ECOWAS, BJ, CI +3" in page
    assert 'title="Economic Community of West African States (ECOWAS); Benin; ' in page
    assert '<span class="clamp" title="A A A' in page  # the whole title on hover, cut to two lines by CSS


def test_organisation_changelist_orders_names_without_regard_to_case(curator_client):
    for name in ["eGovernance Academy", "Access Now", "Zeta"]:
        OrganisationFactory(name=name)
    response = curator_client.get(admin_url(Organisation, "changelist"))
    assert [o.name for o in response.context["cl"].result_list] == ["Access Now", "eGovernance Academy", "Zeta"]


def test_change_form_has_a_three_line_summary(curator_client):
    initiative = InitiativeFactory()
    page = curator_client.get(admin_url(Initiative, "change", initiative.pk)).content.decode()
    assert '<textarea name="summary" cols="40" rows="3"' in page
    assert "css/admin.css" in page
