from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from initiatives.browsing import SHORT_LIST, browse, query_for
from initiatives.exports import csv_lines, export_filename
from initiatives.filters import published_filter
from initiatives.models import Initiative, Organisation, Participation, Source
from initiatives.selectors import home_summary, related_initiatives
from taxonomy.models import Term


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


@require_safe
def initiative_list(request: HttpRequest) -> HttpResponse:
    result = browse(request.GET)
    return render(request, "initiatives/initiative_list.html", {"browse": result}, status=result.status)


@require_safe
def export_csv(request: HttpRequest) -> HttpResponse:
    filterset = published_filter(request.GET)
    if not filterset.is_valid():
        errors = [f"{name}: {' '.join(messages)}" for name, messages in filterset.errors.items()]
        return HttpResponse(
            _("The export was not made because some filters are invalid.") + "\n" + "\n".join(errors) + "\n",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    base_url = request.build_absolute_uri("/").rstrip("/")
    response = StreamingHttpResponse(csv_lines(filterset.qs, base_url), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{export_filename(filterset.active_values())}"'
    return response


@require_safe
def initiative_detail(request: HttpRequest, slug: str) -> HttpResponse:
    initiative = get_object_or_404(Initiative.objects.published().with_related(), slug=slug)
    return render(
        request,
        "initiatives/initiative_detail.html",
        {"initiative": initiative, "related": related_initiatives(initiative)},
    )


@require_safe
def organisation_list(request: HttpRequest) -> HttpResponse:
    published = Q(participations__initiative__publication_state=Initiative.PublicationState.PUBLISHED)
    organisations = (
        Organisation.objects.public()
        .select_related("country")
        .annotate(
            implements=Count(
                "participations",
                filter=published & Q(participations__role=Participation.Role.IMPLEMENTER),
            ),
            funds=Count("participations", filter=published & Q(participations__role=Participation.Role.FUNDER)),
            partners=Count("participations", filter=published & Q(participations__role=Participation.Role.PARTNER)),
        )
    )
    return render(request, "initiatives/organisation_list.html", {"organisations": organisations})


@require_safe
def organisation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = get_object_or_404(Organisation.objects.public().select_related("country"), slug=slug)
    context = {
        "organisation": organisation,
        "roles": [
            (_("Implements"), browse(query_for(implementer=slug), facet_names=(), page_size=SHORT_LIST)),
            (_("Funds"), browse(query_for(funder=slug), facet_names=(), page_size=SHORT_LIST)),
        ],
        "partner_of": Initiative.objects.published()
        .filter(pk__in=organisation.participations.filter(role=Participation.Role.PARTNER).values("initiative_id"))
        .prefetch_related("topics")[:SHORT_LIST],
    }
    return render(request, "initiatives/organisation_detail.html", context)


@require_safe
def source_list(request: HttpRequest) -> HttpResponse:
    terms = Term.objects.select_related("vocabulary")
    sources = Source.objects.prefetch_related(
        Prefetch("topics", queryset=terms), Prefetch("audiences", queryset=terms), "regions"
    ).annotate(
        record_count=Count(
            "records", filter=Q(records__initiative__publication_state=Initiative.PublicationState.PUBLISHED)
        )
    )
    return render(request, "initiatives/source_list.html", {"sources": sources})


@require_safe
def set_language(request: HttpRequest, code: str) -> HttpResponse:
    """Remember the interface language in a cookie and go back where the visitor was.

    A plain link (GET) rather than Django's POST form, so pages carry no CSRF
    token and stay cacheable; the URLs themselves are the same in every language.
    """
    if code not in dict(settings.LANGUAGES):
        raise Http404(_("Unknown language."))
    next_url = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=False):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        secure=request.is_secure(),
    )
    return response
