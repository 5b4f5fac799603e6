"""Synthetic initiatives for load tests and the benchmark: many rows, realistic skew, reproducible.

The same number and seed always give the same rows (titles, slugs, places,
terms, organisations, dates, text): every choice comes from one
`random.Random(seed)` and reference rows are read in a fixed order. Synthetic
rows are marked by the `syn-` slug prefix, so `clear()` can remove exactly them.

Rows are written in bulk (no per-row save, no signals); the membership tables and
the search index are then refreshed once for the new ids, as every write path must.
"""

import datetime
import itertools
import random
import string
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models.functions import Lower
from django.utils.text import slugify
from taggit.models import Tag, TaggedItem

from initiatives.membership import deferred_refresh, refresh_membership
from initiatives.models import Initiative, Organisation, Participation
from taxonomy.models import Country, Region, Term, Tree
from taxonomy.services import load_reference

PREFIX = "syn-"
ORGANISATION_PREFIX = "syn-org-"
MAX_INITIATIVES = 1_000_000
# Status is derived from the dates as they stand on this day, not on the day the data is made.
REFERENCE_DATE = datetime.date(2026, 11, 1)
CHUNK = 2_000  # initiatives generated and written at a time: bounds memory, not the result
BATCH_SIZE = 1_000
DESCRIPTION_WORDS = (80, 400)


class SyntheticDataError(ValueError):
    """The request cannot be met (bad size, synthetic rows already present...)."""


# ---------------------------------------------------------------- words


def _words(text: str) -> list[str]:
    return text.split()


TOPIC_SUBJECTS = {
    "policy-strategy": ["Cyber Policy", "Cybersecurity Governance", "Digital Policy"],
    "national-strategy": ["National Cybersecurity Strategy", "Cyber Strategy", "Strategy Development"],
    "incident-management": ["Incident Response", "Cyber Incident Management", "Cyber Resilience"],
    "cert-development": ["CERT", "CSIRT", "National CERT", "Computer Emergency Response"],
    "ciip": ["Critical Infrastructure Protection", "CIIP", "Critical Information Infrastructure"],
    "cybercrime": ["Cybercrime", "Cybercrime Prevention", "Online Crime"],
    "cybercrime-legislation": ["Cybercrime Legislation", "Electronic Evidence", "Cyber Law"],
    "digital-forensics": ["Digital Forensics", "Forensic Investigation", "Electronic Evidence"],
    "culture-skills": ["Cyber Skills", "Digital Skills", "Cyber Hygiene"],
    "awareness": ["Cyber Awareness", "Online Safety", "Public Awareness"],
    "workforce": ["Cyber Workforce", "Cybersecurity Talent", "Cyber Academy"],
    "standards": ["Cybersecurity Standards", "Secure Technology", "Standards and Certification"],
    "cyber-diplomacy": ["Cyber Diplomacy", "Confidence Building", "Cyber Norms"],
    "data-protection": ["Data Protection", "Privacy", "Personal Data Protection"],
    "child-online-protection": ["Child Online Protection", "Safer Internet", "Online Child Safety"],
}
KINDS = [
    "Capacity Programme",
    "Capacity Building Project",
    "Initiative",
    "Partnership",
    "Academy",
    "Fellowship",
    "Training Programme",
    "Support Facility",
    "Resilience Programme",
    "Dialogue",
    "Network",
    "Bootcamp",
    "Toolkit",
    "Assessment Programme",
    "Mentoring Scheme",
    "Exchange Programme",
]
PROGRAMME_WORDS = ["Shield", "Bridge", "Horizon", "Compass", "Beacon", "Anchor", "Resolve", "Trust", "Pulse", "Link"]

