"""The organisations table (/organisations/): sorted by name or by role from its column headings, filtered by
kind and by a name, every bad value answered with a 4xx and a message."""

import re

import pytest

from initiatives.models import Organisation, OrganisationAlias, Participation
from initiatives.selectors import ORGANISATION_PAGE_SIZE
from tests.factories import InitiativeFactory, OrganisationFactory, ParticipationFactory
from tests.helpers import bulk_initiatives, count_queries

pytestmark = pytest.mark.django_db

ROW_RE = re.compile(r'<th scope="row"><a href="/organisations/([^/]+)/">')


def rows(client, url: str, status: int = 200) -> list[str]:
    """Slugs of the table's organisations, in the order shown."""
    response = client.get(url)
    assert response.status_code == status, url
    return ROW_RE.findall(response.content.decode())


def heading(body: str, text: str) -> str:
    """The column heading <th> whose link reads `text`."""
    return re.search(rf'<th scope="col"[^>]*><a href="[^"]*">{text}</a>.*?</th>', body).group(0)


@pytest.fixture
def organisations():
    """Four organisations: implementing 3, 1, 1 and 0 published initiatives, funding 0, 2, 0 and 1."""
    made = {
        slug: OrganisationFactory(slug=slug, name=name, kind=kind, acronym=acronym)
        for slug, name, kind, acronym in [
            ("giz", "Deutsche Gesellschaft für Internationale Zusammenarbeit", "government", "GIZ"),
            ("oas", "Organization of American States", "intergovernmental", "OAS"),
            ("ecole", "École nationale de cybersécurité", "academia", ""),
            ("access-now", "Access Now", "civil_society", ""),
        ]
    }
    roles = {"giz": (3, 0), "oas": (1, 2), "ecole": (1, 0), "access-now": (0, 1)}
    for slug, (implements, funds) in roles.items():
        for n in range(implements):
            ParticipationFactory(organisation=made[slug], initiative=InitiativeFactory(slug=f"{slug}-i{n}"))
        for n in range(funds):
            ParticipationFactory(
                organisation=made[slug],
                initiative=InitiativeFactory(slug=f"{slug}-f{n}"),
                role=Participation.Role.FUNDER,
            )
    # Unpublished work counts nowhere.
    ParticipationFactory(organisation=made["access-now"], initiative=InitiativeFactory(publication_state="draft"))
    OrganisationAlias.objects.create(organisation=made["oas"], name="Organización de los Estados Americanos")
    return made


def test_table_is_sorted_by_name_by_default(client, organisations):
    body = client.get("/organisations/").content.decode()
    assert ROW_RE.findall(body) == ["access-now", "giz", "ecole", "oas"]  # "École" with the E's
    assert 'aria-sort="ascending"' in heading(body, "Organisation")
    assert "aria-sort" not in heading(body, "Implements")


@pytest.mark.parametrize(
    "sort, expected",
    [
        ("-name", ["oas", "ecole", "giz", "access-now"]),
        ("-implements", ["giz", "ecole", "oas", "access-now"]),  # ties by name
        ("implements", ["access-now", "ecole", "oas", "giz"]),
        ("-funds", ["oas", "access-now", "giz", "ecole"]),
        ("funds", ["giz", "ecole", "access-now", "oas"]),
    ],
)
def test_table_sorts_by_each_column_both_ways(client, organisations, sort, expected):
    assert rows(client, f"/organisations/?sort={sort}") == expected


def test_column_headings_link_to_their_sort_and_then_to_the_reverse(client, organisations):
    body = client.get("/organisations/").content.decode()
    assert '<a href="/organisations/?sort=-name">Organisation</a>' in body  # sorted by name: reverse it
    assert '<a href="/organisations/?sort=-implements">Implements</a>' in body  # most first
    assert '<a href="/organisations/?sort=-funds">Funds</a>' in body

    body = client.get("/organisations/?sort=-implements&kind=government").content.decode()
    assert 'aria-sort="descending"' in heading(body, "Implements")
    assert '<a href="/organisations/?kind=government&amp;sort=implements">Implements</a>' in body
    assert '<a href="/organisations/?kind=government">Organisation</a>' in body  # name order is the default
    assert '<input type="hidden" name="sort" value="-implements">' in body  # the filter form keeps the order


