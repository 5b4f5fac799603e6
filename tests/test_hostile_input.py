"""Hostile input at every public URL: no generated query, path, header or form post gives a 5xx.

The URL patterns are read from the resolver (everything but the admin), so a URL added later is
covered without editing this module, and one whose parameters cannot be filled fails here:
add real values for it to REAL_ARGUMENTS. Hypothesis then sends, to each pattern, generated query
strings (known parameter names and random ones, repeated, huge, malformed), path segments
(unicode, %-encoded bytes, NUL, dots, encoded slashes, very long) and odd headers, posts to the
public forms, and other methods to everything else. Django's test client raises what a view
raises, so a server error fails with the generated input shown; every 4xx must say something.

Bounded and reproducible: a fixed number of examples per test, seeded per pattern, and
Hypothesis keeps nothing in the work tree.
"""

import json
import re
import zlib
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.http import HttpResponse
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import URLResolver, get_resolver, path, resolve, reverse
from django.urls.resolvers import RoutePattern
from hypothesis import HealthCheck, Phase, currently_in_test_context, given, note, seed
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from exchange.forms import CorrectionForm, SuggestInitiativeForm
from exchange.sitemaps import SITEMAPS
from initiatives.dimensions import FACET_NAMES
from initiatives.filters import SORTS, InitiativeFilter
from initiatives.models import FormerSlug, Initiative, Participation
from insights.coverage import COLUMNS, OWN_PARAMETERS, ROWS
from insights.filters import NeedFilter
from tests.factories import (
    InitiativeFactory,
    NeedFactory,
    OrganisationFactory,
    ParticipationFactory,
    SourceFactory,
    SourceRecordFactory,
)
from tests.helpers import region

# Hypothesis caches the constants it reads from our sources: under var/, not in .hypothesis/.
set_hypothesis_home_dir(settings.BASE_DIR / "var" / "hypothesis")

FUZZ = hypothesis_settings(
    derandomize=False,  # each test is seeded instead (per pattern, so that patterns get different inputs)
    database=None,
    deadline=None,
    print_blob=False,
    phases=[Phase.explicit, Phase.generate, Phase.shrink],  # no database to reuse; no slow "explain" phase
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
        HealthCheck.filter_too_much,
    ],
)


# --- the public URL patterns, from the resolver


@dataclass(frozen=True)
class Slot:
    name: str  # a parameter of the pattern


@dataclass(frozen=True)
class Pattern:
    key: str  # the URL name ("initiatives:detail"), or the view's dotted path when it has none
    parts: tuple[str | Slot, ...]
    view: object = field(compare=False)
    problem: str = ""  # why it could not be read as text and parameters

    @property
    def parameters(self) -> list[str]:
        return [part.name for part in self.parts if isinstance(part, Slot)]

    def fill(self, values: dict[str, str]) -> str:
        return "/" + "".join(values[part.name] if isinstance(part, Slot) else part for part in self.parts)


ROUTE_PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>")
REGEX_PARAMETER = re.compile(r"\(\?P<(\w+)>[^()]*\)")  # a named group without groups inside
REGEX_SYNTAX = re.compile(r"[\^$*+?()\[\]{}|]")


def template(pattern) -> tuple[tuple[str | Slot, ...], str]:
    """A path()/re_path() pattern as text and parameters; or the reason it cannot be."""
    if isinstance(pattern, RoutePattern):
        text, parameter = str(pattern), ROUTE_PARAMETER
    else:
        text, parameter = str(pattern).removeprefix("^").removesuffix("$").removesuffix(r"\Z"), REGEX_PARAMETER
    parts: list[str | Slot] = []
    at = 0
    for match in [*parameter.finditer(text), None]:
        literal = text[at : match.start() if match else len(text)]
        if not isinstance(pattern, RoutePattern):
            if REGEX_SYNTAX.search(re.sub(r"\\.", "", literal)):
                return (), f"cannot read the regular expression {text!r} as text and parameters"
            literal = re.sub(r"\\(.)", r"\1", literal)
        parts.append(literal)
        if match:
            parts.append(Slot(match[1]))
            at = match.end()
    return tuple(part for part in parts if part != ""), ""


