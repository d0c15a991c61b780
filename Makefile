# PPP: the README's two commands are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/ppp
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run setup test test-fast lint format bench bench-incidents bench-training bench-national bench-national-build install frontend clean worker

## run: install, migrate, load demo data, then serve on http://127.0.0.1:8000 (Procfile)
## (`make run PORT=8301` serves elsewhere; links in emails and certificates follow: SITE_URL)
## On SQLite the web server runs background work itself; with DATABASE_URL=postgres://… the
## task worker runs beside it, restarted if it stops (the web server carries on regardless).
run: setup
	@echo "Serving on http://$(HOST):$(PORT); emails are printed here. Ctrl-C stops it."
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" DEBUG=true HOST=$(HOST) PORT=$(PORT) GUNICORN_CMD_ARGS="--reload" \
		SITE_URL="$${SITE_URL:-http://$(HOST):$(PORT)}" $(VENV)/bin/honcho start -f Procfile \
		$$(case "$${DATABASE_URL:-}" in postgres*) echo web worker;; *) echo web;; esac)

## worker: the task worker (PostgreSQL), until Ctrl-C; `make worker ARGS=--until-done` stops when the queue is empty
worker: install
	DEBUG=true $(PY) manage.py run_worker $(ARGS)

## setup: everything `run` does except serving (used by CI's demo smoke test)
setup: install
	DEBUG=true $(PY) manage.py migrate --noinput
	DEBUG=true $(PY) manage.py seed_demo

## test: the whole suite, on PostgreSQL (DATABASE_URL, default $(TEST_DATABASE_URL))
test: install
	@DATABASE_URL="$${DATABASE_URL:-$(TEST_DATABASE_URL)}" $(PY) scripts/check_database.py
	DATABASE_URL="$${DATABASE_URL:-$(TEST_DATABASE_URL)}" $(PY) -m pytest $(PYTEST_ARGS)

## test-fast: everything but the browser tests (`make test-fast PYTEST_ARGS=--lf` reruns the last failures)
test-fast: install
	@DATABASE_URL="$${DATABASE_URL:-$(TEST_DATABASE_URL)}" $(PY) scripts/check_database.py
	DATABASE_URL="$${DATABASE_URL:-$(TEST_DATABASE_URL)}" $(PY) -m pytest --ignore=tests/e2e $(PYTEST_ARGS)

## lint: ruff check, ruff format check, mypy (docs/architecture.md "Types") and no missing migrations
lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	DEBUG=true $(PY) -m mypy
	DEBUG=true $(PY) manage.py makemigrations --check --dry-run

## bench: time the busiest pages and certificate printing on a large dataset (PostgreSQL)
bench: install
	@DATABASE_URL="$${DATABASE_URL:-$(TEST_DATABASE_URL)}" $(PY) scripts/check_database.py
	DATABASE_URL="$${DATABASE_URL:-$(TEST_DATABASE_URL)}" $(PY) bench/run.py

## bench-training: training's catalogue, course page and 30 certificates end to end (PostgreSQL)
bench-training: install
	@DATABASE_URL="$${DATABASE_URL:-$(TEST_DATABASE_URL)}" $(PY) scripts/check_database.py
	DATABASE_URL="$${DATABASE_URL:-$(TEST_DATABASE_URL)}" $(PY) bench/training.py

## bench-incidents: 100,000 incidents from 1,000 schools: the council's figures and a school's list (PostgreSQL)
bench-incidents: install
	@DATABASE_URL="$${DATABASE_URL:-$(TEST_DATABASE_URL)}" $(PY) scripts/check_database.py
	DATABASE_URL="$${DATABASE_URL:-$(TEST_DATABASE_URL)}" $(PY) bench/incidents.py

## bench-national: the national benchmark (issue 13): builds the 100 % and 10 % datasets if missing
## (ppp_national, ppp_national_10 on BENCH_DATABASE_URL), then measures every busy page under
## gunicorn (DEBUG off, 2 workers) with wrk at concurrency 8 beside a bare view. BENCH_ARGS="--only caseload"
bench-national: install
	@command -v wrk >/dev/null || { echo "The benchmark needs wrk: apt-get install wrk"; exit 1; }
	$(PY) bench/national.py measure $(BENCH_ARGS)

## bench-national-build: (re)build one national dataset: make bench-national-build SCALE=0.1
bench-national-build: install
	$(PY) bench/national.py build --scale $${SCALE:-1.0}

format: install
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

## install: the virtualenv, the Python packages and the GOV.UK front end
install: $(VENV)/.installed build/static/govuk/govuk-frontend.min.css

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

build/static/govuk/govuk-frontend.min.css: node_modules/.package-lock.json scripts/build_frontend.py
	$(PYTHON) scripts/build_frontend.py

frontend: build/static/govuk/govuk-frontend.min.css

clean:
	rm -rf $(VENV) node_modules build staticfiles .pytest_cache
