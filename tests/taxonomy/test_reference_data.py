import pytest
from django.db.models import F, Q

from taxonomy.models import Country, CountryAlias, Region, RegionAlias, Term, TermAlias, Vocabulary
from taxonomy.services import load_reference

pytestmark = pytest.mark.django_db


def test_all_iso_countries_are_loaded():
    assert Country.objects.count() == 249
    assert Country.objects.filter(region__isnull=True).values_list("iso2", flat=True).get() == "AQ"


def test_nigeria_facts():
    nigeria = Country.objects.select_related("region__parent__parent").get(iso2="NG")
    assert (nigeria.iso3, nigeria.m49, nigeria.name) == ("NGA", "566", "Nigeria")
    assert nigeria.region.name == "Western Africa"
    assert nigeria.region.parent.slug == "sub-saharan-africa"
    assert nigeria.region.parent.parent.slug == "africa"
    assert set(nigeria.groupings.values_list("slug", flat=True)) >= {"african-union", "ecowas", "commonwealth"}


@pytest.mark.parametrize(
    ("iso2", "iso3", "m49", "region"),
    [
        ("BR", "BRA", "076", "south-america"),
        ("MX", "MEX", "484", "central-america"),
        ("JM", "JAM", "388", "caribbean"),
        ("US", "USA", "840", "northern-america"),
        ("IN", "IND", "356", "southern-asia"),
        ("ID", "IDN", "360", "south-eastern-asia"),
        ("FR", "FRA", "250", "western-europe"),
        ("UA", "UKR", "804", "eastern-europe"),
        ("FJ", "FJI", "242", "melanesia"),
        ("KE", "KEN", "404", "eastern-africa"),
        ("EG", "EGY", "818", "northern-africa"),
        ("AF", "AFG", "004", "southern-asia"),
    ],
)
def test_country_codes_and_m49_region(iso2, iso3, m49, region):
    country = Country.objects.get(iso2=iso2)
    assert (country.iso3, country.m49, country.region.slug) == (iso3, m49, region)


def test_m49_continents_and_sub_regions():
    continents = Region.objects.filter(kind=Region.Kind.CONTINENT)
    assert set(continents.values_list("m49", flat=True)) == {"002", "019", "142", "150", "009"}
    assert Region.objects.get(slug="western-africa").m49 == "011"
    assert not Region.objects.filter(kind=Region.Kind.SUB_REGION, parent__isnull=True).exists()


@pytest.mark.parametrize(
    ("grouping", "members", "not_members"),
    [
        ("african-union", {"NG", "ZA", "EG", "MA"}, {"FR"}),
        ("ecowas", {"NG", "GH", "SN", "CI"}, {"CM", "ML", "BF", "NE"}),
        ("sadc", {"ZA", "MZ", "AO", "CD"}, {"KE"}),
        ("asean", {"SG", "ID", "VN", "PH"}, {"CN"}),
        ("oas", {"US", "BR", "JM", "CA"}, {"ES", "NI"}),
        ("european-union", {"FR", "DE", "EE", "HR"}, {"GB", "NO"}),
        ("pacific-islands-forum", {"FJ", "AU", "NZ", "PG"}, {"ID"}),
        ("commonwealth", {"GB", "IN", "NG", "GA", "TG"}, {"FR"}),
        ("itu-africa", {"NG", "KE", "ZA", "SS", "CV"}, {"EG", "MA", "SD", "DJ", "MR", "SO", "KM", "EH"}),
        ("arab-states", {"EG", "MA", "SA", "SY", "PS", "MR", "SO", "KM", "DJ"}, {"IR", "TR", "IL"}),
        ("asia-pacific", {"CN", "IN", "IR", "FJ", "TL", "AU"}, {"PW", "SA", "KZ"}),
        ("cis", {"RU", "KZ", "KG", "MD", "AM"}, {"TM", "UA", "GE"}),
        ("eastern-partnership", {"AM", "AZ", "BY", "GE", "MD", "UA"}, {"RU"}),
        ("western-balkans", {"AL", "BA", "ME", "MK", "RS"}, {"HR", "SI"}),
    ],
)
def test_grouping_members(grouping, members, not_members):
    codes = set(Region.objects.get(slug=grouping, kind=Region.Kind.GROUPING).members.values_list("iso2", flat=True))
    assert members <= codes
    assert not (not_members & codes)


def test_eu_has_27_members():
    assert Region.objects.get(slug="european-union").members.count() == 27