ADJECTIVES = _words(
    "resilient secure national regional cross-border sustainable inclusive practical hands-on advanced basic "
    "intermediate technical strategic operational legal judicial multilingual open digital online virtual "
    "in-person blended modular tailored comprehensive coordinated joint collaborative long-term short-term "
    "gender-responsive evidence-based risk-based community-led peer-to-peer independent public private "
    "interoperable accredited certified local international bilateral multilateral emerging critical "
    "vulnerable rural urban small medium-sized remote coastal landlocked francophone lusophone anglophone "
    "hispanophone trusted transparent accountable measurable scalable affordable accessible"
)
NOUNS = _words(
    "agency ministry regulator parliament judiciary prosecutor investigator analyst engineer trainer "
    "curriculum module workshop seminar webinar course exercise simulation drill scenario playbook toolkit "
    "handbook guideline framework roadmap strategy policy law regulation standard certification audit "
    "assessment baseline indicator survey dataset report study evaluation mentoring coaching fellowship "
    "scholarship internship apprenticeship hackathon competition conference roundtable dialogue forum "
    "network community platform portal helpdesk hotline laboratory testbed sandbox repository library "
    "incident breach attack malware ransomware phishing fraud scam botnet vulnerability patch backup "
    "encryption authentication identity password firewall server cloud datacentre network telecom operator "
    "bank utility hospital school university college campus student teacher parent child woman girl youth "
    "entrepreneur startup company supplier vendor manufacturer procurement budget donor funder grant loan "
    "partnership agreement memorandum treaty convention norm confidence transparency cooperation "
    "coordination governance oversight accountability trust resilience preparedness recovery continuity "
    "readiness maturity capacity capability skill competence knowledge awareness literacy hygiene behaviour "
    "campaign message radio television newspaper podcast video poster leaflet app website"
)
VERBS = _words(
    "strengthens supports trains equips builds develops reviews drafts assesses maps measures connects "
    "convenes mentors coaches funds finances pilots tests deploys scales expands improves updates adapts "
    "translates publishes shares documents monitors evaluates coordinates facilitates accelerates enables "
    "promotes raises embeds institutionalises harmonises modernises professionalises"
)
GOALS = [
    "respond to incidents faster",
    "investigate and prosecute cybercrime",
    "protect critical services",
    "adopt and implement a national strategy",
    "align legislation with the Budapest Convention",
    "share threat information across borders",
    "raise awareness among the public",
    "grow a skilled cybersecurity workforce",
    "protect children online",
    "safeguard personal data",
    "take part in international cyber diplomacy",
    "measure cyber maturity over time",
    "secure elections and public services",
    "close the gender gap in cybersecurity",
    "build trust in the digital economy",
]
CITIES = _words(
    "Abuja Accra Dakar Nairobi Kigali Kampala Addis-Ababa Lagos Abidjan Lome Cotonou Bamako Niamey Ouagadougou "
    "Freetown Monrovia Banjul Bissau Praia Tunis Rabat Cairo Algiers Windhoek Gaborone Lusaka Harare Maputo "
    "Johannesburg Antananarivo Port-Louis Kinshasa Yaounde Libreville Douala Dodoma Mombasa Djibouti "
    "Jakarta Manila Hanoi Bangkok Phnom-Penh Vientiane Yangon Dhaka Colombo Kathmandu Islamabad Tashkent "
    "Almaty Bishkek Tbilisi Yerevan Amman Beirut Chisinau Kyiv Skopje Tirana Sarajevo Belgrade Podgorica "
    "Bogota Lima Quito Santiago Montevideo Asuncion Kingston Bridgetown Port-of-Spain Santo-Domingo Panama "
    "San-Jose Tegucigalpa Guatemala Suva Apia Port-Moresby Honiara Nuku'alofa Port-Vila Tarawa Majuro "
    "Geneva Vienna The-Hague Brussels Tallinn Oslo Canberra Ottawa Singapore Seoul Tokyo London Paris Madrid"
)
CITIES = [city.replace("-", " ") for city in CITIES]


def _plural(noun: str) -> str:
    irregular = {"child": "children", "woman": "women", "analysis": "analyses"}
    if noun in irregular:
        return irregular[noun]
    if noun.endswith("y") and noun[-2] not in "aeiou":
        return noun[:-1] + "ies"
    if noun.endswith(("s", "x", "ch", "sh")):
        return noun + "es"
    return noun + "s"


def _with_article(word: str) -> str:
    return f"an {word}" if word[0] in "aeiou" else f"a {word}"


PLURALS = {noun: _plural(noun) for noun in NOUNS}
KEYWORDS = [
    "CERT",
    "CSIRT",
    "capacity building",
    "cyber hygiene",
    "Budapest Convention",
    "electronic evidence",
    "incident response",
    "threat intelligence",
    "cyber exercise",
    "CTF",
    "tabletop exercise",
    "national strategy",
    "cyber maturity",
    "CMM",
    "GCI",
    "critical infrastructure",
    "elections",
    "e-government",
    "fintech",
    "mobile money",
    "SMEs",
    "women in cyber",
    "youth",
    "schools",
    "child safety",
    "data protection",
    "privacy",
    "GDPR",
    "cloud security",
    "open source",
    "PKI",
    "DNSSEC",
    "IXP",
    "routing security",
    "MANRS",
    "phishing",
    "ransomware",
    "fraud",
    "online scams",
    "disinformation",
    "confidence building",
    "UN OEWG",
    "cyber norms",
    "diplomacy",
    "train the trainer",
    "e-learning",
    "MOOC",
    "certification",
    "ISO 27001",
    "risk management",
    "supply chain",
    "procurement",
    "health sector",
    "energy sector",
    "telecoms",
    "banking",
    "judges",
    "prosecutors",
    "police",
    "parliamentarians",
    "gender",
    "inclusion",
    "accessibility",
    "multilingual",
    "francophone",
    "small island states",
    "south-south cooperation",
    "peer learning",
    "mentoring",
    "scholarships",
]
CURRENCIES = ["EUR", "USD", "GBP", "JPY", "CAD", "AUD", "CHF", "NOK", "SEK", "KRW"]
CURRENCY_WEIGHTS = [30, 35, 10, 5, 4, 4, 3, 3, 3, 3]

