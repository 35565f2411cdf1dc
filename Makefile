# cagette — the two commands of the README, and the developers' checks.
#   make demo   create .venv, install from the lock file, run the main job
#   make test   install what the tests need, run the whole suite
#   make check  ruff + mypy --strict on src/ + reuse lint + tests
#   make bench  benchmarks, each printing ratios against a reference
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
# Three locks, each with hashes (made by `make lock` with uv): the installers, what `make demo` runs,
# and what `make test` adds. A stamp per lock, so `make demo` never installs a test tool.
BOOT := $(VENV)/.installed-bootstrap
RUNTIME := $(VENV)/.installed-runtime
TESTENV := $(VENV)/.installed-test
UV_INSTALL := $(UV) pip install --quiet --python $(PY) --require-hashes
export CAGETTE_HOME ?= $(CURDIR)/out/home
# uv trusts the system's certificate store (where a site adds its own authority), as pip does.
export UV_SYSTEM_CERTS ?= 1
# Compile every module at install, as pip does and uv does not unless asked: without it, a machine that
# sets PYTHONDONTWRITEBYTECODE (CI images, some distributions) compiles ezdxf, Textual... at every
# start, which more than doubles a 2D kit's time and the app's first screen.
export UV_COMPILE_BYTECODE ?= 1
PYTEST_ARGS ?= -n 2 --dist loadfile

.PHONY: demo test gate check lint typecheck imports reuse bench install install-test system-deps-demo \
	system-deps-test i18n lock clean

$(BOOT): requirements-bootstrap.lock
	@scripts/system-deps.sh venv
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --require-hashes \
	  -r requirements-bootstrap.lock 2>&1 | { grep -v 'is ignored: it is neither a file nor a directory' || true; }
	@touch $@

$(RUNTIME): $(BOOT) requirements.lock pyproject.toml
	$(UV_INSTALL) -r requirements.lock
	$(UV) pip install --quiet --python $(PY) --no-deps --no-build-isolation -e .
	$(PY) -m compileall -q -j 0 src tui >/dev/null
	$(PY) -m cagette.i18n build >/dev/null
	@touch $@

$(TESTENV): $(RUNTIME) requirements-test.lock
	$(UV_INSTALL) -r requirements-test.lock
	@touch $@

install: $(RUNTIME)

install-test: $(TESTENV)

system-deps-demo:
	@scripts/system-deps.sh demo

system-deps-test:
	@scripts/system-deps.sh test

demo: $(RUNTIME) system-deps-demo
	@mkdir -p out
	@for step in scripts/demo/*.sh; do \
	  echo "== $$step"; \
	  CAGETTE="$(CURDIR)/$(VENV)/bin/cagette" PY="$(CURDIR)/$(PY)" bash "$$step" || exit 1; \
	done
	@echo "Demo done: see out/ (CAGETTE_HOME=$(CAGETTE_HOME))."

# The gate: lint, types, the floors' contracts and REUSE (seconds), then the suite; prints its duration.
test: $(TESTENV) system-deps-test
	@start=$$(date +%s); \
	$(MAKE) --no-print-directory gate && \
	$(PY) -m pytest $(PYTEST_ARGS); status=$$?; \
	echo "make test: $$(( $$(date +%s) - start )) s (exit $$status)"; exit $$status

gate: lint typecheck imports reuse

lint: $(TESTENV)
	$(VENV)/bin/ruff check src tui tests bench scripts firmware library

typecheck: $(TESTENV)
	$(VENV)/bin/mypy --strict src
	$(VENV)/bin/mypy tui

imports: $(TESTENV)
	$(VENV)/bin/lint-imports --no-logo --no-cache

reuse: $(TESTENV)
	$(VENV)/bin/reuse lint

check: test

bench: $(TESTENV) system-deps-test
	@for b in bench/*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

i18n: $(TESTENV)
	$(PY) -m cagette.i18n_extract update

# Refresh the three locks from pyproject.toml (developers only): the versions already locked are kept
# unless pyproject.toml needs others; `make lock UPGRADE=--upgrade` takes the newest.
LOCK := $(UV) pip compile --quiet --generate-hashes --python-version 3.11 $(UPGRADE)
lock: $(BOOT)
	$(LOCK) -o requirements.lock pyproject.toml
	$(LOCK) -o requirements-test.lock --extra test pyproject.toml
	printf 'uv==%s\nsetuptools>=68\nwheel\n' "$$($(UV) --version | cut -d' ' -f2)" | \
	  $(LOCK) -o requirements-bootstrap.lock -

clean:
	rm -rf out .pytest_cache .mypy_cache .ruff_cache
