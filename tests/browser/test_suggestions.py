"""Suggesting an initiative in a real browser: without JavaScript, by keyboard, and an accessible error state."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import AXE_JS, new_context
from tests.browser.test_accessibility import RUN_AXE, WCAG_TAGS, describe


@pytest.fixture
def page_without_js(browser):
    context = new_context(browser, java_script_enabled=False)
    yield context.new_page()
    context.close()


def test_a_suggestion_is_sent_without_javascript(page_without_js, server):
    page = page_without_js
    page.goto(f"{server}/suggest/")
    page.get_by_label("Name of the initiative").fill("Browser-sent CERT mentoring")
    page.get_by_label("About the initiative").fill("Mentors national CERTs; sent from the browser test.")
    page.get_by_role("button", name="Send the suggestion").click()
    expect(page).to_have_url(f"{server}/suggest/thanks/")
    expect(page.get_by_role("status")).to_contain_text("will review it")


def test_the_honeypot_is_out_of_sight_and_out_of_the_tab_order(page, server):
    page.goto(f"{server}/initiatives/ocwar-c/correction/")
    expect(page.locator("input[name=homepage]")).not_to_be_in_viewport()
    reached = []
    for _ in range(60):
        page.keyboard.press("Tab")
        reached.append(page.evaluate("document.activeElement.name || document.activeElement.tagName"))
        if reached[-1] == "BUTTON":
            break
    assert "message" in reached and "homepage" not in reached


def test_the_error_state_names_each_problem_and_passes_axe(browser, server, node_tools):
    context = new_context(browser, bypass_csp=True)  # to inject axe, whatever the Content-Security-Policy
    page = context.new_page()
    page.goto(f"{server}/suggest/")
    page.get_by_label("Website (optional)").fill("not a web address")
    page.get_by_role("button", name="Send the suggestion").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Name of the initiative: This field is required.")
    expect(summary).to_contain_text("Enter a valid URL.")
    expect(page.get_by_label("Name of the initiative")).to_have_attribute("aria-invalid", "true")
    summary.get_by_role("link", name="Website (optional): Enter a valid URL.").click()
    assert page.url.endswith("#id_website")
    page.add_script_tag(path=str(AXE_JS))
    violations = page.evaluate(RUN_AXE, WCAG_TAGS)
    context.close()
    assert not violations, f"axe on the suggestion form with errors:\n{describe(violations)}"
