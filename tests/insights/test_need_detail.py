"""A need's page /needs/<slug>/: the initiatives that answer it and the organisations that could help."""

import html
import re

import pytest

from insights.needs import matching_initiatives, need_providers
from tests.factories import InitiativeFactory, NeedFactory, OrganisationFactory, ParticipationFactory
from tests.helpers import UNPUBLISHED, count_queries, listed, region

pytestmark = pytest.mark.django_db


def get_need(client, slug: str):
    response = client.get(f"/needs/{slug}/")
    assert response.status_code == 200, response.content.decode()[:2000]
    return response


def take_part(initiative, organisation, role="implementer"):
    return ParticipationFactory(initiative=initiative, organisation=organisation, role=role)


# --- visibility


def test_unknown_and_unpublished_needs_answer_404(client):
    assert client.get("/needs/nothing-here/").status_code == 404
    for state in UNPUBLISHED:
        NeedFactory(slug=f"need-{state}", publication_state=state)
        assert client.get(f"/needs/need-{state}/").status_code == 404


def test_it_shows_the_need_its_statement_and_place(client):
    NeedFactory(
        slug="shown",
        title="National CSIRT",
        description="A team for the whole country.",
        stated_in="National Strategy 2021",
        stated_url="https://example.org/strategy",
        topics=["cert-development"],
        audiences=["certs"],
        illustrative=True,
    )
    body = get_need(client, "shown").content.decode()
    for text in [
        "<h1>National CSIRT</h1>",
        "A team for the whole country.",
        '<a href="https://example.org/strategy" rel="nofollow">National Strategy 2021</a>',
        '<a href="/countries/NG/">Nigeria</a>',
        '<a href="/topics/cert-development/">',
        '<a href="/audiences/certs/">',
        "Illustrative:",
    ]:
        assert text in body, text


# --- the initiatives that answer it


def test_matching_follows_the_footprint_the_topic_tree_and_the_status(client):
    NeedFactory(slug="nigeria-cybercrime", topics=["cybercrime"])
    InitiativeFactory(slug="named", countries=["NG"], topics=["cybercrime"])
    InitiativeFactory(slug="region-wide", regions=[region("ecowas")], topics=["cybercrime"])
    InitiativeFactory(slug="continent-wide", regions=[region("africa")], topics=["digital-forensics"])  # a child
    InitiativeFactory(slug="completed", countries=["NG"], topics=["cybercrime"], status="completed")
    InitiativeFactory(slug="planned", countries=["NG"], topics=["cybercrime"], status="planned")
    InitiativeFactory(slug="elsewhere", countries=["KE"], topics=["cybercrime"])
    InitiativeFactory(slug="other-topic", countries=["NG"], topics=["standards"])
    for state in UNPUBLISHED:
        InitiativeFactory(slug=f"hidden-{state}", countries=["NG"], topics=["cybercrime"], publication_state=state)

    shown = sorted(listed(get_need(client, "nigeria-cybercrime")))
    assert shown == ["continent-wide", "named", "region-wide"]


def test_a_region_need_is_answered_by_initiatives_meeting_the_region(client):
    need = NeedFactory(slug="ecowas-certs", region=region("ecowas"), topics=["cert-development"])
    InitiativeFactory(slug="in-ghana", countries=["GH"], topics=["cert-development"])
    InitiativeFactory(slug="in-cameroon", countries=["CM"], topics=["cert-development"])
    assert listed(get_need(client, "ecowas-certs")) == ["in-ghana"]
    assert list(matching_initiatives(need).values_list("slug", flat=True)) == ["in-ghana"]


def test_each_match_says_how_it_reaches_the_place(client):
    NeedFactory(slug="nigeria", topics=["cybercrime"])
    InitiativeFactory(slug="named", title="A named", countries=["NG"], topics=["cybercrime"])
    InitiativeFactory(slug="ecowas-wide", title="B ecowas", regions=[region("ecowas")], topics=["cybercrime"])
    body = get_need(client, "nigeria").content.decode()
    assert "In this country" in body
    assert "Region-wide (Economic Community of West African States (ECOWAS))" in html.unescape(body)


def test_a_need_nothing_answers_is_called_a_gap(client):
    NeedFactory(slug="gap", topics=["ciip"])
    InitiativeFactory(slug="draft", countries=["NG"], topics=["ciip"], publication_state="draft")
    body = get_need(client, "gap").content.decode()
    assert listed(get_need(client, "gap")) == []
    assert "this need is a gap" in body


def test_the_matching_count_links_to_a_list_of_the_same_size(client):
    NeedFactory(slug="nigeria", topics=["cybercrime"])
    for n in range(3):
        InitiativeFactory(slug=f"match-{n}", countries=["NG"], topics=["cybercrime"])
    matching = get_need(client, "nigeria").context["matching"]
    assert matching.total == 3
    assert client.get(matching.list_url).context["browse"].total == 3


