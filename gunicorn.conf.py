"""gunicorn's settings for `make serve` (and the browser tests and the load test), from the environment.

Worker class: threads (gthread). A request here spends most of its time waiting: on the
database (PostgreSQL is another process), on the cache (Redis), and on the visitor's
connection while a page or a CSV export goes out, often over a slow link. Sync workers
hold a whole process through each of those waits, so two of them served 11 requests a
second to 50 clients. Threads wait in parallel inside one process, and the rendering work
they share is bounded by the cores, which the process count follows. The application keeps
no per-request state outside the request (Django's connections are per thread), so threads
are safe.
"""

import multiprocessing
import os

from ccb_portal.env import envint

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{envint('PORT', 8000)}"
worker_class = "gthread"
# One process a core: the rendering is CPU work under the GIL, so more processes than cores only queue.
workers = envint("WEB_CONCURRENCY", multiprocessing.cpu_count())
# Enough threads to cover the waits (database, cache, slow clients) of one process's share of requests.
threads = envint("GUNICORN_THREADS", 8)
# A request that runs longer than this is stuck: the worker is restarted. A full CSV export of
# 50,000 initiatives takes a few seconds, far within it.
timeout = envint("GUNICORN_TIMEOUT", 60)
graceful_timeout = 20
# Behind a proxy (several app servers behind a load balancer), connections are reused.
keepalive = 5
# Restart each process now and then, jittered, so a slow leak can never grow without bound.
max_requests = envint("GUNICORN_MAX_REQUESTS", 5000)
max_requests_jitter = max_requests // 10
# One line a request on standard output; a file name instead, or empty for none.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = "-"
# The application loads once in the master and is shared by the forked processes.
preload_app = True
