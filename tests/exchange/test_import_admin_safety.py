"""The admin upload form and the alias-learning step."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from exchange.models import ImportBatch
from taxonomy.models import CountryAlias
from tests.factories import SourceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def source():
    return SourceFactory(slug="sahel-map", name="Sahel map")


def upload(client, source, content: str, **options):
    data = {"file": SimpleUploadedFile("sahel.csv", content.encode()), "source": source.pk, **options}
    return client.post("/admin/exchange/importbatch/upload/", data)


def test_the_column_map_field_does_not_read_files_on_the_server(curator_client, source, tmp_path):
    secret = tmp_path / "settings.env"
    secret.write_text("SECRET_KEY=do-not-show-me-123\nDATABASE_URL=postgres://u:hunter2@db/x\n")
    response = upload(curator_client, source, "Title,Countries\nOnce,Kenya\n", columns=str(secret))
    page = response.content.decode()
    assert "do-not-show-me-123" not in page and "hunter2" not in page


def test_a_column_map_naming_an_unreadable_path_is_a_form_error_not_a_500(curator_client, source, tmp_path):
    binary = tmp_path / "blob"
    binary.write_bytes(b"\xff\xfe\x00\x81binary")
    response = upload(curator_client, source, "Title,Countries\nOnce,Kenya\n", columns=str(binary))
    assert response.status_code == 200


def test_teaching_two_spellings_that_differ_in_case_is_not_a_500(curator_client, source):
    response = upload(curator_client, source, "Title,Countries\nOne,Nigria\nTwo,NIGRIA\n")
    preview = response["Location"]
    page = curator_client.get(preview).content.decode()
    assert 'name="alias-0"' in page and 'name="alias-1"' in page  # the two spellings are offered separately
    words = {"word-0": "Nigria", "kind-0": "countries", "word-1": "NIGRIA", "kind-1": "countries"}
    response = curator_client.post(preview, {"learn": "1", "alias-0": "country:NG", "alias-1": "country:NG", **words})
    assert response.status_code == 302
    assert CountryAlias.objects.filter(name__iexact="nigria", country="NG").count() == 1


def test_a_resubmitted_learn_form_does_not_teach_a_word_as_another(curator_client, source):
    response = upload(curator_client, source, "Title,Countries\nOne,Nigria\nTwo,Gahna\n")
    preview = response["Location"]
    choices = {  # only "Nigria" is taught; each choice carries its word, as the form's hidden fields do
        "learn": "1",
        **{"alias-0": "country:NG", "word-0": "Nigria", "kind-0": "countries"},
        **{"alias-1": "", "word-1": "Gahna", "kind-1": "countries"},
    }
    curator_client.post(preview, choices)
    curator_client.post(preview, choices)  # a double click, a second tab, or the back button
    assert not CountryAlias.objects.filter(name="Gahna").exists()
    assert ImportBatch.objects.get().state == "previewed"
