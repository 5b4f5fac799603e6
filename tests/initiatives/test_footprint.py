"""The footprint rule (DESIGN.md): which places an initiative is in, how it reaches them, and the
membership tables that answer it, kept right by every write path."""

import random
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from initiatives.membership import rebuild_membership
from initiatives.models import FootprintCountry, Initiative, Participation, RegionReach, TermMembership
from initiatives.selectors import search_initiatives
from taxonomy.models import Country, Region, Term
from tests.factories import InitiativeFactory, OrganisationFactory, SourceRecordFactory
from tests.helpers import admin_form_data, listed, region

pytestmark = pytest.mark.django_db

CONTINENTS = ["africa", "americas", "asia", "europe", "oceania"]
# A card and its reach: <h3><a href="/initiatives/slug/">...</a></h3> ... <span class="reach ...">...</span>Text</span>
REACH_RE = re.compile(
    r'<h3><a href="/initiatives/([^/"]+)/">.*?(?:<span class="reach[^"]*"><span class="visually-hidden">'
    r"Reach: </span>([^<]+)</span>|</li>)",
    re.S,
)


@pytest.fixture
def programmes():
    """One initiative per way of reaching Nigeria (and a few that do not reach it)."""
    InitiativeFactory(slug="nigeria-only", countries=["NG"])
    InitiativeFactory(slug="kenya-only", countries=["KE"])
    InitiativeFactory(slug="ecowas-wide", regions=[region("ecowas")])
    InitiativeFactory(slug="au-wide", regions=[region("african-union")])
    InitiativeFactory(slug="commonwealth-wide", regions=[region("commonwealth")])
    InitiativeFactory(slug="africa-wide", regions=[region("africa")])
    InitiativeFactory(slug="asia-wide", regions=[region("asia")])
    InitiativeFactory(slug="global", regions=[region(slug) for slug in CONTINENTS])
    InitiativeFactory(slug="draft-in-nigeria", countries=["NG"], publication_state="draft")


