# `make briefs` builds the sample briefs into output/; `make test` runs the tests.
# Both install what they need first: Debian packages, then a virtual environment.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: briefs test lint fuzz system system-test clean

briefs: system $(VENV)/.installed
	$(BIN)/briefs build agreements

test: system-test $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

fuzz: $(VENV)/.installed-test
	$(BIN)/python -m tests.fuzz --count 100000 $(FUZZ_ARGS)

system:
	scripts/install-system-packages system-packages.txt

system-test:
	scripts/install-system-packages system-packages.txt system-packages-test.txt

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: $(VENV)/bin/python setup.cfg pyproject.toml
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/bin/python setup.cfg pyproject.toml
	$(BIN)/pip install -q -e '.[test]'
	touch $@ $(VENV)/.installed

clean:
	rm -rf output/* build dist *.egg-info
