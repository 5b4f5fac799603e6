import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from initiatives.services import DEMO_FILE
from insights.demo import load_demo_needs


class Command(BaseCommand):
    help = "Load the illustrative demo needs (the 'needs' list of the demo file). Idempotent; run after load_demo."

    def add_arguments(self, parser):
        parser.add_argument("--path", type=Path, default=DEMO_FILE, help="The demo file (default: fixtures/demo.json).")

    def handle(self, *args, path: Path, **options):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            count = load_demo_needs(data)
        except (OSError, ValueError) as error:
            raise CommandError(f"Demo needs not loaded: {error}") from error
        self.stdout.write(f"Demo needs (illustrative): {count}")
