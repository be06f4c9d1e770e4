# make run   : the app, on the default save file (a local .venv is made on first use)
# make test  : lint, types and the whole test suite, offscreen
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed-stamp
BROWSER = tests/browser

.PHONY: run test lint pytest browser-deps bench screenshot clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/snowsession-gui $(ARGS)

test: lint pytest

lint: $(STAMP)
	$(BIN)/ruff check session snowsession_gui tests benchmarks
	$(BIN)/ruff format --check session snowsession_gui tests benchmarks
	$(BIN)/lint-imports
	$(BIN)/mypy

pytest: $(STAMP) browser-deps
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest $(PYTEST_ARGS)

# The JavaScript tracker for the browser tests, from the lock file (when npm is here).
browser-deps:
	@if command -v npm >/dev/null 2>&1 && [ ! -d $(BROWSER)/node_modules ]; then \
		cd $(BROWSER) && npm ci --no-audit --no-fund --silent; fi

bench: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m benchmarks

screenshot: $(STAMP)
	$(BIN)/snowsession-gui --offscreen --screenshot docs/screenshot.png

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
