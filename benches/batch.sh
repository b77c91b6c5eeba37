#!/usr/bin/env bash
# Times `tessera render --batch` on N recipients (default 100,000) of the demo's seasonal-sale email,
# next to the cost of merely writing the same files (`cp -r` of the output), so the figure can be
# read against this machine's file system. Usage: benches/batch.sh [N] [DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-100000}"
dir="${2:-/var/tmp/tessera-batch-bench}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/tessera-target}"
cargo build --release -q -j"${TESSERA_JOBS:-2}" --bin tessera
bin="$CARGO_TARGET_DIR/release/tessera"
mkdir -p "$dir"
input="$dir/recipients-$n.jsonl"
if [ ! -f "$input" ]; then
  python3 - "$n" "$input" <<'PY'
import sys
n, out = int(sys.argv[1]), sys.argv[2]
lines = [l for l in open("fixtures/demo/data/recipients.jsonl", encoding="utf-8") if l.strip()]
with open(out, "w", encoding="utf-8") as f:
    for i in range(n):
        f.write(lines[i % len(lines)])
PY
fi
rm -rf "$dir/out" "$dir/copy"
sync
start=$(date +%s.%N)
"$bin" render seasonal-sale --batch "$input" --out-dir "$dir/out" > /dev/null
mid=$(date +%s.%N)
sync
cp -r "$dir/out" "$dir/copy"
end=$(date +%s.%N)
size=$(du -sh "$dir/out" | cut -f1)
python3 - "$start" "$mid" "$end" "$n" "$size" <<'PY'
import sys
start, mid, end, n, size = map(str, sys.argv[1:])
render, copy = float(mid) - float(start), float(end) - float(mid)
print(f"tessera render --batch: {int(n):,} recipients, {size} written in {render:.2f} s ({int(n)/render:,.0f} recipients/s)")
print(f"cp -r of the same files: {copy:.2f} s; ratio tessera/cp = {render/copy:.2f}")
PY
rm -rf "$dir/out" "$dir/copy"
