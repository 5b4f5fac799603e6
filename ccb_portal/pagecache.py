"""The page cache: anonymous visitors' public pages and exports, kept in Django's cache.

Why not Django's own cache middleware: it keys on the full URL and on every header the
response varies on (the Cookie header, so one copy per visitor), keeps nothing that streams
(the CSV export), caches logged-in users' pages too, and is invalidated only by expiry. Here:

- the key is the normalised query (parameters sorted, empty ones dropped: `?b=2&a=1` and
  `?a=1&b=2` are one page; a query carrying empty ones is never answered from the cache, as
  the list redirects it to its canonical address), the path, host and scheme, the interface language and the
  *data revision*, a token that every write to shown data replaces when it commits
  (initiatives.membership.new_revision). A publish, an edit or an archive therefore makes
  every cached page unreachable at once, in every process and on every server sharing the
  cache, with nothing to delete; unused entries expire or are evicted.
- only anonymous requests are served from it or stored: a request carrying a session
  (a curator, an editor) or a pending message always gets a freshly rendered page.
- only complete 200 answers that set no cookie, use no CSRF token and are not marked
  private are stored; a streamed export is stored as it goes out, when it ends and is small
  enough.
- the ETag and 304 answers of ConditionalGetMiddleware (above this one) are kept: a page
  from the cache carries the ETag it had when it was rendered.
- when the database does not answer, a page already in the cache is still served (marked
  `X-Cache: stale`); anything else gets the 503 page (ccb_portal.errors).

Each answer says `X-Cache: hit`, `miss`, `stale` or `bypass`.
"""

import hashlib
import logging
import time
from collections.abc import Iterator
from urllib.parse import parse_qsl, urlencode

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils.cache import cc_delim_re
from django.utils.http import quote_etag

from ccb_portal.errors import database_unavailable
from initiatives.membership import revision, revision_pinned

logger = logging.getLogger(__name__)

LAST_REVISION_KEY = "page-revision"
# Never served from the cache: the admin, the health check, the language switch, the forms.
UNCACHED_PREFIXES = ("/healthz", "/language/", "/suggest/")
# Made from the code alone, cheaply (and answering while the database is down): the cache adds nothing.
UNCACHED_PATHS = {"/api/v1/openapi.json", "/initiatives/export.schema.json", "/robots.txt"}
STORED_HEADERS_SKIPPED = {"set-cookie", "content-length"}


def normalised_query(request: HttpRequest) -> list[tuple[str, str]]:
    """The query's parameters, sorted, without the empty ones: `?b=2&a=1&c=` and `?a=1&b=2` are one page."""
    return sorted((name, value) for name, value in parse_qsl(request.META.get("QUERY_STRING", "")) if value)


def normalised_path(request: HttpRequest) -> dict[str, str]:
    """Context processor: the page's address as the cache knows it, for links back to it (the
    language switcher). Echoing the query as sent would let one visitor's empty parameters show in
    the page every later visitor gets from the cache."""
    pairs = normalised_query(request)
    return {"normalised_path": request.path + (f"?{urlencode(pairs)}" if pairs else "")}


def cache_key(request: HttpRequest, token: str) -> str:
    pairs = normalised_query(request)
    parts = [token, request.scheme, request.get_host(), request.path, request.LANGUAGE_CODE, repr(pairs)]
    return "page:" + hashlib.sha256("\x00".join(parts).encode()).hexdigest()


def is_anonymous_read(request: HttpRequest) -> bool:
    if settings.PAGE_CACHE_SECONDS <= 0 or request.method not in ("GET", "HEAD"):
        return False
    if request.path.startswith(UNCACHED_PREFIXES) or request.path.startswith("/" + settings.ADMIN_URL):
        return False
    if request.path.endswith("/correction/") or request.path in UNCACHED_PATHS:
        return False
    # Empty parameters are dropped from the key, but the list answers them with a redirect to the
    # address without them (initiatives.browsing.without_empty_parameters): the view must see them.
    query = parse_qsl(request.META.get("QUERY_STRING", ""), keep_blank_values=True)
    if any(not value.strip() for _name, value in query):
        return False
    # A session means someone logged in (or about to): checked by cookie, so that no database
    # read is needed to tell; a pending message is for one visitor's next page only.
    return not (settings.SESSION_COOKIE_NAME in request.COOKIES or CookieStorage.cookie_name in request.COOKIES)


def is_storable(request: HttpRequest, response: HttpResponse) -> bool:
    if response.status_code != 200 or response.cookies or request.META.get("CSRF_COOKIE_USED"):
        return False
    cache_control = {part.strip().lower() for part in cc_delim_re.split(response.get("Cache-Control", ""))}
    return not cache_control & {"private", "no-cache", "no-store"}


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not is_anonymous_read(request):
            response = self.get_response(request)
            response["X-Cache"] = "bypass"
            return response
        try:
            token = revision()
        except DatabaseError as error:
            return self.without_database(request, error)
        cache.set(LAST_REVISION_KEY, token, None)
        key = cache_key(request, token)
        entry = cache.get(key)
        if entry is not None:
            return self.from_entry(entry, "hit")
        with revision_pinned(token):
            response = self.get_response(request)
        if request.method == "GET" and is_storable(request, response):
            self.store(key, response)
        response["X-Cache"] = "miss"
        return response

    def without_database(self, request: HttpRequest, error: DatabaseError) -> HttpResponse:
        """The page as it was at the last revision anyone saw, else the 503 page."""
        token = cache.get(LAST_REVISION_KEY)
        entry = cache.get(cache_key(request, token)) if token is not None else None
        if entry is not None:
            return self.from_entry(entry, "stale")
        return database_unavailable(request, error)

    @staticmethod
    def from_entry(entry: dict, label: str) -> HttpResponse:
        response = HttpResponse(entry["content"], status=entry["status"])
        for name, value in entry["headers"]:
            response[name] = value
        response["X-Cache"] = label
        response["Age"] = str(max(0, int(time.time() - entry["stored"])))
        return response

    @staticmethod
    def entry(response: HttpResponse, content: bytes) -> dict:
        headers = [(name, value) for name, value in response.items() if name.lower() not in STORED_HEADERS_SKIPPED]
        if not response.has_header("ETag"):
            # What ConditionalGetMiddleware would compute, once, so hits can be answered with a 304.
            headers.append(("ETag", quote_etag(hashlib.md5(content, usedforsecurity=False).hexdigest())))
        return {"status": response.status_code, "headers": headers, "content": content, "stored": time.time()}

    def store(self, key: str, response: HttpResponse) -> None:
        limit = settings.PAGE_CACHE_MAX_BYTES
        if not response.streaming:
            if len(response.content) <= limit:
                cache.set(key, self.entry(response, response.content), settings.PAGE_CACHE_SECONDS)
            return
        if isinstance(response, StreamingHttpResponse) and not response.is_async:
            response.streaming_content = self.teed(key, response, response.streaming_content, limit)

    def teed(self, key: str, response: HttpResponse, chunks: Iterator[bytes], limit: int) -> Iterator[bytes]:
        """The export's chunks as they go out; kept when the whole of it went out and fits."""
        kept: list[bytes] | None = []
        size = 0
        for chunk in chunks:
            if kept is not None:
                size += len(chunk)
                if size <= limit:
                    kept.append(chunk)
                else:
                    kept = None
            yield chunk
        if kept is not None:
            cache.set(key, self.entry(response, b"".join(kept)), settings.PAGE_CACHE_SECONDS)
