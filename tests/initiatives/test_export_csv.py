"""CSV export /initiatives/export.csv: the same set and order as the list, spreadsheet-safe, streamed."""

import csv
import datetime
import gc
import html
import io
import re
import tracemalloc
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from initiatives.models import Initiative, Participation
from taxonomy.models import Country, Region
from tests.factories import (
    InitiativeFactory,
    OrganisationFactory,
    ParticipationFactory,
    SourceFactory,
    SourceRecordFactory,
)
from tests.helpers import CARD_RE, analyze, bulk_initiatives, region

pytestmark = pytest.mark.django_db

# The first export's columns, which integrators read by position too: never reordered, only appended to.
FIRST_HEADER = (
    "slug,title,summary,status,start_date,end_date,countries,regions,topics,audiences,modalities,"
    "implementers,funders,partners,website,detail_url,sources,last_verified,updated_at"
)
HEADER = FIRST_HEADER + ",country_names,region_names,description,budget,budget_max,currency,source_links"


def export(client, query: str = ""):
    response = client.get("/initiatives/export.csv" + (f"?{query}" if query else ""))
    assert response.status_code == 200, response
    return response


def read_rows(response) -> list[dict[str, str]]:
    raw = b"".join(response.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf"), raw[:20]
    text = raw.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def slugs_on_every_page(client, query: str) -> list[str]:
    """The list's cards, page after page."""
    slugs, number, pages = [], 1, 1
    while number <= pages:
        response = client.get(f"/initiatives/?{query}&page={number}")
        assert response.status_code == 200
        slugs += CARD_RE.findall(response.content.decode())
        pages = response.context["browse"].page.paginator.num_pages
        number += 1
    return slugs


@pytest.fixture
def varied():
    """45 published initiatives spread over places, topics, statuses and dates, plus unpublished ones."""
    places = [
        {"countries": ["NG"]},
        {"countries": ["KE"]},
        {"countries": ["FR"]},
        {"regions": [region("western-africa")]},
        {"countries": ["JP"]},
    ]
    topics = ["cybercrime", "cert-development", "standards", "cybercrime-legislation", "awareness", "ciip"]
    statuses = ["ongoing", "completed", "planned", "ongoing"]
    implementer = OrganisationFactory(slug="implementer", name="Implementer")
    funder = OrganisationFactory(slug="funder", name="Funder")
    now = timezone.now()
    for n in range(45):
        initiative = InitiativeFactory(
            slug=f"v-{n:02d}",
            # Repeated titles, so ties are broken the same way in both places.
            title=f"Programme {n % 7} honeypot" if n % 3 == 0 else f"Programme {n % 7}",
            description="honeypot sensors" if n % 4 == 0 else "",
            status=statuses[n % 4],
            start_date=None if n % 11 == 0 else datetime.date(2010 + n % 13, 1 + n % 12, 1),
            end_date=None if n % 2 else datetime.date(2024, 12, 31),
            topics=[topics[n % 6]],
            **places[n % 5],
        )
        if n % 2:
            ParticipationFactory(initiative=initiative, organisation=implementer)
        if n % 3:
            ParticipationFactory(initiative=initiative, organisation=funder, role=Participation.Role.FUNDER)
        Initiative.objects.filter(pk=initiative.pk).update(updated_at=now - datetime.timedelta(hours=n * 7 % 45))
    for state in ["draft", "review", "archived"]:
        InitiativeFactory(
            slug=f"hidden-{state}", title=f"Programme 1 honeypot {state}", countries=["NG"], publication_state=state
        )


@pytest.mark.parametrize(
    "query",
    [
        "",
        "region=africa",
        "region=africa&topic=cybercrime",
        "topic=incident-management&sort=-start",
        "status=ongoing&status=planned&sort=-updated",
        "q=honeypot",
        "q=honeypot&region=africa&sort=title",
        "funder=funder&year=2020",
        "implementer=implementer&country=fr&country=KE&sort=-start",
    ],
)
def test_export_has_the_same_initiatives_in_the_same_order_as_the_list(client, varied, query):
    listed = slugs_on_every_page(client, query)
    exported = [row["slug"] for row in read_rows(export(client, query))]
    assert listed, "the filter should match something"
    assert exported == listed
    assert not any(slug.startswith("hidden") for slug in exported)


def test_export_of_a_multi_page_list_has_every_row(client, varied):
    listed = slugs_on_every_page(client, "")
    assert len(listed) == 45
    assert len(set(listed)) == 45
    assert [row["slug"] for row in read_rows(export(client))] == listed


def test_export_ignores_the_page_parameter(client, varied):
    assert len(read_rows(export(client, "page=2"))) == 45


def test_header_is_exact(client):
    InitiativeFactory()
    raw = b"".join(export(client).streaming_content).decode("utf-8-sig")
    assert raw.splitlines()[0] == HEADER


def test_new_columns_are_appended_after_the_first_ones(client):
    InitiativeFactory()
    raw = b"".join(export(client).streaming_content).decode("utf-8-sig")
    assert raw.splitlines()[0].startswith(FIRST_HEADER + ",")


def test_header_is_there_even_when_nothing_matches(client):
    raw = b"".join(export(client, "country=DE").streaming_content)
    assert raw.decode("utf-8-sig").splitlines() == [HEADER]


def test_row_has_every_field_with_multi_values_joined_and_countries_as_iso2(client):
    initiative = InitiativeFactory(
        slug="ocwar-c",
        title="OCWAR-C",
        summary="Regional support.",
        status="completed",
        start_date=datetime.date(2019, 6, 1),
        end_date=datetime.date(2023, 12, 31),
        website="https://example.org/ocwar-c",
        last_verified=datetime.date(2025, 2, 3),
        countries=["NG", "GH", "CI"],
        regions=[region("ecowas"), region("western-africa")],
        topics=["cybercrime", "cert-development"],
        audiences=["law-enforcement", "judiciary"],
        modalities=["training", "exercise"],
    )
    for name, role in [
        ("Expertise France", "implementer"),
        ("Civipol", "implementer"),
        ("European Union", "funder"),
        ("GFCE", "partner"),
    ]:
        ParticipationFactory(initiative=initiative, organisation=OrganisationFactory(name=name), role=role)
    SourceRecordFactory(
        initiative=initiative,
        source__name="Cybil portal",
        external_id="CYBIL-123",
        url="https://cybilportal.org/projects/ocwar-c",
    )
    SourceRecordFactory(initiative=initiative, source__name="Own research", external_id="")
    initiative.refresh_from_db()

    [row] = read_rows(export(client))

    def split(cell):
        return set(cell.split("; "))

    assert row["slug"] == "ocwar-c"
    assert row["title"] == "OCWAR-C"
    assert row["summary"] == "Regional support."
    assert row["status"] == "completed"
    assert (row["start_date"], row["end_date"]) == ("2019-06-01", "2023-12-31")
    assert split(row["countries"]) == {"NG", "GH", "CI"}
    assert split(row["regions"]) == {"ecowas", "western-africa"}
    assert split(row["topics"]) == {"cybercrime", "cert-development"}
    assert split(row["audiences"]) == {"law-enforcement", "judiciary"}
    assert split(row["modalities"]) == {"training", "exercise"}
    assert split(row["implementers"]) == {"Expertise France", "Civipol"}
    assert row["funders"] == "European Union"
    assert row["partners"] == "GFCE"
    assert row["website"] == "https://example.org/ocwar-c"
    assert row["detail_url"] == "http://testserver/initiatives/ocwar-c/"
    assert split(row["sources"]) == {"Cybil portal: CYBIL-123", "Own research"}
    assert row["last_verified"] == "2025-02-03"
    assert datetime.datetime.fromisoformat(row["updated_at"]) == initiative.updated_at.replace(microsecond=0)
    # The names, each in the place of its code.
    assert row["countries"] == "CI; GH; NG"
    assert row["country_names"] == "Côte d'Ivoire; Ghana; Nigeria"
    assert row["regions"] == "ecowas; western-africa"
    assert row["region_names"] == "; ".join(region(slug).name for slug in ["ecowas", "western-africa"])
    assert row["source_links"] == "Cybil portal: CYBIL-123 <https://cybilportal.org/projects/ocwar-c>; Own research"


def test_row_has_the_description_and_the_budget_as_a_plain_number(client):
    InitiativeFactory(
        slug="funded",
        description="Three phases:\n1. laws, 2. training.",
        budget=Decimal("7500000"),
        currency="EUR",
    )
    InitiativeFactory(slug="band", budget=Decimal("100000.5"), budget_max=Decimal("500000"), currency="CHF")
    rows = {row["slug"]: row for row in read_rows(export(client))}
    assert rows["funded"]["description"] == "Three phases:\n1. laws, 2. training."
    assert (rows["funded"]["budget"], rows["funded"]["budget_max"], rows["funded"]["currency"]) == (
        "7500000.00",
        "",
        "EUR",
    )
    assert (rows["band"]["budget"], rows["band"]["budget_max"], rows["band"]["currency"]) == (
        "100000.50",
        "500000.00",
        "CHF",
    )


def test_country_and_region_names_are_english_in_every_interface_language(client):
    Country.objects.filter(iso2="DE").update(name_fr="Allemagne", name_es="Alemania")
    Region.objects.filter(slug="western-africa").update(name_fr="Afrique de l’Ouest", name_es="África Occidental")
    InitiativeFactory(slug="two-places", countries=["DE"], regions=[region("western-africa")])
    assert Country.objects.get(iso2="DE").localized_name("fr") == "Allemagne"  # the pages would say so
    for language in ["en", "fr", "es"]:
        response = client.get("/initiatives/export.csv", HTTP_ACCEPT_LANGUAGE=language)
        assert response["Content-Language"] == language
        [row] = read_rows(response)
        assert (row["country_names"], row["region_names"]) == ("Germany", region("western-africa").name), language


def test_source_links_name_only_the_records_of_the_exported_initiative(client):
    shared = SourceFactory(name="Shared mapping")
    public = InitiativeFactory(slug="public")
    hidden = InitiativeFactory(slug="hidden", publication_state="draft")
    SourceRecordFactory(initiative=public, source=shared, external_id="rec-1", url="https://example.org/record/1")
    SourceRecordFactory(initiative=hidden, source=shared, url="https://example.org/record/zqx")
    SourceRecordFactory(initiative=hidden, source=SourceFactory(name="Hidden-only mapping zqx"))
    raw = b"".join(export(client).streaming_content).decode("utf-8-sig")
    assert "zqx" not in raw
    [row] = read_rows(export(client))
    assert row["source_links"] == "Shared mapping: rec-1 <https://example.org/record/1>"


def test_empty_optional_fields_are_empty_cells(client):
    InitiativeFactory(slug="bare", start_date=None, summary="")
    [row] = read_rows(export(client))
    for column in [
        "summary",
        "start_date",
        "end_date",
        "countries",
        "topics",
        "implementers",
        "sources",
        "country_names",
        "region_names",
        "description",
        "budget",
        "budget_max",
        "currency",
        "source_links",
    ]:
        assert row[column] == "", column
    assert row["last_verified"] == ""


@pytest.mark.parametrize(
    "title",
    [
        "Côte d'Ivoire — Programa de Ciberseguridad",
        "Кибербезопасность для всех",
        "الأمن السيبراني للجميع",
        "网络安全 «能力» “建设” – naïve",
    ],
)
def test_non_ascii_text_round_trips_as_utf8_with_bom(client, title):
    InitiativeFactory(slug="intl", title=title, summary=f'{title}, with a comma; a semicolon and "quotes"')
    response = export(client)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    [row] = read_rows(response)
    assert row["title"] == title
    assert row["summary"] == f'{title}, with a comma; a semicolon and "quotes"'


@pytest.mark.parametrize(
    "text",
    ['=HYPERLINK("http://evil")', "+1+1", "-2+3", "@SUM(A1:A2)", "\tTabbed", "\r=carriage return"],
)
def test_cells_that_look_like_formulas_get_a_leading_apostrophe(client, text):
    initiative = InitiativeFactory(slug="risky", title=text, summary=text, description=text)
    ParticipationFactory(initiative=initiative, organisation=OrganisationFactory(name=text))
    SourceRecordFactory(initiative=initiative, source__name=text, external_id="")
    [row] = read_rows(export(client))
    assert row["title"] == "'" + text
    assert row["summary"] == "'" + text
    assert row["description"] == "'" + text
    assert row["implementers"] == "'" + text
    assert row["source_links"] == "'" + text


@pytest.mark.parametrize("text", ["Plain text", "A = B", "Cost: -5 +3 @home", "1+1", "'quoted already"])
def test_ordinary_text_is_unchanged(client, text):
    InitiativeFactory(slug="plain", title=text)
    [row] = read_rows(export(client))
    assert row["title"] == text
    assert row["slug"] == "plain"  # slugs never start with a formula character, and are never altered


def test_filename_names_the_date_and_the_filters(client):
    InitiativeFactory(countries=["NG"], topics=["cybercrime"])
    before = datetime.date.today().isoformat()
    disposition = export(client, "region=africa")["Content-Disposition"]
    after = datetime.date.today().isoformat()
    assert disposition.startswith('attachment; filename="ccb-initiatives-')
    assert disposition.endswith('.csv"')
    assert before in disposition or after in disposition
    assert "region-africa" in disposition

    disposition = export(client, "region=africa&topic=cybercrime&topic=standards&country=ng")["Content-Disposition"]
    assert "region-africa" in disposition
    assert "topic-cybercrime-standards" in disposition
    assert "country-ng" in disposition.lower()


def test_filename_without_filters_is_just_the_date(client):
    before = datetime.date.today().isoformat()
    disposition = export(client)["Content-Disposition"]
    after = datetime.date.today().isoformat()
    assert disposition in {f'attachment; filename="ccb-initiatives-{day}.csv"' for day in (before, after)}


def test_filename_stays_a_plain_token_with_odd_search_text(client):
    disposition = export(client, "q=%22%3B+rm+-rf+%2F+%0D%0A")["Content-Disposition"]
    filename = re.fullmatch(r'attachment; filename="([^"]*)"', disposition).group(1)
    assert re.fullmatch(r"[-a-z0-9]+\.csv", filename), filename


def test_export_is_streamed(client):
    InitiativeFactory()
    response = export(client)
    assert response.streaming is True
    assert len(read_rows(response)) == 1


def test_unpublished_initiatives_are_never_exported(client):
    InitiativeFactory(slug="public", countries=["NG"], topics=["cybercrime"])
    for state in ["draft", "review", "archived"]:
        InitiativeFactory(slug=f"hidden-{state}", countries=["NG"], topics=["cybercrime"], publication_state=state)
    for query in ["", "country=NG", "topic=cybercrime", "q=initiative", "status=ongoing"]:
        assert [row["slug"] for row in read_rows(export(client, query))] == ["public"], query


def test_download_link_on_the_list_exports_the_same_filters(client):
    InitiativeFactory(slug="ng", countries=["NG"], topics=["cybercrime"])
    InitiativeFactory(slug="fr", countries=["FR"], topics=["cybercrime"])
    body = client.get("/initiatives/?region=africa&topic=cybercrime&page=1").content.decode()
    link = html.unescape(re.search(r'<a class="download" href="([^"]+)"[^>]*>Download CSV, 1 row<', body).group(1))
    assert urlsplit(link).path == "/initiatives/export.csv"
    assert "page=" not in link
    assert [row["slug"] for row in read_rows(client.get(link))] == ["ng"]


# --- queries


def export_queries(client) -> tuple[int, int]:
    """(queries, data rows) for the whole export, counted while the stream is consumed."""
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        raw = b"".join(export(client).streaming_content)
    return len(queries), len(list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline=""))))