def test_table_filters_by_kind(client, organisations):
    assert rows(client, "/organisations/?kind=intergovernmental") == ["oas"]
    assert rows(client, "/organisations/?kind=academia&sort=-funds") == ["ecole"]


@pytest.mark.parametrize(
    "q, expected",
    [
        ("now", ["access-now"]),
        ("ACCESS", ["access-now"]),
        ("ecole", ["ecole"]),  # without the accent
        ("cybersécurité", ["ecole"]),
        ("giz", ["giz"]),  # the acronym
        ("organización", ["oas"]),  # another name it goes by
        ("  american   states ", ["oas"]),
        ("nothing like it", []),
    ],
)
def test_table_filters_by_any_name_ignoring_case_and_accents(client, organisations, q, expected):
    assert rows(client, f"/organisations/?q={q}") == expected


def test_filters_combine_and_say_when_nothing_matches(client, organisations):
    assert rows(client, "/organisations/?q=o&kind=government") == ["giz"]
    body = client.get("/organisations/?q=access&kind=academia").content.decode()
    assert "No organisation matches these filters." in body
    assert '<a href="/organisations/">Clear all filters</a>' in body


def test_counts_stay_published_only_when_filtered(client, organisations):
    body = client.get("/organisations/?q=access").content.decode()
    row = body.split('href="/organisations/access-now/"', 1)[1].split("</tr>", 1)[0]
    assert re.findall(r"<td>(.*?)</td>", row)[2:] == ["0", '<a href="/initiatives/?funder=access-now">1</a>', "0"]


def test_an_organisation_with_only_unpublished_work_is_never_found(client, organisations):
    hidden = OrganisationFactory(slug="hidden-org", name="Hidden Access Org", kind="civil_society")
    ParticipationFactory(organisation=hidden, initiative=InitiativeFactory(publication_state="review"))
    assert rows(client, "/organisations/?q=access&kind=civil_society") == ["access-now"]


@pytest.mark.parametrize(
    "query, message",
    [
        ("kind=bogus", "Unknown kind of organisation: “bogus”."),
        ("sort=budget", "Unknown sort order: “budget”."),
        ("q=" + "x" * 101, "The search is too long: at most 100 characters."),
        ("kind=%3Cscript%3E", "Unknown kind of organisation: “&lt;script&gt;”."),
    ],
)
def test_bad_values_answer_400_with_a_message(client, organisations, query, message):
    response = client.get(f"/organisations/?{query}")
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body and "no organisations are shown" in body
    assert ROW_RE.findall(body) == []
    assert '<form class="table-filters"' in body  # to correct it


@pytest.mark.parametrize("page", ["2", "0", "abc", "9" * 30])
def test_a_page_that_does_not_exist_is_404(client, organisations, page):
    assert client.get(f"/organisations/?page={page}").status_code == 404


def test_empty_parameters_of_the_form_are_dropped_from_the_address(client, organisations):
    response = client.get("/organisations/?q=&kind=&sort=-funds")
    assert response.status_code == 302 and response["Location"] == "/organisations/?sort=-funds"


def test_long_tables_are_paginated_keeping_filters_and_order(client):
    initiative = InitiativeFactory()
    made = Organisation.objects.bulk_create(
        Organisation(name=f"Ministry {n:03d}", slug=f"ministry-{n}", kind="government")
        for n in range(ORGANISATION_PAGE_SIZE + 1)
    )
    Participation.objects.bulk_create(Participation(organisation=o, initiative=initiative) for o in made)
    first = client.get("/organisations/?kind=government&sort=-name").content.decode()
    assert ROW_RE.findall(first)[:2] == [f"ministry-{ORGANISATION_PAGE_SIZE}", f"ministry-{ORGANISATION_PAGE_SIZE - 1}"]
    assert len(ROW_RE.findall(first)) == ORGANISATION_PAGE_SIZE
    assert 'href="?kind=government&amp;sort=-name&amp;page=2" rel="next"' in first
    assert rows(client, "/organisations/?kind=government&sort=-name&page=2") == ["ministry-0"]


@pytest.mark.parametrize("url", ["/organisations/?sort=-funds", "/organisations/?q=org&kind=government"])
def test_query_count_does_not_grow_with_the_number_of_organisations(client, url):
    bulk_initiatives(20, "few")
    few = count_queries(client, url)
    before = rows(client, url)
    bulk_initiatives(300, "many")
    assert len(rows(client, url)) > len(before)
    assert count_queries(client, url) == few
