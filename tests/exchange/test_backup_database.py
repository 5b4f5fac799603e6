"""manage.py backup_database and restore_database: back up, change, restore, and the counts are the backup's."""

import sqlite3
import subprocess
from contextlib import closing
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db import connection

from exchange import backups
from exchange.backups import backup_database, restore_database
from initiatives.models import FootprintCountry, Initiative, Organisation, Participation, RegionReach, TermMembership
from tests.factories import InitiativeFactory, ParticipationFactory
from tests.helpers import bulk_initiatives

MODELS = (
    Initiative,
    Organisation,
    Participation,
    Initiative.countries.through,
    Initiative.topics.through,
    FootprintCountry,
    RegionReach,
    TermMembership,
    Group,
    get_user_model(),
)


@pytest.fixture(scope="session")
def as_found(django_db_setup, django_db_blocker, tmp_path_factory) -> Path:
    """This worker's test database as the session set it up (reference data, roles), backed up once."""
    path = tmp_path_factory.mktemp("as-found") / "database"
    with django_db_blocker.unblock():
        backup_database(path=path)
    return path


@pytest.fixture
def put_back(as_found, django_db_blocker):
    yield
    with django_db_blocker.unblock():
        restore_database(path=as_found)


@pytest.fixture
def database(put_back, transactional_db):
    """Committed rows, as pg_dump and a restore need (a test transaction hides them from pg_dump and
    SQLite's backup refuses to write into one). transactional_db empties every table afterwards,
    the reference data and roles the other tests expect included; put_back, set up first and so
    torn down last, then restores the session's own backup."""


@pytest.fixture
def published(database):
    initiative = InitiativeFactory(title="Still here after the restore", slug="still-here", countries=["NG"])
    ParticipationFactory(initiative=initiative)
    return initiative


def counts() -> dict[str, int]:
    return {model._meta.db_table: model.objects.count() for model in MODELS}


def backup(path: Path | None = None) -> str:
    out = StringIO()
    call_command("backup_database", *(["--output", str(path)] if path else []), stdout=out)
    return out.getvalue()


def restore(path: Path, *args: str) -> str:
    out = StringIO()
    call_command("restore_database", str(path), *args, stdout=out)
    return out.getvalue()


def test_restore_brings_back_what_was_backed_up(client, published, tmp_path):
    kept = bulk_initiatives(12, "kept")
    get_user_model().objects.create_user("reader", "reader@example.org", "a-long-enough-password")
    backed_up = counts()
    assert backed_up["initiatives_footprintcountry"] > 12 and backed_up["auth_group"] >= 2  # a real data set

    output = backup(tmp_path / "copy")
    assert f"Backed up to {tmp_path / 'copy'}" in output
    assert "It holds 13 initiatives (13 published) and 2 organisations." in output

    Initiative.objects.filter(pk__in=kept[:5]).delete()
    published.delete()
    bulk_initiatives(3, "added")
    get_user_model().objects.filter(username="reader").delete()
    changed = counts()
    assert all(changed[table] != backed_up[table] for table in ("initiatives_initiative", "auth_user"))
    assert client.get("/initiatives/still-here/").status_code == 404

    output = restore(tmp_path / "copy", "--yes")

    assert "The database now holds 13 initiatives (13 published) and 2 organisations." in output
    assert counts() == backed_up
    response = client.get("/initiatives/still-here/")
    assert response.status_code == 200
    assert "Still here after the restore" in response.content.decode()


def test_backup_goes_to_a_timestamped_file_in_var_backups(published, monkeypatch, tmp_path):
    monkeypatch.setattr(backups, "BACKUP_DIR", tmp_path / "backups")

    output = backup()

    (path,) = (tmp_path / "backups").iterdir()
    suffix = {"postgresql": "dump", "sqlite": "sqlite3"}[connection.vendor]
    assert path.name.startswith(f"ccb-{connection.vendor}-20") and path.suffix == f".{suffix}"
    assert f"Backed up to {path}" in output


