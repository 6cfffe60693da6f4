#!/usr/bin/env bash
# Build the dashboard into web/dist when Node is available; say how to get it otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ! -f web/package.json ]]; then exit 0; fi
if ! command -v npm >/dev/null; then
  echo "Node.js/npm not found: the API runs, but the dashboard at / needs 'apt-get install nodejs npm' then 'make run' again." >&2
  exit 1
fi
if [[ web/dist/index.html -nt web/package-lock.json && -z "$(find web/src -newer web/dist/index.html -print -quit)" ]]; then
  exit 0
fi
(cd web && npm ci --no-audit --no-fund --loglevel=error && npm run build --silent)
