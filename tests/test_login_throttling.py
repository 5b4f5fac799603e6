"""Login throttling (django-axes) through the real admin login form.

A user name is locked out from one address after five wrong passwords. We lock the pair
(user name, address), not the user: a stranger guessing a curator's password cannot lock the
curator out from the curator's own address, and other curators behind the same office address
keep working. Only this test client ever logs in with a password: the others use force_login,
since Client.login() authenticates without a request, which django-axes refuses.
"""

import pytest
from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.db.models import F
from django.test import override_settings

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"
PASSWORD = "a-curator-password"  # tests/conftest.py's curator
LOCKED = "Too many wrong passwords for this user from your address"
COOL_OFF = settings.AXES_COOLOFF_TIME  # DJANGO_AXES_COOLOFF_MINUTES, 15 by default


def log_in(client, username="curator", password=PASSWORD, **extra):
    return client.post(LOGIN, {"username": username, "password": password, "next": "/admin/"}, **extra)


def is_logged_in(client) -> bool:
    return client.get("/admin/").status_code == 200


def lock_out(client, username="curator", attempts=5, **extra) -> list[int]:
    return [log_in(client, username, "wrong-password", **extra).status_code for _ in range(attempts)]


def test_five_wrong_passwords_lock_the_user_out(client, curator):
    statuses = lock_out(client, attempts=30)
    assert statuses[:4] == [200] * 4  # the form again, with its error
    assert statuses[4:] == [429] * 26

    response = log_in(client)
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert not is_logged_in(client)


def test_the_lockout_page_says_how_long_to_wait_in_the_admins_look(client, curator):
    lock_out(client)
    response = log_in(client)
    assert response.status_code == 429
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert f"logging in is blocked for {settings.AXES_COOLOFF_MINUTES} minutes" in page
    assert "Cyber Capacity Building portal: curation" in page
    assert "Traceback" not in page


def test_another_user_from_the_same_address_can_still_log_in(client, curator, django_user_model):
    django_user_model.objects.create_superuser("colleague", "colleague@example.org", "colleague-password")
    lock_out(client)
    assert log_in(client, "colleague", "colleague-password").status_code == 302
    assert is_logged_in(client)


def test_the_same_user_from_another_address_can_still_log_in(client, curator):
    lock_out(client)
    response = log_in(client, REMOTE_ADDR="192.0.2.44")
    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def test_the_right_password_works_again_after_the_cool_off(client, curator):
    lock_out(client)
    assert log_in(client).status_code == 429
    # The cool-off passes: move the failures back rather than wait.
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - COOL_OFF)
    assert log_in(client).status_code == 302
    assert is_logged_in(client)


@override_settings(AXES_COOLOFF_TIME=COOL_OFF * 4)
def test_the_cool_off_is_the_configured_one(client, curator):
    lock_out(client)
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - COOL_OFF)
    response = log_in(client)
    assert response.status_code == 429
    assert f"blocked for {settings.AXES_COOLOFF_MINUTES * 4} minutes" in response.content.decode()


def test_a_reset_unlocks_the_user_before_the_cool_off(client, curator):
    lock_out(client)
    assert reset(username="curator") == 1
    assert log_in(client).status_code == 302


@override_settings(AXES_CLIENT_IP_CALLABLE="ccb_portal.security.forwarded_client_ip")
def test_behind_a_proxy_the_address_the_proxy_saw_counts(client, curator):
    """With DJANGO_BEHIND_TLS_PROXY every request comes from the proxy; X-Forwarded-For names the visitor."""
    lock_out(client, HTTP_X_FORWARDED_FOR="203.0.113.5")
    # Another visitor through the same proxy.
    assert log_in(client, HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 302
    client.logout()
    # The locked-out visitor cannot pretend to be someone else: the proxy appends the real address.
    assert log_in(client, HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.5").status_code == 429
    assert AccessAttempt.objects.get().ip_address == "203.0.113.5"


def test_without_a_proxy_a_forwarded_for_header_is_ignored(client, curator):
    lock_out(client, HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert log_in(client, HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 429
