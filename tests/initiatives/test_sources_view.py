"""/sources/: the other mappings compared, and /sources/<a>/and/<b>/, what two of them both record.

Every count on the overview links to a list; the tests follow the links and compare.
"""

import csv
import datetime
import html
import io
import re

import pytest

from initiatives.models import Initiative, SourceRecord
from initiatives.services import load_demo
from taxonomy.models import Term
from tests.factories import InitiativeFactory, SourceFactory, SourceRecordFactory
from tests.helpers import UNPUBLISHED, count_queries, listed, region

pytestmark = pytest.mark.django_db

# A linked count in one of the overview's tables: <td><a href="..."><strong>3</strong></a> ...</td>
LINKED_COUNT_RE = re.compile(r'<td[^>]*><a href="([^"]+)">(?:<strong>)?(\d+)(?:</strong>)?</a>')


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def table(body: str, caption: str) -> str:
    start = html.unescape(body).index(f"<caption>{caption}</caption>")  # (unescaped and escaped align here)
    start = body.index("<caption>", start - 20)
    return body[start : body.index("</table>", start)]


def linked_counts(fragment: str) -> list[tuple[str, int]]:
    return [(html.unescape(url), int(count)) for url, count in LINKED_COUNT_RE.findall(fragment)]


def every_slug(client, url: str) -> set[str]:
    """The initiatives a list or an overlap page shows, over all its pages."""
    slugs, number = [], 1
    while True:
        response = client.get(url + ("&" if "?" in url else "?") + f"page={number}")
        assert response.status_code == 200, url
        slugs += listed(response)
        paginated = response.context.get("page") or response.context["browse"].page
        if not paginated.has_next():
            return set(slugs)
        number += 1


def total(client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200, url
    if "browse" in response.context:
        return response.context["browse"].total
    return response.context["page"].paginator.count


def record(source, *initiatives, retrieved=None):
    for initiative in initiatives:
        SourceRecordFactory(source=source, initiative=initiative, retrieved_on=retrieved)


@pytest.fixture
def mappings():
    """Three mappings and who records what, counted by hand in the tests below.

    alpha: i1 i2 i3 i6(twice)   beta: i1 i2 i4   gamma: i2 i4 i6   (+ unpublished ones everywhere)
    """
    alpha = SourceFactory(slug="alpha", name="Alpha map")
    beta = SourceFactory(slug="beta", name="Beta map")
    gamma = SourceFactory(slug="gamma", name="Gamma map")
    i1 = InitiativeFactory(slug="i1", title="I1 Nigeria law", countries=["NG"], topics=["cybercrime-legislation"])
    i2 = InitiativeFactory(
        slug="i2",
        title="I2 ECOWAS forensics",
        regions=[region("ecowas")],
        topics=["digital-forensics", "standards"],
        audiences=["law-enforcement"],
    )
    i3 = InitiativeFactory(slug="i3", title="I3 France strategy", countries=["FR"], topics=["national-strategy"])
    i4 = InitiativeFactory(slug="i4", title="I4 Kenya CERT", countries=["KE"], topics=["cert-development"])
    i6 = InitiativeFactory(
        slug="i6", title="I6 Ghana awareness", countries=["GH"], topics=["awareness"], audiences=["youth"]
    )
    record(alpha, i1, i2, i3, retrieved=datetime.date(2024, 3, 1))
    record(alpha, i6, i6, retrieved=datetime.date(2024, 5, 2))  # two records of one mapping: counted once
    record(beta, i1, i2, i4)
    record(gamma, i2, i4, i6)
    for state in UNPUBLISHED:
        hidden = InitiativeFactory(
            slug=f"hidden-{state}",
            title=f"Hidden {state}",
            countries=["NG"],
            topics=["cybercrime", "standards"],
            audiences=["youth"],
            publication_state=state,
        )
        record(alpha, hidden, retrieved=datetime.date(2025, 1, 1))
        record(beta, hidden)
        record(gamma, hidden)
    return {"alpha": alpha, "beta": beta, "gamma": gamma}


# --- the overlap matrix


EXPECTED_OVERLAPS = {
    ("alpha", "alpha"): {"i1", "i2", "i3", "i6"},
    ("beta", "beta"): {"i1", "i2", "i4"},
    ("gamma", "gamma"): {"i2", "i4", "i6"},
    ("alpha", "beta"): {"i1", "i2"},
    ("alpha", "gamma"): {"i2", "i6"},
    ("beta", "gamma"): {"i2", "i4"},
}


def overlap_matrix(body: str) -> dict[tuple[str, str], tuple[int, str]]:
    """(row mapping, column mapping) -> (count, link) from the overlap table, by mapping slug."""
    fragment = table(body, "Initiatives recorded by both mappings")
    names = re.findall(r'<th scope="col">([^<]+)</th>', fragment)
    slugs = [name.split()[0].lower() for name in names]
    matrix = {}
    for row in re.findall(r"<tr><th scope=\"row\">([^<]+)</th>(.*?)</tr>", fragment):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row[1])
        for column, cell in zip(slugs, cells, strict=True):
            link = re.search(r'<a href="([^"]+)">(\d+)</a>', cell)
            matrix[row[0].split()[0].lower(), column] = (int(link[2]), html.unescape(link[1])) if link else (0, "")
    return matrix


