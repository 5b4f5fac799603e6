from django.urls import path

from initiatives import views

app_name = "initiatives"

urlpatterns = [
    path("initiatives/", views.initiative_list, name="list"),
    path("initiatives/export.csv", views.export_csv, name="export"),
    path("initiatives/<slug:slug>/", views.initiative_detail, name="detail"),
    path("organisations/", views.organisation_list, name="organisations"),
    path("organisations/<slug:slug>/", views.organisation_detail, name="organisation"),
    path("sources/", views.source_list, name="sources"),
]
