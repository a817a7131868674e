# trustcard: `make demo` runs the whole job on sample data; `make test` runs the tests.
# Both create the virtual environment (pinned by requirements.lock) on first use.
# The tests run in parallel, one worker per core, each test file on one worker (pytest-xdist).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)
export DAGSTER_HOME ?= $(CURDIR)/data/dagster_home

.PHONY: demo test dev real bench bench-validation bench-pdf system-deps test-deps clean

$(STAMP): requirements.lock pyproject.toml
	@test -n "$(PYTHON)" || { echo "make: Python 3.11+ is needed (python3.11 or python3 on PATH)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	rm -f $(VENV)/.installed-* && touch $(STAMP)

# WeasyPrint needs Pango from the system; install it when missing (Debian/Ubuntu, as root).
system-deps:
	@ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0 || { \
	  echo "installing Pango for WeasyPrint"; \
	  (apt-get update -qq && apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0) >/dev/null \
	  || { echo "make: WeasyPrint needs Pango (libpango-1.0-0, libpangoft2-1.0-0); install it and retry"; exit 1; }; }
	@# HarfBuzz's subsetter makes each PDF's font subsets in C (about 0.35 s less per vendor PDF than
	@# WeasyPrint's fontTools fallback); optional: without it the PDFs look the same, only slower.
	@ldconfig -p 2>/dev/null | grep -q libharfbuzz-subset || { \
	  (apt-get install -y -qq libharfbuzz-subset0 || (apt-get update -qq && apt-get install -y -qq libharfbuzz-subset0)) >/dev/null 2>&1 \
	  || echo "make: libharfbuzz-subset0 not installed; PDFs use fontTools to subset fonts (slower)"; }

# tests/test_postgres_instance.py starts a real PostgreSQL server from Debian's binaries;
# install them when missing (Debian/Ubuntu, as root).
test-deps:
	@ls /usr/lib/postgresql/*/bin/pg_ctl /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
	  echo "installing PostgreSQL for the instance test"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql) >/dev/null \
	  || { echo "make: tests/test_postgres_instance.py needs the PostgreSQL server (postgresql); install it and retry"; exit 1; }; }

demo: $(STAMP) system-deps
	$(BIN)/trustcard demo

test: $(STAMP) system-deps test-deps
	$(BIN)/python -m pytest tests -n auto --dist loadfile

dev: $(STAMP) system-deps
	mkdir -p $(DAGSTER_HOME) && test -f $(DAGSTER_HOME)/dagster.yaml || cp dagster.yaml $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/dagster dev -w workspace.yaml

# Public data sets (../shared/data/real by default, or REAL=folder) -> landing -> every month they cover.
REAL ?= $(CURDIR)/../shared/data/real
real: $(STAMP) system-deps
	rm -rf data/real/landing
	$(BIN)/trustcard import all $(REAL) --to data/real/landing
	TRUSTCARD_LANDING_DIR=$(CURDIR)/data/real/landing TRUSTCARD_DB=$(CURDIR)/data/real/trustcard.duckdb \
	TRUSTCARD_REPORTS_DIR=$(CURDIR)/reports/out/real TRUSTCARD_FIRST_MONTH=2006-01 \
	TRUSTCARD_TRUST_MODEL=$(CURDIR)/pipelines/defs/scorecard/trust_model.public-data.toml \
	$(BIN)/trustcard run --months 2006-01..

clean:
	rm -rf data reports/out

bench-validation: $(STAMP)
	$(BIN)/python bench/validation_bench.py

bench-pdf: $(STAMP) system-deps
	$(BIN)/python bench/pdf_bench.py

# Issue 7's benchmark: scale data (SCALE=ci|1m|10m|50m, cached under data/bench/) -> the floor, the
# pandas peer and trustcard's 24-month backfill through Dagster, side by side; see docs/performance.md.
SCALE ?= 10m
BENCH_ARGS ?=
bench: $(STAMP) system-deps
	$(BIN)/python bench/scale_bench.py --scale $(SCALE) $(BENCH_ARGS)
