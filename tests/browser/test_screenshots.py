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
