"""Nothing unpublished leaks: every public output, walked with drafts, initiatives in review and archived ones
in the data (and the organisations and needs only they hold), shows published data only, and a hidden slug
answers exactly as an unknown one.

The world: two published initiatives (P, with an implementer, a funder, places, terms, keywords and two
mappings' records, and a companion similar to it) and, in each unpublished state, an initiative sharing P's
country, region, topic, target users, modality, mappings and implementer, plus places and terms of its own,
organisations taking part only in it, a former address and an unpublished need. Every hidden text carries
"zqx" (ZQX_RE), so any trace of them on any page is found. Every public URL name is walked
(test_every_public_url_name_is_walked fails when a new one is not).
"""

import csv
import datetime
import io
import json
import re
import zipfile
from collections import Counter
from urllib.parse import parse_qsl, urlsplit

import openpyxl
import pytest
from django.db import transaction
from django.urls import URLResolver, get_resolver, resolve

from exchange.sitemaps import SITEMAPS
from initiatives.dimensions import TERM_DIMENSIONS
from initiatives.exports import XLSX_CONTENT_TYPE
from initiatives.models import FootprintCountry, FormerSlug, Initiative, Participation, RegionReach, TermMembership
from initiatives.selectors import MAX_COUNTRY_OPTIONS
from taxonomy.models import Region
from tests.factories import (
    InitiativeFactory,
    NeedFactory,
    OrganisationFactory,
    ParticipationFactory,
    SourceFactory,
    SourceRecordFactory,
)
from tests.helpers import UNPUBLISHED, listed

ZQX_RE = re.compile("zqx", re.IGNORECASE)  # in every hidden title, text, slug, name, keyword and record
LOC_RE = re.compile(r"<loc>([^<]+)</loc>")
PUBLISHED = ["companion", "published"]  # by title
HIDDEN_ORGANISATIONS = ["orgzqx-implementer", "orgzqx-funder", "orgzqx-partner"]


