// Velocity exports for tests/export.rs, second opinion: npm velocityjs (Apache Velocity itself runs
// in tests/esp/velocity/Render.java). `$esc` stands in for Velocity Tools' EscapeTool: html() escapes
// & < > " as EscapeTool does (it also writes non-ASCII characters as references, which a browser
// shows the same) and gives null for null, so `$!{esc.html($x)}` prints nothing then.
'use strict';
const velocity = require('velocityjs');

const esc = {
  html: (s) =>
    s === null || s === undefined
      ? null
      : String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;'),
};

function renderAll(input) {
  const compiled = {};
  for (const [name, source] of Object.entries(input.templates)) {
    try {
      compiled[name] = { ok: velocity.parse(source) };
    } catch (e) {
      compiled[name] = { error: 'parse: ' + e.message };
    }
  }
  return input.cases.map((c) => {
    const t = compiled[c.template];
    if (!t) return { error: 'no template ' + c.template };
    if (t.error) return { error: t.error };
    try {
      const compile = new velocity.Compile(t.ok, { escape: false });
      return { ok: compile.render(Object.assign({}, c.data, { esc })) };
    } catch (e) {
      return { error: e.message };
    }
  });
}

module.exports = { renderAll };
