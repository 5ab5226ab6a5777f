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

.PHONY: release ontology-docs

# Dated dumps of the whole graph in every export format, with SHA-256 checksums, in dist/.
release: setup
	@mkdir -p dist
	@day=$$(date -u +%Y-%m-%d); \
	for fmt in nq trig ttl nt jsonld; do \
		$(BIN)/regkg export --format $$fmt -o dist/regkg-$$day.$$fmt || exit 1; \
	done; \
	cd dist && sha256sum regkg-$$day.nq regkg-$$day.trig regkg-$$day.ttl regkg-$$day.nt regkg-$$day.jsonld \
		> regkg-$$day.sha256 && cat regkg-$$day.sha256

# Regenerate ontology/regkg.html (pyLODE) after editing ontology/regkg.ttl; a test fails when it is stale.
ontology-docs: setup
	$(BIN)/python -m regkg.linked_data.ontology_docs

clean:
	rm -rf $(VENV) var dist build .pytest_cache .mypy_cache .ruff_cache
