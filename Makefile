# qinet: one command to run the dashboard, one to run the tests.
# Each target sets itself up on a fresh machine (only Python 3.11+ and pip needed).

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PORT   ?= 8501

.PHONY: run test lint demo bench check-reference mutation clean

$(VENV)/.installed: requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.test-installed: $(VENV)/.installed requirements-test.txt
	$(PY) -m pip install --quiet -r requirements-test.txt
	touch $@

## run: create the venv, create data/qinet.db with synthetic demo data if missing, serve on :8501
run: $(VENV)/.installed
	$(PY) -m qinet init-db
	$(PY) -m streamlit run app.py --server.port $(PORT) --server.headless true \
		--browser.gatherUsageStats false

## test: install the test requirements and run the whole suite (SQLite and PostgreSQL) on two
## workers (pytest-xdist); the browser tests stay together on one of them
test: $(VENV)/.test-installed
	$(PY) -m pytest -n 2 --dist loadgroup

lint: $(VENV)/.test-installed
	$(VENV)/bin/ruff check .

demo: $(VENV)/.installed
	$(PY) -m qinet demo --seed 20240401 --scale small

bench: $(VENV)/.installed
	$(PY) -m qinet bench stats

## mutation: plant each curated fault (presets, limits, suppression, scope) in a copy of the
## tree and run the tests that should catch it; prints the score (not part of `make test`)
mutation: $(VENV)/.test-installed
	$(PY) tests/mutation.py

check-reference: $(VENV)/.installed
	$(PY) -m qinet check-reference tests/reference

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