# --- organisations that could help


@pytest.fixture
def providers_world():
    """Nigeria needs help on cybercrime; who works on it there, in Africa, elsewhere, and in drafts."""
    need = NeedFactory(slug="nigeria-cybercrime", topics=["cybercrime"])
    coe = OrganisationFactory(slug="coe", name="Council of Europe")
    eu = OrganisationFactory(slug="eu", name="European Union")
    unodc = OrganisationFactory(slug="unodc", name="UNODC")
    far = OrganisationFactory(slug="far-away", name="Far Away")
    off_topic = OrganisationFactory(slug="off-topic", name="Off Topic")
    drafter = OrganisationFactory(slug="drafter", name="Only Drafts")
    partner = OrganisationFactory(slug="partner", name="Just a Partner")

    done = InitiativeFactory(slug="done", countries=["NG"], topics=["cybercrime-legislation"], status="completed")
    take_part(done, coe)
    take_part(done, eu, "funder")
    ongoing = InitiativeFactory(slug="ongoing", regions=[region("ecowas")], topics=["cybercrime"])
    take_part(ongoing, coe)
    take_part(ongoing, partner, "partner")
    kenya = InitiativeFactory(slug="kenya", countries=["KE"], topics=["digital-forensics"])
    take_part(kenya, unodc)
    take_part(kenya, eu, "funder")
    france = InitiativeFactory(slug="france", countries=["FR"], topics=["cybercrime"])
    take_part(france, far)
    standards = InitiativeFactory(slug="standards", countries=["NG"], topics=["standards"])
    take_part(standards, off_topic)
    for state in UNPUBLISHED:
        draft = InitiativeFactory(
            slug=f"draft-{state}", countries=["NG"], topics=["cybercrime"], publication_state=state
        )
        take_part(draft, drafter)
        take_part(draft, far, "funder")
    return need


def test_providers_are_ranked_by_initiatives_in_the_place_then_near_it(providers_world):
    providers = need_providers(providers_world)
    assert [c.slug for c in providers.continents] == ["africa"]
    rows = [(p.slug, p.role, p.here, p.near) for p in providers.rows]
    assert rows == [
        ("coe", "implementer", 2, 2),
        ("eu", "funder", 1, 2),
        ("unodc", "implementer", 0, 1),
    ]


def test_drafts_partners_other_topics_and_far_places_never_name_a_provider(client, providers_world):
    body = get_need(client, "nigeria-cybercrime").content.decode()
    section = body[body.index('id="providers-heading"') :]
    assert 'href="/organisations/coe/"' in section
    for absent in ["drafter", "far-away", "off-topic", "partner"]:
        assert f"/organisations/{absent}/" not in section, absent


def test_each_provider_count_is_the_total_of_the_list_it_links_to(client, providers_world):
    body = get_need(client, "nigeria-cybercrime").content.decode()
    section = body[body.index('id="providers-heading"') :]
    links = re.findall(r'<td><a href="(/initiatives/\?[^"]+)">(\d+)</a></td>', section)
    assert len(links) == 6  # two counts for each of three providers
    for url, count in links:
        assert client.get(html.unescape(url)).context["browse"].total == int(count), url


def test_a_grouping_need_looks_near_on_every_continent_of_its_members(providers_world):
    need = NeedFactory(slug="commonwealth", region=region("commonwealth"), topics=["cybercrime"])
    continents = {c.slug for c in need_providers(need).continents}
    assert {"africa", "europe", "americas", "asia", "oceania"} <= continents


def test_a_need_without_topics_looks_at_every_topic(providers_world):
    need = NeedFactory(slug="anything")
    assert "off-topic" in {p.slug for p in need_providers(need).rows}


# --- queries


def test_query_count_does_not_grow_with_matches_or_providers(client):
    NeedFactory(slug="few", country_id="KE", topics=["cybercrime"])
    NeedFactory(slug="many", country_id="GH", topics=["cybercrime"])
    first = InitiativeFactory(countries=["KE"], regions=[region("eastern-africa")], topics=["cybercrime"])
    take_part(first, OrganisationFactory())
    for _n in range(25):
        initiative = InitiativeFactory(countries=["GH"], regions=[region("ecowas")], topics=["digital-forensics"])
        take_part(initiative, OrganisationFactory())
        take_part(initiative, OrganisationFactory(), "funder")
    client.get("/needs/few/")
    many = count_queries(client, "/needs/many/")
    assert len(get_need(client, "many").context["providers"].rows) == 15  # really more, and capped
    assert many == count_queries(client, "/needs/few/")