def test_overlaps_between_each_pair_match_the_hand_count(client, mappings):
    matrix = overlap_matrix(page(client, "/sources/"))
    assert len(matrix) == 9
    for (a, b), expected in EXPECTED_OVERLAPS.items():
        assert matrix[a, b][0] == len(expected), (a, b)
        assert matrix[b, a][0] == len(expected), (b, a)  # symmetric


def test_each_overlap_links_to_exactly_the_initiatives_it_counts(client, mappings):
    matrix = overlap_matrix(page(client, "/sources/"))
    for (a, b), expected in EXPECTED_OVERLAPS.items():
        count, url = matrix[a, b]
        if a == b:
            assert url == f"/initiatives/?source={a}"  # the diagonal: the mapping's own list
        else:
            assert url == f"/sources/{a}/and/{b}/"
            assert matrix[b, a][1] == url  # one address per pair
        assert every_slug(client, url) == expected, url
        assert total(client, url) == count


def test_the_diagonal_is_each_mappings_size_as_the_glance_table_says(client, mappings):
    body = page(client, "/sources/")
    glance = table(body, "Each mapping, the published initiatives recorded here from it, and what to use it for")
    sizes = dict(re.findall(r'<a href="/initiatives/\?source=([a-z]+)">(\d+)</a>', glance))
    assert sizes == {"alpha": "4", "beta": "3", "gamma": "3"}


def test_mappings_without_a_shared_initiative_show_zero_without_a_link(client, mappings):
    SourceFactory(slug="delta", name="Delta map")
    matrix = overlap_matrix(page(client, "/sources/"))
    assert matrix["alpha", "delta"] == (0, "")
    assert matrix["delta", "delta"] == (0, "")


# --- the page of one pair


def test_overlap_page_lists_what_both_record_and_nothing_unpublished(client, mappings):
    response = client.get("/sources/alpha/and/beta/")
    assert response.status_code == 200
    body = response.content.decode()
    assert set(listed(response)) == {"i1", "i2"}
    assert "Initiatives recorded by both Alpha map and Beta map" in body
    assert "hidden-" not in body and "Hidden " not in body
    assert '<a href="/initiatives/?source=alpha">Alpha map</a>' in body


def test_overlap_page_answers_at_one_address_per_pair(client, mappings):
    response = client.get("/sources/beta/and/alpha/?page=1")
    assert response.status_code == 301
    assert response["Location"] == "/sources/alpha/and/beta/?page=1"
    response = client.get("/sources/alpha/and/alpha/")
    assert response.status_code == 301
    assert response["Location"] == "/initiatives/?source=alpha"


@pytest.mark.parametrize(
    "url", ["/sources/alpha/and/nope/", "/sources/nope/and/alpha/", "/sources/alpha/and/beta/?page=2"]
)
def test_overlap_page_answers_404_for_unknown_mappings_and_pages(client, mappings, url):
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("value", ["x", "0", "-1", "99999999999999999999"])
def test_overlap_page_answers_404_for_a_bad_page_number(client, mappings, value):
    assert client.get(f"/sources/alpha/and/beta/?page={value}").status_code == 404


