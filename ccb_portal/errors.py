"""What visitors get when something fails: a short page of ours, never Django's bare "Server Error (500)".

A database that does not answer (stopped, restarting, locked, not migrated yet) is a
passing state, not a bug: the answer is 503 with Retry-After, as an HTML page or as JSON for
the API, and the failure is logged once, with its traceback, then summed up at most once a
minute while it lasts, instead of a traceback per request.
"""

import logging
import sys
import threading
import time

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, ProgrammingError, connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

logger = logging.getLogger("ccb_portal.database")

LOG_EVERY_SECONDS = 60
UNDEFINED_TABLE = "42P01"  # PostgreSQL's code for "relation does not exist": not migrated


class _OutageLog:
    """One log line with the traceback when failures start, then a count at most once a minute."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.last_logged = 0.0
        self.unlogged = 0

    def failed(self, request: HttpRequest, error: BaseException) -> None:
        with self.lock:
            now = time.monotonic()
            if now - self.last_logged < LOG_EVERY_SECONDS:
                self.unlogged += 1
                return
            repeated, self.unlogged, self.last_logged = self.unlogged, 0, now
        if not repeated:
            logger.error("Database unavailable, answering 503 (%s %s): %s", request.method, request.path, error,
                         exc_info=(type(error), error, error.__traceback__))  # fmt: skip
        else:
            logger.error("Database still unavailable: %s more requests answered 503; last: %s", repeated + 1, error)


outage_log = _OutageLog()


def is_database_unavailable(error: BaseException | None) -> bool:
    if isinstance(error, OperationalError | InterfaceError):
        return True
    return isinstance(error, ProgrammingError) and getattr(error.__cause__, "pgcode", None) == UNDEFINED_TABLE


def wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/") or request.path.endswith(".json")


def database_unavailable(request: HttpRequest, error: DatabaseError) -> HttpResponse:
    outage_log.failed(request, error)
    # This thread's connection failed: the next request opens a new one. Kept, it could still point
    # at what failed (an SQLite file since moved back, a server since restarted) and pass Django's
    # end-of-request check.
    connections["default"].close()
    retry_after = settings.DATABASE_RETRY_AFTER_SECONDS
    message = _("The directory is briefly unavailable. Please try again in a minute.")
    if wants_json(request):
        response = JsonResponse({"detail": message, "retry_after": retry_after}, status=503)
    else:
        saving = request.method not in ("GET", "HEAD")
        response = _page(request, "errors/503.html", {"saving": saving, "retry_after": retry_after}, 503, message)
    response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    response._has_been_logged = True  # not again as an error by django.request
    return response


def _page(request: HttpRequest, template: str, context: dict, status: int, fallback: str) -> HttpResponse:
    try:
        content = render_to_string(template, context, request)
    except Exception:  # the page must not fail in turn: plain text then
        logger.exception("Could not render %s", template)
        return HttpResponse(fallback, status=status, content_type="text/plain; charset=utf-8")
    return HttpResponse(content, status=status)


class DatabaseUnavailableMiddleware:
    """A view that fails on the database answers 503, even with DEBUG on (the development server too)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if is_database_unavailable(exception):
            return database_unavailable(request, exception)
        return None


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: outside views too (a middleware reading the session), a database failure is a 503."""
    error = sys.exc_info()[1]
    if is_database_unavailable(error):
        return database_unavailable(request, error)
    message = _("Something went wrong on our side. It has been logged; please try again later.")
    if wants_json(request):
        return JsonResponse({"detail": message}, status=500)
    return _page(request, "errors/500.html", {}, 500, message)
