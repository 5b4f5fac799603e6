import time

from django.core.management.base import BaseCommand

from initiatives.membership import rebuild_membership


class Command(BaseCommand):
    help = (
        "Recompute the membership tables (footprints, regions reached, terms with their ancestors) "
        "and the search index of every initiative from scratch. Safe to run at any time."
    )

    def handle(self, *args, **options):
        started = time.monotonic()
        count = rebuild_membership()
        self.stdout.write(
            f"Rebuilt membership and search documents of {count} initiatives in {time.monotonic() - started:.1f} s."
        )
