"""Browser tests: a real server (gunicorn, DEBUG off, demo data) driven by Chromium through Playwright.

Run them alone with `pytest tests/browser`; the other runs pass `--ignore=tests/browser`.
They never touch pytest-django's test database: the server has its own SQLite file in a
temporary directory, so nothing here asks for the `db` fixture.
"""

import json
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO_ROOT / "test-artifacts"
NODE_MODULES = REPO_ROOT / "node_modules"
AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]
SERVER_START_TIMEOUT = 30  # seconds
# An admin account on the test server only (load_demo refuses its demo accounts with DEBUG off).
CURATOR_USERNAME = "browser-curator"
CURATOR_PASSWORD = secrets.token_urlsafe(16)

# What a browser sends for each interface language.
LANGUAGES = {
    "en": {"locale": "en-GB", "extra_http_headers": {"Accept-Language": "en"}},
    "fr": {"locale": "fr-FR", "extra_http_headers": {"Accept-Language": "fr"}},
    "es": {"locale": "es-ES", "extra_http_headers": {"Accept-Language": "es"}},
}


@dataclass(frozen=True)
class PublicPage:
    """One public page the browser tests visit: a fixed path, or the first link matching `pick` on `path`."""

    name: str
    path: str
    pick: str = ""


# The pages every cross-cutting check (accessibility, weight, HTML validity) covers.
PAGES = [
    PublicPage("home", "/"),
    PublicPage("list", "/initiatives/"),
    PublicPage("list-filtered", "/initiatives/?region=africa&topic=cybercrime"),
    PublicPage("list-table", "/initiatives/?view=table"),
    PublicPage("list-table-filtered", "/initiatives/?view=table&region=western-africa&topic=cybercrime"),
    PublicPage("initiative", "/initiatives/", pick=r'href="(/initiatives/(?!export)[\w-]+/)"'),
    PublicPage("regions", "/regions/"),
    PublicPage("region", "/regions/africa/"),
    PublicPage("countries", "/countries/"),
    PublicPage("countries-filtered", "/countries/?topic=cybercrime"),
    PublicPage("country", "/countries/NG/"),
    PublicPage("topic", "/topics/incident-management/"),
    PublicPage("audience", "/audiences/law-enforcement/"),
    PublicPage("organisations", "/organisations/"),
    PublicPage("organisation", "/organisations/", pick=r'href="(/organisations/[\w-]+/)"'),
    PublicPage("organisation-busiest", "/organisations/european-commission/"),  # the most initiatives: the heaviest
    PublicPage("sources", "/sources/"),
    PublicPage("source-overlap", "/sources/", pick=r'href="(/sources/[\w-]+/and/[\w-]+/)"'),
    PublicPage("coverage", "/coverage/"),
    PublicPage("coverage-region", "/coverage/?within=western-africa"),
    PublicPage("needs", "/needs/"),
    PublicPage("need", "/needs/", pick=r'href="(/needs/[\w-]+/)"'),
    PublicPage("compare", "/compare/?country=NG&country=GH&region=sadc"),
    PublicPage("api-docs", "/api/v1/"),
    PublicPage("suggest", "/suggest/"),
    PublicPage("suggest-thanks", "/suggest/thanks/"),
    PublicPage("correction", "/initiatives/ocwar-c/correction/"),
]
PAGE_NAMES = [page.name for page in PAGES]


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: drives a real server with Chromium (run with `pytest tests/browser`)")


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """GET without following the browser: status, headers (lower-case names) and raw body; no exception on 4xx/5xx."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _manage(env: dict[str, str], *args: str) -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"manage.py {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
        )


@pytest.fixture(scope="session")
def server():
    """Base URL (no trailing slash) of gunicorn serving the demo data with DEBUG off."""
    with tempfile.TemporaryDirectory(prefix="ccb-browser-") as tmp:
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{tmp}/browser.sqlite3",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(48)[:50],
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_HTTPS": "0",  # plain http on 127.0.0.1: no redirect to https, no HSTS, cookies over http
            "DJANGO_STATIC_ROOT": f"{tmp}/static",
            "PYTHONUNBUFFERED": "1",
        }
        # The server as configured here, whatever the developer's shell says: its own in-memory cache, on.
        for name in ("DJANGO_REDIS_URL", "DJANGO_PAGE_CACHE_SECONDS"):
            env.pop(name, None)
        _manage(env, "migrate", "--noinput")
        _manage(env, "load_demo")
        _manage(env, "load_demo_needs")
        curator_env = {**env, "DJANGO_SUPERUSER_PASSWORD": CURATOR_PASSWORD}
        _manage(curator_env, "createsuperuser", "--noinput", "--username", CURATOR_USERNAME, "--email", "c@example.org")
        _manage(env, "collectstatic", "--noinput")

        port = _free_port()
        base_url = f"http://127.0.0.1:{port}"
        log_path = Path(tmp) / "gunicorn.log"
        with open(log_path, "wb") as log:
            process = subprocess.Popen(
                # The production server's own settings (gunicorn.conf.py), as `make serve` runs it.
                [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "ccb_portal.wsgi"],
                cwd=REPO_ROOT,
                env={**env, "HOST": "127.0.0.1", "PORT": str(port), "WEB_CONCURRENCY": "2"},
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            _wait_until_healthy(base_url, process, log_path)
            yield base_url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_healthy(base_url: str, process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    last = "no answer"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            status, _, body = fetch(f"{base_url}/healthz")
            if status == 200:
                return
            last = f"{status} {body[:200]!r}"
        except OSError as error:
            last = repr(error)
        time.sleep(0.1)
    if process.poll() is None:
        what = f"did not answer 200 on /healthz within {SERVER_START_TIMEOUT} s"
    else:
        what = f"exited with {process.returncode} before answering on /healthz"
    raise RuntimeError(
        f"gunicorn at {base_url} {what}; last try: {last}\n"
        f"--- server output ---\n{log_path.read_text(errors='replace')}"
    )


@pytest.fixture(scope="session")
def page_urls(server) -> dict[str, str]:
    """Absolute URL of each page in PAGES, resolving the picked ones (first initiative, first organisation)."""
    urls = {}
    for page in PAGES:
        if page.pick:
            status, _, body = fetch(server + page.path)
            assert status == 200, f"{page.path} answered {status}"
            match = re.search(page.pick, body.decode())
            assert match, f"no link matching {page.pick} on {page.path}"
            urls[page.name] = server + match.group(1)
        else:
            urls[page.name] = server + page.path
    return urls


@pytest.fixture(scope="session")
def playwright_instance():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_instance):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/install_browser_deps.sh (or `make test-browser`)")
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    yield browser
    browser.close()


def new_context(browser, lang: str = "en", **options):
    """A fresh browser context (empty cache, no cookies) whose browser asks for `lang`."""
    return browser.new_context(**LANGUAGES[lang], **options)


@pytest.fixture
def context(browser):
    context = new_context(browser)
    yield context
    context.close()


@pytest.fixture
def page(context):
    return context.new_page()


def log_in_to_admin(page, server: str) -> None:
    """Log in as the test curator through the admin's real login form."""
    page.goto(f"{server}/admin/login/")
    page.get_by_label("Username").fill(CURATOR_USERNAME)
    page.get_by_label("Password").fill(CURATOR_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{server}/admin/")


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def node_tools():
    missing = [str(path) for path in (AXE_JS, VNU_JAR) if not path.exists()]
    if missing:
        pytest.fail(f"missing {', '.join(missing)}: run scripts/install_browser_deps.sh (or `make test-browser`)")


# Helpers shared by the tests that drive the list page.

DOWNLOAD_LINK = re.compile(r"^Download CSV, (\d+) rows?$")


def download_link(page):
    return page.get_by_role("link", name=DOWNLOAD_LINK)


def stated_rows(page) -> int:
    """N in the page's "Download CSV, N rows" link."""
    text = download_link(page).inner_text().strip()
    match = DOWNLOAD_LINK.match(text)
    assert match, f"unexpected download link text {text!r}"
    return int(match.group(1))


def result_total(page) -> int:
    """The number in the list's result count ("7 initiatives")."""
    text = page.get_by_role("status").first.inner_text()
    match = re.search(r"\d+", text)
    assert match, f"no number in the result count {text!r}"
    return int(match.group())


def result_titles(page) -> list[str]:
    """Titles of the initiatives listed on the page, in order."""
    return [title.strip() for title in page.locator("main .card h3").all_inner_texts()]


def apply_button(page):
    return page.get_by_role("button", name="Apply filters")


def open_filters(page) -> None:
    """Open the filter panel the way a visitor would, if it is folded away (e.g. a closed <details>)."""
    if apply_button(page).is_visible():
        return
    page.locator("details:has(form) > summary").first.click()
    assert apply_button(page).is_visible(), "the filter panel did not open"


def facet_count(checkbox) -> int:
    """The "(N)" shown next to a facet option's checkbox."""
    text = checkbox.locator("xpath=ancestor::label[1]").inner_text()
    match = re.search(r"\((\d+)\)", text)
    assert match, f"no count in the facet option {text!r}"
    return int(match.group(1))


# --- the keyboard alone


def focused(page) -> dict:
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            if (!el || el === document.body) return {tag: el ? 'BODY' : null};
            return {tag: el.tagName, text: (el.innerText || el.value || '').trim().slice(0, 200),
                    href: el.getAttribute('href'), name: el.getAttribute('name'), inMain: !!el.closest('main')};
        }"""
    )


def tab_to(page, predicate_js: str, max_presses: int = 300, backwards: bool = False) -> dict:
    """Press Tab (Shift+Tab if backwards) until document.activeElement satisfies the JS predicate `el => bool`."""
    key = "Shift+Tab" if backwards else "Tab"
    test = (
        f"() => {{ const el = document.activeElement; return !!el && el !== document.body && ({predicate_js})(el); }}"
    )
    seen = []
    for _ in range(max_presses):
        page.keyboard.press(key)
        if page.evaluate(test):
            return focused(page)
        seen.append(focused(page))
    trail = "\n".join(json.dumps(item) for item in seen[-15:])
    raise AssertionError(f"{key} x{max_presses} never reached {predicate_js}; last focused:\n{trail}")


def open_filters_by_keyboard(page) -> None:
    if apply_button(page).is_visible():
        return
    tab_to(page, "el => el.tagName === 'SUMMARY' && !!el.parentElement.querySelector('form button[type=submit]')")
    page.keyboard.press("Enter")
    assert apply_button(page).is_visible(), "Enter on the filter panel's summary did not open it"
