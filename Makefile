# cagette — the two commands of the README, and the developers' checks.
#   make demo   create .venv, install from the lock file, run the main job
#   make test   install what the tests need, run the whole suite
#   make check  ruff + mypy on src/ + reuse lint + tests
#   make bench  benchmarks, each printing ratios against a reference
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
# This machine's pip configuration names local indexes that may be absent: hide that noise only.
QUIET_PIP := 2>&1 | { grep -v 'is ignored: it is neither a file nor a directory' || true; }
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export CAGETTE_HOME ?= $(CURDIR)/out/home
PYTEST_ARGS ?=

.PHONY: demo test check lint typecheck reuse bench install system-deps-demo system-deps-test i18n lock clean

$(STAMP): requirements.lock pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip>=24" "setuptools>=68" wheel $(QUIET_PIP)
	$(PY) -m pip install --quiet -r requirements.lock $(QUIET_PIP)
	$(PY) -m pip install -qq --no-deps --no-build-isolation -e .
	$(PY) -m cagette.i18n build >/dev/null
	@touch $(STAMP)

install: $(STAMP)

system-deps-demo:
	@scripts/system-deps.sh demo

system-deps-test:
	@scripts/system-deps.sh test

demo: $(STAMP) system-deps-demo
	@mkdir -p out
	@for step in scripts/demo/*.sh; do \
	  echo "== $$step"; \
	  CAGETTE="$(CURDIR)/$(VENV)/bin/cagette" PY="$(CURDIR)/$(PY)" bash "$$step" || exit 1; \
	done
	@echo "Demo done: see out/ (CAGETTE_HOME=$(CAGETTE_HOME))."

test: $(STAMP) system-deps-test
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check src tui tests bench scripts firmware library

typecheck: $(STAMP)
	$(VENV)/bin/mypy src

reuse: $(STAMP)
	$(VENV)/bin/reuse lint

check: lint typecheck reuse test

bench: $(STAMP) system-deps-test
	@for b in bench/*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

i18n: $(STAMP)
	$(PY) -m cagette.i18n_extract update

# Refresh the lock file from pyproject.toml (developers only).
lock:
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/pip install --quiet ".[test]"
	.venv-lock/bin/pip freeze --exclude-editable | grep -v '^cagette' > requirements.lock
	rm -rf .venv-lock

clean:
	rm -rf out .pytest_cache .mypy_cache .ruff_cache