SUMMARY_TEMPLATES = [
    "{org} {verb} {audience} in {place} to {goal}.",
    "{a_adj_cap} {kind_lower} that {verb} {audience} across {place}.",
    "{org} and its partners help {audience} in {place} {goal}.",
    "Helps {audience} in {place} {goal} through {modality}.",
    "{modality_cap} for {audience} on {topic}, delivered in {place}.",
]
SECOND_SENTENCES = [
    "It runs until {end_year} and is open to {audience2}.",
    "Materials are published under an open licence.",
    "The work builds on an earlier {adj} {noun} from {start_year}.",
    "Participants receive {adj} {nouns} and follow-up support.",
    "It is coordinated with other donors active in {place}.",
]
SENTENCES = [
    "The programme {verb} {audience} in {place} through {modality} on {topic}.",
    "Activities include {a_adj} {noun}, {a_adj2} {noun2} and {modality}.",
    "In {year}, {org} {verb} the {noun} with {n} participants from {country}.",
    "The {adj} {noun} was designed with {audience} so that they can {goal}.",
    "{a_adj_cap} {noun} on {topic} is delivered in {city} and online.",
    "{org} leads the work; {org2} contributes {adj} {nouns} and {nouns2}.",
    "Each cohort of {n} {audience} completes {a_adj} {noun} and a final {noun2}.",
    "The team {verb} national {nouns} and {verb2} {a_adj} {noun2} for {country}.",
    "Lessons from {country} feed {a_adj} {noun} shared with {place}.",
    "Follow-up {modality} helps {audience} {goal}.",
    "A baseline {noun} in {year} found gaps in {topic} and {topic2}.",
    "Partners in {city} host the {adj} {noun}, with interpretation into French and Spanish.",
    "The {noun} {verb} cooperation between {audience} and {audience2}.",
    "More than {n} {nouns} were reviewed against {adj} {nouns2}.",
    "By {end_year} the {noun} should be run by local {audience} without outside support.",
    "Priority goes to {adj} {nouns} in {country} and neighbouring countries.",
    "The approach is {adj}, {adj2} and {adj3}, and it {verb} {nouns}.",
    "Its {noun} on {topic} is available in {n} languages.",
    "An independent {noun} in {year} rated the {noun2} as {adj}.",
    "{org} also {verb} {a_adj} {noun} for {audience2} on {topic2}.",
]


def _compile(templates: list[str]) -> list[tuple[str, tuple[str, ...]]]:
    """Each template with the names of its slots, parsed once."""
    return [
        (template, tuple(name for _, name, _, _ in string.Formatter().parse(template) if name))
        for template in templates
    ]


SUMMARY_TEMPLATES_C = _compile(SUMMARY_TEMPLATES)
SECOND_SENTENCES_C = _compile(SECOND_SENTENCES)
SENTENCES_C = _compile(SENTENCES)


# ---------------------------------------------------------------- helpers


def zipf_cumulative(count: int, exponent: float = 1.0) -> list[float]:
    """Cumulative weights 1/rank**exponent, for random.choices: the first few options get most draws."""
    return list(itertools.accumulate(1 / (rank**exponent) for rank in range(1, count + 1)))


@dataclass
class Weighted:
    """Options with cumulative weights, drawn with or without repeats."""

    options: list
    cum_weights: list[float]

    @classmethod
    def zipf(cls, options: list, exponent: float = 1.0) -> "Weighted":
        return cls(list(options), zipf_cumulative(len(options), exponent))

    def one(self, rng: random.Random):
        return rng.choices(self.options, cum_weights=self.cum_weights)[0]

    def distinct(self, rng: random.Random, k: int, exclude=()) -> list:
        k = min(k, len(self.options) - len(set(exclude)))
        chosen: list = []
        while len(chosen) < k:
            for option in rng.choices(self.options, cum_weights=self.cum_weights, k=k - len(chosen)):
                if option not in chosen and option not in exclude:
                    chosen.append(option)
        return chosen[:k]


def _count(rng: random.Random, low: int, weights: list[int]) -> int:
    """A small number from low up, weighted (the first weight is for low)."""
    return rng.choices(range(low, low + len(weights)), weights=weights)[0]


def _acronym(words: str) -> str:
    letters = [word[0] for word in words.replace("-", " ").split() if word[:1].isupper()]
    return "".join(letters)[:6] or "CCB"


