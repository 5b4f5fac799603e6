"""/robots.txt: everything public may be crawled, but not /admin/ nor every combination of filters."""

import re
from urllib.robotparser import RobotFileParser

import pytest

pytestmark = pytest.mark.django_db

PUBLIC = [
    "/",
    "/initiatives/",
    "/initiatives/ocwar-c/",
    "/regions/western-africa/",
    "/countries/NG/",
    "/topics/cybercrime/",
    "/organisations/",
    "/organisations/coe/",
    "/sources/",
    "/initiatives/export.csv",
    "/initiatives/feed.atom",
    "/initiatives/export.schema.json",
    "/sitemap.xml",
    "/sitemap-initiatives.xml",
]
CLOSED = [
    "/admin/",
    "/admin/initiatives/initiative/",
    "/initiatives/?topic=cybercrime&region=africa",
    "/initiatives/?page=3",
    "/initiatives/export.csv?region=africa",
    "/initiatives/feed.atom?topic=cybercrime",
    "/language/fr/?next=/",
    "/suggest/",
    "/initiatives/ocwar-c/correction/",
]


def rules_for_every_agent(text: str) -> list[tuple[str, str]]:
    """(allow or disallow, pattern) of the `User-agent: *` group."""
    rules, in_group = [], False
    for line in text.splitlines():
        key, _, value = line.partition(":")
        key, value = key.strip().lower(), value.strip()
        if key == "user-agent":
            in_group = value == "*"
        elif in_group and key in {"allow", "disallow"} and value:
            rules.append((key, value))
    return rules


def allowed(rules: list[tuple[str, str]], path: str) -> bool:
    """RFC 9309 matching: `*` is any text, `$` the end; the longest matching rule wins, allow on a tie."""
    matching = [
        (len(pattern), kind == "allow")
        for kind, pattern in rules
        if re.match("".join(".*" if c == "*" else "$" if c == "$" else re.escape(c) for c in pattern), path)
    ]
    return max(matching)[1] if matching else True


@pytest.fixture
def robots_text(client) -> str:
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    return response.content.decode()


def test_the_matcher_used_here_can_refuse():
    rules = [("disallow", "/a/?*"), ("allow", "/")]
    assert not allowed(rules, "/a/?x=1")
    assert allowed(rules, "/a/b/")
    assert allowed([("disallow", "/a/"), ("allow", "/a/b/")], "/a/b/")  # the longer rule wins


def test_it_names_the_sitemap_by_its_absolute_url(robots_text):
    parser = RobotFileParser()
    parser.parse(robots_text.splitlines())
    assert parser.site_maps() == ["http://testserver/sitemap.xml"]


def test_it_names_the_sitemap_on_the_host_and_scheme_asked(client):
    body = client.get("/robots.txt", secure=True, HTTP_HOST="localhost").content.decode()
    assert "Sitemap: https://localhost/sitemap.xml" in body.splitlines()


@pytest.mark.parametrize("path", PUBLIC)
def test_public_pages_may_be_crawled(robots_text, path):
    assert allowed(rules_for_every_agent(robots_text), path)


@pytest.mark.parametrize("path", CLOSED)
def test_the_admin_and_filter_combinations_may_not(robots_text, path):
    assert not allowed(rules_for_every_agent(robots_text), path)


@pytest.mark.parametrize("path", PUBLIC)
def test_a_parser_without_wildcards_still_lets_public_pages_through(robots_text, path):
    # Python's parser reads a trailing "?" as nothing: "/initiatives/?" would close every initiative.
    parser = RobotFileParser()
    parser.parse(robots_text.splitlines())
    assert parser.can_fetch("AnyBot", f"http://testserver{path}")
    assert not parser.can_fetch("AnyBot", "http://testserver/admin/")
