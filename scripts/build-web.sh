#!/usr/bin/env bash
# Build the dashboard into web/dist when Node is available; say how to get it otherwise.
# Skips the build when web/dist is newer than every input (sources, config, lock file).
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ! -f web/package.json ]]; then exit 0; fi
if ! command -v npm >/dev/null; then
  echo "Node.js/npm not found: the API runs, but the dashboard at / needs Node.js 20+ ('apt-get install nodejs npm'), then 'make run' again." >&2
  exit 1
fi
stamp=web/dist/index.html
if [[ -f $stamp && -z "$(find web/src web/public web/index.html web/vite.config.ts web/tsconfig.json web/package.json web/package-lock.json -newer "$stamp" -print -quit 2>/dev/null)" ]]; then
  exit 0
fi
cd web
if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
npm run build --silent
