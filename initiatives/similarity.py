"""Do two initiatives look like one? Their features, a score in 0..1 with reasons, and candidate lookup.

Shared by the duplicates scan (insights.duplicates) and the importer's flags (exchange.importing),
so it lives here, below both.

The rule, in two steps:

1. **Name evidence** is required: the same title (apart from case and punctuation), acronym-equal
   titles ("GLACY+" and "Global Action on Cybercrime Extended"), similar titles (trigram similarity,
   computed as PostgreSQL's pg_trgm does, at least TITLE_SIMILAR, also without the words most titles
   share) or the same website (host and path). Titles whose numbers differ ("Phase 2", "Phase 3") count
   for half. The same computation runs on SQLite and PostgreSQL, so both find the same pairs. Without
   name evidence of at least NAME_GATE there is no pair, whatever else two initiatives share: many
   programmes work on cybercrime in Ghana at the same time without being one.
2. **Context** raises or lowers it: the same implementer, topic, footprint and dates agree
   (weights 0.35, 0.25, 0.25 and 0.15); different ones, where both sides give them, disagree.
   ``score = name * (0.65 + 0.35 * context)``: full agreement keeps the name evidence, no context
   keeps 65% of it, full disagreement 30%.

A pair is a candidate from THRESHOLD (0.5); the importer flags a row from FLAG_THRESHOLD (0.7).

Comparing every initiative with every other is quadratic, so candidates come from blocking keys
(Index): the normalised title, explicit acronyms, the website, the rarest words of the title, and
an acronym's first and last letters. A key shared by more than MAX_BLOCK initiatives is narrowed to
those sharing a top-level topic too, then a footprint sub-region too; if still larger, it is not used.
"""

import datetime
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from sys import intern
from urllib.parse import urlsplit

from initiatives.membership import Places, batched
from initiatives.models import FootprintCountry, Initiative, Participation, RegionReach, TermMembership
from taxonomy.models import Country, Term
from taxonomy.reconcile import normalise

THRESHOLD = 0.5  # a pair worth a curator's look
FLAG_THRESHOLD = 0.7  # an imported row this close to an initiative we have is flagged, not silently added
NAME_GATE = 0.5  # name evidence below this never pairs
TITLE_SIMILAR = 0.5  # trigram similarity from which two titles count as similar
SAME_TITLE, ACRONYM_EQUAL, SAME_WEBSITE = 1.0, 0.9, 0.9
OTHER_NUMBERS = 0.5  # "Phase 2" and "Phase 3", "(CA12)" and "(CA31)": other editions, hardly ever duplicates
WEIGHTS = {"implementer": 0.35, "topic": 0.25, "footprint": 0.25, "dates": 0.15}
# A title word in more than this share of all titles (and more than COMMON_MIN) tells two titles
# apart no better than "in" does: "Strengthening Incident Response in Ghana" and "Strengthening Cyber
# Resilience in Ghana" are compared on what is left ("incident response ghana", "cyber resilience ghana").
COMMON_SHARE, COMMON_MIN = 0.02, 50
MAX_BLOCK = 50  # initiatives sharing one blocking key, at most: bounds the comparisons per initiative
MAX_PREFIX = 5  # rarest title words used as keys
CHUNK = 1000

STOP_WORDS = {"a", "an", "and", "at", "by", "for", "from", "in", "into", "of", "on", "the", "to", "with", "de", "des",
              "du", "d", "l", "la", "le", "les", "et", "en", "pour", "sur", "aux", "au", "el", "los", "las", "y",
              "para", "del", "con", "por"}  # fmt: skip
GENERIC_WORDS = {"project", "projet", "proyecto", "programme", "program", "programa", "initiative", "phase"}
PLUS_WORDS = {"plus", "extended", "expanded"}  # what a trailing "+" stands for
ROMAN = {"ii", "iii", "iv", "vi", "vii", "viii", "ix"}
WORD_RE = re.compile(r"[^\W_]+")
RAW_TOKEN_RE = re.compile(r"[^\s()\[\],;:/–—]+")
# The acronym a title ends with: "Global Action on Cybercrime Extended (GLACY+)", "... – GLACY+".
TRAILING_RE = re.compile(r"(?:\(([^()]*)\)|\[([^\[\]]*)\]|\s[-–—:]\s+(\S+))\s*$")


