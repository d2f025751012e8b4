# Each target sets up what it needs: a .venv made with python3 -m venv, refreshed when
# pyproject.toml changes.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: runbook runbook-fresh sandbox-stop test lab bench bench-scale lint clean exercises

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

test: $(STAMP)  ## the test suite (pytest exit code 5, no tests, is a failure)
	$(BIN)/python -m pytest

# make lab / make exercises: PORT=8899 for another port, BROWSER=no to open no browser.
PORT ?= 8888
LAB_OPTIONS = --port $(PORT) $(if $(filter no false off 0,$(BROWSER)),--no-browser)

lab: $(STAMP)  ## the workshop: JupyterLab on 127.0.0.1 and one sandbox for every notebook
	$(BIN)/python -m runbook lab $(LAB_OPTIONS)

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

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
