"""manage.py restore_database PATH --yes: replace the whole database with a backup_database file."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from exchange.backups import BackupError, database_counts, restore_database


class Command(BaseCommand):
    help = (
        "Replace the whole database with a file made by backup_database (of the same kind of database). "
        "All or nothing: a missing, damaged or foreign file changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="A .dump (PostgreSQL) or .sqlite3 (SQLite) backup.")
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args, **options):
        path = options["path"]
        if not options["yes"]:
            self.confirm(path)
        try:
            restore_database(path=path)
        except BackupError as error:
            raise CommandError(str(error)) from None
        counts = database_counts()
        self.stdout.write(self.style.SUCCESS(f"Restored {path}"))
        self.stdout.write(
            f"The database now holds {counts['initiatives']} initiatives ({counts['published']} published) "
            f"and {counts['organisations']} organisations."
        )

    def confirm(self, path: Path) -> None:
        # Everything written since the backup is lost: a script must say so explicitly.
        if not sys.stdin.isatty():
            raise CommandError("Restoring replaces the whole database: add --yes to proceed without a prompt.")
        name = connection.settings_dict["NAME"]
        answer = input(f"Replace everything in {name} with {path}? Changes since the backup are lost. [y/N] ")
        if answer.strip().lower() not in {"y", "yes"}:
            raise CommandError("Nothing was restored.")
