#!/usr/bin/env python
"""Measure the CSV export's memory and time for 1,000 and 10,000 rows, in one run.

    .venv/bin/python scripts/bench_export.py            # a throwaway SQLite file
    DATABASE_URL=postgres://... .venv/bin/python scripts/bench_export.py

Prints the tracemalloc peak and the wall time of streaming the whole export
for each size, and the ratios 10,000 / 1,000. A streaming export keeps the
memory ratio near 1 while the time ratio is near 10.
"""

import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
workdir = tempfile.mkdtemp(prefix="ccb-bench-")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir}/bench.sqlite3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ccb_portal.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

from initiatives.models import Initiative, Organisation  # noqa: E402
from taxonomy.services import load_reference  # noqa: E402
from tests.helpers import bulk_initiatives  # noqa: E402


def populate(total: int) -> None:
    Initiative.objects.all().delete()
    Organisation.objects.all().delete()
    bulk_initiatives(total, "bench")


def measure(total: int) -> tuple[int, float, int]:
    populate(total)
    client = Client(HTTP_HOST="127.0.0.1")
    tracemalloc.start()
    started = time.perf_counter()
    response = client.get("/initiatives/export.csv")
    rows = sum(chunk.count(b"\n") for chunk in response.streaming_content) - 1
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert rows == total, (rows, total)
    return peak, elapsed, rows


def main() -> None:
    call_command("migrate", verbosity=0)
    load_reference()
    small = measure(1_000)
    large = measure(10_000)
    for label, (peak, elapsed, rows) in (("small", small), ("large", large)):
        print(f"{label}: {rows:>6} rows  peak {peak / 1e6:6.2f} MB  {elapsed:6.2f} s")
    print(f"ratio 10k/1k: memory x{large[0] / small[0]:.2f}, time x{large[1] / small[1]:.2f}")


if __name__ == "__main__":
    main()