def build_world() -> None:
    western_africa, asia = Region.objects.get(slug="western-africa"), Region.objects.get(slug="asia")
    implementer = OrganisationFactory(slug="pub-impl", name="Published Implementer")
    funder = OrganisationFactory(slug="pub-funder", name="Published Funder")
    first = SourceFactory(slug="first-map", name="First mapping")
    second = SourceFactory(slug="second-map", name="Second mapping")
    third = SourceFactory(slug="third-map", name="Third mapping")  # records only unpublished initiatives

    published = InitiativeFactory(
        slug="published",
        title="Published cyberlaw programme",
        summary="Cybercrime laws for West Africa.",
        countries=["NG"],
        regions=[western_africa],
        topics=["cybercrime-legislation"],
        audiences=["law-enforcement"],
        modalities=["training"],
        keywords=["cyberlaw"],
        status="ongoing",
    )
    ParticipationFactory(initiative=published, organisation=implementer, role=Participation.Role.IMPLEMENTER)
    ParticipationFactory(initiative=published, organisation=funder, role=Participation.Role.FUNDER)
    SourceRecordFactory(initiative=published, source=first, retrieved_on=datetime.date(2023, 1, 1))
    SourceRecordFactory(initiative=published, source=second, retrieved_on=datetime.date(2023, 1, 1))
    FormerSlug.objects.create(slug="published-old", initiative=published)
    # Similar to P (a shared topic, in Western Africa): what P's page lists, where hidden ones must not appear.
    InitiativeFactory(
        slug="companion",
        title="Companion awareness programme",
        countries=["GH"],
        topics=["cybercrime"],
        status="completed",
    )

    hidden_implementer = OrganisationFactory(
        slug="orgzqx-implementer", name="Orgzqx Hidden Implementer Ltd", acronym="OZQXI"
    )
    hidden_funder = OrganisationFactory(slug="orgzqx-funder", name="Orgzqx Hidden Funder Ltd")
    hidden_partner = OrganisationFactory(slug="orgzqx-partner", name="Orgzqx Hidden Partner Ltd")
    for state in UNPUBLISHED:
        hidden = InitiativeFactory(
            slug=f"zqxhidden-{state}",
            title=f"Zqxtitle {state} programme",
            summary="Zqxsummary of a hidden programme.",
            description="Zqxdescription of a hidden programme.",
            website="https://zqx.example.org/",
            countries=["NG", "JP"],
            regions=[western_africa, asia],
            topics=["cybercrime-legislation", "standards"],
            audiences=["law-enforcement", "youth"],
            modalities=["training", "research"],
            keywords=["zqxkeyword"],
            status="ongoing",
            publication_state=state,
        )
        for organisation, role in [
            (implementer, "implementer"),
            (hidden_implementer, "implementer"),
            (hidden_funder, "funder"),
            (hidden_partner, "partner"),
        ]:
            ParticipationFactory(initiative=hidden, organisation=organisation, role=role)
        for source in (first, second, third):
            SourceRecordFactory(
                initiative=hidden,
                source=source,
                external_id=f"zqxext-{state}-{source.slug}",
                url="https://zqx.example.org/record",
                retrieved_on=datetime.date(2024, 6, 1),
            )
        FormerSlug.objects.create(slug=f"zqxformer-{state}", initiative=hidden)
        NeedFactory(
            slug=f"needzqx-{state}",
            title=f"Needzqx {state} need",
            description="Needzqx description.",
            stated_in="Zqx strategy",
            topics=["standards"],
            publication_state=state,
        )
    # Published needs in Nigeria: one P answers, one only the hidden initiatives would answer.
    NeedFactory(slug="answered-need", title="Cyberlaw need", topics=["cybercrime-legislation"])
    NeedFactory(slug="standards-need", title="Standards need", topics=["standards"])


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for the module, inside a transaction rolled back after it (each test adds a savepoint)."""
    with django_db_blocker.unblock(), transaction.atomic():
        build_world()
        yield
        transaction.set_rollback(True)


# With the page cache on, as in production: what it keeps is what was rendered for a visitor.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("world"), pytest.mark.page_cache]


# --- reading responses


def text_of(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if response.get("Content-Type") == XLSX_CONTENT_TYPE:  # a zip of XML parts: every part's text
        response.streaming_content = [content]  # readable again by the case's check
        with zipfile.ZipFile(io.BytesIO(content)) as workbook:
            return "\n".join(workbook.read(name).decode() for name in workbook.namelist())
    return content.decode()


def without_echoes(text: str, url: str) -> str:
    """The body without what the request itself typed (a marked slug in an error message, `q` in its box)."""
    parts = urlsplit(url)
    typed = [value for _name, value in parse_qsl(parts.query)] + parts.path.split("/")
    for echo in sorted({value for value in typed if ZQX_RE.search(value)}, key=len, reverse=True):
        text = text.replace(echo, "")
    return text


def assert_nothing_hidden(text: str, url: str) -> None:
    rest = without_echoes(text, url)
    found = ZQX_RE.search(rest)
    assert found is None, f"{url} shows hidden data: …{rest[max(0, found.start() - 200) : found.end() + 200]}…"


def shown(browse) -> list[str]:
    return [initiative.slug for initiative in browse.page.object_list] if browse.page else []


def facets_of(facets) -> dict[str, dict[str, int]]:
    return {facet.name: {option.value: option.count for option in facet.options} for facet in facets}


def nonzero(counts: dict) -> dict:
    return {key: count for key, count in counts.items() if count}


def published_facet_counts() -> dict[str, dict[str, int]]:
    """Each facet's counts over the published initiatives alone, read straight from the tables."""
    ids = Initiative.objects.published().values("pk")
    counts = {"region": Counter(RegionReach.objects.filter(initiative__in=ids).values_list("region__slug", flat=True))}
    for dimension in TERM_DIMENSIONS:
        terms = TermMembership.objects.filter(initiative__in=ids, term__vocabulary__slug=dimension.vocabulary)
        counts[dimension.name] = Counter(terms.values_list("term__slug", flat=True))
    counts["status"] = Counter(Initiative.objects.published().values_list("status", flat=True))
    footprint = FootprintCountry.objects.filter(initiative__in=ids)
    counts["country"] = Counter(footprint.values_list("country_id", flat=True))
    for role in ("implementer", "funder"):
        rows = Participation.objects.filter(initiative__in=ids, role=role)
        counts[role] = Counter(rows.values_list("organisation__slug", flat=True))
    return {name: dict(counter) for name, counter in counts.items()}


def same_counts(name: str, counts: dict[str, int], expected: dict[str, int]) -> bool:
    """The facet counts only what the tables hold; the country facet shows only the busiest countries."""
    shown = nonzero(counts)
    if name != "country":
        return shown == expected
    busiest = sorted(expected.values(), reverse=True)[:MAX_COUNTRY_OPTIONS]
    return all(expected.get(iso2) == n for iso2, n in shown.items()) and sorted(shown.values(), reverse=True) == busiest


def assert_facets_count_published_only(facets: dict[str, dict[str, int]]) -> None:
    expected = published_facet_counts()
    assert set(facets) == set(expected)
    for name, counts in facets.items():
        assert same_counts(name, counts, expected[name]), name
    # The values only the hidden initiatives have, and the counts they would raise.
    assert facets["region"]["western-africa"] == 2 and facets["region"]["asia"] == 0
    assert facets["topic"]["cybercrime-legislation"] == 1 and facets["topic"]["standards"] == 0
    assert facets["audience"]["law-enforcement"] == 1 and facets["audience"]["youth"] == 0
    assert facets["modality"]["training"] == 1 and facets["modality"]["research"] == 0
    assert facets["status"]["ongoing"] == 1
    assert facets["implementer"] == {"pub-impl": 1} and facets["funder"] == {"pub-funder": 1}


