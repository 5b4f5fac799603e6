"""Text search on /initiatives/?q=: what it looks in, ranking, odd input, suggestions and query counts.

Titles, summaries, descriptions, organisation names and keywords are covered in test_list_view.py;
this module covers the rest of the search document (acronyms, places and terms in three languages,
aliases, ancestor terms) and what the page offers around the results.
"""

import html
import re
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from tests.factories import InitiativeFactory, OrganisationFactory, ParticipationFactory
from tests.helpers import UNPUBLISHED, analyze, bulk_initiatives, count_queries, listed, region

pytestmark = pytest.mark.django_db


def search_page(client, q: str, **params: str):
    """The list for `q` (and any other parameters), which must answer 200."""
    response = client.get("/initiatives/?" + urlencode({"q": q, **params}))
    assert response.status_code == 200, response.content.decode()[:2000]
    return response


def found(client, q: str, **params: str) -> list[str]:
    return listed(search_page(client, q, **params))


def suggestion_map(response) -> dict[str, str]:
    return {suggestion.label: suggestion.url for suggestion in response.context["browse"].suggestions}


def params_of(url: str) -> dict[str, list[str]]:
    assert urlsplit(url).path == "/initiatives/", url
    return parse_qs(urlsplit(url).query)


def results_section(response) -> str:
    body = response.content.decode()
    return re.search(r'<section class="browse-results".*?</section>', body, re.S).group(0)


# --- what q looks in, beyond the initiative's own text


def test_text_search_finds_an_organisation_by_its_acronym(client):
    target = InitiativeFactory(slug="target")
    ParticipationFactory(
        initiative=target,
        organisation=OrganisationFactory(name="European Union Agency for Cybersecurity", acronym="ENISA"),
    )
    ParticipationFactory(initiative=InitiativeFactory(slug="other"), organisation=OrganisationFactory(acronym="GFCE"))
    assert found(client, "enisa") == ["target"]


@pytest.mark.parametrize(
    "place, q",
    [
        pytest.param({"countries": ["NG"]}, "Nigeria", id="country-in-english"),
        pytest.param({"countries": ["DE"]}, "Allemagne", id="country-in-french"),
        pytest.param({"countries": ["CI"]}, "Costa de Marfil", id="country-in-spanish"),
        pytest.param({"regions": ["western-africa"]}, "Western Africa", id="region-in-english"),
        pytest.param({"regions": ["western-africa"]}, "Afrique de l'Ouest", id="region-in-french"),
        pytest.param({"regions": ["western-africa"]}, "África occidental", id="region-in-spanish"),
        pytest.param({"regions": ["ecowas"]}, "CEDEAO", id="grouping-by-its-french-acronym"),
        pytest.param({"countries": ["SZ"]}, "Swaziland", id="country-by-its-old-name"),
        pytest.param({"countries": ["VN"]}, "Viet Nam", id="country-by-another-spelling"),
        pytest.param({"regions": ["western-africa"]}, "West Africa", id="region-by-its-alias"),
    ],
)
def test_text_search_finds_the_names_of_beneficiary_places_in_three_languages(client, place, q):
    if "regions" in place:
        place = {"regions": [region(slug) for slug in place["regions"]]}
    InitiativeFactory(slug="target", **place)
    InitiativeFactory(slug="elsewhere", countries=["JP"], regions=[region("eastern-asia")])
    assert found(client, q) == ["target"]


@pytest.mark.parametrize(
    "terms, q",
    [
        pytest.param({"topics": ["cybercrime-legislation"]}, "Cybercrime legislation", id="topic-in-english"),
        pytest.param({"topics": ["cybercrime-legislation"]}, "Législation sur la cybercriminalité", id="topic-fr"),
        pytest.param({"topics": ["cybercrime-legislation"]}, "Legislación sobre ciberdelincuencia", id="topic-es"),
        pytest.param({"topics": ["cybercrime-legislation"]}, "Budapest Convention", id="topic-alias"),
        pytest.param({"topics": ["cybercrime-legislation"]}, "Legal Measures", id="topic-itu-gci-alias"),
        pytest.param({"topics": ["awareness"]}, "Cyber Culture and Society", id="topic-oxford-cmm-alias"),
        pytest.param({"topics": ["standards"]}, "Cyber Security Standards", id="topic-gfce-alias"),
        pytest.param({"audiences": ["law-enforcement"]}, "police", id="audience-alias"),
        pytest.param({"audiences": ["law-enforcement"]}, "Forces de l'ordre", id="audience-in-french"),
        pytest.param({"modalities": ["training"]}, "Capacitación", id="modality-in-spanish"),
        pytest.param({"modalities": ["exercise"]}, "tabletop exercise", id="modality-alias"),
    ],
)
def test_text_search_finds_the_names_translations_and_aliases_of_terms(client, terms, q):
    InitiativeFactory(slug="target", **terms)
    InitiativeFactory(slug="elsewhere", topics=["data-protection"], audiences=["youth"], modalities=["research"])
    assert found(client, q) == ["target"]


