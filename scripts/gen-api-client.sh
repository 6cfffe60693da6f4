#!/usr/bin/env bash
# Regenerate the dashboard's typed API client from the app's OpenAPI document:
# web/src/api/openapi.json and web/src/api/schema.d.ts (both committed, never edited by hand).
# Deterministic: the document is built under fixed settings, without the caller's LEADPULSE_*
# variables or .env (scripts/openapi_document.py), and typed by the pinned openapi-typescript.
# The drift test (tests/integration/test_api_client_contract.py) fails until this has been run.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ! -x .venv/bin/python ]]; then
  echo "gen-api-client: no .venv yet; run 'make api-client' (it installs it first)." >&2
  exit 1
fi
PYTHONHASHSEED=0 .venv/bin/python scripts/openapi_document.py web/src/api/openapi.json
cd web
if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
npx --no-install openapi-typescript src/api/openapi.json -o src/api/schema.d.ts.tmp
mv src/api/schema.d.ts.tmp src/api/schema.d.ts
