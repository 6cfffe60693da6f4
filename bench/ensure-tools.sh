#!/usr/bin/env bash
# Make sure the benchmark tools are installed: Debian's wrk (load generator) and hyperfine
# (command start-up times, scripts/cli-startup.sh). Installs what is missing when root.
set -euo pipefail
missing=()
for tool in wrk hyperfine; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "bench: installing ${missing[*]} (apt-get install -y ${missing[*]})" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null \
    || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null; }
  exit 0
fi
echo "bench: ${missing[*]} missing; install with: sudo apt-get install -y ${missing[*]}" >&2
exit 1
