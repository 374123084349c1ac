# The two commands: `make run` (a newcomer's portal on SQLite) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run test install lint format worker beat messages compilemessages migrate seed check-deploy clean

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
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
run migrate seed: export DEBUG ?= 1

run: install compilemessages migrate seed
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: install compilemessages
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

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

messages: install
	$(BIN)/python manage.py makemessages -l en --ignore=.venv --ignore=var

clean:
	rm -rf $(VENV) var/static