@dataclass
class _Reference:
    """The reference rows the generator draws from, each in a seeded, skewed order."""

    countries: Weighted  # of iso2
    country_name: dict[str, str]
    sub_regions: Weighted  # of region pk
    groupings: Weighted
    continents: list[int]
    continent_weights: Weighted
    any_region: Weighted
    region_name: dict[int, str]
    countries_in: dict[int, list[str]]  # region pk -> iso2 of its countries (M49 or members), any depth
    topics: Weighted  # of Term
    audiences: Weighted
    modalities: Weighted
    term_name: dict[int, str]
    term_slug: dict[int, str]

    @classmethod
    def load(cls, rng: random.Random) -> "_Reference":
        # Sorted in Python, not by the database, whose collation may order "-" differently.
        countries = sorted(Country.objects.values_list("iso2", "name", "region_id"))
        if not countries:
            raise SyntheticDataError("No countries: load the reference data first.")
        # Capacity building concentrates on some countries; put typical recipients first, the rest in seeded order.
        head = [iso2 for iso2 in FOCUS_COUNTRIES if any(iso2 == row[0] for row in countries)]
        rest = [row[0] for row in countries if row[0] not in head]
        rng.shuffle(rest)
        regions = sorted(Region.objects.values_list("pk", "slug", "name", "kind"), key=lambda row: row[1])
        tree = Tree(Region.objects.all())
        members: dict[int, set[str]] = {}
        for region_id, iso2 in Region.members.through.objects.values_list("region_id", "country_id"):
            members.setdefault(region_id, set()).add(iso2)
        countries_in: dict[int, list[str]] = {}
        for pk, *_ in regions:
            below = tree.descendants([pk])
            inside = {iso2 for iso2, _, region_id in countries if region_id in below}
            inside.update(*(members.get(region_id, ()) for region_id in below))
            countries_in[pk] = sorted(inside)  # sorted: set order changes from one process to the next

        def ordered(kind: str, first: list[str]) -> list[int]:
            rows = [(pk, slug) for pk, slug, _, k in regions if k == kind]
            head = [pk for slug in first for pk, s in rows if s == slug]
            rest = [pk for pk, _ in rows if pk not in head]
            rng.shuffle(rest)
            return head + rest

        sub_regions = [pk for pk in ordered(Region.Kind.SUB_REGION, FOCUS_SUB_REGIONS) if countries_in[pk]]
        groupings = ordered(Region.Kind.GROUPING, FOCUS_GROUPINGS)
        continents = ordered(Region.Kind.CONTINENT, FOCUS_CONTINENTS)

        def terms(queryset) -> list:
            rows = [
                (pk, slug, name) for _, slug, pk, name in sorted(queryset.values_list("order", "slug", "pk", "name"))
            ]
            rng.shuffle(rows)
            return rows

        topics, audiences, modalities = (
            terms(Term.objects.topics()),
            terms(Term.objects.audiences()),
            terms(Term.objects.modalities()),
        )
        if not (topics and audiences and modalities):
            raise SyntheticDataError("The topic, audience and modality vocabularies must have terms.")
        all_terms = topics + audiences + modalities
        return cls(
            countries=Weighted.zipf(head + rest, 1.05),
            country_name={iso2: name for iso2, name, _ in countries},
            sub_regions=Weighted.zipf(sub_regions, 0.8),
            groupings=Weighted.zipf(groupings, 0.9),
            continents=continents,
            continent_weights=Weighted.zipf(continents, 0.7),
            any_region=Weighted.zipf(sub_regions + groupings + continents, 0.8),
            region_name={pk: name for pk, _, name, _ in regions},
            countries_in=countries_in,
            topics=Weighted.zipf([pk for pk, _, _ in topics], 0.9),
            audiences=Weighted.zipf([pk for pk, _, _ in audiences], 0.8),
            modalities=Weighted.zipf([pk for pk, _, _ in modalities], 0.8),
            term_name={pk: name for pk, _, name in all_terms},
            term_slug={pk: slug for pk, slug, _ in all_terms},
        )


FOCUS_COUNTRIES = ["KE", "NG", "GH", "UA", "SN", "ID", "PH", "MD", "CO", "GE", "RW", "VN", "ET", "UG", "MA", "JO"]
FOCUS_SUB_REGIONS = ["western-africa", "eastern-africa", "south-eastern-asia", "eastern-europe", "caribbean"]
FOCUS_GROUPINGS = ["african-union", "ecowas", "asean", "commonwealth", "oas", "pacific-islands-forum"]
FOCUS_CONTINENTS = ["africa", "asia", "americas", "europe", "oceania"]


@dataclass
class _Draft:
    """One initiative and the keys of its related rows, before anything is written."""

    initiative: Initiative
    countries: list[str] = field(default_factory=list)
    regions: list[int] = field(default_factory=list)
    topics: list[int] = field(default_factory=list)
    audiences: list[int] = field(default_factory=list)
    modalities: list[int] = field(default_factory=list)
    participations: list[tuple[int, str]] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- organisations


