"""Possible duplicates among all initiatives, drafts and reviews included: what curators merge or set apart.

The score and the blocking are initiatives.similarity's (the importer uses the same rule); this is
the scan over the whole set, and the cached result the admin's duplicates view reads.
"""

import datetime
import time
from dataclasses import dataclass, field

from django.core.cache import cache
from django.utils import timezone

from initiatives.membership import revision
from initiatives.similarity import (
    NAME_GATE,
    THRESHOLD,
    Corpus,
    Index,
    Topics,
    common_words,
    load_context,
    load_features,
    name_evidence,
    score,
)
from insights.models import DistinctPair, Merge

CACHE_KEY = "ccb-duplicates"
CACHE_SECONDS = 24 * 60 * 60
# A scan quicker than this is redone as soon as the data changes; a slower one (tens of thousands of
# initiatives) is shown as it was, with its age and a button to scan again.
RESCAN_UNDER_SECONDS = 5.0


@dataclass
class Pair:
    first: int  # the smaller id
    second: int
    score: float
    reasons: list[str]
    first_title: str = ""
    second_title: str = ""


@dataclass
class Scan:
    pairs: list[Pair]
    initiatives: int
    seconds: float
    revision: str = ""
    computed_at: datetime.datetime = field(default_factory=timezone.now)


def candidate_pairs(*, threshold: float = THRESHOLD) -> list[Pair]:
    """Every pair of initiatives scoring at least threshold, best first, without the pairs found distinct."""
    return scan(threshold=threshold).pairs


def scan(*, threshold: float = THRESHOLD) -> Scan:
    started = time.perf_counter()
    token = revision()
    topics = Topics.load()
    features = load_features(topics=topics)
    index = Index(features)
    corpus = Corpus(topics, common_words(index.frequency, len(features)))
    distinct = set(DistinctPair.objects.values_list("first_id", "second_id"))
    gated: list[tuple[int, int]] = []
    for pk, subject in features.items():
        found, looked_up = index.neighbours(subject)
        # A pair sharing a key is found from both sides: compared once, from the smaller id. A pair found by an
        # acronym-only title's lookups is found from its side only.
        for other in [o for o in found if o > pk] + list(looked_up):
            pair = (min(pk, other), max(pk, other))
            if pair not in distinct and name_evidence(subject, features[other], corpus.common)[0] >= NAME_GATE:
                gated.append(pair)
    load_context(features, {pk for pair in gated for pk in pair})
    pairs = []
    for first, second in gated:
        match = score(features[first], features[second], corpus)
        if match and match.score >= threshold:
            pairs.append(
                Pair(
                    first,
                    second,
                    match.score,
                    match.reasons,
                    features[first].title.text,
                    features[second].title.text,
                )
            )
    pairs.sort(key=lambda p: (-p.score, p.first, p.second))
    return Scan(pairs=pairs, initiatives=len(features), seconds=time.perf_counter() - started, revision=token)


def latest_scan(*, again: bool = False) -> Scan:
    """The cached scan, redone when asked, when there is none, or when the data changed and it was quick."""
    cached: Scan | None = cache.get(CACHE_KEY)
    if not again and cached is not None and (cached.revision == revision() or cached.seconds >= RESCAN_UNDER_SECONDS):
        return cached
    return store(scan())


def store(result: Scan) -> Scan:
    """Keep a scan for the admin's view (a cron job running find_duplicates keeps it warm with a shared cache)."""
    cache.set(CACHE_KEY, result, CACHE_SECONDS)
    return result


def open_pairs(pairs: list[Pair]) -> list[Pair]:
    """Pairs still to decide: none found distinct or merged since the scan (a stale list stays usable)."""
    distinct = set(DistinctPair.objects.values_list("first_id", "second_id"))
    merged = set(Merge.objects.values_list("merged_id", flat=True))
    return [p for p in pairs if (p.first, p.second) not in distinct and not {p.first, p.second} & merged]
