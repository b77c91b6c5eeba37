# Sourced by the load benchmarks (benches/live.sh, benches/feeds.sh): wrk (Debian's package, the
# load generator independent of Tessera), the release CLI, and a workspace made by `tessera init`
# with a store of generated profiles, kept between runs.
#   bench_setup PROFILES DIR   sets bin (the release CLI) and ws (the workspace folder)

# shellcheck source=../scripts/apt-install.sh
. scripts/apt-install.sh

bench_setup() {
  local profiles="$1" dir="$2"
  apt_install wrk
  command -v wrk >/dev/null || { echo "the load benchmarks need wrk, and apt could not install it" >&2; exit 1; }
  export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/tessera-target}"
  cargo build --release -q -j"${TESSERA_JOBS:-2}" --bin tessera
  bin="$CARGO_TARGET_DIR/release/tessera"
  mkdir -p "$dir"
  local csv="$dir/profiles-$profiles.csv"
  [ -f "$csv" ] || python3 - "$profiles" "$csv" <<'PY'
import random, sys
n, out = int(sys.argv[1]), sys.argv[2]
r = random.Random(7)
with open(out, "w", encoding="utf-8") as f:
    f.write("email,crm_id,first_name,last_name,country,postal_code,loyalty_points,updated_at\n")
    for i in range(n):
        f.write(f"user{i}@example.com,CRM{i:08d},Name{i % 97},Family{i % 89},DE,{r.randrange(10000, 99999)},{r.randrange(0, 3000)},2026-11-01T10:00:00Z\n")
PY
  ws="$dir/ws-$profiles"
  if [ ! -f "$ws/.tessera/store.db" ]; then
    rm -rf "$ws"
    "$bin" init "$ws" > /dev/null
    /usr/bin/time -f "import of $profiles profiles: %e s" "$bin" --workspace "$ws" import "$csv" --kind profiles > /dev/null
  fi
}
