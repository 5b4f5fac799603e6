import hashlib
import math
import re

from django.conf import settings
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import quote_etag
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from exchange.forms import CorrectionForm, SuggestInitiativeForm
from exchange.models import Suggestion
from exchange.suggestions import client_address, client_key, count_submission, create_suggestion
from initiatives.selectors import published_at

# Crawlers may read every public page, but not every combination of filters: each facet
# link on the list adds a parameter, so filtered, sorted and paged lists (and the export
# and feed of each filter) make far more URLs than there are initiatives, all showing
# pages the sitemap already lists. The unfiltered export and feed stay open: they are the
# whole data set, once. The language links only set a cookie and redirect back.
# "?*" rather than a bare "?": some parsers (Python's urllib.robotparser among them) drop
# a trailing "?" and would read "/initiatives/?" as all of /initiatives/; crawlers that
# know wildcards (RFC 9309) read both the same.
ROBOTS = """\
User-agent: *
Disallow: /admin/
Disallow: /initiatives/?*
Disallow: /initiatives/export.csv?*
Disallow: /initiatives/feed.atom?*
Disallow: /language/
Disallow: /suggest/
Disallow: /initiatives/*/correction/
Allow: /

Sitemap: {sitemap}
"""


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    sitemap = request.build_absolute_uri(reverse("exchange:sitemap"))
    return HttpResponse(ROBOTS.format(sitemap=sitemap), content_type="text/plain; charset=utf-8")


# Suggestions from the public (services in exchange/suggestions.py).

CSRF_TOKEN_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]*"')


class HttpResponseSeeOther(HttpResponseRedirect):
    status_code = 303


@require_http_methods(["GET", "HEAD", "POST"])
def suggest(request: HttpRequest) -> HttpResponse:
    form = SuggestInitiativeForm(request.POST if request.method == "POST" else None)
    return _receive(request, form, "exchange/suggestion_form.html", {}, kind=Suggestion.Kind.NEW)


@require_http_methods(["GET", "HEAD", "POST"])
def correction(request: HttpRequest, slug: str) -> HttpResponse:
    initiative, moved_to = published_at(slug)
    if initiative is None:  # as on the initiative's page: a former address answers 301, anything else 404
        if moved_to is None:
            raise Http404(_("No initiative at this address."))
        return HttpResponsePermanentRedirect(reverse("exchange:correction", kwargs={"slug": moved_to}))
    form = CorrectionForm(request.POST if request.method == "POST" else None)
    context = {"initiative": initiative}
    template = "exchange/suggestion_correction.html"
    return _receive(request, form, template, context, kind=Suggestion.Kind.CORRECTION, initiative=initiative)


@require_safe
def suggest_thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "exchange/suggestion_thanks.html")


def _receive(request: HttpRequest, form: Form, template: str, context: dict, **about) -> HttpResponse:
    """Both forms: show; or check, count against the rate limit, store (unless a robot filled the honeypot), thank."""
    context = {**context, "form": form}
    if request.method != "POST":
        return _etag_without_csrf_token(request, render(request, template, context))
    caught = form.caught_by_honeypot()  # a robot: answered as anyone else, its message dropped
    if not caught and not form.is_valid():
        return render(request, template, context, status=400)
    client = client_key(client_address(request))
    wait = count_submission(client=client)
    if wait:
        response = render(request, template, {**context, "retry_minutes": math.ceil(wait / 60)}, status=429)
        response["Retry-After"] = str(wait)
        return response
    if not caught:
        create_suggestion(client=client, **about, **form.suggestion())
    return HttpResponseSeeOther(reverse("exchange:suggest_thanks"))


def _etag_without_csrf_token(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """The ETag of a page with a form: its content but the CSRF token, which is masked anew on every response.

    Keyed on the CSRF cookie the client sent (when Django kept it), so a 304 only ever confirms a page
    whose token matches the client's cookie; ConditionalGetMiddleware answers the 304.
    """
    sent = request.COOKIES.get(settings.CSRF_COOKIE_NAME, "")
    secret = sent if sent and sent == request.META.get("CSRF_COOKIE") else ""
    content = CSRF_TOKEN_INPUT.sub(b"", response.content) + secret.encode()
    response["ETag"] = quote_etag(hashlib.md5(content, usedforsecurity=False).hexdigest())
    return response
