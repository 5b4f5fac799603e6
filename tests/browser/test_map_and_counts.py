"""The map of /countries/ tells the same numbers as its table, and the table's counts open lists of that size."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import new_context, result_total

# Country -> count, as the map's shapes (the title of each link) and as the table's rows say it.
READ_COUNTS = r"""() => {
    // getAttribute: an SVG link's .href is not a string.
    const path = (link) => new URL(link.getAttribute("href"), location.href).pathname;
    const iso2 = (link) => (path(link).match(/^\/countries\/([A-Z]{2})\/$/) || [])[1];
    // A shape's count is what its title says to a visitor ("Nigeria: 7 initiatives"), and its data-count if any.
    const map = {};
    for (const link of document.querySelectorAll("svg a[href]")) {
        if (!iso2(link)) continue;
        const said = (link.querySelector("title")?.textContent.match(/\d+/) || [])[0];
        const data = link.getAttribute("data-count");
        const agree = said !== undefined && (data === null || data === said);
        map[iso2(link)] = agree ? Number(said) : `title says ${said}, data-count ${data}`;
    }
    const table = {};
    for (const row of document.querySelectorAll("table tr")) {
        const country = row.querySelector("th a[href]");
        const cell = row.querySelector("td");
        if (!country || !cell || !iso2(country)) continue;
        // The count opens the list: a link, or a button of a form that carries the filters.
        const opens = !!cell.querySelector("a[href], button");
        table[iso2(country)] = {count: cell.innerText.trim(), opens, none: row.matches(".none")};
    }
    return {map, table};
}"""

FILTERED = "/countries/?topic=cybercrime"
# Followed from the table to the list: enough to catch a wrong join, few enough to stay quick.
FOLLOWED = 4


@pytest.fixture(scope="module")
def page(browser):
    context = new_context(browser)
    yield context.new_page()
    context.close()


def read_counts(page, url: str) -> tuple[dict[str, int], dict[str, dict]]:
    response = page.goto(url)
    assert response.status == 200, f"{url} answered {response.status}"
    counts = page.evaluate(READ_COUNTS)
    unclear = {iso2: count for iso2, count in counts["map"].items() if not isinstance(count, int)}
    assert not unclear, f"shapes without a clear count on {url}: {unclear}"
    assert len(counts["map"]) > 150, f"only {len(counts['map'])} countries drawn on the map of {url}"
    assert len(counts["table"]) > 200, f"only {len(counts['table'])} countries in the tables of {url}"
    return counts["map"], counts["table"]


@pytest.mark.parametrize("path", ["/countries/", FILTERED])
def test_map_counts_equal_the_table_counts(path, page, server):
    on_map, in_table = read_counts(page, server + path)
    missing = sorted(set(on_map) - set(in_table))
    assert not missing, f"drawn on the map but not in the table: {missing}"
    different = {iso2: (count, in_table[iso2]["count"]) for iso2, count in on_map.items()}
    different = {iso2: pair for iso2, pair in different.items() if str(pair[0]) != pair[1]}
    assert not different, f"map count != table count (map, table): {different}"
    assert any(count > 0 for count in on_map.values()), "every country on the map has 0"


@pytest.mark.parametrize("path", ["/countries/", FILTERED])
def test_table_links_open_a_list_of_that_many_initiatives(path, page, server):
    on_map, in_table = read_counts(page, server + path)
    filters = parse_qs(urlsplit(path).query)
    served = sorted((iso2 for iso2, count in on_map.items() if count > 0), key=lambda iso2: -on_map[iso2])
    # The busiest, the least served and two between: different footprints, different joins.
    picked = list(dict.fromkeys([served[0], served[len(served) // 3], served[2 * len(served) // 3], served[-1]]))
    assert len(picked) == FOLLOWED, f"too few countries with initiatives: {served}"
    for iso2 in picked:
        assert in_table[iso2]["opens"], f"{iso2}: its count {in_table[iso2]['count']} opens nothing"
        if iso2 != picked[0]:
            page.goto(server + path)
        row = page.locator(f"table tr:has(> th a[href$='{iso2}/'])")
        row.locator("td").locator("a[href], button").click()
        page.wait_for_url(re.compile(r"/initiatives/\?"))
        query = parse_qs(urlsplit(page.url).query)
        assert query.get("country") == [iso2], f"{iso2}: the count opens {page.url}"
        for name, values in filters.items():
            assert query.get(name) == values, f"{iso2}: the list {page.url} drops the filter {name}={values}"
        assert result_total(page) == on_map[iso2], f"{iso2}: the map and table say {on_map[iso2]}, the list {page.url}"


def test_a_country_without_initiatives_is_shown_as_zero(page, server):
    on_map, in_table = read_counts(page, server + FILTERED)
    unserved = sorted(iso2 for iso2, count in on_map.items() if count == 0)
    assert unserved, f"every country drawn has a cybercrime initiative on {FILTERED}: pick another filter"
    iso2 = unserved[0]
    assert in_table[iso2]["count"] == "0", f"{iso2}: 0 on the map, {in_table[iso2]['count']!r} in the table"
    assert in_table[iso2]["none"], f"{iso2}: its row is not marked as a country without initiatives"
    shape = page.locator(f"svg a[href$='{iso2}/']")
    assert shape.evaluate("link => link.parentElement.getAttribute('class')") == "m0", f"{iso2} is not in the 0 class"
    assert re.search(r"\b0\b", shape.locator("title").text_content()), f"{iso2}'s shape does not say 0"


def test_the_lists_map_link_keeps_the_filters(page, server):
    path = "/initiatives/?region=western-africa&topic=cybercrime&audience=law-enforcement"
    page.goto(server + path)
    link = page.locator("main").get_by_role("link", name=re.compile(r"\bmap\b", re.IGNORECASE))
    expect(link).to_have_count(1)
    target = urlsplit(link.get_attribute("href"))
    assert target.path.endswith("/countries/"), f"the map link goes to {target.path}"
    assert parse_qs(target.query) == parse_qs(urlsplit(path).query), f"the map link is {link.get_attribute('href')}"
    link.click()
    page.wait_for_url(re.compile(r"/countries/\?"))
    on_map, _ = read_counts(page, page.url)
    page.goto(server + path)
    total = result_total(page)
    # Every result reaches some West African country, and no country more results than the list has.
    assert 0 < max(on_map.values()) <= total, f"the map's busiest country has {max(on_map.values())}, the list {total}"