# --- what each output must show besides no hidden data


def home_counts(response, text):
    context = response.context
    assert context["counts"]["initiatives"] == 2
    assert context["counts"]["organisations"] == 2
    footprint = set(
        FootprintCountry.objects.filter(initiative__slug__in=PUBLISHED).values_list("country_id", flat=True)
    )
    assert "JP" not in footprint
    assert context["counts"]["countries"] == len(footprint)
    continents = {region.slug: region.initiative_count for region in context["continents"]}
    assert continents["africa"] == 2 and continents["asia"] == 0
    topics = {topic.slug: topic.initiative_count for topic in context["topics"]}
    assert topics["cybercrime"] == 2 and topics["standards"] == 0
    assert sorted(initiative.slug for initiative in context["latest"]) == PUBLISHED


def lists(*slugs):
    """A listing page (the list, a place or term page) shows these initiatives, and its total counts them."""

    def check(response, text):
        browse = response.context["browse"]
        assert sorted(shown(browse)) == sorted(slugs)
        assert browse.total == len(slugs)

    return check


def cards(*slugs):
    """The list shows these initiatives, as its cards are rendered too."""

    def check(response, text):
        lists(*slugs)(response, text)
        assert sorted(listed(response)) == sorted(slugs)

    return check


def full_list(response, text):
    cards(*PUBLISHED)(response, text)
    assert_facets_count_published_only(facets_of(response.context["browse"].facets))
    assert response.context["browse"].chips == []


def empty_list(response, text):
    """Nothing listed, and nothing counted but a filter's own facet, which counts without it."""
    browse = response.context["browse"]
    assert browse.total == 0 and shown(browse) == [] and listed(response) == []
    expected = published_facet_counts()
    for name, counts in facets_of(browse.facets).items():
        assert same_counts(name, counts, expected[name] if name in response.wsgi_request.GET else {}), name


def chips(*labels):
    def check(response, text):
        assert [chip.label for chip in response.context["browse"].chips] == list(labels)

    return check


def both(*checks):
    def check(response, text):
        for each in checks:
            each(response, text)

    return check


def similar_to(*slugs):
    def check(response, text):
        assert [similar.initiative.slug for similar in response.context["related"]] == list(slugs)

    return check


def redirects_to(location):
    def check(response, text):
        assert response["Location"] == location

    return check


def region_overview(response, text):
    counts = {region.slug: count for region, _depth, count in response.context["m49"]}
    assert counts["western-africa"] == 2 and counts["africa"] == 2
    assert counts["asia"] == 0 and counts["eastern-asia"] == 0


def charted(response) -> dict[str, int]:
    """Every bar of the page's charts: the query of the list it links to -> its count."""
    return {bar.url.split("?", 1)[1]: bar.count for chart in response.context["charts"] for bar in chart.bars}


def countries_index(*, NG: int, GH: int):  # noqa: N803 -- named as the countries they count
    """/countries/: the published initiatives reaching Nigeria and Ghana, none reaching Japan (only hidden ones do)."""

    def check(response, text):
        index = response.context["index"]
        rows = {row.country.iso2: row.count for c in index.continents for group in c.groups for row in group.rows}
        assert (rows["NG"], rows["GH"], rows["JP"]) == (NG, GH, 0)
        assert "<a href=JP/><title>Japan: 0</title>" in text

    return check


def western_africa_page(response, text):
    lists(*PUBLISHED)(response, text)
    bars = charted(response)
    # P (all of Western Africa) and its companion in Ghana, not three hidden ones in Nigeria too
    countries = {query: n for query, n in bars.items() if "&country=" in query}
    assert countries.pop("region=western-africa&country=GH") == 2 and set(countries.values()) == {1}
    assert bars["region=western-africa&topic=cybercrime"] == 2 and "region=western-africa&topic=standards" not in bars


def nothing_charted(response, text):
    assert response.context["charts"] == []


def place_by_topic(**expected):
    def check(response, text):
        bars = charted(response)
        by_topic = {query.split("&topic=")[1]: n for query, n in bars.items() if "&topic=" in query}
        assert {slug: by_topic.get(slug, 0) for slug in expected} == expected

    return check


