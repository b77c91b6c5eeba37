#!/usr/bin/env bash
# Sets up and runs every test of Tessera: formatting, lints, unit, integration, differential and
# golden tests. The same command runs in CI (.ci/run) and on a new machine.
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
# and npm for the ESP engines the export tests use).
missing=()
for pkg in build-essential pkg-config python3 libdbus-1-dev python3-aiosmtpd openssl; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing ${missing[*]}"
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"; fi
fi
# Node.js may come from elsewhere than Debian (nvm, NodeSource): only install it when absent.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "installing nodejs npm"
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm
  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm; fi
fi
# The independent template engines (liquidjs, handlebars) that tests/export.rs renders exports with, pinned
# by tests/esp/package-lock.json.
echo "== ESP engines (npm ci in tests/esp)"
(cd tests/esp && npm ci --silent --no-audit --no-fund)

echo "== formatting"
cargo fmt --all --check
echo "== lints"
cargo clippy --workspace --all-targets -j"$jobs" -- -D warnings
echo "== tests"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
cargo test --workspace -j"$jobs" 2>&1 | tee "$log"
# One closing line for the whole run (cargo prints one per test binary, the last often a doc-test
# binary with nothing in it).
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
     END { printf "%d passed, %d failed\n", p, f }' "$log"
