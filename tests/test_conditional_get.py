import pytest

from tests.factories import InitiativeFactory

pytestmark = [pytest.mark.django_db, pytest.mark.page_cache]

PAGES = ["/", "/initiatives/", "/initiatives/?topic=cybercrime", "/regions/", "/regions/africa/", "/sources/"]


@pytest.mark.parametrize("url", PAGES)
def test_public_pages_answer_304_when_nothing_changed(client, url):
    InitiativeFactory(topics=["cybercrime"])
    first = client.get(url)
    assert first.status_code == 200
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again.content == b""


def test_a_change_to_the_data_changes_the_etag(client):
    initiative = InitiativeFactory(title="Before")
    first = client.get("/initiatives/")
    initiative.title = "After"
    initiative.save()
    again = client.get("/initiatives/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200
    assert "After" in again.content.decode()


def test_pages_in_two_languages_have_different_etags(client):
    english = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    french = client.get("/", HTTP_ACCEPT_LANGUAGE="fr")
    assert english["ETag"] != french["ETag"]
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="fr", HTTP_IF_NONE_MATCH=english["ETag"]).status_code == 200