def public_patterns() -> list[Pattern]:
    found = []

    def walk(entries, prefix: tuple, namespaces: list[str]) -> None:
        for entry in entries:
            parts, problem = template(entry.pattern)
            if isinstance(entry, URLResolver):
                if entry.namespace != "admin":
                    walk(
                        entry.url_patterns, prefix + parts, namespaces + ([entry.namespace] if entry.namespace else [])
                    )
                continue
            view = entry.callback
            key = ":".join([*namespaces, entry.name]) if entry.name else f"{view.__module__}.{view.__qualname__}"
            found.append(Pattern(key, prefix + parts, view, problem))

    walk(get_resolver().url_patterns, (), [])
    return found


# With the page cache on, as in production: its key is made from the hostile input too.
pytestmark = pytest.mark.page_cache

# /healthz takes no input, and probes the database on a connection of its own, which a test's open
# transaction holds locked (so it rightly answers 503 here): tests/test_healthz.py asks a real server.
PATTERNS = [pattern for pattern in public_patterns() if pattern.key != "healthz"]
WITH_PARAMETERS = [pattern for pattern in PATTERNS if pattern.parameters]

# The public forms, by URL name (every other public URL only reads), and the field a person leaves empty.
FORMS = {"exchange:suggest": SuggestInitiativeForm, "exchange:correction": CorrectionForm}
HONEYPOT = "homepage"
READ_ONLY = [pattern for pattern in PATTERNS if pattern.key not in FORMS]


def pattern_named(key: str) -> Pattern:
    found = [pattern for pattern in PATTERNS if pattern.key == key]
    assert found, f"no public URL named {key}"
    return found[0]


def fields_of(form) -> tuple[str, ...]:
    return tuple(name for name in form.base_fields if name != HONEYPOT)


# --- a small data set, and real values for every parameter of every pattern

SOURCES = ["map-a", "map-b"]


@pytest.fixture(scope="module")
def data_set(django_db_setup, django_db_blocker):
    """Enough rows for every page to have something to show; loaded once, rolled back after the module."""
    with django_db_blocker.unblock(), transaction.atomic():
        initiative = InitiativeFactory(
            slug="cert-training-ng",
            title="CERT training for Nigeria",
            countries=["NG"],
            regions=[region("western-africa")],
            topics=["cert-development", "cybercrime"],
            audiences=["certs"],
            modalities=["training"],
            keywords=["cert"],
        )
        InitiativeFactory(slug="pacific-awareness", countries=["FJ"], topics=["awareness"], audiences=["youth"])
        InitiativeFactory(slug="draft-plan", countries=["NG"], publication_state=Initiative.PublicationState.DRAFT)
        FormerSlug.objects.create(slug="old-cert-training", initiative=initiative)
        ParticipationFactory(initiative=initiative, organisation=OrganisationFactory(slug="cert-academy"))
        ParticipationFactory(
            initiative=initiative, organisation=OrganisationFactory(slug="cyber-fund"), role=Participation.Role.FUNDER
        )
        for slug in SOURCES:
            SourceRecordFactory(initiative=initiative, source=SourceFactory(slug=slug))
        NeedFactory(slug="ng-cert-need", topics=["cert-development"], audiences=["certs"])
        yield
        transaction.set_rollback(True)


