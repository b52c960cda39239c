# titr — the two commands a new user needs: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
TITR   := $(VENV)/bin/titr
HOST   ?= 127.0.0.1
PORT   ?= 8765
WORKERS ?= 1

.PHONY: install install-dev run path summary test test-fast lint typecheck pytest bench bench-quick docs clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed pyproject.toml
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## make run: install, load the bundled dataset into the embedded store, print the corridor
## summary, write the network GeoJSON, then serve the dashboard.
run: install
	$(TITR) db init
	$(TITR) network summary --geojson corridor.geojson
	@echo "titr is installed at $(TITR); '. $(VENV)/bin/activate' puts it on your PATH."
	@if $(TITR) --help | grep -q " serve "; then $(TITR) serve --host $(HOST) --port $(PORT) --workers $(WORKERS); fi

## make path: where the titr command is (after `make install` or `make run`).
path: install
	@echo "$(abspath $(TITR))"
	@echo "put it on your PATH with: . $(VENV)/bin/activate"

summary: install
	$(TITR) network summary

lint: install-dev
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/ruff format --check src tests benchmarks

typecheck: install-dev
	$(VENV)/bin/mypy

pytest: install-dev
	$(PY) -m pytest -q

## make test-fast: the daily lane (no slow or browser tests), under two minutes.
test-fast: install-dev
	$(PY) -m pytest -q -m "not slow"

## make test: the whole suite (SQLite and a throwaway PostgreSQL), lint and type checks.
test: lint typecheck pytest

BENCHES := api dask_scaling flows montecarlo routing simulation

## make bench: every benchmark in full (minutes; CPU times, equal outputs checked, ratios).
bench: install-dev
	for b in $(BENCHES); do $(PY) benchmarks/$$b.py || exit 1; done

## make bench-quick: the smoke run of every benchmark (also run by `make test` via pytest).
bench-quick: install-dev
	for b in $(BENCHES); do $(PY) benchmarks/$$b.py --quick || exit 1; done

docs: install
	$(TITR) docs data-reference

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache corridor.geojson
