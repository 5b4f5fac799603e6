#!/usr/bin/env python3
"""Run a command against a throwaway PostgreSQL cluster, then remove the cluster.

    python scripts/with_postgres.py pytest -q

Creates a cluster in a temporary directory owned by the `postgres` system
user (the server refuses to run as root), starts it on a free port on
127.0.0.1, sets DATABASE_URL for the command, and always stops and deletes the
cluster afterwards, even when the command fails or is interrupted. Exits with
the command's status. Sets DATABASE_STATEMENT_TIMEOUT_MS=10000 (ten seconds) unless it is
set already, so that a statement with a bad plan fails instead of hanging.
Also gives the command what it needs to stop and start the server itself (the
load test's database outage): CCB_PG_CTL (pg_ctl's path), CCB_PG_DATADIR, CCB_PG_OPTIONS
(pg_ctl's -o string) and CCB_PG_LOGFILE; as root, run pg_ctl through
`runuser -u postgres --`.
Installs Debian's postgresql package if no server binaries are found and we
are root.
"""

import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile

SEARCH_PATHS = ["/usr/local/bin", *sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)]


def find_bindir() -> str | None:
    found = shutil.which("pg_ctl")
    if found and shutil.which("initdb"):
        return os.path.dirname(found)
    for directory in SEARCH_PATHS:
        if os.access(os.path.join(directory, "pg_ctl"), os.X_OK) and os.access(
            os.path.join(directory, "initdb"), os.X_OK
        ):
            return directory
    return None


def ensure_server() -> str:
    bindir = find_bindir()
    if bindir:
        return bindir
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        sys.exit("PostgreSQL server binaries (initdb, pg_ctl) not found; install PostgreSQL 15.")
    print("Installing PostgreSQL from Debian packages...", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", "postgresql"], check=True, env=env)
    global SEARCH_PATHS
    SEARCH_PATHS = ["/usr/local/bin", *sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)]
    bindir = find_bindir()
    if not bindir:
        sys.exit("PostgreSQL was installed but initdb/pg_ctl are still not found.")
    return bindir


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def as_server_user(argv: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *argv]
    return argv


def main(command: list[str]) -> int:
    if not command:
        sys.exit(__doc__)
    # A termination (a CI timeout, say) unwinds through `finally` too, so the cluster never outlives us.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    bindir = ensure_server()
    datadir = tempfile.mkdtemp(prefix="ccb-pg-")
    if os.geteuid() == 0:
        shutil.chown(datadir, "postgres", "postgres")
    port = free_port()
    pg_ctl = os.path.join(bindir, "pg_ctl")
    started = False
    try:
        subprocess.run(
            as_server_user(
                [
                    os.path.join(bindir, "initdb"),
                    "-D",
                    datadir,
                    "-U",
                    "postgres",
                    "-A",
                    "trust",
                    "-E",
                    "UTF8",
                    "--locale=C.UTF-8",
                    "--no-sync",
                ]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        # The database DATABASE_URL names; pytest makes its own test_ database beside it.
        subprocess.run(
            as_server_user([os.path.join(bindir, "postgres"), "--single", "-D", datadir, "postgres"]),
            input=b"CREATE DATABASE ccb_portal;\n",
            check=True,
            capture_output=True,
        )
        # No autovacuum: tests write inside transactions that roll back, so an automatic ANALYZE
        # would record tables as empty that a test then fills, and the planner's choice would
        # depend on when the daemon last ran. Statistics are what each test makes them: never
        # analysed, or analysed by the test itself (tests.helpers.analyze).
        options = (
            f"-p {port} -k {datadir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
            " -c autovacuum=off"
        )
        logfile = os.path.join(datadir, "server.log")
        subprocess.run(
            as_server_user([pg_ctl, "-D", datadir, "-o", options, "-l", logfile, "-w", "start"]),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        started = True
        print(f"PostgreSQL ({bindir}) on 127.0.0.1:{port}", flush=True)
        env = {
            **os.environ,
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{port}/ccb_portal",
            "CCB_PG_CTL": pg_ctl,
            "CCB_PG_DATADIR": datadir,
            "CCB_PG_OPTIONS": options,
            "CCB_PG_LOGFILE": logfile,
        }
        # A query that takes longer than this has a bad plan: fail it rather than hang.
        env.setdefault("DATABASE_STATEMENT_TIMEOUT_MS", "10000")
        return subprocess.run(command, env=env).returncode
    except KeyboardInterrupt:
        return 130
    finally:
        if started:
            subprocess.run(
                as_server_user([pg_ctl, "-D", datadir, "-m", "immediate", "-w", "stop"]), stdout=subprocess.DEVNULL
            )
        shutil.rmtree(datadir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