def test_backup_refuses_to_overwrite_a_file(published, tmp_path):
    path = tmp_path / "precious"
    path.write_bytes(b"an older backup")

    with pytest.raises(CommandError, match="already exists"):
        backup(path)

    assert path.read_bytes() == b"an older backup"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump is for PostgreSQL")
def test_pg_dump_gets_the_password_in_its_environment_not_on_its_command_line(monkeypatch, tmp_path):
    monkeypatch.setitem(connection.settings_dict, "PASSWORD", "s3cret-pass")
    runs = []

    def run(command, **kwargs):
        runs.append((command, kwargs["env"]))
        return subprocess.CompletedProcess(command, 0, b"", b"")

    monkeypatch.setattr(backups.subprocess, "run", run)

    backup_database(path=tmp_path / "copy")

    ((command, env),) = runs
    assert command[0].endswith("pg_dump") and f"--dbname={connection.settings_dict['NAME']}" in command
    assert "s3cret-pass" not in " ".join(command)
    assert env["PGPASSWORD"] == "s3cret-pass"


def other_engines_file(path: Path) -> None:
    other = {"postgresql": "sqlite", "sqlite": "postgresql"}[connection.vendor]
    path.write_bytes(backups.MAGIC[other] + b"\x00" * 2048)


def truncated_backup(path: Path) -> None:
    backup_database(path=path)
    data = path.read_bytes()
    path.write_bytes(data[:-64])


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda path: None, "Cannot read"),
        (lambda path: path.write_bytes(b""), "is empty"),
        (lambda path: path.write_bytes(b"name,title\nfoo,Foo\n"), "is not a"),
        (other_engines_file, "backup; this database is"),
        (truncated_backup, "rolled back: the database is as it was|is damaged"),
    ],
    ids=["missing", "empty", "not-a-backup", "other-engine", "truncated"],
)
def test_a_bad_backup_changes_nothing(client, published, tmp_path, make, message):
    path = tmp_path / "backup"
    make(path)
    published.title = "Changed since the backup"
    published.save()
    InitiativeFactory()  # so that a restore of the (truncated) backup would show in the counts
    before = counts()

    with pytest.raises(CommandError, match=message):
        restore(path, "--yes")

    assert counts() == before
    assert "Changed since the backup" in client.get("/initiatives/still-here/").content.decode()


def test_a_backup_of_another_database_is_refused(published, tmp_path, monkeypatch):
    path = tmp_path / "other"
    if connection.vendor == "sqlite":
        with closing(sqlite3.connect(path)) as other:
            other.execute("CREATE TABLE django_migrations (id integer)")
            other.commit()
    else:
        monkeypatch.setitem(connection.settings_dict, "NAME", "postgres")  # the server's own, empty database
        backup_database(path=path)
        monkeypatch.undo()
    before = counts()

    with pytest.raises(CommandError, match="not a backup of this portal"):
        restore(path, "--yes")

    assert counts() == before


def test_restore_without_yes_refuses_when_nobody_can_answer(published, tmp_path):
    backup_database(path=tmp_path / "copy")
    published.delete()
    before = counts()

    with pytest.raises(CommandError, match="add --yes"):
        restore(tmp_path / "copy")

    assert counts() == before


class Terminal(StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("answer, restored", [("y\n", True), ("\n", False), ("no\n", False)])
def test_restore_asks_at_a_terminal(published, tmp_path, monkeypatch, answer, restored):
    backup_database(path=tmp_path / "copy")
    published.delete()
    monkeypatch.setattr("sys.stdin", Terminal(answer))

    if restored:
        restore(tmp_path / "copy")
    else:
        with pytest.raises(CommandError, match="Nothing was restored"):
            restore(tmp_path / "copy")

    assert Initiative.objects.filter(slug="still-here").exists() == restored
