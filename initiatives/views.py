from django.conf import settings
from django.core.paginator import InvalidPage, Paginator
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    HttpResponseRedirect,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from initiatives.browsing import PAGE_SIZE, SHORT_LIST, browse, query_for, without_empty_parameters
from initiatives.cards import cards
from initiatives.exports import XLSX_CONTENT_TYPE, about_export, csv_lines, export_filename, table_schema, xlsx_file
from initiatives.models import Initiative, Organisation, Participation, Source
from initiatives.places import country_index
from initiatives.selectors import (
    ORGANISATION_PAGE_SIZE,
    ORGANISATION_SLICE,
    cached_similar_initiatives,
    charts_by,
    home_summary,
    organisation_summary,
    organisation_table,
    overlap_url,
    published_at,
    recorded_by_all,
    region_charts,
    region_countries,
    region_overview,
    search_initiatives,
    source_overview,
)
from taxonomy.models import Country, Region, Term


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html", home_summary())


@require_safe
@without_empty_parameters
def initiative_list(request: HttpRequest) -> HttpResponse:
    result = browse(request.GET)
    return render(request, "initiatives/initiative_list.html", {"browse": result}, status=result.status)


def _invalid_export(search) -> HttpResponse:
    errors = [f"{name}: {' '.join(messages)}" for name, messages in search.errors.items()]
    return HttpResponse(
        _("The export was not made because some filters are invalid.") + "\n" + "\n".join(errors) + "\n",
        status=400,
        content_type="text/plain; charset=utf-8",
    )


