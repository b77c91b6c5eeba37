#!/usr/bin/env bash
# Long fuzzing runs on stable Rust: the proptest targets of crates/core/tests/fuzz.rs (template
# parse and compile, personalize with arbitrary data, every export target) and
# crates/store/tests/fuzz.rs (CSV and JSON readers, whole imports, segment definitions), built
# with optimizations and run with many more cases than `cargo test`'s short pass (48 per target).
#
#   scripts/fuzz.sh                          # 5,000 cases per target
#   TESSERA_FUZZ_CASES=100000 scripts/fuzz.sh
#   TESSERA_FUZZ_CASES=20000 scripts/fuzz.sh core   # one crate's targets only (core or store)
#
# A failing case is shrunk and saved by proptest next to the target
# (crates/*/tests/fuzz.proptest-regressions) and replayed first by every later run, `cargo test`
# included: commit that file, fix the bug, and copy the input into fuzz/corpus/<crate>/ if it is
# worth keeping as a readable regression case. Prints, per target, the cases run and the time,
# and the size of the kept corpus.
set -euo pipefail
cd "$(dirname "$0")/.."

cases="${TESSERA_FUZZ_CASES:-5000}"
jobs="${CARGO_BUILD_JOBS:-2}"
which="${1:-all}"
export TESSERA_FUZZ_CASES="$cases"

run() {
  local crate="$1"
  echo "== tessera-$crate: $cases cases per target"
  local started
  started=$(date +%s)
  # --release: the same targets run about ten times faster than in a debug build.
  local log status=0
  log=$(mktemp)
  cargo test --release -j"$jobs" -p "tessera-$crate" --test fuzz -- --test-threads=1 >"$log" 2>&1 || status=$?
  grep -E '^test |test result|panicked|minimal failing|Test failed' "$log" || tail -n 30 "$log"
  rm -f "$log"
  echo "   $(( $(date +%s) - started )) s"
  local kept regressions
  kept=$(find "fuzz/corpus/$crate" -type f | wc -l)
  regressions=$(grep -c '^cc ' "crates/$crate/tests/fuzz.proptest-regressions" 2>/dev/null || true)
  echo "   corpus: $kept kept files in fuzz/corpus/$crate, ${regressions:-0} saved proptest seeds"
  return "$status"
}

status=0
case "$which" in
  core) run core || status=$? ;;
  store) run store || status=$? ;;
  all)
    run core || status=$?
    run store || status=$?
    ;;
  *) echo "usage: scripts/fuzz.sh [core|store|all]" >&2; exit 2 ;;
esac
exit "$status"
