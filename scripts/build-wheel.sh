#!/usr/bin/env bash
# Build the installable wheel and the locked requirement set it is installed with.
#
#   scripts/build-wheel.sh [--skip-web] [OUT_DIR]      (OUT_DIR defaults to dist/)
#
# Writes OUT_DIR/leadpulse-<version>-py3-none-any.whl (with the dashboard and ls.js inside)
# and OUT_DIR/requirements.txt (every runtime dependency pinned from uv.lock), so that
#   pip install -r OUT_DIR/requirements.txt OUT_DIR/leadpulse-*.whl
# installs exactly the tested versions. The dashboard is (re)built first when stale
# (scripts/build-web.sh, Node.js 20+); --skip-web uses web/dist as it is (the Docker image
# builds it in its own stage). The wheel's build hook refuses to build without web/dist.
set -euo pipefail
cd "$(dirname "$0")/.."

skip_web=false
if [[ ${1:-} == --skip-web ]]; then skip_web=true; shift; fi
out=${1:-dist}

uv=${UV:-}
if [[ -z $uv ]]; then
  if [[ -x .uv/bin/uv ]]; then uv=.uv/bin/uv; else uv=$(command -v uv || true); fi
fi
if [[ -z $uv ]]; then
  echo "uv not found: run 'make install-dev' (creates .uv/bin/uv) or set UV=/path/to/uv" >&2
  exit 1
fi

if [[ $skip_web == false ]]; then scripts/build-web.sh; fi
mkdir -p "$out"
rm -f "$out"/leadpulse-*.whl
"$uv" build --wheel --out-dir "$out"
"$uv" export --frozen --quiet --no-dev --no-emit-project --no-hashes --no-header \
  --output-file "$out/requirements.txt" >/dev/null
for wheel in "$out"/leadpulse-*.whl; do
  echo "$wheel ($(du -h "$wheel" | cut -f1)) + $out/requirements.txt"
done
