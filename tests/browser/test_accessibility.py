"""WCAG 2.1 A and AA, as axe-core checks it, on every public page, in English and in French."""

import pytest

from tests.browser.conftest import AXE_JS, LANGUAGES, PAGE_NAMES, new_context

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

RUN_AXE = """async (tags) => {
    const results = await axe.run(document, {runOnly: {type: "tag", values: tags}});
    return results.violations.map(v => ({
        id: v.id, impact: v.impact, help: v.help, count: v.nodes.length,
        targets: v.nodes.slice(0, 3).map(n => n.target.join(" ")),
        html: v.nodes.length ? v.nodes[0].html.slice(0, 200) : "",
    }));
}"""


@pytest.fixture(params=list(LANGUAGES))
def lang_page(request, browser):
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
def test_page_has_no_wcag21_aa_violations(name, lang_page, page_urls, node_tools):
    lang, page = lang_page
    response = page.goto(page_urls[name])
    assert response.status == 200, f"{name} ({lang}) answered {response.status}"
    page.add_script_tag(path=str(AXE_JS))
    violations = page.evaluate(RUN_AXE, WCAG_TAGS)
    assert not violations, f"axe on {name} ({lang}, {page.url}):\n{describe(violations)}"


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_page_is_in_the_language_the_browser_asks_for(name, lang_page, page_urls):
    lang, page = lang_page
    page.goto(page_urls[name])
    html_lang = page.evaluate("document.documentElement.lang")
    assert html_lang == lang, f"{name}: asked for {lang!r}, <html lang> is {html_lang!r}"


def test_the_check_itself_catches_a_violation(browser, node_tools):
    """Guards against a check that passes because axe did not run: a page with a known fault must fail it."""
    context = new_context(browser)
    page = context.new_page()
    page.set_content('<!DOCTYPE html><html lang="en"><title>t</title><main><img src="x.png"></main></html>')
    page.add_script_tag(path=str(AXE_JS))
    violations = page.evaluate(RUN_AXE, WCAG_TAGS)
    context.close()
    assert "image-alt" in {v["id"] for v in violations}
