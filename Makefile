# The two commands: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# The unit and view tests run on every core (pytest-xdist), at most four: each worker has its own test database.
# Tests marked with one xdist_group run on one worker (tests/test_healthz.py shares its server files).
PYTEST_PARALLEL ?= -n auto --maxprocesses 4 --dist loadgroup

.PHONY: run test install install-dev migrate demo runserver serve loadtest backup restore lint format messages test-sqlite test-postgres test-browser fixtures bench bench-import clean

run: install migrate demo runserver

test: install-dev lint test-sqlite test-postgres test-browser

$(VENV)/.installed: requirements.txt
	scripts/ensure_venv.sh $(VENV) $(PYTHON)
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt
	scripts/ensure_venv.sh $(VENV) $(PYTHON)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	# Only its country table is read (by scripts/build_reference.py); its pandas dependency is not needed.
	$(PY) -m pip install --quiet --no-deps country_converter==1.3.2
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: install
	@mkdir -p var
	$(PY) manage.py migrate --noinput

# The demo data, then another mapping's messy spreadsheet imported in its own words (the rows it
# cannot place are reported and skipped; running it again changes nothing).
demo: migrate
	$(PY) manage.py load_demo --with-curator
	$(PY) manage.py load_demo_needs
	$(PY) manage.py import_initiatives fixtures/import/messy-mapping.csv --source igf-bpf-cybersecurity \
		--skip-invalid --publish

# A copy of the whole database in var/backups/ (pg_dump on PostgreSQL, SQLite's online backup API).
backup: install
	$(PY) manage.py backup_database

# Replaces the whole database with a backup_database file, all or nothing:
# make restore BACKUP=var/backups/ccb-sqlite-20260101T120000Z.sqlite3
BACKUP ?=
restore: install
	@test -n "$(BACKUP)" || { echo "Usage: make restore BACKUP=path/to/backup" >&2; exit 2; }
	$(PY) manage.py restore_database "$(BACKUP)" --yes

# Django's development server, for `make run`: debug on, reloads on code changes, cache in memory.
runserver:
	@echo "Serving on http://$(HOST):$(PORT)/ (Ctrl-C to stop)"
	$(PY) manage.py runserver $(HOST):$(PORT)

# The production server: gunicorn (threads) with a private Redis, DJANGO_DEBUG off; see scripts/serve.sh.
serve: install
	HOST=$(HOST) PORT=$(PORT) PY=$(PY) scripts/serve.sh

lint: install-dev
	@mkdir -p var
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	env -u DATABASE_URL $(PY) manage.py check --fail-level WARNING
	env -u DATABASE_URL $(PY) manage.py makemigrations --check --dry-run
	$(PY) scripts/build_reference.py --check

# After changing interface text: extract it, translate the new entries in
# locale/*/LC_MESSAGES/django.po, then compile (tests check both steps).
messages: install-dev
	$(PY) manage.py makemessages -l fr -l es --ignore=.venv --ignore=tests --ignore=scripts --no-location
	$(PY) manage.py compilemessages --ignore=.venv

format: install-dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

test-sqlite: install-dev
	@echo "== tests on SQLite"
	env -u DATABASE_URL $(PY) -m pytest $(PYTEST_PARALLEL) --ignore=tests/browser

# Tests that never use the configured database run in the SQLite phase only: tests/test_healthz.py
# gives each of its servers a database of its own (SQLite files, a closed PostgreSQL port).
SQLITE_ONLY = --ignore=tests/test_healthz.py

test-postgres: install-dev
	@echo "== tests on PostgreSQL (throwaway cluster)"
	$(PY) scripts/with_postgres.py $(PY) -m pytest $(PYTEST_PARALLEL) --ignore=tests/browser $(SQLITE_ONLY)

# Chromium, Java and the npm tools (axe-core, vnu-jar), then the browser tests
# against a real gunicorn serving the demo data from its own SQLite file.
test-browser: install-dev
	scripts/install_browser_deps.sh
	env -u DATABASE_URL $(PY) -m pytest tests/browser

# Not part of `make test`. The portal against Datasette serving the same rows, at 5,000 and
# 50,000 generated initiatives, on SQLite then PostgreSQL; results in bench/results/.
# A quick look: make bench BENCH_ARGS="--sizes 500,2000" (written under var/bench/results/).
BENCH_VENV ?= .venv-bench
BENCH_ARGS ?=

$(BENCH_VENV)/.installed: requirements-bench.txt
	scripts/ensure_venv.sh $(BENCH_VENV) $(PYTHON)
	$(BENCH_VENV)/bin/python -m pip install --quiet -r requirements-bench.txt
	touch $@

# Both halves run even when the first fails; the target fails if either did.
bench: install-dev $(BENCH_VENV)/.installed
	env -u DATABASE_URL $(PY) scripts/bench.py --db sqlite --datasette $(BENCH_VENV)/bin/datasette $(BENCH_ARGS); \
	sqlite=$$?; \
	$(PY) scripts/with_postgres.py $(PY) scripts/bench.py --db postgres --datasette $(BENCH_VENV)/bin/datasette \
		$(BENCH_ARGS); \
	postgres=$$?; \
	test $$sqlite = 0 && test $$postgres = 0

# Not part of `make test`: import_initiatives on 5,000 and 50,000 rows of a messy file, SQLite then PostgreSQL.
bench-import: install-dev
	env -u DATABASE_URL $(PY) scripts/bench_import.py $(BENCH_ARGS); \
	sqlite=$$?; \
	$(PY) scripts/with_postgres.py $(PY) scripts/bench_import.py $(BENCH_ARGS); \
	postgres=$$?; \
	test $$sqlite = 0 && test $$postgres = 0

# Not part of `make test`: 50 visitors for 60 s against gunicorn + PostgreSQL + Redis on 50,000 generated
# initiatives, a saturation probe, one page cached against uncached, then PostgreSQL stopped for 10 s
# under load while an editor saves; results in bench/results/<date>-loadtest.{md,json}. Talks only to
# 127.0.0.1 and stops within 15 minutes. A quick look (written under var/loadtest/results/):
# make loadtest LOADTEST_ARGS="--initiatives 2000 --duration 15"
LOADTEST_ARGS ?=

loadtest: install-dev
	$(PY) scripts/with_postgres.py $(PY) scripts/with_redis.py $(PY) scripts/loadtest.py $(LOADTEST_ARGS)

# Regenerate fixtures/reference/ from the country tables (see scripts/build_reference.py).
fixtures: install-dev
	$(PY) scripts/build_reference.py

clean:
	rm -rf $(VENV) var/static .pytest_cache .ruff_cache node_modules test-artifacts
