from collections import Counter
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from taggit.models import Tag

from initiatives.models import Initiative, Organisation, Participation
from initiatives.synthetic import DESCRIPTION_WORDS, REFERENCE_DATE
from taxonomy.models import Region
from tests.factories import InitiativeFactory, OrganisationFactory
from tests.helpers import listed

pytestmark = pytest.mark.django_db

CONTINENTS = {"africa", "americas", "asia", "europe", "oceania"}


def generate(*args) -> str:
    out = StringIO()
    call_command("generate_synthetic", *args, stdout=out)
    return out.getvalue()


def synthetic():
    return (
        Initiative.objects.filter(slug__startswith="syn-")
        .order_by("slug")
        .prefetch_related("countries", "regions", "topics", "audiences", "modalities", "keywords", "participations")
    )


def dump() -> tuple[list, list]:
    """The generated data by natural keys (database ids differ from one run to the next)."""
    organisations = dict(Organisation.objects.values_list("pk", "slug"))
    initiatives = [
        (
            i.slug,
            i.title,
            i.summary,
            i.description,
            i.status,
            i.start_date,
            i.end_date,
            i.website,
            i.budget,
            i.currency,
            i.publication_state,
            i.last_verified,
            sorted(c.iso2 for c in i.countries.all()),
            sorted(r.slug for r in i.regions.all()),
            sorted(t.slug for t in i.topics.all()),
            sorted(t.slug for t in i.audiences.all()),
            sorted(t.slug for t in i.modalities.all()),
            sorted((organisations[p.organisation_id], p.role) for p in i.participations.all()),
            sorted(tag.name.lower() for tag in i.keywords.all()),
        )
        for i in synthetic()
    ]
    return initiatives, list(
        Organisation.objects.filter(slug__startswith="syn-org-")
        .order_by("slug")
        .values_list("slug", "name", "acronym", "kind", "country_id", "website")
    )


def test_it_creates_the_requested_number_of_initiatives_and_says_so():
    out = generate("--initiatives", "120", "--seed", "7")
    assert Initiative.objects.filter(slug__startswith="syn-").count() == 120
    assert Organisation.objects.filter(slug__startswith="syn-org-").count() == 12  # about a tenth, at least ten
    assert "120 initiatives" in out
    assert "Elapsed:" in out


def test_every_initiative_has_the_described_shape():
    generate("--initiatives", "150", "--seed", "7")
    initiatives = list(synthetic())
    for i in initiatives:
        roles = Counter(p.role for p in i.participations.all())
        assert 1 <= len(i.topics.all()) <= 4
        assert 1 <= len(i.audiences.all()) <= 3
        assert 1 <= len(i.modalities.all()) <= 2
        assert 1 <= roles[Participation.Role.IMPLEMENTER] <= 2
        assert roles[Participation.Role.FUNDER] <= 2
        assert roles[Participation.Role.PARTNER] <= 3
        assert len(i.keywords.all()) <= 4
        assert 2000 <= i.start_date.year <= 2030
        assert i.end_date is None or i.end_date >= i.start_date
        assert DESCRIPTION_WORDS[0] <= len(i.description.split()) <= DESCRIPTION_WORDS[1]
        assert i.summary.endswith(".")
        assert i.budget is None or i.currency
        if i.start_date > REFERENCE_DATE:
            assert i.status == Initiative.Status.PLANNED
        elif i.end_date and i.end_date < REFERENCE_DATE:
            assert i.status == Initiative.Status.COMPLETED
        else:
            assert i.status == Initiative.Status.ONGOING
    states = Counter(i.publication_state for i in initiatives)
    assert states[Initiative.PublicationState.PUBLISHED] >= 0.85 * len(initiatives)
    assert len(states) >= 2, "some drafts, initiatives in review or archived ones"
    assert {i.status for i in initiatives} == set(Initiative.Status.values)
    assert any(i.budget is not None for i in initiatives) and any(i.budget is None for i in initiatives)


