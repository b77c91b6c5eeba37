// SendGrid dynamic templates for tests/export.rs: npm handlebars 4.7 with SendGrid's helpers written
// from SendGrid's "Using Handlebars" reference (twilio.com/docs/sendgrid/for-developers/sending-email/
// using-handlebars), nothing more:
// - equals / notEquals "attempt to coerce data types": {{#equals 3 "3"}} is true (JavaScript ==).
// - greaterThan / lessThan: the first value compared with the second.
// - and / or: truthiness, where empty strings and zero numbers are false.
// - length: characters of a string or items of an array; 0 for any other value.
// - insert: the value, or the default ("default=Customer" or "Customer") when it is missing.
// Comparison blocks render their body with an empty context: in SendGrid they change `this`, so a
// template must read @root and block parameters inside them. knownHelpersOnly makes any other helper
// a compile error.
'use strict';
const Handlebars = require('handlebars');

function truthy(v) {
  return !(v === undefined || v === null || v === false || v === '' || v === 0 || Number.isNaN(v));
}

function create() {
  const hb = Handlebars.create();
  const block = (name, test) =>
    hb.registerHelper(name, function (a, b, options) {
      if (arguments.length !== 3 || !options || typeof options.fn !== 'function') {
        throw new Error(name + ' takes two values and is a block helper');
      }
      return test(a, b) ? options.fn({}) : options.inverse({});
    });
  block('equals', (a, b) => a == b); // eslint-disable-line eqeqeq
  block('notEquals', (a, b) => a != b); // eslint-disable-line eqeqeq
  block('greaterThan', (a, b) => a > b);
  block('lessThan', (a, b) => a < b);
  block('and', (a, b) => truthy(a) && truthy(b));
  block('or', (a, b) => truthy(a) || truthy(b));
  hb.registerHelper('length', (v) => (typeof v === 'string' || Array.isArray(v) ? v.length : 0));
  hb.registerHelper('insert', (v, def) => {
    const fallback = String(def).replace(/^default=/, '');
    return v === undefined || v === null || v === '' ? fallback : v;
  });
  return hb;
}

const KNOWN = { equals: true, notEquals: true, greaterThan: true, lessThan: true, and: true, or: true, length: true, insert: true };

function renderAll(input) {
  const hb = create();
  const compiled = {};
  for (const [name, source] of Object.entries(input.templates)) {
    try {
      compiled[name] = { ok: hb.compile(source, { knownHelpers: KNOWN, knownHelpersOnly: true, strict: false }) };
      // Compilation is lazy: force it so syntax errors surface here.
      compiled[name].ok({});
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