# --- titles


def trigrams(text: str) -> frozenset[str]:
    """pg_trgm's trigrams: each word lower-cased, padded with two spaces before and one after."""
    grams: set[str] = set()
    for word in WORD_RE.findall(text.lower()):
        padded = f"  {word} "
        grams.update(intern(padded[i : i + 3]) for i in range(len(padded) - 2))  # shared: a scan holds 100,000s
    return frozenset(grams)


def trigram_similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """pg_trgm's similarity(): shared trigrams over all trigrams."""
    if not a or not b:
        return 0.0
    shared = len(a & b)
    return shared / (len(a) + len(b) - shared)


def _similar(a: frozenset[str], b: frozenset[str]) -> float:
    """trigram_similarity() from TITLE_SIMILAR up, 0 below: sets this unequal in size cannot reach it."""
    small, large = sorted((len(a), len(b)))
    return trigram_similarity(a, b) if small >= TITLE_SIMILAR * large else 0.0


def _acronym_like(token: str) -> bool:
    letters = [c for c in token if c.isalpha()]
    upper = sum(c.isupper() for c in letters)
    return 2 <= len(letters) <= 12 and upper >= max(2, 0.6 * len(letters))


def _acronym_key(token: str) -> str:
    """ "GLACY+" -> "glacy+", "C-PROC" -> "cproc", "GLACY-e" -> "glacye"."""
    key = "".join(c for c in token.lower() if c.isalnum())
    return key + "+" if token.rstrip().endswith("+") and key else key


NOT_ALNUM_RE = re.compile(r"[^0-9a-z]+")


def _name(text: str) -> str:
    """taxonomy.reconcile.normalise(), "+" read as "plus"; quicker for plain ASCII (most titles)."""
    text = text.replace("+", " plus ")
    if text.isascii():
        return " ".join(NOT_ALNUM_RE.sub(" ", text.lower().replace("&", " and ")).split())
    return normalise(text)


@dataclass(frozen=True)
class Title:
    """What a title says, read once."""

    text: str
    name: str  # normalised, "+" read as "plus"
    core: str  # without its bracketed or trailing acronym; "" for a title that is only an acronym
    tokens: tuple[str, ...]  # significant words of the name
    numbers: frozenset[str]
    acronyms: frozenset[str]  # the acronyms it gives for itself
    bare: bool  # only an acronym ("GLACY+", "GLACY+ project")

    @classmethod
    def read(cls, text: str) -> "Title":
        acronyms, rest = set(), text
        trailing = TRAILING_RE.search(text)
        inside = (trailing[1] or trailing[2] or trailing[3] or "").strip() if trailing else ""
        if inside and " " not in inside and _acronym_like(inside):
            key, before = _acronym_key(inside), _name(text[: trailing.start()]).split()
            first = next((word for word in before if word not in STOP_WORDS), "")
            # The title's own acronym starts like the title, and is not that of its last words: not "Support
            # in the African Union (AU)", "Strengthening Skills in Association of Southeast Asian Nations (ASEAN)".
            if first[:1] == key[:1] and not any(
                expands(key, tuple(before[start:])) for start in range(1, len(before) - 1)
            ):
                acronyms.add(key)
                rest = text[: trailing.start()]
        raw = RAW_TOKEN_RE.findall(rest)
        significant = [t for t in raw if t.lower() not in GENERIC_WORDS and not t.isdigit()]
        bare = bool(significant) and all(_acronym_like(t) for t in significant) and len(significant) <= 2
        if bare:
            acronyms.update(_acronym_key(t) for t in significant)
        name = _name(text)
        words = name.split()
        return cls(
            text=text,
            name=name,
            core="" if bare else name if rest is text else _name(rest),
            tokens=tuple(dict.fromkeys(w for w in words if w not in STOP_WORDS and (len(w) > 1 or w.isdigit()))),
            numbers=frozenset(w for w in re.findall(r"\d+", name)) | frozenset(w for w in words if w in ROMAN),
            acronyms=frozenset(a for a in acronyms if a),
            bare=bare,
        )

    @cached_property
    def trigrams(self) -> frozenset[str]:
        return trigrams(self.name)

    @cached_property
    def core_trigrams(self) -> frozenset[str]:
        return trigrams(self.core)

    def distinctive_trigrams(self, common: frozenset[str]) -> frozenset[str]:
        """Trigrams of the name without the corpus's common words (cached for one set of common words)."""
        cached = self.__dict__.get("_distinctive")
        if cached is None or cached[0] is not common:
            words = [w for w in self.name.split() if w not in common and w not in STOP_WORDS]
            cached = (common, trigrams(" ".join(words)))
            self.__dict__["_distinctive"] = cached
        return cached[1]

    @cached_property
    def expansion(self) -> tuple[str, ...]:
        """The words an acronym of another title may stand for."""
        return tuple(self.core.split())

    @cached_property
    def initials(self) -> tuple[str, str] | None:
        """First letters of the first and last significant words: what an acronym of this title starts and
        ends with (the blocking key that lets "GLACY+" meet "Global Action on Cybercrime Extended")."""
        words = [w for w in self.expansion if w not in STOP_WORDS]
        while words and words[-1] in PLUS_WORDS:
            words.pop()
        return (words[0][0], words[-1][0]) if len(words) >= 2 else None


