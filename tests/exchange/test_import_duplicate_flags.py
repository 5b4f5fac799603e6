"""Importing a row that looks like an initiative we have: reported, and left in review for a curator."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from exchange.models import ImportBatch
from initiatives.models import Initiative
from insights.duplicates import candidate_pairs
from taxonomy.models import Country
from tests.factories import InitiativeFactory, OrganisationFactory, ParticipationFactory, SourceFactory
from tests.helpers import import_text

pytestmark = pytest.mark.django_db

HEADER = "Project name,ID,Beneficiary countries,Implementing agency,Themes,Start,End\n"
LOOKALIKE = "GLACY+,MAP-94,Ghana; Senegal; Philippines,Council of Europe,Cybercrime,Mar 2016,2020\n"
UNRELATED = "Cyber hygiene for schools in Chile,MAP-95,Chile,Fundación Escuelas,Awareness,2021,2023\n"


@pytest.fixture
def source():
    return SourceFactory(slug="other-map", name="Other map")


@pytest.fixture
def glacy():
    initiative = InitiativeFactory(
        title="Global Action on Cybercrime Extended",
        slug="glacy-plus",
        countries=list(Country.objects.filter(iso2__in=["GH", "SN", "PH", "LK"])),
        topics=["cybercrime"],
        start_date=datetime.date(2016, 3, 1),
        end_date=datetime.date(2021, 12, 31),
    )
    coe = OrganisationFactory(name="Council of Europe", acronym="CoE")
    ParticipationFactory(initiative=initiative, organisation=coe, role="implementer")
    return initiative


def test_a_row_like_an_initiative_we_have_is_flagged_and_left_in_review(tmp_path, source, glacy):
    output = import_text(tmp_path, HEADER + LOOKALIKE + UNRELATED, "--publish")
    assert (
        "WARNING: row 2: Looks like “Global Action on Cybercrime Extended” (0.90: acronym-equal titles, "
        "same implementer: Council of Europe, same topic: Cybercrime, footprints overlap (3 countries), "
        "dates overlap 2016-2020)" in output
    )
    assert "1 flagged as looking like initiatives we have (kept in review)" in output
    assert "row 3: Looks like" not in output
    flagged = Initiative.objects.get(title="GLACY+")
    assert flagged.publication_state == "review"  # despite --publish
    assert Initiative.objects.get(title="Cyber hygiene for schools in Chile").publication_state == "published"
    # The curator finds the pair among the possible duplicates.
    assert [(p.first, p.second) for p in candidate_pairs()] == [(glacy.pk, flagged.pk)]


def test_without_a_lookalike_nothing_is_flagged(tmp_path, source):
    output = import_text(tmp_path, HEADER + LOOKALIKE + UNRELATED, "--publish")
    assert "Looks like" not in output
    assert set(Initiative.objects.values_list("publication_state", flat=True)) == {"published"}


def test_the_dry_run_reports_the_flag_and_writes_nothing(tmp_path, source, glacy):
    output = import_text(tmp_path, HEADER + LOOKALIKE, "--dry-run")
    assert "row 2: Looks like “Global Action on Cybercrime Extended”" in output
    assert Initiative.objects.count() == 1


def test_another_record_of_the_same_source_is_not_flagged(tmp_path, source):
    # The source lists two phases under one title with two ids: it says itself that they are two records.
    import_text(tmp_path, "Title,ID,Country\nCyber drills for Ghana,A-1,Ghana\n")
    output = import_text(
        tmp_path, "Title,ID,Country\nCyber drills for Ghana,A-1,Ghana\nCyber drills for Ghana,A-2,Ghana\n"
    )
    assert "1 to create" in output and "Looks like" not in output


def test_the_admin_preview_shows_the_flag(curator_client, source, glacy):
    upload = SimpleUploadedFile("map.csv", (HEADER + LOOKALIKE).encode())
    response = curator_client.post("/admin/exchange/importbatch/upload/", {"file": upload, "source": source.pk})
    page = curator_client.get(response["Location"]).content.decode()
    assert "Looks like “Global Action on Cybercrime Extended”" in page
    assert ImportBatch.objects.get().state == "previewed" and Initiative.objects.count() == 1
