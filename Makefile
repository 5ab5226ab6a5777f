# The README's two set-up commands are `make serve` and `make test`; each builds
# .venv and installs everything it needs first. CI runs `make test` (.ci/run).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup vendor browser serve test lint validate clean

# The engines' sandbox loads its seccomp filter through Debian's libseccomp2.
$(STAMP): pyproject.toml
	@ldconfig -p 2>/dev/null | grep -q libseccomp.so.2 || (apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libseccomp2)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

# Front-end packages (Cytoscape.js, fCoSE, YASGUI, Swagger UI and ReDoc for /docs and /redoc, Observable
# Plot and D3 for /insights, and axe-core for the accessibility test) come from the npm registry as pinned in
# service/regkg/web/package-lock.json, and are copied into the git-ignored static/vendor/ that the
# app serves: nothing is loaded from a CDN at run time, no third-party bundle is committed.
WEB := service/regkg/web
VENDOR := $(WEB)/static/vendor
VENDOR_STAMP := $(VENDOR)/.installed
NPM_MODULES := $(WEB)/node_modules
VENDOR_FILES := cytoscape/dist/cytoscape.min.js layout-base/layout-base.js cose-base/cose-base.js \
	cytoscape-fcose/cytoscape-fcose.js @zazuko/yasgui/build/yasgui.min.js @zazuko/yasgui/build/yasgui.min.css \
	swagger-ui-dist/swagger-ui-bundle.js swagger-ui-dist/swagger-ui.css redoc/bundles/redoc.standalone.js \
	axe-core/axe.min.js d3/dist/d3.min.js @observablehq/plot/dist/plot.umd.min.js
VENDOR_PACKAGES := cytoscape layout-base cose-base cytoscape-fcose @zazuko/yasgui swagger-ui-dist redoc axe-core \
	d3 @observablehq/plot

$(VENDOR_STAMP): $(WEB)/package.json $(WEB)/package-lock.json
	cd $(WEB) && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/licenses
	for f in $(VENDOR_FILES); do cp $(NPM_MODULES)/$$f $(VENDOR)/; done
	# ReDoc draws a logo from its makers' CDN: an empty data: URL instead (the logo then hides itself).
	sed -i 's#https://cdn.redoc.ly/redoc/logo-mini.svg#data:,#' $(VENDOR)/redoc.standalone.js
	for p in $(VENDOR_PACKAGES); do \
		f=$$(ls $(NPM_MODULES)/$$p/LICENSE $(NPM_MODULES)/$$p/LICENSE* 2>/dev/null | head -1); \
		if [ -n "$$f" ]; then cp "$$f" $(VENDOR)/licenses/$$(basename $$p).LICENSE; fi; done
	touch $@

vendor: $(VENDOR_STAMP)

# The browser tests drive Debian's chromium (never a browser downloaded by Playwright).
CHROMIUM := /usr/bin/chromium
# A CJK font too, so that screenshots show the Chinese labels.
browser:
	@test -x $(CHROMIUM) || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)
	@test -n "$$(fc-list :lang=zh 2>/dev/null)" || (apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-zenhei) || echo "no CJK font: screenshots show boxes"

serve: setup vendor
	$(BIN)/regkg serve --host 127.0.0.1 --port 8000

validate: setup
	$(BIN)/regkg validate

test: setup vendor browser
	$(BIN)/ruff check service tests
	$(BIN)/pytest

lint: setup
	$(BIN)/ruff check service tests
	$(BIN)/ruff format --check service tests
	$(BIN)/mypy

.PHONY: release ontology-docs bench

# Benchmarks, run by hand (never by `make test`): this service vs `oxigraph serve` vs rdflib-endpoint
# on a generated ~1M-triple graph; results in bench/results/. wrk comes from Debian, rdflib-endpoint
# from PyPI into its own venv under the git-ignored bench/work/.
BENCH_VENV := bench/work/venv-rdflib-endpoint
bench: setup
	@command -v wrk >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk)
	@test -x $(BENCH_VENV)/bin/rdflib-endpoint || ($(PYTHON) -m venv $(BENCH_VENV) && \
		$(BENCH_VENV)/bin/pip install --quiet 'rdflib-endpoint[cli]' uvicorn click)
	$(BIN)/python bench/run.py

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
	rm -rf $(VENV) var dist build .pytest_cache .mypy_cache .ruff_cache $(VENDOR) $(NPM_MODULES)
