"""What every filtered listing page shares: validating the query, paginating, facets, chips and links."""

from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from initiatives.filters import InitiativeFilter, filter_labels, published_filter
from initiatives.models import Initiative
from initiatives.selectors import FACET_NAMES, Facet, facets

PAGE_SIZE = 20
SHORT_LIST = 50  # pages that show a slice (organisation, region...) link to the full list beyond this


@dataclass
class Chip:
    label: str
    remove_url: str


@dataclass
class Browse:
    """The outcome of reading a listing query. status is 200, 400 (bad filter) or 404 (no such page)."""

    filterset: InitiativeFilter
    status: int = 200
    page: Page | None = None
    total: int = 0
    message: str = ""
    facets: list[Facet] = field(default_factory=list)
    chips: list[Chip] = field(default_factory=list)
    query: str = ""

    @property
    def csv_url(self) -> str:
        return reverse("initiatives:export") + (f"?{self.query}" if self.query else "")

    @property
    def list_url(self) -> str:
        return reverse("initiatives:list") + (f"?{self.query}" if self.query else "")


def query_for(**params: str) -> QueryDict:
    """A query as a listing URL would carry it, e.g. query_for(region="africa")."""
    query = QueryDict(mutable=True)
    for key, value in params.items():
        query[key] = value
    return query


def canonical_query(data: QueryDict, drop=("page",)) -> QueryDict:
    query = data.copy()
    for key in drop:
        query.pop(key, None)
    return query


def without_value(data: QueryDict, name: str, value: str) -> str:
    query = canonical_query(data)
    kept = [v for v in query.getlist(name) if v.strip().lower() != value.lower()]
    if kept:
        query.setlist(name, kept)
    else:
        query.pop(name, None)
    return reverse("initiatives:list") + (f"?{query.urlencode()}" if query else "")


def browse(data: QueryDict, *, facet_names=FACET_NAMES, page_size: int = PAGE_SIZE) -> Browse:
    """Validate the query, then the page of results, the named facets and the chips."""
    filterset = published_filter(data)
    query = canonical_query(data)
    result = Browse(filterset=filterset, query=query.urlencode())
    if not filterset.is_valid():
        result.status = 400
        result.message = _("Some filters could not be applied, so no results are shown. Correct or remove them.")
        return result

    paginator = Paginator(filterset.qs, page_size)
    result.total = paginator.count
    raw_page = data.get("page", "1")
    valid = raw_page.isascii() and raw_page.isdigit() and len(raw_page) <= 9
    if not valid or not 1 <= int(raw_page) <= paginator.num_pages:
        result.status = 404
        result.message = ngettext(
            "There is no page “%(page)s”: this list has %(count)d page.",
            "There is no page “%(page)s”: this list has %(count)d pages.",
            paginator.num_pages,
        ) % {"page": raw_page[:20], "count": paginator.num_pages}
        return result
    result.page = paginator.page(int(raw_page))
    result.page.object_list = result.page.object_list.with_related()
    result.facets = facets(filterset, facet_names) if facet_names else []
    for name, value in filterset.active_values().items():
        label = filterset.filters[name].label or name
        items = [value] if isinstance(value, str) else list(value)
        for item, url_value in zip(items, filter_labels(value), strict=True):
            shown = Initiative.Status(item).label if name == "status" else item
            result.chips.append(Chip(f"{label}: {shown}", without_value(query, name, str(url_value))))
    return result
