"""In French and Spanish, places, topics, target users, modalities and organisations are named in that language.

The names come from the reference data (fixtures/reference/*.json) and the demo organisations
(fixtures/demo.json): every one whose French or Spanish name differs from the English one must
appear translated on the French or Spanish page, never in English. Curated free text that is
legitimately English (initiative titles, summaries and descriptions, other mappings' names,
aliases, organisation names without a translation) is removed from the page before its text is
read, by the elements the templates put it in.
"""

import json
import re
from functools import cache

import pytest

from tests.browser.conftest import REPO_ROOT, new_context

FIXTURES = REPO_ROOT / "fixtures"
TRANSLATED = ("fr", "es")

# Where the templates put curated text that stays in its own language (read from templates/).
CURATED = ", ".join(
    [
        "article.detail > h1",  # an initiative's title (initiative_detail.html; elsewhere titles are links)
        ".lead",  # an initiative's summary, a region's, a topic's or an organisation's description
        ".card > p:not([class])",  # a card's summary (initiatives/_card.html)
        "article.detail > p:not([class])",  # an initiative's description (initiative_detail.html)
        ".keywords",  # an initiative's free keywords (initiative_detail.html)
        "main > dl.facts + p:not([class])",  # an organisation's description (organisation_detail.html)
        ".aliases",  # a term's other names in other mappings (taxonomy/term_detail.html)
        "a[href^='/sources/']",  # the names of other mappings
    ]
)

# Reads the page as a visitor would with every disclosure open: the body's text, plus the names
# that only assistive technology or a hover shows (aria-label, title, SVG <title>), after taking out
# links to initiatives (their titles) and the curated text above. Organisation names are collected
# apart (links to an organisation's page, implementer and funder options) and then taken out too.
READ_PAGE = r"""(curated) => {
    document.querySelectorAll("details").forEach((details) => { details.open = true; });
    const initiative = /^\/initiatives\/(?!feed\.atom|export)[\w-]+\/$/;
    const organisation = /^\/organisations\/([\w-]+)\/$/;
    const doomed = [...document.querySelectorAll(curated)];
    const organisations = [];
    for (const link of document.querySelectorAll("a[href]:not([href^='#'])")) {
        const path = new URL(link.href, location.href).pathname;
        if (initiative.test(path)) doomed.push(link);
        const match = path.match(organisation);
        if (match) organisations.push({slug: match[1], text: link.innerText, element: link});
    }
    for (const input of document.querySelectorAll("input[name=implementer], input[name=funder]")) {
        const label = input.closest("label") || document.querySelector(`label[for="${input.id}"]`);
        if (label) organisations.push({slug: input.value, text: label.innerText, element: label});
    }
    if (document.querySelector("main h1") && /^\/organisations\/[\w-]+\/$/.test(location.pathname)) {
        const heading = document.querySelector("main h1");
        organisations.push({slug: location.pathname.split("/")[2], text: heading.innerText, element: heading});
    }
    for (const {element} of organisations) doomed.push(element);
    for (const element of doomed) element.remove();
    const hidden = [...document.querySelectorAll("[aria-label], [title], svg title, option")].map((el) => [
        el.getAttribute("aria-label"), el.getAttribute("title"), el.matches("title, option") ? el.textContent : "",
    ].filter(Boolean).join("\n"));
    return {
        text: document.body.innerText + "\n" + hidden.join("\n"),
        organisations: organisations.map(({slug, text}) => ({slug, text})),
    };
}"""

