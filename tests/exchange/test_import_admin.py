"""Importing in the admin: upload, preview with unplaced words, teach aliases, confirm."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from exchange.models import ImportBatch, ImportedRow
from initiatives.models import Initiative
from taxonomy.models import Region, RegionAlias, Term, TermAlias
from tests.factories import SourceFactory

pytestmark = pytest.mark.django_db

FILE = (
    "Project name,Beneficiary countries,Themes\n"
    "Sahel cyber drills,Mali; Sahel belt,Cybercrime\n"
    "Coastal CERT support,Ghana,Cyber hygiene for e-government\n"
)


@pytest.fixture
def source():
    return SourceFactory(slug="sahel-map", name="Sahel map")


def upload(client, source, content: str = FILE, **options):
    data = {"file": SimpleUploadedFile("sahel.csv", content.encode()), "source": source.pk, **options}
    return client.post("/admin/exchange/importbatch/upload/", data)


def test_uploading_shows_a_preview_and_writes_nothing(curator_client, source):
    response = upload(curator_client, source)
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/admin/exchange/importbatch/{batch.pk}/preview/"
    page = curator_client.get(response["Location"]).content.decode()
    assert "Sahel belt" in page and "Cyber hygiene for e-government" in page
    assert "All or nothing" in page
    assert 'name="apply"' not in page  # rejected rows and no skip: nothing to confirm yet
    assert Initiative.objects.count() == 0 and batch.state == "previewed"


def test_a_mapped_word_is_remembered_as_an_alias_and_the_import_goes_through(curator_client, source):
    response = upload(curator_client, source)
    preview = response["Location"]
    page = curator_client.get(preview).content.decode()
    # The unplaced words, in the order they were found, each with a select of what it may mean.
    assert page.index("Sahel belt") < page.index("Cyber hygiene for e-government")
    assert 'name="alias-0"' in page and 'name="alias-1"' in page
    assert 'name="word-0" value="Sahel belt"' in page
    western_africa = Region.objects.get(slug="western-africa")
    awareness = Term.objects.get(vocabulary__slug="topic", slug="awareness")
    curator_client.post(
        preview,
        {
            "learn": "1",
            **{"word-0": "Sahel belt", "kind-0": "countries", "alias-0": f"region:{western_africa.pk}"},
            **{"word-1": "Cyber hygiene for e-government", "kind-1": "topics", "alias-1": f"term:{awareness.pk}"},
        },
    )
    alias = RegionAlias.objects.get(name="Sahel belt")
    assert (alias.region, alias.scheme) == (western_africa, "Sahel map")
    assert TermAlias.objects.filter(name="Cyber hygiene for e-government", term__slug="awareness").exists()

    page = curator_client.get(preview).content.decode()
    assert 'name="apply"' in page
    response = curator_client.post(preview, {"apply": "1"})
    assert response.status_code == 302
    drills = Initiative.objects.get(title="Sahel cyber drills")
    assert drills.regions.get() == western_africa
    assert drills.publication_state == "review"
    batch = ImportBatch.objects.get()
    assert batch.state == "applied" and batch.created_by.username == "curator"
    assert ImportedRow.objects.filter(batch=batch).count() == 2


def test_skip_invalid_lets_the_valid_rows_through_from_the_preview(curator_client, source):
    response = upload(curator_client, source, skip_invalid="on")
    curator_client.post(response["Location"], {"apply": "1"})
    assert Initiative.objects.count() == 0  # both rows have an unknown word
    content = FILE + "Plain row,Kenya,Cybercrime\n"
    response = upload(curator_client, source, content=content, skip_invalid="on")
    curator_client.post(response["Location"], {"apply": "1"})
    assert list(Initiative.objects.values_list("title", flat=True)) == ["Plain row"]


def test_applying_twice_writes_once(curator_client, source):
    response = upload(curator_client, source, content="Title,Countries\nOnce,Kenya\n")
    curator_client.post(response["Location"], {"apply": "1"})
    curator_client.post(response["Location"], {"apply": "1"})
    assert Initiative.objects.count() == 1


def test_an_unreadable_file_is_refused_on_the_form(curator_client, source):
    response = upload(curator_client, source, content="")
    assert response.status_code == 200
    assert "The submitted file is empty." in response.content.decode()
    assert ImportBatch.objects.count() == 0


def test_discarding_writes_nothing(curator_client, source):
    response = upload(curator_client, source, content="Title,Countries\nDiscarded,Kenya\n")
    curator_client.post(response["Location"], {"discard": "1"})
    assert Initiative.objects.count() == 0
    assert ImportBatch.objects.get().state == "rejected"


def test_visitors_cannot_upload(client, source):
    response = upload(client, source)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert ImportBatch.objects.count() == 0


def test_an_applied_import_cannot_be_deleted_but_its_rows_can_be_read(curator_client, source):
    response = upload(curator_client, source, content="Title,Countries\nKept,Kenya\n")
    curator_client.post(response["Location"], {"apply": "1"})
    batch = ImportBatch.objects.get()
    page = curator_client.get(f"/admin/exchange/importbatch/{batch.pk}/change/").content.decode()
    assert "Kept" in page and "created" in page.lower()
    assert curator_client.get(f"/admin/exchange/importbatch/{batch.pk}/delete/").status_code == 403