def term_breakdowns(response, text):
    bars = charted(response)
    assert "topic=cybercrime-legislation&region=asia" not in bars
    assert bars["topic=cybercrime-legislation&region=western-africa"] == 1
    assert "topic=cybercrime-legislation&audience=youth" not in bars
    assert bars["topic=cybercrime-legislation&audience=law-enforcement"] == 1


def organisation_list(response, text):
    rows = {org.slug: (org.implements, org.funds, org.partners) for org in response.context["organisations"]}
    assert rows == {"pub-impl": (1, 0, 0), "pub-funder": (0, 1, 0)}


def organisation_page(role_label, slugs):
    def check(response, text):
        roles = {str(label): browse for label, browse in response.context["roles"]}
        assert shown(roles[role_label]) == slugs and roles[role_label].total == len(slugs)
        assert list(response.context["partner_of"]) == []

    return check


def source_overview(response, text):
    overview = response.context["overview"]
    mappings = {mapping.source.slug: mapping for mapping in overview.mappings}
    assert {slug: mapping.size for slug, mapping in mappings.items()} == {
        "first-map": 1,
        "second-map": 1,
        "third-map": 0,
    }
    assert mappings["first-map"].last_retrieved == datetime.date(2023, 1, 1)  # the hidden records are newer
    assert mappings["third-map"].last_retrieved is None
    order = [mapping.source.slug for mapping in overview.mappings]
    assert order == ["first-map", "second-map", "third-map"]  # by name
    overlaps = [[cell.count for cell in mapping.overlaps] for mapping in overview.mappings]
    assert overlaps == [[1, 1, 0], [1, 1, 0], [0, 0, 0]]  # each hidden one is recorded by all three
    for group in overview.coverage:
        for row in group.rows:
            assert [cell.count for cell in row.cells][2] == 0, row.label
            assert all(cell.count <= 1 for cell in row.cells), row.label


def overlap(*slugs):
    def check(response, text):
        assert [initiative.slug for initiative in response.context["page"].object_list] == list(slugs)

    return check


def read_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def xlsx_rows(*slugs):
    def check(response, text):
        rows = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))["Initiatives"]
        assert sorted(row[0] for row in rows.iter_rows(min_row=2, values_only=True)) == sorted(slugs)

    return check


def csv_rows(*slugs):
    def check(response, text):
        assert sorted(row["slug"] for row in read_csv(text)) == sorted(slugs)

    return check


def api_page(*slugs):
    def check(response, text):
        data = json.loads(text)
        assert data["count"] == len(slugs)
        assert sorted(row["slug"] for row in data["results"]) == sorted(slugs)

    return check


def api_facets(response, text):
    api_page(*PUBLISHED)(response, text)
    facets = {name: {o["value"]: o["count"] for o in options} for name, options in json.loads(text)["facets"].items()}
    assert_facets_count_published_only(facets)


def api_detail(response, text):
    data = json.loads(text)
    assert [o["slug"] for o in data["implementers"]] == ["pub-impl"]
    assert [o["slug"] for o in data["funders"]] == ["pub-funder"] and data["partners"] == []


def api_organisations(response, text):
    assert sorted(row["slug"] for row in json.loads(text)["results"]) == ["pub-funder", "pub-impl"]


def feed_entries(*slugs):
    def check(response, text):
        links = re.findall(r'<link href="http://testserver/initiatives/([^/"]+)/" rel="alternate"', text)
        assert sorted(links) == sorted(slugs), text[:2000]

    return check


def sitemap_index(response, text):
    sections = {f"http://testserver/sitemap-{name}.xml" for name in SITEMAPS}
    assert set(LOC_RE.findall(text)) == sections  # each of them is walked below


def sitemap_locs(*paths, absent=()):
    def check(response, text):
        locs = {urlsplit(loc).path for loc in LOC_RE.findall(text)}
        if paths:
            assert locs == set(paths)
        assert not locs & set(absent)

    return check


def coverage_cells(response) -> dict[tuple[str, str], int]:
    result = response.context["coverage"]
    return {
        (row.key, column.key): cell.count
        for row in result.rows
        for column, cell in zip(result.columns, row.cells, strict=True)
    }


def coverage_page(response, text):
    result = response.context["coverage"]
    cells = coverage_cells(response)
    assert cells[("western-africa", "cybercrime")] == 2
    asian = {row.key for row in result.rows if row.group == "Asia"}
    assert asian and all(count == 0 for (row, _column), count in cells.items() if row in asian)
    assert all(count == 0 for (_row, column), count in cells.items() if column == "standards")
    # Open needs no published initiative answers: the standards need, which only hidden ones would answer.
    assert [need.slug for need in response.context["needs"].needs] == ["standards-need"]
    assert response.context["needs"].total == 2