# The pages that name places and terms, with the names (kind, key) each must show in the visitor's language.
FILTERS = "region=western-africa&topic=cybercrime&audience=law-enforcement"
PAGES = {
    "list-filtered": (
        f"/initiatives/?{FILTERS}",
        [("region", "western-africa"), ("topic", "cybercrime"), ("audience", "law-enforcement")],
    ),
    "list-table": (f"/initiatives/?view=table&{FILTERS}", [("region", "western-africa"), ("topic", "cybercrime")]),
    "initiative": ("/initiatives/ocwar-c/", [("country", "NG"), ("region", "ecowas"), ("audience", "law-enforcement")]),
    "region": ("/regions/western-africa/", [("region", "western-africa"), ("country", "NG")]),
    "country": ("/countries/NG/", [("country", "NG"), ("region", "western-africa")]),
    "topic": ("/topics/cybercrime/", [("topic", "cybercrime")]),
    "countries": ("/countries/", [("country", "NG"), ("region", "western-africa")]),
    "countries-filtered": ("/countries/?topic=cybercrime", [("country", "NG")]),
    "regions": ("/regions/", [("region", "western-africa"), ("region", "africa")]),
    "audience": ("/audiences/law-enforcement/", [("audience", "law-enforcement")]),
    # 18 intergovernmental bodies: one page of the table, in any language's order.
    "organisations": ("/organisations/?kind=intergovernmental", [("country", "CH"), ("organisation", "itu")]),
    "organisation": ("/organisations/european-commission/", [("organisation", "european-commission")]),
}


@cache
def names() -> dict[tuple[str, str], dict[str, str]]:
    """(kind, key) -> {"en": name, "fr": name, "es": name} for every region, country, term and organisation."""
    found = {}

    def add(kind: str, key: str, row: dict) -> None:
        found[(kind, key)] = {"en": row["name"], **{lang: row.get(f"name_{lang}") or "" for lang in TRANSLATED}}

    reference = FIXTURES / "reference"
    for row in json.loads((reference / "regions.json").read_text()):
        add("region", row["slug"], row)
    for row in json.loads((reference / "countries.json").read_text()):
        add("country", row["iso2"], row)
    for vocabulary in json.loads((reference / "vocabularies.json").read_text()):
        for row in vocabulary["terms"]:
            add(vocabulary["slug"], row["slug"], row)
    for row in json.loads((FIXTURES / "demo.json").read_text())["organisations"]:
        if any(row.get(f"name_{lang}") for lang in TRANSLATED):
            add("organisation", row["slug"], row)
    return found


def whole(name: str) -> re.Pattern:
    """`name` as a whole word or phrase, case-sensitive: "Niger" is not found in "Nigeria" or "Nigéria"."""
    return re.compile(rf"(?<!\w){re.escape(name)}(?!\w)")


@cache
def english_names(lang: str) -> tuple[str, ...]:
    """English names that must not appear on a page in `lang`: those whose `lang` name differs.

    Left out: an English name that is also a word of some name in `lang` (Spanish "Guinea
    Ecuatorial" contains English "Guinea"), since finding it would prove nothing.
    """
    translated = [row[lang] for row in names().values() if row[lang]]
    return tuple(
        sorted(
            {
                row["en"]
                for row in names().values()
                if row[lang] and row[lang] != row["en"] and not any(whole(row["en"]).search(t) for t in translated)
            }
        )
    )


def english_names_in(text: str, lang: str) -> list[str]:
    return [name for name in english_names(lang) if whole(name).search(text)]


def read(page, url: str) -> dict:
    response = page.goto(url)
    assert response.status == 200, f"{url} answered {response.status}"
    return page.evaluate(READ_PAGE, CURATED)


def shows(shown: dict, key: tuple[str, str], lang: str) -> bool:
    """Whether the page names this place, term or organisation (read apart: links, options, its heading)."""
    kind, slug = key
    if kind == "organisation":
        return any(o["slug"] == slug for o in shown["organisations"])
    return bool(whole(names()[key][lang]).search(shown["text"]))


def organisations_in_english(organisations: list[dict], lang: str) -> list[str]:
    """Organisation names shown in English although they have a `lang` name."""
    wrong = []
    for shown in organisations:
        row = names().get(("organisation", shown["slug"]))
        if row and row[lang] and row[lang] != row["en"] and row[lang] not in shown["text"]:
            wrong.append(f"{shown['slug']}: {shown['text']!r} (want {row[lang]!r})")
    return wrong


@pytest.fixture(scope="module", params=TRANSLATED)
def lang_page(request, browser):
    context = new_context(browser, request.param)
    yield request.param, context.new_page()
    context.close()


