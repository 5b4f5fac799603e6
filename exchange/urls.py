"""Exchange with other mappings and machines: the JSON API, feeds, sitemap and robots.txt."""

from django.urls import include, path

app_name = "exchange"

urlpatterns = [
    path("api/v1/", include("exchange.api.urls")),
]