def coverage_within(response, text):
    cells = coverage_cells(response)
    assert cells[("NG", "cybercrime")] == 1 and cells[("GH", "cybercrime")] == 2
    assert all(count == 0 for (_row, column), count in cells.items() if column == "standards")


def coverage_columns(column, hidden_only):
    def check(response, text):
        cells = coverage_cells(response)
        assert all(count == 0 for (_row, key), count in cells.items() if key == hidden_only)
        assert cells[("western-africa", column)] == 1

    return check


def coverage_empty(response, text):
    assert set(coverage_cells(response).values()) == {0}


def coverage_csv(response, text):
    rows = {row["region"]: row for row in read_csv(text)}
    assert rows["western-africa"]["cybercrime"] == "2" and rows["eastern-asia"]["cybercrime"] == "0"


def need_list(*slugs, counts=None):
    def check(response, text):
        needs = list(response.context["page"].object_list)
        assert sorted(need.slug for need in needs) == sorted(slugs)
        if counts:
            assert {need.slug: need.matching_count for need in needs} == counts

    return check


def need_facets(response, text):
    facets = facets_of(response.context["facets"])
    assert nonzero(facets["topic"]) == {"cybercrime-legislation": 1, "cybercrime": 1, "standards": 1}
    assert nonzero(facets["state"]) == {"open": 2}


def need_page(matching, providers):
    def check(response, text):
        assert shown(response.context["matching"]) == matching
        rows = {(row.slug, row.role): (row.here, row.near) for row in response.context["providers"].rows}
        assert rows == providers

    return check


def comparison(totals, open_needs, funders, implementers):
    def check(response, text):
        columns = response.context["comparison"].columns
        assert [column.total.count for column in columns] == totals
        assert [column.open_needs.count for column in columns] == open_needs
        assert [[cell.name for cell in column.funders] for column in columns] == funders
        assert [[cell.name for cell in column.implementers] for column in columns] == implementers
        for row in response.context["comparison"].topics:
            if row.term.slug == "standards":
                assert [cell.count for cell in row.cells] == [0] * len(columns)

    return check


def case(case_id: str, url: str, check=None, status: int = 200):
    return pytest.param(url, status, check, id=case_id)


