#!/usr/bin/env bash
# End-to-end test of the desktop designer in its real window: starts Xvfb and tauri-driver (which
# drives WebKitWebDriver), runs ui/e2e/run.mjs against the built app with a fresh per-user data
# folder, and stops both by PID. Expects the app built (scripts/test.sh and scripts/designer.sh
# build it); screenshots and figures go to target/e2e/.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/tessera-target}"
app="${TESSERA_APP:-$CARGO_TARGET_DIR/debug/tessera-desktop}"
cli="${TESSERA_CLI:-$CARGO_TARGET_DIR/debug/tessera}"
out="${TESSERA_E2E_OUT:-$PWD/target/e2e}"
# A free X display and a free port pair, so runs on a shared machine do not collide.
n=99
while [ -e "/tmp/.X11-unix/X$n" ] || [ -e "/tmp/.X$n-lock" ]; do n=$((n + 1)); done
display="${TESSERA_E2E_DISPLAY:-:$n}"
port="${TESSERA_E2E_PORT:-4444}"
while (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null || (echo >"/dev/tcp/127.0.0.1/$((port + 1))") 2>/dev/null; do port=$((port + 2)); done
[ -x "$app" ] || { echo "error: $app is not built (run scripts/test.sh or scripts/designer.sh)" >&2; exit 1; }
[ -x "$cli" ] || { echo "error: $cli is not built (cargo build -p tessera)" >&2; exit 1; }
command -v tauri-driver >/dev/null || { echo "error: tauri-driver is missing (cargo install tauri-driver --locked)" >&2; exit 1; }

data="$(mktemp -d)"
rm -rf "$out" && mkdir -p "$out"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$data"
}
trap cleanup EXIT

Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >"$out/xvfb.log" 2>&1 &
pids+=($!)
export DISPLAY="$display"
for _ in $(seq 50); do [ -e "/tmp/.X11-unix/X${display#:}" ] && break; sleep 0.1; done
# The app inherits this environment from tauri-driver: a fresh data folder, as on a first start.
TESSERA_DATA_DIR="$data/user" tauri-driver --port "$port" --native-port "$((port + 1))" >"$out/tauri-driver.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done

TESSERA_APP="$app" TESSERA_CLI="$cli" TESSERA_E2E_OUT="$out" WEBDRIVER_URL="http://127.0.0.1:$port" node ui/e2e/run.mjs
