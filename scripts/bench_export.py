#!/usr/bin/env python
"""Measure an export's memory and time for 1,000 and 10,000 rows, in one run.

    .venv/bin/python scripts/bench_export.py                       # the CSV, a throwaway SQLite file
    .venv/bin/python scripts/bench_export.py --format xlsx         # the XLSX workbook
    .venv/bin/python scripts/bench_export.py --format csv --format xlsx --rows 50000   # both, one size
    DATABASE_URL=postgres://... .venv/bin/python scripts/bench_export.py

Prints the tracemalloc peak (tracemalloc itself slows Python down), the wall and CPU time of
making and reading the whole export and its size for each number of rows, and the ratios
large / small. A streaming export keeps the memory ratio near 1 while the time ratio follows
the rows. A warm-up export of no rows comes first, so that imports and first-use caches are
not counted in the first measurement.
"""

import argparse
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


URLS = {"csv": "/initiatives/export.csv", "xlsx": "/initiatives/export.xlsx"}


def measure(url: str) -> tuple[int, float, float, int]:
    """(peak bytes, wall seconds, CPU seconds, bytes sent) for the whole export of what is in the database.

    CPU seconds are this process's: on a shared machine the wall time also counts other work."""
    client = Client(HTTP_HOST="127.0.0.1")
    assert client.get(url + "?country=DE").status_code == 200  # warm up: imports, resolvers, an empty export
    tracemalloc.start()
    started, cpu = time.perf_counter(), time.process_time()
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    size = sum(len(chunk) for chunk in response.streaming_content)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak, elapsed, cpu, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--format", choices=sorted(URLS), action="append", help="csv (default), xlsx, or both")
    parser.add_argument("--rows", type=int, help="measure this many rows only (default: 1,000 then 10,000)")
    options = parser.parse_args()
    call_command("migrate", verbosity=0)
    load_reference()
    formats = options.format or ["csv"]
    sizes = [options.rows] if options.rows else [1_000, 10_000]
    results: dict[str, list] = {name: [] for name in formats}
    for rows in sizes:
        populate(rows)
        for name in formats:
            peak, elapsed, cpu, size = measure(URLS[name])
            results[name].append((peak, elapsed))
            memory, sent = f"peak {peak / 1e6:6.2f} MB", f"{size / 1e6:6.2f} MB sent"
            print(f"{name:>4}: {rows:>6} rows  {memory}  {elapsed:6.2f} s ({cpu:6.2f} s CPU)  {sent}", flush=True)
    for name, measured in results.items():
        if len(measured) == 2:
            (small_peak, small_time), (large_peak, large_time) = measured
            print(f"{name} ratio 10k/1k: memory x{large_peak / small_peak:.2f}, time x{large_time / small_time:.2f}")


if __name__ == "__main__":
    main()