@lru_cache(maxsize=100_000)
def _letters(acronym: str) -> str:
    return "".join(c for c in acronym if c.isalpha())


def expands(acronym: str, words: tuple[str, ...]) -> bool:
    """Whether the acronym is made of the words' beginnings, in order: "glacy" from "global action on
    cybercrime" (gl + a + cy; "on" may give nothing). A trailing "+" stands for "extended" or "plus"."""
    letters = _letters(acronym)
    if not letters or (words and words[0] not in STOP_WORDS and words[0][0] != letters[0]):
        return False
    if acronym.endswith("+"):
        if not words or words[-1] not in PLUS_WORDS:
            return False
        words = words[:-1]
    significant = sum(w not in STOP_WORDS for w in words)
    if len(letters) < 2 or significant < 2 or significant > len(letters):
        return False
    seen: dict[tuple[int, int], bool] = {}

    def fits(i: int, j: int) -> bool:
        if j == len(words):
            return i == len(letters)
        if (i, j) in seen:
            return seen[i, j]
        word = words[j]
        result = word in STOP_WORDS and fits(i, j + 1)
        k = 1
        while not result and k <= len(word) and i + k <= len(letters) and letters[i + k - 1] == word[k - 1]:
            result = fits(i + k, j + 1)
            k += 1
        seen[i, j] = result
        return result

    return fits(0, 0)


def acronym_equal(a: Title, b: Title) -> bool:
    if a.acronyms & b.acronyms:
        # Unless both spell themselves out, differently: "Public Awareness Partnership (PAP)" and
        # "Privacy Assessment Programme (PAP)" share an acronym by chance.
        return not (a.core and b.core and trigram_similarity(a.core_trigrams, b.core_trigrams) < TITLE_SIMILAR)
    if a.acronyms and b.acronyms:  # both say what they are called, and it differs ("GLACY+", "GLACY-e")
        return False
    return any(expands(acronym, b.expansion) for acronym in a.acronyms) or any(
        expands(acronym, a.expansion) for acronym in b.acronyms
    )


def site(url: str) -> str:
    """A web address as host and path, without scheme, "www." or a trailing slash; "" for a bare home page
    (an organisation's site, shared by all its programmes, says nothing about duplicates)."""
    try:
        parts = urlsplit(url.strip().lower())
        host = (parts.hostname or "").removeprefix("www.")
    except ValueError:
        return ""
    path = parts.path.rstrip("/")
    if not host or not (path or parts.query):
        return ""
    return host + path + (f"?{parts.query}" if parts.query else "")


# --- features


@dataclass
class Topics:
    """The topic vocabulary: names for reasons, depth for the most specific shared one, roots for blocking."""

    name: dict[int, str]
    parent: dict[int, int | None]

    @classmethod
    def load(cls) -> "Topics":
        rows = list(Term.objects.topics().values_list("pk", "parent_id", "name"))
        return cls(name={pk: name for pk, _, name in rows}, parent={pk: parent for pk, parent, _ in rows})

    def chain(self, pk: int) -> list[int]:
        chain = []
        while pk is not None and pk not in chain:
            chain.append(pk)
            pk = self.parent.get(pk)
        return chain

    def root(self, pk: int) -> int:
        return self.chain(pk)[-1]

    def most_specific(self, terms: set[int]) -> list[int]:
        """The terms of the set that no other term of it is below."""
        above = {ancestor for pk in terms for ancestor in self.chain(pk)[1:]}
        return sorted((pk for pk in terms if pk not in above), key=lambda pk: self.name.get(pk, ""))