def test_places_mix_countries_sub_regions_groupings_continents_global_and_none():
    generate("--initiatives", "150", "--seed", "7")
    kinds = dict(Region.objects.values_list("slug", "kind"))
    seen = set()
    for i in synthetic():
        regions = {r.slug for r in i.regions.all()}
        countries = list(i.countries.all())
        if not regions:
            assert len(countries) <= 6
            seen.add("countries" if countries else "none")
        elif len(regions) >= 4:
            assert regions <= CONTINENTS
            seen.add("global")
        else:
            seen.add(kinds[regions.pop()])
    assert seen == {"countries", "none", "global", "continent", "sub_region", "grouping"}


def test_countries_and_organisations_are_skewed():
    generate("--initiatives", "400", "--seed", "2")
    countries = Counter(
        Initiative.countries.through.objects.filter(initiative__slug__startswith="syn-").values_list(
            "country_id", flat=True
        )
    )
    organisations = Counter(
        Participation.objects.filter(initiative__slug__startswith="syn-").values_list("organisation_id", flat=True)
    )
    for counts in (countries, organisations):
        ranked = sorted(counts.values(), reverse=True)
        assert ranked[0] >= 3 * ranked[len(ranked) // 2], "a few get many, most get a few"


def test_keywords_are_shared_tags_without_case_duplicates():
    generate("--initiatives", "80", "--seed", "7")
    names = [name.lower() for name in Tag.objects.values_list("name", flat=True)]
    assert len(names) == len(set(names))
    assert Initiative.keywords.through.objects.filter(object_id__in=synthetic().values("pk")).count() > 40


def test_the_same_seed_gives_the_same_data_again():
    generate("--initiatives", "40", "--seed", "3")
    first = dump()
    generate("--initiatives", "40", "--seed", "3", "--clear")
    assert Initiative.objects.filter(slug__startswith="syn-").count() == 40
    assert dump() == first


def test_another_seed_gives_other_data():
    generate("--initiatives", "40", "--seed", "3")
    first = dump()
    generate("--initiatives", "40", "--seed", "4", "--clear")
    second = dump()
    assert len(second[0]) == 40
    assert len({row[1] for row in first[0]} & {row[1] for row in second[0]}) <= 2, "titles"
    assert [row[12:] for row in first[0]] != [row[12:] for row in second[0]], "relations"


def test_clear_removes_only_synthetic_rows():
    kept = InitiativeFactory(slug="a-real-initiative")
    organisation = OrganisationFactory(slug="a-real-organisation")
    Participation.objects.create(initiative=kept, organisation=organisation, role=Participation.Role.IMPLEMENTER)
    generate("--initiatives", "30", "--seed", "1")
    generate("--initiatives", "5", "--seed", "1", "--clear")
    assert Initiative.objects.filter(slug__startswith="syn-").count() == 5
    assert Initiative.objects.filter(slug="a-real-initiative").exists()
    assert Organisation.objects.filter(slug="a-real-organisation").exists()
    assert kept.participations.count() == 1


def test_it_refuses_to_add_to_existing_synthetic_data_without_clear():
    generate("--initiatives", "5", "--seed", "1")
    with pytest.raises(CommandError, match="--clear"):
        generate("--initiatives", "5", "--seed", "2")
    assert Initiative.objects.filter(slug__startswith="syn-").count() == 5


@pytest.mark.parametrize("size", ["0", "-3", "1000001"])
def test_it_refuses_a_bad_number_of_initiatives(size):
    with pytest.raises(CommandError, match="between 1 and 1,000,000"):
        generate("--initiatives", size, "--seed", "1")
    assert not Initiative.objects.exists()


def listed_everywhere(client, url: str) -> set[str]:
    """Slugs listed on every page of a filtered list."""
    slugs: set[str] = set()
    for page in range(1, 50):
        response = client.get(f"{url}&page={page}")
        if response.status_code != 200 or not listed(response):
            break
        slugs.update(listed(response))
    return slugs


def test_generated_initiatives_are_found_by_the_public_country_filter(client):
    generate("--initiatives", "60", "--seed", "5")
    naming = synthetic().filter(countries__iso2="KE")
    published = set(naming.filter(publication_state="published").values_list("slug", flat=True))
    unpublished = set(naming.exclude(publication_state="published").values_list("slug", flat=True))
    assert published, "the seed gives initiatives in Kenya"

    found = listed_everywhere(client, "/initiatives/?country=KE")

    assert published <= found, "the membership tables were filled for the new initiatives"
    assert not unpublished & found
