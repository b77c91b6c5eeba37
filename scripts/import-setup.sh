#!/usr/bin/env bash
# What the email-import tests need (tests/import_email.rs, tests/import_visual.rs): Debian's
# headless Chromium to draw the original and the imported email, Pillow (Debian's python3-pil) to
# compare the screenshots pixel by pixel, and fonts so both draws use the same faces. The round-trip
# test reuses the ESP engines of tests/esp (npm ci at the root, scripts/esp-engines.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/apt-install.sh
apt_install chromium python3-pil fonts-dejavu-core fonts-liberation
