#!/usr/bin/env bash
# Sets up and launches Tessera's desktop designer. On first start it copies the demo workspace to
# your data folder (~/.local/share/app.tessera.designer/demo-workspace) so your edits are saved;
# later starts reopen the workspace you had open. Give a workspace folder to open that instead:
#   scripts/designer.sh [FOLDER]
# TESSERA_PROFILE=release builds an optimized app (a longer first build).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/tessera-target}"
if ! command -v cargo >/dev/null 2>&1; then
  echo "error: Rust (cargo) is needed; install it with rustup, then run this again" >&2
  exit 1
fi
bash scripts/desktop-setup.sh
profile="${TESSERA_PROFILE:-debug}"
if [ "$profile" = release ]; then
  cargo build --release -j"${TESSERA_JOBS:-2}" -p tessera-desktop
else
  cargo build -j"${TESSERA_JOBS:-2}" -p tessera-desktop
fi
if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  echo "error: no display to open the window on (DISPLAY is not set); on a server, run it under xvfb-run or a remote desktop" >&2
  exit 1
fi
exec "$CARGO_TARGET_DIR/$profile/tessera-desktop" "$@"