ORGANISATION_PATTERNS = {
    Organisation.Kind.GOVERNMENT: (
        30,
        [
            "{country} Ministry of {ministry}",
            "{country} National Cybersecurity Agency",
            "{country} Agency for International Development",
            "{country} National Police Cybercrime Unit",
            "Office of the {country} Data Protection Commissioner",
            "{country} Directorate for Digital Affairs",
        ],
    ),
    Organisation.Kind.INTERGOVERNMENTAL: (
        10,
        [
            "{grouping} Cyber Coordination Centre",
            "{grouping} Commission Digital Unit",
            "International {field} Organisation",
            "Regional {field} Centre for {grouping}",
        ],
    ),
    Organisation.Kind.PRIVATE_SECTOR: (
        20,
        [
            "{brand} Security Ltd",
            "{brand} Networks Inc",
            "{brand} Technologies GmbH",
            "{brand} Cyber Labs SA",
            "{brand} Consulting",
        ],
    ),
    Organisation.Kind.CIVIL_SOCIETY: (
        20,
        [
            "{brand} Foundation",
            "Digital Rights Network {country}",
            "Women in Cyber {country}",
            "{city} Centre for Internet and Society",
            "Safer Internet {country}",
        ],
    ),
    Organisation.Kind.ACADEMIA: (
        15,
        [
            "University of {city}",
            "{city} Institute of Technology",
            "{country} Centre for Cyber Studies",
            "{city} School of Law",
        ],
    ),
    Organisation.Kind.TECHNICAL_COMMUNITY: (
        5,
        [
            "{country} Network Operators Group",
            "{country} Internet Exchange Point",
            "{city} Open Source Security Community",
            "{country} CSIRT Association",
        ],
    ),
}
MINISTRIES = ["ICT", "Digital Economy", "Justice", "Interior", "Foreign Affairs", "Defence", "Education"]
FIELDS = ["Telecommunication", "Cybersecurity", "Digital Cooperation", "Law Enforcement", "Cyber Skills"]
BRAND_PARTS = _words(
    "Blue Green Red Iron North South Cedar Baobab Delta Sigma Nova Terra Aqua Solar Lumen Vertex Kite Orbit "
    "Falcon Harbor Summit River Stone Oak Coral Atlas Zenith Polar Apex Swift"
)
BRAND_ENDS = _words("gate wall guard net link path shield works point line ware field forge")


def _organisations(rng: random.Random, ref: _Reference, count: int) -> list[Organisation]:
    kinds = list(ORGANISATION_PATTERNS)
    kind_weights = [ORGANISATION_PATTERNS[kind][0] for kind in kinds]
    groupings = [ref.region_name[pk] for pk in ref.groupings.options]
    organisations = []
    for n in range(count):
        kind = rng.choices(kinds, weights=kind_weights)[0]
        iso2 = ref.countries.one(rng) if kind != Organisation.Kind.INTERGOVERNMENTAL else None
        name = rng.choice(ORGANISATION_PATTERNS[kind][1]).format(
            country=ref.country_name[iso2] if iso2 else "",
            ministry=rng.choice(MINISTRIES),
            grouping=rng.choice(groupings),
            field=rng.choice(FIELDS),
            brand=rng.choice(BRAND_PARTS) + rng.choice(BRAND_ENDS),
            city=rng.choice(CITIES),
        )
        acronym = _acronym(name) if rng.random() < 0.6 else ""
        slug = f"{ORGANISATION_PREFIX}{n}-{slugify(name)}"[:100].rstrip("-")
        organisations.append(
            Organisation(
                name=name,
                acronym=acronym,
                slug=slug,
                kind=kind,
                country_id=iso2,
                website=f"https://{slugify(acronym or name)[:40]}.example.org/" if rng.random() < 0.7 else "",
                description=f"{name} works on cybersecurity capacity building." if rng.random() < 0.5 else "",
            )
        )
    return organisations


# ---------------------------------------------------------------- initiatives


def _places(rng: random.Random, ref: _Reference) -> tuple[list[str], list[int]]:
    """Beneficiary countries and regions, in the mix the real mappings show."""
    kind = rng.choices(
        ["countries", "sub_region", "grouping", "continent", "global", "none", "mixed"],
        weights=[40, 20, 10, 10, 10, 10, 10],
    )[0]
    if kind == "countries":
        return ref.countries.distinct(rng, _count(rng, 1, [40, 20, 13, 10, 9, 8])), []
    if kind == "sub_region":
        region = ref.sub_regions.one(rng)
        members = ref.countries_in[region]
        countries = rng.sample(members, min(len(members), _count(rng, 1, [5, 3, 2]))) if rng.random() < 0.4 else []
        return sorted(countries), [region]
    if kind == "grouping":
        return [], [ref.groupings.one(rng)]
    if kind == "continent":
        return [], [ref.continent_weights.one(rng)]
    if kind == "global":
        return [], sorted(rng.sample(ref.continents, rng.choice([4, 5])))
    if kind == "none":
        return [], []
    # A region plus a few countries in it that get more of the work.
    region = ref.any_region.one(rng)
    inside = ref.countries_in[region]
    return sorted(rng.sample(inside, min(len(inside), _count(rng, 1, [4, 3, 2])))), [region]


WORLD = "the World"


def _place_name(ref: _Reference, countries: list[str], regions: list[int]) -> str:
    if len(regions) >= 4:
        return WORLD
    if regions:
        return ref.region_name[regions[0]]
    if len(countries) == 1:
        return ref.country_name[countries[0]]
    if len(countries) == 2:
        return f"{ref.country_name[countries[0]]} and {ref.country_name[countries[1]]}"
    if countries:
        return f"{ref.country_name[countries[0]]} and Neighbouring Countries"
    return "Developing Countries"


