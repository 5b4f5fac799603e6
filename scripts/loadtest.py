#!/usr/bin/env python
"""Load test: 50 visitors on gunicorn + PostgreSQL + Redis, then a database outage under load.

    .venv/bin/python scripts/with_postgres.py .venv/bin/python scripts/with_redis.py \\
        .venv/bin/python scripts/loadtest.py [--initiatives 50000] [--clients 50] [--duration 60]

`make loadtest` runs it. On the database DATABASE_URL names: `migrate`, `load_demo
--reference-only`, `generate_synthetic --seed 1`, ANALYZE, `collectstatic` (into a temporary
folder) and an account in the Editor group. Then gunicorn (`-c gunicorn.conf.py`, DEBUG off, plain
http on a free port of 127.0.0.1 only) and, from a fixed seed, a pool of URLs a visitor would
open: filtered list pages (40%), initiative pages (35%, among thousands, so mostly not cached),
region pages (15%) and filtered CSV exports of at most 2,000 rows (10%).

Phases, each bounded in time and each starting from an empty cache (FLUSHALL on Redis):
1. baseline: one client, requests back to back: the median of each kind of page;
2. load: the visitors (--clients), each waiting an exponential think time (--think, mean 1 s)
   between pages, for --duration seconds; the targets are measured here;
3. saturation probe: the same visitors without think time, to show the server's ceiling
   (reported, not compared with the baseline);
4. one heavy list page timed uncached (cache flushed before each request) and cached;
5. outage: the visitors again; PostgreSQL is stopped (fast) after 10 s and started 10 s later
   while an editor saves one initiative over and over through the admin (one save is sent just
   before the stop, to be in flight). Every response must be a cached page or the branded 503
   page with Retry-After, never a 500; the service must answer /healthz and an uncached page
   within 5 s of the restart; afterwards the database must hold each save answered 302 once,
   a refused one at most once (a commit that landed before the connection died), and a version,
   history and derived data (membership rows, search document) that agree: nothing half-written.

Prints a markdown report and writes it with the JSON under bench/results/<UTC date>-loadtest
(under var/loadtest/results/ when the size, clients, duration or think time are not the
defaults); gunicorn's logs go to var/loadtest/logs/. Exits
non-zero when a target is missed, not measured, or any response was a 500. Talks only to
127.0.0.1; gunicorn is stopped and PostgreSQL started again on every exit, and the whole run
has a time bound (--max-minutes).
"""

import argparse
import datetime
import http.client
import importlib.metadata
import itertools
import json
import os
import platform
import random
import re
import runpy
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookiejar import CookieJar
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from with_postgres import as_server_user  # noqa: E402

from bench import ROOT, Clock, Database, OutOfTime, analyze, children, free_port, log, run, scrub, server  # noqa: E402

WORK = Path("var/loadtest")  # relative to ROOT: logs, and the results of runs that are not the default
RESULTS = Path("bench/results")
DEFAULTS = {"initiatives": 50_000, "clients": 50, "duration": 60.0, "think": 1.0}
SEED = 1
WEIGHTS = {"list": 40, "detail": 35, "region": 15, "csv": 10}
HEADERS = {"Accept": "text/html,*/*;q=0.8", "Accept-Language": "en", "User-Agent": "ccb-loadtest"}
CACHED = ("hit", "stale")  # X-Cache values of a page served from the cache (stale: while the database is down)
HEAVY_LIST = "/initiatives/?region=africa&topic=cybercrime"
WORDS = ["training", "cybercrime", "strategy", "forensics", "awareness", "incident", "workforce", "privacy"]
CSV_ROWS = (1, 2000)  # a filtered export a visitor would download, not the whole table
BRAND = (b"CCB portal", b"Cyber Capacity Building")
EDITOR = "loadtest-editor"
BUSY_WARNING = 0.1  # the CPUs' share other processes used, beyond which the report says other work was running
TARGETS = {"p95_vs_single": 5.0, "cached_vs_uncached": 0.1, "recovery_s": 5.0, "healthz_s": 1.0}


# ---------------------------------------------------------------- requests


@dataclass
class Sample:
    """One response (or failure to get one), as a visitor saw it."""

    kind: str
    path: str
    started: float  # time.monotonic()
    seconds: float = 0.0
    status: int | None = None
    cache: str = ""  # the X-Cache header: hit, stale, miss, bypass, or "" when absent
    error: str = ""  # no response (refused, reset, timed out), or a body cut off
    problem: str = ""  # an error response that is not what it should be (no Retry-After, a traceback...)
    retried: bool = False  # the server had closed an idle keep-alive connection: reopened, as browsers do
    bytes: int = 0

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 400 and not self.error

    @property
    def refused(self) -> bool:
        """The designed answer while the database is down: the whole 503 page, with Retry-After."""
        return self.status == 503 and not self.problem and not self.error

    @property
    def outcome(self) -> str:
        if self.status is None:
            return "no response"
        return f"{self.status} cut off" if self.error else str(self.status)


def problem_of(status: int, headers, body: bytes) -> str:
    """What is wrong with an error response: a 503 must be the branded page with Retry-After."""
    problems = []
    if b"Traceback" in body:
        problems.append("a traceback in the body")
    if b"Server Error (500)" in body:
        problems.append("Django's bare 500 page")
    if status == 503:
        if not headers.get("Retry-After"):
            problems.append("no Retry-After")
        if "json" in (headers.get("Content-Type") or ""):
            try:
                json.loads(body)
            except ValueError:
                problems.append("JSON that does not parse")
        elif not any(mark in body for mark in BRAND):
            problems.append("not the portal's page")
    return "; ".join(problems)


class Visitor:
    """One browser: a keep-alive connection to the server, reopened when the server has closed it."""

    def __init__(self, port: int, timeout: float) -> None:
        self.port, self.timeout = port, timeout
        self.connection: http.client.HTTPConnection | None = None

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def get(self, kind: str, path: str) -> Sample:
        sample = Sample(kind, path, time.monotonic())
        try:
            response = self._response(path, sample)
            if response is not None:
                self._read(response, sample)
        finally:
            sample.seconds = time.monotonic() - sample.started
        return sample

    def _response(self, path: str, sample: Sample) -> http.client.HTTPResponse | None:
        for attempt in (1, 2):
            reused = self.connection is not None
            if self.connection is None:
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            try:
                self.connection.request("GET", path, headers=HEADERS)
                return self.connection.getresponse()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError) as error:
                self.close()
                if reused and attempt == 1:  # closed while idle, before this request: not an answer
                    sample.retried = True
                    continue
                sample.error = f"{type(error).__name__}: {error}"
            except (OSError, http.client.HTTPException) as error:
                self.close()
                sample.error = f"{type(error).__name__}: {error}"
            return None
        return None

    def _read(self, response: http.client.HTTPResponse, sample: Sample) -> None:
        sample.status = response.status
        sample.cache = (response.getheader("X-Cache") or "").strip().lower()
        try:
            body = response.read()
        except (OSError, http.client.HTTPException) as error:
            # The status and headers went out, then the body stopped: a streamed export cut off.
            self.close()
            sample.error = f"body cut off: {type(error).__name__}: {error}"
            return
        sample.bytes = len(body)
        if response.status >= 400:
            sample.problem = problem_of(response.status, response.headers, body)
        if response.will_close:
            self.close()


# ---------------------------------------------------------------- the URL pool


@dataclass
class Pool:
    urls: dict[str, list[str]]  # kind -> paths
    reserve: list[str]  # initiative pages no visitor opens: surely not cached
    curated_pk: int  # the initiative the editor saves during the outage
    csv_rows: list[int] = field(default_factory=list)

    def pick(self, rng: random.Random) -> tuple[str, str]:
        kind = rng.choices(list(WEIGHTS), weights=list(WEIGHTS.values()))[0]
        return kind, rng.choice(self.urls[kind])


