#!/usr/bin/env bash
# How long `leadpulse` takes to answer its quick commands (hyperfine; installs it when root).
# Usage: scripts/cli-startup.sh [hyperfine options…]   e.g. --runs 20
# The modules those commands may import are pinned by tests/e2e/test_cli_startup.py; this
# script gives the time on this machine.
set -euo pipefail
cd "$(dirname "$0")/.."
bench/ensure-tools.sh
leadpulse="$PWD/.venv/bin/leadpulse"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
"$leadpulse" db upgrade --data-dir data >/dev/null 2>&1
hyperfine --warmup 2 --runs 10 -N "$@" \
  "$leadpulse --help" \
  "$leadpulse --version" \
  "$leadpulse db current --data-dir data"
