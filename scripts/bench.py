#!/usr/bin/env python
"""Benchmark the public pages against Datasette serving the same rows, on one database, in one run.

    .venv/bin/python scripts/bench.py --db sqlite [--sizes 5000,50000]
    .venv/bin/python scripts/with_postgres.py .venv/bin/python scripts/bench.py --db postgres

`make bench` runs both. For each size: a fresh database, `migrate`,
`load_demo --reference-only`, `generate_synthetic --initiatives N --seed 1`;
the portal served by gunicorn (one sync worker, DJANGO_DEBUG=0) and the same
published rows exported to a SQLite file served by Datasette (from the separate
.venv-bench virtualenv), both on free ports on 127.0.0.1 only. Each page is
timed sequentially with urllib after two warm-up requests; for the full CSV
exports the server process's resident memory is also sampled from /proc
during each request. Prints medians, p95 and the target ratios of issue 9,
and writes the same as markdown and JSON under bench/results/ (under
var/bench/results/ when the sizes are not the defaults, so quick runs are not
mistaken for results). Every server is stopped on exit, on errors and on Ctrl-C;
every request has a timeout and the whole run a time bound.
"""

import argparse
import csv
import datetime
import importlib.metadata
import io
import json
import math
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = Path("var/bench")  # relative to ROOT: scratch databases, logs, static files
DEFAULT_SIZES = [5_000, 50_000]
RESULTS = Path("bench/results")
SEED = 1
PAGE_SIZE = 20  # the portal's list page size, to pick a page that exists at small sizes
DEEP_PAGE = 50

# The filtered list: a region, a topic, an audience and words, all with results at both sizes.
FILTERS = {"region": "western-africa", "topic": "cybercrime", "audience": "law-enforcement", "q": "training"}
REGION_PAGE = "western-africa"
COUNTRY_PAGE = "NG"

MEMORY_NOISE_MB = 1.0
TARGETS = {
    "list_vs_datasette": 0.25,
    "page_growth": 2.0,
    "csv_vs_datasette": 0.5,
    "csv_memory_growth": 1.2,
}


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {scrub(message)}", flush=True)


class OutOfTime(Exception):
    """The run's time bound was reached."""


@dataclass
class Clock:
    """The whole run's time bound."""

    seconds: float
    started: float = field(default_factory=time.monotonic)

    def left(self) -> float:
        return self.seconds - (time.monotonic() - self.started)

    def check(self) -> None:
        if self.left() <= 0:
            raise OutOfTime(f"the run's time bound of {self.seconds / 60:.0f} minutes was reached")


