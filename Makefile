# Qiaolian — the two commands of the README, and a few more for developers.
#
#   make run     set up, migrate SQLite, load the Jinshan demo if the database is empty, serve :8000
#   make test    set up, lint, run the whole test suite (browser tests included)
#
# Nothing needs to be installed or exported first except Python 3.11+ and make.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.qiaolian-installed
HOST ?= 127.0.0.1
PORT ?= 8000
CHROMIUM := /usr/bin/chromium
PYTEST_ARGS ?=
# pytest-xdist workers: one per core (each gets its own test database)
WORKERS ?= auto

.PHONY: help setup translations run test test-e2e lint browser clean

help:
	@echo "make run        set up and serve the Jinshan demo on http://$(HOST):$(PORT)/"
	@echo "make test       set up and run ruff and the whole test suite"
	@echo "make test-e2e   only the browser tests (headless chromium)"
	@echo "make lint       ruff check and ruff format --check"
	@echo "make setup      create $(VENV) and install the locked dependencies"
	@echo "make clean      remove $(VENV) and build output (keeps var/: database and keys)"

# The virtual environment, rebuilt when the lock or pyproject.toml changes.
setup: $(STAMP)

$(STAMP): requirements/lock.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "Qiaolian needs Python 3.11 or newer; '$(PYTHON)' is $$($(PYTHON) --version 2>&1)." >&2; exit 1; }
	@[ -x $(BIN)/python ] || { echo "Creating $(VENV)"; $(PYTHON) -m venv $(VENV) || { \
	  rm -rf $(VENV); \
	  [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null || { echo "'$(PYTHON) -m venv' failed: install the venv module (Debian: python3-venv)" >&2; exit 1; }; \
	  echo "Installing python3-venv"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null; \
	  $(PYTHON) -m venv $(VENV); }; }
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv
	$(BIN)/uv pip sync --quiet --python $(BIN)/python requirements/lock.txt
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	@touch $@

translations: setup
	@$(BIN)/qiaolian compilemessages

run: setup translations
	$(BIN)/qiaolian migrate
	$(BIN)/qiaolian manage collectstatic --no-input --verbosity 0
	$(BIN)/qiaolian demo-data --if-empty
	@echo
	@echo "Qiaolian is starting on http://$(HOST):$(PORT)/"
	@$(BIN)/qiaolian demo-accounts
	@echo
	$(BIN)/qiaolian serve --host $(HOST) --port $(PORT)

# Browser tests need Debian's chromium and CJK fonts; as root we install them.
browser:
	@if { [ ! -x $(CHROMIUM) ] || ! dpkg -s fonts-noto-cjk >/dev/null 2>&1; } \
	    && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "Installing chromium and fonts-noto-cjk for the browser tests"; \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	      chromium fonts-noto-cjk fonts-liberation libpango-1.0-0 libpangoft2-1.0-0 >/dev/null; } || echo "apt-get could not install chromium" >&2; \
	fi

# ruff, then pytest (pytest runs even when ruff complains; either failing fails the target).
# Marker selection: PostgreSQL-only tests run when DATABASE_URL points at PostgreSQL; browser
# tests run when chromium is there (and it is an error to lack it in CI). pytest's exit code 5
# (no tests collected) is a failure for the whole suite.
test: setup translations browser
	@lint=0; $(BIN)/ruff check --output-format=concise . || lint=$$?; \
	select="not postgres"; \
	case "$${DATABASE_URL:-}" in postgres*) select="";; esac; \
	no_browser=""; \
	if [ ! -x $(CHROMIUM) ]; then \
	  [ "$${CI:-}" != "true" ] || { echo "CI: $(CHROMIUM) is missing, browser tests cannot run" >&2; exit 1; }; \
	  no_browser=1; select="$${select:+$$select and }not e2e"; \
	fi; \
	args=(); [ -z "$$select" ] || args=(-m "$$select"); \
	echo "$(BIN)/pytest -n $(WORKERS) --dist loadgroup $${select:+-m '$$select'} $(PYTEST_ARGS)"; \
	rc=0; $(BIN)/pytest -n $(WORKERS) --dist loadgroup $${args[@]+"$${args[@]}"} $(PYTEST_ARGS) || rc=$$?; \
	[ "$$rc" != 5 ] || echo "pytest collected no tests (exit code 5): that is a failure" >&2; \
	if [ -n "$$no_browser" ]; then \
	  echo; \
	  echo "!! BROWSER TESTS WERE NOT RUN: $(CHROMIUM) is missing."; \
	  echo "!! Install Debian's chromium and fonts-noto-cjk to run them (make test does it with apt-get as root)."; \
	fi; \
	[ "$$lint" = 0 ] || { echo "ruff check found problems (see above)" >&2; [ "$$rc" != 0 ] || rc=$$lint; }; \
	exit $$rc

test-e2e: setup translations browser
	@[ -x $(CHROMIUM) ] || { echo "$(CHROMIUM) is missing: install Debian's chromium to run the browser tests" >&2; exit 1; }
	@rc=0; $(BIN)/pytest -m e2e tests/e2e $(PYTEST_ARGS) || rc=$$?; \
	[ "$$rc" != 5 ] || echo "pytest collected no browser tests" >&2; \
	exit $$rc

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache test-results var/static
	find . \( -path ./var -o -path ./.git \) -prune -o \( -name __pycache__ -o -name '*.mo' \) -print0 | xargs -0 rm -rf
	@echo "Kept var/ (the SQLite database and the keys in var/secrets); remove it yourself to start over."
