# make run: install, migrate, start the web app and the job worker on http://127.0.0.1:5000
# make test: install with the test extras and run the whole suite
# make bench: the benchmarks, printed as ratios against a baseline of the same run
# The browser tests also need npm (axe-core, vnu-jar), Java 17 and Debian's chromium.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app assess
STAMP := $(VENV)/.installed-stamp
NPM := $(shell command -v npm 2>/dev/null)
# axe-core and vnu-jar for the browser tests; --ignore-scripts: vnu-jar's postinstall would
# try to download a Java runtime, and the machine's own Java 17 runs vnu.jar.
NODE_STAMP := node_modules/.installed-stamp

.PHONY: install run test lint bench clean translations

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

$(NODE_STAMP): package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

MO_FILES := $(patsubst %.po,%.mo,$(wildcard translations/*/LC_MESSAGES/messages.po))

%.mo: %.po $(STAMP)
	$(VENV)/bin/pybabel compile --use-fuzzy -i $< -o $@

install: $(STAMP) $(MO_FILES)

# Refresh the message catalogue after changing visible strings, then translate the new entries.
translations:
	$(VENV)/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output -o translations/messages.pot .
	$(VENV)/bin/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching --ignore-obsolete

run: install
	$(FLASK) questionnaire check
	$(FLASK) db upgrade
	$(VENV)/bin/honcho start -f Procfile.dev

test: install $(if $(NPM),$(NODE_STAMP))
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check assess tests bench
	$(VENV)/bin/ruff format --check assess tests bench
	$(VENV)/bin/mypy
	$(VENV)/bin/bandit -q -r assess -lll

bench: install
	$(PY) -m bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
