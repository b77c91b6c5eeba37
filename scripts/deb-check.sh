#!/usr/bin/env bash
# Builds the Debian package of the desktop designer and checks it the way an installer would see
# it: unpacked with dpkg-deb (no root, nothing installed), its control data (name, version,
# architecture, Depends), the binary, the .desktop entry and the icons, every shared library the
# binary needs found, and the unpacked app started under Xvfb, showing its window and staying up.
# Prints `deb: N checks passed, M failed` (scripts/test.sh adds it to its closing line).
#
# The package is built in debug (`tauri build --debug --bundles deb`): the same feature set as the
# end-to-end test's `cargo build -p tessera-desktop` (src-tauri/Cargo.toml enables tauri's
# custom-protocol), so it reuses that compilation and only bundles. TESSERA_DEB=path checks a
# package built elsewhere (a release one: `npm run tauri build -- --bundles deb`) without building.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/tessera-target}"
export CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-${TESSERA_JOBS:-2}}"

source "$(dirname "${BASH_SOURCE[0]}")/apt-install.sh"
# xwininfo (x11-utils) finds the window; desktop-file-validate checks the .desktop entry.
apt_install xvfb x11-utils desktop-file-utils

passed=0
failed=0
check() { # check DESCRIPTION COMMAND...: one line per check, counted
  local what="$1"
  shift
  if "$@" >/dev/null 2>&1; then
    passed=$((passed + 1))
    echo "  ok    $what"
  else
    failed=$((failed + 1))
    echo "  FAIL  $what"
  fi
}
finish() {
  echo "deb: $passed checks passed, $failed failed"
  [ "$failed" -eq 0 ]
}

version="$(node -p 'require("./src-tauri/tauri.conf.json").version')"
deb="${TESSERA_DEB:-}"
if [ -z "$deb" ]; then
  echo "building the .deb (debug): npm run tauri build -- --debug --bundles deb"
  start=$(date +%s)
  npm run --silent tauri build -- --debug --bundles deb --ci
  echo "deb build: $(($(date +%s) - start)) s"
  deb="$CARGO_TARGET_DIR/debug/bundle/deb/Tessera_${version}_amd64.deb"
fi
check "the package exists ($deb)" test -s "$deb"
[ -s "$deb" ] || finish

work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# Control data.
dpkg-deb -I "$deb" >"$work/info"
field() { sed -n "s/^ $1: //p" "$work/info"; }
depends="$(field Depends)"
echo "  Depends: $depends"
check "Package: tessera" test "$(field Package)" = tessera
check "Version: $version" test "$(field Version)" = "$version"
check "Architecture: amd64" test "$(field Architecture)" = amd64
check "a description" test -n "$(field Description)"
for dep in libwebkit2gtk-4.1-0 libgtk-3-0 libdbus-1-3; do
  check "Depends names $dep" grep -Eq "(^|, )$dep( |,|$)" <<<"$depends"
done
check "apt can install it here (its Depends resolve; simulated)" apt-get install -s -qq --no-install-recommends "$(realpath "$deb")"

# Contents.
root="$work/root"
dpkg-deb -x "$deb" "$root"
bin="$root/usr/bin/tessera-desktop"
check "usr/bin/tessera-desktop is an executable ELF" sh -c "test -x '$bin' && file -b '$bin' | grep -q ELF"
desktop="$(find "$root/usr/share/applications" -name '*.desktop' 2>/dev/null | head -n 1)"
check "a .desktop entry in usr/share/applications" test -n "$desktop"
entry() { sed -n "s/^$1=//p" "$desktop" 2>/dev/null | head -n 1; }
if [ -n "$desktop" ]; then
  check ".desktop: Name=Tessera" test "$(entry Name)" = Tessera
  check ".desktop: Exec runs tessera-desktop" sh -c "test \"\$(echo '$(entry Exec)' | cut -d' ' -f1)\" = tessera-desktop"
  check ".desktop: Type=Application and Categories" sh -c "test '$(entry Type)' = Application && test -n '$(entry Categories)'"
  check ".desktop: desktop-file-validate accepts it" desktop-file-validate "$desktop"
  icon="$(entry Icon)"
  check ".desktop: Icon=$icon names installed icons" sh -c "ls '$root'/usr/share/icons/hicolor/*/apps/'$icon'.png"
fi
for size in 32x32 128x128; do
  check "icon $size" sh -c "file -b '$root'/usr/share/icons/hicolor/$size/apps/*.png | grep -q '$(echo $size | sed 's/x/ x /')'"
done
check "every shared library the binary needs is found" sh -c "ldd '$bin' && ! ldd '$bin' | grep -q 'not found'"

# Start the unpacked app on its own X display, with a fresh home and data folder.
n=99
while [ -e "/tmp/.X11-unix/X$n" ] || [ -e "/tmp/.X$n-lock" ]; do n=$((n + 1)); done
Xvfb ":$n" -screen 0 1280x800x24 -nolisten tcp >"$work/xvfb.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do [ -e "/tmp/.X11-unix/X$n" ] && break; sleep 0.1; done
mkdir -p "$work/home"
DISPLAY=":$n" HOME="$work/home" XDG_CONFIG_HOME="$work/home/.config" XDG_DATA_HOME="$work/home/.local/share" \
  XDG_CACHE_HOME="$work/home/.cache" TESSERA_DATA_DIR="$work/data" "$bin" >"$work/app.log" 2>&1 &
app=$!
pids+=("$app")
shown=""
for _ in $(seq 120); do
  kill -0 "$app" 2>/dev/null || break
  if DISPLAY=":$n" xwininfo -name Tessera 2>/dev/null | grep -q 'Map State: IsViewable'; then shown=yes; break; fi
  sleep 0.25
done
check "the app shows its window \"Tessera\" on the X display" test -n "$shown"
sleep 3
check "the app is still running 3 s later" kill -0 "$app"
check "its window is still there" sh -c "DISPLAY=':$n' xwininfo -root -tree | grep -q '\"Tessera\"'"
check "it made the per-user copy of the demo workspace" test -f "$work/data/demo-workspace/tessera.toml"
kill "$app" 2>/dev/null || true
if [ "$failed" -gt 0 ]; then
  echo "  the app's output:"
  sed 's/^/    /' "$work/app.log" | tail -n 20
fi
finish