def test_overlap_page_is_paginated(client):
    alpha, beta = SourceFactory(slug="alpha"), SourceFactory(slug="beta")
    for n in range(23):
        both = InitiativeFactory(slug=f"both-{n:02d}", title=f"Both {n:02d}")
        record(alpha, both)
        record(beta, both)
    first = client.get("/sources/alpha/and/beta/")
    second = client.get("/sources/alpha/and/beta/?page=2")
    assert len(listed(first)) == 20 and len(listed(second)) == 3
    assert 'href="?page=2"' in first.content.decode()
    assert every_slug(client, "/sources/alpha/and/beta/") == {f"both-{n:02d}" for n in range(23)}


# --- the `source` parameter, shared by the list, the CSV and the API


def test_source_parameter_filters_the_list_csv_and_api_alike(client, mappings):
    assert every_slug(client, "/initiatives/?source=beta") == {"i1", "i2", "i4"}
    # Repeated values are ORed, as for every parameter; other parameters are ANDed.
    assert every_slug(client, "/initiatives/?source=beta&source=gamma") == {"i1", "i2", "i4", "i6"}
    assert every_slug(client, "/initiatives/?source=beta&country=KE") == {"i4"}
    response = client.get("/initiatives/export.csv?source=beta&source=gamma")
    rows = csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))
    assert {row["slug"] for row in rows} == {"i1", "i2", "i4", "i6"}
    api = client.get("/api/v1/initiatives/?source=beta&source=gamma&page_size=100").json()
    assert {row["slug"] for row in api["results"]} == {"i1", "i2", "i4", "i6"}


def test_source_parameter_shows_a_chip_and_survives_the_filter_form(client, mappings):
    body = page(client, "/initiatives/?source=beta")
    assert "Mapping: Beta map" in body
    assert '<input type="hidden" name="source" value="beta">' in body


@pytest.mark.parametrize("query", ["source=nope", "source=bad%20slug"])
def test_an_unknown_or_malformed_source_is_a_clear_400(client, mappings, query):
    response = client.get(f"/initiatives/?{query}")
    assert response.status_code == 400
    assert "mapping" in response.content.decode()
    assert client.get(f"/api/v1/initiatives/?{query}").status_code == 400


# --- what the records cover


def coverage_counts(body: str) -> dict[tuple[str, str], int]:
    """(row label, mapping slug) -> count, from the coverage table (zero cells included)."""
    fragment = table(body, "Coverage of each mapping's records")
    slugs = [name.split()[0].lower() for name in re.findall(r'<th scope="col">([^<]+)</th>', fragment)]
    counts = {}
    for label, cells in re.findall(r'<tr><th scope="row"><a href="[^"]+">([^<]+)</a></th>(.*?)</tr>', fragment):
        for slug, cell in zip(slugs, re.findall(r"<td>(.*?)</td>", cells), strict=True):
            counts[html.unescape(label), slug] = int(re.search(r"\d+", re.sub(r"<[^>]+>", "", cell))[0])
    return counts


def test_coverage_counts_published_records_by_topic_audience_and_continent(client, mappings):
    counts = coverage_counts(page(client, "/sources/"))
    expected = {
        # A topic counts its sub-topics: cybercrime = cybercrime-legislation (i1) + digital-forensics (i2).
        ("Cybercrime", "alpha"): 2,
        ("Cybercrime", "beta"): 2,
        ("Cybercrime", "gamma"): 1,
        ("Cyber policy & strategy", "alpha"): 1,  # i3, national-strategy
        ("Cyber policy & strategy", "beta"): 0,
        ("Standards & technologies", "gamma"): 1,
        ("Culture & skills", "alpha"): 1,  # i6 awareness, recorded twice by alpha
        ("Incident management & CIIP", "beta"): 1,
        ("Law enforcement", "alpha"): 1,
        ("Youth", "alpha"): 1,  # the unpublished ones are youth too: not counted
        ("Youth", "beta"): 0,
        ("Africa", "alpha"): 3,  # i1 Nigeria, i2 ECOWAS, i6 Ghana
        ("Africa", "beta"): 3,
        ("Europe", "alpha"): 1,
        ("Europe", "beta"): 0,
        ("Asia", "gamma"): 0,
    }
    for key, count in expected.items():
        assert counts[key] == count, key


def test_every_coverage_count_links_to_a_list_of_that_many(client, mappings):
    fragment = table(page(client, "/sources/"), "Coverage of each mapping's records")
    links = linked_counts(fragment)
    assert len(links) >= 15
    for url, count in links:
        assert url.startswith("/initiatives/?source=")
        assert total(client, url) == count, url


