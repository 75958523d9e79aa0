# `make run` sets everything up and serves on http://127.0.0.1:5000; `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
ASSETS := company/static/govuk/app.css

.PHONY: run test setup assets db lint bench clean

run: setup assets db
	$(BIN)/python -m company.devserver

test: setup assets
	$(BIN)/python -m pytest $(PYTEST_ARGS)

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

assets: $(ASSETS)

$(ASSETS): node_modules/.installed assets/build.mjs assets/scss/app.scss assets/init.mjs assets/favicon.svg
	npm run --silent build

db: setup
	$(FLASK) db upgrade
	$(FLASK) demo seed

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check company billing tests bench

bench: setup
	$(BIN)/python bench/pages.py

clean:
	rm -rf $(VENV) node_modules company/static/govuk instance