@pytest.mark.parametrize(
    "q",
    [
        pytest.param("Incident management", id="parent-name"),
        pytest.param("Gestion des incidents", id="parent-in-french"),
        pytest.param("Technical Measures", id="parent-itu-gci-alias"),
    ],
)
def test_text_search_finds_an_initiative_by_the_name_of_a_parent_of_its_term(client, q):
    InitiativeFactory(slug="child", topics=["cert-development"])
    InitiativeFactory(slug="unrelated", topics=["cybercrime"])
    assert found(client, q) == ["child"]


def test_text_search_does_not_find_a_parent_terms_initiative_by_a_child_terms_name(client):
    InitiativeFactory(slug="parent", topics=["incident-management"])
    InitiativeFactory(slug="child", topics=["cert-development"])
    assert found(client, "CSIRT") == ["child"]


@pytest.mark.parametrize(
    "fields, q",
    [
        pytest.param({"countries": ["CI"]}, "Cote d'Ivoire", id="plain-query-accented-name"),
        pytest.param({"countries": ["NG"]}, "nigéria", id="accented-query-plain-name"),
        pytest.param({"countries": ["NG"]}, "NIGÉRIA", id="capital-accented-query"),
        pytest.param(
            {"title": "Stratégie de cybersécurité"}, "strategie CYBERSECURITE", id="plain-query-accented-title"
        ),
        pytest.param({"title": "Programa en Mexico"}, "méxico", id="accented-query-plain-title"),
    ],
)
def test_text_search_ignores_accents_and_case_both_ways(client, fields, q):
    InitiativeFactory(slug="target", **fields)
    InitiativeFactory(slug="other", title="Something else", countries=["FR"])
    assert found(client, q) == ["target"]


@pytest.mark.parametrize("q", ["trainings", "trained"])
def test_text_search_matches_other_forms_of_an_english_word(client, q):
    InitiativeFactory(slug="target", title="Cyber training centre")
    InitiativeFactory(slug="other", title="Cyber research centre")
    assert found(client, q) == ["target"]


# --- ranking


@pytest.mark.parametrize("q", ["nigeria", "cybercrime"])
def test_a_title_match_ranks_above_a_match_only_in_places_terms_or_description(client, q):
    # Alphabetically the others come first, so only relevance can put "zebra" on top.
    InitiativeFactory(slug="aardvark", title="Aardvark programme", countries=["NG"], topics=["cybercrime"])
    InitiativeFactory(slug="abacus", title="Abacus programme", description="Support to Nigeria against cybercrime.")
    InitiativeFactory(slug="zebra", title=f"Zebra {q} programme")
    InitiativeFactory(slug="unrelated", title="Unrelated", countries=["FR"])
    results = found(client, q)
    assert results[0] == "zebra"
    assert sorted(results) == ["aardvark", "abacus", "zebra"]


# --- visibility


@pytest.mark.parametrize("q", ["Nigéria", "cybercriminalité", "police"])
def test_text_search_never_finds_unpublished_initiatives_by_their_places_or_terms(client, q):
    tagged = {"countries": ["NG"], "topics": ["cybercrime"], "audiences": ["law-enforcement"]}
    InitiativeFactory(slug="public", **tagged)
    for state in UNPUBLISHED:
        InitiativeFactory(slug=f"hidden-{state}", publication_state=state, **tagged)
    response = search_page(client, q)
    assert listed(response) == ["public"]
    assert response.context["browse"].total == 1


# --- odd input


@pytest.mark.parametrize("q", ['""', "***", "-", ":", "()", "'", "_", "🙂", "\u0301"])
def test_a_query_of_punctuation_only_finds_nothing_without_error(client, q):
    InitiativeFactory(slug="one", title="Nigeria programme", countries=["NG"])
    response = search_page(client, q)
    assert listed(response) == []
    assert response.context["browse"].total == 0


@pytest.mark.parametrize(
    "q",
    ['"nigeria', 'nigeria"', "nigeria*", "-nigeria", "^nigeria", "nigeria:", "(nigeria)", "{nigeria}", "+nigeria"],
)
def test_search_syntax_characters_around_a_word_are_ignored(client, q):
    InitiativeFactory(slug="target", countries=["NG"])
    InitiativeFactory(slug="other", countries=["FR"])
    assert found(client, q) == ["target"]


