# LeadPulse — one target per habit. `make run` and `make test` are all a fresh machine needs.
SHELL := /bin/bash
PYTHON ?= python3.11
UV_VERSION := 0.13.9
UV := .uv/bin/uv
VENV := .venv
export UV_PROJECT_ENVIRONMENT := $(VENV)
export UV_PYTHON := $(PYTHON)
# The dashboard's node_modules, (re)installed from the lock file when it changes.
WEB_DEPS := web/node_modules/.package-lock.json
# Segment's Node library for the Segment API end-to-end test, from its own lock file.
SEGMENT_NODE_DEPS := tests/e2e/segment/node/node_modules/.package-lock.json
PY_LINTED := src tests $(wildcard bench) scripts/openapi_document.py

.PHONY: install install-dev run test test-fast lint format bench services web web-test api-client chromium clean segment-node

$(UV):
	@echo "==> Installing uv $(UV_VERSION) into .uv (once)"
	@$(PYTHON) -m venv .uv
	@.uv/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# Both install targets sync the same lock file and precompile bytecode, ours included: every
# `leadpulse` command starts faster, even where Python may not write .pyc files itself.
# `install` is --inexact: it never removes the test and lint tools that `install-dev` added,
# so `make run` and `make test` can follow each other in any order; `install-dev` syncs
# exactly (runtime + dev) and so prunes what the lock file dropped.
install: $(UV) ## Create .venv with LeadPulse and its pinned dependencies (idempotent)
	@echo "==> Python dependencies into $(VENV) (uv.lock; a minute the first time, then instant)"
	@$(UV) sync --locked --quiet --inexact --compile-bytecode
	@$(VENV)/bin/python -m compileall -q src >/dev/null

install-dev: $(UV) ## Same, plus test and lint tools
	@echo "==> Python dependencies and dev tools into $(VENV) (uv.lock, extra 'dev')"
	@$(UV) sync --locked --quiet --extra dev --compile-bytecode
	@$(VENV)/bin/python -m compileall -q src >/dev/null

run: install ## Run LeadPulse embedded (SQLite, in-process queue) on http://localhost:4000
	@echo "==> Dashboard into web/dist (skipped when up to date; npm ci the first time)"
	@scripts/build-web.sh || echo "    (no dashboard build: the API and /docs still work)"
	@echo "==> Starting LeadPulse: migrates ./data/leadpulse.db, then serves (Ctrl-C stops)"
	@$(VENV)/bin/leadpulse serve

services: ## Make sure PostgreSQL and Redis answer (starts them when installed but stopped)
	scripts/services.sh

chromium: ## Headless Chromium for browser tests (Debian package; never downloaded by a test tool)
	scripts/ensure-chromium.sh

test: install-dev services chromium $(SEGMENT_NODE_DEPS) ## Run the whole suite: unit, SQLite, PostgreSQL, Redis, browser, dashboard
	$(VENV)/bin/pytest
	$(MAKE) web-test

web: ## Build the dashboard into web/dist (needs Node.js 20+)
	scripts/build-web.sh

$(WEB_DEPS): web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error

$(SEGMENT_NODE_DEPS): tests/e2e/segment/node/package-lock.json
	cd tests/e2e/segment/node && npm ci --no-audit --no-fund --loglevel=error

segment-node: $(SEGMENT_NODE_DEPS) ## Segment's Node library for tests/e2e/segment (npm ci)

.PHONY: wheel
wheel: $(UV) ## Build dist/leadpulse-*.whl (dashboard and ls.js inside) and dist/requirements.txt (pins from uv.lock)
	scripts/build-wheel.sh dist

web-test: $(WEB_DEPS) ## Dashboard unit tests (vitest + Testing Library)
	cd web && npm test

api-client: install-dev $(WEB_DEPS) ## Regenerate web/src/api/{openapi.json,schema.d.ts} from the app (deterministic)
	scripts/gen-api-client.sh

test-fast: install-dev ## Unit tests and SQLite only
	$(VENV)/bin/pytest -m "not postgres and not redis and not browser"

lint: install-dev $(WEB_DEPS) ## ruff (lint + format check), mypy --strict on src/; dashboard: tsc -b, ESLint, Prettier
	$(VENV)/bin/ruff check $(PY_LINTED)
	$(VENV)/bin/ruff format --check $(PY_LINTED)
	$(VENV)/bin/mypy
	cd web && npm run --silent lint

format: install-dev $(WEB_DEPS)
	$(VENV)/bin/ruff format $(PY_LINTED)
	$(VENV)/bin/ruff check --fix $(PY_LINTED)
	cd web && npm run --silent format

bench: install-dev services ## Benchmarks against a baseline measured in the same run (BENCH_ARGS="--quick --backend sqlite")
	bench/ensure-tools.sh
	$(VENV)/bin/leadpulse bench run $(BENCH_ARGS)

clean:
	rm -rf .venv .uv .pytest_cache .mypy_cache .ruff_cache .hypothesis
