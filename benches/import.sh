#!/usr/bin/env bash
# Times imports into a fresh store: N profile rows (default 1,000,000, about 150 MB of CSV) and
# M events (default 1,000,000, in time order over 90 days) over those profiles, printing wall time and peak memory.
# Usage: benches/import.sh [PROFILES] [EVENTS] [DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
profiles="${1:-1000000}"
events="${2:-1000000}"
dir="${3:-/var/tmp/tessera-import-bench}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/tessera-target}"
cargo build --release -q -j"${TESSERA_JOBS:-2}" --bin tessera
bin="$CARGO_TARGET_DIR/release/tessera"
mkdir -p "$dir"
python3 - "$profiles" "$events" "$dir" <<'PY'
import os, random, sys, time
n, m, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
p, e = f"{out}/profiles-{n}.csv", f"{out}/events-{n}-{m}-ordered.jsonl"
r = random.Random(7)
first = ["Ada", "Ben", "Chloé", "Dmitri", "Eve", "Farah", "Gustav", "Hana", "Ivan", "Jun", "Kofi", "Lena", "Mateo", "Nora", "Omar", "Priya"]
last = ["Lovelace", "Okafor", "Martin", "Ivanov", "Smith", "Haddad", "Berg", "Sato", "Petrov", "Lee", "Mensah", "Fischer", "García", "Olsen", "Aziz", "Patel"]
countries = ["DE", "Deutschland", "United States", "FR", "France", "ES", "España", "GB", "NL", "SE"]
if not os.path.exists(p):
    with open(p, "w", encoding="utf-8") as f:
        f.write("email,crm_id,first_name,last_name,phone,locale,country,postal_code,city,consent_email,loyalty_tier,loyalty_points,created_at,updated_at\n")
        for i in range(n):
            fn, ln = r.choice(first), r.choice(last)
            f.write(f"user{i}@Example.com,CRM{i:08d},{fn},{ln},+4930{r.randrange(10**7, 10**8)},de-DE,{r.choice(countries)},{r.randrange(10000, 99999)},Berlin,yes,Summit,{r.randrange(5000)},2025-01-01T10:00:00Z,2026-11-01T10:00:00Z\n")
if not os.path.exists(e):
    # In time order over 90 days, as analytics exports arrive; profiles at random.
    types = ["page_view", "product_view", "add_to_cart", "purchase", "email_open", "click"]
    start, span = 1756684800, 90 * 86400  # 2025-09-01T00:00:00Z
    with open(e, "w", encoding="utf-8") as f:
        for i in range(m):
            t = time.gmtime(start + i * span // m)
            f.write('{"email":"user%d@example.com","type":"%s","sku":"NW-%d","value":%d,"currency":"EUR","occurred_at":"%s","source":"web"}\n'
                    % (r.randrange(n), types[i % 6], 1000 + i % 200, 10 + i % 90, time.strftime("%Y-%m-%dT%H:%M:%SZ", t)))
PY
ws="$dir/ws"
rm -rf "$ws"
"$bin" init "$ws" > /dev/null
# The import alone: with segments in the workspace, an import also brings their membership up to
# date (benches/segments.sh keeps them with TESSERA_BENCH_SEGMENTS=1 and times that too).
[ "${TESSERA_BENCH_SEGMENTS:-0}" = 1 ] || rm -rf "$ws/segments"
for kind in profiles events; do
  file=$([ "$kind" = profiles ] && echo "$dir/profiles-$profiles.csv" || echo "$dir/events-$profiles-$events-ordered.jsonl")
  echo "loadavg: $(cat /proc/loadavg)"
  /usr/bin/time -f "$kind: %e s wall, %U s user + %S s system CPU, %M KB peak memory" "$bin" --workspace "$ws" import "$file" --kind "$kind" | sed -n 2p
done
