"""Whole-database backups: pg_dump/pg_restore on PostgreSQL, the online backup API on SQLite.

A backup is a copy of everything (drafts, history, accounts), in the database's own format; the
CSV export and the JSON API are the format-independent copy of the published data. A restore
either replaces the whole database with the backup or, when anything is wrong, changes nothing.
"""

import datetime
import os
import re
import shutil
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, connections

from initiatives.membership import new_revision
from initiatives.models import Initiative, Organisation

BACKUP_DIR = Path(settings.BASE_DIR) / "var" / "backups"
SUFFIX = {"postgresql": "dump", "sqlite": "sqlite3"}
MAGIC = {"postgresql": b"PGDMP", "sqlite": b"SQLite format 3\x00"}
NAME = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}
# Tables only this portal's database has: a backup without them is of something else.
REQUIRED_TABLES = ("django_migrations", "initiatives_initiative")


class BackupError(Exception):
    """The backup cannot be made or restored; the message says why, and nothing was changed."""


def backup_database(*, path: Path | None = None) -> Path:
    """Copy the default database into `path` (a new file) or a timestamped file in var/backups/."""
    vendor = _vendor()
    if path is None:
        stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
        BACKUP_DIR.mkdir(parents=True, exist_ok=True)
        path = BACKUP_DIR / f"ccb-{vendor}-{stamp}.{SUFFIX[vendor]}"
    try:
        # Exclusive creation: an existing file, maybe the only good backup, is never overwritten.
        output = path.open("xb")
    except FileExistsError:
        raise BackupError(f"{path} already exists; choose another file name.") from None
    except OSError as error:
        raise BackupError(f"Cannot write {path}: {error.strerror}.") from None
    try:
        if vendor == "postgresql":
            with output:
                _run("pg_dump", "--format=custom", "--no-owner", "--no-privileges", stdout=output)
        else:
            output.close()  # SQLite writes the file itself, into the empty one we own
            # From Django's own connection, so that an in-memory (test) database can be copied too.
            connection.ensure_connection()
            target = sqlite3.connect(path)
            try:
                connection.connection.backup(target)
            finally:
                target.close()
    except BaseException:
        path.unlink(missing_ok=True)  # no half-written file that looks like a backup
        raise
    return path


def restore_database(*, path: Path) -> None:
    """Replace the whole default database with the backup at `path`, or raise BackupError and change nothing."""
    vendor = _vendor()
    if connection.in_atomic_block:
        raise BackupError("Cannot restore inside a transaction.")
    _check_kind(path, vendor)
    if vendor == "postgresql":
        try:
            listing = _run("pg_restore", "--list", str(path), connect=False)
        except BackupError as error:
            raise BackupError(f"{path} is damaged or not a backup. {error}") from None
        _check_tables(path, re.findall(r"^\d+; \d+ \d+ TABLE \S+ (\S+)", listing, re.MULTILINE))
        # pg_restore drops and recreates every table: our own sessions must not hold locks on them.
        connections.close_all()
        # One transaction that stops at the first error: a failed restore leaves the database as it was.
        try:
            _run(
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                str(path),
            )
        except BackupError as error:
            raise BackupError(f"{error}\nThe restore was rolled back: the database is as it was.") from None
    else:
        with closing(_open_read_only(path)) as backup:
            connection.ensure_connection()
            # One page copy under an exclusive lock on the live database, rolled back if it fails.
            backup.backup(connection.connection)
    # Row ids may differ from those this process has cached (content types are cached for good).
    ContentType.objects.clear_cache()
    # Counts are cached under the data revision token; the restored token may name counts cached
    # before the restore for other data. A new one makes every process recount.
    new_revision()


def database_counts() -> dict[str, int]:
    """What a backup holds, in a line an operator can compare before and after."""
    return {
        "initiatives": Initiative.objects.count(),
        "published": Initiative.objects.published().count(),
        "organisations": Organisation.objects.count(),
    }


def _vendor() -> str:
    if connection.vendor not in SUFFIX:
        raise BackupError(f"Backups are made for PostgreSQL and SQLite, not {connection.vendor}.")
    return connection.vendor


def _check_kind(path: Path, vendor: str) -> None:
    """Refuse a missing or empty file, and a backup of the other kind of database, by its first bytes."""
    try:
        with path.open("rb") as file:
            head = file.read(16)
    except OSError as error:
        raise BackupError(f"Cannot read {path}: {error.strerror}.") from None
    if not head:
        raise BackupError(f"{path} is empty: not a backup.")
    if head.startswith(MAGIC[vendor]):
        return
    for other, magic in MAGIC.items():
        if head.startswith(magic):
            raise BackupError(f"{path} is a {NAME[other]} backup; this database is {NAME[vendor]}.")
    raise BackupError(f"{path} is not a {NAME[vendor]} backup made by backup_database.")


def _check_tables(path: Path, tables: list[str]) -> None:
    missing = [table for table in REQUIRED_TABLES if table not in tables]
    if missing:
        raise BackupError(f"{path} is not a backup of this portal (no {', '.join(missing)} table).")


def _open_read_only(path: Path) -> sqlite3.Connection:
    backup = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        # SQLite reads missing pages at the end of a file as zeros, and a check may pass over them:
        # compare the size with the header's page count first.
        pages = backup.execute("PRAGMA page_count").fetchone()[0] * backup.execute("PRAGMA page_size").fetchone()[0]
        if path.stat().st_size != pages:
            raise BackupError(f"{path} is damaged: {path.stat().st_size} bytes where its header says {pages}.")
        # Then every page and index, so that a damaged copy is refused before anything is touched.
        problems = [row[0] for row in backup.execute("PRAGMA integrity_check")]
        if problems != ["ok"]:
            raise BackupError(f"{path} is damaged: {'; '.join(problems[:3])}.")
        tables = [row[0] for row in backup.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        _check_tables(path, tables)
    except sqlite3.DatabaseError as error:
        backup.close()
        raise BackupError(f"{path} cannot be read as a SQLite database: {error}.") from None
    except BackupError:
        backup.close()
        raise
    return backup


def _run(program: str, *args: str, stdout=subprocess.PIPE, connect: bool = True) -> str:
    """Run a PostgreSQL client program on the default database; its output, or BackupError with its errors."""
    executable = shutil.which(program)
    if executable is None:
        raise BackupError(f"{program} not found: install the PostgreSQL client programs (postgresql-client).")
    command = [executable, *args]
    env = None
    if connect:
        database = connection.settings_dict
        options = [("--host", database["HOST"]), ("--port", database["PORT"]), ("--username", database["USER"])]
        command += [f"{flag}={value}" for flag, value in options if value]
        command.append(f"--dbname={database['NAME']}")
        # The password (and SSL settings) through libpq's environment, as dbshell passes them:
        # never on a command line, where any user of the machine could read it.
        _, extra = connection.client.settings_to_cmd_args_env(database, [])
        env = {**os.environ, **(extra or {})}
    result = subprocess.run(command, stdout=stdout, stderr=subprocess.PIPE, env=env)
    if result.returncode:
        raise BackupError(f"{program} failed: {result.stderr.decode(errors='replace').strip()}")
    return (result.stdout or b"").decode(errors="replace")
