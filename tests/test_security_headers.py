"""Every response carries the security headers; in production, HTTPS only (HSTS, redirects, secure cookies)."""

import pytest
from django.conf import settings
from django.test import Client, override_settings

from tests.factories import InitiativeFactory

pytestmark = pytest.mark.django_db

POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}
PAGES = [
    "/",
    "/initiatives/",
    "/initiatives/one/",
    "/api/v1/initiatives/",
    "/initiatives/export.csv",
    "/coverage/heat-map.svg",
    "/admin/login/",
]
# What ccb_portal/settings.py sets with DJANGO_DEBUG=0 (tests/test_settings.py checks that it does).
PRODUCTION = {
    "SECURE_SSL_REDIRECT": True,
    "SECURE_REDIRECT_EXEMPT": [r"^healthz$"],
    "SECURE_HSTS_SECONDS": 31536000,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
    "SESSION_COOKIE_SECURE": True,
    "CSRF_COOKIE_SECURE": True,
    "LANGUAGE_COOKIE_SECURE": True,
}


@pytest.fixture(autouse=True)
def an_initiative():
    InitiativeFactory(slug="one", topics=["cybercrime"])


def policy(response) -> dict[str, list[str]]:
    directives = [part.split() for part in response["Content-Security-Policy"].split(";") if part.strip()]
    return {name: values for name, *values in directives}


@pytest.mark.parametrize("url", PAGES)
def test_every_page_has_the_content_security_policy(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert policy(response) == POLICY
    assert "unsafe" not in response["Content-Security-Policy"]


@pytest.mark.parametrize("url", PAGES)
def test_every_page_has_the_other_security_headers(client, url):
    response = client.get(url)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_error_pages_have_the_policy_too(client):
    response = client.get("/initiatives/no-such-initiative/")
    assert response.status_code == 404
    assert policy(response) == POLICY


def test_the_heat_map_needs_no_inline_style_to_render_under_the_policy(client):
    """Opened on its own, the SVG is a document under the same policy: presentation attributes only."""
    svg = client.get("/coverage/heat-map.svg").content.decode()
    assert "<rect" in svg
    assert "<style" not in svg and " style=" not in svg and "<script" not in svg


def test_the_api_still_answers_other_origins(client):
    response = client.get("/api/v1/initiatives/", HTTP_ORIGIN="https://research.example.org")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Content-Security-Policy" in response


@override_settings(**PRODUCTION)
@pytest.mark.parametrize("url", ["/", "/initiatives/one/", "/api/v1/initiatives/?topic=cybercrime", "/admin/login/"])
def test_in_production_plain_http_is_redirected_to_https(url):
    response = Client().get(url)
    assert response.status_code == 301
    assert response["Location"] == f"https://testserver{url}"
    assert "Strict-Transport-Security" not in response  # a browser ignores it over http anyway


@override_settings(**PRODUCTION)
@pytest.mark.parametrize("url", PAGES)
def test_in_production_https_answers_with_strict_transport_security(url):
    response = Client().get(url, secure=True)
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert policy(response) == POLICY


@override_settings(**PRODUCTION)
def test_in_production_the_health_check_answers_plain_http():
    response = Client().get("/healthz")
    # Its verdict on this test's database is tests/test_healthz.py's business: here, that it gives one.
    assert response.status_code in (200, 503)
    assert "Location" not in response
    assert set(response.json()) == {"status", "database"}


@override_settings(**PRODUCTION)
def test_in_production_cookies_travel_over_https_only_and_never_to_scripts(curator):
    curator.set_password("a-curator-password")
    curator.save()
    client = Client()
    login_form = client.get("/admin/login/", secure=True)
    response = client.post(
        "/admin/login/", {"username": "curator", "password": "a-curator-password", "next": "/admin/"}, secure=True
    )
    assert response.status_code == 302
    for cookie in [login_form.cookies["csrftoken"], response.cookies["sessionid"]]:
        assert cookie["secure"] is True, cookie.key
        assert cookie["httponly"] is True, cookie.key
        assert cookie["samesite"] == "Lax", cookie.key


@override_settings(**PRODUCTION)
def test_in_production_the_language_cookie_travels_over_https_only():
    response = Client().get("/language/fr/", {"next": "/"}, secure=True)
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME]["secure"] is True