OUTPUTS = [
    case("home", "/", home_counts),
    case("language", "/language/fr/?next=/initiatives/", redirects_to("/initiatives/"), status=302),
    # The list: cards, totals, every facet, chips; searched, filtered by each dimension.
    case("list", "/initiatives/", full_list),
    case("list-sorted-by-update", "/initiatives/?sort=-updated", cards(*PUBLISHED)),
    case("list-q-title", "/initiatives/?q=zqxtitle", empty_list),
    case("list-q-summary", "/initiatives/?q=zqxsummary", empty_list),
    case("list-q-description", "/initiatives/?q=zqxdescription", empty_list),
    case("list-q-keyword", "/initiatives/?q=zqxkeyword", empty_list),
    case("list-q-hidden-organisation", "/initiatives/?q=orgzqx", empty_list),
    case("list-q-published", "/initiatives/?q=cyberlaw", cards("published")),
    case("list-q-shared-words", "/initiatives/?q=programme", cards(*PUBLISHED)),
    case("list-country", "/initiatives/?country=NG", cards("published")),
    case("list-country-hidden-only", "/initiatives/?country=JP", empty_list),
    case("list-region", "/initiatives/?region=western-africa", cards(*PUBLISHED)),
    case("list-region-hidden-only", "/initiatives/?region=asia", empty_list),
    case("list-topic", "/initiatives/?topic=cybercrime-legislation", cards("published")),
    case("list-topic-hidden-only", "/initiatives/?topic=standards", empty_list),
    case("list-audience", "/initiatives/?audience=law-enforcement", cards("published")),
    case("list-audience-hidden-only", "/initiatives/?audience=youth", empty_list),
    case("list-modality", "/initiatives/?modality=training", cards("published")),
    case("list-modality-hidden-only", "/initiatives/?modality=research", empty_list),
    case("list-status", "/initiatives/?status=ongoing", cards("published")),
    case("list-year", "/initiatives/?year=2020", cards(*PUBLISHED)),
    case(
        "list-implementer",
        "/initiatives/?implementer=pub-impl",
        both(cards("published"), chips("Implementer: Published Implementer")),
    ),
    case(
        "list-funder",
        "/initiatives/?funder=pub-funder",
        both(cards("published"), chips("Funder: Published Funder")),
    ),
    case("list-source", "/initiatives/?source=first-map", cards("published")),
    case("list-source-hidden-records-only", "/initiatives/?source=third-map", empty_list),
    # Detail pages, similar initiatives and former addresses.
    case("detail", "/initiatives/published/", similar_to("companion")),
    case("detail-of-the-similar-one", "/initiatives/companion/", similar_to("published")),
    case("detail-former-slug", "/initiatives/published-old/", redirects_to("/initiatives/published/"), status=301),
    # Places, terms and organisations.
    case("regions", "/regions/", region_overview),
    case("region", "/regions/western-africa/", western_africa_page),
    case("region-hidden-only", "/regions/asia/", both(lists(), nothing_charted)),
    case("countries", "/countries/", countries_index(NG=1, GH=2)),
    case("countries-topic", "/countries/?topic=cybercrime-legislation", countries_index(NG=1, GH=1)),
    case("countries-topic-hidden-only", "/countries/?topic=standards", countries_index(NG=0, GH=0)),
    case("country", "/countries/NG/", both(lists("published"), place_by_topic(standards=0, cybercrime=1))),
    case("country-hidden-only", "/countries/JP/", both(lists(), place_by_topic(standards=0))),
    case("topic", "/topics/cybercrime-legislation/", both(lists("published"), term_breakdowns)),
    case("topic-hidden-only", "/topics/standards/", lists()),
    case("audience", "/audiences/law-enforcement/", lists("published")),
    case("audience-hidden-only", "/audiences/youth/", lists()),
    case("organisations", "/organisations/", organisation_list),
    case("organisation-implementer", "/organisations/pub-impl/", organisation_page("Implements", ["published"])),
    case("organisation-funder", "/organisations/pub-funder/", organisation_page("Funds", ["published"])),
    # Suggestions from the public: the forms, and a correction to a published initiative.
    case("suggest", "/suggest/"),
    case("suggest-thanks", "/suggest/thanks/"),
    case("correction", "/initiatives/published/correction/"),
    # The mappings.
    case("sources", "/sources/", source_overview),
    case("sources-overlap", "/sources/first-map/and/second-map/", overlap("published")),
    case("sources-overlap-hidden-only", "/sources/first-map/and/third-map/", overlap()),
    # CSV export and its schema.
    case("csv", "/initiatives/export.csv", csv_rows(*PUBLISHED)),
    case("csv-q", "/initiatives/export.csv?q=zqxtitle", csv_rows()),
    case("csv-country", "/initiatives/export.csv?country=NG", csv_rows("published")),
    case("csv-topic-hidden-only", "/initiatives/export.csv?topic=standards", csv_rows()),
    case("csv-implementer", "/initiatives/export.csv?implementer=pub-impl", csv_rows("published")),
    case("csv-source-hidden-records-only", "/initiatives/export.csv?source=third-map", csv_rows()),
    case("csv-schema", "/initiatives/export.schema.json"),
    case("xlsx", "/initiatives/export.xlsx", xlsx_rows(*PUBLISHED)),
    case("xlsx-q", "/initiatives/export.xlsx?q=zqxtitle", xlsx_rows()),
    case("xlsx-country", "/initiatives/export.xlsx?country=NG", xlsx_rows("published")),
    case("xlsx-source-hidden-records-only", "/initiatives/export.xlsx?source=third-map", xlsx_rows()),
    # The JSON API.
    case("api-docs", "/api/v1/"),
    case("api-openapi", "/api/v1/openapi.json"),
    case("api-initiatives", "/api/v1/initiatives/?facets=all", api_facets),
    case("api-initiatives-q", "/api/v1/initiatives/?q=zqxtitle&facets=all", api_page()),
    case("api-initiatives-country", "/api/v1/initiatives/?country=NG", api_page("published")),
    case("api-initiatives-region-hidden-only", "/api/v1/initiatives/?region=asia", api_page()),
    case("api-initiatives-funder", "/api/v1/initiatives/?funder=pub-funder", api_page("published")),
    case("api-initiatives-source", "/api/v1/initiatives/?source=third-map", api_page()),
    case("api-initiative", "/api/v1/initiatives/published/", api_detail),
    case("api-organisations", "/api/v1/organisations/", api_organisations),
    case("api-organisation", "/api/v1/organisations/pub-impl/"),
    case("api-regions", "/api/v1/regions/"),
    case("api-region", "/api/v1/regions/western-africa/"),
    case("api-countries", "/api/v1/countries/"),
    case("api-country", "/api/v1/countries/NG/"),
    case("api-vocabularies", "/api/v1/vocabularies/"),
    case("api-terms", "/api/v1/terms/?vocabulary=topic"),
    case("api-sources", "/api/v1/sources/"),
    # Feeds, with filters.
    case("feed", "/initiatives/feed.atom", feed_entries(*PUBLISHED)),
    case("feed-q", "/initiatives/feed.atom?q=zqxtitle", feed_entries()),
    case("feed-country", "/initiatives/feed.atom?country=NG", feed_entries("published")),
    case("feed-topic-hidden-only", "/initiatives/feed.atom?topic=standards", feed_entries()),
    case("feed-implementer", "/initiatives/feed.atom?implementer=pub-impl", feed_entries("published")),
    case("feed-source", "/initiatives/feed.atom?source=first-map", feed_entries("published")),
    # For search engines.
    case("sitemap", "/sitemap.xml", sitemap_index),
    *(case(f"sitemap-{name}", f"/sitemap-{name}.xml") for name in ("static", "regions", "topics", "audiences")),
    case(
        "sitemap-initiatives",
        "/sitemap-initiatives.xml",
        sitemap_locs("/initiatives/companion/", "/initiatives/published/"),
    ),
    case(
        "sitemap-organisations",
        "/sitemap-organisations.xml",
        sitemap_locs("/organisations/pub-funder/", "/organisations/pub-impl/"),
    ),
    case("sitemap-countries", "/sitemap-countries.xml", sitemap_locs(absent=["/countries/JP/"])),
    case("robots", "/robots.txt"),
    # Gaps, overlaps and needs.
    case("coverage", "/coverage/", coverage_page),
    case("coverage-within", "/coverage/?within=western-africa", coverage_within),
    case("coverage-audiences", "/coverage/?columns=audience", coverage_columns("law-enforcement", "youth")),
    case("coverage-modalities", "/coverage/?columns=modality", coverage_columns("training", "research")),
    case("coverage-q", "/coverage/?q=zqxtitle", coverage_empty),
    case("coverage-csv", "/coverage/export.csv", coverage_csv),
    case("coverage-csv-within", "/coverage/export.csv?within=western-africa"),
    case("coverage-svg", "/coverage/heat-map.svg"),
    case("coverage-svg-within", "/coverage/heat-map.svg?within=asia"),
    case(
        "needs",
        "/needs/",
        both(
            need_list("answered-need", "standards-need", counts={"answered-need": 1, "standards-need": 0}), need_facets
        ),
    ),
    case("needs-country", "/needs/?country=NG", need_list("answered-need", "standards-need")),
    case("needs-topic", "/needs/?topic=standards", need_list("standards-need")),
    case("needs-q", "/needs/?q=needzqx", need_list()),
    case(
        "need-answered",
        "/needs/answered-need/",
        need_page(["published"], {("pub-impl", "implementer"): (1, 1), ("pub-funder", "funder"): (1, 1)}),
    ),
    case("need-unanswered", "/needs/standards-need/", need_page([], {})),
    case(
        "compare",
        "/compare/?country=NG&country=JP",
        comparison([1, 0], [2, 0], [["Published Funder"], []], [["Published Implementer"], []]),
    ),
    case(
        "compare-regions",
        "/compare/?region=western-africa&region=asia",
        comparison([2, 0], [2, 0], [["Published Funder"], []], [["Published Implementer"], []]),
    ),
]