# By pattern key, then parameter: values that exist in the data set (or, for a few, that must answer 404 or 301).
REAL_ARGUMENTS: dict[str, dict[str, list[str]]] = {
    "language": {"code": [code for code, _name in settings.LANGUAGES]},
    "initiatives:detail": {"slug": ["cert-training-ng", "old-cert-training", "draft-plan"]},
    "initiatives:organisation": {"slug": ["cert-academy", "cyber-fund"]},
    "initiatives:source_overlap": {"a": SOURCES, "b": SOURCES},
    "initiatives:region": {"slug": ["western-africa", "africa", "ecowas"]},
    "initiatives:country": {"iso2": ["NG", "ng", "FJ"]},
    "initiatives:topic": {"slug": ["cybercrime", "cert-development"]},
    "initiatives:audience": {"slug": ["certs", "youth"]},
    "exchange:api:initiative": {"slug": ["cert-training-ng", "draft-plan"]},
    "exchange:api:region": {"slug": ["western-africa", "ecowas"]},
    "exchange:api:country": {"iso2": ["NG", "ng"]},
    "exchange:api:organisation": {"slug": ["cert-academy"]},
    "exchange.api.views.not_found": {"path": ["nothing-here", "initiatives/cert-training-ng/more"]},
    "exchange:sitemap-section": {"section": list(SITEMAPS)},
    "insights:need": {"slug": ["ng-cert-need"]},
    "exchange:correction": {"slug": ["cert-training-ng"]},
}


def real_arguments(pattern: Pattern) -> dict[str, list[str]]:
    arguments = REAL_ARGUMENTS.get(pattern.key, {})
    missing = [name for name in pattern.parameters if not arguments.get(name)]
    assert not missing, f"{pattern.key}: add real values for {missing} to REAL_ARGUMENTS"
    return arguments


def real_values(pattern: Pattern) -> st.SearchStrategy[dict[str, str]]:
    arguments = real_arguments(pattern)
    return st.fixed_dictionaries({name: st.sampled_from(arguments[name]) for name in pattern.parameters})


def seeded(pattern_key: str, test: str):
    """The same inputs on every run, different ones for each pattern and test."""
    return seed(zlib.crc32(f"{test} {pattern_key}".encode()))


# --- generated input

# Parameter names the views read: the list's FilterSet, the needs', the coverage matrix's own,
# the API's, and a few more, plus names nobody reads (limit, offset, cursor...).
KNOWN_PARAMETERS = sorted(
    {
        *InitiativeFilter.base_filters,
        *NeedFilter.base_filters,
        *OWN_PARAMETERS,
        *("page", "page_size", "facets", "vocabulary", "next", "p", "lang", "format"),
        *("limit", "offset", "cursor", "reach", "callback", "csrfmiddlewaretoken", "_method"),
    }
)
# Values that get past validation (slugs and codes of the data set, years, sort keys...), to mix in.
GOOD_VALUES = [
    *("cert-training-ng", "western-africa", "africa", "ecowas", "NG", "ng", "FJ", "cybercrime", "certs"),
    *("training", "cert-academy", "cyber-fund", *SOURCES, "ongoing", "completed", "open", "met", "partly_met"),
    *("2020", "2021", "1990", "2100", "1", "0", "2", "true", "yes", "off", "all", "topic", "audience"),
    *(*SORTS, *ROWS, *COLUMNS, *FACET_NAMES, "fr", "es", "/", "/initiatives/", "//evil.example", "https://x.y/"),
]
ODD_TEXT = [
    *("", " ", ".", "..", "...", "%", "%%", "%zz", "%00", "%2F", "%2f..%2f", "%c0%ae", "%ff%fe", "%u0041"),
    *("\x00", "a\x00b", "\u200f", "\u202e", "\u200b", "\ufeff", "\U0001f600", "\U0001f469\U0001f3fd\u200d\U0001f4bb"),
    *("\U0001f1f3\U0001f1ec", "\u0642", "\u65e5\u672c", "\u00df", "\u0130", "\ufb01", "<script>", "'", '"', "\\"),
    *("../../etc/passwd", "\r\n", "\t", "NaN", "Infinity", "-0", "1e400", "0x10", "\uff11\uff12", "\u0662\u0660"),
    *("None", "null", "[]", "{}", "africa,ecowas", " africa ", "AFRICA", "-title", "-start,-updated"),
]


def weighted(*choices: tuple[int, st.SearchStrategy]) -> st.SearchStrategy:
    """One of the strategies, each about as often as its weight says (st.one_of gives each branch the same)."""
    return st.sampled_from([strategy for weight, strategy in choices for _ in range(weight)]).flatmap(lambda s: s)


