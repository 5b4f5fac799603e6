from django.urls import path, re_path

from taxonomy import views

app_name = "taxonomy"

urlpatterns = [
    path("regions/", views.region_list, name="regions"),
    path("regions/<slug:slug>/", views.region_detail, name="region"),
    re_path(r"^countries/(?P<iso2>[A-Za-z]{2})/$", views.country_detail, name="country"),
    path("topics/<slug:slug>/", views.topic_detail, name="topic"),
    path("audiences/<slug:slug>/", views.audience_detail, name="audience"),
]
