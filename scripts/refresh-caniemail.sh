#!/usr/bin/env bash
# Refreshes the vendored caniemail data (crates/qa/data/) from the npm package `caniemail`, at the
# version tests/esp/package.json pins (the one the differential test runs): installs it with the
# root package-lock.json, copies data/caniemail.json and the licence, and prints the data's date
# for crates/qa/data/README.md. Then run `cargo test --test qa_differential`.
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund >/dev/null
cp node_modules/caniemail/data/caniemail.json crates/qa/data/caniemail.json
cp node_modules/caniemail/LICENSE crates/qa/data/LICENSE.caniemail
version="$(node -p 'require("./node_modules/caniemail/package.json").version')"
date="$(node -p 'require("./crates/qa/data/caniemail.json").last_update_date')"
echo "caniemail $version, data of $date: update crates/qa/data/README.md if either changed"
