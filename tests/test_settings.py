import os
import subprocess
import sys

import pytest
from django.conf import settings

SETUP = "import django; django.setup(); from django.conf import settings; print({})"
# A random 50-character key, written down so that the tests are reproducible.
STRONG_KEY = "t7Rq-4pZ_w9Lx2Nc8Vb6Ym3Kd5Hf1Jg0Ss-Aa7Ee4Ii9Oo2Uu3"
PRODUCTION = {"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": STRONG_KEY, "DJANGO_ALLOWED_HOSTS": "ccb.example"}


def clean_env(env_overrides):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(DJANGO_SETTINGS_MODULE="ccb_portal.settings", **env_overrides)
    return env


def run_with(env_overrides, expression="settings.DEBUG"):
    """Start Django in a fresh process with these variables (and no other DJANGO_ ones); print `expression`."""
    return subprocess.run(
        [sys.executable, "-c", SETUP.format(expression)],
        env=clean_env(env_overrides),
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
    )


def manage(env_overrides, *args):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        env=clean_env(env_overrides),
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = run_with({"DJANGO_DEBUG": "0"})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


@pytest.mark.parametrize(
    "key",
    [
        STRONG_KEY[:49],
        "ab" * 25,  # long enough, but four different characters or fewer
        "django-insecure-" + STRONG_KEY,  # what startproject writes
    ],
    ids=["49-characters", "few-different-characters", "startproject-prefix"],
)
def test_production_refuses_a_weak_secret_key(key):
    result = run_with({**PRODUCTION, "DJANGO_SECRET_KEY": key})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is unset or weak: it needs at least 50 characters" in result.stderr


def test_production_starts_with_a_real_secret_key():
    result = run_with(PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_a_bad_boolean_is_a_clear_error():
    result = run_with({"DJANGO_DEBUG": "maybe"})
    assert result.returncode != 0
    assert "DJANGO_DEBUG must be one of" in result.stderr


def test_a_bad_number_is_a_clear_error():
    result = run_with({"DATABASE_CONN_MAX_AGE": "ten"})
    assert result.returncode != 0
    assert "DATABASE_CONN_MAX_AGE must be a whole number" in result.stderr


HTTPS_SETTINGS = (
    "[settings.SECURE_SSL_REDIRECT, settings.SECURE_HSTS_SECONDS, settings.SECURE_HSTS_INCLUDE_SUBDOMAINS,"
    " settings.SECURE_HSTS_PRELOAD, settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE,"
    " settings.LANGUAGE_COOKIE_SECURE]"
)


def test_production_is_https_only_by_default():
    result = run_with(PRODUCTION, HTTPS_SETTINGS)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[True, 31536000, True, False, True, True, True]"


def test_hsts_duration_and_preload_are_configurable():
    result = run_with({**PRODUCTION, "DJANGO_HSTS_SECONDS": "600", "DJANGO_HSTS_PRELOAD": "1"}, HTTPS_SETTINGS)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[True, 600, True, True, True, True, True]"


@pytest.mark.parametrize(
    "env",
    [{**PRODUCTION, "DJANGO_HTTPS": "0"}, {"DJANGO_DEBUG": "1"}],
    ids=["plain-http-server", "debug"],
)
def test_https_can_be_off_for_a_plain_http_server_and_is_off_with_debug(env):
    result = run_with(env, HTTPS_SETTINGS)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[False, 0, False, False, False, False, False]"


def test_secure_cookies_can_still_be_turned_off_alone():
    result = run_with({**PRODUCTION, "DJANGO_SECURE_COOKIES": "0"}, HTTPS_SETTINGS)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[True, 31536000, True, False, False, False, False]"


def test_deploy_checks_pass_with_production_settings():
    result = manage(PRODUCTION, "check", "--deploy", "--fail-level", "WARNING")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output
    assert "WARNING" not in output and "security.W" not in output, output


HTTPS_WARNINGS = ["security.W004", "security.W008", "security.W012", "security.W016"]


def test_deploy_checks_find_no_missing_https_setting_when_debug_is_off():
    output = manage(PRODUCTION, "check", "--deploy").stderr
    assert not [warning for warning in HTTPS_WARNINGS if warning in output], output


def test_deploy_checks_do_warn_when_https_is_turned_off():
    """The test above could pass because the checks did not run: without HTTPS they must complain."""
    output = manage({**PRODUCTION, "DJANGO_HTTPS": "0"}, "check", "--deploy").stderr
    assert [warning for warning in HTTPS_WARNINGS if warning in output] == HTTPS_WARNINGS, output


@pytest.mark.parametrize("value", ["/curation/", "curation", ""])
def test_a_bad_admin_url_is_a_clear_error(value):
    result = run_with({"DJANGO_ADMIN_URL": value})
    assert result.returncode != 0
    assert "DJANGO_ADMIN_URL must end with '/' and not start with one" in result.stderr


def test_the_admin_url_is_configurable():
    result = run_with({"DJANGO_ADMIN_URL": "curation-7f3a/"}, "settings.ADMIN_URL")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "curation-7f3a/"


@pytest.mark.parametrize(("value", "message"), [("0", "must be at least 1"), ("soon", "must be a whole number")])
def test_a_bad_login_cool_off_is_a_clear_error(value, message):
    result = run_with({"DJANGO_AXES_COOLOFF_MINUTES": value})
    assert result.returncode != 0
    assert f"DJANGO_AXES_COOLOFF_MINUTES {message}" in result.stderr


def test_the_login_cool_off_is_configurable():
    result = run_with({"DJANGO_AXES_COOLOFF_MINUTES": "60"}, "settings.AXES_COOLOFF_TIME.total_seconds()")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "3600.0"


def test_passwords_need_twelve_characters():
    from django.contrib.auth.password_validation import get_password_validators, validate_password
    from django.core.exceptions import ValidationError

    assert len(get_password_validators(settings.AUTH_PASSWORD_VALIDATORS)) == 4
    validate_password("kelp-harbour-71")
    with pytest.raises(ValidationError, match="at least 12 characters"):
        validate_password("kelp-harb-7")
