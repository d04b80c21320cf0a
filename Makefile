# make run: install, migrate, start the web app and the job worker on http://127.0.0.1:5000
# make test: install with the test extras and run the whole suite
# make bench: the benchmarks, printed as ratios against a baseline of the same run

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app assess
STAMP := $(VENV)/.installed-stamp

.PHONY: install run test lint bench clean translations

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

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

test: install
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
