"""Result cards that answer "where" and "who" without opening the initiative: on the list and the pages
that show a slice of it (organisation, region, topic), from the selector's prefetches alone."""

import re

import pytest

from initiatives.models import Participation
from tests.factories import (
    InitiativeFactory,
    OrganisationFactory,
    ParticipationFactory,
    SourceFactory,
    SourceRecordFactory,
)
from tests.helpers import count_queries, listed, region

pytestmark = pytest.mark.django_db

IMPLEMENTER, FUNDER, PARTNER = Participation.Role.IMPLEMENTER, Participation.Role.FUNDER, Participation.Role.PARTNER


def card(body: str, slug: str) -> str:
    """The HTML of one initiative's card."""
    start = body.index(f'<li class="card">\n<h3><a href="/initiatives/{slug}/">')
    return body[start : body.index("</li>", start)]


def row(html: str, label: str) -> str:
    """The text of one labelled line of a card ("Where", "Implemented by"...), tags stripped."""
    match = re.search(rf"<dt>{label}</dt><dd>(.*?)</dd>", html)
    assert match, f"no “{label}” on the card:\n{html}"
    return re.sub(r"<[^>]+>", "", match.group(1))


def get(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.content.decode()[:1000]
    return response.content.decode()


def with_participants(slug: str, **roles: list[str]):
    initiative = InitiativeFactory(slug=slug, countries=["NG", "GH"], regions=[region("ecowas")])
    for role, names in roles.items():
        for name in names:
            organisation = OrganisationFactory(name=name, slug=name.lower().replace(" ", "-"))
            ParticipationFactory(initiative=initiative, organisation=organisation, role=role)
    return initiative


def test_a_card_says_where_who_implements_and_who_funds(client):
    with_participants("ocwar", implementer=["Expertise France"], funder=["European Union"], partner=["Ecowas Com"])
    html = card(get(client, "/initiatives/"), "ocwar")

    assert row(html, "Where") == "Ghana, Nigeria; Economic Community of West African States (ECOWAS)"
    assert row(html, "Implemented by") == "Expertise France"
    assert row(html, "Funded by") == "European Union"
    # Each organisation links to its page; partners are for the detail page.
    assert '<a href="/organisations/expertise-france/">Expertise France</a>' in html
    assert '<a href="/organisations/european-union/">European Union</a>' in html
    assert "Ecowas Com" not in html


def test_a_card_leaves_out_a_role_nobody_has(client):
    with_participants("solo", implementer=["Only Implementer"])
    html = card(get(client, "/initiatives/"), "solo")
    assert row(html, "Implemented by") == "Only Implementer"
    assert "Funded by" not in html


def test_a_card_names_four_countries_then_says_how_many_more(client):
    InitiativeFactory(slug="wide", countries=["NG", "GH", "SN", "CI", "KE", "FR"])
    html = card(get(client, "/initiatives/"), "wide")
    # By name: Côte d'Ivoire, France, Ghana, Kenya, Nigeria, Senegal.
    assert row(html, "Where") == "Côte d&#x27;Ivoire, France, Ghana, Kenya +2 more"


def test_browsing_a_place_a_card_names_its_countries_there_first(client):
    InitiativeFactory(slug="wide", countries=["FR", "DE", "JP", "KE", "SN", "NG"])
    in_west_africa = card(get(client, "/initiatives/?region=western-africa"), "wide")
    assert row(in_west_africa, "Where").startswith("Nigeria, Senegal, France, Germany +2 more")
    in_kenya = card(get(client, "/initiatives/?country=KE"), "wide")
    assert row(in_kenya, "Where").startswith("Kenya, France, Germany, Japan +2 more")


def test_a_card_names_three_organisations_per_role_then_says_how_many_more(client):
    with_participants("crowded", funder=["Funder A", "Funder B", "Funder C", "Funder D", "Funder E"])
    html = card(get(client, "/initiatives/"), "crowded")
    assert row(html, "Funded by") == "Funder A, Funder B, Funder C +2 more"


@pytest.mark.parametrize(
    ("slug", "reach"),
    [
        ("named", "In named countries"),
        ("ecowas-wide", "Region-wide (Economic Community of West African States (ECOWAS))"),
        ("africa-wide", "Continent-wide (Africa)"),
        ("global", "Global"),
    ],
)
def test_browsing_a_region_each_card_says_how_it_reaches_it(client, slug, reach):
    InitiativeFactory(slug="named", countries=["NG"])
    InitiativeFactory(slug="ecowas-wide", regions=[region("ecowas")])
    InitiativeFactory(slug="africa-wide", regions=[region("africa")])
    InitiativeFactory(slug="global", regions=[region(r) for r in ("africa", "americas", "asia", "europe", "oceania")])
    html = card(get(client, "/initiatives/?region=western-africa"), slug)
    assert row(html, "Where").endswith(f" Reach: {reach}")


def test_browsing_a_country_a_card_says_it_is_in_that_country(client):
    InitiativeFactory(slug="here", countries=["NG"])
    assert row(card(get(client, "/initiatives/?country=NG"), "here"), "Where") == "Nigeria · Reach: In this country"


def test_cards_on_an_organisation_page_say_who_else_takes_part(client):
    initiative = with_participants("joint", implementer=["Main Agency"], funder=["Big Donor"])
    html = card(get(client, "/organisations/main-agency/"), initiative.slug)
    assert row(html, "Funded by") == "Big Donor"


def test_cards_name_only_organisations_of_published_initiatives(client):
    with_participants("public", implementer=["Public Agency"])
    draft = InitiativeFactory(slug="draft", publication_state="draft")
    ParticipationFactory(initiative=draft, organisation=OrganisationFactory(name="Hidden Agency"), role=FUNDER)

    response = client.get("/initiatives/")
    body = response.content.decode()
    assert listed(response) == ["public"]
    assert "Hidden Agency" not in body
    for url in set(re.findall(r'href="(/organisations/[^"]+/)"', body)):
        assert client.get(url).status_code == 200, url  # every organisation named has a public page


def test_list_query_count_does_not_grow_with_what_each_card_names(client):
    url = "/initiatives/?topic=cybercrime"
    for n in range(2):
        initiative = InitiativeFactory(slug=f"few-{n}", title=f"A few {n}", countries=["NG"], topics=["cybercrime"])
        ParticipationFactory(initiative=initiative, role=IMPLEMENTER)
    client.get(url)  # warm up caches (content types and the like)
    few = count_queries(client, url)

    for n in range(25):  # more than a page, each card naming many places and organisations
        initiative = InitiativeFactory(
            slug=f"busy-{n:02d}",
            title=f"Busy {n:02d}",  # after the two above: the first page holds them and 18 of these
            countries=["NG", "GH", "SN", "CI", "KE", "FR"],
            regions=[region("ecowas"), region("africa")],
            topics=["cybercrime"],
        )
        for role in (IMPLEMENTER, FUNDER, PARTNER):
            for _ in range(4):
                ParticipationFactory(initiative=initiative, role=role)
    many = count_queries(client, url)

    response = client.get(url)
    body = response.content.decode()
    assert len(listed(response)) == 20, "the second run really showed a full page of cards"
    assert body.count("<dt>Funded by</dt>") == 18  # every busy card on the page names its funders
    assert body.count("+1 more") == 2 * 18  # three of four implementers, three of four funders
    assert many == few


# --- every page that shows cards answers them as the list does: home, two mappings' overlap, "Partner in"

# Each page below shows the initiatives that the partner "Ecowas Com" takes part in and that the mappings
# "alpha" and "beta" both record, the latest first on the home page.
CARD_PAGES = {
    "home": "/",
    "overlap": "/sources/alpha/and/beta/",
    "partner in": "/organisations/ecowas-com/",
}


@pytest.fixture
def mappings():
    return SourceFactory(slug="alpha", name="Alpha map"), SourceFactory(slug="beta", name="Beta map")


def shown_everywhere(initiative, mappings, partner):
    """Make the initiative one that every page of CARD_PAGES shows."""
    ParticipationFactory(initiative=initiative, organisation=partner, role=PARTNER)
    for source in mappings:
        SourceRecordFactory(source=source, initiative=initiative)


@pytest.mark.parametrize("page", CARD_PAGES)
def test_cards_beyond_the_list_say_where_who_implements_and_who_funds(client, mappings, page):
    initiative = with_participants("ocwar", implementer=["Expertise France"], funder=["European Union"])
    shown_everywhere(initiative, mappings, OrganisationFactory(name="Ecowas Com", slug="ecowas-com"))
    html = card(get(client, CARD_PAGES[page]), "ocwar")

    assert row(html, "Where") == "Ghana, Nigeria; Economic Community of West African States (ECOWAS)"
    assert row(html, "Implemented by") == "Expertise France"
    assert row(html, "Funded by") == "European Union"
    assert '<a href="/organisations/european-union/">European Union</a>' in html


@pytest.mark.parametrize("page", CARD_PAGES)
def test_query_count_of_cards_beyond_the_list_does_not_grow_with_cards(client, mappings, page):
    partner = OrganisationFactory(name="Ecowas Com", slug="ecowas-com")
    url = CARD_PAGES[page]
    shown_everywhere(InitiativeFactory(slug="first", countries=["NG"]), mappings, partner)
    client.get(url)  # warm up caches (content types and the like)
    few = count_queries(client, url)

    for n in range(12):  # more than the home page's six, each card naming many places and organisations
        initiative = InitiativeFactory(
            slug=f"busy-{n:02d}", countries=["NG", "GH", "SN", "CI", "KE"], regions=[region("ecowas")]
        )
        shown_everywhere(initiative, mappings, partner)
        for role in (IMPLEMENTER, FUNDER):
            for _ in range(4):
                ParticipationFactory(initiative=initiative, role=role)
    many = count_queries(client, url)

    body = get(client, url)
    shown = body.count('<li class="card">')
    assert shown >= 6, "the second run really showed many cards"
    busy = shown - ('href="/initiatives/first/"' in body)
    assert body.count("<dt>Funded by</dt>") == busy  # each busy card names its funders
    assert many == few
