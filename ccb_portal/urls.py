from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from initiatives import views

admin.site.site_header = "Cyber Capacity Building portal: curation"
admin.site.site_title = "CCB portal admin"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("language/<str:code>/", views.set_language, name="language"),
    path(settings.ADMIN_URL, admin.site.urls),
    path("", include("initiatives.urls")),
    path("", include("exchange.urls")),
    path("", include("insights.urls")),
]
