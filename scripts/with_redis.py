#!/usr/bin/env python3
"""Run a command with a private Redis server for the shared cache, then stop it.

    python scripts/with_redis.py gunicorn -c gunicorn.conf.py ccb_portal.wsgi

Starts Debian's redis-server on a free port of 127.0.0.1, in memory only (no
snapshot, no append-only file: the cache can always be rebuilt), sets
DJANGO_REDIS_URL for the command, and always stops the server afterwards, even
when the command fails or is interrupted. Exits with the command's status.
When DJANGO_REDIS_URL is set already, runs the command against that server
instead. Installs Debian's redis-server package if it is missing and we are root.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

START_TIMEOUT = 10  # seconds


def ensure_server() -> str:
    found = shutil.which("redis-server")
    if found:
        return found
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        sys.exit("redis-server not found: install Debian's redis-server package (apt-get install redis-server).")
    print("Installing redis-server from Debian packages...", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env, stdout=subprocess.DEVNULL)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "redis-server"],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    # The package starts a system-wide server on 6379; ours is private, so leave that one alone.
    found = shutil.which("redis-server")
    if not found:
        sys.exit("redis-server was installed but is still not found.")
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_ready(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"redis-server exited with {process.returncode} before answering")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                if sock.recv(64).startswith(b"+PONG"):
                    return
        except OSError:
            pass
        time.sleep(0.05)
    sys.exit(f"redis-server did not answer on 127.0.0.1:{port} within {START_TIMEOUT} s")


def main(command: list[str]) -> int:
    if not command:
        sys.exit(__doc__)
    if os.environ.get("DJANGO_REDIS_URL"):
        os.execvp(command[0], command)
    server = ensure_server()
    workdir = tempfile.mkdtemp(prefix="ccb-redis-")
    port = free_port()
    # The cache's size is bounded; the least recently used keys go first when it is full.
    maxmemory = os.environ.get("CCB_REDIS_MAXMEMORY", "256mb")
    process = subprocess.Popen(
        [
            server,
            "--bind", "127.0.0.1",
            "--port", str(port),
            "--dir", workdir,
            "--save", "",
            "--appendonly", "no",
            "--maxmemory", maxmemory,
            "--maxmemory-policy", "allkeys-lru",
            "--protected-mode", "yes",
            "--loglevel", "warning",
        ],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_until_ready(port, process)
        print(f"Redis ({server}) on 127.0.0.1:{port}", flush=True)
        env = {**os.environ, "DJANGO_REDIS_URL": f"redis://127.0.0.1:{port}/0"}
        child = subprocess.Popen(command, env=env)
        # A stop request (a process manager's SIGTERM, Ctrl-C) goes to the command, which shuts down
        # in its own way (gunicorn finishes the requests in flight); Redis stops after it.
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda signum, frame: child.send_signal(signum))
        return child.wait()
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