def build_pool(seed: int) -> Pool:
    """Realistic URLs from the generated data, the same for the same data and seed."""
    from django.http import QueryDict

    from initiatives.models import Initiative
    from initiatives.selectors import search_initiatives
    from taxonomy.models import Region, Term

    rng = random.Random(seed)
    published = list(Initiative.objects.published().order_by("pk").values_list("pk", "slug"))
    if len(published) < 20:
        raise RuntimeError(f"only {len(published)} published initiatives: too few for a load test")
    rng.shuffle(published)
    # The editor's initiative must be complete enough to stay published through a save; some generated
    # ones are not (no beneficiary country or region), and the admin rightly refuses to save those as they are.
    curated_pk = published.pop()[0]
    while Initiative.objects.get(pk=curated_pk).missing_for_publication():
        curated_pk = published.pop()[0]
    reserve = [f"/initiatives/{slug}/" for _, slug in published[:500]]
    details = [f"/initiatives/{slug}/" for _, slug in published[500:5500]] or reserve

    regions = list(Region.objects.order_by("slug").values_list("slug", flat=True))
    topics = list(Term.objects.of("topic").order_by("slug").values_list("slug", flat=True))
    audiences = list(Term.objects.of("audience").order_by("slug").values_list("slug", flat=True))
    countries = sorted(set(Initiative.countries.through.objects.values_list("country_id", flat=True)))
    if not (regions and topics and audiences and countries):
        raise RuntimeError("the reference data is missing (regions, topics, audiences or countries)")

    def query(**params) -> str:
        return "/initiatives/?" + urllib.parse.urlencode(params)

    lists = ["/initiatives/", query(page=2)]
    lists += [query(region=rng.choice(regions), topic=rng.choice(topics)) for _ in range(15)]
    lists += [query(country=rng.choice(countries)) for _ in range(10)]
    lists += [query(q=word) for word in WORDS]
    lists += [query(topic=rng.choice(topics), sort=rng.choice(["title", "-start", "-updated"])) for _ in range(8)]
    lists += [query(region=rng.choice(regions), page=2) for _ in range(8)]
    lists += [query(audience=rng.choice(audiences), region=rng.choice(regions)) for _ in range(5)]
    region_pages = [f"/regions/{slug}/" for slug in regions]
    region_pages += [f"/regions/{slug}/?specific=1" for slug in rng.sample(regions, min(10, len(regions)))]

    exports, rows = [], []
    for _ in range(120):
        if len(exports) >= 20:
            break
        if rng.random() < 0.5:
            params = {"country": rng.choice(countries), "topic": rng.choice(topics)}
        else:
            params = {"region": rng.choice(regions), "topic": rng.choice(topics), "audience": rng.choice(audiences)}
        encoded = urllib.parse.urlencode(params)
        search = search_initiatives(QueryDict(encoded), facet_names=())
        count = search.queryset.count() if search.valid else 0
        if CSV_ROWS[0] <= count <= CSV_ROWS[1] and encoded not in exports:
            exports.append(encoded)
            rows.append(count)
    if not exports:
        raise RuntimeError("no filtered export of a modest size was found")
    return Pool(
        urls={
            "list": lists,
            "detail": details,
            "region": region_pages,
            "csv": [f"/initiatives/export.csv?{encoded}" for encoded in exports],
        },
        reserve=reserve,
        curated_pk=curated_pk,
        csv_rows=rows,
    )


def create_editor() -> str:
    """An account in the Editor group (created by the migrations); returns its password."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    password = secrets.token_urlsafe(24)
    user, _ = get_user_model().objects.get_or_create(username=EDITOR, defaults={"email": "loadtest@example.org"})
    user.is_staff = True
    user.set_password(password)
    user.save()
    user.groups.add(Group.objects.get(name="Editor"))
    return password


# ---------------------------------------------------------------- Redis


def redis_command(url: str, *words: str) -> bytes:
    """One command in Redis's protocol over a plain socket; returns the reply's first line or bulk value."""
    parts = urllib.parse.urlsplit(url)
    payload = f"*{len(words)}\r\n" + "".join(f"${len(word.encode())}\r\n{word}\r\n" for word in words)
    address = (parts.hostname or "127.0.0.1", parts.port or 6379)
    with socket.create_connection(address, timeout=10) as sock, sock.makefile("rb") as replies:
        sock.sendall(payload.encode())
        line = replies.readline().rstrip(b"\r\n")
        if line.startswith(b"-"):
            raise RuntimeError(f"Redis refused {words[0]}: {line.decode(errors='replace')}")
        if line.startswith(b"$"):
            length = int(line[1:])
            return replies.read(length) if length > 0 else b""
        return line


def flush_cache(url: str) -> None:
    if redis_command(url, "FLUSHALL") != b"+OK":
        raise RuntimeError("Redis did not flush")


def redis_version(url: str) -> str:
    for line in redis_command(url, "INFO", "server").decode().splitlines():
        if line.startswith("redis_version:"):
            return line.split(":", 1)[1].strip()
    return "?"


# ---------------------------------------------------------------- a crowd of visitors


def process_cpu(pid: int) -> float:
    """CPU seconds of a process and all its descendants, the ended ones included (reaped into cutime)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    own = sum(int(value) for value in fields[11:15]) / os.sysconf("SC_CLK_TCK")  # utime stime cutime cstime
    return own + sum(process_cpu(child) for child in children(pid))


def our_cpu() -> float:
    """CPU seconds of what the load test runs: Redis, this script and gunicorn (under scripts/with_redis.py,
    our parent) and PostgreSQL (a daemon: its postmaster and backends)."""
    total = process_cpu(os.getppid())
    try:
        postmaster = Path(os.environ["CCB_PG_DATADIR"], "postmaster.pid").read_text().split()[0]
    except (OSError, KeyError, IndexError):
        return total
    return total + process_cpu(int(postmaster))


class CpuMeter:
    """How busy the machine's CPUs were from creation to `shares()`, and how much of it was not ours."""

    def __init__(self) -> None:
        self.start = self._read()

    @staticmethod
    def _read() -> tuple[int, int, float]:
        values = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        return sum(values), values[3] + values[4], our_cpu()  # all ticks, idle + iowait ticks, our seconds

    def shares(self) -> dict:
        total, idle, ours = (now - then for now, then in zip(self._read(), self.start, strict=True))
        total = max(1, total)
        busy = 1 - idle / total
        mine = ours * os.sysconf("SC_CLK_TCK") / total
        return {"busy": busy, "ours": min(busy, mine), "others": max(0.0, busy - mine)}


class Crowd:
    """`clients` visitors for `seconds`, each opening pages of the pool with a think time between them."""

    def __init__(self, port: int, pool: Pool, *, clients: int, seconds: float, think: float, seed: int, timeout: float):
        self.port, self.pool, self.clients, self.seconds, self.think = port, pool, clients, seconds, think
        self.seed, self.timeout = seed, timeout
        self.samples: list[Sample] = []  # list.append is atomic: the threads share it
        self.halt = threading.Event()
        self.threads: list[threading.Thread] = []
        self.started = self.finished = 0.0
        self.cpu_seconds = 0.0
        self.machine: dict = {}

    def _visit(self, index: int) -> None:
        rng = random.Random(self.seed * 1000 + index)
        visitor = Visitor(self.port, self.timeout)
        deadline = self.started + self.seconds
        if self.think:  # arrive spread out, as visitors do, not all in the first millisecond
            self.halt.wait(rng.uniform(0, self.think))
        try:
            while not self.halt.is_set() and time.monotonic() < deadline:
                self.samples.append(visitor.get(*self.pool.pick(rng)))
                if self.think:
                    self.halt.wait(min(rng.expovariate(1 / self.think), max(0.0, deadline - time.monotonic())))
        finally:
            visitor.close()

    def start(self) -> "Crowd":
        self._cpu = time.process_time()
        self._meter = CpuMeter()
        self.started = time.monotonic()
        self.threads = [
            threading.Thread(target=self._visit, args=(index,), daemon=True, name=f"visitor-{index}")
            for index in range(self.clients)
        ]
        for thread in self.threads:
            thread.start()
        return self

    def join(self) -> "Crowd":
        try:
            for thread in self.threads:
                thread.join(timeout=max(0.0, self.started + self.seconds - time.monotonic()) + self.timeout + 5)
        finally:
            self.halt.set()
        self.finished = time.monotonic()
        self.cpu_seconds = time.process_time() - self._cpu
        self.machine = self._meter.shares()
        return self

    def run(self) -> "Crowd":
        return self.start().join()


