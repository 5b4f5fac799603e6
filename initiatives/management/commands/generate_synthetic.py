import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from initiatives import synthetic


class Command(BaseCommand):
    help = (
        "Generate reproducible synthetic initiatives (slugs start with 'syn-') for load tests and the benchmark. "
        "The same --initiatives and --seed always give the same data."
    )

    def add_arguments(self, parser):
        parser.add_argument("--initiatives", type=int, required=True, help="How many initiatives to create.")
        parser.add_argument("--seed", type=int, default=1, help="Seed of the random generator (default 1).")
        parser.add_argument(
            "--clear", action="store_true", help="First remove earlier synthetic initiatives and organisations."
        )

    def handle(self, *args, initiatives: int, seed: int, clear: bool, **options):
        if not 1 <= initiatives <= synthetic.MAX_INITIATIVES:
            raise CommandError(f"--initiatives must be between 1 and {synthetic.MAX_INITIATIVES:,}; got {initiatives}.")
        started = time.perf_counter()
        try:
            with transaction.atomic():  # a failed run leaves the earlier data in place
                if clear:
                    removed = synthetic.clear()
                    self.stdout.write("Removed: " + ", ".join(f"{v} {k}" for k, v in removed.items()))
                counts = synthetic.generate(initiatives=initiatives, seed=seed)
        except synthetic.SyntheticDataError as error:
            hint = " (use --clear)" if "already exist" in str(error) else ""
            raise CommandError(f"{error}{hint}") from error
        self.stdout.write("Created: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
        self.stdout.write(f"Elapsed: {time.perf_counter() - started:.1f} s")
