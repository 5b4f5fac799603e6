import pytest
from django.db.models import F

from taxonomy.models import Country, Region, Term, TermAlias, Vocabulary
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
    ],
)
def test_grouping_members(grouping, members, not_members):
    codes = set(Region.objects.get(slug=grouping, kind=Region.Kind.GROUPING).members.values_list("iso2", flat=True))
    assert members <= codes
    assert not (not_members & codes)


def test_eu_has_27_members():
    assert Region.objects.get(slug="european-union").members.count() == 27


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


def test_each_scheme_has_five_aliases():
    for scheme in ("GFCE", "Oxford CMM", "ITU GCI"):
        assert TermAlias.objects.filter(scheme=scheme).count() == 5


def test_child_terms_point_to_parents_in_the_same_vocabulary():
    cert = Term.objects.topics().get(slug="cert-development")
    assert cert.parent.slug == "incident-management"
    assert not Term.objects.exclude(parent__isnull=True).exclude(parent__vocabulary=F("vocabulary")).exists()


def test_loading_reference_twice_duplicates_nothing():
    before = (Region.objects.count(), Country.objects.count(), Term.objects.count(), TermAlias.objects.count())
    members_before = Region.members.through.objects.count()
    load_reference()
    after = (Region.objects.count(), Country.objects.count(), Term.objects.count(), TermAlias.objects.count())
    assert after == before
    assert Region.members.through.objects.count() == members_before