def common_words(frequency: dict[str, int], total: int) -> frozenset[str]:
    limit = max(COMMON_MIN, COMMON_SHARE * total)
    return frozenset(word for word, count in frequency.items() if count > limit)


@dataclass
class Corpus:
    """What a score reads besides the two initiatives: the topics, and the words too common in titles to count."""

    topics: Topics
    common: frozenset[str] = frozenset()

    @classmethod
    def load(cls) -> "Corpus":
        frequency: dict[str, int] = defaultdict(int)
        titles = list(Initiative.objects.values_list("title", flat=True))
        for title in titles:
            for word in set(_name(title).split()):
                frequency[word] += 1
        return cls(Topics.load(), common_words(frequency, len(titles)))


@dataclass
class Features:
    """What the comparison reads of one initiative (or of an unsaved row, pk None).

    Title, website, dates, topics and footprint sub-regions are always there (blocking needs them);
    implementers and footprint countries are loaded for the candidates only (context_loaded).
    """

    pk: int | None
    title: Title
    website: str = ""
    start: datetime.date | None = None
    end: datetime.date | None = None
    topics: frozenset[int] = frozenset()  # with every term above them
    roots: frozenset[int] = frozenset()
    subregions: frozenset[int] = frozenset()  # the M49 sub-regions of the footprint's countries
    implementers: dict[int, str] = field(default_factory=dict)
    countries: frozenset[str] = frozenset()
    context_loaded: bool = False


@dataclass
class Match:
    pk: int
    score: float
    reasons: list[str]


def _base(pk: int, title: str, website: str, start, end) -> Features:
    return Features(pk=pk, title=Title.read(title), website=site(website), start=start, end=end)


def load_features(ids: Iterable[int] | None = None, *, topics: Topics | None = None) -> dict[int, Features]:
    """Features (without context) of these initiatives, or of all when ids is None: three queries per
    thousand initiatives, or three in all."""
    topics = topics or Topics.load()
    leaves = set(Country.objects.exclude(region=None).values_list("region_id", flat=True).distinct())
    features: dict[int, Features] = {}
    for chunk in [None] if ids is None else batched(sorted(set(ids)), CHUNK):
        initiatives = Initiative.objects.all()
        memberships = TermMembership.objects.filter(term_id__in=list(topics.name))
        reached = RegionReach.objects.filter(region_id__in=leaves)
        if chunk is not None:
            initiatives = initiatives.filter(pk__in=chunk)
            memberships = memberships.filter(initiative_id__in=chunk)
            reached = reached.filter(initiative_id__in=chunk)
        for row in initiatives.values_list("pk", "title", "website", "start_date", "end_date"):
            features[row[0]] = _base(*row)
        by_initiative: dict[int, set[int]] = defaultdict(set)
        for pk, term in memberships.values_list("initiative_id", "term_id"):
            by_initiative[pk].add(term)
        for pk, terms in by_initiative.items():
            if pk in features:
                features[pk].topics = frozenset(terms)
                features[pk].roots = frozenset(topics.root(t) for t in terms)
        subregions: dict[int, set[int]] = defaultdict(set)
        for pk, region in reached.values_list("initiative_id", "region_id"):
            subregions[pk].add(region)
        for pk, regions in subregions.items():
            if pk in features:
                features[pk].subregions = frozenset(regions)
    return features


def load_context(features: dict[int, Features], ids: Iterable[int]) -> None:
    """Implementers and footprint countries of these initiatives, two queries per thousand."""
    wanted = sorted(pk for pk in set(ids) if pk in features and not features[pk].context_loaded)
    for chunk in batched(wanted, CHUNK):
        implementers: dict[int, dict[int, str]] = defaultdict(dict)
        for pk, organisation, name in Participation.objects.filter(
            initiative_id__in=chunk, role=Participation.Role.IMPLEMENTER
        ).values_list("initiative_id", "organisation_id", "organisation__name"):
            implementers[pk][organisation] = name
        countries: dict[int, set[str]] = defaultdict(set)
        for pk, iso2 in FootprintCountry.objects.filter(initiative_id__in=chunk).values_list(
            "initiative_id", "country_id"
        ):
            countries[pk].add(intern(iso2))  # millions of rows at scale, a few hundred distinct codes
        for pk in chunk:
            f = features[pk]
            f.implementers = implementers.get(pk, {})
            f.countries = frozenset(countries.get(pk, ()))
            f.context_loaded = True


