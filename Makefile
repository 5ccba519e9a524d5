# planbot: `make run` and `make test` work on a machine that has only Python 3.11, git and make.
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.8
# Prefer a uv already on PATH; otherwise bootstrap a pinned one into .tools/ from PyPI.
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON := $(PYTHON)
PLANBOT := .venv/bin/planbot
REPORTS := $(wildcard data/reports/*.txt data/reports/*.tsv data/reports/*.xlsx data/reports/*.xlsm data/reports/*.xls)

.PHONY: run test lint format setup ingest bench bench-quick clean

setup: .venv/.synced

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

.venv/.synced: pyproject.toml uv.lock Makefile | $(UV)
	$(UV) sync --frozen --all-groups --compile-bytecode
	@touch $@

# Idempotent: a report whose checksum is already in the warehouse is skipped.
ingest: setup
	$(PLANBOT) ingest $(REPORTS)

run: ingest
	$(PLANBOT) run

test: setup
	.venv/bin/python -m pytest -n 2 -q

lint: setup
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

format: setup
	.venv/bin/ruff check --fix .
	.venv/bin/ruff format .

bench: ingest
	.venv/bin/python -m bench.run --full

bench-quick: ingest
	.venv/bin/python -m bench.run --quick

clean:
	rm -rf .venv .tools data/warehouse
