"""Reconciling other mappings' words for places and themes onto our taxonomy.

An importer asks a ``Reconciler`` about every cell value: "Korea, Republic of", "Europe & CIS",
"CERTs". The reconciler loads every country, region, term and alias once, then answers from
dictionaries in memory, so a file of 50,000 rows costs a handful of queries.

A value is compared through a *key*: ``normalise()`` (case, accents, "&", punctuation), then
the small words that come and go between forms of the same name are dropped ("the" everywhere;
"of" in place names, so ISO's "Korea, Republic of", the World Bank's "Korea, Rep." and the UN's
"Republic of Korea" meet), abbreviations are spelled out ("Rep." -> republic, "St." -> saint) and
initials are joined ("U.S." -> us, "Lao P.D.R." -> lao pdr). The same key function reads the
reference names and the values, so no form is favoured.

Exact answers (codes, names in English, French and Spanish, aliases) always win over a close
spelling; a close spelling (``difflib``) is only tried once every exact rule failed, only for
values long enough to judge, and only when one answer is clearly the closest.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from taxonomy.models import Country, CountryAlias, Region, RegionAlias, Term, TermAlias

# A close spelling places a value only when it is at least this similar (difflib's ratio) to a
# known name, the value has at least this many characters, and the runner-up for another place or
# term is clearly behind: "Trindad & Tobago" is Trinidad and Tobago, but "Austraia" is
# Australia or Austria, and "Nigria" (Nigeria? Niger?) is too short to guess.
APPROXIMATE_CUTOFF = 0.88
APPROXIMATE_MIN_LENGTH = 7
APPROXIMATE_MARGIN = 0.03
# "Did you mean ...": looser, since a person reads them.
SUGGESTION_CUTOFF = 0.7
SUGGESTIONS = 3

# Ranks: when two sources give the same key, the better (lower) rank wins. Only aliases of the
# same rank add up ("Global" is five rows); two names, or two derived forms, for different things
# place neither. A slug ranks last: it mostly repeats a name ("africa"), and the name says more.
CODE, NAME, OTHER_NAME, ALIAS, FROM_NAME, FROM_ALIAS, SLUG = range(7)
HOW = {
    CODE: "code",
    NAME: "name",
    OTHER_NAME: "name",
    ALIAS: "alias",
    FROM_NAME: "name",
    FROM_ALIAS: "alias",
    SLUG: "code",
}

# In place names only: abbreviations in ITU, UN and World Bank country lists.
PLACE_ABBREVIATIONS = {
    "rep": "republic",
    "dem": "democratic",
    "st": "saint",
    "ste": "sainte",
    "fed": "federated",
    "sts": "states",
    "is": "islands",
    "isl": "islands",
    "peoples": "people",
}
PLACE_DROPPED = frozenset({"the", "of"})
DROPPED = frozenset({"the"})

ANNOTATION_RE = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|[*†‡]+")
PARENTHESIS_RE = re.compile(r"^(?P<outer>[^()]+?)\s*\((?P<inner>[^()]+)\)\s*$")
M49_RE = re.compile(r"^\d{1,3}(?:\.0+)?$")
STRONG_SEPARATORS_RE = re.compile(r"[;|\r\n]+")


def normalise(text: str) -> str:
    """Casefold, strip accents, "&" -> "and", punctuation -> space, collapse spaces."""
    text = unicodedata.normalize("NFKD", str(text).casefold().replace("&", " and "))
    text = "".join(char for char in text if not unicodedata.combining(char))
    text = "".join(char if char.isalnum() else " " for char in text)
    return " ".join(text.split())


def _join_initials(words: list[str]) -> list[str]:
    """Runs of two or more single letters become one word: "u s a" -> "usa"."""
    joined: list[str] = []
    run: list[str] = []
    for word in [*words, ""]:
        if len(word) == 1:
            run.append(word)
            continue
        if len(run) > 1:
            joined.append("".join(run))
        else:
            joined.extend(run)
        run = []
        if word:
            joined.append(word)
    return joined


def _words(text: str) -> list[str]:
    # A lone "s" is what is left of a possessive: "People's" -> "people s" -> "people".
    return [word for word in _join_initials(normalise(text).split()) if word != "s"]


def place_key(text: str) -> str:
    words = [PLACE_ABBREVIATIONS.get(word, word) for word in _words(text)]
    return " ".join(word for word in words if word not in PLACE_DROPPED)


def term_key(text: str) -> str:
    key = " ".join(word for word in _words(text) if word not in DROPPED)
    # GFCE writes "Cyber Security", the CMM "Cybersecurity", others "cyber-security".
    return re.sub(r"\bcyber security\b", "cybersecurity", key)


def singular_key(key: str) -> str:
    """Each word without a plural "s", so that "CERTs" meets "CERT" (both sides go through this)."""
    return " ".join(
        word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word for word in key.split()
    )


def reorderings(text: str) -> list[str]:
    """ "Korea, Republic of" -> "Republic of Korea"; "Iran (Islamic Republic of)" -> "Islamic Republic of Iran"."""
    forms = []
    if text.count(",") == 1:
        outer, inner = text.split(",")
        forms.append(f"{inner} {outer}")
    if match := PARENTHESIS_RE.match(text):
        forms.append(f"{match['inner']} {match['outer']}")
    return forms


def without_annotations(text: str) -> str:
    """ "Lao PDR (priority)" -> "Lao PDR"; "Kosovo*" -> "Kosovo"."""
    return " ".join(ANNOTATION_RE.sub(" ", text).split())


@dataclass(frozen=True)
class Placed:
    objects: tuple  # Country, Region or Term instances; one word may place several ("Global": five continents)
    how: str  # "code" | "name" | "alias" | "approximate" (a close spelling: the importer warns)

    def __bool__(self) -> bool:
        return True


@dataclass(frozen=True)
class Unplaced:
    value: str
    suggestions: tuple[str, ...]  # up to three known names, closest first ("Did you mean ...")

    def __bool__(self) -> bool:
        return False


class Index:
    """Keys -> (rank, objects) for one kind of thing (countries, regions, one vocabulary's terms)."""

    def __init__(self, key: Callable[[str], str]) -> None:
        self.key = key
        self.entries: dict[str, tuple[int, tuple]] = {}
        self.display: dict[str, str] = {}  # key -> the text a suggestion shows
        # Keys two things claimed at the same rank ("Saint-Martin", French for both halves of the
        # island): they place nothing, and the claimants are the suggestions.
        self.ambiguous: dict[str, tuple[int, tuple]] = {}
        self._singular: dict[str, tuple[int, tuple]] | None = None

    def add(self, text: str, objects: tuple, rank: int) -> None:
        key = self.key(text)
        if not key or not objects:
            return
        if key in self.ambiguous:
            ambiguous_rank, claimants = self.ambiguous[key]
            if rank == ambiguous_rank:
                self.ambiguous[key] = (rank, claimants + tuple(o for o in objects if o not in claimants))
            if rank >= ambiguous_rank:
                return
        current = self.entries.get(key)
        if current is None or rank < current[0]:
            self.entries[key] = (rank, objects)
            self.display[key] = str(objects[0]) if len(objects) == 1 else text
            return
        current_rank, current_objects = current
        if rank > current_rank or set(objects) <= set(current_objects):
            return
        if rank == ALIAS:
            self.entries[key] = (rank, current_objects + tuple(o for o in objects if o not in current_objects))
            self.display[key] = text
        else:
            del self.entries[key]
            self.ambiguous[key] = (rank, current_objects + objects)

    def add_name(self, name: str, objects: tuple, rank: int) -> None:
        """A name and the forms it implies: "Korea, Republic of" is also "Republic of Korea",
        "African Union (AU)" is also "African Union" and "AU"."""
        self.add(name, objects, rank)
        derived = FROM_ALIAS if rank >= ALIAS else FROM_NAME
        for form in reorderings(name):
            self.add(form, objects, derived)
        match = PARENTHESIS_RE.match(name)
        # Not "Congo (Democratic Republic of the)" -> "Congo": that is the other Congo.
        if match and not re.search(r"\bof( the)?$", match["inner"].strip(), re.IGNORECASE):
            self.add(match["outer"], objects, derived)
            if " " not in match["inner"].strip():  # an acronym or a one-word other name: "AU", "Malvinas"
                self.add(match["inner"], objects, derived)

    def get(self, key: str) -> tuple[int, tuple] | None:
        return self.entries.get(key)

    def get_singular(self, key: str) -> tuple[int, tuple] | None:
        if self._singular is None:
            self._singular = {}
            clashes = set()
            for entry_key, entry in sorted(self.entries.items(), key=lambda item: item[1][0]):
                singular = singular_key(entry_key)
                if singular in self._singular and set(self._singular[singular][1]) != set(entry[1]):
                    clashes.add(singular)
                self._singular.setdefault(singular, entry)
            for singular in clashes:  # two terms whose names differ by a plural "s": trust neither
                del self._singular[singular]
        return self._singular.get(singular_key(key))

    def candidates(self) -> list[str]:
        """Keys a close spelling may land on: names and aliases, not codes, slugs or very short words."""
        return [key for key, (rank, _) in self.entries.items() if rank not in (CODE, SLUG) and len(key) > 3]


class Lookup:
    """Answers for one set of indexes, memoised per value: exact rules first, then a close spelling."""

    def __init__(
        self, key: Callable[[str], str], indexes: list[Index], *, codes: dict | None = None, plurals: bool = False
    ) -> None:
        self.key = key
        self.indexes = indexes  # in order of preference: countries before regions in mixed cells
        self.codes = codes or {}
        self.plurals = plurals
        self.memo: dict[str, Placed | Unplaced] = {}
        self._candidates: list[tuple[str, Index]] | None = None

    def __call__(self, text: str) -> Placed | Unplaced:
        text = " ".join(str(text or "").split())
        result = self.memo.get(text)
        if result is None:
            result = self.memo[text] = self.answer(text)
        return result

    def answer(self, text: str) -> Placed | Unplaced:
        keys = self.keys(text)
        if not keys:
            return Unplaced(text, ())
        code = text.lower()
        if M49_RE.match(code):  # "566", and "566.0" or "76" from a spreadsheet's number column
            code = f"{int(float(code)):03d}"
        for candidate in (code, keys[0].replace(" ", "")):  # "NG", "nga", "U.S.A."
            if candidate in self.codes:
                return Placed(self.codes[candidate], "code")
        for key in keys:
            if (placed := self.exact(key)) is not None:
                return placed
        for key in keys:
            for index in self.indexes:
                if key in index.ambiguous:
                    return Unplaced(text, tuple(sorted(str(o) for o in index.ambiguous[key][1]))[:SUGGESTIONS])
        return self.approximate(text, keys)

    def keys(self, text: str) -> list[str]:
        """The value's keys in the order they are tried: as written, reordered, without annotations."""
        stripped = without_annotations(text)
        forms = [text, *reorderings(text), stripped, *reorderings(stripped)]
        return list(dict.fromkeys(key for key in map(self.key, forms) if key))

    def exact(self, key: str) -> Placed | None:
        for index in self.indexes:
            if (entry := index.get(key)) is not None:
                return Placed(entry[1], HOW[entry[0]])
        if self.plurals:
            for index in self.indexes:
                if (entry := index.get_singular(key)) is not None:
                    return Placed(entry[1], HOW[entry[0]])
        return None

    def candidates(self) -> list[tuple[str, Index]]:
        if self._candidates is None:
            seen: dict[str, Index] = {}
            for index in self.indexes:
                for key in index.candidates():
                    seen.setdefault(key, index)
            self._candidates = list(seen.items())
        return self._candidates

    def approximate(self, text: str, keys: list[str]) -> Placed | Unplaced:
        """A close spelling of one known name (the importer warns), else up to three suggestions."""
        owner = dict(self.candidates())
        suggestions: list[str] = []
        for key in keys:
            scored = sorted(self.similar(key), key=lambda pair: (-pair[0], pair[1]))
            if scored and len(key) >= APPROXIMATE_MIN_LENGTH and scored[0][0] >= APPROXIMATE_CUTOFF:
                best_ratio, best = scored[0]
                objects = owner[best].get(best)[1]
                rival = next((r for r, c in scored[1:] if set(owner[c].get(c)[1]) != set(objects)), 0.0)
                if rival <= best_ratio - APPROXIMATE_MARGIN:
                    return Placed(objects, "approximate")
            for _, candidate in scored:
                if (name := owner[candidate].display[candidate]) not in suggestions:
                    suggestions.append(name)
        if len(suggestions) < SUGGESTIONS and len(keys[0]) > 3:
            # A part of a longer name is not similar to it, but worth suggesting: "Korea".
            pattern = re.compile(rf"\b{re.escape(keys[0])}\b")
            for candidate in sorted((c for c in owner if pattern.search(c)), key=lambda c: (len(c), c)):
                if (name := owner[candidate].display[candidate]) not in suggestions:
                    suggestions.append(name)
        return Unplaced(text, tuple(suggestions[:SUGGESTIONS]))

    def similar(self, key: str) -> list[tuple[float, str]]:
        matcher = difflib.SequenceMatcher()
        matcher.set_seq2(key)  # difflib caches details about the second sequence
        scored = []
        for candidate, _ in self.candidates():
            matcher.set_seq1(candidate)
            if (
                matcher.real_quick_ratio() >= SUGGESTION_CUTOFF
                and matcher.quick_ratio() >= SUGGESTION_CUTOFF
                and (ratio := matcher.ratio()) >= SUGGESTION_CUTOFF
            ):
                scored.append((ratio, candidate))
        return scored


def _sorted(objects: Iterable) -> tuple:
    return tuple(sorted(objects, key=str))


class Reconciler:
    """Loads every country, region, term and alias once (a handful of queries); then answers from memory."""

    def __init__(self) -> None:
        countries = {c.pk: c for c in Country.objects.all()}
        regions = {r.pk: r for r in Region.objects.all()}
        terms = {t.pk: t for t in Term.objects.select_related("vocabulary")}

        self.countries = Index(place_key)
        codes: dict[str, tuple] = {}
        for country in countries.values():
            for code in (country.iso2, country.iso3, country.m49):
                codes[code.lower()] = (country,)
            self.countries.add_name(country.name, (country,), NAME)
            for name in (country.name_fr, country.name_es):
                if name:
                    self.countries.add_name(name, (country,), OTHER_NAME)
        for country_id, name in CountryAlias.objects.values_list("country_id", "name"):
            self.countries.add_name(name, (countries[country_id],), ALIAS)

        self.regions = Index(place_key)
        region_codes: dict[str, tuple] = {}
        for region in regions.values():
            if region.m49:
                region_codes[region.m49] = (region,)
            self.regions.add_name(region.name, (region,), NAME)
            for name in (region.name_fr, region.name_es):
                if name:
                    self.regions.add_name(name, (region,), OTHER_NAME)
            self.regions.add(region.slug, (region,), SLUG)
        aliases: dict[str, list[Region]] = {}
        for region_id, name in RegionAlias.objects.values_list("region_id", "name"):
            aliases.setdefault(name, []).append(regions[region_id])
        for name, members in aliases.items():
            self.regions.add_name(name, _sorted(members), ALIAS)

        self.vocabularies: dict[str, Index] = {}
        for term in terms.values():
            index = self.vocabularies.setdefault(term.vocabulary.slug, Index(term_key))
            index.add(term.name, (term,), NAME)
            for name in (term.name_fr, term.name_es):
                if name:
                    index.add(name, (term,), OTHER_NAME)
            index.add(term.slug, (term,), SLUG)
        for term_id, name in TermAlias.objects.values_list("term_id", "name"):
            term = terms[term_id]
            self.vocabularies[term.vocabulary.slug].add(name, (term,), ALIAS)

        self._country = Lookup(place_key, [self.countries], codes=codes)
        self._region = Lookup(place_key, [self.regions], codes=region_codes)
        self._place = Lookup(place_key, [self.countries, self.regions], codes={**region_codes, **codes})
        self._terms = {slug: Lookup(term_key, [index], plurals=True) for slug, index in self.vocabularies.items()}

    def country(self, text: str) -> Placed | Unplaced:
        return self._country(text)

    def region(self, text: str) -> Placed | Unplaced:
        return self._region(text)

    def place(self, text: str) -> Placed | Unplaced:
        """A country or a region, for cells that mix them; a word naming both is the country ("Micronesia")."""
        return self._place(text)

    def term(self, vocabulary: str, text: str) -> Placed | Unplaced:
        """A term of one vocabulary (topic, audience, modality) by slug, name or alias."""
        try:
            lookup = self._terms[vocabulary]
        except KeyError:
            raise ValueError(f"unknown vocabulary {vocabulary!r}") from None
        return lookup(text)

    def split(self, cell: str, lookup: Callable[[str], Placed | Unplaced]) -> list[tuple[str, Placed | Unplaced]]:
        """The values in a multi-valued cell, each with its own result.

        ";", "|" and new lines always separate. A comma separates too, except inside a name:
        "Korea, Republic of" stays one value because it places and "Korea" and "Republic of"
        do not all place on their own. "&" and "and" never separate ("Trinidad and Tobago").
        """
        results: list[tuple[str, Placed | Unplaced]] = []
        for chunk in STRONG_SEPARATORS_RE.split(cell or ""):
            pieces = [piece for piece in (" ".join(p.split()) for p in chunk.split(",")) if piece]
            alone = [lookup(piece) for piece in pieces]
            i = 0
            while i < len(pieces):
                for width in (3, 2):
                    window = alone[i : i + width]
                    if len(window) < width or all(_exact(result) for result in window):
                        continue
                    joined = ", ".join(pieces[i : i + width])
                    result = lookup(joined)
                    # A close spelling only joins pieces none of which places alone: "Chad, Korea,
                    # Rep." is close to "Korea, Rep." but names two countries, whereas "Korea,
                    # Republc of" is one. An exact joined name beats pieces placed by a close
                    # spelling: "Democratic Republic of the" looks like a truncated country name.
                    if _exact(result) or (result and not any(window)):
                        results.append((joined, result))
                        i += width
                        break
                else:
                    results.append((pieces[i], alone[i]))
                    i += 1
        return results


def _exact(result: Placed | Unplaced) -> bool:
    return bool(result) and result.how != "approximate"
