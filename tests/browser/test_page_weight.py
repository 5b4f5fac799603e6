"""Light pages for slow and metered connections, and HTTP caching that lets a return visit cost next to nothing."""

import json
import re
from urllib.parse import urljoin, urlsplit

import pytest

from tests.browser.conftest import PAGE_NAMES, fetch, new_context

BUDGET = 60 * 1024  # bytes per page on first load, uncompressed: HTML + CSS + JS + images
ONE_YEAR = 31_536_000
HASHED_STATIC = re.compile(r"\.[0-9a-f]{12}\.\w+$")
ASSET_URLS = re.compile(r'<(?:link|script|img|source)\b[^>]*?\b(?:href|src)="([^"]+)"', re.IGNORECASE)


@pytest.fixture(scope="module")
def weights(artifacts):
    """page -> {bytes, resources}; printed as a table and written to test-artifacts/page-weights.json at the end."""
    measured = {}
    yield measured
    if not measured:
        return
    (artifacts / "page-weights.json").write_text(json.dumps(measured, indent=2) + "\n")
    width = max(len(name) for name in measured)
    lines = [f"\n{'page':<{width}}  {'bytes':>8}  requests  (budget {BUDGET})"]
    for name, row in measured.items():
        flag = "" if row["bytes"] <= BUDGET else "  OVER"
        lines.append(f"{name:<{width}}  {row['bytes']:>8}  {len(row['resources']):>8}{flag}")
    print("\n".join(lines))


# Translated text is longer than English: the heaviest pages are weighed in French and Spanish too.
HEAVIEST = [
    "list",
    "list-filtered",
    "list-table",
    "list-table-filtered",
    "initiative",
    "region",
    "countries",
    "countries-filtered",
    "organisations",
    "organisation-busiest",
    "coverage",
]
WEIGHED = [("en", name) for name in PAGE_NAMES] + [(lang, name) for lang in ("fr", "es") for name in HEAVIEST]


@pytest.mark.parametrize(("lang", "name"), WEIGHED)
def test_page_weighs_at_most_60_kb_on_first_load(lang, name, browser, page_urls, weights):
    context = new_context(browser, lang)  # fresh: empty cache
    page = context.new_page()
    responses = []
    page.on("response", lambda response: responses.append(response))
    # "load" waits for every stylesheet, script and image the page references (no page fetches more
    # after it); waiting for the network to be idle as well would add half a second to each page.
    page.goto(page_urls[name], wait_until="load")
    resources = []
    for response in responses:
        try:
            size = len(response.body())  # decoded, i.e. uncompressed
        except Exception:  # redirects and aborted requests have no body
            size = 0
        resources.append({"url": response.url, "type": response.request.resource_type, "bytes": size})
    context.close()

    total = sum(resource["bytes"] for resource in resources)
    weights[f"{lang}-{name}"] = {"url": page_urls[name], "bytes": total, "resources": resources}
    breakdown = "\n".join(f"  {r['bytes']:>8}  {r['type']:<10} {r['url']}" for r in resources)
    assert total <= BUDGET, f"{name} ({lang}) loads {total} bytes (budget {BUDGET}):\n{breakdown}"


def static_urls(base_url: str, page_urls: dict[str, str]) -> set[str]:
    """Every same-site asset (stylesheet, script, image) the public pages reference."""
    found = set()
    for url in page_urls.values():
        _, _, body = fetch(url)
        for ref in ASSET_URLS.findall(body.decode()):
            absolute = urljoin(url, ref.replace("&amp;", "&"))
            if absolute.startswith(base_url) and urlsplit(absolute).path.startswith("/static/"):
                found.add(absolute)
    return found


def test_stylesheet_has_a_content_hashed_name(server):
    _, _, body = fetch(server + "/")
    stylesheets = re.findall(r'<link\b[^>]*rel="stylesheet"[^>]*href="([^"]+)"', body.decode())
    assert stylesheets, "the home page links no stylesheet"
    assert any(re.search(r"/site\.[0-9a-f]{12}\.css$", href) for href in stylesheets), stylesheets


def test_static_files_are_hashed_cached_for_a_year_and_compressed(server, page_urls):
    urls = static_urls(server, page_urls)
    assert urls, "no static files found on the public pages"
    problems = []
    for url in sorted(urls):
        status, headers, _ = fetch(url, {"Accept-Encoding": "gzip"})
        cache_control = headers.get("cache-control", "")
        max_age = re.search(r"max-age=(\d+)", cache_control)
        if status != 200:
            problems.append(f"{url}: status {status}")
            continue
        if not HASHED_STATIC.search(urlsplit(url).path):
            problems.append(f"{url}: name has no content hash")
        if not max_age or int(max_age.group(1)) < ONE_YEAR:
            problems.append(f"{url}: Cache-Control {cache_control!r}, want max-age >= {ONE_YEAR}")
        if headers.get("content-encoding") not in ("gzip", "br"):
            problems.append(f"{url}: no compressed variant (Content-Encoding {headers.get('content-encoding')!r})")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_page_answers_a_conditional_request_with_304(name, page_urls):
    url = page_urls[name]
    status, headers, _ = fetch(url)
    assert status == 200
    validators = {}
    if "etag" in headers:
        validators["If-None-Match"] = headers["etag"]
    if "last-modified" in headers:
        validators["If-Modified-Since"] = headers["last-modified"]
    assert validators, f"{name}: neither ETag nor Last-Modified in {sorted(headers)}"
    for header, value in validators.items():
        again, again_headers, body = fetch(url, {header: value})
        assert again == 304, f"{name}: {header}: {value} answered {again}, want 304"
        assert body == b""