def percentiles(values: list[float]) -> dict:
    if not values:
        return {"p50": None, "p95": None, "p99": None, "max": None}
    cuts = values * 99 if len(values) == 1 else statistics.quantiles(values, n=100, method="inclusive")
    return {"p50": cuts[49], "p95": cuts[94], "p99": cuts[98], "max": max(values)}


def describe(samples: list[Sample]) -> dict:
    """Counts, cache hits and latency percentiles (seconds) of some responses."""
    answered = [sample for sample in samples if sample.status is not None]
    hits = sum(sample.cache in CACHED for sample in answered)
    tagged = sum(sample.cache in (*CACHED, "miss") for sample in answered)
    misses = percentiles([sample.seconds for sample in answered if sample.cache == "miss"])
    return {
        "requests": len(samples),
        "errors": sum(not sample.ok for sample in samples),
        "x_cache": tagged,
        "hits": hits,
        "hit_ratio": hits / tagged if tagged else None,
        **percentiles([sample.seconds for sample in answered]),
        "misses": len(answered) - hits if tagged else None,
        "miss_p50": misses["p50"],
        "miss_p95": misses["p95"],
    }


def summary(name: str, crowd: Crowd) -> dict:
    samples = crowd.samples
    wall = crowd.finished - crowd.started
    statuses = Counter(sample.outcome for sample in samples)
    failures = [sample for sample in samples if not sample.ok]
    result = {
        "phase": name,
        "clients": crowd.clients,
        "think_s": crowd.think,
        "planned_s": crowd.seconds,
        "wall_s": wall,
        "throughput": len(samples) / wall if wall else None,
        "overall": describe(samples),
        "kinds": {kind: describe([s for s in samples if s.kind == kind]) for kind in WEIGHTS},
        "statuses": dict(sorted(statuses.items())),
        "reconnects": sum(sample.retried for sample in samples),
        "bytes": sum(sample.bytes for sample in samples),
        "generator_cpu_s": crowd.cpu_seconds,
        "machine_cpu": crowd.machine,
        "timeline": timeline(samples, crowd.started),
        "failures": [failure_row(sample, crowd.started) for sample in failures[:20]],
    }
    overall = result["overall"]
    log(
        f"  {name}: {len(samples)} requests in {wall:.1f} s ({result['throughput']:.1f}/s), "
        f"p50 {ms(overall['p50'])} p95 {ms(overall['p95'])} p99 {ms(overall['p99'])}, "
        f"{overall['errors']} errors, cache hits {ratio_text(overall['hit_ratio'])}"
    )
    return result


def timeline(samples: list[Sample], origin: float, step: float = 10.0) -> list[dict]:
    """The responses answered in each `step` seconds: how the phase went as the cache filled."""
    slices: dict[int, list[Sample]] = {}
    for sample in samples:
        slices.setdefault(int((sample.started + sample.seconds - origin) // step), []).append(sample)
    return [{"from_s": index * step, **describe(slices[index])} for index in sorted(slices)]


def failure_row(sample: Sample, origin: float) -> dict:
    return {
        "t": round(sample.started - origin, 3),
        "path": sample.path,
        "status": sample.status,
        "error": sample.error or sample.problem,
        "seconds": round(sample.seconds, 3),
    }


def compare_cache(port: int, redis_url: str, path: str, repeats: int, timeout: float) -> dict:
    """One page uncached (the cache flushed before each request) and cached (after one warm-up)."""
    visitor = Visitor(port, timeout)
    uncached, cached = [], []
    try:
        for _ in range(repeats):
            flush_cache(redis_url)
            uncached.append(visitor.get("list", path))
        visitor.get("list", path)
        for _ in range(repeats):
            cached.append(visitor.get("list", path))
    finally:
        visitor.close()
    result = {"path": path}
    for name, samples in (("uncached", uncached), ("cached", cached)):
        result[name] = {
            "median_s": statistics.median(sample.seconds for sample in samples),
            "statuses": dict(Counter(str(sample.status) for sample in samples)),
            "x_cache": dict(Counter(sample.cache or "(none)" for sample in samples)),
            "times_s": [round(sample.seconds, 4) for sample in samples],
        }
    answered = all(sample.status == 200 and not sample.error for sample in uncached + cached)
    result["ratio"] = result["cached"]["median_s"] / result["uncached"]["median_s"] if answered else None
    log(
        f"  {path}: uncached median {ms(result['uncached']['median_s'])} {result['uncached']['x_cache']}, "
        f"cached {ms(result['cached']['median_s'])} {result['cached']['x_cache']}: ratio {fraction(result['ratio'])}"
    )
    return result


# ---------------------------------------------------------------- the outage


class Postgres:
    """The throwaway cluster of scripts/with_postgres.py, stopped and started from here."""

    def __init__(self) -> None:
        self.pg_ctl = os.environ["CCB_PG_CTL"]
        self.datadir = os.environ["CCB_PG_DATADIR"]
        self.options = os.environ["CCB_PG_OPTIONS"]
        self.logfile = os.environ["CCB_PG_LOGFILE"]
        self.down = False

    def _pg_ctl(self, *words: str) -> None:
        argv = as_server_user([self.pg_ctl, "-D", self.datadir, *words])
        result = subprocess.run(argv, capture_output=True, text=True, timeout=60)
        if result.returncode != 0:
            raise RuntimeError(f"pg_ctl {words[-1]} failed: {result.stderr.strip() or result.stdout.strip()}")

    def stop(self) -> None:
        self.down = True
        self._pg_ctl("-m", "fast", "-w", "stop")

    def start(self) -> None:
        self._pg_ctl("-o", self.options, "-l", self.logfile, "-w", "start")
        self.down = False


class FormFields(HTMLParser):
    """The (name, value) pairs a browser would submit from one form of a page, in document order."""

    def __init__(self, form_id: str) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = self.found = False
        self.fields: list[tuple[str, str]] = []
        self._select: dict | None = None
        self._option: list | None = None  # [value, selected, text]
        self._textarea: list | None = None  # [name, chunks]

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            if not self.found and attrs.get("id") == self.form_id:
                self.inside = self.found = True
            return
        name = attrs.get("name")
        if not self.inside or "disabled" in attrs:
            return
        if tag == "input" and name and "__prefix__" not in name:
            kind = (attrs.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "file", "reset"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.fields.append((name, attrs.get("value") or "on"))
                return
            self.fields.append((name, attrs.get("value") or ""))
        elif tag == "select" and name and "__prefix__" not in name:
            self._select = {"name": name, "multiple": "multiple" in attrs, "options": []}
        elif tag == "option" and self._select is not None:
            self._end_option()
            self._option = [attrs.get("value"), "selected" in attrs, ""]
        elif tag == "textarea" and name and "__prefix__" not in name:
            self._textarea = [name, []]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1].append(data)
        elif self._option is not None:
            self._option[2] += data

    def _end_option(self) -> None:
        if self._option is not None and self._select is not None:
            value, selected, text = self._option
            self._select["options"].append((text.strip() if value is None else value, selected))
        self._option = None

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "option":
            self._end_option()
        elif tag == "select" and self._select is not None:
            self._end_option()
            options = self._select["options"]
            chosen = [value for value, selected in options if selected]
            if not chosen and not self._select["multiple"] and options:
                chosen = [options[0][0]]
            self.fields += [(self._select["name"], value) for value in chosen]
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            text = "".join(self._textarea[1])
            self.fields.append((self._textarea[0], text[1:] if text.startswith("\n") else text))
            self._textarea = None


def form_fields(body: bytes, form_id: str) -> list[tuple[str, str]]:
    parser = FormFields(form_id)
    parser.feed(body.decode("utf-8", errors="replace"))
    if not parser.found:
        raise RuntimeError(f"no form #{form_id} on the page")
    return parser.fields


def form_errors(body: bytes) -> str:
    """What an admin page that came back instead of a redirect says is wrong."""
    text = body.decode("utf-8", errors="replace")
    if 'id="login-form"' in text:
        return "(the login page: the session was lost)"
    found = re.findall(r'class="(?:errornote|errorlist)[^"]*"[^>]*>(.*?)</(?:p|ul)>', text, flags=re.S)
    return "; ".join(" ".join(re.sub(r"<[^>]+>", " ", item).split()) for item in found)[:500]


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 302 is the answer we want to see


class Curator(threading.Thread):
    """An editor in the admin, saving one initiative's change form (a new title each time) again and again."""

    HOLD = 3.0  # seconds a save may wait, its form open, to be sent at `post_at`

    def __init__(self, base: str, password: str, pk: int, *, seconds: float, timeout: float) -> None:
        super().__init__(daemon=True, name="curator")
        self.base, self.password, self.pk, self.seconds, self.timeout = base, password, pk, seconds, timeout
        # One save is sent at this moment (set to just before the database stops), to be in flight then.
        self.post_at: float | None = None
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()), NoRedirects)
        self.attempts: list[dict] = []
        self.halt = threading.Event()

    def request(self, path: str, fields: list[tuple[str, str]] | None = None) -> tuple[int, dict, bytes]:
        data = urllib.parse.urlencode(fields).encode() if fields is not None else None
        request = urllib.request.Request(self.base + path, data=data, headers={"User-Agent": "ccb-loadtest"})
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def log_in(self) -> None:
        path = "/admin/login/?next=/admin/"
        status, _, body = self.request(path)
        if status != 200:
            raise RuntimeError(f"the admin's login page answered {status}")
        fields = [
            (name, value) for name, value in form_fields(body, "login-form") if name not in ("username", "password")
        ]
        status, headers, _ = self.request(path, [*fields, ("username", EDITOR), ("password", self.password)])
        if status != 302:
            raise RuntimeError(f"the editor could not log in: {status}")

    def save(self, number: int) -> dict:
        path = f"/admin/initiatives/initiative/{self.pk}/change/"
        attempt = {"number": number, "t": time.monotonic(), "title": "", "get": None, "post": None, "detail": ""}
        try:
            status, headers, body = self.request(path)
            attempt["get"] = status
            if status != 200:
                attempt["detail"] = problem_of(status, headers, body)
                attempt["outcome"] = "not opened" if status == 503 and not attempt["detail"] else "failed"
                return attempt
            fields = form_fields(body, "initiative_form")
            base = next(value for name, value in fields if name == "title").split(" (load test save ")[0]
            attempt["title"] = f"{base} (load test save {number})"
            fields = [(name, attempt["title"] if name == "title" else value) for name, value in fields]
            if self.post_at is not None and 0 < self.post_at - time.monotonic() < self.HOLD:
                self.halt.wait(self.post_at - time.monotonic())
                self.post_at = None
            attempt["post_t"] = time.monotonic()
            status, headers, body = self.request(path, [*fields, ("_save", "Save")])
            attempt["post"] = status
            if status == 302 and "/change/" not in headers.get("Location", ""):
                attempt["outcome"] = "stored"
            elif status == 503:
                attempt["detail"] = problem_of(status, headers, body)
                attempt["outcome"] = "failed" if attempt["detail"] else "refused"
            else:
                attempt["outcome"] = "failed"
                attempt["detail"] = f"answered {status} {headers.get('Location', '')} {form_errors(body)}".strip()
        except (OSError, http.client.HTTPException, RuntimeError, StopIteration) as error:
            attempt["outcome"] = "failed"
            attempt["detail"] = f"{type(error).__name__}: {error}"
        finally:
            attempt["answered_t"] = time.monotonic()
            attempt["seconds"] = round(attempt["answered_t"] - attempt["t"], 3)
        return attempt

    def run(self) -> None:
        number, until = 0, time.monotonic() + self.seconds
        while not self.halt.is_set() and time.monotonic() < until:
            number += 1
            self.attempts.append(self.save(number))
            self.halt.wait(0.3)


