"""/healthz: may a load balancer send visitors here? Answered within a second.

200 only when the database answers, takes a write lock, has every migration applied and
holds published initiatives; else 503 naming the first problem: `missing` (an SQLite file
that is not there: SQLite would create an empty one), `unreachable`, `locked` (a writer holds
the database beyond the wait), `unmigrated`, `empty`, or `timeout` (no answer within the second).

The probe runs in a thread of its own on a connection of its own, closed after each probe,
so that it tests what a new request would meet, and a hung database cannot hold the answer
past the deadline: the answer is then 503 `timeout` while the probe finishes on its own.
"""

import os
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as ProbeTimeout
from functools import lru_cache

from django.db import DatabaseError, connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

DEADLINE_SECONDS = 0.9
LOCK_WAIT_MS = 300  # how long the probe waits for a lock before calling the database locked

# One probe at a time: while one hangs, the next requests wait on that same probe (their own
# deadline out, then 503) rather than queueing more behind it.
_probes = ThreadPoolExecutor(max_workers=1, thread_name_prefix="healthz")
_running: Future | None = None
_running_lock = threading.Lock()


def _current_probe() -> Future:
    global _running
    with _running_lock:
        if _running is None or _running.done():
            _running = _probes.submit(_probe)
        return _running


@lru_cache(maxsize=1)
def expected_migrations() -> frozenset[tuple[str, str]]:
    """The newest migration of each app, read from the code once."""
    return frozenset(MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes())


def _sqlite_file_missing(database) -> bool:
    name = str(database.settings_dict["NAME"])
    in_memory = database.is_in_memory_db() or name.startswith("file:")
    return not in_memory and not os.path.exists(name)


def _check(database) -> str | None:
    """The first problem of the database, or None."""
    if database.vendor == "sqlite" and _sqlite_file_missing(database):
        return "missing"
    try:
        database.ensure_connection()
    except DatabaseError:
        return "unreachable"
    with database.cursor() as cursor:
        try:
            if database.vendor == "sqlite":
                cursor.execute(f"PRAGMA busy_timeout = {LOCK_WAIT_MS}")
                # A writer holding the database would make every save wait, then fail.
                cursor.execute("BEGIN IMMEDIATE")
                cursor.execute("ROLLBACK")
            elif database.vendor == "postgresql":
                cursor.execute("SET lock_timeout = %s", [f"{LOCK_WAIT_MS}ms"])
                cursor.execute("SET statement_timeout = %s", [f"{int(DEADLINE_SECONDS * 1000)}ms"])
        except DatabaseError:
            return "locked"
    applied = set(MigrationRecorder(database).applied_migrations())
    if not expected_migrations() <= applied:
        return "unmigrated"
    with database.cursor() as cursor:
        try:
            # Read as a page would (the manager is not needed: this is the published state's value).
            cursor.execute("SELECT 1 FROM initiatives_initiative WHERE publication_state = 'published' LIMIT 1")
            published = cursor.fetchone() is not None
        except DatabaseError as error:
            return "locked" if "lock" in str(error).lower() else "unreachable"
    return None if published else "empty"


def _probe() -> str | None:
    database = connections["default"]
    try:
        return _check(database)
    except DatabaseError:
        return "unreachable"
    finally:
        database.close()


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        problem = _current_probe().result(timeout=DEADLINE_SECONDS)
    except ProbeTimeout:
        problem = "timeout"
    if problem:
        response = JsonResponse({"status": "error", "database": problem}, status=503)
        response["Retry-After"] = "5"
        response._has_been_logged = True  # a load balancer asks every few seconds: its own log says it
        return response
    return JsonResponse({"status": "ok", "database": "ok"})
