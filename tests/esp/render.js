// Renders exported templates with an engine Tessera did not write, for tests/export.rs.
//
// Reads one JSON document on standard input:
//   {"engine": "liquid" | "braze", "templates": {"name": "source", ...},
//    "cases": [{"template": "name", "data": {...}}, ...]}
// and prints a JSON array with one entry per case: {"ok": "rendered text"} or {"error": "message"}.
//
// sendgrid: npm handlebars 4.7 with SendGrid's helpers as SendGrid documents them (sendgrid.js);
//         only those helpers and Handlebars' built-ins may be used.
// iterable: npm handlebars 4.7 with Iterable's helpers as Iterable documents them (iterable.js).
// velocityjs: npm velocityjs, the second opinion on Velocity exports (velocity.js).
// customerio: liquidjs as for liquid; the data is shaped as Customer.io holds it (customer.* and
//         event.*). Customer.io's Liquid is Shopify's with Customer.io's own filters added
//         (customer.io/docs, "Liquid tag list"); the export uses only Shopify Liquid's tags and
//         filters, and strictFilters makes any other filter an error.
// liquid: liquidjs with strict filters (an unknown filter is an error, not an empty string).
// braze:  the same engine after Braze's attribute references `${name}` are mapped to plain
//         variables `name` (the data is shaped as Braze holds it: standard attributes at the root,
//         the rest under custom_attribute).
'use strict';
const { Liquid } = require('liquidjs');

function readStdin() {
  return require('fs').readFileSync(0, 'utf8');
}

function main() {
  const input = JSON.parse(readStdin());
  const others = { sendgrid: './sendgrid.js', iterable: './iterable.js', velocityjs: './velocity.js' };
  if (others[input.engine]) {
    process.stdout.write(JSON.stringify(require(others[input.engine]).renderAll(input)));
    return;
  }
  const engine = new Liquid({ strictFilters: true, strictVariables: false, ownPropertyOnly: true });
  const compiled = {};
  for (const [name, source] of Object.entries(input.templates)) {
    let text = source;
    if (input.engine === 'braze') {
      text = text.replace(/\$\{([^}]*)\}/g, '$1');
    } else if (input.engine !== 'liquid' && input.engine !== 'customerio') {
      throw new Error('unknown engine ' + input.engine);
    }
    try {
      compiled[name] = { ok: engine.parse(text) };
    } catch (e) {
      compiled[name] = { error: 'parse: ' + e.message };
    }
  }
  const results = input.cases.map((c) => {
    const t = compiled[c.template];
    if (!t) return { error: 'no template ' + c.template };
    if (t.error) return { error: t.error };
    try {
      return { ok: engine.renderSync(t.ok, c.data) };
    } catch (e) {
      return { error: e.message };
    }
  });
  process.stdout.write(JSON.stringify(results));
}

main();
