# The README's two set-up commands are `make serve` and `make test`; each builds
# .venv and installs everything it needs first. CI runs `make test` (.ci/run).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup serve test lint validate clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

serve: setup
	$(BIN)/regkg serve --host 127.0.0.1 --port 8000

validate: setup
	$(BIN)/regkg validate

test: setup
	$(BIN)/ruff check service tests
	$(BIN)/pytest

lint: setup
	$(BIN)/ruff check service tests
	$(BIN)/ruff format --check service tests
	$(BIN)/mypy

clean:
	rm -rf $(VENV) var dist build .pytest_cache .mypy_cache .ruff_cache
