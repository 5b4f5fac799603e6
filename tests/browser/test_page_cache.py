"""The page cache across processes: gunicorn runs two, each with its own in-memory cache, and an
edit in the admin is seen at once by visitors whichever process answers them."""

import re

from tests.browser.conftest import fetch, log_in_to_admin

ASKS = 8  # enough for both processes to answer, and to answer from their caches


def titles(url: str) -> tuple[set[str], set[str]]:
    """The <h1> texts and the X-Cache labels of several anonymous visits."""
    seen, labels = set(), set()
    for _ in range(ASKS):
        status, headers, body = fetch(url)
        assert status == 200, url
        seen.add(re.search(r"<h1[^>]*>(.*?)</h1>", body.decode(), re.S).group(1).strip())
        labels.add(headers["x-cache"])
    return seen, labels


def rename(page, server: str, slug: str, title: str) -> None:
    page.goto(f"{server}/admin/initiatives/initiative/?q={slug}")
    page.locator("#result_list tbody tr th a").first.click()
    page.get_by_label("Title:").fill(title)
    page.locator("input[name=_save]").click()
    page.wait_for_url(re.compile(r".*/admin/initiatives/initiative/(\?.*)?$"))


def test_an_edit_in_the_admin_is_seen_at_once_by_every_process(page, server, page_urls):
    url = page_urls["initiative"]
    slug = url.rstrip("/").rsplit("/", 1)[1]
    before, labels = titles(url)
    assert len(before) == 1
    assert "hit" in labels, "the visits were not served from the cache"
    (old_title,) = before

    log_in_to_admin(page, server)
    rename(page, server, slug, "Renamed while cached")
    try:
        after, _labels = titles(url)
        assert after == {"Renamed while cached"}
        # The curator, logged in, gets the page rendered afresh.
        response = page.goto(url)
        assert response.headers["x-cache"] == "bypass"
    finally:
        rename(page, server, slug, old_title)
    assert titles(url)[0] == {old_title}
