# `make run` sets everything up and serves on http://127.0.0.1:5000; `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
ASSETS := company/static/govuk/app.css
FONTS := company/pdf/prepared-fonts/Sans-Regular.ttf

.PHONY: run run-cards test setup assets db demo-reset lint bench clean

run: setup assets db
	$(BIN)/python -m company.devserver

# `make run` with card payments against localstripe (PyPI, installed with the dev extras),
# listening on 127.0.0.1 only, with its webhook registered; see tests/stripe_server.py.
run-cards: setup assets db
	$(BIN)/python tests/stripe_server.py --run

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

assets: $(ASSETS) $(FONTS)

# The fonts PDFs embed: Liberation Sans (fonts-liberation) without its hinting; see the script.
$(FONTS): $(VENV)/.installed assets/pdf_fonts.py company/pdf/fonts.py
	$(BIN)/python assets/pdf_fonts.py

$(ASSETS): node_modules/.installed assets/build.mjs assets/scss/app.scss assets/init.mjs assets/card.js assets/favicon.svg
	npm run --silent build

db: setup
	$(FLASK) db upgrade
	$(FLASK) demo seed

# Back to the demo company as first loaded: the SQLite file is deleted and built again (stop
# `make run` first). The venv and assets are kept. Refuses to touch a DATABASE_URL database.
demo-reset: setup
	@if [ -n "$$DATABASE_URL" ]; then echo "demo-reset resets only instance/flatpack.db: unset DATABASE_URL" >&2; exit 1; fi
	rm -f instance/flatpack.db instance/flatpack.db-journal instance/flatpack.db-wal instance/flatpack.db-shm
	$(FLASK) db upgrade
	$(FLASK) demo seed

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check company billing tests bench

bench: setup
	$(BIN)/python bench/pages.py

clean:
	rm -rf $(VENV) node_modules company/static/govuk company/pdf/prepared-fonts instance
