#!/usr/bin/env bash
# Times the demo segments over a large store: imports N profiles and M events with benches/import.sh
# (into a workspace created by `tessera init`, which holds the demo segments), then times a full
# `tessera segments refresh`. Usage: benches/segments.sh [PROFILES] [EVENTS] [DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
profiles="${1:-1000000}"
events="${2:-1000000}"
dir="${3:-/var/tmp/tessera-import-bench}"
TESSERA_BENCH_SEGMENTS=1 benches/import.sh "$profiles" "$events" "$dir"
bin="${CARGO_TARGET_DIR:-/var/tmp/tessera-target}/release/tessera"
# The generated events span 2025-09-01 to 2025-11-30: evaluate at their end.
echo "loadavg: $(cat /proc/loadavg)"
/usr/bin/time -f "segments refresh: %e s wall, %U s user + %S s system CPU, %M KB peak resident (includes the mapped store file)" \
  "$bin" --workspace "$dir/ws" segments refresh --as-of 2025-11-30T00:00:00Z | tail -1
echo "loadavg: $(cat /proc/loadavg)"
