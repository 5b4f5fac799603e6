"""Similar initiatives on the detail page: same topic, overlapping footprint, ranked, each saying why."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from initiatives import selectors
from initiatives.models import Initiative, Participation
from initiatives.selectors import similar_initiatives
from tests.factories import InitiativeFactory, OrganisationFactory, ParticipationFactory
from tests.helpers import UNPUBLISHED, listed, region

pytestmark = pytest.mark.django_db

WORLD = ["africa", "americas", "asia", "europe"]  # four continents make a programme global


def similar(slug: str, **kwargs) -> list[selectors.Similar]:
    return similar_initiatives(Initiative.objects.with_related().get(slug=slug), **kwargs)


def slugs(found: list[selectors.Similar]) -> list[str]:
    return [s.initiative.slug for s in found]


def make(slug: str, *, countries=(), regions=(), topics=("cybercrime-legislation",), **kwargs) -> Initiative:
    return InitiativeFactory(
        slug=slug,
        title=slug.replace("-", " ").capitalize(),
        countries=list(countries),
        regions=[region(r) for r in regions],
        topics=list(topics),
        **kwargs,
    )


@pytest.fixture
def nigeria_law():
    """A Nigerian cybercrime-law programme and candidates around it, from closest to never."""
    make("main", countries=["NG"])
    make("same-country", countries=["NG"])
    make("same-region", regions=["ecowas"])
    make("same-country-broader-topic", countries=["NG"], topics=["digital-forensics"])  # shares only "cybercrime"
    make("same-continent", regions=["africa"])
    make("global", regions=WORLD)
    make("other-topic", countries=["NG"], topics=["standards"])
    make("other-place", countries=["FR"])
    for state in UNPUBLISHED:
        make(f"hidden-{state}", countries=["NG"], publication_state=state)


def test_same_country_ranks_above_region_continent_and_global_and_a_shared_sub_topic_counts(nigeria_law):
    assert slugs(similar("main")) == [
        "same-country",  # same country, same topic
        "same-region",  # ECOWAS-wide, same topic
        "same-country-broader-topic",  # same country, only the parent topic in common
        "same-continent",  # Africa-wide
        "global",
    ]


def test_a_different_topic_another_place_a_draft_or_itself_never_appears(nigeria_law):
    found = slugs(similar("main", limit=50))
    assert len(found) == 5
    for slug in ["main", "other-topic", "other-place", *(f"hidden-{state}" for state in UNPUBLISHED)]:
        assert slug not in found


def test_each_says_why(nigeria_law):
    reasons = {s.initiative.slug: s.reasons for s in similar("main")}
    assert reasons["same-country"] == ["Same topic: Cybercrime legislation", "Also in Nigeria"]
    assert reasons["same-region"] == [
        "Same topic: Cybercrime legislation",
        "Same region: Economic Community of West African States (ECOWAS)",
    ]
    assert reasons["same-country-broader-topic"] == ["Same topic: Cybercrime", "Also in Nigeria"]
    assert reasons["same-continent"] == ["Same topic: Cybercrime legislation", "Same continent: Africa"]
    assert reasons["global"] == ["Same topic: Cybercrime legislation", "Global in scope"]


def test_a_wider_programme_finds_specific_ones_in_its_footprint_and_names_the_region():
    make("ecowas-wide", regions=["ecowas"])
    make("in-ghana", countries=["GH"])
    make("in-france", countries=["FR"])
    [found] = similar("ecowas-wide")
    assert found.initiative.slug == "in-ghana"
    assert found.reasons[1] == "Same region: Economic Community of West African States (ECOWAS)"


def test_shared_target_users_and_organisations_rank_higher_and_are_named():
    main = make("main", countries=["NG"], audiences=["law-enforcement"])
    make("plain", countries=["NG"])
    make("same-users", countries=["NG"], audiences=["law-enforcement"])
    same_org = make("same-org", countries=["NG"])
    partner_only = make("partner-only", countries=["NG"])
    agency = OrganisationFactory(name="Agency")
    ParticipationFactory(initiative=main, organisation=agency, role=Participation.Role.IMPLEMENTER)
    ParticipationFactory(initiative=same_org, organisation=agency, role=Participation.Role.FUNDER)
    ParticipationFactory(initiative=partner_only, organisation=agency, role=Participation.Role.PARTNER)
    found = similar("main")
    assert slugs(found) == ["same-org", "same-users", "partner-only", "plain"]  # a partner is not shared work
    reasons = {s.initiative.slug: s.reasons for s in found}
    assert "Same implementer or funder: Agency" in reasons["same-org"]
    assert "Same target users: Law enforcement" in reasons["same-users"]
    assert not any("Agency" in reason for reason in reasons["partner-only"])


def test_overlapping_dates_count_then_the_most_recent_start_comes_first():
    make("main", countries=["NG"], start_date=datetime.date(2020, 1, 1))
    make("ended-before", countries=["NG"], start_date=datetime.date(2015, 1, 1), end_date=datetime.date(2016, 1, 1))
    make("old-but-running", countries=["NG"], start_date=datetime.date(2010, 1, 1))
    make("newer-running", countries=["NG"], start_date=datetime.date(2019, 1, 1))
    make("undated", countries=["NG"], start_date=None)
    assert slugs(similar("main")) == ["newer-running", "old-but-running", "ended-before", "undated"]


def test_footprints_must_share_a_country_not_only_a_continent_and_the_closest_country_decides():
    make("main", countries=["NG"], regions=["europe"])  # Nigeria, and Europe-wide
    make("in-france", countries=["FR"])  # shares France, reached continent-wide by main
    make("ecowas-wide", regions=["ecowas"])  # shares Nigeria, region-wide
    make("in-kenya", countries=["KE"])  # in Africa too, but no country in common
    reasons = {s.initiative.slug: s.reasons[1] for s in similar("main")}
    assert reasons == {
        "ecowas-wide": "Same region: Economic Community of West African States (ECOWAS)",
        "in-france": "Same continent: Europe",
    }
    assert slugs(similar("main")) == ["ecowas-wide", "in-france"]


def test_a_global_programme_finds_those_it_meets_those_sharing_most_topics_first(monkeypatch):
    make("worldwide", regions=WORLD, topics=["cybercrime-legislation", "awareness"])
    make("in-nigeria", countries=["NG"], topics=["cybercrime-legislation"])
    make("both-topics", countries=["BR"], topics=["cybercrime-legislation", "awareness"])
    make("in-oceania-only", regions=["oceania"])  # not one of its continents
    make("other-topic", countries=["NG"], topics=["standards"])
    found = similar("worldwide")
    assert slugs(found) == ["both-topics", "in-nigeria"]
    assert {s.reasons[1] for s in found} == {"Global in scope"}
    monkeypatch.setattr(selectors, "SIMILAR_CANDIDATES", 1)  # looked up in chunks of one
    assert slugs(similar("worldwide")) == ["both-topics"]


def test_nothing_without_a_topic_or_a_footprint():
    make("no-topic", countries=["NG"], topics=())
    make("no-place")
    make("neighbour", countries=["NG"])
    assert similar("no-topic") == []
    assert similar("no-place") == []


def test_at_most_the_limit():
    make("main", countries=["NG"])
    for n in range(8):
        make(f"other-{n}", countries=["NG"])
    assert len(similar("main")) == 5
    assert len(similar("main", limit=3)) == 3


def test_the_candidate_cap_keeps_the_closest(monkeypatch):
    make("main", countries=["NG"])
    for n in range(4):  # made first: the lowest ids, and the most countries shared with nothing closer
        make(f"global-{n}", regions=WORLD)
    make("in-nigeria", countries=["NG"])
    monkeypatch.setattr(selectors, "SIMILAR_CANDIDATES", 2)
    found = slugs(similar("main"))
    assert found[0] == "in-nigeria"
    assert len(found) == 2


def test_query_count_does_not_grow_with_candidates_or_their_rows():
    def queries(slug: str) -> tuple[int, int]:
        initiative = Initiative.objects.with_related().get(slug=slug)
        with CaptureQueriesContext(connection) as captured:
            found = similar_initiatives(initiative)
        return len(captured), len(found)

    organisation = OrganisationFactory()
    few = make("few", countries=["KE"], regions=["eastern-africa"], topics=["awareness"], audiences=["youth"])
    ParticipationFactory(initiative=few, organisation=organisation)
    ParticipationFactory(
        initiative=make("few-other", countries=["KE"], topics=["awareness"]), organisation=organisation
    )
    few_queries, few_found = queries("few")

    many = make("many", countries=["NG", "GH", "SN"], regions=["ecowas", "europe"], topics=["cybercrime", "awareness"])
    ParticipationFactory(initiative=many, organisation=organisation)
    for n in range(40):
        other = make(
            f"many-{n}",
            countries=["NG", "GH", "FR", "DE"][: 1 + n % 4],
            regions=[["ecowas"], ["africa"], WORLD, []][n % 4],
            topics=["cybercrime-legislation", "awareness"],
            audiences=["youth"],
        )
        ParticipationFactory(initiative=other, organisation=organisation, role="funder")

    many_queries, many_found = queries("many")
    assert (few_found, many_found) == (1, 5)  # the second run really had more to rank
    assert many_queries == few_queries <= 10


# --- on the detail page


def test_detail_page_shows_similar_initiatives_with_why_and_never_a_draft(client, nigeria_law):
    response = client.get("/initiatives/main/")
    assert response.status_code == 200
    body = response.content.decode()
    section = body.split('<h2 id="similar-heading">Similar initiatives</h2>', 1)[1]
    assert listed(response)[-5:] == [
        "same-country",
        "same-region",
        "same-country-broader-topic",
        "same-continent",
        "global",
    ]
    assert "Same topic: Cybercrime legislation · Also in Nigeria" in section
    assert "hidden-" not in body and "Hidden " not in body


def test_detail_page_without_similar_initiatives_has_no_such_section(client):
    make("alone", countries=["NG"])
    make("hidden", countries=["NG"], publication_state="draft")
    make("elsewhere", countries=["FR"])
    body = client.get("/initiatives/alone/").content.decode()
    assert "Similar initiatives" not in body


def test_the_detail_page_caches_its_similar_initiatives_until_the_next_write(client):
    make("alone", countries=["NG"])
    client.get("/initiatives/alone/")  # computes and caches the (empty) list
    with CaptureQueriesContext(connection) as warm:
        body = client.get("/initiatives/alone/").content.decode()
    assert "Similar initiatives" not in body
    assert not any("initiatives_termmembership" in q["sql"] for q in warm.captured_queries)  # nothing recomputed
    make("newcomer", countries=["NG"])  # a write: a new revision, so the list is computed again
    response = client.get("/initiatives/alone/")
    assert listed(response)[-1:] == ["newcomer"]
