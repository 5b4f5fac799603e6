"""Settings for the Cyber Capacity Building portal.

One module, configured by environment variables. The defaults are safe for a
developer machine (SQLite under var/, debug on); production sets
DJANGO_DEBUG=0, a real DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS and
DATABASE_URL.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.checks.security.base import (
    SECRET_KEY_INSECURE_PREFIX,
    SECRET_KEY_MIN_LENGTH,
    SECRET_KEY_MIN_UNIQUE_CHARACTERS,
)
from django.core.exceptions import ImproperlyConfigured

from ccb_portal.env import envbool, envint, envlist

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = envbool("DJANGO_DEBUG", True)

_DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", _DEV_SECRET_KEY)
# Django's own rule for a strong key (`check --deploy`, security.W009), enforced at start.
if not DEBUG and (
    SECRET_KEY == _DEV_SECRET_KEY
    or len(SECRET_KEY) < SECRET_KEY_MIN_LENGTH
    or len(set(SECRET_KEY)) < SECRET_KEY_MIN_UNIQUE_CHARACTERS
    or SECRET_KEY.startswith(SECRET_KEY_INSECURE_PREFIX)
):
    raise ImproperlyConfigured(
        "DJANGO_DEBUG is off but DJANGO_SECRET_KEY is unset or weak: it needs at least "
        f"{SECRET_KEY_MIN_LENGTH} characters, {SECRET_KEY_MIN_UNIQUE_CHARACTERS} of them different, and must not "
        f"start with {SECRET_KEY_INSECURE_PREFIX!r}. Generate one with: "
        'python -c "import secrets; print(secrets.token_urlsafe(50))"'
    )

ALLOWED_HOSTS = envlist("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = envlist("DJANGO_CSRF_TRUSTED_ORIGINS", "")

# Where the admin lives (ccb_portal/urls.py): an address of its own keeps it out of the scanners'
# sight. A path relative to the site root, like Django's own routes.
ADMIN_URL = os.environ.get("DJANGO_ADMIN_URL", "admin/")
if not ADMIN_URL.endswith("/") or ADMIN_URL.startswith("/"):
    raise ImproperlyConfigured(
        f"DJANGO_ADMIN_URL must end with '/' and not start with one, e.g. 'curation/'; got {ADMIN_URL!r}"
    )

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "corsheaders",
    "axes",
    "csp",
    "taggit",
    "simple_history",
    "taxonomy",
    "initiatives",
    "exchange",
    "insights",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    # Before anything that can answer on its own (WhiteNoise, CommonMiddleware's redirects).
    "corsheaders.middleware.CorsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "ccb_portal.middleware.vary_on_language_cookie",
    "django.middleware.common.CommonMiddleware",
    # ETags on HTML pages, and 304 answers to conditional requests.
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Anonymous public pages from the cache, below the ETag/304 and the headers every answer gets.
    "ccb_portal.pagecache.PageCacheMiddleware",
    # A view failing on the database answers 503 with Retry-After (ccb_portal.errors).
    "ccb_portal.errors.DatabaseUnavailableMiddleware",
    # Who made each change, for the history of curated records.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: turns a login refused by django-axes into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ccb_portal.urls"
WSGI_APPLICATION = "ccb_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ccb_portal.pagecache.normalised_path",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'ccb_portal.sqlite3'}"),
        conn_health_checks=True,
    )
}
# PostgreSQL connections are kept open between requests in production (a new one costs a few
# milliseconds), and checked before each reuse, so that one broken by a database restart is
# replaced instead of failing the next request. SQLite's cost nothing to open, and a kept one would
# hold on to a file that has been replaced. The development server starts a thread per request,
# which persistent connections would only leak.
_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")
DATABASES["default"]["CONN_MAX_AGE"] = envint("DATABASE_CONN_MAX_AGE", 600 if _POSTGRES and not DEBUG else 0)
if _POSTGRES:
    # An unreachable server fails the request (a 503 page) after this long instead of hanging it.
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = envint("DATABASE_CONNECT_TIMEOUT", 5)
# PostgreSQL aborts any statement running longer than this (milliseconds; 0: never). The test
# cluster sets it, so that a bad query plan fails a test instead of hanging the suite.
STATEMENT_TIMEOUT_MS = envint("DATABASE_STATEMENT_TIMEOUT_MS", 0)
if STATEMENT_TIMEOUT_MS and _POSTGRES:
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = f"-c statement_timeout={STATEMENT_TIMEOUT_MS}"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # Every account is an admin login (curators, editors): 12 characters, not Django's 8.
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# django-axes: after AXES_FAILURE_LIMIT wrong passwords for one user name from one address, that
# pair is locked out for the cool-off (each further try restarts it); other users and other
# addresses are not. Curators unlock early with `manage.py axes_reset_username NAME`.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_MINUTES = envint("DJANGO_AXES_COOLOFF_MINUTES", 15)
if AXES_COOLOFF_MINUTES < 1:
    raise ImproperlyConfigured(f"DJANGO_AXES_COOLOFF_MINUTES must be at least 1; got {AXES_COOLOFF_MINUTES}")
AXES_COOLOFF_TIME = timedelta(minutes=AXES_COOLOFF_MINUTES)
AXES_LOCKOUT_CALLABLE = "ccb_portal.security.lockout_response"
AXES_VERBOSE = False  # no banner on every manage.py command; failures and lockouts are still logged

LANGUAGE_CODE = "en"
# The interface in these languages; initiatives keep their own text. The choice
# comes from the language cookie (set by the switcher), else Accept-Language.
LANGUAGES = [("en", "English"), ("fr", "Français"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates read "1 July 2026", "1 juillet 2026", "1 de julio de 2026": the named formats
# (DATE_FORMAT, YEAR_MONTH_FORMAT) per language; templates use them, never a pattern of their own.
FORMAT_MODULE_PATH = ["ccb_portal.formats"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
FORMS_URLFIELD_ASSUME_HTTPS = True  # Django 6 default, opted into now

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "var" / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# The read-only JSON API (exchange/api): anonymous, JSON only, no sessions or CSRF to deal with.
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_PAGINATION_CLASS": "exchange.api.pagination.Pagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "URL_FORMAT_OVERRIDE": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Cyber Capacity Building portal API",
    "VERSION": "1.0.0",
    "DESCRIPTION": (
        "Read-only data of the Cyber Capacity Building portal: published initiatives, who runs and funds them, "
        "where and for whom, and the shared vocabulary (regions, countries, topics, target users, modalities). "
        "The initiatives endpoint takes the same parameters as the HTML list and the CSV export, and returns "
        "the same set. Anonymous, GET only, open to every origin."
    ),
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Endpoints in the order of exchange/api/urls.py (initiatives first), parameters as declared.
    "SORT_OPERATIONS": False,
    "SORT_OPERATION_PARAMETERS": False,
}

# Other sites' scripts may read the API and the CSV export (GET only, no cookies); nothing else.
CORS_ALLOW_ALL_ORIGINS = True
CORS_URLS_REGEX = r"^/(api/.*|initiatives/export\.(csv|schema\.json)|initiatives/feed\.atom)$"
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_ALLOW_CREDENTIALS = False

# The cache: anonymous public pages and exports (ccb_portal.pagecache), facet counts, the
# suggestion throttle. Shared by every process and server through Redis when DJANGO_REDIS_URL is
# set (`make serve` starts one); else each process keeps its own in memory, which is right for
# `make run`'s single process. Entries are keyed on the data revision, so a stale one is never
# read: nothing has to be deleted when data changes, and a full cache just drops the oldest.
REDIS_URL = os.environ.get("DJANGO_REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "ccb_portal.cache.ForgivingRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "ccb",
            # Django's Redis backend, forgiving a Redis that is down (ccb_portal/cache.py). A cache that
            # does not answer must not hold the page up: fail fast and render it.
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": envint("DJANGO_LOCMEM_CACHE_ENTRIES", 1000)},
        }
    }
# How long a public page or export stays in the cache (seconds) when no data changes meanwhile; 0: no page cache.
PAGE_CACHE_SECONDS = envint("DJANGO_PAGE_CACHE_SECONDS", 600)
# Larger responses (a full CSV export of tens of thousands of rows) stream without being kept; in
# memory of each process the bound is lower, as every process keeps its own copy.
PAGE_CACHE_MAX_BYTES = envint("DJANGO_PAGE_CACHE_MAX_BYTES", (8 * 1024 if REDIS_URL else 256) * 1024)
# When the database fails, the 503 page asks browsers and crawlers to come back after this.
DATABASE_RETRY_AFTER_SECONDS = envint("DJANGO_RETRY_AFTER_SECONDS", 30)

# Keywords are case-insensitive: "CERT" and "cert" are one tag.
TAGGIT_CASE_INSENSITIVE = True

# Suggestions and corrections from the public (exchange/suggestions.py): at most this many
# from one address per hour, counted in the default cache; beyond it the form answers 429.
SUGGESTIONS_PER_HOUR = envint("DJANGO_SUGGESTIONS_PER_HOUR", 5)

if envbool("DJANGO_BEHIND_TLS_PROXY", False):
    # The proxy terminates TLS and says so; absolute URLs (CSV detail_url) and cookies follow.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # Login throttling counts the visitor's address as the proxy saw it, not the proxy's own.
    AXES_CLIENT_IP_CALLABLE = "ccb_portal.security.forwarded_client_ip"

# HTTPS only, by default whenever debug is off: plain http redirects, browsers remember (HSTS),
# cookies never travel in clear. DJANGO_HTTPS=0 for a plain-http server on a developer's machine.
HTTPS = envbool("DJANGO_HTTPS", not DEBUG)
if HTTPS:
    SECURE_SSL_REDIRECT = True
    # An orchestrator's health check talks plain http to the container.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = envint("DJANGO_HSTS_SECONDS", 365 * 24 * 60 * 60)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # Preload lists ship in browsers for months and cannot be left quickly: opt in deliberately.
    SECURE_HSTS_PRELOAD = envbool("DJANGO_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = LANGUAGE_COOKIE_SECURE = envbool("DJANGO_SECURE_COOKIES", HTTPS)
CSRF_COOKIE_HTTPONLY = True  # no script reads it: forms carry the token
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"  # links to initiatives' websites do not say where the visitor came from
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# No inline script or style anywhere (Django's admin included): everything comes from our own
# static files. The JSON API and exports are read cross-origin through CORS, which CSP does not limit.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}
