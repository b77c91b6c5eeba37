// "Import email…" in the real window (issue 20): a corpus email (Mailchimp-style, with merge tags and
// a part no block holds) is given to the dialog, which shows the report and the field mapping
// against the data dictionary and, on "Compare visually", the difference Chromium measures; the
// import is confirmed, the new email opens with its blocks in the structure list and the preview,
// and a text of its HTML block edited in the inspector reaches the preview. The step returns to the
// email it found open.
import fs from "node:fs";
import path from "node:path";
import { appWorkspace, check, choose, figures, inPreview, layerOrder, press, repo, shot, waitPreview } from "../lib.mjs";

const corpus = path.join(repo, "tests/import/corpus/mailchimp-merge-tags.html");
const name = "imported-mailchimp";

export default async function importEmail(s) {
  const workspace = await appWorkspace(s);
  const before = await s.execute("return document.querySelector('[data-testid=email-select]').value");
  fs.rmSync(path.join(workspace, "emails", `${name}.email.json`), { force: true });

  // 1. The dialog, a corpus file given by its path: the report and the mapping.
  await press(s, "[data-testid=import-email]");
  await s.find("[data-testid=import-email-dialog]");
  await choose(s, "[data-testid=import-email-path]", corpus);
  const summary = await s.waitFor("return document.querySelector('[data-testid=import-email-summary]')?.textContent ?? false", { what: "the import preview", timeout: 20000 });
  check(/^\d+ blocks from \d+ elements \(html\)$/.test(summary.trim()), `the dialog summarizes the import (${summary.trim()})`);
  const elements = await s.execute("return [...document.querySelectorAll('[data-testid=import-email-dialog] .list li')].map((li) => li.textContent)");
  check(elements.some((e) => e.includes("HTML block html-1")) && elements.some((e) => e.includes("image image-1")), `the report says where each element went (${elements.length} elements, an image and an HTML block among them)`);
  const mapping = await s.execute("return [...document.querySelectorAll('[data-testid=import-email-dialog] tbody tr')].map((tr) => [...tr.cells].map((c) => c.textContent.trim()))");
  const fname = mapping.find((r) => r[0] === "FNAME");
  check(fname !== undefined && fname[1] === "profile.first_name" && fname[2] === "dictionary", `the mapping matches FNAME to the dictionary's profile.first_name (${JSON.stringify(fname)})`);
  check(mapping.some((r) => r[1] === "kept as text"), `unmapped merge tags are shown as kept as text (${mapping.filter((r) => r[1] === "kept as text").map((r) => r[0]).join(", ")})`);

  // 2. "Compare visually": both drawn by Chromium, the difference per width in the dialog.
  const t0 = Date.now();
  await press(s, "[data-testid=import-email-compare]");
  const visual = await s.waitFor("return document.querySelector('[data-testid=import-email-visual]')?.textContent ?? (document.querySelector('[data-testid=import-email-error]')?.textContent || false)", { what: "the visual difference", timeout: 120000 });
  figures.importCompareMs = Date.now() - t0;
  check(/at 600 px/.test(visual) && /at 375 px/.test(visual), `the dialog gives the visual difference at both widths (${visual.trim()}, ${figures.importCompareMs} ms)`);
  await shot(s, "import-email-report");

  // 3. Confirm: the new email opens with its blocks in the structure list and the preview.
  await choose(s, "[data-testid=import-email-name]", name);
  await press(s, "[data-testid=import-email-confirm]");
  await s.waitFor("return document.querySelector('[data-testid=email-select]')?.value === arguments[0]", { args: [name], what: "the imported email to open", timeout: 20000 });
  check(fs.existsSync(path.join(workspace, "emails", `${name}.email.json`)), "the import was written to the workspace");
  if (await s.execute("return document.querySelector('[data-testid=import-email-dialog]') !== null")) await press(s, "[data-testid=import-email]");
  const layers = await s.waitFor(`const o = (() => { ${layerOrder} })(); return o.includes('html-1') ? o : false`, { what: "the imported blocks in the structure list", timeout: 15000 });
  check(layers.split(",").length >= 3 && layers.includes("image-1") && layers.includes("text-1"), `the structure list shows the imported blocks (${layers})`);
  const shown = await waitPreview(s, "const b = document.querySelector('[data-tsr-block=html-1]'); return b && b.textContent.trim() ? b.textContent.trim() : false", "the HTML block in the preview");
  check(shown.length > 0, `the preview shows the HTML block (${shown.slice(0, 40)}…)`);

  // 4. A text of the HTML block edited in the inspector reaches the preview.
  await press(s, "[data-testid=layer][data-block=html-1]");
  await s.waitFor("return document.querySelector('[data-testid=inspector]')?.dataset.block === 'html-1'", { what: "the HTML block in the inspector" });
  const part = await s.waitFor("const i = [...document.querySelectorAll('[data-testid^=field-markup-part-]')].findIndex((e) => e.closest('label').textContent.trim().startsWith('Text') && e.value.trim().length > 2); return i >= 0 ? i : false", { what: "a text of the HTML block as an input" });
  const original = await s.execute("return document.querySelector(arguments[0]).value", [`[data-testid=field-markup-part-${part}]`]);
  const edited = "Renewed in the e2e step";
  await choose(s, `[data-testid=field-markup-part-${part}]`, edited);
  await waitPreview(s, "return document.querySelector('[data-tsr-block=html-1]')?.textContent.includes(arguments[0]) || false", "the edited text in the preview", [edited]);
  const gone = await inPreview(s, () => s.execute("return !document.querySelector('[data-tsr-block=html-1]').textContent.includes(arguments[0])", [original.trim()]));
  check(gone, `the HTML block's text "${original.trim()}" was replaced by "${edited}" in the preview`);
  await shot(s, "import-email-edited");
  await s.waitFor("return document.querySelector('[data-testid=save-status]')?.textContent.trim() === 'Saved'", { what: "the autosave", timeout: 15000 });
  const saved = fs.readFileSync(path.join(workspace, "emails", `${name}.email.json`), "utf8");
  check(saved.includes(edited), "the edit was saved to the imported email's file");

  await choose(s, "[data-testid=email-select]", before);
  await s.waitFor("return document.querySelector('[data-testid=email-select]')?.value === arguments[0]", { args: [before], what: "the email the step found open" });
}
