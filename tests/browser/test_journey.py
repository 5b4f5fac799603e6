"""A visitor's journey: home -> a region -> narrowed by topic and audience -> an initiative -> back -> CSV.

Once with the mouse, once with the keyboard alone.
"""

import csv
import io
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import expect

from tests.browser.conftest import (
    download_link,
    facet_count,
    focused,
    open_filters,
    open_filters_by_keyboard,
    result_titles,
    result_total,
    stated_rows,
    tab_to,
)

REGION = "Africa"
TOPIC = "Cybercrime"
AUDIENCE = ("audience", "judiciary")
FILTERED = {"region": ["africa"], "topic": ["cybercrime"], "audience": ["judiciary"]}
INITIATIVE_LINK_JS = (
    "el => el.tagName === 'A' && /^\\/initiatives\\/(?!export)[\\w-]+\\/$/.test(el.getAttribute('href'))"
)


def query_of(page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def read_csv(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "the CSV does not start with a UTF-8 byte order mark"
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def assert_csv_matches(download, titles: list[str], stated: int) -> None:
    assert download.suggested_filename.endswith(".csv"), download.suggested_filename
    rows = read_csv(Path(download.path()))
    header, data = rows[0], rows[1:]
    assert header[:2] == ["slug", "title"], header
    assert len(data) == stated, f"the link said {stated} rows, the CSV has {len(data)}"
    assert sorted(row[1] for row in data) == sorted(titles), "the CSV is not the set of initiatives listed"


def test_visitor_narrows_a_region_opens_an_initiative_comes_back_and_downloads_the_csv(page, server):
    page.goto(server + "/")
    page.get_by_role("main").get_by_role("link", name=REGION, exact=True).first.click()
    expect(page).to_have_url(re.compile(r"/regions/africa/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(REGION)

    # The region page breaks its initiatives down by topic; each count links to the filtered list.
    topic_row = page.locator("table", has=page.get_by_text("By topic", exact=True)).locator(
        "tr", has=page.get_by_role("rowheader", name=TOPIC, exact=True)
    )
    topic_link = topic_row.locator("td").get_by_role("link")  # the count; the row's heading links to the topic page
    in_topic = int(topic_link.inner_text())
    topic_link.click()
    assert query_of(page) == {"region": ["africa"], "topic": ["cybercrime"]}
    assert result_total(page) == in_topic

    open_filters(page)
    audience = page.locator(f"input[type=checkbox][name={AUDIENCE[0]}][value={AUDIENCE[1]}]")
    expected = facet_count(audience)
    audience.check()  # a ticked box applies at once (static/js/filters.js)
    expect(page).to_have_url(re.compile(r"audience=judiciary"))
    assert query_of(page) == FILTERED
    total = result_total(page)
    assert total == expected, f"the facet promised {expected}, the list shows {total}"
    assert 0 < total <= in_topic
    titles = result_titles(page)
    assert len(titles) == total  # one page

    filtered_url = page.url
    page.get_by_role("main").get_by_role("link", name=titles[0], exact=True).click()
    expect(page).to_have_url(re.compile(r"/initiatives/[\w-]+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(titles[0])

    page.go_back()
    assert page.url == filtered_url
    assert result_titles(page) == titles
    assert result_total(page) == total

    stated = stated_rows(page)
    assert stated == total
    with page.expect_download() as download_info:
        download_link(page).click()
    download = download_info.value
    assert "region-africa" in download.suggested_filename
    assert_csv_matches(download, titles, stated)


# Keyboard only.


def test_the_same_journey_works_with_the_keyboard_alone(page, server):
    page.goto(server + "/")

    page.keyboard.press("Tab")
    first = focused(page)
    assert first["tag"] == "A" and first["text"] == "Skip to content", f"first Tab stop is {first}"
    assert first["href"] == "#main"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
    page.keyboard.press("Tab")
    after_skip = focused(page)
    assert after_skip.get("inMain"), f"after the skip link, Tab went to {after_skip}, outside <main>"

    tab_to(page, f"el => el.tagName === 'A' && el.textContent.trim() === '{REGION}' && !!el.closest('main')")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/regions/africa/$"))

    tab_to(
        page,
        "el => el.tagName === 'A' && !!el.closest('td') "
        f"&& el.closest('tr').querySelector('th')?.textContent.trim() === '{TOPIC}'",
    )
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/initiatives/\?"))
    assert query_of(page) == {"region": ["africa"], "topic": ["cybercrime"]}

    open_filters_by_keyboard(page)
    name, value = AUDIENCE
    tab_to(page, f"el => el.type === 'checkbox' && el.name === '{name}' && el.value === '{value}'")
    page.keyboard.press("Space")  # a ticked box applies at once (static/js/filters.js) and keeps the focus
    expect(page).to_have_url(re.compile(r"audience=judiciary"))
    expect(page.locator(f"input[name={name}][value={value}]")).to_be_focused()
    assert query_of(page) == FILTERED
    total = result_total(page)
    titles = result_titles(page)
    assert total == len(titles) > 0

    opened = tab_to(page, INITIATIVE_LINK_JS + " && !!el.closest('main')")
    assert opened["text"] == titles[0], "the first initiative link reached by Tab is not the first result"
    filtered_url = page.url
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/initiatives/[\w-]+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(titles[0])

    page.go_back()
    assert page.url == filtered_url
    assert result_titles(page) == titles

    # Forward to the first result, then back up with Shift+Tab to the download link above it.
    tab_to(page, INITIATIVE_LINK_JS + " && !!el.closest('main')")
    link = tab_to(
        page, "el => el.tagName === 'A' && /^Download CSV, \\d+ rows?$/.test(el.textContent.trim())", 30, True
    )
    stated = int(re.search(r"\d+", link["text"]).group())
    assert stated == total
    with page.expect_download() as download_info:
        page.keyboard.press("Enter")
    assert_csv_matches(download_info.value, titles, stated)