@require_safe
def export_csv(request: HttpRequest) -> HttpResponse:
    search = search_initiatives(request.GET, facet_names=())
    if not search.valid:
        return _invalid_export(search)
    base_url = request.build_absolute_uri("/").rstrip("/")
    response = StreamingHttpResponse(csv_lines(search.queryset, base_url), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{export_filename(search.filterset.active_values())}"'
    response["Link"] = f'<{base_url}{reverse("initiatives:export_schema")}>; rel="describedby"'
    return response


@require_safe
def export_xlsx(request: HttpRequest) -> HttpResponse:
    """The CSV's rows and columns as an Excel workbook, for spreadsheets whose locale splits CSV on
    semicolons. Built in a temporary file row by row (flat memory), then streamed from it."""
    search = search_initiatives(request.GET, facet_names=())
    if not search.valid:
        return _invalid_export(search)
    base_url = request.build_absolute_uri("/").rstrip("/")
    workbook = xlsx_file(search.queryset, base_url, about_export(data=request.GET, base_url=base_url))
    response = FileResponse(workbook, content_type=XLSX_CONTENT_TYPE)
    filename = export_filename(search.filterset.active_values(), extension="xlsx")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Link"] = f'<{base_url}{reverse("initiatives:export_schema")}>; rel="describedby"'
    return response


@require_safe
def export_schema(request: HttpRequest) -> JsonResponse:
    """The exports' columns (CSV and XLSX) as a Frictionless Table Schema."""
    return JsonResponse(table_schema(), json_dumps_params={"indent": 2, "ensure_ascii": False})


@require_safe
def initiative_detail(request: HttpRequest, slug: str) -> HttpResponse:
    initiative, moved_to = published_at(slug, Initiative.objects.published().with_related())
    if initiative is None:
        # An address it used to have (merged into it): 301 to it when published, else as any unknown slug.
        if moved_to is None:
            raise Http404(_("No initiative at this address."))
        return HttpResponsePermanentRedirect(reverse("initiatives:detail", kwargs={"slug": moved_to}))
    return render(
        request,
        "initiatives/initiative_detail.html",
        {"initiative": initiative, "related": cached_similar_initiatives(initiative)},
    )


@require_safe
@without_empty_parameters
def organisation_list(request: HttpRequest) -> HttpResponse:
    table = organisation_table(request.GET)
    try:
        page = Paginator(table.organisations, ORGANISATION_PAGE_SIZE).page(request.GET.get("page", "1")[:9])
    except InvalidPage:
        raise Http404(_("There is no such page of this list.")) from None
    context = {"table": table, "page": page, "organisations": page.object_list}
    return render(request, "initiatives/organisation_list.html", context, status=400 if table.errors else 200)


@require_safe
def organisation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = get_object_or_404(Organisation.objects.public().select_related("country"), slug=slug)
    implements = browse(query_for(implementer=slug), facet_names=(), page_size=ORGANISATION_SLICE)
    funds = browse(query_for(funder=slug), facet_names=(), page_size=ORGANISATION_SLICE)
    context = {
        "organisation": organisation,
        "summary": organisation_summary(organisation, {"implementer": implements.filterset, "funder": funds.filterset}),
        "roles": [(_("Implements"), implements), (_("Funds"), funds)],
        "partner_of": cards(
            Initiative.objects.published().filter(
                pk__in=organisation.participations.filter(role=Participation.Role.PARTNER).values("initiative_id")
            )[:SHORT_LIST]
        ),
    }
    return render(request, "initiatives/organisation_detail.html", context)


@require_safe
def source_list(request: HttpRequest) -> HttpResponse:
    return render(request, "initiatives/source_list.html", {"overview": source_overview()})


@require_safe
def source_overlap(request: HttpRequest, a: str, b: str) -> HttpResponse:
    """The published initiatives two mappings both record: what the overview's overlap counts link to."""
    sources = [get_object_or_404(Source, slug=a), get_object_or_404(Source, slug=b)]
    canonical = overlap_url(*sources)  # one address per pair, in slug order; a mapping with itself is its list
    if canonical != request.path:
        query = request.GET.urlencode()
        return HttpResponsePermanentRedirect(canonical + (("&" if "?" in canonical else "?") + query if query else ""))
    paginator = Paginator(recorded_by_all(sources), PAGE_SIZE)
    try:
        page = paginator.page(request.GET.get("page", "1")[:9])
    except InvalidPage:
        raise Http404(_("There is no such page of this list.")) from None
    page.object_list = cards(page.object_list)
    return render(request, "initiatives/source_overlap.html", {"sources": sources, "page": page})


# --- pages of one place or term, each a slice of the list (the URLs are in initiatives/urls.py too)


def _place_query(request: HttpRequest, **place: str):
    """A place page's listing query: the place, the page, and `specific` when the visitor asked for it."""
    query = query_for(**place, page=request.GET.get("page", "1"))
    if request.GET.get("specific"):
        query["specific"] = request.GET["specific"]
    return query


@require_safe
def region_list(request: HttpRequest) -> HttpResponse:
    overview = region_overview()
    context = {
        "m49": [row for row in overview if row[0].kind != Region.Kind.GROUPING],
        "groupings": [row for row in overview if row[0].kind == Region.Kind.GROUPING],
    }
    return render(request, "taxonomy/region_list.html", context)


@require_safe
def region_detail(request: HttpRequest, slug: str) -> HttpResponse:
    region = get_object_or_404(Region.objects.select_related("parent"), slug=slug)
    result = browse(_place_query(request, region=slug), facet_names=())
    countries = region_countries(region)
    ok = result.status == 200
    context = {
        "region": region,
        "browse": result,
        "specific": ok and result.filterset.specific_only,
        "children": region.children.all(),
        "charts": region_charts(region, result.filterset, query=result.query, countries=countries) if ok else [],
        "member_count": len(countries),
    }
    return render(request, "taxonomy/region_detail.html", context, status=result.status)


@require_safe
@without_empty_parameters
def country_list(request: HttpRequest) -> HttpResponse:
    """Every country by region with the initiatives reaching it, on a map too; the list's filters apply."""
    index = country_index(request.GET)
    return render(request, "taxonomy/country_list.html", {"index": index}, status=index.status)


@require_safe
def country_detail(request: HttpRequest, iso2: str) -> HttpResponse:
    country = get_object_or_404(Country.objects.select_related("region"), iso2=iso2.upper())
    result = browse(_place_query(request, country=country.iso2), facet_names=())
    context = {
        "country": country,
        "browse": result,
        "specific": result.status == 200 and result.filterset.specific_only,
        "groupings": country.groupings.all(),
        "charts": charts_by(result.filterset, query=result.query, names=["topic", "audience"])
        if result.status == 200
        else [],
    }
    return render(request, "taxonomy/country_detail.html", context, status=result.status)


def _term_detail(request: HttpRequest, vocabulary: str, slug: str, label: str, breakdowns: list[str]) -> HttpResponse:
    term = get_object_or_404(Term.objects.of(vocabulary).select_related("parent__vocabulary", "vocabulary"), slug=slug)
    result = browse(query_for(**{vocabulary: slug, "page": request.GET.get("page", "1")}), facet_names=())
    context = {
        "term": term,
        "browse": result,
        "children": term.children.select_related("vocabulary"),
        "aliases": term.aliases.all(),
        "vocabulary_label": label,
        "charts": charts_by(result.filterset, query=result.query, names=breakdowns) if result.status == 200 else [],
    }
    return render(request, "taxonomy/term_detail.html", context, status=result.status)


@require_safe
def topic_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return _term_detail(request, "topic", slug, _("Topic"), ["region", "audience"])


@require_safe
def audience_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return _term_detail(request, "audience", slug, _("Target users"), ["region", "topic"])


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
        secure=settings.LANGUAGE_COOKIE_SECURE or request.is_secure(),
    )
    return response
