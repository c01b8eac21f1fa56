#!/usr/bin/env bash
# Bounded fuzz run: every target (or the named ones) for SECONDS each.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-30}"; shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then targets=(kwb_csv kwb_geojson boundaries area_code covenant signal_intake); fi
command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --locked
export RUSTC_BOOTSTRAP=1
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t"
  work="$(mktemp -d)"
  cp -r "corpus/$t/." "$work/"
  echo "fuzzing $t for ${seconds}s"
  # -O: optimised build; -rss_limit: fail on runaway memory; the seed corpus stays untouched.
  cargo fuzz run -O "$t" "$work" -- -max_total_time="$seconds" -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1
  rm -rf "$work"
done
