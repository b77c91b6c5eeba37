// The npm `caniemail` package's own checker over emails given on standard input, the oracle of
// Tessera's QA differential test (tests/qa_differential.rs) and of its benchmark (scripts/qa-bench.sh).
//
// Input: JSON {"clients": ["gmail.*", ...], "emails": [{"name": "...", "html": "..."}], "repeat": N}
// Output: JSON [{"name", "pairs": [[title, client, "error"|"warning"], ...], "ms": mean milliseconds}]
import { caniemail, rawData } from 'caniemail';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const input = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const repeat = Math.max(1, input.repeat ?? 1);
// The package throws when a feature has no result for a client asked for ("Feature ... not found
// on ..."); those are marked untested ("u"), which it then reports as partial support.
const [familyOf, platformOf] = [(c) => c.split('.')[0], (c) => c.split('.')[1]];
for (const feature of rawData.data) {
  for (const client of input.clients) {
    const family = (feature.stats[familyOf(client)] ??= {});
    family[platformOf(client)] ??= { 0: 'u' };
  }
}
const out = [];
for (const email of input.emails) {
  let result;
  // One untimed run first, so the data is loaded and the code warm as it is in Tessera's figure.
  result = caniemail({ clients: input.clients, html: email.html });
  const start = process.hrtime.bigint();
  for (let i = 0; i < repeat; i++) result = caniemail({ clients: input.clients, html: email.html });
  const ms = Number(process.hrtime.bigint() - start) / 1e6 / repeat;
  const pairs = new Set();
  for (const [level, map] of [['error', result.issues.errors], ['warning', result.issues.warnings]]) {
    for (const [client, issues] of map.entries()) {
      for (const issue of issues) pairs.add(JSON.stringify([issue.title, client, level]));
    }
  }
  out.push({ name: email.name, pairs: [...pairs].map((p) => JSON.parse(p)).sort(), ms });
}
process.stdout.write(JSON.stringify(out));
