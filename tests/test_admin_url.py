"""The admin's address comes from DJANGO_ADMIN_URL (settings.ADMIN_URL), "admin/" by default."""

import importlib

import pytest
from django.test import override_settings
from django.urls import clear_url_caches, reverse

import ccb_portal.urls

pytestmark = pytest.mark.django_db

ELSEWHERE = "curation-7f3a/"


def reload_urlconf():
    importlib.reload(ccb_portal.urls)
    clear_url_caches()


@pytest.fixture
def admin_elsewhere():
    """The URLconf read with ADMIN_URL=ELSEWHERE, as a server started with that setting would; restored after."""
    with override_settings(ADMIN_URL=ELSEWHERE):
        reload_urlconf()
        yield
    reload_urlconf()


def test_the_admin_is_at_admin_by_default(client, settings):
    assert settings.ADMIN_URL == "admin/"
    assert reverse("admin:index") == "/admin/"
    assert client.get("/admin/login/").status_code == 200


def test_the_admin_answers_at_the_configured_address(admin_elsewhere, client, curator):
    assert reverse("admin:index") == f"/{ELSEWHERE}"
    login = client.get(f"/{ELSEWHERE}login/")
    assert login.status_code == 200
    assert 'name="password"' in login.content.decode()
    client.force_login(curator)
    assert client.get(f"/{ELSEWHERE}initiatives/initiative/").status_code == 200


def test_the_default_address_is_not_found_when_the_admin_moves(admin_elsewhere, client, curator):
    client.force_login(curator)
    for path in ["/admin/", "/admin/login/", "/admin/initiatives/initiative/"]:
        assert client.get(path).status_code == 404, path


def test_an_anonymous_visitor_is_sent_to_the_moved_login_page(admin_elsewhere, client):
    response = client.get(f"/{ELSEWHERE}")
    assert response.status_code == 302
    assert response["Location"].startswith(f"/{ELSEWHERE}login/")