@pytest.mark.parametrize("name", list(PAGES))
def test_page_names_places_and_terms_in_the_visitors_language(name, lang_page, server):
    lang, page = lang_page
    path, expected = PAGES[name]
    shown = read(page, server + path)

    in_english = english_names_in(shown["text"], lang)
    assert not in_english, f"{name} ({lang}, {path}) shows English names: {in_english}"
    missing = [names()[key][lang] for key in expected if not shows(shown, key, lang)]
    assert not missing, f"{name} ({lang}, {path}) does not show {missing}"
    wrong = organisations_in_english(shown["organisations"], lang)
    assert not wrong, f"{name} ({lang}, {path}) names organisations in English: {wrong}"


def test_the_check_finds_english_names_on_an_english_page(browser, server):
    """Guards against a check that passes because it reads nothing: the English page must fail it."""
    context = new_context(browser, "en")
    page = context.new_page()
    shown = read(page, f"{server}/initiatives/?{FILTERS}")
    context.close()
    found = english_names_in(shown["text"], "fr")
    for key in [("region", "western-africa"), ("topic", "cybercrime"), ("audience", "law-enforcement")]:
        assert names()[key]["en"] in found, f"{names()[key]['en']!r} not found on the English page: {found}"
    assert organisations_in_english(shown["organisations"], "fr"), "no translated organisation on the English page"


# Dates: "1 juin 2026", "juin 2026"; "1 de junio de 2026", "junio de 2026". Not the old "1 Jui 2026", "1 Fév 2019".
MONTHS = {
    "fr": "janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre",
    "es": "enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre",
}
PROPER_DATE = {
    "fr": re.compile(rf"(?<!\w)(?:(?:1er|\d{{1,2}}) )?(?:{MONTHS['fr']}) \d{{4}}(?!\w)"),
    "es": re.compile(rf"(?<!\w)(?:\d{{1,2}} de )?(?:{MONTHS['es']}) de \d{{4}}(?!\w)"),
}
ABBREVIATED = {
    "fr": re.compile(r"(?<!\w)(?:Jan|Fév|Mar|Avr|Mai|Jui|Jul|Aoû|Sep|Oct|Nov|Déc)\.?(?= \d{4}(?!\w))"),
    "es": re.compile(r"(?<!\w)(?:Ene|Feb|Mar|Abr|May|Jun|Jul|Ago|Sep|Oct|Nov|Dic)\.?(?= \d{4}(?!\w))"),
}


ENGLISH_MONTH = re.compile(
    r"(?<!\w)(?:January|February|March|April|May|June|July|August|September|October|November|December) \d{4}(?!\w)"
)


def test_detail_page_writes_dates_in_the_visitors_language(lang_page, server):
    lang, page = lang_page
    text = read(page, server + "/initiatives/ocwar-c/")["text"]  # without the curated text: its dates are English
    assert not ABBREVIATED[lang].findall(text), f"({lang}) abbreviated months: {ABBREVIATED[lang].findall(text)}"
    assert not ENGLISH_MONTH.findall(text), f"({lang}) English months: {ENGLISH_MONTH.findall(text)}"
    dates = PROPER_DATE[lang].findall(text)
    # Start and end, last verified, retrieved, last updated: at least three written out in full.
    assert len(dates) >= 3, f"({lang}) few dates written in full: {dates}\n{text[:3000]}"


def test_the_date_check_rejects_the_old_abbreviations():
    assert ABBREVIATED["fr"].search("1 Jui 2026") and ABBREVIATED["fr"].search("1 Fév 2019")
    assert ABBREVIATED["es"].search("1 Ene 2020")
    assert not ABBREVIATED["fr"].search("1 juin 2026") and PROPER_DATE["fr"].search("1er juin 2026")
    assert PROPER_DATE["es"].search("5 de marzo de 2021") and PROPER_DATE["es"].search("marzo de 2021")
    assert ENGLISH_MONTH.search("1 June 2026") and not ENGLISH_MONTH.search("1 juin 2026")
