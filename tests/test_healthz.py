"""/healthz as a load balancer sees it: a real gunicorn (gunicorn.conf.py) in front of a database in each state.

Each test starts the production server on a free port against an SQLite file of its own (or a
PostgreSQL address where nothing listens), puts the database in one state, and asks. The
answer must come within the health check's one-second deadline plus the trip, whatever the
state; pages must answer 503 with Retry-After whenever the check does, never 500.
"""

import os
import secrets
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

REPO_ROOT = Path(settings.BASE_DIR)
# The deadline is 0.9 s; this leaves room for the trip on a busy machine, and none for the five
# seconds an SQLite writer's lock used to hold the answer.
ANSWER_WITHIN = 3.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ask(url: str) -> tuple[int, dict[str, str], str, float]:
    started = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            status, headers, body = response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        status, headers, body = error.code, dict(error.headers), error.read()
    return status, headers, body.decode(), time.monotonic() - started


class Server:
    def __init__(self, database_url: str, tmp: Path, static_root: Path) -> None:
        self.port = free_port()
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(48)[:50],
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_HTTPS": "0",
            "DJANGO_STATIC_ROOT": str(static_root),
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
            "WEB_CONCURRENCY": "1",
            "GUNICORN_THREADS": "4",
            "GUNICORN_ACCESS_LOG": "",
        }
        self.env.pop("DJANGO_REDIS_URL", None)
        self.log = tmp / "gunicorn.log"

    def manage(self, *args: str) -> None:
        subprocess.run(
            [sys.executable, "manage.py", *args], cwd=REPO_ROOT, env=self.env, check=True, capture_output=True
        )

    def __enter__(self) -> "Server":
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "ccb_portal.wsgi"],
                cwd=REPO_ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                time.sleep(0.1)
        raise AssertionError(f"gunicorn did not listen within 30 s:\n{self.log.read_text()}")

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def get(self, path: str) -> tuple[int, dict[str, str], str, float]:
        return ask(f"http://127.0.0.1:{self.port}{path}")

    def health(self) -> tuple[int, str]:
        status, headers, body, took = self.get("/healthz")
        assert took < ANSWER_WITHIN, f"/healthz took {took:.1f} s"
        if status == 503:
            assert headers["Retry-After"]
        return status, body

    def assert_pages_answer_503(self) -> None:
        for path in ("/initiatives/?region=africa", "/api/v1/initiatives/"):
            status, headers, body, _took = self.get(path)
            assert status == 503, (path, status, body[:300])
            assert headers["Retry-After"] == "30"
            assert "Server Error (500)" not in body and "Traceback" not in body
            if path.startswith("/initiatives/"):
                assert "<h1>Briefly unavailable</h1>" in body
        assert "Server Error (500)" not in self.log.read_text()


# One worker runs them all (see the Makefile's --dist loadgroup), so the files below are made once.
pytestmark = pytest.mark.xdist_group("healthz")


@pytest.fixture(scope="module")
def static_root(tmp_path_factory) -> Path:
    """The collected static files, as `make serve` makes them (pages name them by their hashed names)."""
    path = tmp_path_factory.mktemp("static")
    Server("sqlite:///unused", path, path).manage("collectstatic", "--noinput")
    return path


@pytest.fixture(scope="module")
def migrated(tmp_path_factory, static_root) -> Path:
    """An SQLite file with every migration applied, and nothing published: copied by the tests that need it."""
    path = tmp_path_factory.mktemp("migrated") / "db.sqlite3"
    Server(f"sqlite:///{path}", path.parent, static_root).manage("migrate", "--noinput")
    return path


@pytest.fixture(scope="module")
def with_demo(migrated: Path, static_root) -> Path:
    path = migrated.parent / "demo.sqlite3"
    shutil.copy(migrated, path)
    Server(f"sqlite:///{path}", path.parent, static_root).manage("load_demo")
    return path


def copy_of(source: Path, tmp_path: Path) -> Path:
    target = tmp_path / "db.sqlite3"
    shutil.copy(source, target)
    return target


def test_it_answers_200_when_ready_and_503_within_the_deadline_while_a_writer_locks_it(
    with_demo, tmp_path, static_root
):
    path = copy_of(with_demo, tmp_path)
    with Server(f"sqlite:///{path}", tmp_path, static_root) as server:
        assert server.health() == (200, '{"status": "ok", "database": "ok"}')
        assert "no-cache" in server.get("/healthz")[1]["Cache-Control"]
        assert server.get("/initiatives/?region=africa")[0] == 200
        writer = sqlite3.connect(path, isolation_level=None)
        writer.execute("BEGIN EXCLUSIVE")
        try:
            assert server.health() == (503, '{"status": "error", "database": "locked"}')
        finally:
            writer.execute("ROLLBACK")
            writer.close()
        assert server.health()[0] == 200


def test_it_answers_503_for_a_missing_sqlite_file_and_recovers_when_the_file_is_back(with_demo, tmp_path, static_root):
    missing = tmp_path / "nowhere.sqlite3"
    with Server(f"sqlite:///{missing}", tmp_path, static_root) as server:
        assert server.health() == (503, '{"status": "error", "database": "missing"}')
        assert not missing.exists()
        server.assert_pages_answer_503()
        assert missing.exists(), "SQLite made an empty file when a page opened it"
        assert server.health() == (503, '{"status": "error", "database": "unmigrated"}')

        shutil.copy(with_demo, missing.with_suffix(".new"))
        missing.with_suffix(".new").replace(missing)  # the real database is put back
        assert server.health()[0] == 200
        # Every thread, including those whose connection opened the empty file, now reads the real one.
        assert {server.get("/initiatives/?region=africa")[0] for _ in range(12)} == {200}


def test_it_answers_503_for_a_database_with_nothing_published(migrated, tmp_path, static_root):
    with Server(f"sqlite:///{copy_of(migrated, tmp_path)}", tmp_path, static_root) as server:
        assert server.health() == (503, '{"status": "error", "database": "empty"}')


def test_it_answers_503_when_the_database_server_is_unreachable(tmp_path, static_root):
    nobody = f"postgres://ccb@127.0.0.1:{free_port()}/ccb_portal"
    with Server(nobody, tmp_path, static_root) as server:
        assert server.health() == (503, '{"status": "error", "database": "unreachable"}')
        server.assert_pages_answer_503()
