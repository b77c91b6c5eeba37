#!/usr/bin/env bash
# Load on the signed feeds of `tessera serve` (`GET /feeds/<email>/<block>?t=`) with wrk (Debian's
# package, independent of Tessera), on loopback, into a store of PROFILES profiles (default
# 1,000,000) plus the demo's products and events. Tokens are signed by this script with Python's
# hmac from the workspace's signing key (read from the SQLite file): an implementation of the token
# format independent of Tessera's. Each request asks a random profile's feed (cache misses: every
# answer is computed from the store). Then the live images (`GET /live/<email>/<block>.png?t=`)
# of the seasonal sale's countdown and rewards balance, each URL asked once (cache misses: every
# image drawn). Prints requests/s, the latency percentiles, the server's CPU time per request
# (from /proc/<pid>/stat, which load disturbs less than wall time) and the load average.
# Usage: benches/feeds.sh [PROFILES] [SECONDS] [DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
profiles="${1:-1000000}"
seconds="${2:-10}"
dir="${3:-/var/tmp/tessera-feeds-bench}"
. benches/store-workspace.sh
bench_setup "$profiles" "$dir"
# The demo's products and events, a [live] table and a signing key: once per workspace.
if [ ! -f "$ws/.feeds-ready" ]; then
  for f in products.csv:products events.jsonl:events; do
    "$bin" --workspace "$ws" import "fixtures/demo/store/${f%%:*}" --kind "${f##*:}" > /dev/null
  done
  printf '\n[live]\nbase_url = "https://live.example.com"\namp_senders = ["news@example.com"]\n' >> "$ws/tessera.toml"
  "$bin" --workspace "$ws" keys rotate-signing > /dev/null
  touch "$ws/.feeds-ready"
fi
db="$ws/.tessera/store.db"

# 20,000 signed feed paths of random profiles, for the cart and the recommendations.
lua="$dir/feeds.lua"
python3 - "$db" "$lua" <<'PY'
import base64, hashlib, hmac, random, sqlite3, struct, sys, time
db, out = sys.argv[1], sys.argv[2]
c = sqlite3.connect(db)
key_id, secret = c.execute("SELECT id, secret FROM signing_keys WHERE revoked_at IS NULL ORDER BY id DESC LIMIT 1").fetchone()
ids = [r[0] for r in c.execute("SELECT id FROM profiles")]
r = random.Random(11)
def token(fields, expires):
    body = struct.pack(">BIq", 1, key_id, expires)
    for f in fields:
        b = f.encode()
        body += struct.pack(">H", len(b)) + b
    purpose = b"feed"
    tag = hmac.new(secret, b"tessera-token\0" + struct.pack(">Q", len(purpose)) + purpose + body, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(body + tag).rstrip(b"=").decode()
exp = int(time.time()) + 3600
def image_token(fields, expires):
    body = struct.pack(">BIq", 1, key_id, expires)
    for f in fields:
        b = f.encode()
        body += struct.pack(">H", len(b)) + b
    purpose = b"live-image"
    tag = hmac.new(secret, b"tessera-token\0" + struct.pack(">Q", len(purpose)) + purpose + body, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(body + tag).rstrip(b"=").decode()
with open(out.replace(".lua", "-images.lua"), "w") as f:
    f.write("local paths = {\n")
    for n in range(60000):
        pid = r.choice(ids)
        block = r.choice(["vip-offer", "rewards"])
        # Distinct expiries: every URL is a new token, so every request misses the cache.
        f.write(f'  "/live/seasonal-sale/{block}.png?t={image_token([str(pid), "seasonal-sale", block], exp + n)}",\n')
    # Each wrk thread starts at its own place, moved on by the clock between runs: two threads (or
    # two runs in the same minute) asking the same URL would be served from the per-minute cache.
    f.write("}\nlocal counter = 0\nsetup = function(thread)\n  counter = counter + 1\n  thread:set(\"id\", counter)\nend\n")
    f.write("local i = 0\ninit = function(args)\n  i = (id * 30011 + os.time() * 7919) % #paths\nend\n")
    f.write("request = function()\n  i = i + 1\n  return wrk.format(\"GET\", paths[(i % #paths) + 1])\nend\n")
    f.write("done = function(summary, latency, requests)\n  io.write(string.format(\"non-2xx or errors: %d\\n\", summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))\nend\n")
paths = []
for _ in range(20000):
    pid = r.choice(ids)
    block = r.choice(["cart-items", "recommendations"])
    paths.append(f"/feeds/abandoned-cart/{block}?t={token([str(pid), 'abandoned-cart', block], exp)}")
with open(out, "w") as f:
    f.write("local paths = {\n")
    for p in paths:
        f.write(f'  "{p}",\n')
    f.write("}\nlocal i = 0\nrequest = function()\n  i = i + 1\n  return wrk.format(\"GET\", paths[math.random(#paths)], {[\"AMP-Email-Sender\"] = \"news@example.com\"})\nend\n")
    f.write("done = function(summary, latency, requests)\n  io.write(string.format(\"non-2xx or errors: %d\\n\", summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))\nend\n")
PY

"$bin" --workspace "$ws" serve --listen 127.0.0.1:0 > "$dir/serve.out" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true' EXIT
for _ in $(seq 600); do grep -q listening "$dir/serve.out" && break; sleep 0.1; done
url=$(sed -n 's/.*listening on \(http:[^ ]*\).*/\1/p' "$dir/serve.out")
[ -n "$url" ] || { echo "tessera serve did not start: $(cat "$dir/serve.out")" >&2; exit 1; }
# One request checked by hand: a 200 with items.
first=$(sed -n '2p' "$lua" | tr -d ' ",')
curl -fsS -H 'AMP-Email-Sender: news@example.com' "$url$first" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert len(d["items"]) == 1, d; print("a feed answers:", len(json.dumps(d)), "bytes")'
# CPU time (user + system) of the server, in clock ticks.
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
hz=$(getconf CLK_TCK)
# Runs wrk and prints its figures with the server's CPU time per request.
load() {
  local conns="$1" script="$2" before after out requests
  before=$(ticks)
  out=$(wrk -t2 -c"$conns" -d"${seconds}s" --latency -s "$script" "$url")
  after=$(ticks)
  echo "$out" | grep -E "Requests/sec|Latency|50%|90%|99%|non-2xx|requests in"
  requests=$(echo "$out" | sed -n 's/^ *\([0-9]*\) requests in.*/\1/p')
  python3 -c "import sys; t, n, hz = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]); print(f'server CPU time: {t / hz:.2f} s for {n} requests = {1000 * t / hz / max(n, 1):.3f} ms per request')" "$((after - before))" "$requests" "$hz"
  echo "load average: $(cat /proc/loadavg)"
}
echo "load average before: $(cat /proc/loadavg)"
for conns in 8 64; do
  echo "== feeds: $conns connections, ${seconds}s, $profiles profiles"
  load "$conns" "$lua"
done
images="${lua%.lua}-images.lua"
first=$(sed -n '2p' "$images" | tr -d ' ",')
curl -fsS -o "$dir/first.png" "$url$first"
python3 -c 'import sys; b = open(sys.argv[1], "rb").read(); assert b[:8] == b"\x89PNG\r\n\x1a\n", b[:16]; print("a live image answers:", len(b), "bytes")' "$dir/first.png"
for conns in 2 8; do
  echo "== live images (cache misses): $conns connections, ${seconds}s, $profiles profiles"
  load "$conns" "$images"
done
echo "load average after: $(cat /proc/loadavg)"
