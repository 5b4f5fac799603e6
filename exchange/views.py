from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

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
Allow: /

Sitemap: {sitemap}
"""


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    sitemap = request.build_absolute_uri(reverse("exchange:sitemap"))
    return HttpResponse(ROBOTS.format(sitemap=sitemap), content_type="text/plain; charset=utf-8")
