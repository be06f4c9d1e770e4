# make run   : the app, on the default save file (a local .venv is made on first use)
# make test  : lint, types and the whole test suite, offscreen
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed-stamp

.PHONY: run test lint pytest bench screenshot clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,snowplow]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/snowsession-gui $(ARGS)

test: lint pytest

lint: $(STAMP)
	$(BIN)/ruff check session snowsession_gui tests benchmarks
	$(BIN)/ruff format --check session snowsession_gui tests benchmarks
	$(BIN)/lint-imports
	$(BIN)/mypy

pytest: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m benchmarks

screenshot: $(STAMP)
	$(BIN)/snowsession-gui --offscreen --screenshot docs/screenshot.png

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