def test_the_largest_number_of_each_row_is_marked_and_names_what_to_use_a_mapping_for(client, mappings):
    body = page(client, "/sources/")
    fragment = table(body, "Coverage of each mapping's records")

    def cell(source: str, parameter: str) -> str:
        return re.search(rf'<a href="/initiatives/\?source={source}&amp;{parameter}">(.*?)</a>', fragment)[1]

    # Cybercrime: alpha 2, beta 2, gamma 1; the largest are marked, ties shared.
    assert cell("alpha", "topic=cybercrime") == cell("beta", "topic=cybercrime") == "<strong>2</strong>"
    assert cell("gamma", "topic=cybercrime") == "1"
    # Standards: 1 each. Where every mapping records as many, none stands out.
    assert {cell(s, "topic=standards") for s in ["alpha", "beta", "gamma"]} == {"1"}

    glance = table(body, "Each mapping, the published initiatives recorded here from it, and what to use it for")

    def use_for(slug: str) -> str:
        return glance.split(f'<a href="#{slug}">', 1)[1].split("</tr>", 1)[0].split("<td>")[-1]

    # Most first, then by name, at most four.
    assert use_for("alpha").startswith(
        "Records the most of any mapping on: Cybercrime, Culture &amp; skills, Cyber policy &amp; strategy, Europe"
    )
    assert use_for("beta").startswith("Records the most of any mapping on: Cybercrime, Incident management")
    assert use_for("gamma").startswith(
        "Records the most of any mapping on: Culture &amp; skills, Incident management &amp; CIIP, Youth"
    )
    assert "Standards" not in use_for("gamma") and "Africa" not in use_for("gamma")


def test_a_mapping_strongest_nowhere_says_what_it_records_mostly(client):
    big, small = SourceFactory(slug="big", name="Big map"), SourceFactory(slug="small", name="Small map")
    for n in range(3):
        record(big, InitiativeFactory(slug=f"b{n}", countries=["NG"], topics=["cybercrime"], audiences=["youth"]))
    record(small, InitiativeFactory(slug="s0", countries=["GH"], topics=["cybercrime"], audiences=["youth"]))
    body = page(client, "/sources/")
    section = body.split('id="small"', 1)[1].split("</section>", 1)[0]
    assert "Records mostly: Cybercrime, Youth, Africa" in section


def test_declared_scope_is_marked_in_the_coverage_table(client, mappings):
    alpha = mappings["alpha"]
    alpha.topics.set(Term.objects.topics().filter(slug="national-strategy"))  # a sub-topic of policy & strategy
    alpha.regions.set([region("western-africa")])  # inside Africa
    fragment = table(page(client, "/sources/"), "Coverage of each mapping's records")

    def row(label):
        return re.search(rf">{re.escape(label)}</a></th>(.*?)</tr>", fragment)[1]

    declared = '<span class="visually-hidden">(declared)</span>'
    alpha_cell, beta_cell, _gamma = re.findall(r"<td>(.*?)</td>", row("Cyber policy &amp; strategy"))
    assert declared in alpha_cell and declared not in beta_cell
    assert declared in re.findall(r"<td>(.*?)</td>", row("Africa"))[0]
    assert declared not in re.findall(r"<td>(.*?)</td>", row("Europe"))[0]


