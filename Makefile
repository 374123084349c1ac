# The two commands: `make run` (a newcomer's portal on SQLite) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# Test processes (pytest-xdist): one per core; `make test PYTEST_WORKERS=0` runs in one.
PYTEST_WORKERS ?= auto
STAMP := $(VENV)/.installed

.PHONY: run test test-browser install lint format worker beat messages compilemessages migrate seed check-deploy lock clean bench

# requirements.lock: what production runs; requirements-dev.lock: that plus the test
# and lint tools. Both pin every package with its hashes (regenerate with `make lock`).
$(STAMP): requirements-dev.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-dev.lock
	touch $(STAMP)

install: $(STAMP)

compilemessages: $(STAMP)
	$(BIN)/python scripts/compile_messages.py

migrate: $(STAMP)
	mkdir -p var
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py seed_demo --if-empty

# The newcomer's portal is in development mode unless DEBUG says otherwise.
run migrate seed messages: export DEBUG ?= 1

run: install compilemessages migrate seed
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: install compilemessages
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -q -n $(PYTEST_WORKERS) --ignore=tests/browser $(PYTEST_ARGS)
	$(MAKE) --no-print-directory test-browser

# The browser tests (Chromium, axe-core, the Nu validator) run apart: one live server on a
# database seeded once with the demo data. Skipped, with the reason, without Chromium.
test-browser: install compilemessages
	$(BIN)/python -m pytest -q -p no:xdist tests/browser $(BROWSER_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

worker: install
	$(BIN)/celery -A innovalo worker --loglevel=info

beat: install
	$(BIN)/celery -A innovalo beat --loglevel=info --schedule=var/celerybeat-schedule

# The federation-scale benchmark (issue 15; not run by CI): DATABASE_URL (PostgreSQL) and
# REDIS_URL (the worker's broker) set; writes docs/benchmarks.md, exits 1 on a missed target.
bench: install compilemessages
	$(BIN)/python scripts/bench.py $(BENCH_ARGS)

# locale/en to translate, then locale/fr: the plural forms only (French: 0 is singular).
messages: install
	$(BIN)/python manage.py makemessages -l en --ignore=.venv --ignore=var
	$(BIN)/python scripts/french_plurals.py

lock:
	$(BIN)/python -m pip install --quiet pip-tools
	$(BIN)/pip-compile -q --generate-hashes --strip-extras --allow-unsafe \
	  --no-emit-index-url --no-emit-find-links -o requirements.lock pyproject.toml
	$(BIN)/pip-compile -q --generate-hashes --strip-extras --allow-unsafe \
	  --no-emit-index-url --no-emit-find-links --extra=dev -c requirements.lock \
	  -o requirements-dev.lock pyproject.toml

clean:
	rm -rf $(VENV) var/static
