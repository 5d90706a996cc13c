# Two commands: `make run` and `make test`. Both set up .venv themselves.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
CHROMIUM ?= /usr/bin/chromium

.PHONY: run serve test test-unit test-e2e test-a11y lint setup migrate manage clean reset-demo bench-load messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.requirements-installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

setup: $(VENV)/.requirements-installed

migrate: setup
	$(BIN)/python manage.py migrate --noinput

# Any management command inside the virtual environment:
#   make manage ARGS="setup_organisation --help"
manage: setup
	$(BIN)/python manage.py $(ARGS)

# Translations (README, Languages): collect every marked string into
# locale/es/LC_MESSAGES/django.po, then compile django.mo (both committed).
# Needs GNU gettext (Debian: apt-get install gettext); running the app does not.
messages: setup
	$(BIN)/python manage.py makemessages -l es -i "tests/*" -i "static/vendor/*" -i "var/*" --no-obsolete --no-location
	$(BIN)/python manage.py compilemessages -l es

# The demo: seeded (idempotent), then web, worker and beat under honcho.
# config/run.py lets them finish for WAYPOINT_STOP_SECONDS after Ctrl-C.
run: migrate
	$(BIN)/python manage.py seed_demo
	@echo ""
	@echo "Waypoint is starting at http://$${WEB_BIND:-127.0.0.1:8000}  (web, Celery worker and beat; Ctrl-C stops all three)"
	@echo ""
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m config.run start -f Procfile

# A real organisation: the same three processes on the configured database,
# without demo data (first program and coordinator: manage.py setup_organisation).
serve: migrate
	@echo "Waypoint is starting at http://$${WEB_BIND:-127.0.0.1:8000}  (web, Celery worker and beat; Ctrl-C stops all three)"
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m config.run start -f Procfile

# The unit and integration suite in parallel, then the browser journeys in
# their own run (Playwright's sync API needs DJANGO_ALLOW_ASYNC_UNSAFE).
test: lint test-unit test-e2e

# Tests that restart the broker run on their own afterwards: a Redis restart
# would pull the broker from under the other parallel tests.
test-unit: setup
	$(BIN)/python -m pytest -n auto -p no:cacheprovider -m "not broker_restart"
	$(BIN)/python -m pytest -p no:cacheprovider -m broker_restart

# The accessibility sweep alone (part of test-e2e): axe-core on every matrix page,
# phone and desktop, English and Spanish. WAYPOINT_A11Y_FULL=1: as every persona.
test-a11y: setup
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(BIN)/python -m pytest tests/e2e/test_accessibility.py -p no:cacheprovider -o addopts=""

test-e2e: setup
	@if [ -x "$(CHROMIUM)" ]; then \
		DJANGO_ALLOW_ASYNC_UNSAFE=true $(BIN)/python -m pytest tests/e2e -p no:cacheprovider -o addopts="" ; \
	elif [ -n "$$CI" ]; then \
		echo "CI needs $(CHROMIUM) for the browser tests (apt-get install chromium)"; exit 1; \
	else \
		echo "Browser tests not run: $(CHROMIUM) is missing. Install Debian's chromium package, then: make test-e2e"; \
	fi

# Load benchmark (needs seed_scale data): gunicorn on 127.0.0.1 over the
# configured database, locust headless at 10 then 50 users, LOAD_SECONDS each.
LOAD_SECONDS ?= 60
bench-load: migrate
	$(BIN)/python manage.py bench_load --users 10,50 --run-time $(LOAD_SECONDS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/python manage.py makemigrations --check --dry-run

# Everything `make run` made: the virtual environment, the SQLite database,
# the filesystem broker and beat schedule (var/), collected static files.
clean:
	rm -rf $(VENV) var staticfiles waypoint.sqlite3

# The embedded demo from scratch (keeps .venv): the next `make run` seeds it again.
reset-demo:
	rm -rf var waypoint.sqlite3
