from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from initiatives.browsing import browse, query_for
from initiatives.selectors import country_breakdown, region_overview
from taxonomy.models import Country, Region, Term


def _page(request: HttpRequest) -> str:
    return request.GET.get("page", "1")


def _facet(result, name: str):
    return next((facet for facet in result.facets if facet.name == name), None)


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
    result = browse(query_for(region=slug, page=_page(request)), facet_names=("topic",))
    countries = Region.objects.filter(pk=region.pk).with_descendants().countries()
    context = {
        "region": region,
        "browse": result,
        "children": region.children.all(),
        "by_topic": _facet(result, "topic"),
        "by_country": country_breakdown(result.filterset.qs, countries) if result.status == 200 else [],
        "member_count": countries.count(),
    }
    return render(request, "taxonomy/region_detail.html", context, status=result.status)


@require_safe
def country_detail(request: HttpRequest, iso2: str) -> HttpResponse:
    country = get_object_or_404(Country.objects.select_related("region"), iso2=iso2.upper())
    result = browse(query_for(country=country.iso2, page=_page(request)), facet_names=("topic",))
    context = {
        "country": country,
        "browse": result,
        "groupings": country.groupings.all(),
        "by_topic": _facet(result, "topic"),
    }
    return render(request, "taxonomy/country_detail.html", context, status=result.status)


def _term_detail(request: HttpRequest, vocabulary: str, slug: str, label: str, breakdowns: list[str]) -> HttpResponse:
    term = get_object_or_404(Term.objects.of(vocabulary).select_related("parent__vocabulary", "vocabulary"), slug=slug)
    result = browse(query_for(**{vocabulary: slug, "page": _page(request)}), facet_names=breakdowns)
    context = {
        "term": term,
        "browse": result,
        "children": term.children.select_related("vocabulary"),
        "aliases": term.aliases.all(),
        "vocabulary_label": label,
        "breakdowns": [
            (_("By %(facet)s") % {"facet": str(facet.label).lower()}, facet)
            for facet in (_facet(result, name) for name in breakdowns)
            if facet
        ],
    }
    return render(request, "taxonomy/term_detail.html", context, status=result.status)


@require_safe
def topic_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return _term_detail(request, "topic", slug, _("Topic"), ["region", "audience"])


@require_safe
def audience_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return _term_detail(request, "audience", slug, _("Target users"), ["region", "topic"])
