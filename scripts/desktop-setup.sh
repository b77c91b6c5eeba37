#!/usr/bin/env bash
# Sets up what the desktop designer needs to build, run and be tested, installing only what is
# missing: the WebKitGTK/Tauri system packages, Xvfb and WebKitWebDriver (Debian 12 / Ubuntu),
# tauri-driver, Node.js 20.19+ with the npm packages of the root package.json (its workspaces ui/ and
# tests/esp/, and the Tauri CLI; npm ci from the one committed root lockfile), and the built UI in
# ui/dist (embedded into the app binary when cargo builds it).
# Sourced by scripts/test.sh and scripts/designer.sh; run it alone to prepare a machine.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

source scripts/apt-install.sh

# The tried recipe of ../shared/design/MACHINE.md: Tauri's build dependencies, Xvfb and the WebKit
# WebDriver for the end-to-end test.
apt_install libwebkit2gtk-4.1-dev build-essential curl wget file libxdo-dev libssl-dev \
  libayatana-appindicator3-dev librsvg2-dev pkg-config xvfb xauth webkit2gtk-driver

node_ok() {
  command -v node >/dev/null 2>&1 && node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)'
}
if ! node_ok; then
  apt_install nodejs npm
  node_ok || { echo "error: Node.js 20.19 or newer is needed for the UI build (Vite 8); install it (e.g. from nodejs.org) and run this again" >&2; exit 1; }
fi

# tauri-driver has no --version; being on PATH is enough.
if ! command -v tauri-driver >/dev/null 2>&1; then
  echo "installing tauri-driver (cargo install, a few minutes once)"
  cargo install tauri-driver --locked -j"${TESSERA_JOBS:-2}"
fi

# npm ci only when the installed packages do not match the lockfile. The workspaces' packages are
# hoisted to the root's node_modules; folders left in ui/ or tests/esp/ by the layout before
# workspaces (one lockfile per folder) would shadow them, so they go first.
if ! cmp -s package-lock.json node_modules/.tessera-lockfile 2>/dev/null; then
  rm -rf ui/node_modules tests/esp/node_modules
  npm ci --no-audit --no-fund --loglevel=error && cp package-lock.json node_modules/.tessera-lockfile
fi
(cd ui && npx vite build --logLevel warn)
