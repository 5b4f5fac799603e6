"""Exchange with other mappings, machines and people: the JSON API, feeds, sitemap, robots.txt and suggestions."""

from django.contrib.sitemaps.views import index, sitemap
from django.urls import include, path
from django.views.decorators.http import require_safe

from exchange import views
from exchange.feeds import InitiativeFeed
from exchange.sitemaps import SITEMAPS

app_name = "exchange"

urlpatterns = [
    path("api/v1/", include(("exchange.api.urls", "api"))),
    path("initiatives/feed.atom", InitiativeFeed(), name="feed"),
    # Django's sitemap views answer any method: read-only here, as every other page (a POST is a 405).
    path(
        "sitemap.xml",
        require_safe(index),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "exchange:sitemap-section"},
        name="sitemap",
    ),
    path("sitemap-<slug:section>.xml", require_safe(sitemap), {"sitemaps": SITEMAPS}, name="sitemap-section"),
    path("robots.txt", views.robots_txt, name="robots"),
    path("suggest/", views.suggest, name="suggest"),
    path("suggest/thanks/", views.suggest_thanks, name="suggest_thanks"),
    path("initiatives/<slug:slug>/correction/", views.correction, name="correction"),
]
