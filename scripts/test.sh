#!/usr/bin/env bash
# Sets up and runs every test of Tessera: formatting, lints, unit, integration, differential and
# golden tests, the designer UI's type check and unit tests, the end-to-end test of the desktop
# app in a real window (Xvfb + tauri-driver), and its Debian package (scripts/deb-check.sh: built
# from the same compilation, unpacked, checked and started). The same command runs in CI (.ci/run),
# on a new machine, and as `npm test`.
set -euo pipefail
cd "$(dirname "$0")/.."

# One shared build folder outside the checkout: a warm one saves minutes, a cold one still works.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/tessera-target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
jobs="${TESSERA_JOBS:-2}"

if ! command -v cargo >/dev/null 2>&1; then
  echo "error: Rust (cargo) is needed; install it with rustup, then run this again" >&2
  exit 1
fi
# Debian packages the build and tests need (a C compiler for SQLite and blake3, pkg-config,
# python3 for the fixture generators; libdbus-1-dev for the keyring's Secret Service client;
# python3-aiosmtpd and openssl for the SMTP server and certificates the send tests start; Node.js
# and npm for the ESP engines the export tests use; git, which the version tests use to read the
# history back independently).
source scripts/apt-install.sh
apt_install build-essential pkg-config python3 libdbus-1-dev python3-aiosmtpd openssl git
# Node.js may come from elsewhere than Debian (nvm, NodeSource): only install it when absent.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  apt_install nodejs npm
fi

# The ESP engines that are not npm packages: Apache Velocity (Debian's jars and a JDK), Django and
# Jinja2 (pinned, in a virtual environment in the build folder).
echo "== ESP engines"
bash scripts/esp-engines.sh

# The desktop designer: system packages, tauri-driver, Node.js, and `npm ci` of the root
# package.json, whose workspaces are the UI (ui/) and the independent template engines (liquidjs,
# handlebars, velocityjs) that tests/export.rs renders exports with and the caniemail checker the
# QA differential test compares with (tests/esp/), all pinned by the one root
# package-lock.json; then the built UI (the app binary embeds ui/dist, so it is built before cargo
# compiles src-tauri).
log="$(mktemp)"
ui_log="$(mktemp)"
e2e_log="$(mktemp)"
deb_log="$(mktemp)"
trap 'rm -f "$log" "$ui_log" "$e2e_log" "$deb_log"' EXIT

echo "== email import setup (Debian's Chromium, Pillow and fonts for tests/import_visual.rs)"
bash scripts/import-setup.sh
echo "== live collector setup (Segment's Python library in a venv; Pillow and rsvg-convert for the live images)"
bash scripts/live-setup.sh
export TESSERA_LIVE_PYTHON="${TESSERA_LIVE_VENV:-/var/tmp/tessera-live-venv}/bin/python"
echo "== desktop setup"
bash scripts/desktop-setup.sh
echo "== UI: types and unit tests"
(cd ui && npx svelte-check --tsconfig ./tsconfig.json --fail-on-warnings --output human) | tail -n 3
(cd ui && npx vitest run) 2>&1 | tee "$ui_log"

echo "== formatting"
cargo fmt --all --check
echo "== lints"
cargo clippy --workspace --all-targets -j"$jobs" -- -D warnings
echo "== tests"
cargo test --workspace -j"$jobs" 2>&1 | tee "$log"
echo "== desktop app end to end"
# The same feature set as cargo test's build and the .deb's (src-tauri/Cargo.toml enables tauri's
# custom-protocol), so this and the package below reuse one compilation.
cargo build -p tessera-desktop -j"$jobs"
status=0
bash scripts/e2e.sh 2>&1 | tee "$e2e_log" || status=1
echo "== Debian package"
bash scripts/deb-check.sh 2>&1 | tee "$deb_log" || status=1
# One closing line for the whole run: cargo's per-binary results, Vitest's, the end-to-end checks
# and the package's.
{
  awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
       END { print p + 0, f + 0 }' "$log"
  sed 's/\x1b\[[0-9;]*m//g' "$ui_log" | awk '$1 == "Tests" { for (i = 2; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
       END { print p + 0, f + 0 }'
  # A run that stopped before its summary line counts as one failure.
  grep -q '^e2e: ' "$e2e_log" && awk '/^e2e: / { print $2, $5 }' "$e2e_log" || echo 0 1
  grep -q '^deb: ' "$deb_log" && awk '/^deb: / { print $2, $5 }' "$deb_log" || echo 0 1
} | awk '{ p += $1; f += $2 } END { printf "%d passed, %d failed\n", p, f }'
exit "$status"
