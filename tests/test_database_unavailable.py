"""A database that fails during a request: a short 503 page with Retry-After, never a bare 500, logged once."""

import logging

import pytest
from django.db import OperationalError, connection
from django.test import Client

from ccb_portal.errors import outage_log
from taxonomy.models import Country
from tests.factories import InitiativeFactory, ParticipationFactory
from tests.helpers import admin_form_data, member_of

pytestmark = [pytest.mark.django_db, pytest.mark.page_cache]


@pytest.fixture
def visitor():
    # The answer a visitor gets, not the exception the test client would re-raise.
    return Client(raise_request_exception=False)


@pytest.fixture(autouse=True)
def quiet_outage_log():
    outage_log.last_logged, outage_log.unlogged = 0.0, 0
    yield
    outage_log.last_logged, outage_log.unlogged = 0.0, 0


@pytest.fixture
def database_down(monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')

    def stop():
        monkeypatch.setattr(connection, "cursor", refuse)

    return stop


def assert_branded_503(response, retry_after: str = "30") -> str:
    assert response.status_code == 503
    assert response["Retry-After"] == retry_after
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    assert "Server Error (500)" not in page
    assert "Traceback" not in page
    return page


def test_a_page_answers_503_with_our_page(visitor, database_down):
    database_down()
    page = assert_branded_503(visitor.get("/initiatives/?topic=cybercrime"))
    assert "<h1>Briefly unavailable</h1>" in page
    assert 'href="/initiatives/?topic=cybercrime"' in page  # try again
    assert "Connection refused" not in page


def test_the_page_is_in_the_visitors_language(visitor, database_down):
    database_down()
    page = assert_branded_503(visitor.get("/regions/africa/", HTTP_ACCEPT_LANGUAGE="fr"))
    assert '<html lang="fr">' in page
    assert "Briefly unavailable" not in page


def test_the_api_answers_503_in_json(visitor, database_down):
    database_down()
    response = visitor.get("/api/v1/initiatives/?country=NG")
    assert_branded_503(response)
    assert response["Content-Type"] == "application/json"
    assert response.json()["retry_after"] == 30


def test_the_retry_after_is_configurable(visitor, database_down, settings):
    settings.DATABASE_RETRY_AFTER_SECONDS = 120
    database_down()
    assert_branded_503(visitor.get("/initiatives/"), retry_after="120")


def test_a_page_already_cached_is_still_served(visitor, database_down):
    InitiativeFactory(title="Kept in the cache")
    assert visitor.get("/initiatives/")["X-Cache"] == "miss"
    database_down()
    response = visitor.get("/initiatives/")
    assert response.status_code == 200
    assert response["X-Cache"] == "stale"
    assert "Kept in the cache" in response.content.decode()
    assert_branded_503(visitor.get("/initiatives/?page=2"))


def test_a_view_failing_halfway_answers_503_even_with_debug_on(visitor, monkeypatch, settings):
    settings.DEBUG = True

    def fail(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr("initiatives.views.browse", fail)
    assert_branded_503(visitor.get("/initiatives/"))


def test_a_curator_whose_session_cannot_be_read_gets_the_503_page(monkeypatch):
    curator = Client(raise_request_exception=False)
    curator.force_login(member_of("Curator", "carla"))

    def fail(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr("django.contrib.sessions.backends.db.SessionStore.load", fail)
    page = assert_branded_503(curator.get("/admin/"))
    assert "<h1>Briefly unavailable</h1>" in page


def test_a_save_that_fails_says_to_check_whether_it_was_recorded(monkeypatch):
    curator = Client(raise_request_exception=False)
    curator.force_login(member_of("Editor", "edith"))
    initiative = InitiativeFactory(countries=[Country.objects.get(iso2="GH")], topics=["cybercrime"])
    ParticipationFactory(initiative=initiative)

    def fail(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    url = f"/admin/initiatives/initiative/{initiative.pk}/change/"
    data = admin_form_data(curator.get(url))
    monkeypatch.setattr("initiatives.admin.InitiativeAdmin.save_model", fail)
    page = assert_branded_503(curator.post(url, data))
    assert "saved whole or not at all" in page


def test_other_errors_get_our_500_page_and_not_a_503(visitor, monkeypatch):
    def fail(*args, **kwargs):
        raise ValueError("a bug")

    monkeypatch.setattr("initiatives.views.browse", fail)
    response = visitor.get("/initiatives/")
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()
    assert "Retry-After" not in response


def test_an_outage_is_logged_once_with_its_traceback(visitor, database_down, caplog):
    database_down()
    with caplog.at_level(logging.INFO):
        for _ in range(5):
            assert visitor.get("/initiatives/").status_code == 503
    errors = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert len(errors) == 1, [record.getMessage() for record in errors]
    assert errors[0].name == "ccb_portal.database"
    assert errors[0].exc_info is not None
    assert outage_log.unlogged == 4


def test_a_long_outage_is_summed_up_once_a_minute(visitor, database_down, caplog):
    database_down()
    visitor.get("/initiatives/")
    visitor.get("/initiatives/")
    outage_log.last_logged -= 61  # a minute later
    caplog.clear()
    with caplog.at_level(logging.ERROR):
        visitor.get("/initiatives/")
    assert [record.getMessage().split(":")[0] for record in caplog.records] == ["Database still unavailable"]
    assert "2 more requests" in caplog.records[0].getMessage()
