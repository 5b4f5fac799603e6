"""/api/v1/: the read-only JSON API, its OpenAPI schema and its documentation page (namespace exchange:api)."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularJSONAPIView

from exchange.api import docs, views

urlpatterns = [
    path("", docs.documentation, name="docs"),
    path("openapi.json", SpectacularJSONAPIView.as_view(), name="schema"),
    path("initiatives/", views.InitiativeList.as_view(), name="initiatives"),
    # <str:...>, not <slug:...>: a key of any shape reaches the view, which answers 404 in JSON.
    path("initiatives/<str:slug>/", views.InitiativeDetail.as_view(), name="initiative"),
    path("regions/", views.RegionList.as_view(), name="regions"),
    path("regions/<str:slug>/", views.RegionDetail.as_view(), name="region"),
    path("countries/", views.CountryList.as_view(), name="countries"),
    path("countries/<str:iso2>/", views.CountryDetail.as_view(), name="country"),
    path("vocabularies/", views.VocabularyList.as_view(), name="vocabularies"),
    path("terms/", views.TermList.as_view(), name="terms"),
    path("organisations/", views.OrganisationList.as_view(), name="organisations"),
    path("organisations/<str:slug>/", views.OrganisationDetail.as_view(), name="organisation"),
    path("sources/", views.SourceList.as_view(), name="sources"),
    # Anything else ending in a slash (CommonMiddleware adds it first): 404 in JSON too.
    re_path(r"^(?P<path>.*)/$", views.not_found),
]
