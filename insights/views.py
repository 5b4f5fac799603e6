from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_safe


@require_safe
def coverage(request: HttpRequest) -> HttpResponse:
    raise Http404("Not built yet.")


@require_safe
def coverage_csv(request: HttpRequest) -> HttpResponse:
    raise Http404("Not built yet.")


@require_safe
def need_list(request: HttpRequest) -> HttpResponse:
    raise Http404("Not built yet.")


@require_safe
def need_detail(request: HttpRequest, slug: str) -> HttpResponse:
    raise Http404("Not built yet.")


@require_safe
def compare(request: HttpRequest) -> HttpResponse:
    raise Http404("Not built yet.")
