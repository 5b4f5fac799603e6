"""The Content-Security-Policy blocks nothing the site itself uses: no page, public or admin, reports a violation."""

import re

import pytest

from tests.browser.conftest import PAGE_NAMES, log_in_to_admin, new_context

# Runs before any of the page's own code, whatever the policy (init scripts are not subject to it).
COLLECT_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
    window.__cspViolations.push({
        directive: event.effectiveDirective, blocked: event.blockedURI,
        source: event.sourceFile, line: event.lineNumber, sample: event.sample,
    });
});
"""


class Violations:
    """What a page reports: securitypolicyviolation events, and Chromium's console messages about CSP."""

    def __init__(self, page):
        self.page = page
        self.console = []
        page.add_init_script(COLLECT_VIOLATIONS)
        page.on("console", self._on_console)

    def _on_console(self, message):
        if "Content Security Policy" in message.text:
            self.console.append(message.text)

    def seen(self) -> list:
        self.page.wait_for_timeout(100)  # the events are queued: let them arrive
        events = self.page.evaluate("window.__cspViolations || []")
        return events + self.console


@pytest.fixture
def watched_page(context):
    page = context.new_page()
    return page, Violations(page)


@pytest.fixture
def curator_page(browser, server):
    context = new_context(browser)
    page = context.new_page()
    violations = Violations(page)
    log_in_to_admin(page, server)
    assert violations.seen() == [], "the admin's login page"
    yield page, violations
    context.close()


def visit(page, url: str) -> None:
    response = page.goto(url)
    assert response.status == 200, f"{url} answered {response.status}"
    assert "content-security-policy" in response.headers, url
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_public_page_reports_no_csp_violation(name, watched_page, page_urls):
    page, violations = watched_page
    visit(page, page_urls[name])
    assert violations.seen() == [], f"{name} ({page.url})"


def test_the_heat_map_opened_on_its_own_reports_no_csp_violation(watched_page, server):
    page, violations = watched_page
    visit(page, f"{server}/coverage/heat-map.svg")
    assert page.locator("rect").count() > 10
    assert violations.seen() == []


def test_the_admin_pages_report_no_csp_violation(curator_page, server):
    page, violations = curator_page
    visit(page, f"{server}/admin/")
    assert violations.seen() == [], "admin index"

    visit(page, f"{server}/admin/initiatives/initiative/")
    assert violations.seen() == [], "initiative changelist"

    page.locator("#result_list tbody tr th a").first.click()
    page.wait_for_load_state("networkidle")
    assert re.search(r"/admin/initiatives/initiative/\d+/change/$", page.url), page.url
    # The autocomplete widgets (select2) build their markup with script: open one.
    page.locator(".select2-selection").first.click()
    page.locator(".select2-results__option").first.wait_for()
    assert violations.seen() == [], "initiative change form"

    visit(page, f"{server}/admin/initiatives/initiative/add/")
    assert violations.seen() == [], "initiative add form"


def test_the_lockout_page_reports_no_csp_violation(watched_page, server):
    """Five wrong passwords for one user name from this address: the page django-axes answers with (429)."""
    page, violations = watched_page
    for _ in range(5):
        page.goto(f"{server}/admin/login/")
        page.get_by_label("Username").fill("nobody-here")
        page.get_by_label("Password").fill("not-the-password")
        with page.expect_response(lambda r: r.request.method == "POST") as answer:
            page.get_by_role("button", name="Log in").click()
    assert answer.value.status == 429
    assert "Too many wrong passwords" in page.locator("#content").inner_text()
    assert violations.seen() == []


def test_the_check_itself_sees_a_violation(watched_page, page_urls):
    """Guards against a check that passes because nothing was listening: inline script and style must be reported."""
    page, violations = watched_page
    visit(page, page_urls["home"])
    ran = page.evaluate(
        """() => {
            const script = document.createElement("script");
            script.textContent = "window.__inlineRan = true;";
            document.body.append(script);
            document.querySelector("h1").setAttribute("style", "color: red");
            return window.__inlineRan === true;
        }"""
    )
    assert not ran, "the policy let an inline script run"
    directives = {item["directive"] for item in violations.seen() if isinstance(item, dict)}
    assert {"script-src-elem", "style-src-attr"} <= directives, violations.seen()
