"""Places, terms and organisations in the visitor's language on every public page, facets and chips included."""

import html
import re
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import reverse

from initiatives.models import Organisation, Participation
from initiatives.services import load_demo
from taxonomy.models import Country, Region, Term, collation_key
from tests.factories import InitiativeFactory, OrganisationFactory, ParticipationFactory

pytestmark = pytest.mark.django_db

WEST_AFRICA = ["NG", "CI", "SN", "GH"]
TOPICS = ["cybercrime", "cybercrime-legislation", "incident-management", "cert-development", "culture-skills"]
AUDIENCES = ["law-enforcement", "judiciary", "policymakers", "women"]
MODALITIES = ["training", "technical-assistance", "research"]


@pytest.fixture
def world():
    """Initiatives reaching West Africa and beyond, on many terms, with a translated funder."""
    union = OrganisationFactory(
        name="African Union Commission",
        name_fr="Commission de l'Union africaine",
        name_es="Comisión de la Unión Africana",
    )
    bank = OrganisationFactory(name="World Bank", name_fr="Banque mondiale", name_es="Banco Mundial", acronym="WB")
    countries = list(Country.objects.filter(iso2__in=WEST_AFRICA))
    first = InitiativeFactory(
        title="Initiative one",
        slug="one",
        countries=countries,
        regions=[Region.objects.get(slug="ecowas")],
        topics=TOPICS[:3],
        audiences=AUDIENCES[:2],
        modalities=MODALITIES[:2],
    )
    second = InitiativeFactory(
        title="Initiative two",
        slug="two",
        regions=[Region.objects.get(slug="africa"), Region.objects.get(slug="south-eastern-asia")],
        topics=TOPICS[3:],
        audiences=AUDIENCES[2:],
        modalities=MODALITIES[2:],
    )
    ParticipationFactory(initiative=first, organisation=union, role=Participation.Role.IMPLEMENTER)
    ParticipationFactory(initiative=first, organisation=bank, role=Participation.Role.FUNDER)
    ParticipationFactory(initiative=second, organisation=bank, role=Participation.Role.FUNDER)
    return SimpleNamespace(initiative=first, bank=bank)


def visitor(language: str) -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE=language)


def page_text(response, *, data: bool = True) -> str:
    """What a reader sees: the text between the tags, entities decoded. Without `data`, leaves out
    the text a place or term page quotes as it is: its description (English, like an initiative's
    own text) and the words other mappings use for it ("Also called: Cybercrime (GFCE)")."""
    body = response.content.decode()
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    if not data:
        body = re.sub(r'<p class="(lead|meta aliases)">.*?</p>', " ", body, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def english_only_names(language: str) -> set[str]:
    """Every English name of a region, country or term that reads differently in `language`."""
    names = set()
    for model in (Region, Country, Term):
        for row in model.objects.all():
            localized = row.localized_name(language)
            if localized != row.name and row.name not in localized:
                names.add(row.name)
    return names


def english_names_in(text: str, language: str) -> list[str]:
    return sorted(name for name in english_only_names(language) if re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text))


def test_the_check_finds_english_names_on_an_english_page(client, world):
    """The check below can fail: on an English page it finds the English names."""
    found = english_names_in(page_text(visitor("en").get("/initiatives/")), "fr")
    assert {"Cybercrime", "Western Africa", "Nigeria", "Law enforcement", "Training"} <= set(found)


@pytest.mark.parametrize("language", ["fr", "es"])
@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/initiatives/",
        "/initiatives/?region=western-africa&topic=cybercrime&audience=law-enforcement&modality=training",
        "/initiatives/?q=cybercrime",
        "/initiatives/one/",
        "/regions/",
        "/regions/western-africa/",
        "/regions/ecowas/",
        "/countries/",
        "/countries/NG/",
        "/topics/cybercrime/",
        "/audiences/law-enforcement/",
        "/coverage/",
        "/coverage/?region=western-africa",
        "/compare/?country=NG&country=SN&region=ecowas",
        "/needs/",
        "/initiatives/feed.atom?topic=cybercrime&region=western-africa",
    ],
)
def test_french_and_spanish_pages_show_no_english_taxonomy_name(world, language, url):
    response = visitor(language).get(url)
    assert response.status_code == 200
    assert english_names_in(page_text(response, data=False), language) == []


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fr", ["Cybercriminalité", "Afrique de l'Ouest", "Forces de l'ordre", "Formation", "Banque mondiale"]),
        ("es", ["Ciberdelincuencia", "África occidental", "Fuerzas del orden", "Capacitación", "Banco Mundial"]),
    ],
)
def test_facet_options_are_labelled_in_the_visitors_language(world, language, expected):
    response = visitor(language).get("/initiatives/")
    labels = {option.label for facet in response.context["browse"].facets for option in facet.options}
    assert set(expected) <= labels


