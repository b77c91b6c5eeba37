#!/usr/bin/env bash
# The independent client the live collector's tests send with: Segment's own Python library
# (segment-analytics-python, pinned with its dependencies) in a venv outside the checkout.
# tests/live.rs runs it from TESSERA_LIVE_PYTHON (default /var/tmp/tessera-live-venv/bin/python).
# The live images' tests (tests/live_images.rs) decode PNGs with Debian's Pillow (python3-pil) and
# draw the server's SVG again with librsvg (rsvg-convert, librsvg2-bin) to compare pixels.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/apt-install.sh
apt_install python3 python3-venv python3-pil librsvg2-bin
venv="${TESSERA_LIVE_VENV:-/var/tmp/tessera-live-venv}"
if [ ! -x "$venv/bin/python" ]; then
  /usr/bin/python3 -m venv "$venv"
fi
"$venv/bin/pip" install -q --disable-pip-version-check -r scripts/live-requirements.txt
