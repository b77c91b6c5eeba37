#!/usr/bin/env bash
# Times the pre-send QA of the demo's seasonal-sale email (criterion, crates/workspace/benches/qa.rs)
# and the caniemail npm package's checker on the same HTML, in one run, and prints both with the
# machine's load. Needs the root npm workspaces installed (scripts/test.sh does it).
set -euo pipefail
cd "$(dirname "$0")/.."
html="$(mktemp --suffix=.html)"
log="$(mktemp)"
trap 'rm -f "$html" "$log"' EXIT
echo "load before: $(cat /proc/loadavg)"
TESSERA_QA_BENCH_HTML="$html" cargo bench -p tessera-workspace --bench qa -- --noplot 2>&1 | tee "$log" >/dev/null
tessera="$(grep -A1 '^qa seasonal-sale (client' "$log" | grep -o 'time: *\[[^]]*\]' || true)"
tessera_cpu="$(grep -A1 '^qa seasonal-sale (CPU' "$log" | grep -o 'time: *\[[^]]*\]' || true)"
npm_ms="$(node -e '
  const fs = require("fs");
  const html = fs.readFileSync(process.argv[1], "utf8");
  process.stdout.write(JSON.stringify({clients: process.argv.slice(2), emails: [{name: "seasonal-sale", html}], repeat: 200}));
' "$html" gmail.desktop-webmail gmail.ios gmail.android outlook.windows outlook.macos outlook.outlook-com outlook.ios outlook.android \
    apple-mail.macos apple-mail.ios yahoo.desktop-webmail yahoo.ios yahoo.android aol.desktop-webmail aol.ios aol.android \
    samsung-email.android thunderbird.macos protonmail.desktop-webmail protonmail.ios protonmail.android \
  | node tests/esp/caniemail-check.mjs | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s)[0].ms.toFixed(2)))')"
echo "seasonal-sale, $(wc -c <"$html") bytes of HTML, 21 clients"
echo "tessera qa (criterion, full QA, wall):  ${tessera:-?}"
echo "tessera qa (criterion, full QA, CPU time of the thread):  ${tessera_cpu:-?}"
echo "caniemail npm checker (mean of 200, client support only): ${npm_ms} ms"
echo "load after: $(cat /proc/loadavg)"