def long(pieces: list[str], low: int, high: int) -> st.SearchStrategy[str]:
    """One of the pieces repeated low to high times."""
    return st.builds(lambda piece, times: piece * times, st.sampled_from(pieces), st.integers(low, high))


SHORT_TEXT = st.one_of(
    st.text(max_size=30),  # any unicode: NUL, RTL marks, emoji, combining marks...
    st.sampled_from(ODD_TEXT),
    st.sampled_from(GOOD_VALUES),
    st.integers().map(str),
    st.integers(max_value=-1).map(str),
    st.floats().map(str),
)
TEXT = weighted(
    (8, SHORT_TEXT),
    (1, st.integers(4000, 6000).map(lambda digits: "9" * digits)),  # beyond Python's int() limit
    (1, long(["a", "\u00e9", "\U0001f600", "%00", "x-"], 100, 2000)),
)
NAMES = st.one_of(
    st.sampled_from(KNOWN_PARAMETERS),
    st.sampled_from(KNOWN_PARAMETERS).map(lambda name: name + "[]"),
    st.sampled_from(KNOWN_PARAMETERS).map(str.upper),
    st.text(max_size=12),
)


def wire(text: str) -> str:
    """Text as a WSGI server hands over raw bytes: UTF-8, read as Latin-1."""
    return text.encode().decode("latin-1")


def encode_pairs(pairs: list[tuple[str, str]], raw: bool) -> str:
    if raw:  # as typed into an address bar, with only the separators' meaning
        return "&".join(wire(f"{name}={value}") for name, value in pairs)
    return "&".join(f"{quote(name, safe='')}={quote(value, safe='')}" for name, value in pairs)


# Query parameters as pairs, by kind (a list of them, so that they are weighted by how often they appear).
PAIRS = [
    # Many of the known parameters at once (so that each is checked often), each absent, once or repeated.
    st.fixed_dictionaries(dict.fromkeys(KNOWN_PARAMETERS, st.lists(TEXT, max_size=2))).map(
        lambda query: [(name, value) for name, values in query.items() for value in values]
    ),
    st.lists(st.tuples(NAMES, TEXT), max_size=6),
    # One parameter repeated: a few times, or beyond DATA_UPLOAD_MAX_NUMBER_FIELDS (1000).
    st.builds(lambda name, value, times: [(name, value)] * times, NAMES, SHORT_TEXT, st.integers(2, 40)),
    st.builds(lambda name, value: [(name, value)] * 1001, NAMES, SHORT_TEXT),
    # Many different values of one known parameter.
    st.builds(
        lambda name, count: [(name, f"v{n}") for n in range(count)],
        st.sampled_from(KNOWN_PARAMETERS),
        st.integers(31, 300),
    ),
]
MALFORMED = st.one_of(
    st.sampled_from(["%", "%zz", "&&==", "=", "&", "==&&", "a=%", "q=%E9", "q=%ff%fe", "q=%C0%AE", "q=%00"]),
    st.sampled_from([";;", "q=1;q=2", "%%%", "+", "q=+%2B+", "a[]=1&a[b]=2", "=x", "x==", "page=&page="]),
    st.text(max_size=40).map(wire),
    long(["&", "%zz", "q=", "=&", "%E9"], 500, 5000),
)
QUERY_PART = weighted(
    *[
        (weight, st.builds(encode_pairs, pairs, st.booleans()))
        for weight, pairs in zip([4, 3, 1, 1, 1], PAIRS, strict=True)
    ],
    (2, MALFORMED),
)
QUERY_STRINGS = st.lists(QUERY_PART, max_size=3).map("&".join)

