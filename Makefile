# make run: system packages, install, migrate, start the web app and the job worker on http://127.0.0.1:5000
# make test: the same set-up with the test extras, then the whole suite
# make bench: the benchmarks, printed as ratios against a baseline of the same run
# bin/system-packages knows the system packages each of them needs, and installs what is missing.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app assess
STAMP := $(VENV)/.installed-stamp
SYSTEM_PACKAGES := bin/system-packages
# axe-core and vnu-jar for the browser tests; --ignore-scripts: vnu-jar's postinstall would
# try to download a Java runtime, and the machine's own Java 17 runs vnu.jar.
NODE_STAMP := node_modules/.installed-stamp

.PHONY: install run test lint bench clean translations lock system-run system-test system-bench

system-run:
	$(SYSTEM_PACKAGES) run

system-test:
	$(SYSTEM_PACKAGES) run test

system-bench:
	$(SYSTEM_PACKAGES) run bench

# The pinned, hashed dependencies of requirements.lock, then the project itself.
$(STAMP): pyproject.toml requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements.lock
	$(PY) -m pip install --quiet --no-deps -e .
	touch $(STAMP)

$(NODE_STAMP): package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

install: system-run $(STAMP)

# Pin every dependency with its hashes after changing pyproject.toml's dependencies.
lock:
	$(PY) -m pip install --quiet pip-tools
	$(VENV)/bin/pip-compile --quiet --extra test --generate-hashes --allow-unsafe --strip-extras \
	  --no-emit-index-url --no-emit-find-links -o requirements.lock pyproject.toml

# Refresh the message catalogue after changing visible strings, then translate the new entries.
# The app compiles the catalogues when it starts: there is no .mo file to build.
translations:
	$(VENV)/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output -o translations/messages.pot .
	$(VENV)/bin/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching --ignore-obsolete

run: install
	$(FLASK) questionnaire check
	$(FLASK) db upgrade
	$(VENV)/bin/honcho start -f Procfile.dev

test: system-test $(STAMP) $(NODE_STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check assess tests bench
	$(VENV)/bin/ruff format --check assess tests bench
	$(VENV)/bin/mypy
	$(VENV)/bin/bandit -q -r assess -lll
	$(VENV)/bin/lint-imports

bench: system-bench $(STAMP)
	$(PY) -m bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
