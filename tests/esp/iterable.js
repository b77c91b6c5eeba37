// Iterable templates for tests/export.rs: npm handlebars 4.7 with the helpers Iterable documents
// (support.iterable.com, "Personalizing Templates with Handlebars" and "Handlebars Reference"),
// registered as documented, nothing more:
// - defaultIfEmpty value default: the value, or the default when the value is missing or empty;
// - #ifEq a b, #ifGt a b, #ifLt a b (and #ifGte, #ifLte): block helpers comparing two values,
//   rendering the block or its {{else}}. Iterable does not document how values of different types
//   compare; the export only compares @index with whole numbers, where every reading agrees.
// Blocks keep the context (`this`), as Handlebars' own #if does. knownHelpersOnly makes any other
// helper a compile error.
'use strict';
const Handlebars = require('handlebars');

function create() {
  const hb = Handlebars.create();
  const block = (name, test) =>
    hb.registerHelper(name, function (a, b, options) {
      if (arguments.length !== 3 || !options || typeof options.fn !== 'function') {
        throw new Error(name + ' takes two values and is a block helper');
      }
      return test(a, b) ? options.fn(this) : options.inverse(this);
    });
  block('ifEq', (a, b) => a === b);
  block('ifGt', (a, b) => a > b);
  block('ifLt', (a, b) => a < b);
  block('ifGte', (a, b) => a >= b);
  block('ifLte', (a, b) => a <= b);
  hb.registerHelper('defaultIfEmpty', function (value, fallback) {
    if (arguments.length !== 3) throw new Error('defaultIfEmpty takes a value and a default');
    return value === undefined || value === null || value === '' ? fallback : value;
  });
  return hb;
}

const KNOWN = { ifEq: true, ifGt: true, ifLt: true, ifGte: true, ifLte: true, defaultIfEmpty: true };

function renderAll(input) {
  const hb = create();
  const compiled = {};
  for (const [name, source] of Object.entries(input.templates)) {
    try {
      compiled[name] = { ok: hb.compile(source, { knownHelpers: KNOWN, knownHelpersOnly: true, strict: true }) };
    } catch (e) {
      compiled[name] = { error: 'parse: ' + e.message };
    }
  }
  return input.cases.map((c) => {
    const t = compiled[c.template];
    if (!t) return { error: 'no template ' + c.template };
    if (t.error) return { error: t.error };
    try {
      return { ok: t.ok(c.data) };
    } catch (e) {
      return { error: e.message };
    }
  });
}

module.exports = { renderAll };