def test_region_options_are_in_alphabetical_order_of_their_french_names(world):
    response = visitor("fr").get("/initiatives/")
    region = next(facet for facet in response.context["browse"].facets if facet.name == "region")
    grouping_slugs = set(Region.objects.filter(kind=Region.Kind.GROUPING).values_list("slug", flat=True))
    groupings = [option.label for option in region.options if option.value in grouping_slugs]
    assert groupings == sorted(groupings, key=collation_key)
    assert groupings != sorted(groupings), "the French order differs from a plain sort (É among the E's)"


def test_chips_name_the_filters_in_the_visitors_language(world):
    response = visitor("fr").get(f"/initiatives/?region=western-africa&topic=cybercrime&funder={world.bank.slug}")
    labels = [chip.label for chip in response.context["browse"].chips]
    assert any(label.endswith(": Afrique de l'Ouest") for label in labels), labels
    assert any(label.endswith(": Cybercriminalité") for label in labels), labels
    assert any(label.endswith(": Banque mondiale (WB)") for label in labels), labels
    assert "Cybercrime" not in " ".join(labels)


def test_the_detail_page_names_places_terms_and_organisations_in_french(world):
    text = page_text(visitor("fr").get("/initiatives/one/"))
    for name in ["Nigéria", "Côte d'Ivoire", "Sénégal", "Cybercriminalité", "Forces de l'ordre", "Formation"]:
        assert name in text
    assert "Commission de l'Union africaine" in text
    assert "Banque mondiale (WB)" in text
    assert "World Bank" not in text


def test_an_organisation_page_is_titled_with_its_translated_name(world):
    bank = world.bank
    response = visitor("es").get(bank.get_absolute_url())
    assert "<title>Banco Mundial – " in response.content.decode()
    assert "<h1>Banco Mundial (WB)</h1>" in response.content.decode()
    assert "<h1>World Bank (WB)</h1>" in visitor("en").get(bank.get_absolute_url()).content.decode()


def test_an_untranslated_organisation_keeps_its_name(world):
    plain = OrganisationFactory(name="Expertise France")
    ParticipationFactory(initiative=world.initiative, organisation=plain, role=Participation.Role.PARTNER)
    assert "Expertise France" in page_text(visitor("es").get("/initiatives/one/"))


@pytest.mark.parametrize(
    ("url", "french"),
    [
        ("/countries/NG/", "<h1>Nigéria</h1>"),
        ("/regions/western-africa/", "<h1>Afrique de l'Ouest</h1>"),
        ("/topics/cybercrime/", "<h1>Cybercriminalité</h1>"),
        ("/audiences/law-enforcement/", "<h1>Forces de l'ordre</h1>"),
    ],
)
def test_place_and_term_pages_have_french_headings_and_titles(world, url, french):
    body = html.unescape(visitor("fr").get(url).content.decode())
    assert french in body
    assert f"<title>{french[4:-5]} – " in body


@pytest.mark.page_cache
def test_cached_facet_labels_do_not_leak_from_one_language_to_another(world):
    url = "/initiatives/?topic=cybercrime"
    french = visitor("fr").get(url)
    english = visitor("en").get(url)
    spanish = visitor("es").get(url)
    assert english["X-Cache"] == "miss", "each language is a page of its own"
    assert "Banque mondiale" in french.content.decode()
    english_text = page_text(english)
    assert "World Bank" in english_text and "Banque mondiale" not in english_text
    assert "Cybercrime" in english_text and "Cybercriminalité" not in english_text
    assert "Banco Mundial" in page_text(spanish) and "Banque mondiale" not in page_text(spanish)


def test_facet_counts_cached_in_one_language_are_relabelled_in_another(world):
    """The page cache is off here: only the counts' own cache is shared between the two requests."""
    url = "/initiatives/?region=western-africa"
    visitor("fr").get(url)
    response = visitor("en").get(url)
    funders = next(facet for facet in response.context["browse"].facets if facet.name == "funder")
    assert [option.label for option in funders.options] == ["World Bank"]


def test_curators_translate_an_organisations_name_in_the_admin(curator_client, world):
    changelist = reverse("admin:initiatives_organisation_changelist")
    form = curator_client.get(reverse("admin:initiatives_organisation_change", args=[world.bank.pk]))
    assert 'name="name_fr"' in form.content.decode() and 'name="name_es"' in form.content.decode()
    assert "World Bank" in curator_client.get(changelist, {"q": "Banco Mundial"}).content.decode()


def test_the_demo_data_names_intergovernmental_organisations_in_french_and_spanish(client):
    load_demo()
    union = Organisation.objects.get(slug="auc")
    assert (union.name_fr, union.name_es) == ("Commission de l'Union africaine", "Comisión de la Unión Africana")
    response = visitor("fr").get("/initiatives/?q=banque+mondiale")
    assert response.context["browse"].total > 0
