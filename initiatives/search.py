"""Text search over initiatives.

Each initiative keeps its searchable words (title, summary, description,
organisation names, keywords) in `search_text`, refreshed by signals whenever
one of them changes. PostgreSQL searches it with full-text search, ranked, on
a GIN index; SQLite falls back to matching every word with LIKE.
"""

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from initiatives.models import Initiative

SEARCH_CONFIG = "english"
MAX_WORDS = 12


def build_search_text(initiative: Initiative) -> str:
    organisations = {p.organisation.name for p in initiative.participations.all()} | {
        p.organisation.acronym for p in initiative.participations.all() if p.organisation.acronym
    }
    parts = [
        initiative.title,
        initiative.summary,
        initiative.description,
        " ".join(sorted(organisations)),
        " ".join(tag.name for tag in initiative.keywords.all()),
    ]
    # Lower-cased so that SQLite's LIKE, which folds only ASCII, still matches "école" to "École".
    return "\n".join(part for part in parts if part).lower()


def refresh_search_text(initiative_ids) -> None:
    initiatives = Initiative.objects.filter(pk__in=initiative_ids).prefetch_related(
        "participations__organisation", "keywords"
    )
    for initiative in initiatives:
        text = build_search_text(initiative)
        if text != initiative.search_text:
            # update(), not save(): keeps updated_at for real edits and sends no signals.
            Initiative.objects.filter(pk=initiative.pk).update(search_text=text)


def search(queryset: QuerySet, q: str) -> QuerySet:
    """Filter to the initiatives matching `q`, annotated with `rank` (higher is better)."""
    words = q.lower().split()[:MAX_WORDS]
    if not words:
        return queryset.annotate(rank=Value(0, output_field=IntegerField()))
    if connection.vendor == "postgresql":
        query = SearchQuery(" ".join(words), config=SEARCH_CONFIG, search_type="websearch")
        document = SearchVector("search_text", config=SEARCH_CONFIG)
        weighted = SearchVector("title", weight="A", config=SEARCH_CONFIG) + SearchVector(
            "summary", weight="B", config=SEARCH_CONFIG
        )
        return (
            queryset.annotate(document=document)
            .filter(document=query)
            .annotate(rank=SearchRank(weighted, query) + SearchRank(document, query))
        )
    matches = Q()
    for word in words:
        matches &= Q(search_text__icontains=word)
    phrase = " ".join(words)
    return queryset.filter(matches).annotate(
        rank=Case(
            When(title__icontains=phrase, then=Value(3)),
            When(Q(*[Q(title__icontains=w) for w in words]), then=Value(2)),
            When(summary__icontains=phrase, then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
    )
