"""Filters that respond: a ticked box updates the list at once (static/js/filters.js), the focus comes
back to it, shared addresses carry no empty parameters; without JavaScript the apply button is in
view wherever the box was; and a donor officer reads who funds what from the list alone."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import apply_button, facet_count, new_context, result_total

VIEWPORT = {"width": 1280, "height": 900}
DONOR_FILTERS = {"region": ["western-africa"], "topic": ["cybercrime"], "audience": ["law-enforcement"]}


@pytest.fixture
def page(browser):
    context = new_context(browser, viewport=VIEWPORT)
    yield context.new_page()
    context.close()


@pytest.fixture
def page_without_javascript(browser):
    context = new_context(browser, viewport=VIEWPORT, java_script_enabled=False)
    yield context.new_page()
    context.close()


def query_of(page) -> dict[str, list[str]]:
    """The page's query, empty parameters included (so that a test can see there are none)."""
    return parse_qs(urlsplit(page.url).query, keep_blank_values=True)


def box(page, name: str, value: str):
    return page.locator(f"main form input[type=checkbox][name={name}][value={value}]")


def tick_by_keyboard(page, checkbox) -> None:
    """Space on the box, as a keyboard user does; a folded "Show more" list is opened first."""
    if not checkbox.is_visible():
        checkbox.locator("xpath=ancestor::details[1]/summary").click()
    checkbox.focus()
    page.keyboard.press("Space")


def in_viewport(locator) -> bool:
    rect = locator.bounding_box()
    return rect is not None and rect["y"] >= 0 and rect["y"] + rect["height"] <= VIEWPORT["height"]


def test_ticking_a_facet_box_updates_the_list_at_once_and_gives_the_focus_back(page, server):
    page.goto(server + "/initiatives/")
    expect(page.get_by_text("The list updates as soon as you tick a box.")).to_be_visible()  # said beforehand
    before = result_total(page)
    topics = page.locator("main form input[type=checkbox][name=topic]")
    topic = next((b for b in topics.all() if b.is_visible() and facet_count(b) not in (0, before)), None)
    assert topic is not None, "no visible topic box that would change the count"
    value, expected = topic.get_attribute("value"), facet_count(topic)

    tick_by_keyboard(page, topic)  # and no button pressed
    expect(page).to_have_url(re.compile(rf"[?&]topic={value}"))
    assert query_of(page) == {"topic": [value]}, "the address carries only what was chosen"
    expect(box(page, "topic", value)).to_be_checked()
    expect(box(page, "topic", value)).to_be_focused()
    # The new count is announced: a status region filled after the page loaded.
    expect(page.locator("main p.visually-hidden[role=status]")).to_contain_text(str(expected))
    assert result_total(page) == expected

    # Unticking goes back to the whole list, at a bare address.
    page.keyboard.press("Space")
    expect(page).to_have_url(server + "/initiatives/")
    expect(box(page, "topic", value)).to_be_focused()
    assert result_total(page) == before


def test_typing_a_search_waits_for_enter_and_sends_no_empty_parameters(page, server):
    page.goto(server + "/initiatives/")
    page.locator("#id_q").fill("cybercrime")
    page.wait_for_timeout(500)
    assert page.url == server + "/initiatives/", "the page reloaded while the visitor typed"
    page.locator("#id_q").press("Enter")
    expect(page).to_have_url(re.compile(r"\?q=cybercrime$"))
    assert query_of(page) == {"q": ["cybercrime"]}


def test_choosing_an_order_applies_it_but_arrowing_through_the_orders_waits_for_the_button(page, server):
    page.goto(server + "/initiatives/?topic=cybercrime")
    page.locator("#id_sort").focus()
    page.keyboard.press("ArrowDown")  # a closed list changes its value at each press
    page.wait_for_timeout(500)
    assert query_of(page) == {"topic": ["cybercrime"]}, "the page reloaded at the first arrow key"
    apply_button(page).click()
    expect(page).to_have_url(re.compile(r"[?&]sort="))

    page.locator("#id_sort").select_option("-updated")  # as a mouse or touch user picks one
    expect(page).to_have_url(re.compile(r"sort=-updated"))
    assert query_of(page) == {"topic": ["cybercrime"], "sort": ["-updated"]}
    expect(page.locator("#id_sort")).to_be_focused()


def test_without_javascript_the_apply_button_is_in_view_after_ticking_a_box_and_works(page_without_javascript, server):
    page = page_without_javascript
    page.goto(server + "/initiatives/")
    expect(page.get_by_text("The list updates as soon as you tick a box.")).to_be_hidden()  # not without script
    # The last visible box of the panel, far below the first screen.
    funder = page.locator("main form fieldset input[type=checkbox][name=funder]").first
    funder.scroll_into_view_if_needed()
    funder.check()
    assert page.evaluate("window.scrollY") > VIEWPORT["height"], "the box was not below the first screen"
    button = apply_button(page)
    assert in_viewport(button), f"the apply button is out of view at {button.bounding_box()}"

    value, expected = funder.get_attribute("value"), facet_count(funder)
    button.click()
    expect(page).to_have_url(re.compile(rf"[?&]funder={value}"))
    # The form sends every field, empty ones too; the list answers with its address without them.
    assert query_of(page) == {"funder": [value]}
    assert result_total(page) == expected


def test_a_donor_officer_reads_who_funds_cybercrime_work_for_west_african_police_from_the_list(page, server):
    page.goto(server + "/initiatives/")
    for name, (value,) in DONOR_FILTERS.items():
        checkbox = box(page, name, value)
        expected = facet_count(checkbox)
        tick_by_keyboard(page, checkbox)
        expect(page).to_have_url(re.compile(rf"[?&]{name}={value}"))
        expect(box(page, name, value)).to_be_checked()
        assert result_total(page) == expected
    assert query_of(page) == DONOR_FILTERS

    cards = page.locator("main .card")
    assert cards.count() == result_total(page) > 0
    funders = {}
    for card in cards.all():
        title = card.locator("h3").inner_text()
        funded = card.locator("dt:text-is('Funded by') + dd a")
        funders[title] = funded.all_inner_texts()
        for link in funded.all():
            assert re.fullmatch(r"/organisations/[\w-]+/", link.get_attribute("href"))
        # Each card also says where it works and how it reaches Western Africa.
        expect(card.locator("dt:text-is('Where') + dd .reach")).to_have_count(1)
    assert sum(bool(names) for names in funders.values()) >= len(funders) // 2, funders
    assert "European Commission" in {name for names in funders.values() for name in names}, funders
    assert urlsplit(page.url).path == "/initiatives/", "the answer needed no detail page"

    # The same answer as a table, for comparing the funders side by side.
    page.get_by_role("link", name="Table", exact=True).click()
    assert query_of(page) == {**DONOR_FILTERS, "view": ["table"]}
    table = page.get_by_role("table", name="Initiatives")
    expect(table.get_by_role("columnheader", name="Funded by")).to_be_visible()
    expect(table.locator("tbody tr")).to_have_count(len(funders))
