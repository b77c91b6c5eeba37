#!/usr/bin/env bash
# Load on `tessera serve` with wrk (Debian's package, independent of Tessera), on loopback:
#   1. single-event `track` calls with keep-alive (each answered after its durable commit),
#   2. 100-event `batch` calls,
#   3. overload: 1024 connections sending batches into a 16 MB queue: 429s and peak memory.
# Into a store of PROFILES profiles (default 1,000,000; the demo segments kept, so membership
# updates are part of every commit). Events are counted in the SQLite file afterwards, so the
# figures are durable events, not answered requests. Prints the machine's load average too.
# Each run also prints the server's CPU time (user + system, from /proc/<pid>/stat) per durable
# event, which the machine's other load disturbs far less than the wall-clock rates.
# Usage: benches/live.sh [PROFILES] [SECONDS] [DIR]
#        LIVE_COMPARE="OLD_BIN NEW_BIN" benches/live.sh ...   (two builds alternated, same store)
set -euo pipefail
cd "$(dirname "$0")/.."
profiles="${1:-1000000}"
seconds="${2:-10}"
dir="${3:-/var/tmp/tessera-live-bench}"
. benches/store-workspace.sh
bench_setup "$profiles" "$dir"
key=$("$bin" --workspace "$ws" keys create --write --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["secret"])')
auth=$(printf '%s:' "$key" | base64 -w0)
db="$ws/.tessera/store.db"
events() { python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(c.execute('select count(*) from events').fetchone()[0] + c.execute('select count(*) from custom_events').fetchone()[0])" "$db"; }

serve() {
  "$bin" --workspace "$ws" serve --listen 127.0.0.1:0 "$@" > "$dir/serve.out" 2>&1 &
  pid=$!
  # Opening a large store on a busy machine can take a while (segments synchronized first).
  for _ in $(seq 3000); do grep -q listening "$dir/serve.out" && break; sleep 0.1; done
  url=$(sed -n 's/.*listening on \(http:[^ ]*\).*/\1/p' "$dir/serve.out")
  [ -n "$url" ] || { echo "tessera serve did not start: $(cat "$dir/serve.out")" >&2; kill "$pid"; exit 1; }
}
stop() { kill -INT "$pid"; wait "$pid" || true; pid=; }
# CPU time (user + system) the server has used so far, in ms (from /proc/<pid>/stat: the load of the
# machine disturbs this far less than wall-clock figures).
cpu_ms() { awk -v hz="$(getconf CLK_TCK)" '{print int(($14 + $15) * 1000 / hz)}' "/proc/$pid/stat"; }
pid=
trap '[ -z "$pid" ] || kill "$pid" 2>/dev/null || true' EXIT
ulimit -n 4096 2>/dev/null || true

lua="$dir/live.lua"
cat > "$lua" <<LUA
local n = 0
local profiles = $profiles
local batch = tonumber(os.getenv("BATCH") or "1")
local thread_id = 0
setup = function(thread) thread_id = thread_id + 1; thread:set("tid", thread_id) end
local function call(i)
  return string.format('{"type":"track","userId":"CRM%08d","messageId":"%s-%d-%d","event":"Product Viewed","properties":{"sku":"NW-%d"}}',
    math.random(0, profiles - 1), os.time(), tid, i, i % 500)
end
request = function()
  n = n + 1
  local body
  if batch == 1 then
    body = call(n):gsub('"type":"track",', '')
    return wrk.format("POST", "/v1/track", {["Authorization"] = "Basic $auth", ["Content-Type"] = "application/json"}, body)
  end
  local items = {}
  for j = 1, batch do items[j] = call(n * 1000 + j) end
  body = '{"batch":[' .. table.concat(items, ",") .. ']}'
  return wrk.format("POST", "/v1/batch", {["Authorization"] = "Basic $auth", ["Content-Type"] = "application/json"}, body)
end
LUA

echo "load average before: $(cat /proc/loadavg)"
run() { # label, batch, connections, extra serve args...
  local label=$1 batch=$2 conns=$3; shift 3
  local seconds=${run_seconds:-$seconds}
  serve "$@"
  local before; before=$(events)
  local cpu_before; cpu_before=$(cpu_ms)
  BATCH=$batch wrk -t2 -c"$conns" -d"${seconds}s" -s "$lua" "$url" > "$dir/wrk.out" 2>&1
  local peak; peak=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
  local cpu; cpu=$(( $(cpu_ms) - cpu_before ))
  stop
  local after; after=$(events)
  local non2xx; non2xx=$(sed -n 's/.*Non-2xx or 3xx responses: \([0-9]*\).*/\1/p' "$dir/wrk.out")
  local latency; latency=$(awk '/Latency/ {print $2 " avg, " $4 " max"}' "$dir/wrk.out")
  echo "$label: $(( (after - before) / seconds )) durable events/s ($((after - before)) in ${seconds}s), non-2xx ${non2xx:-0}, latency $latency, peak RSS $((peak / 1024)) MB, server CPU $(( cpu * 1000 / ((after - before) > 0 ? (after - before) : 1) )) us/event; load $(cut -d' ' -f1-3 /proc/loadavg)"
}
if [ -n "${LIVE_COMPARE:-}" ]; then
  # Builds side by side on the same store and machine state: LIVE_COMPARE="OLD_BIN NEW_BIN", each
  # run twice, alternating, so both see the same load; compare the CPU per event above all.
  for round in 1 2; do
    for candidate in $LIVE_COMPARE; do
      bin=$candidate
      run "round $round, $(basename "$bin"): single-event track, 64 connections" 1 64
      run "round $round, $(basename "$bin"): 100-event batches, 16 connections" 100 16
    done
  done
  echo "load average after: $(cat /proc/loadavg)"
  exit 0
fi
run "single-event track, keep-alive, 64 connections" 1 64
run "single-event track, keep-alive, 64 connections, --sync-at-checkpoints" 1 64 --sync-at-checkpoints
run "100-event batches, 16 connections" 100 16
# Far beyond the sustainable rate (64 times the connections of the batch run), for 30 s.
run_seconds=30 run "overload: 100-event batches, 1024 connections, 16 MB queue, 30 s" 100 1024 --queue-mb 16
# Stream latency while the single-event load runs in the background.
read_key=$("$bin" --workspace "$ws" keys create --read --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["secret"])')
serve
BATCH=1 wrk -t1 -c16 -d"$((seconds + 5))s" -s "$lua" "$url" > "$dir/wrk.out" 2>&1 &
load=$!
sleep 1
python3 benches/live_stream.py "$url" "$key" "$read_key" 200 || true
wait "$load" || true
stop
echo "  (with single-event tracks from 16 wrk connections running alongside: $(awk '/Requests\/sec/ {print $2}' "$dir/wrk.out") req/s)"
echo "load average after: $(cat /proc/loadavg)"
