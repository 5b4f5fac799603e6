#!/usr/bin/env python
"""Time `import_initiatives` on 5,000 and 50,000 rows of a messy file, in one run.

    .venv/bin/python scripts/bench_import.py [--sizes 5000,50000]       # a throwaway SQLite file
    .venv/bin/python scripts/with_postgres.py .venv/bin/python scripts/bench_import.py

`make bench-import` runs both. For each size, on a fresh database with the reference and demo data: a
file of that many rows made from the valid rows of fixtures/import/messy-mapping.csv (each copy with its
own title and id, so every row is a new initiative), then the dry run, the import (--skip-invalid
--publish) and the same file again (every row unchanged) are timed. Prints seconds, rows per second and
the ratio of the largest size to the smallest (10x the rows should take about 10x the time). Also prints
the messy file's own report: how many values were reconciled and reported.
"""

import argparse
import csv
import io
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
workdir = Path(tempfile.mkdtemp(prefix="ccb-bench-import-"))
os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir}/bench.sqlite3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ccb_portal.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from exchange.importing import Options, import_file, plan_import  # noqa: E402
from exchange.tables import read_table  # noqa: E402
from initiatives.models import Initiative, Source  # noqa: E402

MESSY = ROOT / "fixtures" / "import" / "messy-mapping.csv"
SOURCE = "igf-bpf-cybersecurity"


def fresh_database() -> None:
    call_command("flush", interactive=False, verbosity=0)
    call_command("load_demo", verbosity=0, stdout=io.StringIO())


def valid_rows() -> tuple[list[str], list[list[str]]]:
    """The messy file's rows that import (the report of the whole file is printed first)."""
    data = MESSY.read_bytes()
    plan = plan_import(read_table(data, MESSY.name), source=Source.objects.get(slug=SOURCE), options=Options())
    report = plan.report
    print(
        f"{MESSY.name}: {report.rows} rows; {report.values_placed} place and term values reconciled "
        f"({report.values_approximate} by close spelling), {report.values_unplaced} not placed; "
        f"{len(report.errors)} errors and {len(report.warnings)} warnings reported; "
        f"{report.created} new, {report.matched} matched, {report.rejected} rejected."
    )
    good = {row.number for row in plan.rows if row.action == "created"}
    reader = csv.reader(io.StringIO(data.decode("utf-8-sig")))
    headers = next(reader)
    rows, line = [], reader.line_num + 1
    for cells in reader:
        if line in good:
            rows.append(cells)
        line = reader.line_num + 1
    return headers, rows


def make_file(headers: list[str], rows: list[list[str]], size: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    title, external_id = headers.index("Project name"), headers.index("ID")
    for n in range(size):
        cells = list(rows[n % len(rows)])
        cells[title] = f"{cells[title]} #{n}"
        cells[external_id] = f"{cells[external_id]}-{n}"
        writer.writerow(cells)
    return out.getvalue().encode()


def timed(label: str, function, rows: int) -> float:
    started = time.perf_counter()
    report = function()
    seconds = time.perf_counter() - started
    print(f"  {label:<22} {seconds:8.1f} s  {rows / seconds:8.0f} rows/s  ({report.summary().split('. V')[0]})")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="5000,50000")
    sizes = [int(size) for size in parser.parse_args().sizes.split(",")]
    call_command("migrate", verbosity=0)
    print(f"Database: {connection.vendor}")
    fresh_database()
    headers, rows = valid_rows()
    results = {}
    for size in sizes:
        fresh_database()
        data = make_file(headers, rows, size)
        source = Source.objects.get(slug=SOURCE)
        options = Options(skip_invalid=True, publish=True)
        print(f"{size} rows ({len(data) / 1e6:.1f} MB):")

        def run(dry_run: bool, data=data, source=source, options=options):
            return import_file(data, name="bench.csv", source=source, options=options, dry_run=dry_run)

        results[size] = {
            "dry run": timed("dry run", lambda: run(True), size),
            "import": timed("import", lambda: run(False), size),
            "again (unchanged)": timed("again (unchanged)", lambda: run(False), size),
        }
        published = Initiative.objects.published().count()
        print(f"  published initiatives now: {published}")
    if len(sizes) > 1:
        small, large = min(sizes), max(sizes)
        for step in results[small]:
            ratio = results[large][step] / results[small][step]
            print(f"{step}: {large}/{small} rows took {ratio:.1f}x the time (rows x{large / small:.0f})")


if __name__ == "__main__":
    main()