# Path segments: text (percent-encoded whole), or left partly raw so that %00, %zz, dots and
# slashes reach the server as typed; arbitrary bytes (often not UTF-8); real slugs made odd.
SEGMENT_TEXT = st.one_of(
    st.text(min_size=1, max_size=30),
    st.sampled_from(ODD_TEXT),
    long(["a", "\u00e9", "\U0001f600", "%00", "."], 100, 3000),
)
SEGMENTS = st.one_of(
    SEGMENT_TEXT.map(lambda text: quote(text, safe="")),
    SEGMENT_TEXT.map(lambda text: quote(text, safe="%/.;=&")),
    st.binary(min_size=1, max_size=20).map(lambda data: "".join(f"%{byte:02X}" for byte in data)),
)


def odd_segments(pattern: Pattern) -> st.SearchStrategy[dict[str, str]]:
    """Generated segments for some parameters (at least one), real values for the others."""
    arguments = real_arguments(pattern)

    def value(name: str) -> st.SearchStrategy[str]:
        real = st.sampled_from(arguments[name])
        return st.one_of(
            SEGMENTS,
            st.builds(lambda slug, odd: slug + odd, real, SEGMENTS),  # a real slug with something after it
            real.map(str.upper),
            real,
        )

    return st.fixed_dictionaries({name: value(name) for name in pattern.parameters}).filter(
        lambda values: any(values[name] not in arguments[name] for name in values)
    )


BAD_HOSTS = st.sampled_from(["evil.example", "[::1", "", "testserver:x", "test server"])
HEADER_TEXT = st.text(alphabet=st.characters(exclude_categories=["Cc", "Cs"]), max_size=60).map(wire)
HEADERS = st.fixed_dictionaries(
    {},
    optional={
        "HTTP_ACCEPT_LANGUAGE": st.one_of(
            st.sampled_from(["fr", "es-ES,es;q=0.9", "*", "fr;q=abc", "en;q=-1", "zz-ZZ", ",,,", ";q=1", "fr-" * 300]),
            HEADER_TEXT,
        ),
        "HTTP_IF_NONE_MATCH": st.one_of(
            st.sampled_from(["*", '"abc"', 'W/"x"', '"', "W/", ",,,", '"' * 99]), HEADER_TEXT
        ),
        "HTTP_IF_MODIFIED_SINCE": st.one_of(
            st.sampled_from(["Sat, 29 Oct 1994 19:43:31 GMT", "Mon, 99 Foo 99999 99:99:99 GMT", "0", "-1"]),
            HEADER_TEXT,
        ),
        "HTTP_ACCEPT": st.one_of(
            st.sampled_from(["application/json", "text/html", "*/*", "text/csv", ";;;", "application/json; q=x"]),
            HEADER_TEXT,
        ),
        # The language cookie, as the switcher sets it, or not; session and CSRF cookies that were never issued.
        "HTTP_COOKIE": st.lists(
            st.tuples(
                st.sampled_from(
                    [settings.LANGUAGE_COOKIE_NAME, settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME]
                )
                | HEADER_TEXT,
                st.sampled_from(["fr", "es", "xx", "", "fr;fr", "en-US", "x" * 32, "=", '"']) | HEADER_TEXT,
            ),
            min_size=1,
            max_size=3,
        ).map(lambda cookies: "; ".join(f"{name}={value}" for name, value in cookies)),
        "HTTP_ORIGIN": st.one_of(st.sampled_from(["https://example.org", "null", "http://[", "://"]), HEADER_TEXT),
        "HTTP_REFERER": HEADER_TEXT,
        "HTTP_USER_AGENT": HEADER_TEXT,
        "HTTP_X_FORWARDED_FOR": HEADER_TEXT,
        # Rarely a bad one: it stops the request before the view (400).
        "HTTP_HOST": weighted((8, st.sampled_from(["testserver", "testserver:80", "TESTSERVER"])), (1, BAD_HOSTS)),
    },
)

# What a server error page or a traceback would show (allowed only where the input itself says it, echoed).
ERROR_MARKERS = ["Traceback", "Server Error"]


# --- sending and checking


