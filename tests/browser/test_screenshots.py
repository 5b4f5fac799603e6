"""The list page on a phone and on a laptop: screenshots to look at, and a layout that fits a 360 px screen."""

import struct

import pytest

from tests.browser.conftest import new_context

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_SIGNATURE and data[12:16] == b"IHDR", "not a PNG"
    return struct.unpack(">II", data[16:24])


@pytest.mark.parametrize(("width", "height"), [(360, 800), (1280, 900)])
def test_list_page_screenshot(width, height, browser, server, artifacts):
    context = new_context(browser, viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(server + "/initiatives/")
    path = artifacts / f"list-{width}.png"
    path.unlink(missing_ok=True)
    page.screenshot(path=str(path), full_page=True)

    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    # The panel is the form, or the disclosure that folds it away on small screens.
    panel = page.locator("main").locator("details:has(form), form").first.bounding_box()
    results = page.get_by_role("region", name="Results").bounding_box()
    context.close()

    data = path.read_bytes()
    shot_width, shot_height = png_size(data)
    assert len(data) > 10_000, f"{path} is only {len(data)} bytes"
    assert shot_width == width, f"the page is {shot_width} px wide in a {width} px window"
    assert shot_height >= height
    assert scroll_width <= width, f"at {width} px the page scrolls sideways (scrollWidth {scroll_width})"
    if width == 360:
        assert panel is not None, "the filter panel is not rendered at 360 px"
        assert results is not None, "no region named Results"
        assert panel["y"] < results["y"], (
            f"the filter panel (y={panel['y']}) is not above the results (y={results['y']})"
        )


# The answers at a glance, in the visitor's language: what the issue asked to judge by looking.
DONOR = "/initiatives/?region=western-africa&topic=cybercrime&audience=law-enforcement"
GLANCE = [
    ("donor-en", "en", DONOR),
    ("donor-table-en", "en", DONOR + "&view=table"),
    ("countries-fr", "fr", "/countries/?topic=cybercrime"),
    ("region-es", "es", "/regions/western-africa/"),
    ("organisation-fr", "fr", "/organisations/european-commission/"),
]


@pytest.mark.parametrize("width", [360, 1280])
@pytest.mark.parametrize(("name", "language", "path"), GLANCE, ids=[row[0] for row in GLANCE])
def test_answer_pages_screenshot_and_fit_the_screen(name, language, path, width, browser, server, artifacts):
    context = new_context(browser, language, viewport={"width": width, "height": 900})
    page = context.new_page()
    response = page.goto(server + path)
    shot = artifacts / "screenshots" / f"{name}-{width}.png"
    shot.parent.mkdir(parents=True, exist_ok=True)
    shot.unlink(missing_ok=True)
    page.screenshot(path=str(shot), full_page=width == 1280)
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    html_lang = page.evaluate("document.documentElement.lang")
    context.close()

    assert response.status == 200, f"{path} answered {response.status}"
    assert html_lang == language
    assert png_size(shot.read_bytes())[0] == width
    assert scroll_width <= width, f"{path} at {width} px scrolls sideways (scrollWidth {scroll_width})"
