"""What every filtered listing page shares: validating the query, paginating, facets, chips, cards and links."""

from collections.abc import Callable, Container
from dataclasses import dataclass, field
from functools import wraps
from urllib.parse import parse_qsl, urlencode

from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from initiatives.cards import answer_cards
from initiatives.dimensions import DIMENSIONS, FACET_NAMES
from initiatives.filters import InitiativeFilter, filter_labels
from initiatives.models import Initiative
from initiatives.search import Named, lexicon, named_in, nearest_names, words_of
from initiatives.selectors import Facet, chosen_countries, reach_labels, search_initiatives

PAGE_SIZE = 20
FILTER_PARAMETERS = tuple(dimension.name for dimension in DIMENSIONS)
SHORT_LIST = 50  # pages that show a slice (organisation, region...) link to the full list beyond this
# How the list lays out its results: cards (the default) or a table. A display option of the HTML list
# alone, read here rather than by the FilterSet, so the API, feeds, exports and /countries/ ignore it.
VIEWS = ("list", "table")


@dataclass
class Chip:
    label: str
    remove_url: str


@dataclass
class Suggestion:
    label: str
    url: str


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
    suggestions: list[Suggestion] = field(default_factory=list)
    query: str = ""  # the filters as links to the same set carry them (CSV, feed): no page, no view
    view: str = "list"  # "list" (cards) or "table"
    canonical: str = ""  # the query of the page's canonical address (rel=canonical)

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
    """The query as links should carry it: without the page, and without empty parameters."""
    query = QueryDict(mutable=True)
    for key in data:
        if key not in drop:
            values = [value for value in data.getlist(key) if value.strip()]
            if values:
                query.setlist(key, values)
    return query


def without_empty_parameters(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Send a listing URL carrying empty parameters (`?q=&year=&sort=`, as a plain form submits them) to
    the same URL without them, every other parameter kept as given and in its order, so that the
    address a visitor shares is the short one.

    302, not 301: browsers keep a 301 forever, and what counts as empty is a choice of this code that may
    change (a parameter could one day mean something when blank); search engines learn the canonical
    address from the page's rel=canonical instead. The page cache answers such a query by passing it
    here (ccb_portal.pagecache), as its key drops empty parameters; the target has none, so no loop.
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        # request.GET first: it enforces Django's limits on the number of parameters (a 400).
        if any(not value.strip() for _name, values in request.GET.lists() for value in values):
            pairs = parse_qsl(request.META.get("QUERY_STRING", ""), keep_blank_values=True)
            kept = [(name, value) for name, value in pairs if value.strip()]
            return HttpResponseRedirect(request.path + (f"?{urlencode(kept)}" if kept else ""))
        return view(request, *args, **kwargs)

    return wrapped


def list_url(query: QueryDict) -> str:
    return reverse("initiatives:list") + (f"?{query.urlencode()}" if query else "")


def without_value(data: QueryDict, name: str, value: str) -> QueryDict:
    query = canonical_query(data)
    kept = [v for v in query.getlist(name) if v.strip().lower() != value.lower()]
    if kept:
        query.setlist(name, kept)
    else:
        query.pop(name, None)
    return query


def chips(
    filterset: InitiativeFilter,
    query: QueryDict,
    *,
    url_for: Callable[[QueryDict], str] = list_url,
    skip: Container[str] = (),
) -> list[Chip]:
    """The active filters of a valid query (those named in `skip` aside), each a chip linking to
    url_for(the same query without it). `query` holds what the links keep (the page is dropped)."""
    found = []
    for name, value in filterset.active_values().items():
        if name in skip:
            continue
        label = filterset.filters[name].label or name
        if isinstance(value, bool):  # a flag: `specific`
            found.append(Chip(str(label), url_for(canonical_query(query, drop=("page", name)))))
            continue
        items = [value] if isinstance(value, str) else list(value)
        for item, url_value in zip(items, filter_labels(value), strict=True):
            # A place, term or organisation by its name in the active language.
            shown = Initiative.Status(item).label if name == "status" else getattr(item, "display_label", item)
            found.append(Chip(f"{label}: {shown}", url_for(without_value(query, name, str(url_value)))))
    return found


def read_view(data: QueryDict) -> str | None:
    """The layout asked for, in any case (`view=TABLE` is the table), or None for an unknown one."""
    value = (data.get("view") or "").strip().lower() or "list"
    return value if value in VIEWS else None


def _filter_instead(query: QueryDict, named: Named) -> str:
    """The list with the words that named a place or term taken out of `q` and its filter added."""
    query = canonical_query(query)
    rest = words_of(query.get("q", ""))
    for word in named.words:
        if word in rest:
            rest.remove(word)
    if rest:
        query["q"] = " ".join(rest)
    else:
        query.pop("q", None)
    values = query.getlist(named.parameter)
    if named.value.lower() not in {v.lower() for v in values}:
        query.setlist(named.parameter, [*values, named.value])
    return list_url(query)


def suggestions(query: QueryDict, total: int) -> list[Suggestion]:
    """Filters the words of `q` name; when nothing matched, what the visitor may have meant."""
    q = query.get("q", "")
    if not words_of(q):
        return []
    known = lexicon()
    found = [
        Suggestion(
            _("Filter by %(dimension)s: %(name)s") % {"dimension": named.dimension_label, "name": named.label},
            _filter_instead(query, named),
        )
        for named in named_in(q, known)
    ]
    if total == 0:
        found += [
            Suggestion(
                _("Did you mean %(dimension)s: %(name)s?") % {"dimension": named.dimension_label, "name": named.label},
                _filter_instead(query, named),
            )
            for named in nearest_names(q, known)
            if all(named.label not in s.label for s in found)
        ]
        if any(name in query for name in FILTER_PARAMETERS):
            found.append(Suggestion(_("Search every initiative for “%(q)s”") % {"q": q[:80]}, list_url(query_for(q=q))))
    return found


def browse(data: QueryDict, *, facet_names=FACET_NAMES, page_size: int = PAGE_SIZE) -> Browse:
    """Validate the query, then the page of results, the named facets, the chips and the suggestions."""
    search = search_initiatives(data, facet_names=facet_names)
    filterset = search.filterset
    view = read_view(data)
    if view is None:
        # Listed with the filters' own errors next to the form, so the page is a 400 like any bad parameter.
        message = _("Unknown view: “%(value)s” (use list or table).") % {"value": data.get("view", "")[:20]}
        filterset.form.add_error(None, message)
    query = canonical_query(data)  # what the page's own links keep: the view too
    result = Browse(filterset=filterset, query=canonical_query(data, drop=("page", "view")).urlencode())
    if not search.valid:
        result.status = 400
        result.message = _("Some filters could not be applied, so no results are shown. Correct or remove them.")
        return result

    paginator = Paginator(search.queryset, page_size)
    paginator.count = result.total = search.count  # counted once per data revision and query
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
    result.view = view
    # One address per page of results, whatever order the parameters came in (as the page cache keys
    # them); the table shows the same results as the cards, so it names the list's address.
    pairs = canonical_query(data, drop=("view",)).lists()
    result.canonical = urlencode(
        sorted((name, value) for name, values in pairs for value in values if (name, value) != ("page", "1"))
    )
    cards = list(result.page.object_list.for_cards())
    answer_cards(cards, place=chosen_countries(filterset))
    labels = reach_labels(filterset, [card.pk for card in cards])
    for card in cards:
        card.reach_label = labels.get(card.pk)
    result.page.object_list = cards
    result.facets = search.facets
    result.suggestions = suggestions(query, result.total)
    result.chips = chips(filterset, query)
    return result
