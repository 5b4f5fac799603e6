"""Django's Redis cache backend, made to forgive a Redis that does not answer.

Everything in the cache can be recomputed (pages, counts, the suggestion throttle's counters), so
a Redis that is down, restarting or full of clients must slow the site down, not break it: a
read answers "not cached", a write is dropped, and the failure is logged at most once a minute.
Django's backend raises instead (django-redis has an option for this; Django's own does not).
"""

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger("ccb_portal.cache")
LOG_EVERY_SECONDS = 60


# After a failure, Redis is left alone this long: a hung one would otherwise cost every call its
# timeout, a score of times a page.
PAUSE_SECONDS = 5


class CacheSkipped(RedisError):
    """Not asked: Redis failed moments ago."""


class ForgivingRedisCache(RedisCache):
    _last_logged = 0.0
    _paused_until = 0.0

    def _failed(self, operation: str, error: RedisError) -> None:
        now = time.monotonic()
        if isinstance(error, CacheSkipped):
            return
        ForgivingRedisCache._paused_until = now + PAUSE_SECONDS
        if now - ForgivingRedisCache._last_logged >= LOG_EVERY_SECONDS:
            ForgivingRedisCache._last_logged = now
            logger.warning(
                "Cache unavailable (%s: %s): serving without it, asking again every %s s",
                operation,
                error,
                PAUSE_SECONDS,
            )

    @property
    def _cache(self):
        """RedisCache's client (made once, as its cached property does), unless Redis failed moments ago."""
        if time.monotonic() < ForgivingRedisCache._paused_until:
            raise CacheSkipped("Redis failed moments ago")
        client = self.__dict__.get("_client")
        if client is None:
            client = self.__dict__["_client"] = self._class(self._servers, **self._options)
        return client

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except RedisError as error:
            self._failed("get", error)
            return default

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except RedisError as error:
            self._failed("get_many", error)
            return {}

    def has_key(self, key, version=None):
        try:
            return super().has_key(key, version)
        except RedisError as error:
            self._failed("has_key", error)
            return False

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            super().set(key, value, timeout, version)
        except RedisError as error:
            self._failed("set", error)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().add(key, value, timeout, version)
        except RedisError as error:
            self._failed("add", error)
            return False

    def incr(self, key, delta=1, version=None):
        try:
            return super().incr(key, delta, version)
        except RedisError as error:
            self._failed("incr", error)
            raise ValueError(f"Key {key!r} not found: the cache is unavailable") from error

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except RedisError as error:
            self._failed("delete", error)
            return False

    def clear(self):
        try:
            return super().clear()
        except RedisError as error:
            self._failed("clear", error)
            return False
