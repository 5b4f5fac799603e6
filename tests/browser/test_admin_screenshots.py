"""The curators' admin on a 1280 x 900 laptop: what fits, what a search finds, screenshots to look at.

The navigation sidebar is open (Django's default), the narrowest the changelists ever get at this width.
"""

import re

import pytest

from tests.browser.conftest import log_in_to_admin, new_context

WIDTH, HEIGHT = 1280, 900


@pytest.fixture
def admin_page(browser, server):
    context = new_context(browser, viewport={"width": WIDTH, "height": HEIGHT})
    page = context.new_page()
    log_in_to_admin(page, server)
    yield page
    context.close()


def shoot(page, artifacts, name: str, *, full_page: bool = False) -> None:
    path = artifacts / "screenshots" / f"admin-{name}.png"
    path.parent.mkdir(exist_ok=True)
    path.unlink(missing_ok=True)
    page.screenshot(path=str(path), full_page=full_page)
    assert path.stat().st_size > 10_000, f"{path} is only {path.stat().st_size} bytes"


def page_width(page) -> int:
    return page.evaluate("document.scrollingElement.scrollWidth")


def assert_every_column_shows(page) -> None:
    """No sideways scrolling: neither the page nor the table's own scroller (where columns would hide)."""
    assert page_width(page) <= WIDTH, f"the page scrolls sideways ({page_width(page)} px)"
    results = page.locator("#changelist-form .results")
    overflow = results.evaluate("el => el.scrollWidth - el.clientWidth")
    assert overflow <= 0, f"the table is {overflow} px wider than its space: its last columns are cut off"


def found_count(page) -> int:
    """The changelist's "N results" next to the search box."""
    text = page.locator("#changelist-search .small.quiet").first.inner_text()
    return int(re.search(r"\d+", text).group())


def test_initiative_changelist_fits_and_cuts_long_titles(admin_page, server, artifacts):
    page = admin_page
    page.goto(f"{server}/admin/initiatives/initiative/")
    shoot(page, artifacts, "initiatives")
    assert_every_column_shows(page)
    headers = [text.strip().lower() for text in page.locator("#result_list thead th").all_inner_texts()]
    for column in ("title", "state", "places", "topics", "updated"):
        assert column in headers, f"no {column} column in {headers}"
    # At most two lines of title per row, the whole title in its tooltip.
    titles = page.locator("#result_list .field-title_cell .clamp")
    line_height = float(titles.first.evaluate("el => parseFloat(getComputedStyle(el).lineHeight)"))
    heights = titles.evaluate_all("els => els.map(el => el.getBoundingClientRect().height)")
    assert heights and max(heights) <= 2 * line_height + 1, f"a title takes {max(heights)} px ({line_height} a line)"
    long_title = titles.evaluate_all("els => els.map(el => el.title).sort((a, b) => b.length - a.length)[0]")
    assert len(long_title) > 60
    # Places read as codes or region names: "NG, GH +3".
    places = " ".join(page.locator("#result_list td.field-places").all_inner_texts())
    assert re.search(r"\b[A-Z]{2}\b", places) and re.search(r"\+\d", places), places


def test_initiative_search_finds_a_country_in_any_language(admin_page, server, artifacts):
    page = admin_page
    page.goto(f"{server}/admin/initiatives/initiative/")
    page.locator("#searchbar").fill("Nigéria")
    page.locator("#searchbar").press("Enter")
    page.wait_for_url(re.compile(r".*\?q=Nig"))
    shoot(page, artifacts, "search-nigeria")
    found = found_count(page)
    # Those naming Nigeria and those reaching it through a region (ECOWAS, Africa, global ones).
    assert found >= 10, f"only {found} initiatives found for Nigéria"
    assert_every_column_shows(page)
    for query in ("nigeria", "NIGERIA", "NG", "Nigeria"):
        page.goto(f"{server}/admin/initiatives/initiative/?q={query}")
        assert found_count(page) == found, query


def test_initiative_form_has_wide_inputs_and_a_country_autocomplete_that_ranks_codes_first(
    admin_page, server, artifacts
):
    page = admin_page
    page.goto(f"{server}/admin/initiatives/initiative/")
    page.locator("#result_list tbody tr th a").first.click()
    page.wait_for_url(re.compile(r".*/admin/initiatives/initiative/\d+/change/$"))
    assert page_width(page) <= WIDTH, f"the form scrolls sideways ({page_width(page)} px)"
    title = page.locator("#id_title").bounding_box()
    summary = page.locator("#id_summary")
    assert title["width"] >= 600, f"the title input is {title['width']} px wide"
    assert summary.evaluate("el => el.tagName") == "TEXTAREA"
    assert summary.bounding_box()["width"] >= 600
    shoot(page, artifacts, "initiative-form", full_page=True)
    # One blank participant row at most, none for provenance.
    blank = "tbody tr.form-row:not(.has_original):not(.empty-form)"
    assert page.locator(f"#participations-group {blank}").count() <= 1
    assert page.locator(f"#source_records-group {blank}").count() == 0

    # On an empty form: select2 would scroll the list to the countries already chosen.
    page.goto(f"{server}/admin/initiatives/initiative/add/")
    page.locator(".form-row.field-countries .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill("NG")
    first = page.locator(".select2-results__option").first
    first.wait_for()
    page.wait_for_function(
        "() => !document.querySelector('.select2-results__option.loading-results')"
        " && document.querySelectorAll('.select2-results__option').length > 1"
    )
    options = page.locator(".select2-results__option").all_inner_texts()
    assert options[0] == "Nigeria", options[:5]
    shoot(page, artifacts, "autocomplete-ng")


def test_organisation_changelist_fits(admin_page, server, artifacts):
    page = admin_page
    page.goto(f"{server}/admin/initiatives/organisation/")
    assert_every_column_shows(page)
    # Case-insensitive ("eGovernment Academy" among the E's); accented initials are the databases' business.
    names = [name for name in page.locator("#result_list tbody th").all_inner_texts() if name.isascii()]
    assert names == sorted(names, key=str.lower), "organisations are not sorted case-insensitively"
    shoot(page, artifacts, "organisations")
