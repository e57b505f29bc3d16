# huodong — `make run` serves the demo on http://127.0.0.1:8000, `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export HUODONG_DATA_DIR ?= $(CURDIR)/var

.PHONY: run test fuzz install install-dev assets messages migrate demo lint bench clean sysdeps

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# Installed when pyproject.toml changes; the stamp records it.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed assets messages
install-dev: $(VENV)/.installed-dev assets messages

# htmx, jsQR and @noble/ed25519 come from the npm registry and are served locally (no CDN; settings.py
# maps node_modules into /static/vendor/). Pages still work without htmx; the scanner page needs the other two.
VENDOR_FILES := node_modules/htmx.org/dist/htmx.min.js node_modules/jsqr/dist/jsQR.js node_modules/@noble/ed25519/index.js node_modules/chart.js/dist/chart.umd.min.js
assets:
	@if ! ls $(VENDOR_FILES) >/dev/null 2>&1; then \
	  if command -v npm >/dev/null 2>&1; then npm install --no-audit --no-fund --silent; \
	  else echo "npm not found: pages work without htmx; the check-in scanner needs jsqr and @noble/ed25519"; fi; fi

# Compile the .po catalogues (English, and anything an administrator adds).
# Only when a catalogue changed: two `make test` running side by side (CI) must not rewrite the same .mo.
messages: | $(BIN)/python
	@stale=0; for po in $$(find src/huodong/locale -name '*.po'); do \
	  mo="$${po%.po}.mo"; [ -f "$$mo" ] && [ "$$mo" -nt "$$po" ] || stale=1; done; \
	if [ $$stale = 1 ]; then cd src/huodong && ../../$(BIN)/python -m django compilemessages --settings=huodong.settings -v 0 --ignore='.venv'; fi

# A CJK font for the PDF documents: installed from Debian's packages when none is present.
sysdeps:
	@bash scripts/system-deps.sh fonts

migrate: install
	@mkdir -p $(HUODONG_DATA_DIR)
	$(BIN)/huodong manage migrate --noinput -v 0
	$(BIN)/huodong manage collectstatic --noinput -v 0

demo: migrate
	$(BIN)/huodong demo --if-empty

run: sysdeps install migrate
	$(BIN)/huodong demo --if-empty
	@echo "huodong: http://$(HOST):$(PORT)/  (演示账号见上 / demo accounts above)"
	@# The worker (the outbox and background jobs) runs beside the server and stops with it.
	HUODONG_DEV=1 $(BIN)/huodong worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT; \
	  HUODONG_DEV=1 $(BIN)/huodong serve --host $(HOST) --port $(PORT)

# Two processes (pytest-xdist): the suite is over 2,500 tests; PYTEST_ARGS="-n 0" runs it in one.
PYTEST_ARGS ?= -n 2
test: sysdeps install-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Schemathesis against `huodong serve` on a fresh database, bounded in time (scripts/fuzz_api.py):
#   make fuzz                                    SQLite in a temporary directory
#   make fuzz FUZZ_ARGS="--database postgresql"  a fresh database on the server of $$DATABASE_URL
fuzz: install-dev
	$(BIN)/python scripts/fuzz_api.py $(FUZZ_ARGS)

lint: install-dev
	$(BIN)/ruff check src tests bench scripts conftest.py
	$(BIN)/ruff format --check src tests bench scripts conftest.py
	$(BIN)/mypy src/huodong

bench: install-dev
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) var node_modules .pytest_cache
