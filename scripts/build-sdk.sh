#!/usr/bin/env bash
# Minify the website snippet: src/leadpulse/sdk/ls.src.js → src/leadpulse/sdk/ls.js.
# The minified file is committed, so Python-only installs serve it without Node; run this
# after editing ls.src.js (needs Node ≥ 18 and the npm registry) and commit both files.
# `scripts/build-sdk.sh --check` fails when the committed ls.js is not the build of the source.
set -euo pipefail
cd "$(dirname "$0")/.."
TERSER_VERSION=5.51.2
SRC=src/leadpulse/sdk/ls.src.js
OUT=src/leadpulse/sdk/ls.js

if ! command -v npx >/dev/null; then
  echo "npx not found: install Node.js (apt-get install nodejs npm) to rebuild $OUT" >&2
  exit 1
fi
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
# The banner names the source's hash: a test fails when ls.js was not rebuilt after an edit.
digest=$(sha256sum "$SRC" | cut -c1-16)
{
  echo "/*! LeadPulse ls.js | MIT | source sha256:${digest} | readable source: ls.src.js */"
  npx --yes "terser@${TERSER_VERSION}" "$SRC" --ecma 2020 --compress passes=2 --mangle --comments false
} >"$tmp"
if [[ "${1:-}" == "--check" ]]; then
  if ! cmp -s "$tmp" "$OUT"; then
    echo "$OUT is stale: run scripts/build-sdk.sh and commit it" >&2
    exit 1
  fi
  exit 0
fi
mv "$tmp" "$OUT"
chmod 644 "$OUT"
echo "$OUT: $(wc -c <"$OUT") bytes, $(gzip -9c "$OUT" | wc -c) gzipped"