@pytest.mark.parametrize(
    ("grouping", "count"),
    [("itu-africa", 44), ("arab-states", 22), ("asia-pacific", 38), ("cis", 9), ("eastern-partnership", 6)],
)
def test_itu_and_political_groupings_have_their_member_counts(grouping, count):
    assert Region.objects.get(slug=grouping).members.count() == count


def test_itu_africa_and_arab_states_share_no_member_and_cover_the_african_union():
    itu_africa = set(Region.objects.get(slug="itu-africa").members.values_list("iso2", flat=True))
    arab_states = set(Region.objects.get(slug="arab-states").members.values_list("iso2", flat=True))
    african_union = set(Region.objects.get(slug="african-union").members.values_list("iso2", flat=True))
    assert not itu_africa & arab_states
    assert african_union - itu_africa - arab_states == {"EH"}  # the Sahrawi Republic, in no ITU region


@pytest.mark.parametrize(
    ("model", "key", "name", "scheme"),
    [
        (CountryAlias, {"country": "KR"}, "Korea, Republic of", "ISO 3166-1"),
        (CountryAlias, {"country": "SZ"}, "Swaziland", "former name"),
        (CountryAlias, {"country": "LA"}, "Lao PDR", "World Bank"),
        (RegionAlias, {"region__slug": "cis"}, "Europe & CIS", "UNDP"),
        (RegionAlias, {"region__slug": "europe"}, "Europe & CIS", "UNDP"),
        (RegionAlias, {"region__slug": "oceania"}, "Global", ""),
    ],
)
def test_countries_and_regions_have_aliases(model, key, name, scheme):
    assert model.objects.filter(**key, name=name, scheme=scheme).exists()


def test_region_countries_cover_sub_regions_and_members():
    africa = Region.objects.filter(slug="africa").with_descendants()
    assert {"africa", "sub-saharan-africa", "western-africa", "northern-africa"} <= set(
        africa.values_list("slug", flat=True)
    )
    codes = set(africa.countries().values_list("iso2", flat=True))
    assert {"NG", "EG", "ZA", "KE"} <= codes
    assert "FR" not in codes
    assert len(codes) == Country.objects.filter(region__in=africa).count()


@pytest.mark.parametrize("vocabulary", [Vocabulary.TOPIC, Vocabulary.AUDIENCE, Vocabulary.MODALITY])
def test_vocabularies_have_described_terms(vocabulary):
    terms = Term.objects.of(vocabulary)
    assert terms.count() >= 8
    assert not terms.filter(description="").exists()


@pytest.mark.parametrize(
    ("scheme", "alias", "term"),
    [
        ("GFCE", "Cyber Security Culture and Skills", "culture-skills"),
        ("GFCE", "Cyber Incident Management and Critical Infrastructure Protection", "incident-management"),
        ("Oxford CMM", "Cybersecurity Policy and Strategy", "policy-strategy"),
        ("Oxford CMM", "Legal and Regulatory Frameworks", "cybercrime-legislation"),
        ("ITU GCI", "Cooperation Measures", "cyber-diplomacy"),
        ("ITU GCI", "Technical Measures", "incident-management"),
    ],
)
def test_aliases_map_other_schemes_onto_our_terms(scheme, alias, term):
    assert TermAlias.objects.get(scheme=scheme, name=alias).term.slug == term


@pytest.mark.parametrize(
    ("scheme", "themes"),
    [
        (
            "GFCE",  # the five themes of the Delhi Communiqué
            {
                "Cyber Security Policy and Strategy",
                "Cyber Incident Management and Critical Infrastructure Protection",
                "Cybercrime",
                "Cyber Security Culture and Skills",
                "Cyber Security Standards",
            },
        ),
        (
            "Oxford CMM",  # the five dimensions
            {
                "Cybersecurity Policy and Strategy",
                "Cyber Culture and Society",
                "Building Cybersecurity Knowledge and Capabilities",
                "Legal and Regulatory Frameworks",
                "Standards, Organisations, and Technologies",
            },
        ),
        (
            "ITU GCI",  # the five pillars
            {
                "Legal Measures",
                "Technical Measures",
                "Organizational Measures",
                "Capacity Development Measures",
                "Cooperation Measures",
            },
        ),
    ],
)
def test_each_scheme_maps_its_five_themes(scheme, themes):
    assert themes <= set(TermAlias.objects.filter(scheme=scheme).values_list("name", flat=True))


def test_child_terms_point_to_parents_in_the_same_vocabulary():
    cert = Term.objects.topics().get(slug="cert-development")
    assert cert.parent.slug == "incident-management"
    assert not Term.objects.exclude(parent__isnull=True).exclude(parent__vocabulary=F("vocabulary")).exists()