def initiative_state(pk: int) -> dict:
    """What the database holds for one initiative: its row, its history and its derived rows."""
    from django.db import transaction

    from initiatives.membership import refresh_membership
    from initiatives.models import FootprintCountry, Initiative, RegionReach, TermMembership

    def rows(model, *fields: str) -> list[str]:
        return sorted(map(repr, model.objects.filter(initiative_id=pk).values_list(*fields)))

    def derived() -> dict:
        row = Initiative.objects.filter(pk=pk).values("title", "version", "export_cells", "search_vector").get()
        return {
            "row": {key: str(value) for key, value in row.items()},
            # Without the rows' own ids, which a refresh renews.
            "footprint": rows(FootprintCountry, "country_id", "reach", "via_id"),
            "regions": rows(RegionReach, "region_id", "reach", "via_id", "specific"),
            "terms": rows(TermMembership, "term_id"),
        }

    stored = derived()
    # What the derived data should be, recomputed now; rolled back, so nothing changes.
    with transaction.atomic():
        refresh_membership([pk])
        fresh = derived()
        transaction.set_rollback(True)
    history = list(
        Initiative.history.filter(id=pk).order_by("history_id").values_list("history_id", "title", "version")
    )
    return {
        "title": stored["row"]["title"],
        "version": int(stored["row"]["version"]),
        "history": history,
        "derived_differs": [part for part in stored if stored[part] != fresh[part]],
    }


def verify_saves(before: dict, after: dict, attempts: list[dict]) -> dict:
    """Every save answered 302 is in the database once; a refused one at most once; nothing else, nothing half."""
    new = [entry for entry in after["history"] if entry[0] > (before["history"][-1][0] if before["history"] else 0)]
    titles = Counter(title for _, title, _ in new)
    stored = [attempt for attempt in attempts if attempt["outcome"] == "stored"]
    refused = [attempt for attempt in attempts if attempt["outcome"] == "refused"]
    problems = []
    for attempt in stored:
        if titles[attempt["title"]] != 1:
            problems.append(
                f"save {attempt['number']} answered 302 but is in the history {titles[attempt['title']]} times"
            )
    landed = [attempt["number"] for attempt in refused if titles[attempt["title"]]]
    known = {attempt["title"] for attempt in stored + refused}
    problems += [
        f"a history entry no stored or refused save explains: {title!r}" for title in titles if title not in known
    ]
    problems += [f"{title!r} is in the history {count} times" for title, count in titles.items() if count > 1]
    expected_version = before["version"] + len(new)
    if after["version"] != expected_version:
        problems.append(
            f"version {after['version']}, expected {expected_version} ({len(new)} entries after {before['version']})"
        )
    if [version for _, _, version in new] != list(range(before["version"] + 1, expected_version + 1)):
        problems.append(f"history versions {[version for _, _, version in new]} are not consecutive")
    last_title = new[-1][1] if new else before["title"]
    if after["title"] != last_title:
        problems.append(f"the title is {after['title']!r}, the last history entry says {last_title!r}")
    problems += [f"derived data ({part}) differs from a fresh recompute" for part in after["derived_differs"]]
    return {
        "attempts": len(attempts),
        "outcomes": dict(Counter(attempt["outcome"] for attempt in attempts)),
        "stored": len(stored),
        "refused": len(refused),
        "refused_but_landed": landed,
        "history_entries_added": len(new),
        "version_before": before["version"],
        "version_after": after["version"],
        "problems": problems,
    }


