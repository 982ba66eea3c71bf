# Youth Voice — the two commands: `make run` (embedded demo) and `make test` (the whole suite).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
DEV_ENV := DJANGO_SETTINGS_MODULE=youthvoice.settings.dev

PHONY_EXTRA := fuzz chaos load
.PHONY: run test install migrate demo serve lint typecheck fmt messages bench clean chaos load

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

install: $(VENV)/.installed

migrate: install
	$(DEV_ENV) $(PY) manage.py migrate --noinput

demo: migrate
	$(DEV_ENV) $(PY) manage.py load_demo_data

## make run: virtualenv, install, migrate SQLite, load the demo data, serve on 0.0.0.0:8000
run: demo
	$(DEV_ENV) $(PY) manage.py runserver 0.0.0.0:8000

## make test: ruff and mypy (make lint, make typecheck), then PostgreSQL + Redis on loopback, every test, stop them
test: install
	bash scripts/test.sh $(ARGS)

## make fuzz: the API fuzzing with many more examples and the boundary-coverage phase
fuzz: install
	YV_FUZZ_EXAMPLES=200 YV_FUZZ_COVERAGE=1 bash scripts/test.sh tests/test_api_fuzz.py

## make chaos: 10,000 outbox e-mails through a real worker, Redis and PostgreSQL while the worker is
## SIGKILLed and Redis restarted; prints what was lost or delivered twice (bench/chaos.py --help)
chaos: install
	$(PY) bench/chaos.py $(ARGS)

## make load: Locust against gunicorn + PostgreSQL + Redis (production settings): calibrate with one
## user, then 2x that rate for 10 minutes; prints the per-endpoint table (bench/load.py --help)
load: install
	$(PY) bench/load.py $(ARGS)

lint: install
	$(VENV)/bin/ruff check .

## make typecheck: mypy + django-stubs over every app's domain/, services.py, selectors.py (pyproject.toml)
typecheck: install
	bash scripts/typecheck.sh

messages: install
	$(DEV_ENV) $(PY) manage.py makemessages -l zh_Hans --ignore='.venv/*' --ignore='tests/*' --ignore='bench/*' --ignore='scripts/*'
	$(PY) scripts/po_fill.py locale/zh_Hans/LC_MESSAGES/django.po locale/zh_Hans/*.json
	$(DEV_ENV) $(PY) manage.py compilemessages -l zh_Hans --ignore='.venv/*'

clean:
	rm -rf $(VENV) db.sqlite3 media static_collected var/cache
