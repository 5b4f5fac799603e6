from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_safe

from initiatives.browsing import SHORT_LIST, browse, canonical_query
from initiatives.membership import revision
from insights.compare import compare_form_choices, compare_places, read_compare_request
from insights.coverage import (
    GAP_AT_MOST,
    coverage_csv_text,
    coverage_filename,
    coverage_matrix,
    heat_map,
    unanswered_needs,
)
from insights.filters import place_options
from insights.models import Need
from insights.needs import (
    matching_count,
    matching_url,
    need_facets,
    need_providers,
    need_query,
    search_needs,
    with_card_details,
)


@require_safe
def coverage(request: HttpRequest) -> HttpResponse:
    result = coverage_matrix(request.GET)
    context = {"coverage": result, "needs": unanswered_needs(result), "gap_at_most": GAP_AT_MOST}
    return render(request, "insights/coverage.html", context, status=result.status)


def _coverage_errors(result) -> HttpResponse:
    """The CSV and the SVG answer bad input in plain text, as the list's CSV export does."""
    message = _("The coverage matrix was not made because some parameters are invalid.")
    return HttpResponse(
        "\n".join([message, *result.errors]) + "\n",
        status=400,
        content_type="text/plain; charset=utf-8",
    )


@require_safe
def coverage_csv(request: HttpRequest) -> HttpResponse:
    result = coverage_matrix(request.GET)
    if result.status != 200:
        return _coverage_errors(result)
    response = HttpResponse(coverage_csv_text(result), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{coverage_filename(result, "csv")}"'
    return response


@require_safe
def coverage_svg(request: HttpRequest) -> HttpResponse:
    result = coverage_matrix(request.GET)
    if result.status != 200:
        return _coverage_errors(result)
    return render(
        request,
        "insights/coverage.svg",
        {"coverage": result, "map": heat_map(result), "gap_at_most": GAP_AT_MOST},
        content_type="image/svg+xml; charset=utf-8",
    )


NEEDS_PAGE_SIZE = 20


@require_safe
def need_list(request: HttpRequest) -> HttpResponse:
    search = search_needs(request.GET)
    context = {
        "search": search,
        "query": canonical_query(request.GET).urlencode(),
        **place_options(search.filterset),
    }
    if not search.valid:
        context["message"] = _("Some filters could not be applied, so no needs are shown. Correct or remove them.")
        context["facets"] = need_facets(search.filterset)
        return render(request, "insights/need_list.html", context, status=400)
    paginator = Paginator(with_card_details(search.queryset), NEEDS_PAGE_SIZE)
    raw_page = request.GET.get("page", "1")
    is_number = raw_page.isascii() and raw_page.isdigit() and len(raw_page) <= 9
    if not (is_number and 1 <= int(raw_page) <= paginator.num_pages):
        context["message"] = ngettext(
            "There is no page “%(page)s”: this list has %(count)d page.",
            "There is no page “%(page)s”: this list has %(count)d pages.",
            paginator.num_pages,
        ) % {"page": raw_page[:20], "count": paginator.num_pages}
        return render(request, "insights/need_list.html", context, status=404)
    page = paginator.page(int(raw_page))
    token = revision()
    needs = list(page.object_list)
    for need in needs:
        need.matching_count = matching_count(need, token=token)
        need.matching_url = matching_url(need)
    page.object_list = needs
    context.update(page=page, facets=need_facets(search.filterset))
    return render(request, "insights/need_list.html", context)


@require_safe
def need_detail(request: HttpRequest, slug: str) -> HttpResponse:
    need = get_object_or_404(with_card_details(Need.objects.published()), slug=slug)
    query = QueryDict(mutable=True)
    for name, values in need_query(need).items():
        query.setlist(name, values)
    context = {
        "need": need,
        "matching": browse(query, facet_names=(), page_size=SHORT_LIST),
        "providers": need_providers(need),
    }
    return render(request, "insights/need_detail.html", context)


@require_safe
def compare(request: HttpRequest) -> HttpResponse:
    asked = read_compare_request(request.META.get("QUERY_STRING", ""), request.GET)
    context = {"asked": asked, **compare_form_choices(asked)}
    if asked.errors:
        return render(request, "insights/compare.html", context, status=400)
    if asked.places:
        context["comparison"] = compare_places(asked)
    return render(request, "insights/compare.html", context)