def send(method: str, path: str, *, query: str = "", headers: dict | None = None, **body) -> object:
    """One request, checked: never a 5xx (a view's exception is raised here), never a silent 4xx."""
    if currently_in_test_context():  # (the schemathesis plugin blanks Hypothesis's own report of the arguments)
        note(f"{method} {path}{'?' + query if query else ''}\nheaders: {headers!r}\nbody: {body!r:.2000}")
    client = Client(raise_request_exception=True)
    with transaction.atomic():  # a database error rolls back to here, so that the next example starts clean
        response = client.generic(method, path, QUERY_STRING=query, **(headers or {}), **body)
    content = b"".join(response.streaming_content) if response.streaming else response.content
    assert response.status_code < 500, content[:500]
    sent = f"{path} {query} {headers} {body}"
    for marker in ERROR_MARKERS:
        assert marker.encode() not in content or marker in sent, content[:500]
    if method != "HEAD":
        if response.get("Content-Type", "").startswith("application/json"):
            json.loads(content)  # a clear JSON answer, not half of one
        if 400 <= response.status_code < 500:
            if response.status_code == 405:
                assert response.has_header("Allow")  # Django's 405 says what is allowed there, in a header
            else:
                assert content.strip(), f"an empty {response.status_code}"
    return response


# Views that answer badly, to prove that `send` notices (their URLs are used by the test below only).
def raises(request):
    raise ValueError("a view's bug")


urlpatterns = [
    path("raises/", raises),
    path("server-error/", lambda request: HttpResponse("<h1>Server Error (500)</h1>", status=500)),
    path("empty-400/", lambda request: HttpResponse(status=400)),
    path("traceback/", lambda request: HttpResponse("Traceback (most recent call last): ...", status=404)),
    path("half-json/", lambda request: HttpResponse('{"detail": ', content_type="application/json", status=404)),
]


@pytest.mark.django_db
@pytest.mark.urls(__name__)
@pytest.mark.parametrize(
    "url, error",
    [
        ("/raises/", ValueError),
        ("/server-error/", AssertionError),
        ("/empty-400/", AssertionError),
        ("/traceback/", AssertionError),
        ("/half-json/", ValueError),
    ],
)
def test_the_checks_fail_on_a_bad_answer(url, error):
    with pytest.raises(error):
        send("GET", url)


@pytest.mark.parametrize("pattern", PATTERNS, ids=[pattern.key for pattern in PATTERNS])
def test_every_public_pattern_can_be_filled_with_real_values(pattern):
    assert not pattern.problem, pattern.problem
    arguments = real_arguments(pattern)
    for index in range(max([len(arguments[name]) for name in pattern.parameters], default=1)):
        path = pattern.fill({name: arguments[name][index % len(arguments[name])] for name in pattern.parameters})
        match = resolve(path)
        assert match.func is pattern.view, f"{path} reaches {match.view_name}, not {pattern.key}"


@pytest.mark.parametrize("name, form", FORMS.items(), ids=list(FORMS))
def test_the_public_forms_are_among_the_patterns_with_values_for_every_field(name, form):
    assert pattern_named(name)
    assert HONEYPOT in form.base_fields
    missing = [field for field in fields_of(form) if field not in PLAUSIBLE or field not in MISTAKES]
    assert not missing, f"add what a person would type in {missing} to PLAUSIBLE, and mistakes to MISTAKES"


@pytest.mark.usefixtures("data_set", "db")
@pytest.mark.parametrize("pattern", PATTERNS, ids=[pattern.key for pattern in PATTERNS])
def test_generated_queries_and_headers_never_give_a_server_error(pattern):
    @hypothesis_settings(FUZZ, max_examples=25)
    @seeded(pattern.key, "queries")
    @given(
        values=real_values(pattern),
        method=st.sampled_from(["GET", "GET", "GET", "HEAD"]),
        query=QUERY_STRINGS,
        headers=HEADERS,
    )
    def run(values, method, query, headers):
        send(method, pattern.fill(values), query=query, headers=headers)

    run()