@pytest.mark.parametrize(
    "q",
    [
        "NEAR(nigeria cybercrime)",
        "NEAR(nigeria cybercrime, 2)",
        "title:nigeria",
        "nigeria OR france",
        "nigeria AND NOT france",
        "nigeria -france",
        'title: "nigeria" * NEAR(',
        "nigeria & !france | (x <-> y):*",
        "AND",
        "NOT",
    ],
)
def test_search_operators_in_the_query_never_cause_an_error(client, q):
    InitiativeFactory(slug="target", countries=["NG"], topics=["cybercrime"])
    InitiativeFactory(slug="other", countries=["FR"])
    assert "other" not in found(client, q)


def test_a_query_of_200_characters_is_searched(client):
    InitiativeFactory(slug="target", countries=["NG"])
    InitiativeFactory(slug="other", countries=["FR"])
    q = " ".join(["nigeria"] * 25) + "!"
    assert len(q) == 200
    assert found(client, q) == ["target"]


def test_a_query_longer_than_200_characters_is_refused_with_a_message(client):
    InitiativeFactory(slug="target", countries=["NG"])
    q = " ".join(["nigeria"] * 25) + "!!"
    response = client.get("/initiatives/?" + urlencode({"q": q}))
    assert response.status_code == 400
    body = html.unescape(response.content.decode())
    assert "at most 200 characters (it has 201)" in body
    assert listed(response) == []


# --- suggestions: the filters a query's words name


@pytest.mark.parametrize(
    "q, label, params",
    [
        ("cybercrime nigeria", "Filter by country: Nigeria", {"q": ["cybercrime"], "country": ["NG"]}),
        ("cybercrime nigeria", "Filter by topic: Cybercrime", {"q": ["nigeria"], "topic": ["cybercrime"]}),
        ("Costa de Marfil", "Filter by country: Côte d'Ivoire", {"country": ["CI"]}),
        (
            "formation Afrique de l'Ouest",
            "Filter by region: Western Africa",
            {"q": ["formation"], "region": ["western-africa"]},
        ),
        # A grouping's name carries its acronym in brackets: visitors type either part alone.
        ("ECOWAS", "Filter by region: Economic Community of West African States (ECOWAS)", {"region": ["ecowas"]}),
        (
            "cybercrime european union",
            "Filter by region: European Union (EU)",
            {"q": ["cybercrime"], "region": ["european-union"]},
        ),
        (
            "police budapest convention",
            "Filter by topic: Cybercrime legislation",
            {"q": ["police"], "topic": ["cybercrime-legislation"]},
        ),
        (
            "police budapest convention",
            "Filter by target users: Law enforcement",
            {"q": ["budapest convention"], "audience": ["law-enforcement"]},
        ),
        ("CSIRT", "Filter by topic: CERT/CSIRT development", {"topic": ["cert-development"]}),
        ("Capacitación", "Filter by modality: Training", {"modality": ["training"]}),
    ],
)
def test_words_naming_a_place_or_term_suggest_its_filter_instead(client, q, label, params):
    InitiativeFactory(slug="anything", countries=["NG"], topics=["cybercrime"])
    suggestions = suggestion_map(search_page(client, q))
    assert label in suggestions, suggestions
    assert params_of(suggestions[label]) == params


def test_the_filter_suggestion_is_exactly_the_query_without_the_words_plus_the_filter(client):
    InitiativeFactory(slug="ng", countries=["NG"], topics=["cybercrime"])
    response = search_page(client, "cybercrime nigeria")
    assert suggestion_map(response)["Filter by country: Nigeria"] == "/initiatives/?q=cybercrime&country=NG"
    links = re.search(r'<ul class="suggestions"[^>]*>(.*?)</ul>', response.content.decode(), re.S).group(1)
    assert '<a href="/initiatives/?q=cybercrime&amp;country=NG">Filter by country: Nigeria</a>' in links


def test_the_filter_suggestion_keeps_the_other_parameters(client):
    InitiativeFactory(slug="ng", countries=["NG"], topics=["cybercrime"])
    response = search_page(client, "cybercrime nigeria", status="ongoing", sort="-start", year="2020")
    url = suggestion_map(response)["Filter by country: Nigeria"]
    assert params_of(url) == {
        "q": ["cybercrime"],
        "status": ["ongoing"],
        "sort": ["-start"],
        "year": ["2020"],
        "country": ["NG"],
    }


