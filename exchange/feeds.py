"""Atom feeds for any filter: /initiatives/feed.atom?<the list's parameters>.

The set is the list's (initiatives.selectors.search_initiatives over the same query),
newest update first; `sort` and `page` mean nothing to a feed and are dropped before the
query is read, so they can neither change it nor make it invalid.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse, QueryDict
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from initiatives.browsing import canonical_query
from initiatives.filters import InitiativeFilter, filter_labels
from initiatives.models import Initiative
from initiatives.selectors import search_initiatives

MAX_ENTRIES = 50
# Not part of the set: a feed is newest first, and the list's `view` (cards or table) is only its layout,
# so a feed subscribed from the table is the same feed (same id and links) as from the cards.
IGNORED = ("page", "sort", "view")
# Filters a place or a term, named bare in the title ("Cybercrime, Western Africa"); the
# others keep their label ("Funder: European Union"), as the list's chips do.
NAMED_BARE = ("region", "country", "topic", "audience", "modality")


class InvalidQuery(Exception):
    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors


@dataclass
class FeedQuery:
    """What one feed is about: the validated filters, the query as links carry it, and its entries."""

    filterset: InitiativeFilter
    query: QueryDict
    initiatives: list[Initiative]  # each with `authors`: (name, absolute URL) of its implementers
    base_url: str  # scheme and host, for the absolute URLs an id needs


class InitiativeAtomFeed(Atom1Feed):
    """Atom with the summary as the entry's text content and one author per implementer."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item["content"]:
            handler.addQuickElement("content", item["content"], {"type": "text"})
        for name, uri in item["authors"]:
            handler.startElement("author", {})
            handler.addQuickElement("name", name)
            handler.addQuickElement("uri", uri)
            handler.endElement("author")


def describe(filterset: InitiativeFilter, query: QueryDict) -> str:
    """The active filters in words, in the order the query gives them: "Cybercrime, Western Africa"."""
    active = filterset.active_values()
    parts = []
    for name in sorted(active, key=lambda name: list(query).index(name) if name in query else len(query)):
        value = active[name]
        label = str(filterset.filters[name].label or name)
        if isinstance(value, bool):  # the `specific` flag
            parts.append(label)
            continue
        if name == "q":
            parts.append(f"“{value}”")
            continue
        # In the order the URL lists them (a model choice field returns them in table order).
        given = [v.strip().lower() for v in query.getlist(name)]
        items = sorted(value, key=lambda item: _position(filter_labels([item])[0], given))
        if name == "status":
            words = [str(Initiative.Status(item).label) for item in items]
        else:
            words = [str(getattr(item, "display_label", item)) for item in items]  # in the feed's language
        joined = f" {_('or')} ".join(words)
        parts.append(joined if name in NAMED_BARE else f"{label}: {joined}")
    return ", ".join(parts)


def _position(value: str, given: list[str]) -> int:
    value = str(value).lower()
    return given.index(value) if value in given else len(given)


class InitiativeFeed(Feed):
    feed_type = InitiativeAtomFeed

    @method_decorator(require_safe)  # a feed is read: a POST is a 405, as on every other page
    def __call__(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return super().__call__(request, *args, **kwargs)
        except InvalidQuery as invalid:
            lines = [f"{name}: {' '.join(messages)}" for name, messages in invalid.errors.items()]
            return HttpResponse(
                _("No feed was made because some filters are invalid.") + "\n" + "\n".join(lines) + "\n",
                status=400,
                content_type="text/plain; charset=utf-8",
            )

    def get_object(self, request: HttpRequest, *args, **kwargs) -> FeedQuery:
        query = canonical_query(request.GET, drop=IGNORED)
        search = search_initiatives(query, facet_names=())
        if not search.valid:
            raise InvalidQuery(search.errors)
        initiatives = list(search.queryset.order_by("-updated_at", "-pk").with_related(keywords=False)[:MAX_ENTRIES])
        base_url = request.build_absolute_uri("/").rstrip("/")
        for initiative in initiatives:
            initiative.authors = [
                (org.display_label, base_url + org.get_absolute_url()) for org in initiative.implementers
            ]
        return FeedQuery(search.filterset, query, initiatives, base_url)

    # --- the feed

    def title(self, obj: FeedQuery) -> str:
        words = describe(obj.filterset, obj.query)
        return _("Initiatives: %(filters)s") % {"filters": words} if words else _("All initiatives")

    def subtitle(self, obj: FeedQuery) -> str:
        return _("Initiatives newly published or updated on the Cyber Capacity Building portal, newest first.")

    def link(self, obj: FeedQuery) -> str:
        return reverse("initiatives:list") + _query_string(obj.query)

    def feed_url(self, obj: FeedQuery) -> str:
        return reverse("exchange:feed") + _query_string(obj.query)

    def feed_guid(self, obj: FeedQuery) -> str:
        # The same filters in any order are one feed: the id lists the parameters sorted.
        pairs = sorted((key, value) for key in obj.query for value in obj.query.getlist(key))
        return obj.base_url + reverse("exchange:feed") + (f"?{urlencode(pairs)}" if pairs else "")

    def author_name(self, obj: FeedQuery) -> str:
        # Atom wants an author for every entry; those with no implementer inherit this one.
        return _("Cyber Capacity Building portal")

    def items(self, obj: FeedQuery) -> list[Initiative]:
        return obj.initiatives

    # --- its entries (their id is the absolute URL of the detail page: stable while the slug is)

    def item_title(self, item: Initiative) -> str:
        return item.title  # Atom titles are text: no HTML escaping, unlike RSS

    def item_description(self, item: Initiative) -> None:
        return None  # the summary goes in <content>, see item_extra_kwargs

    def item_updateddate(self, item: Initiative):
        return item.updated_at

    def item_categories(self, item: Initiative) -> list[str]:
        return [topic.display_name for topic in item.topics.all()]

    def item_extra_kwargs(self, item: Initiative) -> dict:
        return {"content": item.summary, "authors": item.authors}


def _query_string(query: QueryDict) -> str:
    return f"?{query.urlencode()}" if query else ""