def _title(rng: random.Random, ref: _Reference, topic: int, audience: int, place: str, scope: str) -> str:
    subject = rng.choice(TOPIC_SUBJECTS.get(ref.term_slug[topic], [ref.term_name[topic]]))
    kind = rng.choice(KINDS)
    number = rng.randint(10, 99999)
    pattern = rng.randrange(6)
    if pattern == 0:
        words = f"{scope} {subject} {kind}"
        return f"{words} for {place} ({_acronym(words)}-{number})"
    if pattern == 1:
        words = f"{subject} {kind}"
        return f"{words} ({_acronym(words)}{number % 100})"
    if pattern == 2:
        words = f"{subject} {kind}"
        return f"{_acronym(words)}-{number}: {words} for {ref.term_name[audience]}"
    if pattern == 3:
        return f"Strengthening {subject} in {place}"
    if pattern == 4:
        return f"{'Global' if place == WORLD else place} {subject} {kind} {number % 10 + 1}"
    return f"Cyber{rng.choice(PROGRAMME_WORDS)} {number % 1000}: {subject} for {ref.term_name[audience]}"


def _fill(rng: random.Random, compiled: tuple[str, tuple[str, ...]], slots: dict) -> str:
    template, names = compiled
    values = {}
    for name in names:
        value = slots[name]
        values[name] = value(rng) if callable(value) else value
    return template.format(**values)


def _text(rng: random.Random, slots: dict) -> tuple[str, str]:
    """A summary of one or two sentences and a description of 80 to 400 words."""
    summary = _fill(rng, rng.choice(SUMMARY_TEMPLATES_C), slots)
    if rng.random() < 0.5:
        summary += " " + _fill(rng, rng.choice(SECOND_SENTENCES_C), slots)
    target = int(rng.triangular(DESCRIPTION_WORDS[0], DESCRIPTION_WORDS[1], 150))
    paragraphs, sentences, words = [], [], 0
    while words < target:
        sentence = _fill(rng, rng.choice(SENTENCES_C), slots)
        length = len(sentence.split())
        if words + length > DESCRIPTION_WORDS[1]:  # (only ever near the top, far above the minimum)
            break
        sentences.append(sentence[0].upper() + sentence[1:])
        words += length
        if len(sentences) >= rng.randint(3, 6):
            paragraphs.append(" ".join(sentences))
            sentences = []
    if sentences:
        paragraphs.append(" ".join(sentences))
    return summary[:500], "\n\n".join(paragraphs)


START_YEARS = list(range(2000, 2031))
# Few early programmes, most between 2015 and 2026, some planned ahead.
START_YEAR_WEIGHTS = [1 + max(0, year - 2005) if year <= 2024 else 3 * (2031 - year) for year in START_YEARS]


def _dates(rng: random.Random) -> tuple[datetime.date, datetime.date | None, str]:
    start = datetime.date(rng.choices(START_YEARS, weights=START_YEAR_WEIGHTS)[0], 1, 1) + datetime.timedelta(
        days=rng.randrange(365)
    )
    end = start + datetime.timedelta(days=rng.randint(90, 6 * 365)) if rng.random() < 0.75 else None
    if start > REFERENCE_DATE:
        status = Initiative.Status.PLANNED
    elif end is not None and end < REFERENCE_DATE:
        status = Initiative.Status.COMPLETED
    else:
        status = Initiative.Status.ONGOING
    return start, end, status


