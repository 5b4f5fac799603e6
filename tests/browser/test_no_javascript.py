"""Without JavaScript the list still filters (the apply button within reach), a facet's "show more" still opens,
the list/table toggle, the countries page and the exports work."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import apply_button, facet_count, fetch, new_context, open_filters, result_total


@pytest.fixture
def page(browser):
    context = new_context(browser, java_script_enabled=False)
    yield context.new_page()
    context.close()


def test_filter_form_works_without_javascript(page, server):
    page.goto(server + "/initiatives/")
    before = result_total(page)
    open_filters(page)
    # A topic whose count differs from the total, so that filtering visibly changes the list.
    topics = page.locator("main input[type=checkbox][name=topic]")
    topic = next(
        (box for box in topics.all() if box.is_visible() and not box.is_checked() and facet_count(box) != before),
        None,
    )
    assert topic is not None, "no visible topic checkbox that would change the count"
    value, expected = topic.get_attribute("value"), facet_count(topic)
    topic.check()
    apply_button(page).click()
    expect(page).to_have_url(re.compile(r"[?&]topic="))
    assert parse_qs(urlsplit(page.url).query)["topic"] == [value]
    after = result_total(page)
    assert after != before
    assert after == expected, f"the facet promised {expected}, the list shows {after}"


def test_show_more_opens_without_javascript(page, server):
    page.goto(server + "/initiatives/")
    open_filters(page)
    more = page.locator("main fieldset details").first
    expect(more).to_have_count(1)
    hidden_option = more.locator("input[type=checkbox]").first
    assert more.get_attribute("open") is None
    expect(hidden_option).to_be_hidden()

    more.locator("summary").click()
    assert more.get_attribute("open") is not None
    expect(hidden_option).to_be_visible()

    # And what it reveals can be used.
    name, value = hidden_option.get_attribute("name"), hidden_option.get_attribute("value")
    hidden_option.check()
    apply_button(page).click()
    expect(page).to_have_url(re.compile(rf"[?&]{name}="))
    assert value in parse_qs(urlsplit(page.url).query)[name]


# --- the features of "answers at a glance", without JavaScript

FILTERED_LIST = "/initiatives/?region=western-africa&topic=cybercrime"


@pytest.fixture
def laptop_page(browser):
    context = new_context(browser, java_script_enabled=False, viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def in_viewport(locator, height: int = 900) -> bool:
    box = locator.bounding_box()  # relative to the viewport
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height


def test_apply_button_is_within_reach_after_ticking_any_box(laptop_page, server):
    page = laptop_page
    page.goto(server + "/initiatives/")
    open_filters(page)
    boxes = [box for box in page.locator("main form input[type=checkbox]").all() if box.is_visible()]
    assert len(boxes) > 10, f"only {len(boxes)} visible boxes in the filter panel"
    # The first box, one in the middle and the last: the panel is several screens long.
    for box in (boxes[0], boxes[len(boxes) // 2], boxes[-1]):
        box.scroll_into_view_if_needed()
        box.check()
        assert in_viewport(apply_button(page)), (
            f"after ticking {box.get_attribute('name')}={box.get_attribute('value')} the apply button is at "
            f"{apply_button(page).bounding_box()}, outside the 1280 x 900 window"
        )
        box.uncheck()

    chosen = boxes[len(boxes) // 2]
    name, value = chosen.get_attribute("name"), chosen.get_attribute("value")
    chosen.check()
    apply_button(page).click()
    expect(page).to_have_url(re.compile(rf"[?&]{name}="))
    query = parse_qs(urlsplit(page.url).query, keep_blank_values=True)
    assert query[name] == [value]
    empty = sorted(key for key, values in query.items() if not any(values))
    assert not empty, f"the shared link {page.url} carries empty parameters {empty}"


def test_list_and_table_toggle_without_javascript(page, server):
    page.goto(server + FILTERED_LIST)
    cards = page.locator("main .cards > .card").count()
    assert cards > 0
    page.locator("main").get_by_role("link", name="Table", exact=True).click()
    query = parse_qs(urlsplit(page.url).query)
    assert query.get("view") == ["table"], page.url
    assert query.get("region") == ["western-africa"] and query.get("topic") == ["cybercrime"], page.url
    table = page.locator("main table")
    expect(table.locator("caption")).to_have_count(1)
    expect(table.locator("tbody tr")).to_have_count(cards)
    expect(page.locator("main .cards")).to_have_count(0)

    page.locator("main").get_by_role("link", name="Cards", exact=True).click()
    query = parse_qs(urlsplit(page.url).query)
    assert "view" not in query and query.get("topic") == ["cybercrime"], page.url
    expect(page.locator("main .cards > .card")).to_have_count(cards)


def test_countries_page_and_its_table_work_without_javascript(page, server):
    response = page.goto(server + "/countries/?topic=cybercrime")
    assert response.status == 200
    expect(page.locator("main svg a[href$='NG/']")).to_have_count(1)
    nigeria = page.locator("main table tr:has(> th a[href$='NG/'])")
    expect(nigeria).to_have_count(1)
    count = int(nigeria.locator("td").inner_text())
    nigeria.locator("td").locator("a[href], button").click()
    expect(page).to_have_url(re.compile(r"/initiatives/\?"))
    query = parse_qs(urlsplit(page.url).query)
    assert query.get("country") == ["NG"] and query.get("topic") == ["cybercrime"], page.url
    assert result_total(page) == count


def test_csv_and_xlsx_links_carry_the_filters(page, server):
    page.goto(server + FILTERED_LIST)
    wanted = parse_qs(urlsplit(FILTERED_LIST).query)
    for name, path, content_type in [
        ("Download CSV", "/initiatives/export.csv", "text/csv"),
        ("XLSX", "/initiatives/export.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ]:
        link = page.locator("main").get_by_role("link", name=re.compile(re.escape(name)))
        expect(link).to_have_count(1)
        href = urlsplit(link.get_attribute("href"))
        assert href.path == path, f"{name} links to {href.path}"
        assert parse_qs(href.query) == wanted, f"{name} links to {link.get_attribute('href')}"
        status, headers, body = fetch(server + link.get_attribute("href"))
        assert status == 200, f"{name}: {status}"
        assert headers["content-type"].startswith(content_type), f"{name}: {headers['content-type']}"
        if path.endswith(".xlsx"):
            assert body[:2] == b"PK", "the XLSX file is not a zip archive"
