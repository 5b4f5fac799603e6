"""manage.py import_initiatives FILE --source SLUG: another mapping's CSV or JSON Lines, in its own words."""

import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from exchange.importing import ImportRejected, Options, Report, import_file
from exchange.tables import FIELDS, UnreadableFile, parse_column_map
from initiatives.models import Source

MAX_PROBLEMS_SHOWN = 200


class Command(BaseCommand):
    help = (
        "Import initiatives from another mapping's CSV or JSON Lines file, reconciling its countries, regions, "
        "terms, organisations, dates and budgets onto ours. All or nothing unless --skip-invalid. "
        "Fields: " + ", ".join(FIELDS) + "."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="A .csv (comma, semicolon or tab separated) or .jsonl file.")
        parser.add_argument("--source", required=True, help="The slug of the mapping the file comes from.")
        parser.add_argument(
            "--columns",
            help='Their headers onto our fields: a JSON object, a JSON file, or "Project name=title;Donor=funders".',
        )
        parser.add_argument("--dry-run", action="store_true", help="Write nothing; print what would happen.")
        parser.add_argument("--skip-invalid", action="store_true", help="Write the valid rows; report the others.")
        parser.add_argument("--publish", action="store_true", help="Publish at once instead of sending to review.")
        parser.add_argument(
            "--month-first", action="store_true", help="Read 1/10/2017 as 10 January (US order); day first by default."
        )
        parser.add_argument("--retrieved", type=datetime.date.fromisoformat, help="When the file was retrieved.")

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.") from None
        source = Source.objects.filter(slug=options["source"]).first()
        if source is None:
            known = ", ".join(Source.objects.values_list("slug", flat=True)) or "none yet (add one in the admin)"
            raise CommandError(f'Unknown source "{options["source"]}". Known sources: {known}.')
        try:
            columns = parse_column_map(options["columns"], files=True) if options["columns"] else None
            report = import_file(
                data,
                name=path.name,
                source=source,
                options=Options(
                    publish=options["publish"],
                    skip_invalid=options["skip_invalid"],
                    day_first=not options["month_first"],
                    retrieved_on=options["retrieved"],
                    columns=columns,
                ),
                dry_run=options["dry_run"],
            )
        except UnreadableFile as error:
            raise CommandError(str(error)) from None
        except ImportRejected as rejected:
            self.print_report(rejected.report)
            raise CommandError(
                f"{rejected.report.rejected} of {rejected.report.rows} rows cannot be imported, so nothing was "
                "written. Fix them, map their words (--columns, or aliases in the admin), or use --skip-invalid."
            ) from None
        self.print_report(report)
        if options["dry_run"]:
            self.stdout.write("Dry run: nothing was written.")
        else:
            self.stdout.write(self.style.SUCCESS("Imported."))

    def print_report(self, report: Report) -> None:
        write = self.stdout.write
        for note in report.notes:
            write(f"Note: {note}")
        write("Columns: " + "; ".join(f"{header} -> {name}" for header, name in report.columns.items()))
        if report.columns_ignored:
            write("Ignored columns (kept in each row's provenance): " + "; ".join(report.columns_ignored))
        for note in report.column_notes:
            write(f"Note: {note}")
        if report.new_organisations:
            write(f"New organisations ({len(report.new_organisations)}): " + "; ".join(report.new_organisations))
        if report.new_sources:
            write(f"New sources ({len(report.new_sources)}): " + "; ".join(report.new_sources))
        for problem in report.problems[:MAX_PROBLEMS_SHOWN]:
            write(f"{problem.severity.upper()}: {problem}")
        if len(report.problems) > MAX_PROBLEMS_SHOWN:
            write(f"... and {len(report.problems) - MAX_PROBLEMS_SHOWN} more.")
        write(report.summary())
