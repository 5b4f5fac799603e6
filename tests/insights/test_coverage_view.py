"""The coverage matrix /coverage/: counts by place and term, links to the lists they count, gaps, needs."""

import datetime
import html
import io
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from initiatives.models import Initiative
from insights.coverage import GAP_AT_MOST, MAX_NEEDS_CHECKED, bucket, scale
from insights.models import Need
from taxonomy.models import Country, Region, Term
from tests.factories import InitiativeFactory, OrganisationFactory, ParticipationFactory
from tests.helpers import UNPUBLISHED, analyze, bulk_initiatives, count_queries, region

pytestmark = pytest.mark.django_db

CONTINENTS = ["africa", "americas", "asia", "europe", "oceania"]
# A cell as the visitor sees it: its colour class, its link, its count and (unless specific=1) the specific count.
CELL_RE = re.compile(
    r'<td class="heat-(\d)( gap)?"><a href="([^"]+)">(\d+)</a>(?: \((\d+)\))?( <small>gap</small>)?</td>'
)


@pytest.fixture
def world():
    """A small world whose matrix is counted by hand in the tests below."""
    implementer = OrganisationFactory(slug="implementer")
    nigeria = InitiativeFactory(
        slug="nigeria-cybercrime",
        countries=["NG"],
        topics=["cybercrime"],
        audiences=["law-enforcement"],
        start_date=datetime.date(2019, 3, 1),
        end_date=datetime.date(2021, 6, 30),
    )
    ParticipationFactory(initiative=nigeria, organisation=implementer)
    # ECOWAS lies inside Western Africa, so a programme for it targets Western Africa
    # (specific there) but reaches Nigeria only region-wide (not specific to Nigeria).
    InitiativeFactory(
        slug="ecowas-legislation",
        regions=[region("ecowas")],
        topics=["cybercrime-legislation"],
        audiences=["judiciary"],
        start_date=datetime.date(2020, 1, 1),
    )
    InitiativeFactory(
        slug="africa-cybercrime",
        regions=[region("africa")],
        topics=["cybercrime"],
        status="completed",
        start_date=datetime.date(2015, 1, 1),
        end_date=datetime.date(2018, 12, 31),
    )
    InitiativeFactory(
        slug="global-standards",
        regions=[region(slug) for slug in CONTINENTS],
        topics=["standards"],
        start_date=datetime.date(2010, 1, 1),
    )
    InitiativeFactory(slug="kenya-awareness", countries=["KE"], topics=["awareness"], audiences=["youth"])
    InitiativeFactory(slug="france-cybercrime", countries=["FR"], topics=["cybercrime"])
    for state in UNPUBLISHED:
        InitiativeFactory(slug=f"hidden-{state}", countries=["NG"], topics=["cybercrime"], publication_state=state)


def get(client, query: str = "", status: int = 200):
    response = client.get("/coverage/" + (f"?{query}" if query else ""))
    assert response.status_code == status, response.content.decode()[:3000]
    return response


def cell(response, place: str, term: str):
    """The cell of one row and column, from the view's matrix."""
    coverage = response.context["coverage"]
    column = [c.key for c in coverage.columns].index(term)
    row = next(r for r in coverage.rows if r.key == place)
    return row.cells[column]


def counts(response, place: str, term: str) -> tuple[int, int]:
    found = cell(response, place, term)
    return found.count, found.specific


def html_cells(response) -> list[tuple[str, int, int | None, bool]]:
    """(list url, count, specific count, marked as a gap) of every cell on the page."""
    body = response.content.decode()
    found = []
    for _bucket, gap_class, url, count, specific, gap_label in CELL_RE.findall(body):
        assert bool(gap_class) == bool(gap_label), url  # a gap is said in words, not only in colour
        found.append((html.unescape(url), int(count), int(specific) if specific else None, bool(gap_label)))
    assert len(found) == body.count('<td class="heat-'), "a cell did not match the expected markup"
    return found