def probe(
    *,
    title: str,
    topics: Topics,
    website: str = "",
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    countries: Iterable[str] = (),
    terms: Iterable[int] = (),
    implementers: dict[int, str] | None = None,
    country_region: dict[str, int] | None = None,
) -> Features:
    """Features of something not saved yet (an imported row): its footprint countries, its terms (any
    vocabulary: only topics are kept, with the terms above them) and the implementers we know."""
    topic_ids = {ancestor for term in terms if term in topics.name for ancestor in topics.chain(term)}
    countries = frozenset(countries)
    return Features(
        pk=None,
        title=Title.read(title),
        website=site(website),
        start=start,
        end=end,
        topics=frozenset(topic_ids),
        roots=frozenset(topics.root(t) for t in topic_ids),
        subregions=frozenset(filter(None, ((country_region or {}).get(c) for c in countries))),
        implementers=dict(implementers or {}),
        countries=countries,
        context_loaded=True,
    )


# --- the score


def name_evidence(a: Features, b: Features, common: frozenset[str] = frozenset()) -> tuple[float, list[str]]:
    """How much the names alone say these are one initiative, 0..1, and why."""
    ta, tb = a.title, b.title
    title_score, reasons = 0.0, []
    # Two titles giving different acronyms say they differ: "Cyber Academy (CA1)" and "Cyber Academy (CA2)".
    other_acronyms = bool(ta.acronyms and tb.acronyms and ta.acronyms.isdisjoint(tb.acronyms))
    if ta.name and (ta.name == tb.name or (ta.core and ta.core == tb.core and not other_acronyms)):
        title_score = SAME_TITLE
        reasons.append(
            "same title" if ta.text.strip() == tb.text.strip() else "same title apart from case and punctuation"
        )
    elif acronym_equal(ta, tb):
        title_score = ACRONYM_EQUAL
        reasons.append("acronym-equal titles")
    else:
        similarity = _similar(ta.trigrams, tb.trigrams)
        if ta.core and tb.core and not other_acronyms and (ta.core != ta.name or tb.core != tb.name):
            similarity = max(similarity, _similar(ta.core_trigrams, tb.core_trigrams))
        if similarity >= TITLE_SIMILAR and common:
            distinctive = ta.distinctive_trigrams(common), tb.distinctive_trigrams(common)
            if all(distinctive):
                similarity = min(similarity, trigram_similarity(*distinctive))
        if similarity >= TITLE_SIMILAR:
            title_score = similarity
            reasons.append(f"similar titles ({similarity:.2f})")
    if title_score and ta.numbers and tb.numbers and ta.numbers != tb.numbers:
        title_score *= OTHER_NUMBERS
        reasons.append("different numbers in the titles")
    website_score = SAME_WEBSITE if a.website and a.website == b.website else 0.0
    if website_score:
        reasons.append("same website")
    return 1 - (1 - title_score) * (1 - website_score), reasons


def _years(start: datetime.date, end: datetime.date | None) -> str:
    if end is None:
        return f"from {start.year}"
    return str(start.year) if start.year == end.year else f"{start.year}-{end.year}"


