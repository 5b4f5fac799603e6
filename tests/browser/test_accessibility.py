"""WCAG 2.2 A and AA, as axe-core checks it, on every public page, in English, French and Spanish."""

import re

import pytest

from tests.browser.conftest import AXE_JS, LANGUAGES, PAGE_NAMES, fetch, new_context

# Every success criterion up to WCAG 2.2 AA that axe can test (2.2 added AA rules only, e.g. target size).
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

RUN_AXE = """async (tags) => {
    const results = await axe.run(document, {runOnly: {type: "tag", values: tags}});
    return results.violations.map(v => ({
        id: v.id, impact: v.impact, help: v.help, count: v.nodes.length,
        targets: v.nodes.slice(0, 3).map(n => n.target.join(" ")),
        html: v.nodes.length ? v.nodes[0].html.slice(0, 200) : "",
    }));
}"""


@pytest.fixture(scope="module", params=list(LANGUAGES))
def lang_page(request, browser):
    """One tab per language for the whole module (pytest runs a language's pages together): far fewer set-ups."""
    # bypass_csp: injecting axe must work whatever Content-Security-Policy the site sends.
    context = new_context(browser, request.param, bypass_csp=True)
    yield request.param, context.new_page()
    context.close()


def describe(violations: list[dict]) -> str:
    return "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']}; {v['count']} node(s), first: {v['targets']} {v['html']}"
        for v in violations
    )


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_page_has_no_wcag22_aa_violations(name, lang_page, page_urls, node_tools):
    lang, page = lang_page
    response = page.goto(page_urls[name])
    assert response.status == 200, f"{name} ({lang}) answered {response.status}"
    page.add_script_tag(path=str(AXE_JS))
    violations = page.evaluate(RUN_AXE, WCAG_TAGS)
    assert not violations, f"axe on {name} ({lang}, {page.url}):\n{describe(violations)}"


@pytest.mark.parametrize("lang", list(LANGUAGES))
@pytest.mark.parametrize("name", PAGE_NAMES)
def test_page_is_in_the_language_the_browser_asks_for(name, lang, page_urls):
    status, _, body = fetch(page_urls[name], LANGUAGES[lang]["extra_http_headers"])
    assert status == 200, f"{name} ({lang}) answered {status}"
    html_lang = re.search(r'<html\b[^>]*\blang="([^"]*)"', body.decode())
    assert html_lang, f"{name}: no lang attribute on <html>"
    assert html_lang.group(1) == lang, f"{name}: asked for {lang!r}, <html lang> is {html_lang.group(1)!r}"


def test_the_check_itself_catches_a_violation(browser, node_tools):
    """Guards against a check that passes because axe did not run: a page with known faults must fail it."""
    context = new_context(browser)
    page = context.new_page()
    # An image without text (WCAG 2.0 A) and a 10 px button next to another (target size, WCAG 2.2 AA only).
    page.set_content(
        '<!DOCTYPE html><html lang="en"><title>t</title><main><img src="x.png">'
        '<p><button style="width:10px;height:10px;padding:0;border:0" aria-label="a"></button>'
        '<button style="width:10px;height:10px;padding:0;border:0" aria-label="b"></button></p></main></html>'
    )
    page.add_script_tag(path=str(AXE_JS))
    violations = page.evaluate(RUN_AXE, WCAG_TAGS)
    context.close()
    found = {v["id"] for v in violations}
    assert "image-alt" in found, found
    assert "target-size" in found, f"the WCAG 2.2 rules did not run: {found}"
