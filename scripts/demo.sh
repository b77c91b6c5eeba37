#!/usr/bin/env bash
# Builds Tessera and renders every email of the demo workspace for every sample recipient, then
# prints where the files are (open out/demo/index.html to compare them side by side).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/tessera-target}"
if ! command -v cargo >/dev/null 2>&1; then
  echo "error: Rust (cargo) is needed; install it with rustup, then run this again" >&2
  exit 1
fi
cargo build --release -j"${TESSERA_JOBS:-2}" --bin tessera
"$CARGO_TARGET_DIR/release/tessera" render --all --out-dir "${1:-out/demo}"