def _draft(
    rng: random.Random,
    ref: _Reference,
    n: int,
    organisations: list[Organisation],
    implementers: Weighted,
    funders: Weighted,
    partners: Weighted,
) -> _Draft:
    countries, regions = _places(rng, ref)
    topics = ref.topics.distinct(rng, _count(rng, 1, [45, 30, 15, 10]))
    audiences = ref.audiences.distinct(rng, _count(rng, 1, [50, 35, 15]))
    modalities = ref.modalities.distinct(rng, _count(rng, 1, [65, 35]))
    chosen_implementers = implementers.distinct(rng, _count(rng, 1, [75, 25]))
    chosen_funders = funders.distinct(rng, _count(rng, 0, [25, 60, 15]), exclude=chosen_implementers)
    taken = chosen_implementers + chosen_funders
    chosen_partners = partners.distinct(rng, _count(rng, 0, [40, 30, 20, 10]), exclude=taken)
    participations = (
        [(index, Participation.Role.IMPLEMENTER) for index in chosen_implementers]
        + [(index, Participation.Role.FUNDER) for index in chosen_funders]
        + [(index, Participation.Role.PARTNER) for index in chosen_partners]
    )
    place = _place_name(ref, countries, regions)
    scope = "Global" if len(regions) >= 4 else "Regional" if regions else "National" if countries else "Joint"
    title = _title(rng, ref, topics[0], audiences[0], place, scope)
    start, end, status = _dates(rng)
    org_names = [organisations[index].name for index in taken + chosen_partners]
    country_names = [ref.country_name[iso2] for iso2 in countries]

    def audience_name(r):
        return ref.term_name[r.choice(audiences)].lower()

    def country(r):
        return r.choice(country_names) if country_names else ref.country_name[ref.countries.one(r)]

    slots = {
        "org": org_names[0],
        "org2": lambda r: r.choice(org_names[1:] or org_names),
        "verb": lambda r: r.choice(VERBS),
        "verb2": lambda r: r.choice(VERBS),
        "audience": audience_name,
        "audience2": lambda r: ref.term_name[ref.audiences.one(r)].lower(),
        "place": place,
        "goal": lambda r: r.choice(GOALS),
        "adj": lambda r: r.choice(ADJECTIVES),
        "adj2": lambda r: r.choice(ADJECTIVES),
        "adj3": lambda r: r.choice(ADJECTIVES),
        "a_adj": lambda r: _with_article(r.choice(ADJECTIVES)),
        "a_adj2": lambda r: _with_article(r.choice(ADJECTIVES)),
        "a_adj_cap": lambda r: _with_article(r.choice(ADJECTIVES)).capitalize(),
        "noun": lambda r: r.choice(NOUNS),
        "noun2": lambda r: r.choice(NOUNS),
        "nouns": lambda r: PLURALS[r.choice(NOUNS)],
        "nouns2": lambda r: PLURALS[r.choice(NOUNS)],
        "kind_lower": lambda r: r.choice(KINDS).lower(),
        "modality": lambda r: ref.term_name[r.choice(modalities)].lower(),
        "modality_cap": ref.term_name[modalities[0]],
        "topic": lambda r: ref.term_name[r.choice(topics)].lower(),
        "topic2": lambda r: ref.term_name[ref.topics.one(r)].lower(),
        "country": country,
        "city": lambda r: r.choice(CITIES),
        "year": lambda r: r.randint(start.year - 1, max(start.year, min(end.year if end else 2026, 2026))),
        "start_year": start.year,
        "end_year": end.year if end else start.year + 3,
        "n": lambda r: r.choice([12, 15, 20, 24, 25, 30, 40, 50, 60, 80, 100, 120, 150, 200, 250, 300, 500]),
    }
    summary, description = _text(rng, slots)
    budget, currency = None, ""
    if rng.random() < 0.35:
        budget = Decimal(round(rng.lognormvariate(13.5, 1.4), -3) or 1000)
        currency = rng.choices(CURRENCIES, weights=CURRENCY_WEIGHTS)[0]
    roll = rng.random()
    publication_state = (
        Initiative.PublicationState.PUBLISHED
        if roll >= 0.05
        else rng.choice(
            [
                Initiative.PublicationState.DRAFT,
                Initiative.PublicationState.REVIEW,
                Initiative.PublicationState.ARCHIVED,
            ]
        )
    )
    last_verified = (
        datetime.date(2022, 1, 1) + datetime.timedelta(days=rng.randrange(1765)) if rng.random() < 0.4 else None
    )
    website = ""
    if rng.random() < 0.45:
        website = f"https://{slugify(_acronym(title)) or 'programme'}-{n}.example.org/"
    initiative = Initiative(
        title=title[:300],
        slug=f"{PREFIX}{n}-{slugify(title)}"[:120].rstrip("-"),
        summary=summary,
        description=description,
        status=status,
        start_date=start,
        end_date=end,
        website=website,
        budget=budget,
        currency=currency,
        publication_state=publication_state,
        last_verified=last_verified,
    )
    keywords = rng.sample(KEYWORDS, _count(rng, 0, [30, 25, 20, 15, 10]))
    return _Draft(
        initiative=initiative,
        countries=countries,
        regions=regions,
        topics=topics,
        audiences=audiences,
        modalities=modalities,
        participations=participations,
        keywords=keywords,
    )


# ---------------------------------------------------------------- writing


def _keyword_tags() -> dict[str, int]:
    """Tag ids for the synthetic keywords, creating the missing ones (tags are case-insensitive here)."""
    wanted = {keyword.lower(): keyword for keyword in KEYWORDS}
    found = dict(Tag.objects.annotate(lower=Lower("name")).filter(lower__in=list(wanted)).values_list("lower", "pk"))
    missing = [wanted[lower] for lower in sorted(wanted) if lower not in found]
    if missing:
        taken = set(Tag.objects.values_list("slug", flat=True))
        new = []
        for name in missing:
            slug = base = slugify(name)
            for suffix in itertools.count(1):
                if slug not in taken:
                    break
                slug = f"{base}_{suffix}"
            taken.add(slug)
            new.append(Tag(name=name, slug=slug))
        Tag.objects.bulk_create(new, batch_size=BATCH_SIZE)
        found.update(
            Tag.objects.annotate(lower=Lower("name")).filter(lower__in=list(wanted)).values_list("lower", "pk")
        )
    return found


