"""Gaps, overlaps and needs: the coverage matrix, stated needs, place comparison and the mappings overview."""

from django.urls import path

from insights import views

app_name = "insights"

urlpatterns = [
    path("coverage/", views.coverage, name="coverage"),
    path("coverage/export.csv", views.coverage_csv, name="coverage_csv"),
    path("coverage/heat-map.svg", views.coverage_svg, name="coverage_svg"),
    path("needs/", views.need_list, name="needs"),
    path("needs/<slug:slug>/", views.need_detail, name="need"),
    path("compare/", views.compare, name="compare"),
]
