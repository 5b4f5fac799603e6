"""Text search over initiatives, and the filters a query's words name.

Each initiative's search document (initiatives.membership builds it) holds, by
weight: its title; its summary, organisation names (English, French and Spanish)
and acronyms, and keywords; the names of its countries, regions and terms (with
their ancestors), in English, French and Spanish, and the terms' aliases from
other mappings; its description. Everything is folded to lower case without accents.
PostgreSQL matches the stored tsvector on a GIN index and ranks with ts_rank;
SQLite matches its FTS5 table and ranks with bm25.
"""

import difflib
import re
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import F, FloatField, QuerySet, Value
from django.utils.translation import gettext_lazy as _

from initiatives.membership import SEARCH_CONFIG, fold
from taxonomy.models import Country, Region, Term, TermAlias

MAX_WORDS = 12
MAX_NAME_WORDS = 6  # the longest place or term name we look for in a query
WORD_RE = re.compile(r"\w+")
BRACKETED_RE = re.compile(r"(.+?)\s*\(([^()]+)\)")


def words_of(q: str) -> list[str]:
    return WORD_RE.findall(fold(q))[:MAX_WORDS]


def search(queryset: QuerySet, q: str) -> QuerySet:
    """Filter to the initiatives matching every word of `q`, annotated with `rank` (higher is better)."""
    words = words_of(q)
    if not words:
        # Only punctuation: nothing can match, rather than everything.
        return queryset.none().annotate(rank=Value(0.0, output_field=FloatField()))
    if connection.vendor == "postgresql":
        query = SearchQuery(" ".join(words), config=SEARCH_CONFIG, search_type="plain")
        return queryset.filter(search_vector=query).annotate(rank=SearchRank(F("search_vector"), query))
    # FTS5: each word quoted (no query syntax from visitors), all required.
    match = " ".join(f'"{word}"' for word in words)
    return queryset.filter(fts__document__match=match).annotate(rank=-F("fts__rank"))


@dataclass(frozen=True)
class Named:
    """A place or term whose name (or alias, or translation) appears in a query."""

    parameter: str  # region, country, topic, audience, modality
    value: str  # slug or ISO code
    label: str
    words: tuple[str, ...]  # the folded words of the query that named it

    @property
    def dimension_label(self) -> str:
        return str(DIMENSION_LABELS[self.parameter])


DIMENSION_LABELS = {
    "region": _("region"),
    "country": _("country"),
    "topic": _("topic"),
    "audience": _("target users"),
    "modality": _("modality"),
}


def lexicon() -> dict[str, list[tuple[str, str, str]]]:
    """Folded name -> [(parameter, value, label)] for every country, region and term, in four queries.

    Any of the three names finds a place or term ("Nigéria", "nigeria"); the label is its name in the
    active language, for the suggestions shown to the visitor.
    """
    entries: dict[str, list[tuple[str, str, str]]] = {}

    def add(name: str, entry: tuple[str, str, str]) -> None:
        # "European Union (EU)" is also "European Union" and "EU".
        bracketed = BRACKETED_RE.fullmatch(name.strip())
        for variant in [name, *(bracketed.groups() if bracketed else ())]:
            key = " ".join(words_of(variant))
            if key and entry not in entries.setdefault(key, []):
                entries[key].append(entry)

    for country in Country.objects.all():
        for name in country.names():
            add(name, ("country", country.iso2, country.display_name))
    for region in Region.objects.all():
        for name in region.names():
            add(name, ("region", region.slug, region.display_name))
    terms = {term.pk: term for term in Term.objects.select_related("vocabulary")}
    for term in terms.values():
        for name in term.names():
            add(name, (term.vocabulary.slug, term.slug, term.display_name))
    for term_id, alias in TermAlias.objects.values_list("term_id", "name"):
        term = terms[term_id]
        add(alias, (term.vocabulary.slug, term.slug, term.display_name))
    return entries


def named_in(q: str, known: dict | None = None) -> list[Named]:
    """Places and terms the words of `q` name, longest names first, each once."""
    words = words_of(q)
    known = lexicon() if known is None else known
    found: list[Named] = []
    used: set[int] = set()
    for size in range(min(MAX_NAME_WORDS, len(words)), 0, -1):
        for start in range(len(words) - size + 1):
            span = set(range(start, start + size))
            if span & used:
                continue
            key = " ".join(words[start : start + size])
            for parameter, value, label in known.get(key, []):
                found.append(Named(parameter, value, label, tuple(words[start : start + size])))
                used |= span
    return sorted(found, key=lambda named: words.index(named.words[0]))


def nearest_names(q: str, known: dict | None = None, limit: int = 5) -> list[Named]:
    """Places and terms spelt like the query or its words: what a visitor may have meant."""
    words = words_of(q)
    known = lexicon() if known is None else known
    candidates = [" ".join(words)] + [word for word in words if len(word) > 3]
    found: list[Named] = []
    for candidate in dict.fromkeys(candidates):
        for key in difflib.get_close_matches(candidate, known.keys(), n=3, cutoff=0.8):
            for parameter, value, label in known[key]:
                named = Named(parameter, value, label, tuple(candidate.split()))
                if all((n.parameter, n.value) != (parameter, value) for n in found):
                    found.append(named)
    return found[:limit]