@pytest.mark.parametrize("fresh_statistics", [False, True], ids=["stale-statistics", "analyzed"])
def test_export_query_count_does_not_grow_with_the_number_of_rows(client, fresh_statistics):
    bulk_initiatives(10, "few")
    export_queries(client)  # warm up caches (content types and the like)
    few, few_rows = export_queries(client)
    bulk_initiatives(1_000, "many")
    if fresh_statistics:  # the planner sees the real table sizes, as after autovacuum
        analyze()
    many, many_rows = export_queries(client)
    assert (few_rows, many_rows) == (10, 1_010)  # the second export really had more rows, over several chunks
    assert many == few


# --- memory


def export_peak(client) -> tuple[int, int]:
    """(tracemalloc peak in bytes, data rows) while streaming the whole export."""
    gc.collect()
    tracemalloc.start()
    try:
        response = client.get("/initiatives/export.csv")
        lines = 0
        for chunk in response.streaming_content:
            lines += chunk.count(b"\n")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak, lines - 1


def test_export_memory_stays_flat_as_rows_grow(client):
    """10,000 rows must not take ten times the memory of 1,000: rows are streamed in chunks."""
    bulk_initiatives(1_000, "small")
    # Warm up: imports, URL resolvers and templates are loaded once, outside the measurement.
    assert len(read_rows(export(client, "country=FR"))) == 0
    small_peak, small_rows = export_peak(client)
    assert small_rows == 1_000

    bulk_initiatives(9_000, "large")
    large_peak, large_rows = export_peak(client)
    assert large_rows == 10_000

    assert large_peak < 30 * 1024 * 1024, f"peak {large_peak / 1e6:.1f} MB"
    assert large_peak < 3 * small_peak, f"1,000 rows: {small_peak / 1e6:.1f} MB, 10,000: {large_peak / 1e6:.1f} MB"