def _write(drafts: list[_Draft], organisation_ids: list[int], tag_ids: dict[str, int], counts: Counter) -> list[int]:
    created = Initiative.objects.bulk_create([draft.initiative for draft in drafts], batch_size=BATCH_SIZE)
    if any(initiative.pk is None for initiative in created):  # a backend that cannot return ids from bulk inserts
        by_slug = dict(
            Initiative.objects.filter(slug__in=[d.initiative.slug for d in drafts]).values_list("slug", "pk")
        )
        for initiative in created:
            initiative.pk = by_slug[initiative.slug]
    ids = [initiative.pk for initiative in created]

    def through(relation, column: str, attribute: str, label: str) -> None:
        model = relation.through
        rows = [
            model(initiative_id=draft.initiative.pk, **{column: key})
            for draft in drafts
            for key in getattr(draft, attribute)
        ]
        model.objects.bulk_create(rows, batch_size=BATCH_SIZE)
        counts[label] += len(rows)

    through(Initiative.countries, "country_id", "countries", "country links")
    through(Initiative.regions, "region_id", "regions", "region links")
    through(Initiative.topics, "term_id", "topics", "topic links")
    through(Initiative.audiences, "term_id", "audiences", "audience links")
    through(Initiative.modalities, "term_id", "modalities", "modality links")

    participations = [
        Participation(initiative_id=draft.initiative.pk, organisation_id=organisation_ids[index], role=role)
        for draft in drafts
        for index, role in draft.participations
    ]
    Participation.objects.bulk_create(participations, batch_size=BATCH_SIZE)
    counts["participations"] += len(participations)

    content_type = ContentType.objects.get_for_model(Initiative)
    tagged = [
        TaggedItem(content_type=content_type, object_id=draft.initiative.pk, tag_id=tag_ids[keyword.lower()])
        for draft in drafts
        for keyword in draft.keywords
    ]
    TaggedItem.objects.bulk_create(tagged, batch_size=BATCH_SIZE)
    counts["keyword links"] += len(tagged)
    counts["initiatives"] += len(drafts)
    counts["published"] += sum(
        draft.initiative.publication_state == Initiative.PublicationState.PUBLISHED for draft in drafts
    )
    return ids


@transaction.atomic
def generate(*, initiatives: int, seed: int) -> dict[str, int]:
    """Create `initiatives` synthetic initiatives and about a tenth as many organisations. Returns counts."""
    if not 1 <= initiatives <= MAX_INITIATIVES:
        raise SyntheticDataError(f"The number of initiatives must be between 1 and {MAX_INITIATIVES:,}.")
    if Country.objects.count() == 0:
        load_reference()
    if (
        Initiative.objects.filter(slug__startswith=PREFIX).exists()
        or Organisation.objects.filter(slug__startswith=ORGANISATION_PREFIX).exists()
    ):
        raise SyntheticDataError("Synthetic initiatives already exist: clear them first.")

    rng = random.Random(seed)
    ref = _Reference.load(rng)
    organisations = _organisations(rng, ref, max(10, initiatives // 10))
    Organisation.objects.bulk_create(organisations, batch_size=BATCH_SIZE)
    organisation_ids = list(
        Organisation.objects.filter(slug__in=[o.slug for o in organisations]).values_list("slug", "pk")
    )
    by_slug = dict(organisation_ids)
    organisation_ids = [by_slug[o.slug] for o in organisations]
    # Participation follows a power law: a few organisations take part in a large share of initiatives.
    everyone = list(range(len(organisations)))
    funding_kinds = {
        Organisation.Kind.GOVERNMENT,
        Organisation.Kind.INTERGOVERNMENTAL,
        Organisation.Kind.PRIVATE_SECTOR,
        Organisation.Kind.CIVIL_SOCIETY,
    }
    implementers = Weighted.zipf(everyone, 0.8)
    can_fund = [index for index in everyone if organisations[index].kind in funding_kinds]
    funders = Weighted.zipf(rng.sample(can_fund, len(can_fund)), 0.9)
    partners = Weighted.zipf(rng.sample(everyone, len(everyone)), 0.8)
    tag_ids = _keyword_tags()

    counts: Counter = Counter({"organisations": len(organisations)})
    ids: list[int] = []
    for start in range(0, initiatives, CHUNK):
        drafts = [
            _draft(rng, ref, n, organisations, implementers, funders, partners)
            for n in range(start, min(start + CHUNK, initiatives))
        ]
        ids += _write(drafts, organisation_ids, tag_ids, counts)
    refresh_membership(ids)
    return dict(counts)


@transaction.atomic
def clear() -> dict[str, int]:
    """Remove every synthetic initiative and organisation (and the rows that hang on them)."""
    initiatives = Initiative.objects.filter(slug__startswith=PREFIX)
    count = initiatives.count()
    content_type = ContentType.objects.get_for_model(Initiative)
    TaggedItem.objects.filter(content_type=content_type, object_id__in=initiatives.values("pk")).delete()
    # A plain DELETE: participation signals would refresh, row by row, initiatives that are about to go.
    Participation.objects.filter(initiative__in=initiatives)._raw_delete(Participation.objects.db)
    with deferred_refresh():  # one refresh of the membership tables and search index for all of them
        initiatives.delete()
    organisations = Organisation.objects.filter(slug__startswith=ORGANISATION_PREFIX)
    organisation_count = organisations.count()
    organisations.delete()
    Tag.objects.filter(name__in=KEYWORDS, taggit_taggeditem_items__isnull=True).delete()
    return {"initiatives": count, "organisations": organisation_count}