# ---------------------------------------------------------------- processes


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(argv: list[str], env: dict, *, timeout: float, label: str) -> str:
    """Run a command to completion (bounded), returning its output; fail with its output shown."""
    started = time.perf_counter()
    try:
        result = subprocess.run(argv, env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as error:
        raise RuntimeError(f"{label}: still running after {timeout:.0f} s, stopped") from error
    if result.returncode != 0:
        raise RuntimeError(f"{label} failed ({result.returncode}):\n{result.stdout[-2000:]}{result.stderr[-4000:]}")
    log(f"  {label}: {time.perf_counter() - started:.1f} s")
    return result.stdout


@contextmanager
def server(argv: list[str], env: dict, *, name: str, health_url: str, logfile: Path, clock: Clock):
    """Start a server in its own process group, wait until it answers, and always stop it (the whole group)."""
    logfile.parent.mkdir(parents=True, exist_ok=True)
    with logfile.open("w") as output:
        process = subprocess.Popen(
            argv, env=env, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + min(120, max(5, clock.left()))
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited with {process.returncode}; see {logfile}")
            try:
                with urllib.request.urlopen(health_url, timeout=5) as response:
                    if response.status == 200:
                        break
            except (OSError, urllib.error.URLError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{name} did not answer {health_url} in time; see {logfile}")
            time.sleep(0.2)
        log(f"  {name} up (pid {process.pid})")
        yield process
    finally:
        stop(process, name)


def stop(process: subprocess.Popen, name: str) -> None:
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=15)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=15)
    log(f"  {name} stopped")


def children(pid: int) -> list[int]:
    try:
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def rss_kb(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


class MemorySampler:
    """Peak resident memory of one process while a block runs, sampled every ~10 ms."""

    def __init__(self, pid: int | None) -> None:
        self.pid = pid
        self.before = self.peak = rss_kb(pid) if pid else None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            value = rss_kb(self.pid)
            if value is not None and (self.peak is None or value > self.peak):
                self.peak = value
            self._stop.wait(0.01)

    def __enter__(self) -> "MemorySampler":
        if self.pid:
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    @property
    def growth_mb(self) -> float | None:
        if self.before is None or self.peak is None:
            return None
        return (self.peak - self.before) / 1024


# ---------------------------------------------------------------- timing


@dataclass
class Timing:
    url: str
    status: int | None = None
    error: str = ""
    seconds: list[float] = field(default_factory=list)
    first: float | None = None  # the first request, before any cache of the server's is warm
    bytes: int = 0
    check: str = ""  # what the page was checked for, and what was found
    memory_growth_mb: float | None = None  # largest (peak - before) over the requests
    memory_peak_mb: float | None = None

    @property
    def median(self) -> float | None:
        return statistics.median(self.seconds) if self.seconds else None

    @property
    def p95(self) -> float | None:
        if not self.seconds:
            return None
        if len(self.seconds) == 1:
            return self.seconds[0]
        return statistics.quantiles(self.seconds, n=20, method="inclusive")[18]

    def as_dict(self) -> dict:
        return {
            "url": self.url,
            "status": self.status,
            "error": self.error,
            "requests": len(self.seconds),
            "first_s": self.first,
            "median_s": self.median,
            "p95_s": self.p95,
            "times_s": [round(s, 4) for s in self.seconds],
            "bytes": self.bytes,
            "check": self.check,
            "memory_growth_mb": self.memory_growth_mb,
            "memory_peak_mb": self.memory_peak_mb,
        }


def fetch(url: str, timeout: float) -> tuple[int, bytes, float]:
    """One GET to the last byte: status, body, seconds."""
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            chunks = []
            while chunk := response.read(1 << 16):
                chunks.append(chunk)
            return response.status, b"".join(chunks), time.perf_counter() - started
    except urllib.error.HTTPError as error:
        return error.code, error.read(), time.perf_counter() - started


def time_url(
    base: str,
    path: str,
    *,
    requests: int,
    clock: Clock,
    timeout: float,
    budget: float,
    memory_pid=None,
    check=None,
    label: str,
) -> Timing:
    """Two warm-ups, then up to `requests` timed GETs (fewer if `budget` seconds run out, never fewer than 3)."""
    timing = Timing(url=path)
    url = base + path
    spent = 0.0
    for attempt in range(2 + requests):
        clock.check()
        pid = memory_pid() if memory_pid else None
        try:
            with MemorySampler(pid) as memory:
                status, body, seconds = fetch(url, min(timeout, max(5, clock.left())))
        except (OSError, urllib.error.URLError) as error:
            timing.error = f"{type(error).__name__}: {error}"
            log(f"    {label}: {timing.error}")
            return timing
        timing.status = status
        if status != 200:
            timing.error = f"HTTP {status}"
            log(f"    {label}: HTTP {status} for {path}")
            return timing
        if memory.growth_mb is not None:
            timing.memory_growth_mb = max(timing.memory_growth_mb or 0.0, memory.growth_mb)
            timing.memory_peak_mb = max(timing.memory_peak_mb or 0.0, memory.peak / 1024)
        timing.bytes = len(body)
        if attempt == 0:
            timing.first = seconds
            if check:
                timing.check = check(body)
        if attempt >= 2:
            timing.seconds.append(seconds)
            spent += seconds
            if spent > budget and len(timing.seconds) >= 3:
                break
    log(
        f"    {label}: median {timing.median:.3f} s, p95 {timing.p95:.3f} s over {len(timing.seconds)}"
        + (f", memory +{timing.memory_growth_mb:.1f} MB" if timing.memory_growth_mb is not None else "")
        + (f" ({timing.check})" if timing.check else "")
    )
    return timing


SYNTHETIC_LINK = re.compile(rb'href="/initiatives/syn-')


def count_cards(body: bytes) -> str:
    found = len(SYNTHETIC_LINK.findall(body))
    return f"{found} links to synthetic initiatives" + ("" if found else " (NONE: the page lists nothing)")


def count_csv_rows(expected: int):
    def check(body: bytes) -> str:
        # Rows, not lines: descriptions hold newlines inside quoted fields.
        rows = sum(1 for _ in csv.reader(io.StringIO(body.decode("utf-8-sig")))) - 1
        verdict = "as many as published" if rows == expected else f"MISMATCH: {expected} published"
        return f"{rows} rows, {verdict}"

    return check


def datasette_facets(body: bytes) -> str:
    data = json.loads(body)
    found = sorted(name for name, facet in data.get("facet_results", {}).items() if facet.get("results"))
    timed_out = data.get("facets_timed_out", [])
    verdict = "all computed" if not timed_out and len(found) >= 5 else f"TIMED OUT: {timed_out}"
    return f"facets {', '.join(found)}: {verdict}"


# ---------------------------------------------------------------- one database


@dataclass
class Database:
    kind: str  # sqlite or postgres
    url: str
    version: str


def fresh_database(kind: str, size: int, base_url: str | None) -> Database:
    if kind == "sqlite":
        path = ROOT / WORK / f"portal-{size}.sqlite3"
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return Database("sqlite", f"sqlite:///{path}", f"SQLite {sqlite3.sqlite_version}")
    import psycopg2

    parts = urllib.parse.urlsplit(base_url)
    name = f"ccb_bench_{size}"
    connection = psycopg2.connect(base_url)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {name}")
            cursor.execute(f"CREATE DATABASE {name}")
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0]
    finally:
        connection.close()
    return Database("postgres", urllib.parse.urlunsplit(parts._replace(path=f"/{name}")), f"PostgreSQL {version}")


def analyze(database: Database) -> None:
    """What autovacuum does shortly after a bulk load (scripts/with_postgres.py turns it off)."""
    import psycopg2

    connection = psycopg2.connect(database.url)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    finally:
        connection.close()


def django_env(database: Database, secret: str) -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update(
        DATABASE_URL=database.url,
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secret,
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_HTTPS="0",  # plain http on 127.0.0.1
        DJANGO_STATIC_ROOT=str(ROOT / WORK / "static"),
        DJANGO_LOG_LEVEL="WARNING",
        # The test cluster's statement timeout turns a slow page into an error; here we want its time.
        DATABASE_STATEMENT_TIMEOUT_MS="0",
        # Pages rendered each time, as Datasette renders them: the page cache would time a cache
        # lookup against Datasette's query. `make loadtest` measures what the page cache gains.
        DJANGO_PAGE_CACHE_SECONDS="0",
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


def datasette_dir(size: int, kind: str) -> Path:
    """Datasette's configuration directory: the database, metadata.json (facets) and settings.json."""
    directory = ROOT / WORK / f"datasette-{kind}-{size}"
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    metadata = {
        "title": "Cyber capacity-building initiatives (benchmark copy)",
        "databases": {
            "bench": {
                "tables": {
                    "initiatives": {
                        "facets": [
                            "status",
                            {"array": "regions"},
                            {"array": "topics"},
                            {"array": "audiences"},
                            {"array": "modalities"},
                        ]
                    }
                }
            }
        },
    }
    settings = {
        # High enough that every facet is computed rather than dropped, as the portal always computes its own.
        "facet_time_limit_ms": 120_000,
        "sql_time_limit_ms": 120_000,
        "max_csv_mb": 0,
        "allow_csv_stream": True,
    }
    (directory / "metadata.json").write_text(json.dumps(metadata, indent=2))
    (directory / "settings.json").write_text(json.dumps(settings, indent=2))
    return directory


def measure_size(args, kind: str, size: int, clock: Clock, secret: str, runs: list[dict]) -> None:
    """Build, serve and time one size; its results go into `runs` as they come, so a stopped run keeps them."""
    log(f"[{kind} {size:,}] fresh database")
    database = fresh_database(kind, size, os.environ.get("DATABASE_URL"))
    env = django_env(database, secret)
    python = sys.executable
    limit = max(60, clock.left())
    run([python, "manage.py", "migrate", "--noinput", "-v0"], env, timeout=limit, label="migrate")
    run([python, "manage.py", "load_demo", "--reference-only"], env, timeout=limit, label="load_demo --reference-only")
    output = run(
        [python, "manage.py", "generate_synthetic", "--initiatives", str(size), "--seed", str(SEED)],
        env,
        timeout=max(60, clock.left()),
        label=f"generate_synthetic --initiatives {size}",
    )
    elapsed = re.search(r"Elapsed: ([\d.]+) s", output)
    if kind == "postgres":
        analyze(database)
    clock.check()

    directory = datasette_dir(size, kind)
    summary = json.loads(
        run(
            [python, "scripts/bench/export_for_datasette.py", str(directory / "bench.db")],
            env,
            timeout=max(60, clock.left()),
            label="export for Datasette",
        )
    )
    published = summary["rows"]
    log(f"  {published:,} published initiatives")
    result = {
        "size": size,
        "database": database.version,
        "published": published,
        "generate_seconds": float(elapsed.group(1)) if elapsed else None,
        "portal": {},
        "datasette": {},
    }
    runs.append(result)
    if not published:
        raise RuntimeError("no published initiatives were generated")

    portal_port, datasette_port = free_port(), free_port()
    portal = f"http://127.0.0.1:{portal_port}"
    datasette = f"http://127.0.0.1:{datasette_port}"
    with ExitStack() as stack:
        gunicorn = stack.enter_context(
            server(
                [
                    python,
                    "-m",
                    "gunicorn",
                    "ccb_portal.wsgi:application",
                    "--bind",
                    f"127.0.0.1:{portal_port}",
                    "--workers",
                    "1",
                    "--worker-class",
                    "sync",
                    "--timeout",
                    str(int(args.request_timeout) + 30),
                    "--graceful-timeout",
                    "5",
                    "--log-level",
                    "warning",
                ],
                env,
                name="gunicorn",
                health_url=f"{portal}/healthz",
                logfile=ROOT / WORK / "logs" / f"gunicorn-{kind}-{size}.log",
                clock=clock,
            )
        )
        datasette_process = stack.enter_context(
            server(
                [str(args.datasette), "serve", str(directory), "--host", "127.0.0.1", "--port", str(datasette_port)],
                {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
                name="datasette",
                health_url=f"{datasette}/-/versions.json",
                logfile=ROOT / WORK / "logs" / f"datasette-{kind}-{size}.log",
                clock=clock,
            )
        )

        def worker() -> int | None:
            workers = children(gunicorn.pid)
            return workers[0] if workers else None

        for side, base, pages, memory_pid in (
            ("portal", portal, portal_pages(published, summary), worker),
            ("datasette", datasette, datasette_pages(summary), lambda: datasette_process.pid),
        ):
            for name, (path, check) in pages.items():
                csv = name == "csv"
                result[side][name] = time_url(
                    base,
                    path,
                    requests=args.csv_requests if csv else args.requests,
                    budget=args.page_budget * (3 if csv else 1),
                    memory_pid=memory_pid if csv else None,
                    check=check,
                    label=f"{side} {name}",
                    clock=clock,
                    timeout=args.request_timeout,
                ).as_dict()
        try:
            status, body, _ = fetch(f"{datasette}/bench/initiatives.json", args.request_timeout)
            check = datasette_facets(body) if status == 200 else f"HTTP {status}"
        except (OSError, ValueError) as error:
            check = f"{type(error).__name__}: {error}"
        result["datasette"]["facets"]["check"] = check
        log(f"    datasette facets: {check}")


def portal_pages(published: int, summary: dict) -> dict:
    deep = max(1, min(DEEP_PAGE, math.ceil(published / PAGE_SIZE)))
    return {
        "home": ("/", None),
        "list": ("/initiatives/", count_cards),
        "filtered": (f"/initiatives/?{urllib.parse.urlencode(FILTERS)}", count_cards),
        "deep page": (f"/initiatives/?page={deep}", count_cards),
        "detail": (f"/initiatives/{summary['sample']['slug']}/", None),
        "region": (f"/regions/{REGION_PAGE}/", count_cards),
        "country": (f"/countries/{COUNTRY_PAGE}/", count_cards),
        "csv": ("/initiatives/export.csv", count_csv_rows(published)),
        "coverage": ("/coverage/", None),
        "coverage of a region": (f"/coverage/?within={REGION_PAGE}", None),
    }


def datasette_pages(summary: dict) -> dict:
    terms, regions = summary["term_names"], summary["region_names"]
    filtered = urllib.parse.urlencode(
        {
            "regions__arraycontains": regions[FILTERS["region"]],
            "topics__arraycontains": terms[f"topic:{FILTERS['topic']}"],
            "audiences__arraycontains": terms[f"audience:{FILTERS['audience']}"],
            "description__contains": FILTERS["q"],
        }
    )
    return {
        "facets": ("/bench/initiatives", None),
        "filtered": (f"/bench/initiatives?{filtered}", None),
        "deep page": (f"/bench/initiatives?_next={summary['deep_next']}", None),
        "row": (f"/bench/initiatives/{summary['sample']['id']}", None),
        "csv": ("/bench/initiatives.csv?_stream=on&_size=max", count_csv_rows(summary["rows"])),
    }


# ---------------------------------------------------------------- report


def ratio(numerator, denominator) -> float | None:
    if numerator is None or not denominator:
        return None
    return numerator / denominator


def ratios(runs: list[dict]) -> list[dict]:
    """The targets of issue 9: the largest size against Datasette, and the largest against the smallest size."""
    if not runs:
        return []
    small, large = runs[0], runs[-1]
    at_large, growth = f"{large['size']:,}", f"{large['size']:,} / {small['size']:,}"
    rows = []

    def add(name: str, value: float | None, target: float | None, note: str = "", met: bool | None = None) -> None:
        if met is None and value is not None and target is not None:
            met = value <= target
        rows.append({"ratio": name, "value": value, "target": target, "met": met, "note": note})

    def median(run: dict, side: str, page: str) -> float | None:
        return run[side].get(page, {}).get("median_s")

    add(
        f"portal list / Datasette facet page, {at_large}",
        ratio(median(large, "portal", "list"), median(large, "datasette", "facets")),
        TARGETS["list_vs_datasette"],
    )
    add(
        f"portal list, first request / Datasette facet page, first request, {at_large}",
        ratio(large["portal"].get("list", {}).get("first_s"), large["datasette"].get("facets", {}).get("first_s")),
        None,
    )
    if len(runs) > 1:
        for page in large["portal"]:
            if page == "csv":  # all the rows: it is meant to grow with them; compared with Datasette below
                add(f"portal csv, {growth}", ratio(median(large, "portal", page), median(small, "portal", page)), None)
                continue
            add(
                f"portal {page}, {growth}",
                ratio(median(large, "portal", page), median(small, "portal", page)),
                TARGETS["page_growth"],
            )
    add(
        f"portal full CSV / Datasette streamed CSV, {at_large}",
        ratio(median(large, "portal", "csv"), median(large, "datasette", "csv")),
        TARGETS["csv_vs_datasette"],
    )
    if len(runs) > 1:
        # The target: the worker's resident peak while it streams the full export.
        small_peak, large_peak = (run["portal"].get("csv", {}).get("memory_peak_mb") for run in (small, large))
        note = f"{small_peak or 0:.1f} MB -> {large_peak or 0:.1f} MB, resident peak of the worker during the export"
        add(f"portal CSV peak memory, {growth}", ratio(large_peak, small_peak), TARGETS["csv_memory_growth"], note)
        # And what the export itself added, without a target: below a megabyte it is sampling noise.
        small_mb, large_mb = (run["portal"].get("csv", {}).get("memory_growth_mb") for run in (small, large))
        note = f"{small_mb or 0:.1f} MB -> {large_mb or 0:.1f} MB above the worker's memory before the request"
        if large_mb is not None and large_mb < MEMORY_NOISE_MB:
            note += f"; under {MEMORY_NOISE_MB:.0f} MB, within sampling noise"
        add(f"portal CSV memory growth during the request, {growth}", ratio(large_mb, small_mb), None, note)
    return rows


def seconds(value) -> str:
    return "–" if value is None else f"{value:.3f}"


def markdown(report: dict) -> str:
    runs = report["runs"]
    lines = [
        f"# Benchmark: {report['db']}, {report['date']}",
        "",
        "Made by `make bench` (scripts/bench.py): for each size a fresh database, `generate_synthetic --seed "
        f"{SEED}`, the portal on gunicorn (1 sync worker, DEBUG off) and the same published rows in Datasette "
        "(facets on status, regions, topics, audiences, modalities), on one machine, requests one at a time "
        f"after 2 warm-ups. Times in seconds, to the last byte; p95 interpolated over {report['requests']} requests "
        f"({report['csv_requests']} for full CSVs), fewer when a page is slow. *first* is the first request to a "
        "freshly started server (the first warm-up): whatever the server caches is cold there and warm in the "
        "median and p95.",
        "",
        "Environment: " + ", ".join(f"{key} {value}" for key, value in report["environment"].items()),
        "",
        *(
            [
                "PostgreSQL: `ANALYZE` after generating, as autovacuum would do shortly after a bulk load "
                "(the throwaway cluster runs without autovacuum); no statement timeout.",
                "",
            ]
            if report["db"] == "postgres"
            else []
        ),
        "| size | published | generate_synthetic (s) | database |",
        "|---:|---:|---:|---|",
    ]
    for run in runs:
        lines.append(
            f"| {run['size']:,} | {run['published']:,} | {run['generate_seconds'] or '–'} | {run['database']} |"
        )
    header = "| server | page | URL | " + " | ".join(f"{run['size']:,} first | median | p95" for run in runs) + " |"
    lines += ["", header, "|---|---|---|" + "---:|---:|---:|" * len(runs)]
    for side in ("portal", "datasette"):
        names = list(dict.fromkeys(name for run in runs for name in run[side]))
        for name in names:
            cells = []
            for run in runs:
                timing = run[side].get(name)
                if not timing:
                    cells += ["–", "–", "–"]
                elif timing["error"]:
                    cells += [f"**{timing['error']}**", "–", "–"]
                else:
                    cells += [seconds(timing["first_s"]), seconds(timing["median_s"]), seconds(timing["p95_s"])]
            url = (runs[-1][side].get(name) or {}).get("url", "")
            lines.append(f"| {side} | {name} | `{url}` | " + " | ".join(cells) + " |")
    lines += [
        "",
        "Full CSV, resident memory of the serving process (MB): growth during the request "
        "(peak minus before), and peak.",
        "",
    ]
    lines += ["| server | " + " | ".join(f"{run['size']:,} growth | peak" for run in runs) + " |"]
    lines += ["|---|" + "---:|---:|" * len(runs)]
    for side in ("portal", "datasette"):
        cells = []
        for run in runs:
            csv = run[side].get("csv", {})
            cells += [
                "–" if csv.get("memory_growth_mb") is None else f"{csv['memory_growth_mb']:.1f}",
                "–" if csv.get("memory_peak_mb") is None else f"{csv['memory_peak_mb']:.1f}",
            ]
        lines.append(f"| {side} | " + " | ".join(cells) + " |")
    lines += ["", "## Targets", "", "| ratio | value | target | |", "|---|---:|---:|---|"]
    for row in report["ratios"]:
        if row["target"] is None:
            verdict, target = "(no target)", "–"
        else:
            verdict = "not measured" if row["met"] is None else ("met" if row["met"] else "**missed**")
            target = f"<= {row['target']}"
        value = "–" if row["value"] is None else f"{row['value']:.2f}"
        note = f" ({row['note']})" if row["note"] else ""
        lines.append(f"| {row['ratio']}{note} | {value} | {target} | {verdict} |")
    checks = [
        f"- {side} {name} ({run['size']:,}, `{timing['url']}`): {timing['check']}"
        for run in runs
        for side in ("portal", "datasette")
        for name, timing in run[side].items()
        if timing.get("check")
    ]
    if checks:
        lines += ["", "## Checks", "", *checks]
    if report.get("error"):
        lines += ["", "## Not finished", "", f"The run stopped early: {report['error']}"]
    return "\n".join(lines) + "\n"


def scrub(text: str) -> str:
    """No paths of this machine in what is printed or written."""
    for path, placeholder in ((str(ROOT), "."), (sys.prefix, "<venv>"), (os.path.expanduser("~"), "~")):
        text = text.replace(path, placeholder)
    return re.sub(r"/tmp/[\w.-]+", "<tmp>", text)


def versions(args) -> dict:
    import django

    result = {
        "Python": platform.python_version(),
        "Django": django.get_version(),
        "gunicorn": importlib.metadata.version("gunicorn"),
        "CPUs": os.cpu_count(),
    }
    try:
        out = subprocess.run([str(args.datasette), "--version"], capture_output=True, text=True, timeout=60)
        result["Datasette"] = out.stdout.strip().rsplit(" ", 1)[-1]
    except (OSError, subprocess.TimeoutExpired):
        result["Datasette"] = "?"
    return result


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument(
        "--sizes",
        default=",".join(str(size) for size in DEFAULT_SIZES),
        help="initiatives to generate, comma-separated, smallest first (default 5000,50000)",
    )
    parser.add_argument("--requests", type=int, default=15, help="timed requests per page (default 15)")
    parser.add_argument("--csv-requests", type=int, default=5, help="timed requests per full CSV (default 5)")
    parser.add_argument(
        "--page-budget", type=float, default=60, help="stop timing a page after this many seconds (x3 for CSV)"
    )
    parser.add_argument("--request-timeout", type=float, default=300, help="seconds before one request fails")
    parser.add_argument("--max-minutes", type=float, default=90, help="bound on the whole run (default 90)")
    parser.add_argument("--datasette", type=Path, default=ROOT / ".venv-bench" / "bin" / "datasette")
    parser.add_argument("--out", type=Path, help="results folder (default bench/results, or var/bench/results)")
    parser.add_argument(
        "--render",
        type=Path,
        help="measure nothing: recompute the ratios and rewrite the markdown of an earlier run's JSON beside it",
    )
    args = parser.parse_args(argv)
    args.datasette = args.datasette.resolve()
    args.sizes = sorted(int(size.replace("_", "")) for size in args.sizes.split(",") if size.strip())
    if not args.sizes:
        parser.error("--sizes needs at least one size")
    if args.out is None:
        args.out = ROOT / (RESULTS if args.sizes == DEFAULT_SIZES else WORK / "results")
    return args


def render(path: Path) -> int:
    """Rewrite an earlier run's report from its measurements (when the report's format changes)."""
    report = json.loads(path.read_text())
    report["ratios"] = ratios(report["runs"])
    path.with_suffix(".md").write_text(scrub(markdown(report)))
    path.write_text(scrub(json.dumps(report, indent=2)) + "\n")
    log(f"Rewrote {scrub(str(path.with_suffix('.md')))} from {scrub(str(path))}")
    return 0


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.render:
        return render(args.render)
    # Ctrl-C (even when started from a shell that ignores it for background jobs) and a termination
    # unwind through every `finally`, so no server outlives the run.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    if not args.datasette.exists():
        sys.exit(f"Datasette not found at {args.datasette}: run `make bench`, which installs it in .venv-bench.")
    if args.db == "postgres" and not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("--db postgres needs DATABASE_URL: run it through scripts/with_postgres.py.")
    (ROOT / WORK).mkdir(parents=True, exist_ok=True)
    clock = Clock(args.max_minutes * 60)
    secret = secrets.token_urlsafe(50)
    report = {
        "db": args.db,
        "date": datetime.date.today().isoformat(),
        "sizes": args.sizes,
        "seed": SEED,
        "requests": args.requests,
        "csv_requests": args.csv_requests,
        "environment": versions(args),
        "runs": [],
        "error": "",
    }
    log(f"Benchmark on {args.db}, sizes {', '.join(f'{size:,}' for size in args.sizes)}")
    try:
        placeholder = Database("sqlite", f"sqlite:///{ROOT / WORK / 'collectstatic.sqlite3'}", "")
        run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "--clear", "-v0"],
            django_env(placeholder, secret),
            timeout=300,
            label="collectstatic",
        )
        for size in args.sizes:
            measure_size(args, args.db, size, clock, secret, report["runs"])
    except (OutOfTime, RuntimeError) as error:
        report["error"] = str(error)
        log(f"Stopped: {error}")
    except KeyboardInterrupt:
        log("Interrupted; servers stopped, nothing written.")
        return 130
    report["ratios"] = ratios(report["runs"])
    text = scrub(markdown(report))
    print()
    print(text)
    args.out.mkdir(parents=True, exist_ok=True)
    stem = args.out / f"{report['date']}-{args.db}"
    stem.with_suffix(".md").write_text(text)
    stem.with_suffix(".json").write_text(scrub(json.dumps(report, indent=2)) + "\n")
    log(f"Wrote {scrub(str(stem))}.md and .json")
    return 1 if report["error"] else 0


if __name__ == "__main__":
    sys.exit(main())