@pytest.mark.parametrize(("url", "status", "check"), OUTPUTS)
def test_no_unpublished_record_appears(client, url, status, check):
    response = client.get(url)
    text = text_of(response)
    assert response.status_code == status, text[:2000]
    assert_nothing_hidden(text, url)
    if check:
        check(response, text)


# --- a hidden slug answers exactly as an unknown one: no existence oracle


def pair(case_id: str, template: str, hidden: str, status: int, unknown: str = "orgzqx-nobody"):
    return pytest.param(template, hidden, unknown, status, id=case_id)


HIDDEN_STATES = [(state, f"zqxhidden-{state}") for state in UNPUBLISHED]
PAIRS = [
    # Pages of hidden rows, and the former addresses of hidden initiatives: missing pages.
    *(pair(f"detail-{state}", "/initiatives/{}/", slug, 404, "zqxnothing") for state, slug in HIDDEN_STATES),
    *(
        pair(f"former-slug-{state}", "/initiatives/{}/", f"zqxformer-{state}", 404, "zqxnothing")
        for state in UNPUBLISHED
    ),
    *(
        pair(f"correction-{state}", "/initiatives/{}/correction/", slug, 404, "zqxnothing")
        for state, slug in HIDDEN_STATES
    ),
    *(
        pair(f"correction-former-{state}", "/initiatives/{}/correction/", f"zqxformer-{state}", 404, "zqxnothing")
        for state in UNPUBLISHED
    ),
    *(
        pair(f"api-initiative-{state}", "/api/v1/initiatives/{}/", slug, 404, "zqxnothing")
        for state, slug in HIDDEN_STATES
    ),
    *(pair(f"need-{state}", "/needs/{}/", f"needzqx-{state}", 404, "needzqx-nothing") for state in UNPUBLISHED),
    *(pair(f"organisation-{slug}", "/organisations/{}/", slug, 404) for slug in HIDDEN_ORGANISATIONS),
    *(pair(f"api-organisation-{slug}", "/api/v1/organisations/{}/", slug, 404) for slug in HIDDEN_ORGANISATIONS),
    # The organisation filters, wherever the list's parameters apply: an invalid filter.
    pair("list-implementer", "/initiatives/?implementer={}", "orgzqx-implementer", 400),
    pair("list-funder", "/initiatives/?funder={}", "orgzqx-funder", 400),
    pair("list-implementer-partner-only", "/initiatives/?implementer={}", "orgzqx-partner", 400),
    pair("list-funder-implementer-only", "/initiatives/?funder={}", "orgzqx-implementer", 400),
    pair("list-with-a-public-one", "/initiatives/?implementer=pub-impl&implementer={}", "orgzqx-funder", 400),
    pair("csv-implementer", "/initiatives/export.csv?implementer={}", "orgzqx-implementer", 400),
    pair("csv-funder", "/initiatives/export.csv?funder={}", "orgzqx-funder", 400),
    pair("xlsx-implementer", "/initiatives/export.xlsx?implementer={}", "orgzqx-implementer", 400),
    pair("api-implementer", "/api/v1/initiatives/?facets=all&implementer={}", "orgzqx-implementer", 400),
    pair("api-funder", "/api/v1/initiatives/?funder={}", "orgzqx-funder", 400),
    pair("feed-implementer", "/initiatives/feed.atom?implementer={}", "orgzqx-implementer", 400),
    pair("feed-funder", "/initiatives/feed.atom?funder={}&topic=cybercrime", "orgzqx-funder", 400),
    pair("countries-implementer", "/countries/?implementer={}", "orgzqx-implementer", 400),
    pair("coverage-implementer", "/coverage/?implementer={}", "orgzqx-implementer", 400),
    pair("coverage-csv-funder", "/coverage/export.csv?funder={}", "orgzqx-funder", 400),
    pair("coverage-svg-implementer", "/coverage/heat-map.svg?implementer={}", "orgzqx-implementer", 400),
    # Pages that do not take the parameter ignore it alike.
    pair("needs-implementer", "/needs/?implementer={}", "orgzqx-implementer", 200),
    pair("compare-funder", "/compare/?country=NG&country=GH&funder={}", "orgzqx-funder", 200),
]


