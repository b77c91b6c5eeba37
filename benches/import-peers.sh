#!/usr/bin/env bash
# Issue 22's import figure in one go: generates the profile CSV (10 columns, 2% of the rows repeat
# an earlier address in other letter case), then times, on the same file and in the same run,
#   1. `tessera import` into a workspace made by `tessera init` (its 8 demo segments present, so
#      the import also brings their membership up to date),
#   2. `sqlite3 .import` plus an index on the lower-cased email (no validation, no de-duplication),
#   3. a short Python csv + sqlite upsert on the lower-cased email,
# printing wall time, CPU time (user + system) and peak memory of each, the ratios to Tessera and
# /proc/loadavg before and after. Usage: benches/import-peers.sh [PROFILES=1000000] [DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
profiles="${1:-1000000}"
dir="${2:-/var/tmp/tessera-import-bench}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/tessera-target}"
command -v sqlite3 >/dev/null || { echo "the peer needs the sqlite3 command line (Debian: sqlite3)" >&2; exit 1; }
cargo build --release -q -j"${TESSERA_JOBS:-2}" --bin tessera
bin="$CARGO_TARGET_DIR/release/tessera"
mkdir -p "$dir"
csv="$dir/peers-profiles-$profiles.csv"
[ -f "$csv" ] || python3 - "$profiles" "$csv" <<'PY'
import random, sys
n, out = int(sys.argv[1]), sys.argv[2]
r = random.Random(22)
first = ["Ada", "Ben", "Chloé", "Dmitri", "Eve", "Farah", "Gustav", "Hana", "Ivan", "Jun", "Kofi", "Lena", "Mateo", "Nora", "Omar", "Priya"]
last = ["Lovelace", "Okafor", "Martin", "Ivanov", "Smith", "Haddad", "Berg", "Sato", "Petrov", "Lee", "Mensah", "Fischer", "García", "Olsen", "Aziz", "Patel"]
countries = ["DE", "Deutschland", "United States", "FR", "France", "ES", "España", "GB", "NL", "SE"]
tiers = ["Base", "Peak", "Summit"]
with open(out, "w", encoding="utf-8") as f:
    f.write("email,first_name,last_name,phone,locale,country,postal_code,city,loyalty_tier,loyalty_points\n")
    for i in range(n):
        # Every 50th row repeats an earlier person's address in capitals: 2% duplicates by case.
        email = f"USER{r.randrange(i)}@EXAMPLE.COM" if i % 50 == 49 else f"user{i}@example.com"
        f.write(f"{email},{r.choice(first)},{r.choice(last)},+4930{r.randrange(10**7, 10**8)},de-DE,"
                f"{r.choice(countries)},{r.randrange(10000, 99999)},Berlin,{r.choice(tiers)},{r.randrange(5000)}\n")
PY
echo "file: $csv ($(du -m "$csv" | cut -f1) MB, $profiles rows)"
echo "loadavg before: $(cat /proc/loadavg)"
# Wall seconds, CPU seconds (user + system) and peak KB of a command, on one line.
measure() {
  local label="$1"; shift
  /usr/bin/time -f "$label %e %U %S %M" -o "$dir/time.$label" "$@" > "$dir/out.$label"
  read -r _ wall user sys kb < "$dir/time.$label"
  echo "$label $wall $(echo "$user + $sys" | bc) $kb"
}
ws="$dir/peers-ws"
rm -rf "$ws" "$dir/peer-sqlite3.db" "$dir/peer-python.db"
"$bin" init "$ws" > /dev/null
results=()
results+=("$(measure tessera "$bin" --workspace "$ws" import "$csv" --kind profiles)")
results+=("$(measure sqlite3 sqlite3 "$dir/peer-sqlite3.db" -cmd ".mode csv" ".import $csv p" \
  "CREATE INDEX pe ON p(lower(email));")")
results+=("$(measure python python3 - "$csv" "$dir/peer-python.db" <<'PY'
import csv, sqlite3, sys
db = sqlite3.connect(sys.argv[2])
db.execute("CREATE TABLE p (email TEXT PRIMARY KEY, row TEXT)")
with open(sys.argv[1], newline="", encoding="utf-8") as f:
    r = csv.reader(f); next(r)
    db.executemany("INSERT INTO p VALUES (?, ?) ON CONFLICT(email) DO UPDATE SET row = excluded.row",
                   ((row[0].strip().lower(), ",".join(row)) for row in r))
db.commit()
PY
)")
echo "loadavg after:  $(cat /proc/loadavg)"
sed -n '1,3p' "$dir/out.tessera"
read -r _ t_wall t_cpu _ <<< "${results[0]}"
printf '%-8s %8s %8s %10s %14s %14s\n' tool "wall s" "cpu s" "peak MB" "wall / tessera" "cpu / tessera"
for line in "${results[@]}"; do
  read -r label wall cpu kb <<< "$line"
  printf '%-8s %8.2f %8.2f %10d %14.2f %14.2f\n' "$label" "$wall" "$cpu" $((kb / 1024)) \
    "$(echo "$wall / $t_wall" | bc -l)" "$(echo "$cpu / $t_cpu" | bc -l)"
done
rm -f "$dir/time."* "$dir/out."* "$dir/peer-sqlite3.db" "$dir/peer-python.db"
