#!/usr/bin/env bash
# Two builds of `tessera serve` side by side on the workspace and URLs benches/feeds.sh made
# (run it first): the same wrk loads alternate between them, ROUNDS times, so both see the same
# machine load. Prints each run's requests/s, p99 and the server's CPU time per request (from
# /proc/<pid>/stat, which load disturbs less than wall time), then the ratios B/A of the medians.
# Usage: benches/feeds-ab.sh BIN_A BIN_B [PROFILES] [SECONDS] [ROUNDS] [DIR]
set -euo pipefail
a="$1" b="$2" profiles="${3:-1000000}" seconds="${4:-8}" rounds="${5:-3}" dir="${6:-/var/tmp/tessera-feeds-bench}"
ws="$dir/ws-$profiles"
feeds="$dir/feeds.lua" images="$dir/feeds-images.lua"
[ -f "$feeds" ] && [ -f "$images" ] || { echo "run benches/feeds.sh $profiles first (no $feeds)" >&2; exit 1; }
start() { # BIN OUT -> pid and url on stdout
  "$1" --workspace "$ws" serve --listen 127.0.0.1:0 > "$2" 2>&1 &
  local pid=$!
  for _ in $(seq 600); do grep -q listening "$2" && break; sleep 0.1; done
  echo "$pid $(sed -n 's/.*listening on \(http:[^ ]*\).*/\1/p' "$2")"
}
read -r pa ua < <(start "$a" "$dir/serve-a.out")
read -r pb ub < <(start "$b" "$dir/serve-b.out")
trap 'kill "$pa" "$pb" 2>/dev/null || true' EXIT
hz=$(getconf CLK_TCK)
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
results="$dir/ab-results.txt"; : > "$results"
run() { # NAME PID URL CONNS SCRIPT
  local before after out n rps p99
  before=$(ticks "$2")
  out=$(wrk -t2 -c"$4" -d"${seconds}s" --latency -s "$5" "$3")
  after=$(ticks "$2")
  n=$(echo "$out" | sed -n 's/^ *\([0-9]*\) requests in.*/\1/p')
  rps=$(echo "$out" | sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p')
  p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
  local cpu; cpu=$(python3 -c "import sys; print(f'{1000 * int(sys.argv[1]) / int(sys.argv[2]) / max(int(sys.argv[3]), 1):.3f}')" "$((after - before))" "$hz" "$n")
  echo "$1 requests/s=$rps p99=$p99 cpu_ms_per_request=$cpu non2xx=$(echo "$out" | sed -n 's/^non-2xx or errors: //p') load=$(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$results"
}
echo "load average before: $(cat /proc/loadavg)"
for round in $(seq "$rounds"); do
  for kind in "feeds 8 $feeds" "images 8 $images"; do
    set -- $kind
    run "round$round $1 A" "$pa" "$ua" "$2" "$3"
    run "round$round $1 B" "$pb" "$ub" "$2" "$3"
  done
done
python3 - "$results" <<'PY'
import re, statistics, sys
rows = {}
for line in open(sys.argv[1]):
    name, *fields = line.split()
    _, kind, side = name.split()[0], line.split()[1], line.split()[2]
    f = dict(x.split("=", 1) for x in line.split()[3:] if "=" in x and not x.startswith("load"))
    p99 = f["p99"]; ms = float(p99[:-2]) if p99.endswith("ms") else float(p99[:-1]) * 1000 if p99.endswith("s") else float(p99[:-2]) / 1000
    rows.setdefault((kind, side), []).append((float(f["requests/s"]), ms, float(f["cpu_ms_per_request"])))
for kind in ("feeds", "images"):
    med = {s: [statistics.median(c) for c in zip(*rows[(kind, s)])] for s in "AB"}
    a, b = med["A"], med["B"]
    print(f"{kind}: median A {a[0]:.0f} req/s p99 {a[1]:.1f} ms cpu {a[2]:.3f} ms | B {b[0]:.0f} req/s p99 {b[1]:.1f} ms cpu {b[2]:.3f} ms | B/A req/s {b[0]/a[0]:.2f} p99 {b[1]/a[1]:.2f} cpu {b[2]/a[2]:.2f}")
PY
echo "load average after: $(cat /proc/loadavg)"
