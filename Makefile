# Two commands: `make run` and `make test`. Nothing but Python 3.11 is needed.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -ec
# pip's notes about unreachable local indexes are noise here
QUIET_PIP := 2> >(grep -v 'is ignored: it is neither' >&2)
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: run test bench lint install install-dev clean-var

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null || { echo "Python 3.11 is required (found: $(PYTHON)); set PYTHON=/path/to/python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip $(QUIET_PIP)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e . $(QUIET_PIP)
	@touch $@

$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]' $(QUIET_PIP)
	@touch $@ $(STAMP)

install: $(STAMP)
install-dev: $(DEV_STAMP)

run: $(STAMP)
	@mkdir -p var/mail var/celery
	$(BIN)/python manage.py preflight
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py ensure_demo_superuser --quiet
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py ensure_demo_superuser
	$(BIN)/honcho start -f Procfile

test: $(DEV_STAMP)
	$(BIN)/pytest -q

lint: $(DEV_STAMP)
	$(BIN)/ruff check .

bench: $(DEV_STAMP)
	$(BIN)/python bench/run.py

clean-var:
	rm -rf var/
