"""A visitor searches in words, takes the filter the words name, and sees how each result reaches
the place; then keeps only what targets it. Keyboard alone, on the demo data."""

import re
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import expect

from tests.browser.conftest import apply_button, open_filters_by_keyboard, result_total, tab_to


def reach_labels(page) -> list[str]:
    return [text.replace("Reach:", "").strip() for text in page.locator("main .card .reach").all_inner_texts()]


def test_words_that_name_a_place_become_its_filter_and_results_say_how_they_reach_it(page, server):
    page.goto(server + "/initiatives/")
    tab_to(page, "el => el.name === 'q'")
    page.keyboard.type("cybercrime Nigéria")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"q=cybercrime"))
    by_words = result_total(page)

    suggestion = "Filter by country: Nigeria"
    expect(page.get_by_role("link", name=suggestion)).to_be_visible()
    tab_to(page, f"el => el.tagName === 'A' && el.textContent.trim() === '{suggestion}'")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"country=NG"))
    assert parse_qs(urlsplit(page.url).query) == {"q": ["cybercrime"], "country": ["NG"]}
    everywhere = result_total(page)
    # Words match only initiatives that name Nigeria; the filter adds those serving it through a region.
    assert everywhere > by_words > 0

    labels = reach_labels(page)
    assert labels and len(labels) == len(page.locator("main .card").all())
    assert "In this country" in labels
    assert any(label.startswith(("Region-wide", "Continent-wide")) or label == "Global" for label in labels)

    open_filters_by_keyboard(page)
    tab_to(page, "el => el.name === 'specific'")
    page.keyboard.press("Space")  # a ticked box applies at once (static/js/filters.js) and keeps the focus
    expect(page).to_have_url(re.compile(r"specific=1"))
    expect(page.locator("#id_specific")).to_be_checked()
    expect(page.locator("#id_specific")).to_be_focused()
    targeted = result_total(page)
    assert 0 < targeted < everywhere
    assert set(reach_labels(page)) == {"In this country"}
    assert apply_button(page).count() == 1


def test_a_misspelt_search_offers_what_the_visitor_meant(page, server):
    page.goto(server + "/initiatives/?q=Nigria")
    assert result_total(page) == 0
    expect(page.get_by_text("The search looked in titles")).to_be_visible()
    page.get_by_role("link", name="Did you mean country: Nigeria?").click()
    expect(page).to_have_url(re.compile(r"country=NG"))
    assert result_total(page) > 0


def test_a_country_page_switches_between_everything_serving_it_and_what_targets_it(page, server):
    page.goto(server + "/countries/NG/")
    serving = result_total(page)
    page.get_by_role("link", name="Show only those that target it").click()
    expect(page).to_have_url(re.compile(r"specific=1"))
    targeting = result_total(page)
    assert 0 < targeting < serving
    assert set(reach_labels(page)) == {"In this country"}
