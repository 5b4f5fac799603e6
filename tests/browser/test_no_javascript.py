"""Without JavaScript the list still filters, and a facet's "show more" still opens."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import apply_button, facet_count, new_context, open_filters, result_total


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