def outage(args, port: int, pool: Pool, redis_url: str, password: str, postgres: Postgres, clock: Clock) -> dict:
    """The crowd again; PostgreSQL stopped after `outage_at` seconds for `outage_for`; an editor saving all along."""
    from django.db import connection

    base = f"http://127.0.0.1:{port}"
    before = initiative_state(pool.curated_pk)
    connection.close()  # the server goes away under it
    curator = Curator(base, password, pool.curated_pk, seconds=args.outage_seconds, timeout=args.request_timeout)
    curator.log_in()
    flush_cache(redis_url)
    health: list[tuple[float, int | None, float]] = []
    monitor_halt = threading.Event()

    def monitor() -> None:  # /healthz every 250 ms: how fast it answers while the database is down
        visitor = Visitor(port, args.request_timeout)
        while not monitor_halt.is_set():
            sample = visitor.get("health", "/healthz")
            health.append((sample.started, sample.status, sample.seconds))
            monitor_halt.wait(0.25)
        visitor.close()

    crowd = Crowd(
        port, pool, clients=args.clients, seconds=args.outage_seconds, think=args.think, seed=SEED + 2,
        timeout=args.request_timeout,
    )  # fmt: skip
    events: dict[str, float] = {}
    probes: list[dict] = []
    watcher = threading.Thread(target=monitor, daemon=True, name="healthz")
    crowd.start()
    origin = crowd.started
    curator.post_at = origin + args.outage_at - 0.05
    curator.start()
    watcher.start()

    def step(name: str, moment: float, action) -> None:
        time.sleep(max(0.0, moment - time.monotonic()))
        log(f"  {name} PostgreSQL at t={time.monotonic() - origin:.1f} s")
        events[f"{name}_issued"] = time.monotonic()
        action()
        events[f"{name}_returned"] = time.monotonic()

    try:
        step("stop", origin + args.outage_at, postgres.stop)
        step("start", events["stop_issued"] + args.outage_for, postgres.start)
        # Recovered: /healthz and a page no one has opened (so not in the cache) both answer 200.
        prober = Visitor(port, args.request_timeout)
        deadline = events["start_returned"] + 60
        for path in itertools.cycle(pool.reserve):  # a 503 is not cached: a page comes back uncached
            health_sample = prober.get("health", "/healthz")
            page = prober.get("detail", path)
            probes.append(
                {"t": round(health_sample.started - origin, 3), "healthz": health_sample.status, "page": page.status}
            )
            if health_sample.status == 200 and page.status == 200:
                events["recovered"] = page.started + page.seconds
                break
            if time.monotonic() > deadline:
                break
            time.sleep(0.1)
        prober.close()
        recovery = events.get("recovered", 0) - events["start_returned"] if "recovered" in events else None
        log(f"  recovered {'never' if recovery is None else f'{recovery:.2f} s'} after PostgreSQL's start returned")
    except BaseException:  # interrupted or out of time: the visitors and the editor stop now
        crowd.halt.set()
        curator.halt.set()
        raise
    finally:
        if postgres.down:
            log("  starting PostgreSQL again")
            postgres.start()
        crowd.join()
        curator.halt.set()
        curator.join(timeout=args.request_timeout + 5)
        monitor_halt.set()
        watcher.join(timeout=args.request_timeout + 5)
    clock.check()
    connection.close()
    after = initiative_state(pool.curated_pk)
    saves = verify_saves(before, after, curator.attempts)
    return outage_report(crowd, events, probes, health, curator.attempts, saves, origin)


def outage_report(crowd, events, probes, health, attempts, saves, origin) -> dict:
    down_from = events.get("stop_issued", float("inf"))
    recovered = events.get("recovered", crowd.finished)
    # By the time of the answer: a request sent before the stop may be answered while the database is down.
    windows = {"answered before the stop": [], "answered during the outage": [], "answered after recovery": []}
    unexplained, failures = [], []
    for sample in crowd.samples:
        ended = sample.started + sample.seconds
        if ended < down_from:
            windows["answered before the stop"].append(sample)
        elif ended < recovered:
            windows["answered during the outage"].append(sample)
        else:
            windows["answered after recovery"].append(sample)
        # A page from the database while it was down: the cache must have served it, and said so.
        if (
            sample.ok
            and sample.cache not in CACHED
            and sample.started >= events.get("stop_returned", float("inf"))
            and ended <= events.get("start_issued", 0)
        ):
            unexplained.append(sample)
        if not (sample.ok or sample.refused):
            failures.append(sample)
    refused_after = [
        sample.started - events["start_returned"]
        for sample in crowd.samples
        if "start_returned" in events and sample.started >= events["start_returned"] and not sample.ok
    ]
    during_health = [seconds for started, _, seconds in health if down_from <= started < recovered]

    def classify(samples: list[Sample]) -> dict:
        counts = Counter()
        for sample in samples:
            if sample.error:
                counts[sample.outcome] += 1
            elif sample.ok:
                source = f"X-Cache: {sample.cache}" if sample.cache in CACHED else "rendered"
                counts[f"{sample.status} {source}"] += 1
            elif sample.refused:
                counts["503 page with Retry-After"] += 1
            else:
                counts[f"{sample.status} (failure)"] += 1
        return dict(sorted(counts.items()))

    relative = {name: round(value - origin, 3) for name, value in events.items()}
    return {
        "events_s": relative,
        "recovery_s": events["recovered"] - events["start_returned"] if "recovered" in events else None,
        "last_refusal_after_restart_s": max(refused_after) if refused_after else None,
        "first_refusal_s": min(
            (round(sample.started - origin, 3) for sample in crowd.samples if sample.status == 503), default=None
        ),
        "saves_before_stop": [
            round(attempt["answered_t"] - origin, 3)
            for attempt in attempts
            if attempt["outcome"] == "stored" and attempt["answered_t"] < down_from
        ],
        "probes": probes,
        "healthz_max_s_during_outage": max(during_health) if during_health else None,
        "healthz_statuses_during_outage": dict(
            Counter(str(status) for started, status, _ in health if down_from <= started < recovered)
        ),
        "windows": {name: classify(samples) for name, samples in windows.items()},
        "phase": {
            "clients": crowd.clients,
            "think_s": crowd.think,
            "planned_s": crowd.seconds,
            "requests": len(crowd.samples),
            "statuses": dict(Counter(sample.outcome for sample in crowd.samples)),
        },
        "failures": len(failures) + len(unexplained),
        "failure_examples": [failure_row(sample, origin) for sample in (failures + unexplained)[:20]],
        "unexplained_200": len(unexplained),
        "curator": {
            **saves,
            "in_flight_at_stop": [
                f"save {attempt['number']} (sent at t={attempt['post_t'] - origin:.2f} s, {attempt['outcome']} at "
                f"t={attempt['answered_t'] - origin:.2f} s)"
                for attempt in attempts
                if attempt.get("post_t", float("inf")) <= down_from <= attempt["answered_t"]
            ],
            "attempt_log": [
                {
                    **attempt,
                    **{key: round(attempt[key] - origin, 3) for key in ("t", "post_t", "answered_t") if key in attempt},
                    "title": attempt["title"][-20:],
                }
                for attempt in attempts
            ],
        },
    }


# ---------------------------------------------------------------- report


def ms(value) -> str:
    return "–" if value is None else f"{value * 1000:.0f} ms"


def fraction(value) -> str:
    return "–" if value is None else f"{value:.3f}"


def ratio_text(value) -> str:
    return "–" if value is None else f"{value:.0%}"


def server_errors(statuses: dict) -> int:
    """Responses 500 and above other than 503 (which is the designed answer while the database is down)."""
    return sum(
        count for status, count in statuses.items() if status.isdigit() and int(status) >= 500 and status != "503"
    )