def context(a: Features, b: Features, topics: Topics) -> tuple[float, list[str]]:
    """How much what they do, where, with whom and when agrees: -1..1, and why."""
    value, reasons = 0.0, []
    if a.implementers and b.implementers:
        shared = sorted({a.implementers[pk] for pk in a.implementers.keys() & b.implementers.keys()})
        if shared:
            value += WEIGHTS["implementer"]
            reasons.append(f"same implementer: {', '.join(shared[:2])}" + (" …" if len(shared) > 2 else ""))
        else:
            value -= WEIGHTS["implementer"] / 2  # co-implementers are often recorded in one mapping only
            reasons.append("different implementers")
    if a.topics and b.topics:
        shared = set(a.topics & b.topics)
        if shared:
            value += WEIGHTS["topic"]
            names = [topics.name[pk] for pk in topics.most_specific(shared)[:2]]
            reasons.append(f"same topic{'s' if len(names) > 1 else ''}: {', '.join(names)}")
        else:
            value -= WEIGHTS["topic"]
            reasons.append("different topics")
    if a.countries and b.countries:
        overlap = len(a.countries & b.countries)
        if overlap:
            value += WEIGHTS["footprint"] * min(1.0, overlap / min(len(a.countries), len(b.countries)))
            reasons.append(f"footprints overlap ({overlap} {'country' if overlap == 1 else 'countries'})")
        else:
            value -= WEIGHTS["footprint"]
            reasons.append("footprints do not overlap")
    if a.start and b.start:
        start = max(a.start, b.start)
        ends = [end for end in (a.end, b.end) if end]
        end = min(ends) if ends else None
        if end is None or start <= end:
            value += WEIGHTS["dates"]
            reasons.append(f"dates overlap {_years(start, end)}")
        else:
            value -= WEIGHTS["dates"]
            reasons.append("dates do not overlap")
    return value, reasons


def score(a: Features, b: Features, corpus: Corpus) -> Match | None:
    """The pair's score and reasons (b's pk in the match), or None when the names give no evidence."""
    name, reasons = name_evidence(a, b, corpus.common)
    if name < NAME_GATE:
        return None
    agreement, more = context(a, b, corpus.topics)
    value = max(0.0, min(1.0, name * (0.65 + 0.35 * agreement)))
    return Match(pk=b.pk, score=round(value, 2), reasons=reasons + more)


# --- blocking


class Index:
    """Blocking keys of a set of initiatives, so that each is compared with a few others, not with all.

    A key is the normalised title (and its core without the acronym), an acronym it gives, its website,
    one of its rarest title words, or the first letters of its first and last words (which an
    acronym-only title looks up). A key held by more than max_block initiatives is narrowed to
    (key, top-level topic), then to (key, topic, footprint sub-region); past that it is not used.
    """

    def __init__(self, features: dict[int, Features], *, max_block: int = MAX_BLOCK) -> None:
        self.features = features
        self.frequency: dict[str, int] = defaultdict(int)  # of title words
        for f in features.values():
            for token in f.title.tokens:
                self.frequency[token] += 1
        postings: dict[tuple, list[int]] = defaultdict(list)
        plain = {pk: list(self.plain_keys(f, insert=True)) for pk, f in features.items()}
        for pk, keys in plain.items():
            for key in keys:
                postings[key].append(pk)
        self.crowded: list[set[tuple]] = [{key for key, members in postings.items() if len(members) > max_block}]
        for level in (1, 2):
            new = set()
            for pk, keys in plain.items():
                for key in keys:
                    for narrower in self._narrowed(key, features[pk], level):
                        postings[narrower].append(pk)
                        new.add(narrower)
            self.crowded.append({key for key in new if len(postings[key]) > max_block})
        for crowded in self.crowded:  # never read: their initiatives are under narrower keys
            for key in crowded:
                del postings[key]
        self.postings = dict(postings)

    def _narrowed(self, key: tuple, f: Features, level: int) -> Iterator[tuple]:
        """The keys one level narrower than a crowded key (nothing when it is not crowded)."""
        if key not in self.crowded[0]:
            return
        for root in f.roots or (0,):
            by_topic = (key, root)
            if level == 1:
                yield by_topic
            elif by_topic in self.crowded[1]:
                for region in f.subregions or (0,):
                    yield (key, root, region)

    def _usable(self, key: tuple, f: Features) -> Iterator[tuple]:
        if key not in self.crowded[0]:
            yield key
            return
        for root in f.roots or (0,):
            by_topic = (key, root)
            if by_topic not in self.crowded[1]:
                yield by_topic
                continue
            for region in f.subregions or (0,):
                if (key, root, region) not in self.crowded[2]:
                    yield (key, root, region)

    def plain_keys(self, f: Features, *, insert: bool = False) -> Iterator[tuple]:
        title = f.title
        for name in {title.name, title.core} - {""}:
            yield ("n", name)
        for acronym in title.acronyms:
            yield ("a", acronym)
        if f.website:
            yield ("w", f.website)
        # The rarest words: two titles alike in most words share one of each other's rarest (prefix filtering).
        words = sorted(title.tokens, key=lambda t: (self.frequency.get(t, 0), t))
        for token in words[: min(MAX_PREFIX, len(words) - math.ceil(TITLE_SIMILAR * len(words)) + 1)]:
            yield ("t", token)
        if insert and not title.bare and title.initials:  # looked up by acronym-only titles only
            yield ("i", *title.initials)

    def acronym_keys(self, f: Features) -> Iterator[tuple]:
        """What an acronym-only title looks up: titles whose first word starts like it and whose last word
        starts with one of its later letters."""
        for acronym in f.title.acronyms if f.title.bare else ():
            letters = [c for c in acronym if c.isalpha()]
            for last in dict.fromkeys(letters[1:]):
                yield ("i", letters[0], last)

    def neighbours(self, f: Features) -> tuple[set[int], set[int]]:
        """The initiatives sharing a key with f: (by keys both sides hold, by f's acronym lookups only)."""
        found, looked_up = set(), set()
        for key in self.plain_keys(f):
            for usable in self._usable(key, f):
                found.update(self.postings.get(usable, ()))
        for key in self.acronym_keys(f):
            for usable in self._usable(key, f):
                looked_up.update(self.postings.get(usable, ()))
        found.discard(f.pk)
        looked_up.discard(f.pk)
        return found, looked_up - found