def test_following_a_filter_suggestion_lists_everything_the_filter_gives(client):
    InitiativeFactory(slug="named-ng", title="Cybercrime unit", countries=["NG"])
    # Serves Nigeria through its region, so the country filter finds it though the word "nigeria" does not.
    InitiativeFactory(slug="via-region", title="Cybercrime desk", regions=[region("western-africa")])
    InitiativeFactory(slug="france", title="Cybercrime office", countries=["FR"])
    InitiativeFactory(slug="ng-other-topic", title="Data protection", countries=["NG"])
    searched = search_page(client, "cybercrime nigeria")
    assert listed(searched) == ["named-ng"]

    followed = client.get(suggestion_map(searched)["Filter by country: Nigeria"])
    assert followed.status_code == 200
    assert sorted(listed(followed)) == ["named-ng", "via-region"]
    assert sorted(listed(followed)) == sorted(listed(client.get("/initiatives/?q=cybercrime&country=NG")))


# --- suggestions when nothing matches


def test_an_empty_search_says_what_was_searched_and_where(client):
    InitiativeFactory(slug="ng", countries=["NG"])
    response = search_page(client, "Nigria")
    assert response.context["browse"].total == 0
    text = html.unescape(results_section(response))
    assert "Nothing matches “Nigria”. The search looked in " in text


@pytest.mark.parametrize(
    "q, label, params",
    [
        ("Nigria", "Did you mean country: Nigeria?", {"country": ["NG"]}),
        ("nigerai", "Did you mean country: Nigeria?", {"country": ["NG"]}),
        ("cybercrime Nigria", "Did you mean country: Nigeria?", {"q": ["cybercrime"], "country": ["NG"]}),
        ("Cybercrme", "Did you mean topic: Cybercrime?", {"topic": ["cybercrime"]}),
        ("Afrik de l'Ouest", "Did you mean region: Western Africa?", {"region": ["western-africa"]}),
    ],
)
def test_a_misspelt_name_suggests_what_the_visitor_may_have_meant(client, q, label, params):
    InitiativeFactory(
        slug="ng", title="Cybercrime unit", countries=["NG"], regions=[region("western-africa")], topics=["cybercrime"]
    )
    response = search_page(client, q)
    assert response.context["browse"].total == 0
    suggestions = suggestion_map(response)
    assert label in suggestions, suggestions
    assert params_of(suggestions[label]) == params
    assert listed(client.get(suggestions[label])) == ["ng"]


def test_an_empty_search_for_a_misspelt_place_is_never_a_dead_end(client):
    InitiativeFactory(slug="ng", countries=["NG"])
    response = search_page(client, "Nigria")
    section = results_section(response)
    suggestions = re.search(r'<ul class="suggestions"[^>]*>(.*?)</ul>', section, re.S)
    assert suggestions, section
    links = [
        (html.unescape(href), text)
        for href, text in re.findall(r'<a href="([^"]+)">([^<]+)</a>', suggestions.group(1))
        if "Clear all" not in text
    ]
    assert links, section
    assert any(listed(client.get(href)) == ["ng"] for href, _text in links), links


def test_an_empty_search_under_other_filters_suggests_searching_every_initiative(client):
    InitiativeFactory(slug="ng", title="Honeypot network", countries=["NG"], status="ongoing")
    response = search_page(client, "honeypot", country="FR", status="ongoing")
    assert response.context["browse"].total == 0
    url = suggestion_map(response)["Search every initiative for “honeypot”"]
    assert params_of(url) == {"q": ["honeypot"]}
    assert listed(client.get(url)) == ["ng"]


@pytest.mark.parametrize("params", [{}, {"sort": "title"}], ids=["q-alone", "q-and-sort"])
def test_an_empty_search_without_other_filters_does_not_suggest_searching_every_initiative(client, params):
    InitiativeFactory(slug="ng", title="Honeypot network", countries=["NG"])
    response = search_page(client, "quokka", **params)
    assert response.context["browse"].total == 0
    assert not any(label.startswith("Search every initiative") for label in suggestion_map(response))


# --- query counts


@pytest.mark.parametrize(
    "query",
    ["q=nigeria", "q=western+africa+made&sort=-start", "q=cybercrime+nigeria&status=ongoing"],
)
@pytest.mark.parametrize("fresh_statistics", [False, True], ids=["stale-statistics", "analyzed"])
def test_search_query_count_does_not_grow_with_the_number_of_matches(client, query, fresh_statistics):
    url = f"/initiatives/?{query}"
    bulk_initiatives(10, "few")
    client.get(url)  # warm up caches (content types and the like)
    few_total = client.get(url).context["browse"].total
    few = count_queries(client, url)
    bulk_initiatives(990, "many")
    if fresh_statistics:  # the planner sees the real table sizes, as after autovacuum
        analyze()
    many = count_queries(client, url)
    many_total = client.get(url).context["browse"].total
    assert many_total > 20 and many_total > few_total  # the second run really had more, over several pages
    assert many == few