def targets(report: dict) -> list[dict]:
    phases, outage_result, cache = report["phases"], report.get("outage"), report.get("cache")
    rows = []

    def add(name: str, value, target, note: str = "") -> None:
        met = None if value is None or target is None else value <= target
        rows.append({"target": name, "value": value, "limit": target, "met": met, "note": note})

    for name in ("load", "saturation"):
        phase = phases.get(name)
        label = "load" if name == "load" else "the saturation probe (no think time)"
        add(f"errors in {label} (non-2xx/3xx or no response)", phase["overall"]["errors"] if phase else None, 0)
    load, single = phases.get("load"), phases.get("baseline")
    for kind in WEIGHTS:
        p95 = load["kinds"][kind]["p95"] if load else None
        median = single["kinds"][kind]["p50"] if single else None
        value = p95 / median if p95 is not None and median else None
        add(
            f"{kind}: p95 under load / single-client median",
            value,
            TARGETS["p95_vs_single"],
            f"{ms(p95)} / {ms(median)}",
        )
    add(
        "cached / uncached median of one heavy list page",
        cache["ratio"] if cache else None,
        TARGETS["cached_vs_uncached"],
        f"{ms(cache['cached']['median_s'])} / {ms(cache['uncached']['median_s'])}" if cache else "",
    )
    statuses = [phase["statuses"] for phase in phases.values()]
    if cache:
        statuses += [cache["uncached"]["statuses"], cache["cached"]["statuses"]]
    if outage_result:
        statuses.append(outage_result["phase"]["statuses"])
        statuses += [
            {str(attempt[step]): 1} for attempt in outage_result["curator"]["attempt_log"] for step in ("get", "post")
        ]
    measured = bool(phases) and outage_result is not None
    add(
        "responses 500 or above, other than 503, in all phases",
        sum(map(server_errors, statuses)) if measured else None,
        0,
    )
    if outage_result:
        add(
            "outage: responses neither a cached page nor the 503 page with Retry-After",
            outage_result["failures"],
            0,
        )
        add(
            "outage: recovery (after PostgreSQL's start returned, /healthz and an uncached page both 200)",
            outage_result["recovery_s"],
            TARGETS["recovery_s"],
        )
        last = outage_result["last_refusal_after_restart_s"]
        add(
            "outage: the last visitor request refused after the restart started",
            last or 0.0,
            TARGETS["recovery_s"],
            "none refused after the restart" if last is None else "",
        )
        add(
            "outage: slowest /healthz answer while the database was down",
            outage_result["healthz_max_s_during_outage"],
            TARGETS["healthz_s"],
        )
        curator = outage_result["curator"]
        add(
            "outage: curator saves failed, or not exactly as the database holds them",
            len(curator["problems"]) + curator["outcomes"].get("failed", 0),
            0,
        )
    else:
        add("outage phase", None, 0, "not run")
    return rows


