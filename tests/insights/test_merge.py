"""Merging two initiatives: every related row of the merged one moves to the kept one, and nothing is left behind."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from taggit.models import TaggedItem

from exchange.models import ImportBatch, ImportedRow
from initiatives.models import FootprintCountry, FormerSlug, Initiative, Participation, TermMembership
from insights.models import DistinctPair, Merge
from insights.services import MergeError, merge_initiatives, plan_merge
from taxonomy.models import Country, Region
from taxonomy.versioning import is_history
from tests.factories import InitiativeFactory, OrganisationFactory, ParticipationFactory, SourceRecordFactory

pytestmark = pytest.mark.django_db


def countries(*codes: str) -> list[Country]:
    return list(Country.objects.filter(iso2__in=codes))


@pytest.fixture
def pair(curator):
    coe, interpol, eu = (OrganisationFactory(name=name) for name in ("Council of Europe", "INTERPOL", "EU"))
    keep = InitiativeFactory(
        title="Global Action on Cybercrime Extended (GLACY+)",
        slug="glacy-plus",
        summary="Kept summary.",
        website="",
        budget=None,
        countries=countries("GH", "SN"),
        topics=["cybercrime"],
        audiences=["judiciary"],
        keywords=["Budapest Convention"],
    )
    other = InitiativeFactory(
        title="GLACY+",
        slug="glacy-plus-copy",
        summary="The other summary.",
        description="Described only here.",
        website="https://www.coe.int/en/web/cybercrime/glacyplus",
        budget=Decimal("18890000"),
        currency="EUR",
        start_date=datetime.date(2016, 3, 1),
        countries=countries("GH", "PH", "LK"),
        regions=[Region.objects.get(slug="ecowas")],
        topics=["cybercrime", "digital-forensics"],
        audiences=["law-enforcement"],
        modalities=["training"],
        keywords=["budapest convention", "e-evidence"],
    )
    ParticipationFactory(initiative=keep, organisation=coe, role="implementer")
    ParticipationFactory(initiative=other, organisation=coe, role="implementer")  # keep has it already
    ParticipationFactory(initiative=other, organisation=interpol, role="partner")
    ParticipationFactory(initiative=other, organisation=eu, role="funder")
    SourceRecordFactory(initiative=keep, external_id="CYBIL-1")
    SourceRecordFactory(initiative=other, external_id="CYBIL-2")
    SourceRecordFactory(initiative=other, external_id="")
    FormerSlug.objects.create(slug="glacy-2016", initiative=other)
    batch = ImportBatch.objects.create(source=other.source_records.first().source, file_name="x.csv", content="")
    ImportedRow.objects.create(batch=batch, row_number=2, initiative=other, action="created")
    earlier = Merge.objects.create(kept=other, merged_id=999, merged_title="An older copy", merged_slug="old-copy")
    third = InitiativeFactory(title="Cyber hygiene in schools")
    DistinctPair.objects.create(first=other, second=third)
    return keep, other, third, earlier


def pointing_at(pk: int) -> dict[str, int]:
    """Rows of every model with a foreign key to Initiative (through tables included) that point at pk."""
    found = {}
    for relation in Initiative._meta.get_fields(include_hidden=True):
        if relation.auto_created and not relation.concrete and (relation.one_to_many or relation.one_to_one):
            model = relation.related_model
            if is_history(model):  # the history keeps what the merged one was, on purpose
                continue
            if model._meta.managed and (count := model._base_manager.filter(**{relation.field.name: pk}).count()):
                found[model._meta.label] = count
    content_type = ContentType.objects.get_for_model(Initiative)
    if tags := TaggedItem.objects.filter(content_type=content_type, object_id=pk).count():
        found["keywords"] = tags
    return found


def test_merge_moves_every_related_row_and_records_the_counts(pair, curator):
    keep, other, third, earlier = pair
    other_pk, other_title = other.pk, other.title
    assert pointing_at(other_pk)  # the check below can fail: there is something to move

    merge = merge_initiatives(keep=keep, other=other, user=curator)

    assert not Initiative.objects.filter(pk=other_pk).exists()
    assert pointing_at(other_pk) == {}  # no orphan anywhere
    keep.refresh_from_db()
    assert set(keep.countries.values_list("iso2", flat=True)) == {"GH", "SN", "PH", "LK"}
    assert list(keep.regions.values_list("slug", flat=True)) == ["ecowas"]
    assert set(keep.topics.values_list("slug", flat=True)) == {"cybercrime", "digital-forensics"}
    assert set(keep.audiences.values_list("slug", flat=True)) == {"judiciary", "law-enforcement"}
    assert list(keep.modalities.values_list("slug", flat=True)) == ["training"]
    assert sorted(keep.keywords.names()) == ["Budapest Convention", "e-evidence"]
    assert set(keep.participations.values_list("organisation__name", "role")) == {
        ("Council of Europe", "implementer"),
        ("INTERPOL", "partner"),
        ("EU", "funder"),
    }
    assert sorted(keep.source_records.values_list("external_id", flat=True)) == ["", "CYBIL-1", "CYBIL-2"]
    assert set(keep.former_slugs.values_list("slug", flat=True)) == {"glacy-2016", "glacy-plus-copy"}
    assert keep.imported_rows.count() == 1
    earlier.refresh_from_db()
    assert earlier.kept == keep
    assert DistinctPair.objects.filter(first=min(keep.pk, third.pk), second=max(keep.pk, third.pk)).exists()

    assert (merge.kept, merge.merged_id, merge.merged_title, merge.merged_slug, merge.merged_by) == (
        keep,
        other_pk,
        other_title,
        "glacy-plus-copy",
        curator,
    )
    assert merge.moved == {
        "participations": 2,
        "source records": 2,
        "former slugs": 1,
        "imported rows": 1,
        "merges": 1,
        "countries": 2,
        "regions": 1,
        "topics": 1,
        "audiences": 1,
        "modalities": 1,
        "keywords": 1,
        "pairs found distinct": 1,
        "fields filled": ["description", "website", "budget", "budget_max", "currency"],
    }


def test_merge_keeps_the_kept_fields_and_fills_only_the_empty_ones(pair, curator):
    keep, other, *_ = pair
    merge_initiatives(keep=keep, other=other, user=curator)
    keep.refresh_from_db()
    assert (keep.title, keep.slug, keep.summary) == (
        "Global Action on Cybercrime Extended (GLACY+)",
        "glacy-plus",
        "Kept summary.",
    )
    assert keep.start_date == datetime.date(2020, 1, 1)  # the factory's: not overwritten
    assert (keep.description, keep.website) == (
        "Described only here.",
        "https://www.coe.int/en/web/cybercrime/glacyplus",
    )
    assert (keep.budget, keep.currency) == (Decimal("18890000"), "EUR")


def test_merge_refreshes_the_membership_tables(pair, curator):
    keep, other, *_ = pair
    other_pk = other.pk
    merge_initiatives(keep=keep, other=other, user=curator)
    served = set(FootprintCountry.objects.filter(initiative=keep).values_list("country_id", flat=True))
    assert {"GH", "SN", "PH", "LK", "NG"} <= served  # Nigeria through ECOWAS, a region of the merged one
    assert TermMembership.objects.filter(initiative=keep, term__slug="digital-forensics").exists()
    assert not FootprintCountry.objects.filter(initiative_id=other_pk).exists()


def test_the_plan_shown_before_merging_is_what_moves(pair, curator):
    keep, other, *_ = pair
    plan = plan_merge(keep=keep, other=other)
    expected = plan.moved()
    assert plan.duplicates() == {"participations": 1, "countries": 1, "topics": 1, "keywords": 1}
    merge = merge_initiatives(keep=keep, other=other, user=curator)
    assert {k: v for k, v in merge.moved.items() if k not in ("fields filled", "pairs found distinct")} == expected


def test_a_participation_the_kept_one_has_is_not_doubled(pair, curator):
    keep, other, *_ = pair
    merge_initiatives(keep=keep, other=other, user=curator)
    assert Participation.objects.filter(initiative=keep, organisation__name="Council of Europe").count() == 1


def test_an_initiative_cannot_be_merged_into_itself(pair, curator):
    keep, *_ = pair
    with pytest.raises(MergeError):
        merge_initiatives(keep=keep, other=keep, user=curator)
    assert Merge.objects.count() == 1  # only the fixture's


def test_merging_an_initiative_already_merged_fails_cleanly(pair, curator):
    keep, other, third, _ = pair
    merge_initiatives(keep=keep, other=other, user=curator)
    with pytest.raises(MergeError, match="no longer exists"):
        merge_initiatives(keep=third, other=other, user=curator)
    assert Initiative.objects.filter(pk=third.pk).exists()


def test_a_published_initiative_is_not_merged_into_an_unpublished_one(curator):
    draft = InitiativeFactory(title="Cyber drills (draft copy)", publication_state="draft")
    public = InitiativeFactory(title="Cyber drills")
    with pytest.raises(MergeError, match="keep the published one"):
        merge_initiatives(keep=draft, other=public, user=curator)
    assert Initiative.objects.filter(pk=public.pk, publication_state="published").exists()
    merge_initiatives(keep=public, other=draft, user=curator)  # the other way round is what a curator wants
    assert not Initiative.objects.filter(pk=draft.pk).exists()