@pytest.mark.usefixtures("data_set", "db")
@pytest.mark.parametrize("pattern", WITH_PARAMETERS, ids=[pattern.key for pattern in WITH_PARAMETERS])
def test_generated_path_segments_never_give_a_server_error(pattern):
    @hypothesis_settings(FUZZ, max_examples=30)
    @seeded(pattern.key, "segments")
    @given(
        values=odd_segments(pattern),
        method=st.sampled_from(["GET", "HEAD"]),
        query=st.just("") | QUERY_STRINGS,
        slash=st.booleans(),  # without the final slash, CommonMiddleware looks for the URL with it
    )
    def run(values, method, query, slash):
        path = pattern.fill(values)
        send(method, path if slash else path.removesuffix("/"), query=query)

    run()


URLENCODED = "application/x-www-form-urlencoded"
# Bodies of any kind: generated pairs, malformed, JSON, text, multipart without a boundary or broken.
FORM_BODIES = st.one_of(
    st.builds(
        lambda pairs, raw: {"data": encode_pairs(pairs, raw).encode("latin-1"), "content_type": URLENCODED},
        st.one_of(PAIRS),
        st.booleans(),
    ),
    st.builds(lambda text: {"data": text.encode("latin-1"), "content_type": URLENCODED}, MALFORMED),
    st.builds(lambda text: {"data": text.encode(), "content_type": "application/json"}, st.text(max_size=40)),
    st.builds(lambda text: {"data": text.encode(), "content_type": "text/plain"}, st.text(max_size=40)),
    st.just({"data": "--x\r\n", "content_type": "multipart/form-data"}),  # no boundary
    st.just({"data": "--x\r\nbroken", "content_type": "multipart/form-data; boundary=x"}),
)


@pytest.mark.usefixtures("data_set", "db")
@pytest.mark.parametrize("pattern", READ_ONLY, ids=[pattern.key for pattern in READ_ONLY])
def test_other_methods_are_refused_everywhere_but_the_forms(pattern):
    @hypothesis_settings(FUZZ, max_examples=6)
    @seeded(pattern.key, "methods")
    @given(values=real_values(pattern), method=st.sampled_from(["POST", "PUT", "PATCH", "DELETE"]), body=FORM_BODIES)
    def run(values, method, body):
        response = send(method, pattern.fill(values), **body)
        assert 400 <= response.status_code < 500

    run()


# --- the public forms

# What a person would type in each field, and mistakes a form must answer with a message.
PLAUSIBLE = {
    "title": ["Cyber skills for young women in Ghana", "CERT twinning", "Ciberseguridad \u00e9 para todos"],
    "website": ["https://example.org/programme", "", "example.org"],
    "where": ["Ghana", "", "Western Africa", "Pacific islands"],
    "who": ["Ministry of Communications", "", "A university with an NGO", "\u0648\u0632\u0627\u0631\u0629"],
    "message": ["The end date is 2024, not 2023.", "The funder is wrong.", "Merci !"],
    "name": ["Ama", "", "Jos\u00e9", "\u674e\u534e"],
    "email": ["ama@example.org", "", "jos\u00e9@example.org"],
}
MISTAKES = {
    "title": ["", " "],
    "website": ["javascript:alert(1)", "http://[::1", "ftp://x.y", "https://", "http://" + "a" * 600 + ".org"],
    "where": ["x" * 1001],
    "who": ["\x00"],
    "message": ["", "\u202e", "x" * 5001],
    "name": ["x" * 201],
    "email": ["not-an-email", "a@b", "ama@example.org\x00", "x" * 300 + "@example.org", "@", "a@[::1"],
}
HOSTILE_VALUES = st.one_of(
    TEXT,
    st.binary(max_size=60).map(lambda data: data.decode("latin-1")),  # binary-ish text
    st.integers(10_000, 300_000).map(lambda size: "x" * size),  # huge
    long(["\x00", "\u202e", "\r\n", "\U0001f600 "], 10, 2000),
)