def markdown(report: dict) -> str:
    p = report["parameters"]
    lines = [
        f"# Load test, {report['date']}",
        "",
        f"Made by `make loadtest` (`{report['command']}`): gunicorn (`-c gunicorn.conf.py`, DEBUG off) + PostgreSQL "
        "(the throwaway cluster of scripts/with_postgres.py) + Redis (scripts/with_redis.py), all on this machine "
        "with the load generator (Python threads, one keep-alive connection per visitor, no cookies), on 127.0.0.1. "
        "Times are to the last byte of the response. Every phase starts from an empty cache (Redis FLUSHALL).",
        "",
        "Environment: " + ", ".join(f"{key} {value}" for key, value in report["environment"].items()),
        "",
        other_work(report),
        "",
        "Parameters: " + ", ".join(f"{key} {value}" for key, value in p.items()),
        "",
        "Data: " + ", ".join(f"{key} {value}" for key, value in report.get("setup", {}).items()),
        "",
        "URL pool (fixed seed): "
        + ", ".join(f"{kind} {weight}% of {report['pool'].get(kind, '?')} URLs" for kind, weight in WEIGHTS.items())
        + f"; CSV exports of {report['pool'].get('csv_rows', '?')} rows.",
        "",
        "## Phases",
        "",
        "| phase | clients | think (mean) | seconds | requests | req/s | p50 | p95 | p99 | max | errors | hits |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, phase in report["phases"].items():
        overall = phase["overall"]
        lines.append(
            f"| {name} | {phase['clients']} | {phase['think_s']:g} s | {phase['wall_s']:.1f} | {overall['requests']} | "
            f"{phase['throughput']:.1f} | {ms(overall['p50'])} | {ms(overall['p95'])} | {ms(overall['p99'])} | "
            f"{ms(overall['max'])} | {overall['errors']} | {hits(overall)} |"
        )
    lines += [
        "",
        "*baseline*: one client, requests back to back, over the same URL pool. *load*: the targets' phase, visitors "
        "with an exponential think time between pages. *saturation*: the same visitors without think time, to show "
        "the ceiling; its latencies are queueing at the server, not compared with the baseline.",
        "",
        "| kind | " + " | ".join(f"{name} n | p50 | p95 | p99 | hits" for name in report["phases"]) + " |",
        "|---|" + "---:|---:|---:|---:|---:|" * len(report["phases"]),
    ]
    for kind in WEIGHTS:
        cells = []
        for phase in report["phases"].values():
            row = phase["kinds"][kind]
            cells += [str(row["requests"]), ms(row["p50"]), ms(row["p95"]), ms(row["p99"]), hits(row)]
        lines.append(f"| {kind} | " + " | ".join(cells) + " |")
    single, load = report["phases"].get("baseline"), report["phases"].get("load")
    if single and load:
        lines += [
            "",
            "Pages rendered (X-Cache: miss) only, without a target: how much of the load's p95 is queueing "
            "rather than the mix of cached and rendered pages.",
            "",
            "| kind | baseline misses | median | load misses | p95 | p95 / median |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for kind in WEIGHTS:
            base, under = single["kinds"][kind], load["kinds"][kind]
            value = under["miss_p95"] / base["miss_p50"] if under["miss_p95"] and base["miss_p50"] else None
            lines.append(
                f"| {kind} | {base['misses'] if base['misses'] is not None else '–'} | {ms(base['miss_p50'])} | "
                f"{under['misses'] if under['misses'] is not None else '–'} | {ms(under['miss_p95'])} | "
                f"{'–' if value is None else f'{value:.1f}'} |"
            )
    if load and load["timeline"]:
        lines += [
            "",
            "The load phase by the time of the answer (the cache fills as it goes):",
            "",
            "| seconds | " + " | ".join(f"{row['from_s']:g}–{row['from_s'] + 10:g}" for row in load["timeline"]) + " |",
            "|---|" + "---:|" * len(load["timeline"]),
            "| answers | " + " | ".join(str(row["requests"]) for row in load["timeline"]) + " |",
            "| p95 | " + " | ".join(ms(row["p95"]) for row in load["timeline"]) + " |",
            "| hits | " + " | ".join(hits(row) for row in load["timeline"]) + " |",
        ]
    lines += ["", "Statuses: " + "; ".join(f"{name} {phase['statuses']}" for name, phase in report["phases"].items())]
    lines += [
        "Keep-alive connections the server had closed while a visitor was thinking (reopened and retried, as "
        "browsers do): " + "; ".join(f"{name} {phase['reconnects']}" for name, phase in report["phases"].items()),
        "Load generator CPU: "
        + "; ".join(f"{name} {phase['generator_cpu_s']:.1f} s" for name, phase in report["phases"].items())
        + ". The machine's CPUs busy, all told (of which the load test's processes): "
        + "; ".join(
            f"{name} {phase['machine_cpu']['busy']:.0%} ({phase['machine_cpu']['ours']:.0%})"
            for name, phase in report["phases"].items()
        )
        + ".",
    ]
    for name, phase in report["phases"].items():
        if phase["failures"]:
            lines += ["", f"First failures, {name}:", ""]
            lines += [f"- t={row['t']} s `{row['path']}`: {row['status']} {row['error']}" for row in phase["failures"]]
    cache = report.get("cache")
    if cache:
        lines += [
            "",
            "## Cached and uncached",
            "",
            f"`{cache['path']}`, {len(cache['uncached']['times_s'])} requests each: uncached (the cache flushed "
            f"before each) median {ms(cache['uncached']['median_s'])}, X-Cache {cache['uncached']['x_cache']}; cached "
            f"(after one warm-up) median {ms(cache['cached']['median_s'])}, X-Cache {cache['cached']['x_cache']}: "
            f"ratio {fraction(cache['ratio'])} (statuses {cache['uncached']['statuses']}, "
            f"{cache['cached']['statuses']}).",
        ]
    result = report.get("outage")
    if result:
        events = result["events_s"]
        curator = result["curator"]
        lines += [
            "",
            "## Database outage under load",
            "",
            f"{result['phase']['clients']} visitors (think {result['phase']['think_s']:g} s) for "
            f"{result['phase']['planned_s']:g} s, {result['phase']['requests']} requests; PostgreSQL stopped "
            "(`pg_ctl -m fast stop`) and started again (`pg_ctl -w start`). Times from the phase's start: "
            + ", ".join(f"{name.replace('_', ' ')} {value:.2f} s" for name, value in events.items())
            + ".",
            "",
            f"Recovery: {seconds(result['recovery_s'])} from PostgreSQL's start returning to /healthz and a page no "
            f"visitor had opened both answering 200 (polled every 100 ms, {len(result['probes'])} probes). Visitor "
            f"requests refused: the first started at t={seconds(result['first_refusal_s'])} (in flight when the "
            "stop came, or after it); the last one started "
            + (
                "before the restart"
                if result["last_refusal_after_restart_s"] is None
                else f"{seconds(result['last_refusal_after_restart_s'])} after the start returned"
            )
            + ". "
            f"/healthz while the database was down: {result['healthz_statuses_during_outage']}, slowest "
            f"{ms(result['healthz_max_s_during_outage'])}.",
            "",
            "| window (the outage: from the stop to the recovery) | responses |",
            "|---|---|",
        ]
        lines += [f"| {name} | {counts} |" for name, counts in result["windows"].items()]
        lines += [
            "",
            f"Failures (a 500 or other error, a 503 without Retry-After or not the portal's page, a traceback, no "
            f"response, or a 200 from the database while it was down): **{result['failures']}**"
            f" ({result['unexplained_200']} of them 200s rendered while the database was down).",
            "",
            "Pages served from the cache while the database is down are those of the last data revision the "
            "server saw; each save the editor stored made a new revision, so only pages cached after the last "
            "stored save before the stop could be served: stored saves before the stop (answered) at t="
            + (", ".join(f"{t:.1f}" for t in result["saves_before_stop"]) or "(none)")
            + " s.",
        ]
        lines += [
            f"- t={row['t']} s `{row['path']}`: {row['status']} {row['error']}" for row in result["failure_examples"]
        ]
        lines += [
            "",
            f"Curator: an editor saved initiative {report['parameters'].get('curated initiative', '?')}'s change form "
            f"(a new title each time) throughout the phase: {curator['attempts']} attempts, {curator['outcomes']} "
            "(*stored*: 302; *refused*: 503 to the POST; *not opened*: 503 to the form's GET). In the database "
            f"afterwards: {curator['history_entries_added']} history entries added, version "
            f"{curator['version_before']} -> {curator['version_after']}"
            + (
                f"; refused saves whose commit landed before the connection died: {curator['refused_but_landed']}"
                if curator["refused_but_landed"]
                else ""
            )
            + ". Saves in flight when PostgreSQL was stopped: "
            + (", ".join(curator["in_flight_at_stop"]) or "none")
            + ". "
            + (
                "Every stored save is there once, the title is the last one, the versions are consecutive and the "
                "derived data (footprint, regions reached, terms, search document, export cells) equals a fresh "
                "recompute: nothing half-written."
                if not curator["problems"]
                else "**Problems:** " + "; ".join(curator["problems"])
            ),
        ]
    lines += ["", "## Targets", "", "| target | value | limit | |", "|---|---:|---:|---|"]
    for row in report["targets"]:
        verdict = "not measured" if row["met"] is None else ("met" if row["met"] else "**missed**")
        value = (
            "–" if row["value"] is None else f"{row['value']:.3g}" if isinstance(row["value"], float) else row["value"]
        )
        note = f" ({row['note']})" if row["note"] else ""
        lines.append(f"| {row['target']}{note} | {value} | <= {row['limit']} | {verdict} |")
    if report.get("server_log"):
        lines += ["", f"Server log: {report['server_log']}."]
    if report.get("error"):
        lines += ["", "## Not finished", "", f"The run stopped early: {report['error']}"]
    return "\n".join(lines) + "\n"


def other_work(report: dict) -> str:
    """Whether other processes shared the CPUs: they would lower every figure."""
    shares = {"the 2 s before the run": report["machine_cpu_before"]["others"]}
    shares.update({f"the {name} phase": phase["machine_cpu"]["others"] for name, phase in report["phases"].items()})
    text = "Other processes (not the load test's) used " + ", ".join(
        f"{share:.0%} of the CPUs in {name}" for name, share in shares.items()
    )
    busy = [name for name, share in shares.items() if share > BUSY_WARNING]
    if busy:
        return text + f". **Other work was running ({', '.join(busy)}): the figures are lower than the server can do.**"
    return text + "."


def hits(row: dict) -> str:
    if not row["x_cache"]:
        return "no X-Cache" if row["requests"] else "–"
    return f"{row['hit_ratio']:.0%}"


def seconds(value) -> str:
    return "–" if value is None else f"{value:.2f} s"


def versions(redis_url: str) -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    connection.close()
    try:
        model = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    except (OSError, StopIteration):
        model = platform.machine()
    return {
        "Python": platform.python_version(),
        "Django": importlib.metadata.version("django"),
        "gunicorn": importlib.metadata.version("gunicorn"),
        "PostgreSQL": postgres,
        "Redis": redis_version(redis_url),
        "CPUs": f"{os.cpu_count()} ({model})",
    }


# ---------------------------------------------------------------- the run


def server_env(database_url: str, redis_url: str, port: int, static: str) -> dict:
    """Production's settings (DEBUG off, a real key, the page cache in Redis), plain http on 127.0.0.1."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update(
        DATABASE_URL=database_url,
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_HTTPS="0",
        DJANGO_STATIC_ROOT=static,
        DJANGO_REDIS_URL=redis_url,
        DJANGO_LOG_LEVEL="WARNING",
        # with_postgres.py's statement timeout (10 s) stays on for the server: a runaway query fails.
        DATABASE_STATEMENT_TIMEOUT_MS=os.environ.get("DATABASE_STATEMENT_TIMEOUT_MS", "0"),
        HOST="127.0.0.1",
        PORT=str(port),
        GUNICORN_ACCESS_LOG=str(ROOT / WORK / "logs" / "gunicorn-access.log"),
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


def prepare(args, env: dict, clock: Clock) -> dict:
    """The data set on DATABASE_URL's database, and the static files."""
    python = sys.executable
    setup = dict(env, DATABASE_STATEMENT_TIMEOUT_MS="0")  # loading is not what the statement timeout guards
    timings = {}
    for label, argv in (
        ("migrate", ["migrate", "--noinput", "-v0"]),
        ("load_demo --reference-only", ["load_demo", "--reference-only"]),
        ("generate_synthetic", ["generate_synthetic", "--initiatives", str(args.initiatives), "--seed", str(SEED)]),
        ("collectstatic", ["collectstatic", "--noinput", "--clear", "-v0"]),
    ):
        started = time.monotonic()
        run([python, "manage.py", *argv], setup, timeout=max(60, clock.left()), label=label)
        timings[f"{label} (s)"] = round(time.monotonic() - started, 1)
        clock.check()
    # What autovacuum does shortly after a bulk load (the throwaway cluster runs without it).
    analyze(Database("postgres", env["DATABASE_URL"], ""))
    return timings


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--initiatives", type=int, default=DEFAULTS["initiatives"], help="generated (default 50000)")
    parser.add_argument("--clients", type=int, default=DEFAULTS["clients"], help="concurrent visitors (default 50)")
    parser.add_argument("--duration", type=float, default=DEFAULTS["duration"], help="load phase, seconds (default 60)")
    parser.add_argument(
        "--think", type=float, default=DEFAULTS["think"], help="mean think time between pages, seconds (default 1)"
    )
    parser.add_argument("--baseline-seconds", type=float, default=30, help="single-client phase (default 30)")
    parser.add_argument("--saturation-seconds", type=float, default=20, help="no-think-time probe (default 20)")
    parser.add_argument("--outage-seconds", type=float, default=40, help="outage phase (default 40)")
    parser.add_argument("--outage-at", type=float, default=10, help="stop PostgreSQL this far into it (default 10)")
    parser.add_argument("--outage-for", type=float, default=10, help="start it again this much later (default 10)")
    parser.add_argument("--cache-repeats", type=int, default=15, help="requests each, cached and uncached (default 15)")
    parser.add_argument("--request-timeout", type=float, default=30, help="seconds before a request fails")
    parser.add_argument("--max-minutes", type=float, default=15, help="bound on the whole run (default 15)")
    parser.add_argument("--out", type=Path, help="results folder (default bench/results, or var/loadtest/results)")
    args = parser.parse_args(argv)
    if args.outage_at + args.outage_for >= args.outage_seconds:
        parser.error("--outage-at + --outage-for must leave time for the recovery within --outage-seconds")
    if args.out is None:
        default = all(getattr(args, name) == value for name, value in DEFAULTS.items())
        args.out = ROOT / (RESULTS if default else WORK / "results")
    return args


def out_of_time(signum, frame):
    raise OutOfTime("the run's time bound was reached")


def main(argv=None) -> int:
    args = parse_args(argv)
    database_url, redis_url = os.environ.get("DATABASE_URL", ""), os.environ.get("DJANGO_REDIS_URL", "")
    missing = [
        name
        for name in ("CCB_PG_CTL", "CCB_PG_DATADIR", "CCB_PG_OPTIONS", "CCB_PG_LOGFILE")
        if not os.environ.get(name)
    ]
    if not database_url.startswith("postgres") or missing or not redis_url:
        sys.exit(
            "Run it through scripts/with_postgres.py and scripts/with_redis.py (make loadtest): it needs "
            "DATABASE_URL, DJANGO_REDIS_URL and the CCB_PG_* variables to stop and start PostgreSQL."
        )
    # Ctrl-C and a termination unwind through every `finally`: gunicorn stopped, PostgreSQL started again.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    signal.signal(signal.SIGALRM, out_of_time)
    clock = Clock(args.max_minutes * 60)
    signal.alarm(int(clock.seconds))
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ccb_portal.settings")
    import django

    django.setup()
    (ROOT / WORK / "logs").mkdir(parents=True, exist_ok=True)
    static = tempfile.mkdtemp(prefix="ccb-loadtest-static-")
    port = free_port()
    env = server_env(database_url, redis_url, port, static)
    gunicorn_settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    meter = CpuMeter()
    time.sleep(2)
    report = {
        # Everything shares the machine's CPUs: other work running meanwhile lowers every figure.
        "machine_cpu_before": meter.shares(),
        "date": datetime.datetime.now(datetime.UTC).date().isoformat(),
        "command": " ".join(["scripts/loadtest.py", *(argv if argv is not None else sys.argv[1:])]),
        "environment": versions(redis_url),
        "parameters": {
            "initiatives": args.initiatives,
            "clients": args.clients,
            "load seconds": args.duration,
            "think time mean (s)": args.think,
            "baseline seconds": args.baseline_seconds,
            "saturation seconds": args.saturation_seconds,
            "outage": f"{args.outage_seconds:g} s, PostgreSQL down from {args.outage_at:g} s for {args.outage_for:g} s",
            "gunicorn": f"{gunicorn_settings.get('workers')} x {gunicorn_settings.get('worker_class')} "
            f"({gunicorn_settings.get('threads')} threads)",
            "statement timeout (ms)": env["DATABASE_STATEMENT_TIMEOUT_MS"],
            "request timeout (s)": args.request_timeout,
            "seed": SEED,
        },
        "setup": {},
        "pool": {},
        "phases": {},
        "error": "",
    }
    postgres = Postgres()
    log(f"Load test: {args.initiatives:,} initiatives, {args.clients} clients, {args.duration:g} s")
    try:
        report["setup"] = prepare(args, env, clock)
        pool = build_pool(SEED)
        from initiatives.models import Initiative

        report["setup"]["published"] = Initiative.objects.published().count()
        report["pool"] = {kind: len(urls) for kind, urls in pool.urls.items()}
        report["pool"]["csv_rows"] = (
            f"{min(pool.csv_rows)} to {max(pool.csv_rows)} (median {statistics.median(pool.csv_rows):g})"
        )
        report["parameters"]["curated initiative"] = pool.curated_pk
        password = create_editor()
        from django.db import connection

        connection.close()
        logfile = ROOT / WORK / "logs" / "gunicorn.log"
        with server(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "ccb_portal.wsgi"],
            env,
            name="gunicorn",
            health_url=f"http://127.0.0.1:{port}/healthz",
            logfile=logfile,
            clock=clock,
        ):
            phases = (
                ("baseline", 1, args.baseline_seconds, 0.0),
                ("load", args.clients, args.duration, args.think),
                ("saturation", args.clients, args.saturation_seconds, 0.0),
            )
            for number, (name, clients, length, think) in enumerate(phases):
                log(f"[{name}] {clients} client(s), {length:g} s, think {think:g} s")
                flush_cache(redis_url)
                crowd = Crowd(
                    port,
                    pool,
                    clients=clients,
                    seconds=length,
                    think=think,
                    seed=SEED + number,
                    timeout=args.request_timeout,
                )
                report["phases"][name] = summary(name, crowd.run())
                clock.check()
            log("[cache] one heavy list page, uncached and cached")
            report["cache"] = compare_cache(port, redis_url, HEAVY_LIST, args.cache_repeats, args.request_timeout)
            clock.check()
            log(f"[outage] {args.clients} clients, PostgreSQL down at {args.outage_at:g} s for {args.outage_for:g} s")
            report["outage"] = outage(args, port, pool, redis_url, password, postgres, clock)
        tracebacks = logfile.read_text(errors="replace").count("Traceback")
        report["server_log"] = f"{tracebacks} tracebacks logged by gunicorn ({scrub(str(logfile))})"
    except (OutOfTime, RuntimeError) as error:
        report["error"] = str(error)
        log(f"Stopped: {error}")
    except (KeyboardInterrupt, SystemExit):
        report["error"] = "interrupted"
        log("Interrupted; gunicorn stopped.")
    finally:
        signal.alarm(0)
        if postgres.down:
            postgres.start()
    report["targets"] = targets(report)
    text = scrub(markdown(report))
    print()
    print(text)
    args.out.mkdir(parents=True, exist_ok=True)
    stem = args.out / f"{report['date']}-loadtest"
    stem.with_suffix(".md").write_text(text)
    stem.with_suffix(".json").write_text(scrub(json.dumps(report, indent=2, default=str)) + "\n")
    log(f"Wrote {scrub(str(stem))}.md and .json")
    failed = report["error"] or any(row["met"] is not True for row in report["targets"])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
