// AMP checks for tests/amp.rs, with tools independent of Tessera:
// - `validate`: the official AMP validator (npm amphtml-validator) run offline on the validator file
//   shipped in npm next@15.5.29 (dist/compiled/amphtml-validator/validator_wasm.js). Reads
//   {"files": [path, ...]} on stdin, answers [{"file", "status", "errors": [...]}]. Exits 3 when the
//   validator file is missing: the check must never pass without it.
// - `mustache`: renders amp-mustache templates with npm mustache (the engine amp-mustache wraps).
//   Reads {"cases": [{"template", "data", "expected"}]}, answers [{"actual", "expected"}] with the
//   visible text of each (tags dropped, entities decoded, white space collapsed).
// - `visible`: the visible text of whole documents, by the same rules (tests/amp.rs compares the
//   ESPs' AMP templates rendered by their engines with Tessera's own AMP render).
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';

const require = createRequire(import.meta.url);
const mode = process.argv[2];
const input = JSON.parse(readFileSync(0, 'utf8'));

function visibleText(html) {
  return html
    .replace(/<[^>]*>/g, ' ')
    .replace(/&#x([0-9a-f]+);/gi, (_, h) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#([0-9]+);/g, (_, d) => String.fromCodePoint(parseInt(d, 10)))
    .replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&nbsp;/g, '\u00a0')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

if (mode === 'validate') {
  let validatorFile;
  try {
    validatorFile = require.resolve('next/dist/compiled/amphtml-validator/validator_wasm.js');
  } catch {
    validatorFile = null;
  }
  if (!validatorFile || !existsSync(validatorFile)) {
    console.error('the AMP validator file (npm next@15.5.29) is missing: run npm ci at the repository root');
    process.exit(3);
  }
  const amphtmlValidator = require('amphtml-validator');
  const validator = await amphtmlValidator.getInstance(validatorFile);
  const out = input.files.map((file) => {
    const result = validator.validateString(readFileSync(file, 'utf8'), 'AMP4EMAIL');
    return {
      file,
      status: result.status,
      errors: result.errors.map((e) => `${e.line}:${e.col} ${e.severity} ${e.code} ${e.message}`),
    };
  });
  process.stdout.write(JSON.stringify(out));
} else if (mode === 'mustache') {
  const Mustache = require('mustache');
  const out = input.cases.map((c) => ({
    actual: visibleText(Mustache.render(c.template, c.data)),
    expected: visibleText(c.expected),
  }));
  process.stdout.write(JSON.stringify(out));
} else if (mode === 'visible') {
  // {"documents": [html, ...]}: the visible text of each, as the mustache mode computes it.
  process.stdout.write(JSON.stringify(input.documents.map(visibleText)));
} else {
  console.error('usage: amp-check.mjs validate|mustache|visible < input.json');
  process.exit(2);
}
