"""A Redis that does not answer slows the site down but never breaks it (ccb_portal.cache)."""

import logging
import socket

import pytest
import redis.connection
from django.test import Client

from ccb_portal.cache import PAUSE_SECONDS, ForgivingRedisCache
from exchange.models import Suggestion
from tests.factories import InitiativeFactory
from tests.helpers import suggestion_data

pytestmark = [pytest.mark.django_db, pytest.mark.page_cache]


@pytest.fixture
def redis_down(settings):
    with socket.socket() as sock:  # a port where nothing listens
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.CACHES = {
        "default": {
            "BACKEND": "ccb_portal.cache.ForgivingRedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    ForgivingRedisCache._last_logged = ForgivingRedisCache._paused_until = 0.0
    yield
    ForgivingRedisCache._last_logged = ForgivingRedisCache._paused_until = 0.0


def test_pages_are_rendered_without_the_cache(redis_down, caplog):
    InitiativeFactory(title="Shown without a cache", topics=["cybercrime"])
    visitor = Client()
    with caplog.at_level(logging.WARNING, logger="ccb_portal.cache"):
        for _ in range(3):
            response = visitor.get("/initiatives/?topic=cybercrime")
            assert response.status_code == 200
            assert response["X-Cache"] == "miss"
            assert "Shown without a cache" in response.content.decode()
    assert len([record for record in caplog.records if record.name == "ccb_portal.cache"]) == 1


def test_a_suggestion_is_still_accepted(redis_down):
    response = Client().post("/suggest/", suggestion_data())
    assert response.status_code == 303
    assert Suggestion.objects.get().title == suggestion_data()["title"]


def test_after_a_failure_redis_is_left_alone_for_a_few_seconds(redis_down, monkeypatch):
    """A hung Redis would cost each of a page's score of cache calls its timeout."""
    attempts = []
    connect = redis.connection.AbstractConnection.connect

    def counted(self):
        attempts.append(self)
        return connect(self)

    monkeypatch.setattr(redis.connection.AbstractConnection, "connect", counted)
    visitor = Client()
    for _ in range(3):
        assert visitor.get("/initiatives/?topic=cybercrime").status_code == 200
    assert len(attempts) == 1
    ForgivingRedisCache._paused_until -= PAUSE_SECONDS  # a few seconds later
    visitor.get("/initiatives/?topic=cybercrime")
    assert len(attempts) == 2