def get(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, response.content.decode()[:1000]
    return response


def reaches(response) -> dict[str, str | None]:
    """Card slug -> the reach shown on it."""
    return dict(REACH_RE.findall(response.content.decode()))


def name(slug: str) -> str:
    return Region.objects.get(slug=slug).name


# --- which initiatives are in a place


def test_a_country_holds_every_initiative_that_serves_it(client, programmes):
    assert sorted(listed(get(client, "/initiatives/?country=NG"))) == [
        "africa-wide",
        "au-wide",
        "commonwealth-wide",
        "ecowas-wide",
        "global",
        "nigeria-only",
    ]


def test_a_sub_region_holds_programmes_for_groupings_and_continents_that_serve_its_countries(client, programmes):
    assert sorted(listed(get(client, "/initiatives/?region=western-africa"))) == [
        "africa-wide",
        "au-wide",
        "commonwealth-wide",
        "ecowas-wide",
        "global",
        "nigeria-only",
    ]
    # Commonwealth members include India, so the Commonwealth programme is in Asia; the African Union's are not.
    assert sorted(listed(get(client, "/initiatives/?region=asia"))) == ["asia-wide", "commonwealth-wide", "global"]


def test_specific_keeps_only_initiatives_that_target_the_place_itself(client, programmes):
    assert listed(get(client, "/initiatives/?country=NG&specific=1")) == ["nigeria-only"]
    # ECOWAS lies within Western Africa; the African Union, Africa and the Commonwealth do not.
    assert sorted(listed(get(client, "/initiatives/?region=western-africa&specific=1"))) == [
        "ecowas-wide",
        "nigeria-only",
    ]
    # Every African Union member is African, so on Africa an AU programme targets the continent.
    assert sorted(listed(get(client, "/initiatives/?region=africa&specific=1"))) == [
        "africa-wide",
        "au-wide",
        "ecowas-wide",
        "kenya-only",
        "nigeria-only",
    ]


def test_specific_without_a_place_changes_nothing_and_a_bad_value_is_a_400(client, programmes):
    everything = sorted(listed(get(client, "/initiatives/")))
    assert sorted(listed(get(client, "/initiatives/?specific=1"))) == everything
    response = client.get("/initiatives/?region=africa&specific=maybe")
    assert response.status_code == 400
    assert "is not a yes or no" in response.content.decode()


# --- how each result reaches the place


def test_country_page_says_how_each_initiative_reaches_the_country(client, programmes):
    assert reaches(get(client, "/countries/NG/")) == {
        "nigeria-only": "In this country",
        "ecowas-wide": f"Region-wide ({name('ecowas')})",
        "au-wide": f"Region-wide ({name('african-union')})",
        "commonwealth-wide": f"Region-wide ({name('commonwealth')})",
        "africa-wide": "Continent-wide (Africa)",
        "global": "Global",
    }


def test_region_page_says_how_each_initiative_reaches_the_region(client, programmes):
    assert reaches(get(client, "/regions/western-africa/")) == {
        "nigeria-only": "In named countries",
        "ecowas-wide": f"Region-wide ({name('ecowas')})",
        "au-wide": f"Region-wide ({name('african-union')})",
        "commonwealth-wide": f"Region-wide ({name('commonwealth')})",
        "africa-wide": "Continent-wide (Africa)",
        "global": "Global",
    }
    # Reached through the place itself, the label does not name it again.
    assert reaches(get(client, "/regions/africa/"))["africa-wide"] == "Continent-wide"
    assert reaches(get(client, "/regions/ecowas/"))["ecowas-wide"] == "Region-wide"


def test_the_closest_way_wins_when_an_initiative_reaches_a_place_several_ways(client):
    InitiativeFactory(slug="both", countries=["NG"], regions=[region("ecowas"), region("africa")])
    assert reaches(get(client, "/countries/NG/")) == {"both": "In this country"}
    assert reaches(get(client, "/countries/GH/")) == {"both": f"Region-wide ({name('ecowas')})"}
    assert reaches(get(client, "/countries/KE/")) == {"both": "Continent-wide (Africa)"}


def test_the_list_shows_the_reach_only_when_filtered_by_place(client, programmes):
    assert set(reaches(get(client, "/initiatives/?country=NG")).values()) >= {"In this country", "Global"}
    assert set(reaches(get(client, "/initiatives/")).values()) == {""}


# --- facets, pages and exports follow the same rule


def test_every_region_count_equals_the_list_it_links_to(client, programmes):
    for query in ["", "specific=1&"]:
        facet = next(f for f in get(client, f"/initiatives/?{query}").context["browse"].facets if f.name == "region")
        assert any(option.count for option in facet.options)
        for option in facet.options:
            total = get(client, f"/initiatives/?{query}region={option.value}").context["browse"].total
            assert total == option.count, (query, option.value)


def test_region_list_page_counts_follow_the_footprint(client, programmes):
    body = get(client, "/regions/").content.decode()
    counts = dict(re.findall(r'<a href="/regions/([^/]+)/">[^<]+</a> <span class="count">(\d+)</span>', body))
    assert counts["western-africa"] == "6"
    assert counts["ecowas"] == "6"  # every programme serving West Africa serves an ECOWAS member
    assert counts["asia"] == "3"


def test_csv_of_a_country_has_the_same_rows_as_its_page(client, programmes):
    response = client.get("/initiatives/export.csv?country=NG")
    rows = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()[1:]
    assert sorted(row.split(",", 1)[0] for row in rows) == sorted(listed(get(client, "/countries/NG/")))


# --- the membership tables: every write path keeps them right; rebuilt == maintained


def snapshot() -> dict[str, set]:
    documents: set = set()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT rowid, title, body, places, description FROM initiatives_initiative_fts")
        else:
            cursor.execute("SELECT id, search_vector::text FROM initiatives_initiative")
        documents = set(cursor.fetchall())
    return {
        "footprint": set(FootprintCountry.objects.values_list("initiative_id", "country_id", "reach", "via_id")),
        "regions": set(RegionReach.objects.values_list("initiative_id", "region_id", "reach", "via_id", "specific")),
        "terms": set(TermMembership.objects.values_list("initiative_id", "term_id")),
        "search": documents,
    }


def assert_rebuilt_equals_maintained(*, footprints_expected: bool = True) -> None:
    maintained = snapshot()
    assert maintained["search"] and (bool(maintained["footprint"]) == footprints_expected)
    rebuild_membership()
    rebuilt = snapshot()
    for table in maintained:
        assert maintained[table] == rebuilt[table], table


def test_rebuilt_equals_maintained_after_a_random_sequence_of_edits():
    rng = random.Random(20261125)
    countries = list(Country.objects.order_by("iso2")[:60])
    regions = list(Region.objects.order_by("slug"))
    terms = list(Term.objects.order_by("pk"))
    organisations = [OrganisationFactory() for _ in range(4)]
    initiatives = [InitiativeFactory(countries=["NG"]) for _ in range(6)]

    def edit(initiative: Initiative) -> None:
        match rng.randrange(12):
            case 0:
                initiative.countries.add(*rng.sample(countries, 3))
            case 1:
                initiative.countries.remove(*initiative.countries.all()[:1])
            case 2:
                initiative.regions.set(rng.sample(regions, rng.randrange(3)))
            case 3:
                initiative.topics.add(*[t for t in rng.sample(terms, 3) if t.vocabulary.slug == "topic"])
            case 4:
                initiative.audiences.clear()
            case 5:
                initiative.title = f"Renamed {rng.random()}"
                initiative.save()
            case 6:
                Participation.objects.get_or_create(
                    initiative=initiative, organisation=rng.choice(organisations), role=Participation.Role.FUNDER
                )
            case 7:
                Participation.objects.filter(initiative=initiative).delete()
            case 8:
                organisation = rng.choice(organisations)
                organisation.name = f"Organisation {rng.random()}"
                organisation.save()
            case 9:
                rng.choice(countries).initiatives.add(initiative)  # from the other side
            case 10:
                initiative.keywords.add(f"kw{rng.randrange(100)}")
            case 11:
                rng.choice(regions).initiatives.add(initiative)

    for _ in range(60):
        edit(rng.choice(initiatives))
    # The taxonomy moves under them too.
    ecowas = Region.objects.get(slug="ecowas")
    ecowas.members.remove(Country.objects.get(iso2="NG"))
    ecowas.members.add(Country.objects.get(iso2="MR"))
    child = Term.objects.get(slug="cert-development")
    child.parent = Term.objects.get(slug="cybercrime")
    child.save()
    kenya = Country.objects.get(iso2="KE")
    kenya.region = Region.objects.get(slug="southern-africa")
    kenya.name_fr = "Kenya (fr)"
    kenya.save()
    initiatives[0].delete()

    assert_rebuilt_equals_maintained()


def test_changing_a_groupings_members_moves_its_programmes(client):
    InitiativeFactory(slug="ecowas-wide", regions=[region("ecowas")])
    assert listed(get(client, "/initiatives/?country=NG")) == ["ecowas-wide"]
    region("ecowas").members.remove(Country.objects.get(iso2="NG"))
    assert listed(get(client, "/initiatives/?country=NG")) == []
    Country.objects.get(iso2="FR").groupings.add(region("ecowas"))  # from the country's side
    assert listed(get(client, "/initiatives/?country=FR")) == ["ecowas-wide"]


def test_moving_a_term_under_another_parent_moves_its_initiatives(client):
    InitiativeFactory(slug="cert", topics=["cert-development"])
    assert listed(get(client, "/initiatives/?topic=incident-management")) == ["cert"]
    term = Term.objects.get(slug="cert-development")
    term.parent = Term.objects.get(slug="cybercrime")
    term.save()
    assert listed(get(client, "/initiatives/?topic=incident-management")) == []
    assert listed(get(client, "/initiatives/?topic=cybercrime")) == ["cert"]


def test_an_admin_edit_of_places_and_terms_is_reflected_at_once(curator_client, client):
    initiative = InitiativeFactory(slug="edited", title="Edited", countries=["KE"], topics=["cybercrime"])
    Participation.objects.create(
        initiative=initiative, organisation=OrganisationFactory(), role=Participation.Role.IMPLEMENTER
    )
    url = reverse("admin:initiatives_initiative_change", args=[initiative.pk])
    data = admin_form_data(curator_client.get(url))
    data.update(
        countries=[],
        regions=[region("ecowas").pk],
        topics=[Term.objects.topics().get(slug="cert-development").pk],
    )
    response = curator_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert listed(get(client, "/initiatives/?country=NG&topic=incident-management")) == ["edited"]
    assert listed(get(client, "/initiatives/?country=KE")) == []
    assert_rebuilt_equals_maintained()


def test_admin_bulk_publish_makes_initiatives_findable_by_place(curator_client, client):
    draft = InitiativeFactory(
        slug="was-draft", regions=[region("ecowas")], topics=["cybercrime"], publication_state="draft"
    )
    Participation.objects.create(initiative=draft, organisation=OrganisationFactory(), role=Participation.Role.FUNDER)
    assert listed(get(client, "/initiatives/?country=NG")) == []
    response = curator_client.post(
        reverse("admin:initiatives_initiative_changelist"),
        {"action": "publish", "_selected_action": [draft.pk]},
    )
    assert response.status_code == 302
    assert listed(get(client, "/initiatives/?country=NG")) == ["was-draft"]


def test_load_demo_fills_the_membership_tables_and_the_rebuild_command_agrees(client):
    call_command("load_demo")
    assert get(client, "/initiatives/?country=NG").context["browse"].total > 10
    assert_rebuilt_equals_maintained()
    call_command("rebuild_membership")
    assert get(client, "/initiatives/?country=NG").context["browse"].total > 10


# --- derived data read by pages and exports never goes stale


def test_cached_counts_change_as_soon_as_a_write_commits(client):
    InitiativeFactory(slug="first", countries=["NG"], topics=["cybercrime"])
    first = get(client, "/initiatives/?country=NG")
    assert first.context["browse"].total == 1
    draft = InitiativeFactory(slug="second", countries=["NG"], topics=["cybercrime"], publication_state="draft")
    assert get(client, "/initiatives/?country=NG").context["browse"].total == 1  # the draft is not counted
    draft.publication_state = "published"
    draft.save()
    second = get(client, "/initiatives/?country=NG")
    assert second.context["browse"].total == 2
    topics = next(f for f in second.context["browse"].facets if f.name == "topic")
    assert {o.value: o.count for o in topics.options}["cybercrime"] == 2
    assert "<dt>Initiatives</dt><dd>2</dd>" in get(client, "/").content.decode()


def test_the_export_shows_renamed_organisations_sources_and_terms(client):
    initiative = InitiativeFactory(slug="renamed", topics=["cybercrime"])
    organisation = OrganisationFactory(name="Old name")
    Participation.objects.create(initiative=initiative, organisation=organisation, role=Participation.Role.FUNDER)
    record = SourceRecordFactory(initiative=initiative, source__name="Old mapping", external_id="X1")
    organisation.name = "New name"
    organisation.save()
    record.source.name = "New mapping"
    record.source.save()
    term = Term.objects.get(slug="cybercrime")
    term.slug = "cyber-crime"
    term.save()
    response = client.get("/initiatives/export.csv")
    row = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()[1]
    assert "New name" in row and "New mapping: X1" in row and "cyber-crime" in row
    assert "Old" not in row


def test_clearing_from_the_places_side_moves_initiatives_out(client):
    InitiativeFactory(slug="in-nigeria", countries=["NG"])
    InitiativeFactory(slug="ecowas-wide", regions=[region("ecowas")])
    Country.objects.get(iso2="NG").initiatives.clear()
    assert listed(get(client, "/initiatives/?country=NG")) == ["ecowas-wide"]
    region("ecowas").initiatives.clear()
    assert listed(get(client, "/initiatives/?country=NG")) == []
    region("ecowas").members.clear()
    assert_rebuilt_equals_maintained(footprints_expected=False)


@pytest.mark.django_db
def test_specific_given_as_a_list_in_a_plain_dict_narrows_like_the_url_does():
    # Callers (compare, needs) build queries as dicts of lists; the flag must mean there what it means in a URL.
    named = InitiativeFactory(countries=["NG"])
    InitiativeFactory(regions=[region("ecowas")])
    search = search_initiatives({"country": ["NG"], "specific": ["1"]}, facet_names=())
    assert search.valid
    assert list(search.queryset) == [named]
