"""Exchange with other mappings and machines: the JSON API, feeds, sitemap and robots.txt."""

from django.contrib.sitemaps.views import index, sitemap
from django.urls import include, path

from exchange import views
from exchange.feeds import InitiativeFeed
from exchange.sitemaps import SITEMAPS

app_name = "exchange"

urlpatterns = [
    path("api/v1/", include(("exchange.api.urls", "api"))),
    path("initiatives/feed.atom", InitiativeFeed(), name="feed"),
    path(
        "sitemap.xml",
        index,
        {"sitemaps": SITEMAPS, "sitemap_url_name": "exchange:sitemap-section"},
        name="sitemap",
    ),
    path("sitemap-<slug:section>.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap-section"),
    path("robots.txt", views.robots_txt, name="robots"),
]
