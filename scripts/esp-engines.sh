#!/usr/bin/env bash
# Installs the ESP engines tests/export.rs renders exports with that are not npm packages (those
# come with `npm ci` of the root package.json, tests/esp workspace: liquidjs, handlebars,
# velocityjs):
# - Apache Velocity 1.7 and Velocity Tools 2.0 from Debian (packages velocity,
#   libvelocity-tools-java; jars under /usr/share/java) and a JDK to compile the harness
#   tests/esp/velocity/Render.java (the test compiles it with javac);
# - Django and Jinja2, pinned by tests/esp/requirements.txt, into a virtual environment in the
#   build folder ($CARGO_TARGET_DIR/esp-venv), where the test looks for it.
# Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/tessera-target}"

source scripts/apt-install.sh
if ! command -v javac >/dev/null 2>&1; then
  apt_install default-jdk-headless
fi
apt_install velocity libvelocity-tools-java python3 python3-venv

venv="$CARGO_TARGET_DIR/esp-venv"
if [ ! -x "$venv/bin/python3" ]; then
  mkdir -p "$CARGO_TARGET_DIR"
  python3 -m venv "$venv"
fi
"$venv/bin/python3" -m pip install --quiet --disable-pip-version-check -r tests/esp/requirements.txt
