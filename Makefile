# Orienta. `make run` for the demo, `make test` for the whole suite.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-fast test-browser test-faults api-test lint audit format messages check-messages assets install \
        migrate demo worker beat bench clean ci

$(VENV)/.installed: pyproject.toml
	test -d $(VENV) || python3.11 -m venv $(VENV) || python3 -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PY) -c "import tomllib; p = tomllib.load(open('pyproject.toml', 'rb'))['project']; print('\n'.join(p['dependencies'] + p['optional-dependencies']['dev']))" > $(VENV)/requirements.txt
	$(PIP) install --quiet -r $(VENV)/requirements.txt
	touch $@

install: $(VENV)/.installed assets

# Front-end assets come from the npm registry (package-lock.json) and are served by whitenoise.
static/vendor/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p static/vendor/bootstrap static/vendor/bootstrap-icons/fonts static/vendor/htmx static/vendor/chartjs
	cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/js/bootstrap.bundle.min.js static/vendor/bootstrap/
	cp node_modules/bootstrap-icons/font/bootstrap-icons.min.css static/vendor/bootstrap-icons/
	cp node_modules/bootstrap-icons/font/fonts/bootstrap-icons.woff* static/vendor/bootstrap-icons/fonts/
	cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx/
	cp node_modules/chart.js/dist/chart.umd.min.js static/vendor/chartjs/
	# The offline field screens (docs/field.md): Dexie for IndexedDB, Workbox for the service worker.
	mkdir -p static/vendor/dexie static/vendor/workbox
	cp node_modules/dexie/dist/dexie.min.js node_modules/dexie/dist/dexie.min.js.map static/vendor/dexie/
	for f in workbox-window/build/workbox-window.prod.umd workbox-sw/build/workbox-sw workbox-core/build/workbox-core.prod \
	         workbox-routing/build/workbox-routing.prod workbox-strategies/build/workbox-strategies.prod; do \
	  cp node_modules/$$f.js node_modules/$$f.js.map static/vendor/workbox/; done
	touch $@

assets: static/vendor/.installed

migrate: install
	$(MANAGE) migrate --noinput

demo: migrate
	$(MANAGE) load_reference_data
	$(MANAGE) load_demo_data

run: demo
	@echo "Orienta on http://$(HOST):$(PORT)/  (sign in with a demo user above, password orienta-demo)"
	DJANGO_DEBUG=1 $(MANAGE) runserver $(HOST):$(PORT)

# The whole suite. Browser tests run when Debian's Chromium is installed and say so when skipped.
# Two processes by default (pytest-xdist; a process that finishes early takes tests from the
# other's share: --dist worksteal); PYTEST_WORKERS=0 runs in one.
PYTEST_WORKERS ?= 2
test: install
	$(PY) -m pytest -q -rs -n $(PYTEST_WORKERS) $(if $(filter 0,$(PYTEST_WORKERS)),,--dist worksteal) -m "not faults" $(PYTEST_ARGS)

test-fast: install
	$(PY) -m pytest -q -m "not browser and not faults" $(PYTEST_ARGS)

test-browser: install
	$(PY) -m pytest -q -rs -m browser $(PYTEST_ARGS)

# The read API against a live server with the demo data, as each role (Schemathesis; see README "API").
# API_TEST_EXAMPLES sets the examples per operation (5 by default, to stay near two minutes).
api-test: install
	$(PY) scripts/api_schemathesis.py

test-faults: install
	$(PY) -m pytest -q -rs -s tests/faults $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Security: bandit on the code (reviewed skips in pyproject.toml) and pip-audit on the pinned
# requirements (says so, without failing, when its vulnerability service cannot be reached).
audit: install
	$(VENV)/bin/bandit -q -r orientation cases services reports reception field seeds api -c pyproject.toml
	$(PY) scripts/pip_audit_check.py $(VENV)/requirements.txt

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Refresh the Spanish catalogue and compile it.
messages: install
	$(MANAGE) makemessages -l es --no-obsolete --no-location --ignore=.venv --ignore=node_modules --ignore=static/vendor --ignore=staticfiles
	$(MANAGE) makemessages -d djangojs -l es --no-obsolete --no-location --ignore=.venv --ignore=node_modules --ignore=static/vendor --ignore=staticfiles
	$(MANAGE) compilemessages --ignore=.venv

# Fails when makemessages would change the catalogue or a Spanish string is untranslated.
check-messages: install
	$(PY) scripts/check_messages.py

# Production processes (see README): one or more of each, on as many hosts as needed.
worker:
	$(VENV)/bin/celery -A orientation worker --loglevel=INFO --concurrency=$${CELERY_CONCURRENCY:-2}

beat:
	$(VENV)/bin/celery -A orientation beat --loglevel=INFO

bench: install
	$(PY) bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) node_modules static/vendor staticfiles db.sqlite3