def test_each_mapping_shows_its_declared_scope_size_last_retrieval_and_targets(client, mappings):
    alpha = mappings["alpha"]
    alpha.name, alpha.publisher, alpha.url = "Alpha map", "GFCE", "https://alpha.example.org/"
    alpha.focus, alpha.licence = "Projects and tools for cyber capacity building.", "CC BY 4.0"
    alpha.save()
    alpha.topics.set(Term.objects.topics().filter(slug__in=["cybercrime", "standards"]))
    alpha.audiences.set(Term.objects.audiences().filter(slug="diplomats"))
    alpha.regions.set([region("africa"), region("asean")])
    body = page(client, "/sources/")
    section = body.split('id="alpha"', 1)[1].split("</section>", 1)[0]
    for text in [
        "GFCE",
        "Projects and tools for cyber capacity building.",
        '<a href="/topics/cybercrime/">Cybercrime</a>',
        "Standards &amp; technologies",
        '<a href="/audiences/diplomats/">Diplomats</a>',
        '<a href="/regions/africa/">Africa</a>',
        "Association of Southeast Asian Nations",
        "CC BY 4.0",
        '<a href="https://alpha.example.org/"',
        'Initiatives recorded here</dt><dd><a href="/initiatives/?source=alpha">4</a>',
        # The latest retrieval of a published record: the unpublished one's later date is not shown.
        "Last retrieved</dt><dd>2 May 2024</dd>",
    ]:
        assert text in section, text
    # The smallest sub-regions its records target, most first: Western Africa (i1, i2, i6), Western Europe (i3).
    targets = section.split("Sub-regions its records target most</dt><dd>", 1)[1].split("</dd>", 1)[0]
    found = re.findall(r'<a href="([^"]+)">([^<]+)</a> \((\d+)\)', targets)
    assert [(name, int(count)) for _url, name, count in found] == [("Western Africa", 3), ("Western Europe", 1)]
    for url, _name, count in found:
        assert "&amp;specific=1" in url
        assert total(client, html.unescape(url)) == int(count)


def test_a_mapping_with_nothing_published_shows_zero_and_says_so(client):
    SourceFactory(slug="empty", name="Empty map")
    record(SourceFactory(slug="drafts", name="Drafts map"), InitiativeFactory(publication_state="draft"))
    body = page(client, "/sources/")
    for slug in ["empty", "drafts"]:
        section = body.split(f'id="{slug}"', 1)[1].split("</section>", 1)[0]
        assert "Initiatives recorded here</dt><dd>0</dd>" in section
        assert "Last retrieved</dt><dd>–</dd>" in section
        assert "No published initiative recorded here yet." in section
    assert "?source=drafts" not in body  # no link to an empty list


def test_unpublished_initiatives_change_no_number_on_the_page(client, mappings):
    before = page(client, "/sources/")
    Initiative.objects.filter(slug__startswith="hidden-").update(publication_state="draft")
    for state in UNPUBLISHED:  # more unpublished records, in every mapping and pair
        hidden = InitiativeFactory(
            slug=f"more-{state}", countries=["FR"], topics=["awareness"], publication_state=state
        )
        for source in mappings.values():
            record(source, hidden, retrieved=datetime.date(2030, 1, 1))
    assert page(client, "/sources/") == before
    assert "hidden-" not in before and "more-" not in before


def test_mappings_are_compared_in_order_of_name(client):
    for name in ["Zeta map", "Alpha map", "Mu map"]:
        SourceFactory(name=name, slug=name.split()[0].lower())
    body = page(client, "/sources/")
    for caption in ["Coverage of each mapping's records", "Initiatives recorded by both mappings"]:
        columns = re.findall(r'<th scope="col">([^<]+)</th>', table(body, caption))
        assert columns == ["Alpha map", "Mu map", "Zeta map"]


def test_no_mapping_yet(client):
    assert "No mapping is recorded yet." in page(client, "/sources/")


# --- cost


def test_query_count_does_not_grow_with_mappings_or_records(client):
    few = SourceFactory(slug="few")
    record(few, InitiativeFactory(countries=["NG"], topics=["cybercrime"]))
    few_queries = count_queries(client, "/sources/")
    few_body = page(client, "/sources/")

    sources = [SourceFactory(slug=f"more-{n}") for n in range(6)]
    for source in sources:
        source.topics.set(Term.objects.topics()[:3])
        source.audiences.set(Term.objects.audiences()[:2])
        source.regions.set([region("africa"), region("europe")])
    for n in range(30):
        initiative = InitiativeFactory(
            countries=["NG", "FR", "JP"][: 1 + n % 3], topics=["cybercrime", "awareness"], audiences=["youth"]
        )
        record(sources[n % 6], initiative)
        record(sources[(n + 1) % 6], initiative)
    assert SourceRecord.objects.count() > 50
    many_queries = count_queries(client, "/sources/")
    assert page(client, "/sources/").count("<td") > few_body.count("<td")  # the second run really shows more
    assert many_queries == few_queries


def test_the_demo_page_stays_light(client):
    load_demo()
    assert SourceRecord.objects.exists()
    body = page(client, "/sources/")
    assert len(body.encode()) < 60_000
    assert body.count('<section class="source"') == 5
