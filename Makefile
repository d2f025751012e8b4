# Each target sets up what it needs: a .venv made with python3 -m venv, refreshed when
# pyproject.toml changes.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: runbook runbook-fresh sandbox-stop test test-fast lab bench bench-scale lint lint-baseline clean exercises

$(STAMP): pyproject.toml
	@echo "Setting up $(VENV): installing the kit's packages (JupyterLab, boto3, moto, papermill, ...)."
	@echo "The first time takes about 2 minutes and prints nothing meanwhile; later commands reuse it."
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)
	@echo "$(VENV) is ready."

runbook: $(STAMP)  ## the whole runbook against the kept sandbox (runs/sandbox: started once, then reused)
	$(BIN)/python -m runbook run

runbook-fresh: $(STAMP)  ## the whole runbook from the sandbox's starting state (the kept sandbox reset)
	$(BIN)/python -m runbook run --fresh

sandbox-stop: $(STAMP)  ## stop the kept sandbox
	$(BIN)/python -m runbook sandbox --stop

# Two workers (pytest-xdist), each taking whole test files: a file's module fixtures are
# built once, and each worker builds the session's journey once.
test: $(STAMP)  ## the test suite, on two workers (pytest exit code 5, no tests, is a failure)
	$(BIN)/python -m pytest -n 2 --dist loadfile

test-fast: $(STAMP)  ## the unit tier only: no sandbox, no runbook, no browser (under a minute)
	$(BIN)/python -m pytest -m unit

# make lab / make exercises: PORT=8899 for another port, BROWSER=no to open no browser.
PORT ?= 8888
LAB_OPTIONS = --port $(PORT) $(if $(filter no false off 0,$(BROWSER)),--no-browser)

lab: $(STAMP)  ## the workshop: JupyterLab on 127.0.0.1 and one sandbox for every notebook
	$(BIN)/python -m runbook lab $(LAB_OPTIONS)

# make lint: ruff; the design rules (docs/architecture.md): the import contracts in
# pyproject.toml (lint-imports) and the checks of tests/test_design_rules.py; mypy, failing
# only on errors that are not in mypy-baseline.txt (matched by file and message, line numbers
# ignored, so code moving within a file changes nothing; errors fixed since are fine).
# When code moves between files or errors are fixed, refresh the baseline with one command,
# `make lint-baseline`, read its diff (only removals, unless you mean to accept an error) and
# commit mypy-baseline.txt.
lint: $(STAMP)  ## ruff, the design rules, mypy against its baseline
	$(BIN)/ruff check . && $(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/test_design_rules.py
	$(BIN)/mypy | $(BIN)/mypy-baseline filter --allow-unsynced --hide-stats --no-colors

lint-baseline: $(STAMP)  ## mypy-baseline.txt rewritten with today's mypy errors
	$(BIN)/mypy | $(BIN)/mypy-baseline sync

bench: $(STAMP)  ## figures: the runbook's wall time per step against bare helper calls
	$(BIN)/python bench/runbook_figures.py

ACCOUNTS ?= 100 300 1000
bench-scale: $(STAMP)  ## figures at scale: plan, scorecard, proof, calls and memory per account
	$(BIN)/python bench/scale.py --accounts $(ACCOUNTS)

exercises: $(STAMP)  ## self-study: build your copies into exercises/work (kept if they exist), open them
	$(BIN)/python -m helpers.exercises build
	$(BIN)/python -m helpers.exercises lab $(LAB_OPTIONS)

clean:  ## the kept sandbox stopped, .venv and runs/ removed
	-test ! -x $(BIN)/python || $(BIN)/python -m runbook sandbox --stop
	rm -rf $(VENV) runs