@pytest.mark.parametrize(("template", "hidden", "unknown", "status"), PAIRS)
def test_a_hidden_slug_answers_as_an_unknown_one(client, template, hidden, unknown, status):
    hidden_url, unknown_url = template.format(hidden), template.format(unknown)
    answer, reference = client.get(hidden_url), client.get(unknown_url)
    assert answer.status_code == reference.status_code == status
    hidden_text, unknown_text = text_of(answer), text_of(reference)
    assert_nothing_hidden(hidden_text, hidden_url)
    # The same answer, word for word, apart from the slug the visitor typed.
    assert hidden_text.replace(hidden, unknown) == unknown_text


def test_the_organisation_filters_know_only_public_organisations(client):
    """The leak this module found: a hidden organisation's name was a facet option and a chip, answered 200."""
    for parameter, slug in [("implementer", "orgzqx-implementer"), ("funder", "orgzqx-funder")]:
        response = client.get(f"/initiatives/?{parameter}={slug}")
        assert response.status_code == 400
        assert response.context["browse"].filterset.errors[parameter] == [f"Unknown organisation: “{slug}”."]


# --- the walk covers every public URL


def public_url_names() -> set[str]:
    """Every named URL of the site, namespaced (initiatives:detail), except the admin's."""
    names: set[str] = set()

    def walk(patterns, namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = ":".join(filter(None, [namespace, pattern.namespace]))
                if inner.split(":")[0] != "admin":
                    walk(pattern.url_patterns, inner)
            elif pattern.name:
                names.add(":".join(filter(None, [namespace, pattern.name])))

    walk(get_resolver().url_patterns, "")
    return names


def walked_url_names() -> set[str]:
    urls = [param.values[0] for param in OUTPUTS]
    urls += [template.format(hidden) for template, hidden, *_rest in (param.values for param in PAIRS)]
    return {resolve(urlsplit(url).path).view_name for url in urls}


# Shows no record (only {"status", "database"}), and probes the database on a connection of its own,
# which a test's open transaction holds locked: tests/test_healthz.py asks a real server instead.
WALKED_ELSEWHERE = {"healthz"}


def test_every_public_url_name_is_walked():
    public = public_url_names()
    assert "initiatives:detail" in public and "exchange:api:initiatives" in public  # the walk itself works
    assert public - walked_url_names() - WALKED_ELSEWHERE == set(), "walk the new public URLs in this module too"