def test_loading_reference_twice_duplicates_nothing():
    models = (Region, Country, Term, TermAlias, CountryAlias, RegionAlias, Region.members.through)
    before = [model.objects.count() for model in models]
    assert all(before)
    load_reference()
    assert [model.objects.count() for model in models] == before


def test_loading_reference_keeps_aliases_curators_added():
    RegionAlias.objects.create(region=Region.objects.get(slug="western-africa"), name="Sahel", scheme="curator")
    CountryAlias.objects.create(country=Country.objects.get(iso2="KE"), name="Jamhuri ya Kenya")
    CountryAlias.objects.filter(name="Swaziland").delete()
    load_reference()
    assert RegionAlias.objects.filter(name="Sahel").exists()
    assert CountryAlias.objects.filter(name="Jamhuri ya Kenya").exists()
    assert CountryAlias.objects.get(name="Swaziland").country_id == "SZ"  # restored


@pytest.mark.parametrize("model", [Country, Region, Term])
def test_every_row_has_french_and_spanish_names(model):
    assert model.objects.exists()
    untranslated = sorted(str(row) for row in model.objects.filter(Q(name_fr="") | Q(name_es="")))
    assert untranslated == []


@pytest.mark.parametrize(
    ("model", "key", "name_fr", "name_es"),
    [
        (Country, {"iso2": "CI"}, "Côte d'Ivoire", "Costa de Marfil"),
        (Country, {"iso2": "US"}, "États-Unis", "Estados Unidos"),
        (Country, {"iso2": "NG"}, "Nigéria", "Nigeria"),
        (Country, {"iso2": "DE"}, "Allemagne", "Alemania"),
        (Country, {"iso2": "KR"}, "Corée du Sud", "Corea del Sur"),
        (Region, {"slug": "western-africa"}, "Afrique de l'Ouest", "África occidental"),
        (Region, {"slug": "sub-saharan-africa"}, "Afrique subsaharienne", "África subsahariana"),
        (Region, {"slug": "african-union"}, "Union africaine (UA)", "Unión Africana (UA)"),
        (
            Region,
            {"slug": "ecowas"},
            "Communauté économique des États de l'Afrique de l'Ouest (CEDEAO)",
            "Comunidad Económica de los Estados de África Occidental (CEDEAO)",
        ),
        (Term, {"vocabulary__slug": "topic", "slug": "cybercrime"}, "Cybercriminalité", "Ciberdelincuencia"),
        (Term, {"vocabulary__slug": "audience", "slug": "law-enforcement"}, "Forces de l'ordre", "Fuerzas del orden"),
    ],
)
def test_known_french_and_spanish_names(model, key, name_fr, name_es):
    row = model.objects.get(**key)
    assert (row.name_fr, row.name_es) == (name_fr, name_es)


def test_names_lists_english_french_and_spanish():
    assert Country.objects.get(iso2="US").names() == ["United States", "États-Unis", "Estados Unidos"]


def test_names_drops_blanks_and_repeats():
    assert Country.objects.get(iso2="NG").names() == ["Nigeria", "Nigéria"]  # Spanish is "Nigeria" too
    assert Term(name="Women", name_fr="", name_es="Mujeres").names() == ["Women", "Mujeres"]


@pytest.mark.parametrize(
    ("language_code", "expected"),
    [
        ("fr", "Afrique de l'Ouest"),
        ("es", "África occidental"),
        ("es-419", "África occidental"),
        ("fr_CA", "Afrique de l'Ouest"),
        ("en", "Western Africa"),
        ("de", "Western Africa"),
        ("", "Western Africa"),
        (None, "Western Africa"),
    ],
)
def test_localized_name_picks_the_language(language_code, expected):
    assert Region.objects.get(slug="western-africa").localized_name(language_code) == expected


def test_localized_name_falls_back_to_english_when_untranslated():
    region = Region(name="Western Africa", name_fr="", name_es="África occidental")
    assert region.localized_name("fr") == "Western Africa"
    assert region.localized_name("es") == "África occidental"


def test_loading_reference_restores_edited_translations():
    Country.objects.filter(iso2="US").update(name_fr="", name_es="wrong")
    Region.objects.filter(slug="western-africa").update(name_fr="wrong")
    Term.objects.filter(slug="cybercrime").update(name_es="")
    load_reference()
    assert Country.objects.values_list("name_fr", "name_es").get(iso2="US") == ("États-Unis", "Estados Unidos")
    assert Region.objects.get(slug="western-africa").name_fr == "Afrique de l'Ouest"
    assert Term.objects.topics().get(slug="cybercrime").name_es == "Ciberdelincuencia"
