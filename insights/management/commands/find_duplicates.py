"""manage.py find_duplicates: candidate duplicate pairs among all initiatives, best first."""

from django.core.management.base import BaseCommand, CommandError

from initiatives.similarity import THRESHOLD
from insights.duplicates import scan, store


class Command(BaseCommand):
    help = "List pairs of initiatives (drafts included) that look like duplicates, with their score and reasons."

    def add_arguments(self, parser):
        parser.add_argument(
            "--threshold", type=float, default=THRESHOLD, help=f"Lowest score shown (default {THRESHOLD})."
        )
        parser.add_argument("--limit", type=int, default=100, help="Pairs printed, best first (default 100; 0: all).")
        parser.add_argument("--summary", action="store_true", help="Print the summary line only.")

    def handle(self, *args, threshold: float, limit: int, summary: bool, **options):
        if not 0 <= threshold <= 1:
            raise CommandError("--threshold must be between 0 and 1.")
        result = scan(threshold=threshold)
        if threshold == THRESHOLD:
            store(result)  # what the admin's possible duplicates view shows
        if not summary:
            for pair in result.pairs[: limit or None]:
                self.stdout.write(
                    f"{pair.score:.2f}  #{pair.first} {pair.first_title}  |  #{pair.second} {pair.second_title}"
                    f"  ({'; '.join(pair.reasons)})"
                )
        self.stdout.write(
            f"{len(result.pairs)} candidate pairs among {result.initiatives} initiatives in {result.seconds:.1f} s."
        )
