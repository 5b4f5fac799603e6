"""manage.py backup_database [--output PATH]: the whole database into one file (see exchange.backups)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from exchange.backups import BackupError, backup_database, database_counts


class Command(BaseCommand):
    help = (
        "Copy the whole database (pg_dump on PostgreSQL, the online backup API on SQLite) into a new file, "
        "by default var/backups/ccb-<engine>-<UTC time>.<dump|sqlite3>. Never overwrites a file."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, help="The file to write; it must not exist yet.")

    def handle(self, *args, **options):
        try:
            path = backup_database(path=options["output"])
        except BackupError as error:
            raise CommandError(str(error)) from None
        counts = database_counts()
        self.stdout.write(self.style.SUCCESS(f"Backed up to {path}"))
        self.stdout.write(
            f"It holds {counts['initiatives']} initiatives ({counts['published']} published) "
            f"and {counts['organisations']} organisations."
        )
