#!/usr/bin/env bash
# Runs the Leefwijk end-to-end suite in a real (Debian) Chromium.
# Needs: node >= 20, npm, /usr/bin/chromium (apt-get install -y chromium),
# and the server binary (cargo build -p leefwijk, or LEEFWIJK_BIN=...).
# Extra arguments go to `node --test`, e.g. ./run.sh --test-name-pattern=axe
set -euo pipefail
cd "$(dirname "$0")"

CHROMIUM="${CHROMIUM_BIN:-/usr/bin/chromium}"
if [ ! -x "$CHROMIUM" ]; then
  echo "e2e: Chromium not found at $CHROMIUM." >&2
  echo "e2e: install Debian's build with: apt-get update && apt-get install -y chromium" >&2
  echo "e2e: (no browser is downloaded by this suite; set CHROMIUM_BIN to use another path)" >&2
  exit 2
fi

BIN="${LEEFWIJK_BIN:-../target/debug/leefwijk}"
if [ ! -x "$BIN" ]; then
  echo "e2e: server binary not found at $BIN." >&2
  echo "e2e: build it from the repository root with: cargo build -p leefwijk (or set LEEFWIJK_BIN)" >&2
  exit 2
fi

if [ ! -d node_modules ]; then
  echo "e2e: installing npm dependencies (npm ci)" >&2
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund
fi

exec node --test --test-concurrency=1 "$@" tests/
