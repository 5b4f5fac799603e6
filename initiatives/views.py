from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django.views.generic import DetailView

from initiatives.models import Initiative
from initiatives.selectors import home_summary


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html", home_summary())


@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


class PublishedMixin:
    """Every public view of initiatives starts from published()."""

    def get_queryset(self):
        return Initiative.objects.published().with_related()


class InitiativeDetailView(PublishedMixin, DetailView):
    model = Initiative
    template_name = "initiatives/initiative_detail.html"
