#!/usr/bin/env bash
# Incremental build time after a one-line change, per file: appends a private function to each
# file given, times `cargo build --bin twincity`, lists the crates that were compiled again,
# then restores the file and rebuilds (not timed). Start from a finished build.
#
#   scripts/build-times.sh src/editor/panels/scene.rs crates/twincity_crowd/src/model.rs
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --bin twincity --quiet
for file in "$@"; do
  cp "$file" "$file.orig"
  trap 'mv -f "$file.orig" "$file"' EXIT
  echo "#[allow(dead_code)] fn build_time_probe() -> u64 { $RANDOM }" >>"$file"
  start=$(date +%s.%N)
  log=$(cargo build --bin twincity 2>&1)
  end=$(date +%s.%N)
  mv -f "$file.orig" "$file"
  trap - EXIT
  crates=$(grep -o 'Compiling [a-z_]*' <<<"$log" | cut -d' ' -f2 | paste -sd' ' -)
  printf '%s: %.1f s, compiled: %s\n' "$file" "$(echo "$end - $start" | bc)" "$crates"
  cargo build --bin twincity --quiet
done
