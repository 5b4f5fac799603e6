from django.urls import path, re_path

from initiatives import views

app_name = "initiatives"

urlpatterns = [
    path("initiatives/", views.initiative_list, name="list"),
    path("initiatives/export.csv", views.export_csv, name="export"),
    path("initiatives/export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("initiatives/export.schema.json", views.export_schema, name="export_schema"),
    path("initiatives/<slug:slug>/", views.initiative_detail, name="detail"),
    path("organisations/", views.organisation_list, name="organisations"),
    path("organisations/<slug:slug>/", views.organisation_detail, name="organisation"),
    path("sources/", views.source_list, name="sources"),
    path("sources/<slug:a>/and/<slug:b>/", views.source_overlap, name="source_overlap"),
    path("regions/", views.region_list, name="regions"),
    path("regions/<slug:slug>/", views.region_detail, name="region"),
    path("countries/", views.country_list, name="countries"),
    re_path(r"^countries/(?P<iso2>[A-Za-z]{2})/$", views.country_detail, name="country"),
    path("topics/<slug:slug>/", views.topic_detail, name="topic"),
    path("audiences/<slug:slug>/", views.audience_detail, name="audience"),
]