def list_total(client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.context["browse"].total


# --- counting


def test_cells_count_published_initiatives_by_sub_region_and_topic(client, world):
    response = get(client)
    # Nigeria's (specific), ECOWAS's (specific: ECOWAS lies inside Western Africa, and its
    # legislation topic is under cybercrime) and Africa's (continent-wide); no unpublished one.
    assert counts(response, "western-africa", "cybercrime") == (3, 2)
    assert counts(response, "eastern-africa", "cybercrime") == (1, 0)  # Africa-wide only
    assert counts(response, "western-europe", "cybercrime") == (1, 1)  # France
    assert counts(response, "northern-america", "cybercrime") == (0, 0)
    assert counts(response, "eastern-africa", "culture-skills") == (1, 1)  # Kenya, on awareness (a sub-topic)
    for place in ["western-africa", "south-eastern-asia", "polynesia", "northern-america"]:
        assert counts(response, place, "standards") == (1, 0)  # the global programme, everywhere, never specific
    assert counts(response, "western-africa", "culture-skills") == (0, 0)


def test_rows_are_the_m49_sub_regions_under_their_continents_and_columns_the_top_level_topics(client, world):
    coverage = get(client).context["coverage"]
    sub_regions = set(Region.objects.filter(kind=Region.Kind.SUB_REGION).values_list("slug", flat=True))
    assert {row.key for row in coverage.rows} == sub_regions
    assert [c.key for c in coverage.columns] == list(
        Term.objects.topics().filter(parent__isnull=True).order_by("order", "name").values_list("slug", flat=True)
    )
    groups = {group: [row.key for row in rows] for group, rows in coverage.groups}
    assert set(groups) == {"Africa", "Americas", "Asia", "Europe", "Oceania"}
    assert groups["Africa"] == [
        "northern-africa",
        "sub-saharan-africa",
        "eastern-africa",
        "middle-africa",
        "southern-africa",
        "western-africa",
    ]


def test_unpublished_initiatives_are_never_counted(client, world):
    assert counts(get(client, "within=western-africa"), "NG", "cybercrime") == (3, 1)
    assert counts(get(client, "rows=continents"), "africa", "cybercrime") == (3, 3)
    hidden = Initiative.objects.get(slug="hidden-draft")
    hidden.publication_state = "published"
    hidden.save()  # publishing makes a new data revision: the cached counts are not served again
    assert counts(get(client, "within=western-africa"), "NG", "cybercrime") == (4, 2)
    assert counts(get(client, "rows=continents"), "africa", "cybercrime") == (4, 4)


def test_continent_rows_count_a_continent_wide_programme_as_targeting_the_continent(client, world):
    response = get(client, "rows=continents")
    # Nigeria, ECOWAS and Africa-wide all target Africa itself; the global one does not.
    assert counts(response, "africa", "cybercrime") == (3, 3)
    assert counts(response, "africa", "standards") == (1, 0)
    assert counts(response, "europe", "cybercrime") == (1, 1)
    assert [row.key for row in response.context["coverage"].rows] == CONTINENTS


def test_grouping_rows(client, world):
    response = get(client, "rows=groupings")
    assert counts(response, "ecowas", "cybercrime") == (3, 2)  # Nigeria and ECOWAS target it, Africa-wide does not
    assert counts(response, "european-union", "cybercrime") == (1, 1)
    assert counts(response, "asean", "standards") == (1, 0)


def test_audience_and_modality_columns(client, world):
    response = get(client, "columns=audience")
    assert counts(response, "western-africa", "law-enforcement") == (1, 1)
    assert counts(response, "western-africa", "judiciary") == (1, 1)
    assert counts(response, "eastern-africa", "youth") == (1, 1)
    assert len(response.context["coverage"].columns) == Term.objects.audiences().count()
    response = get(client, "columns=modality")
    assert len(response.context["coverage"].columns) == Term.objects.modalities().count()


def test_a_chosen_topic_drills_down_to_it_and_its_sub_topics(client, world):
    response = get(client, "topic=cybercrime")
    assert [c.key for c in response.context["coverage"].columns] == [
        "cybercrime",
        "cybercrime-legislation",
        "digital-forensics",
    ]
    assert counts(response, "western-africa", "cybercrime") == (3, 2)  # the parent covers its children
    assert counts(response, "western-africa", "cybercrime-legislation") == (1, 1)
    assert counts(response, "western-africa", "digital-forensics") == (0, 0)
    body = get(client).content.decode()
    assert 'href="/coverage/?topic=cybercrime"' in body  # the column header leads there
    assert 'href="/coverage/?topic=standards"' not in body  # no sub-topics, nothing to drill into


def test_chosen_regions_are_the_rows_with_the_regions_inside_them(client, world):
    response = get(client, "region=sub-saharan-africa&region=ecowas")
    rows = response.context["coverage"].rows
    assert [row.key for row in rows] == [
        "sub-saharan-africa",
        "eastern-africa",
        "middle-africa",
        "southern-africa",
        "western-africa",
        "ecowas",
    ]
    assert [row.depth for row in rows] == [0, 1, 1, 1, 1, 0]
    assert counts(response, "ecowas", "cybercrime") == (3, 2)


def test_specific_only_counts_initiatives_that_target_the_place(client, world):
    response = get(client, "specific=1")
    assert counts(response, "western-africa", "cybercrime") == (2, 2)
    assert counts(response, "eastern-africa", "cybercrime") == (0, 0)
    assert counts(response, "western-africa", "standards") == (0, 0)
    assert "(0)" not in response.content.decode()  # one number per cell
    response = get(client, "specific=1&within=western-africa")
    assert counts(response, "NG", "cybercrime") == (1, 1)
    assert counts(response, "GH", "cybercrime") == (0, 0)


def test_listing_filters_narrow_what_is_counted(client, world):
    assert counts(get(client, "implementer=implementer"), "western-africa", "cybercrime") == (1, 1)
    assert counts(get(client, "status=completed"), "western-africa", "cybercrime") == (1, 0)
    assert counts(get(client, "audience=judiciary"), "western-africa", "cybercrime") == (1, 1)
    # Specific, as the list with specific=1 counts it: that flag makes the country filter strict too,
    # and ECOWAS's programme reaches Nigeria only region-wide.
    assert counts(get(client, "country=NG"), "western-africa", "cybercrime") == (3, 1)
    assert counts(get(client, "country=NG"), "western-europe", "cybercrime") == (0, 0)
    assert counts(get(client, "q=legislation"), "western-africa", "cybercrime") == (1, 1)
    assert counts(get(client, "q=%21%21"), "western-africa", "cybercrime") == (0, 0)  # only punctuation: nothing


# --- years


@pytest.mark.parametrize(
    "years, expected",
    [
        ("from=2019&to=2020", (2, 2)),  # Nigeria (2019-2021) and ECOWAS (2020-); Africa ended in 2018
        ("from=2018&to=2019", (2, 1)),  # Africa's last year and Nigeria's first
        ("from=2018", (1, 0)),  # one year alone is that year: Africa's last
        ("to=2018", (1, 0)),
        ("from=2022&to=2030", (1, 1)),  # ECOWAS has no end
        ("from=1990&to=2014", (0, 0)),
        ("", (3, 2)),  # no range: any dates, even none
    ],
)
def test_year_range_counts_initiatives_active_at_any_time_in_it(client, world, years, expected):
    InitiativeFactory(slug="undated", countries=["NG"], topics=["digital-forensics"], start_date=None)
    response = get(client, years)
    total, specific = counts(response, "western-africa", "cybercrime")
    undated = 1 if not years else 0  # an initiative without dates is active in no particular year
    assert (total, specific) == (expected[0] + undated, expected[1] + undated)


def test_a_range_is_the_list_year_filter_with_every_year_of_it(client):
    """Active during a range = active in any of its years: the cell links to the year list and counts the same."""
    dates = [
        (datetime.date(2017, 5, 1), datetime.date(2017, 9, 1)),
        (datetime.date(2017, 5, 1), datetime.date(2019, 1, 1)),
        (datetime.date(2019, 12, 31), None),
        (datetime.date(2020, 1, 1), datetime.date(2020, 1, 1)),
        (datetime.date(2021, 1, 1), datetime.date(2023, 1, 1)),
        (datetime.date(2010, 1, 1), None),
        (None, datetime.date(2019, 1, 1)),
        (datetime.date(2024, 1, 1), None),
    ]
    for n, (start, end) in enumerate(dates):
        InitiativeFactory(slug=f"dated-{n}", countries=["NG"], topics=["ciip"], start_date=start, end_date=end)
    for first, last in [(2018, 2019), (2019, 2020), (2017, 2017), (2021, 2022), (2024, 2030), (2011, 2016)]:
        during = {
            slug
            for slug, start, end in Initiative.objects.values_list("slug", "start_date", "end_date")
            if start and start <= datetime.date(last, 12, 31) and (end is None or end >= datetime.date(first, 1, 1))
        }
        years = "&".join(f"year={year}" for year in range(first, last + 1))
        listed = client.get(f"/initiatives/?country=NG&{years}").context["browse"].total
        response = get(client, f"within=western-africa&from={first}&to={last}")
        found = cell(response, "NG", "incident-management")
        assert found.count == len(during) == listed, (first, last)
        assert found.url == f"/initiatives/?country=NG&topic=incident-management&{years}"


# --- links


def assert_every_cell_links_to_its_count(client, response, *, sample_zeros: int = 3) -> int:
    """Follow each non-empty cell's link (and a few empty ones): the list's total is the cell's count."""
    zeros = 0
    checked = 0
    for url, count, specific, _gap in html_cells(response):
        if count == 0:
            zeros += 1
            if zeros > sample_zeros:
                continue
        assert list_total(client, url) == count, url
        if specific is not None:  # the bracketed number: the same list, only those targeting the place
            assert list_total(client, url + "&specific=1") == specific, url
        checked += 1
    return checked


@pytest.mark.parametrize(
    "query",
    [
        "",
        "rows=continents&from=2019&to=2021",
        "rows=groupings&columns=audience",
        "columns=modality&status=ongoing",
        "specific=1",
        "topic=cybercrime&implementer=implementer",
        "region=western-africa&country=NG&q=cybercrime",
    ],
)
def test_every_cell_links_to_a_list_of_exactly_its_count(client, world, query):
    InitiativeFactory(slug="ghana-training", countries=["GH"], topics=["workforce"], modalities=["training"])
    assert assert_every_cell_links_to_its_count(client, get(client, query)) >= 3


@pytest.mark.parametrize("query", ["from=2019&to=2021", "region=ecowas", "region=africa&specific=1&columns=audience"])
def test_country_level_cells_link_to_lists_of_exactly_their_count(client, world, query):
    response = get(client, f"within=western-africa&{query}")
    assert assert_every_cell_links_to_its_count(client, response) >= 3


def test_row_headers_lead_to_the_country_level_view_keeping_the_filters(client, world):
    body = get(client, "columns=audience&from=2019&to=2020&status=ongoing").content.decode()
    assert (
        'href="/coverage/?status=ongoing&amp;from=2019&amp;to=2020&amp;columns=audience&amp;within=western-africa"'
        in body
    )


# --- the country-level view


def test_country_level_view_counts_each_member_country_from_the_footprint(client, world):
    response = get(client, "within=western-africa")
    coverage = response.context["coverage"]
    members = set(Country.objects.filter(region__slug="western-africa").values_list("iso2", flat=True))
    assert {row.key for row in coverage.rows} == members
    assert counts(response, "NG", "cybercrime") == (3, 1)  # in Nigeria; ECOWAS region-wide; Africa continent-wide
    assert counts(response, "GH", "cybercrime") == (2, 0)  # ECOWAS and Africa-wide
    assert counts(response, "NG", "standards") == (1, 0)  # global
    assert "Coverage in Western Africa, by country" in response.content.decode()


def test_country_level_view_of_a_grouping_and_chosen_countries(client, world):
    response = get(client, "within=ecowas&country=NG&country=GH&country=FR")
    assert [row.key for row in response.context["coverage"].rows] == ["GH", "NG"]  # France is not in ECOWAS
    assert counts(response, "GH", "cybercrime") == (2, 0)


# --- gaps


def test_empty_and_thin_cells_are_marked_as_gaps_in_words_and_style(client, world):
    for _n in range(GAP_AT_MOST):  # Western Europe: France and these make GAP_AT_MOST + 1 on cybercrime
        InitiativeFactory(countries=["DE"], topics=["cybercrime"])
    response = get(client)
    assert not cell(response, "western-africa", "cybercrime").gap  # 3
    assert not cell(response, "western-europe", "cybercrime").gap  # 3
    assert cell(response, "eastern-africa", "cybercrime").gap  # 1
    assert cell(response, "northern-america", "cybercrime").gap  # 0
    found = {url: gap for url, _count, _specific, gap in html_cells(response)}
    assert found["/initiatives/?region=northern-america&topic=cybercrime"] is True
    assert found["/initiatives/?region=western-europe&topic=cybercrime"] is False
    assert "gap: 2 or fewer" in response.content.decode()


def test_the_colour_scale_grows_geometrically_up_to_the_largest_cell():
    lows = scale(100)
    assert lows == [1, 3, 7, 16, 40]
    assert [bucket(n, lows) for n in (0, 1, 2, 3, 15, 16, 39, 40, 100)] == [0, 1, 1, 2, 3, 4, 4, 5, 5]
    assert [bucket(n, scale(1)) for n in (0, 1)] == [0, 5]
    assert scale(0) == []


def test_legend_states_the_range_of_each_colour(client, world):
    body = get(client).content.decode()
    legend = re.findall(r'<span class="swatch heat-(\d)" aria-hidden="true"></span> ([\d–]+)</li>', body)
    assert legend[0] == ("0", "0")
    assert legend[-1][1].endswith("3")  # the largest cell (Western Africa, cybercrime) closes the scale


# --- needs


def need(slug: str, *, state: str = "open", published: bool = True, topics=(), stated_on=None, **place) -> Need:
    made = Need.objects.create(
        title=slug.replace("-", " ").capitalize(),
        slug=slug,
        state=state,
        publication_state="published" if published else "draft",
        stated_on=stated_on,
        **place,
    )
    made.topics.set(Term.objects.topics().filter(slug__in=topics))
    return made


def test_open_needs_of_the_places_shown_with_no_matching_initiative_are_listed(client, world):
    need("nigeria-cybercrime-need", country=Country.objects.get(iso2="NG"), topics=["cybercrime"])  # answered
    need("ghana-forensics", country=Country.objects.get(iso2="GH"), topics=["digital-forensics"])
    need("ecowas-data-protection", region=region("ecowas"), topics=["data-protection"])
    need("ghana-met", state="met", country=Country.objects.get(iso2="GH"), topics=["ciip"])
    need("ghana-draft", published=False, country=Country.objects.get(iso2="GH"), topics=["ciip"])
    need("france-forensics", country=Country.objects.get(iso2="FR"), topics=["digital-forensics"])

    body = get(client, "within=western-africa").content.decode()
    section = body[body.index('id="needs-heading"') :]
    assert 'href="/needs/ghana-forensics/"' in section
    assert 'href="/needs/ecowas-data-protection/"' in section  # a grouping inside Western Africa's countries
    for hidden in ["nigeria-cybercrime-need", "ghana-met", "ghana-draft", "france-forensics"]:
        assert f"/needs/{hidden}/" not in section, hidden

    rows_of_europe = get(client, "rows=continents&region=europe").content.decode()
    assert 'href="/needs/france-forensics/"' in rows_of_europe
    assert "/needs/ghana-forensics/" not in rows_of_europe


def test_only_a_bounded_number_of_needs_is_checked(client, world):
    ghana = Country.objects.get(iso2="GH")
    for n in range(MAX_NEEDS_CHECKED + 3):
        need(f"need-{n:02d}", country=ghana, topics=["ciip"], stated_on=datetime.date(2020, 1, 1 + n))
    response = get(client, "within=western-africa")
    needs = response.context["needs"]
    assert (needs.checked, needs.total, len(needs.needs)) == (MAX_NEEDS_CHECKED, MAX_NEEDS_CHECKED + 3, 15)
    assert needs.needs[0].slug == f"need-{MAX_NEEDS_CHECKED + 2:02d}"  # most recently stated first
    assert f"Only the {MAX_NEEDS_CHECKED} most recently stated of the {MAX_NEEDS_CHECKED + 3}" in (
        response.content.decode()
    )


# --- bad input


@pytest.mark.parametrize(
    "query, message",
    [
        ("rows=countries", "Unknown rows: “countries”"),
        ("columns=funder", "Unknown columns: “funder”"),
        ("from=abc", "“abc” is not a year between 1990 and 2100."),
        ("from=99999999999999999999", "is not a year between 1990 and 2100."),
        ("to=1789", "“1789” is not a year between 1990 and 2100."),
        ("from=2022&to=2020", "The range starts in 2022, after it ends in 2020."),
        ("from=1990&to=2030", "Choose a range of at most 30 years."),
        ("from=2020&year=2021", "Give the years either as a range"),
        ("within=atlantis", "Unknown region: “atlantis”."),
        ("within=" + "x" * 5000, "is too long"),
        ("within=%ff%fe", "Unknown region"),
        ("topic=hacking", "Unknown topic: “hacking”."),
        ("region=atlantis", "Unknown region: “atlantis”."),
        ("country=ZZ&within=western-africa", "Unknown country code: “ZZ”."),
        ("q=" + "a" * 500, "200"),
        ("status=paused", "Unknown status"),
    ],
)
def test_bad_input_answers_400_with_a_message(client, world, query, message):
    response = get(client, query, status=400)
    body = response.content.decode()
    assert message in html.unescape(body)
    assert 'role="alert"' in body
    assert "<table" not in body
    for path in ["/coverage/export.csv", "/coverage/heat-map.svg"]:
        assert client.get(f"{path}?{query}").status_code == 400


def test_more_query_fields_than_django_accepts_answer_400(client):
    assert client.get("/coverage/?" + "&".join(["topic=cybercrime"] * 1500)).status_code == 400


def test_writes_are_refused(client):
    assert client.post("/coverage/").status_code == 405


# --- page and cost


def test_query_count_does_not_grow_with_the_data(client):
    url = "/coverage/?from=2015&to=2024&status=ongoing&status=planned"
    bulk_initiatives(10, "few")
    client.get(url)  # warm up (content types and the like)
    few = count_queries(client, url)
    fewer_counted = cell(client.get(url), "western-africa", "cybercrime").count
    bulk_initiatives(400, "many")
    analyze()
    many = count_queries(client, url)
    assert cell(client.get(url), "western-africa", "cybercrime").count > fewer_counted + 10  # really more rows
    assert many == few
    assert many <= 10


def test_the_matrix_is_one_grouped_query_on_the_membership_tables(client, world):
    get(client)  # warm up
    with CaptureQueriesContext(connection) as queries:
        get(client, "within=western-africa")
    grouped = [q["sql"] for q in queries if "GROUP BY" in q["sql"]]
    assert len(grouped) == 1, grouped
    assert "initiatives_footprintcountry" in grouped[0] and "initiatives_termmembership" in grouped[0]


def test_counts_are_cached_until_the_data_changes(client, world):
    get(client)
    with CaptureQueriesContext(connection) as queries:
        get(client)
    assert not [q for q in queries if "GROUP BY" in q["sql"]]
    InitiativeFactory(countries=["SN"], topics=["cybercrime"])  # a write makes a new data revision
    assert counts(get(client), "western-africa", "cybercrime") == (4, 3)


def test_page_has_no_inline_style_or_script_and_links_its_downloads(client, world):
    body = get(client, "from=2019&to=2020").content.decode()
    assert "style=" not in body and "<style" not in body and "<script" not in body
    assert 'href="/coverage/export.csv?from=2019&amp;to=2020"' in body
    assert 'href="/coverage/heat-map.svg?from=2019&amp;to=2020"' in body
    assert "<caption>Initiatives by sub-region and topic, active between 2019 and 2020</caption>" in body
    assert body.count('<th scope="row"') == Region.objects.filter(kind=Region.Kind.SUB_REGION).count()


def test_the_demo_data_page_stays_light(client):
    call_command("load_demo", stdout=io.StringIO())
    response = get(client)
    assert len(response.content) < 50 * 1024  # the page budget is 60 KB with the stylesheet
    assert sum(c.count for row in response.context["coverage"].rows for c in row.cells) > 100


def test_home_page_links_the_coverage_page(client):
    assert 'href="/coverage/"' in client.get("/").content.decode().split("</header>", 1)[1]


# --- the SVG heat map


def test_heat_map_has_a_title_a_description_and_a_link_per_cell(client, world):
    response = client.get("/coverage/heat-map.svg?rows=continents")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    body = response.content.decode()
    assert body.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    assert '<title id="title">Initiatives by continent and topic</title>' in body
    assert '<desc id="desc">' in body
    links = re.findall(r'<a href="([^"]+)" target="_top"><title>([^<]+)</title>', body)
    assert len(links) == 5 * Term.objects.topics().filter(parent__isnull=True).count()
    assert (
        "/initiatives/?region=africa&amp;topic=cybercrime",
        "Africa, Cybercrime: 3 initiatives, 3 of them targeting the place",
    ) in links
    assert "Europe, Child online protection: 0 initiatives, 0 of them targeting the place – gap" in body
