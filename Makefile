# Two commands for a newcomer: `make run` and `make test`. Everything else is set up by them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
TRANSLATIONS := guide/translations
CATALOGS := $(wildcard $(TRANSLATIONS)/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGS:.po=.mo)

.PHONY: run test install translations extract update-translations check system-deps bench clean

# gunicorn.conf.py: threaded workers with header and request timeouts (slow clients), graceful
# stops (tallies written at exit), and no access log nor client address in any log.
run: install translations
	$(BIN)/flask --app wsgi init-db
	$(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

test: install translations system-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/flask --app wsgi content check
	$(BIN)/pytest -n 2 --maxschedchunk 2  # one process per core (measured: -n 2 224 s, -n 3 245 s, -n 4 290 s)

install: $(BIN)/.installed

$(BIN)/.installed: pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# Debian's Chromium for the browser tests, PostgreSQL for the database tests (root only; CI is root).
system-deps:
	@bash scripts/system-deps.sh

translations: install $(COMPILED)

%.mo: %.po
	$(BIN)/pybabel compile --statistics -i $< -o $@

extract: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -o $(TRANSLATIONS)/messages.pot --no-location --sort-output .

update-translations: extract
	$(BIN)/pybabel update -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) --ignore-obsolete  # the .pot has no locations to keep

bench: install translations
	@bash scripts/system-deps.sh bench
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) instance .pytest_cache $(COMPILED)
