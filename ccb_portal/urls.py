from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from ccb_portal import health
from initiatives import views

# Branded error pages; a database failure anywhere in a request is a 503 (ccb_portal.errors).
handler500 = "ccb_portal.errors.server_error"

admin.site.site_header = "Cyber Capacity Building portal: curation"
admin.site.site_title = "CCB portal admin"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("language/<str:code>/", views.set_language, name="language"),
    path(settings.ADMIN_URL, admin.site.urls),
    path("", include("initiatives.urls")),
    path("", include("exchange.urls")),
    path("", include("insights.urls")),
]
