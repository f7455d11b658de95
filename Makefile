# French News Toolkit — two commands:
#   make demo   set up .venv (Python 3.11, locked dependencies) and run the main job on the bundled corpus
#   make test   same set-up, then ruff and the whole test suite
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup demo test lint lock clean

setup: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Python 3.11 is required (found " + sys.version.split()[0] + "); set PYTHON=/path/to/python3.11")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(STAMP)

demo: setup
	$(BIN)/fnt run experiments/demo.toml --out runs/demo

lint: setup
	$(BIN)/ruff check toolkit tests benchmarks tools

test: setup lint
	@tools/ensure_chromium.sh
	$(BIN)/python -m pytest -n 2 --timeout 900

lock:
	$(BIN)/python tools/lock.py

clean:
	rm -rf runs .pytest_cache .ruff_cache