def form_data(fields: tuple[str, ...]) -> st.SearchStrategy[dict]:
    """A form as a person fills it, with a mistake or a hostile value; or any of its fields, each anything; plus extras.

    The extras: the honeypot now and then, random fields, a field repeated, a file.
    """
    plausible = st.fixed_dictionaries({name: st.sampled_from(PLAUSIBLE[name]) for name in fields})
    mistake = st.sampled_from(fields).flatmap(
        lambda name: st.fixed_dictionaries({name: st.sampled_from(MISTAKES[name])})
    )
    chosen = st.one_of(
        plausible,
        st.builds(lambda form, name, value: {**form, name: value}, plausible, st.sampled_from(fields), HOSTILE_VALUES),
        st.builds(lambda form, mistake: {**form, **mistake}, plausible, mistake),
        st.fixed_dictionaries({}, optional=dict.fromkeys(fields, HOSTILE_VALUES)),
    )
    extras = st.fixed_dictionaries(
        {},
        optional={
            HONEYPOT: st.sampled_from(["", " ", "https://spam.example"]) | TEXT,
            fields[0]: st.lists(st.sampled_from(PLAUSIBLE[fields[0]]), min_size=2, max_size=3),
            "attachment": st.builds(lambda data: SimpleUploadedFile("x.bin", data), st.binary(max_size=200)),
        },
    )
    return st.builds(
        lambda more, extra, form: {**more, **form, **extra}, st.dictionaries(NAMES, TEXT, max_size=3), extras, chosen
    )


def encoded(data: dict, encoding: str) -> dict:
    """The keyword arguments of client.generic for the form sent as multipart (as browsers do) or URL-encoded."""
    if encoding == "multipart":
        return {"data": encode_multipart(BOUNDARY, data), "content_type": MULTIPART_CONTENT}
    pairs = [
        (name, value)
        for name, values in data.items()
        for value in (values if isinstance(values, list) else [values])
        if isinstance(value, str)  # (a file goes only in multipart)
    ]
    return {"data": encode_pairs(pairs, raw=encoding == "raw").encode("latin-1"), "content_type": URLENCODED}


# Multipart as browsers send the form, URL-encoded (quoted, or raw bytes), or any body at all.
ENCODINGS = st.sampled_from(["multipart", "multipart", "urlencoded", "raw", "any"]).flatmap(
    lambda encoding: FORM_BODIES if encoding == "any" else st.just(encoding)
)
# Mostly a published initiative's; now and then a former address (301), a draft's or none (404).
CORRECTION_SLUGS = st.integers(0, 19).map(
    # (Hypothesis favours the ends of a range: the odd ones sit in the middle, to be a few.)
    lambda n: {7: "old-cert-training", 10: "draft-plan", 13: "no-such-initiative"}.get(n, "cert-training-ng")
)
REMOTE_ADDRS = st.one_of(st.ip_addresses().map(str), st.sampled_from(["127.0.0.1", "::1"]))


@pytest.mark.usefixtures("data_set", "db")
@pytest.mark.parametrize("name, form", FORMS.items(), ids=list(FORMS))
def test_generated_form_posts_never_give_a_server_error(name, form):
    with_slug = "slug" in pattern_named(name).parameters
    statuses = Counter()

    @hypothesis_settings(FUZZ, max_examples=200)
    @seeded(name, "forms")
    @given(
        slug=CORRECTION_SLUGS,
        data=form_data(fields_of(form)),
        body=ENCODINGS,
        remote_addr=REMOTE_ADDRS,
        headers=HEADERS,
        times=st.sampled_from([1] * 19 + [6]),  # now and then past the rate limit (5 an hour per address)
    )
    def run(slug, data, body, remote_addr, headers, times):
        cache.clear()  # the rate limit counts in the cache: each example starts afresh
        path = reverse(name, kwargs={"slug": slug}) if with_slug else reverse(name)
        body = encoded(data, body) if isinstance(body, str) else body
        for _ in range(times):
            response = send("POST", path, headers=headers, REMOTE_ADDR=remote_addr, **body)
        statuses[response.status_code] += 1

    run()
    # Most posts reached the form: some were accepted (303 to the thanks), few stopped by the rate limit.
    assert statuses[303] * 10 >= statuses.total(), statuses
    assert statuses[429] * 10 <= statuses.total(), statuses
