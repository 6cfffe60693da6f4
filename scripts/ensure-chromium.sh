#!/usr/bin/env bash
# Make sure /usr/bin/chromium exists for the browser tests (JS SDK and dashboard e2e).
# Playwright cannot download its own browser builds here, so Debian's package is used.
# Installs it when missing and running as root; otherwise says what to do and fails.
set -euo pipefail
CHROMIUM=/usr/bin/chromium
if [[ -x "$CHROMIUM" ]]; then
  exit 0
fi
if [[ "$(id -u)" != "0" ]]; then
  echo "Chromium is missing: run 'sudo apt-get install -y chromium' (browser tests need $CHROMIUM)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium >/dev/null
"$CHROMIUM" --version