class Lookup:
    """Candidates among the initiatives we have, for many subjects at once (an import's new rows).

    Reads every initiative's title, website, dates, topics and sub-regions once (a few queries),
    then the context of the candidates only.
    """

    def __init__(self, *, exclude: Iterable[int] = ()) -> None:
        self.topics = Topics.load()
        self.features = load_features(topics=self.topics)
        for pk in exclude:
            self.features.pop(pk, None)
        self.index = Index(self.features)
        self.corpus = Corpus(self.topics, common_words(self.index.frequency, len(self.features)))
        self._country_region: dict[str, int] | None = None

    @property
    def country_region(self) -> dict[str, int]:
        if self._country_region is None:
            self._country_region = dict(Country.objects.exclude(region=None).values_list("iso2", "region_id"))
        return self._country_region

    @cached_property
    def region_countries(self) -> dict[int, frozenset[str]]:
        return Places.load().countries

    def probe(self, *, regions: Iterable[int] = (), countries: Iterable[str] = (), **values) -> Features:
        """See probe(): the features of an unsaved row, its footprint made of its countries and those of its
        regions (at any depth), as the membership tables would make it."""
        footprint = set(countries)
        for region in regions:
            footprint |= self.region_countries.get(region, frozenset())
        return probe(topics=self.topics, country_region=self.country_region, countries=footprint, **values)

    def matches(self, subjects: list[Features], *, threshold: float = THRESHOLD, limit: int = 5) -> list[list[Match]]:
        """For each subject, the initiatives scoring at least threshold, best first."""
        gated: list[list[int]] = []
        for subject in subjects:
            found, looked_up = self.index.neighbours(subject)
            common = self.corpus.common
            gated.append(
                [pk for pk in found | looked_up if name_evidence(subject, self.features[pk], common)[0] >= NAME_GATE]
            )
        load_context(self.features, {pk for pks in gated for pk in pks})
        results = []
        for subject, pks in zip(subjects, gated, strict=True):
            found = [m for pk in pks if (m := score(subject, self.features[pk], self.corpus)) and m.score >= threshold]
            results.append(sorted(found, key=lambda m: (-m.score, m.pk))[:limit])
        return results


def candidates_for(
    subject: Initiative | Features, *, lookup: Lookup | None = None, threshold: float = THRESHOLD, limit: int = 5
) -> list[Match]:
    """The initiatives that look like this one (saved) or this row (unsaved Features, see Lookup.probe).

    Builds a Lookup over all initiatives unless given one: pass one when looking up many.
    """
    if isinstance(subject, Initiative):
        lookup = lookup or Lookup()
        features = lookup.features.get(subject.pk) or load_features([subject.pk], topics=lookup.topics)[subject.pk]
        load_context({subject.pk: features}, [subject.pk])
        subject = features
    lookup = lookup or Lookup()
    return lookup.matches([subject], threshold=threshold, limit=limit)[0]
