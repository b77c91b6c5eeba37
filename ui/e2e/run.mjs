// End-to-end test of the desktop designer in its real window (WebKitGTK under Xvfb, driven through
// tauri-driver). scripts/e2e.sh starts Xvfb and tauri-driver and runs this with:
//   TESSERA_APP        the built app binary
//   TESSERA_E2E_OUT    where screenshots go (target/e2e)
//   WEBDRIVER_URL      tauri-driver (http://127.0.0.1:4444)
// The app's per-user data folder (TESSERA_DATA_DIR) is a fresh temporary folder set by the script, so
// the first start copies the demo workspace exactly as a designer's first start does.
// Helpers shared with the feature steps live in lib.mjs. Each file in features/ exports a default
// async function (s) that checks one feature in the running app; they run in file-name order after
// the screens below, on the demo copy the app has open, so a new feature adds a file and no lines here.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { Keys, sleep } from "./webdriver.mjs";
import { addFromPalette, app, check, choose, cli, figures, inPreview, layerOrder, out, percentile, press, previewOrder, repo, results, shot, start, startSmtp, stopSmtp, storedProfiles, tessera, waitPreview } from "./lib.mjs";

/**
 * Typing while a 200,000-row import runs (last, so the big store does not slow the other checks):
 * the import works on a workspace of its own, off the session lock, so keystrokes still reach the
 * preview while it runs.
 */
async function typingDuringImport(s) {
  const workspace = await s.execute("return document.querySelector('.brand').title.replace(/^Workspace: /, '')");
  const bigCsv = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "tessera-e2e-import-")), "big.csv");
  const rows = ["email,first_name,city"];
  for (let i = 0; i < 200000; i++) rows.push(`bulk${i}@example.com,Bulk${i},Town${i % 97}`);
  fs.writeFileSync(bigCsv, rows.join("\n") + "\n");

  // Cancel: the import of the big file, started from the Profiles screen and cancelled from the
  // button beside its progress, writes nothing (it is one transaction).
  const before = storedProfiles(workspace);
  await press(s, "[data-testid=nav-profiles]");
  await choose(s, "[data-testid=import-path]", bigCsv);
  await s.waitFor("return document.querySelector('[data-testid=import-preview]') !== null", { what: "the big file's mapping preview" });
  await press(s, "[data-testid=import-run]");
  await press(s, "[data-testid=import-cancel]");
  await s.waitFor("return document.querySelector('[data-testid=import-cancelled]') !== null", { what: "the import to stop after Cancel", timeout: 120000 });
  const after = storedProfiles(workspace);
  const reported = await s.execute("return document.querySelector('[data-testid=import-report]') !== null");
  check(after === before && before > 0 && !reported, `Cancel stops an import and writes nothing (profiles in the store before ${before}, after ${after})`);
  // Preview as a stored profile for the typing below.
  await s.waitFor("return document.querySelectorAll('[data-testid=profile-row]').length > 0", { what: "stored profiles" });
  await press(s, "[data-testid=profile-row] td");
  await s.waitFor("return document.querySelector('[data-testid=profile-card]') !== null", { what: "the profile card" });
  await press(s, "[data-testid=preview-as-profile]");
  await s.waitFor("return document.querySelector('[data-testid=profile-select]')?.value.startsWith('stored:')", { what: "preview as the stored profile" });

  await press(s, "[data-testid=nav-design]");
  await s.execute("const s = document.querySelector('[data-testid=email-select]'); s.value = 'e2e-launch'; s.dispatchEvent(new Event('change', { bubbles: true }));");
  await s.waitFor("return document.querySelector('[data-testid=email-select]').value === 'e2e-launch'", { what: "the e2e email" });
  await (await s.find('[data-testid=layer][data-block="hero-1"]')).click();
  await s.waitFor("return document.querySelector('[data-testid=inspector]')?.dataset.block === 'hero-1'", { what: "the hero to be selected" });
  const text = await s.find("[data-testid=field-cta_label]");
  // Typing while a 200,000-row import runs: the import works on a workspace of its own, off the
  // session lock, and previewing as a stored profile only reads the store when the segment
  // definitions are unchanged, so keystrokes reach the preview of a stored profile while it runs.
  const stored = await s.execute("return document.querySelector('[data-testid=profile-select]').value");
  check(stored.startsWith("stored:"), `the designer previews as a stored profile (${stored})`);
  await waitPreview(s, "return !document.querySelector('[data-tsr-block=hero-1]').textContent.includes('Hello friend')", "the stored profile's preview before the import");
  await s.execute(
    "window.__e2eImport = { done: false, report: null, error: null }; window.__TAURI_INTERNALS__.invoke('import_file', { path: arguments[0], kind: 'profiles' }).then((r) => { window.__e2eImport.report = r; }, (e) => { window.__e2eImport.error = JSON.stringify(e); }).finally(() => { window.__e2eImport.done = true; });",
    [bigCsv],
  );
  await sleep(300);
  await text.clear();
  await s.waitFor("return window.__tessera.latencies.length > 0", { what: "the preview after clearing a field during the import" });
  await s.execute("window.__tessera.latencies.length = 0");
  // The field as it is now (the inspector may have drawn it anew).
  const during_field = await s.find("[data-testid=field-cta_label]");
  await during_field.click();
  const duringKeys = "Typing while importing";
  let typedDuring = 0;
  for (let i = 0; i < duringKeys.length; i++) {
    const importing = !(await s.execute("return window.__e2eImport.done"));
    await during_field.type(duringKeys[i]);
    await s.waitFor("return window.__tessera.latencies.length > arguments[0]", { args: [i], what: "the preview after a keystroke during the import", timeout: 5000 });
    if (importing) typedDuring++;
  }
  const during = (await s.execute("return window.__tessera.latencies")).slice(0, typedDuring).sort((a, b) => a - b);
  figures.importKeystrokes = during.length;
  figures.importKeystrokeP95Ms = during.length ? percentile(during, 95) : NaN;
  figures.importKeystrokeMaxMs = during.length ? during[during.length - 1] : NaN;
  check(during.length >= 5, `keystrokes were typed while the 200,000-row import ran (${during.length})`);
  // No keystroke waits for the import: held behind the session lock, a keystroke once waited for
  // the whole import (8.6 s). The check allows 1 s, well above any render and well below the
  // import; the 200 ms target is a figure printed below, like the other keystroke targets, because
  // a timed gate on a shared 2-core machine fails with the machine's load, not with the code.
  const stillStored = await s.execute("return document.querySelector('[data-testid=profile-select]').value");
  check(stillStored === stored, `the keystrokes were previewed as the stored profile (${stillStored})`);
  check(during.length > 0 && figures.importKeystrokeMaxMs <= 1000, `no keystroke during the import waited for it: each reached the preview within 1 s (p95 ${figures.importKeystrokeP95Ms?.toFixed(1)} ms, max ${figures.importKeystrokeMaxMs?.toFixed(1)} ms over ${during.length})`);
  await s.waitFor("return window.__e2eImport.done", { what: "the 200,000-row import to finish", timeout: 600000 });
  const bulk = await s.execute("return window.__e2eImport");
  check(bulk.error === null && bulk.report?.inserted === 200000, `the 200,000-row import finished (${bulk.error ?? `${bulk.report?.inserted} inserted`})`);
}

let s;


async function screens(s) {
  const workspace = await s.execute("return document.querySelector('.brand').title.replace(/^Workspace: /, '')");
  check(fs.existsSync(path.join(workspace, "tessera.toml")), `the app's workspace is on disk (${workspace})`);

  // Profiles: import the demo CSV, see the mapping and the report, browse, preview as a profile.
  await press(s, "[data-testid=nav-profiles]");
  await s.find("[data-testid=screen-profiles]");
  const csv = path.join(repo, "fixtures/demo/store/profiles.csv");
  await choose(s, "[data-testid=import-path]", csv);
  await s.waitFor("return document.querySelector('[data-testid=import-preview]') !== null", { what: "the mapping preview" });
  const mapping = await s.execute("return document.querySelector('[data-testid=import-preview]').textContent");
  check(mapping.includes("→ email") && mapping.includes("attribute loyalty_tier"), "the import preview maps the columns (email to the email field, Loyalty tier to an attribute)");
  await shot(s, "import-preview");
  const dry = JSON.parse(tessera(workspace, ["import", csv, "--kind", "profiles", "--dry-run", "--json"]));
  await press(s, "[data-testid=import-run]");
  await s.waitFor("return document.querySelector('[data-testid=import-report]') !== null", { what: "the import report", timeout: 60000 });
  const report = await s.execute("const n = (id) => Number(document.querySelector(`[data-testid=${id}]`).textContent); return { read: n('report-read'), inserted: n('report-inserted'), rejected: n('report-rejected'), merged: n('report-merged'), listed: document.querySelectorAll('[data-testid=import-rejections] tbody tr').length }");
  check(report.read === dry.rows_read && report.inserted === dry.inserted && report.rejected === dry.rejected && report.merged === dry.merged && report.inserted > 0,
    `the import report counts what the CLI's dry run of the same file does (${JSON.stringify(report)})`);
  check(report.rejected === report.listed, "each rejected row is listed with its line and reason");
  await shot(s, "import-report");
  await s.waitFor("return document.querySelectorAll('[data-testid=profile-row]').length > 0", { what: "stored profiles" });
  await press(s, "[data-testid=profile-row] td");
  await s.waitFor("return document.querySelector('[data-testid=profile-card]') !== null", { what: "the profile card" });
  const cardEmail = await s.execute("return document.querySelector('[data-testid=profile-card] h3').textContent.trim()");
  await press(s, "[data-testid=preview-as-profile]");
  await s.waitFor("return document.querySelector('[data-testid=profile-select]')?.value === 'stored:' + arguments[0]", { args: [cardEmail], what: "preview as the stored profile" });
  check(true, `"preview as" switches the designer to the stored profile ${cardEmail}`);

  // Segments: build a rule, see the live count agree with the CLI once saved, and the coverage grid.
  await press(s, "[data-testid=nav-segments]");
  await press(s, "[data-testid=segment-new]");
  await (await s.find("[data-testid=segment-name]")).type("e2e-britain");
  await (await s.find("[data-testid=segment-description]")).type("Profiles in Britain");
  await choose(s, "[data-testid=rule-kind]", "attribute");
  await press(s, "[data-testid=rule-add]");
  await choose(s, "[data-testid=attr-name]", "country");
  await (await s.find("[data-testid=attr-value]")).type("GB");
  const counted = await s.waitFor("const c = document.querySelector('[data-testid=segment-count]'); return c.dataset.busy === 'false' && c.dataset.count !== '' ? Number(c.dataset.count) : false", { what: "the live count" });
  check(counted > 0 && counted < report.inserted, `the live count shows the members while editing (${counted})`);
  check((await s.execute("return document.querySelectorAll('[data-testid=segment-members] tr').length")) === Math.min(counted, 50), "the members are listed");
  await shot(s, "segment-builder");
  await press(s, "[data-testid=segment-save]");
  await s.find("[data-testid=segment-saved]");
  const savedDef = JSON.parse(fs.readFileSync(path.join(workspace, "segments/e2e-britain.json"), "utf8"));
  check(JSON.stringify(savedDef) === JSON.stringify({ description: "Profiles in Britain", rule: { all: [{ attribute: "country", eq: "GB" }] } }), "the segment is saved to segments/e2e-britain.json");
  const cliCount = JSON.parse(tessera(workspace, ["segments", "count", "e2e-britain", "--json"]))[0].members;
  check(cliCount === counted, `the CLI counts the saved segment the same (${cliCount})`);
  await choose(s, "[data-testid=email-select]", "abandoned-cart");
  await s.waitFor("return document.querySelector('[data-testid=email-select]').value === 'abandoned-cart'", { what: "abandoned-cart to open" });
  await press(s, "[data-testid=coverage-run]");
  await s.waitFor("return document.querySelectorAll('[data-testid=coverage-case]').length >= 6", { what: "the coverage grid", timeout: 30000 });
  const grid = await s.execute("return { frames: [...document.querySelectorAll('[data-testid=coverage-grid] iframe')].map(f => f.getAttribute('sandbox')), segments: document.querySelectorAll('[data-testid=coverage-case]').length, unreachedShown: document.querySelectorAll('[data-unreached=true]').length }");
  const matrix = JSON.parse(tessera(workspace, ["preview-matrix", "abandoned-cart", "--out", fs.mkdtempSync(path.join(os.tmpdir(), "tessera-e2e-matrix-")), "--json"]));
  check(grid.frames.length === matrix.cases.length && grid.frames.every((v) => v === ""), `the coverage renders every case side by side in sandboxed frames (${grid.frames.length})`);
  check(grid.unreachedShown === matrix.unreached_blocks.length, `blocks no case reaches are highlighted (${grid.unreachedShown})`);
  const caseQa = await s.execute("return [...document.querySelectorAll('[data-testid=coverage-case]')].map(c => c.querySelector('[data-testid=coverage-qa]')?.dataset.fails ?? 'missing')");
  const qaRun = spawnSync(cli, ["--workspace", workspace, "qa", "abandoned-cart", "--all-segments", "--json"], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  const qaCli = JSON.parse(qaRun.stdout).cases.map((c) => String(c.report.fails));
  check(caseQa.length === matrix.cases.length && JSON.stringify(caseQa) === JSON.stringify(qaCli), `each coverage case shows its QA, passing or failing as tessera qa --all-segments says (${caseQa.join(",")})`);
  await shot(s, "coverage");

  // Export: Liquid in the window equals the CLI's template.html.
  await press(s, "[data-testid=nav-export]");
  await press(s, "[data-testid=export-run]");
  await s.waitFor("return document.querySelector('[data-testid=export-code]') !== null", { what: "the exported code", timeout: 30000 });
  const shown = await s.execute("return document.querySelector('[data-testid=export-code]').textContent");
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), "tessera-e2e-export-"));
  tessera(workspace, ["export", "abandoned-cart", "--target", "liquid", "--out", outDir]);
  const fromCli = fs.readFileSync(path.join(outDir, "abandoned-cart/liquid/template.html"), "utf8");
  check(shown === fromCli, `the Liquid export in the window equals the CLI's (${shown.length} bytes)`);
  check((await s.execute("return document.querySelectorAll('[data-testid=export-code] .tok-template').length")) > 0, "the Liquid delimiters are highlighted");
  check((await s.execute("return document.querySelectorAll('[data-testid=export-contract] tbody tr').length")) > 0, "the data contract lists the fields");
  await shot(s, "export-liquid");
  // Mailchimp has no loops: the refusal names the list block, and a click selects it.
  await press(s, "[data-testid=export-target-mailchimp]");
  await press(s, "[data-testid=export-run]");
  await press(s, "[data-testid=export-tab-mailchimp]");
  const refusal = await (await s.find("[data-testid=export-refusal]")).text();
  check(refusal.includes("cart-items") && /loop/i.test(refusal), "a target that cannot express the email says which block and why");
  await shot(s, "export-refusal");
  await press(s, "[data-testid=export-refusal-block]");
  await s.waitFor("return document.querySelector('[data-testid=inspector]')?.dataset.block === 'cart-items'", { what: "the refused block selected in the designer" });
  check(true, "clicking the refused block selects it in the designer");

  // Send: a test to a real SMTP server on this machine, which receives it.
  const server = await startSmtp();
  await press(s, "[data-testid=nav-send]");
  await (await s.find("[data-testid=send-to]")).type("seed@example.com");
  await choose(s, "[data-testid=send-route]", "url");
  await choose(s, "[data-testid=send-url]", `smtp://127.0.0.1:${server.port}`);
  await press(s, "[data-testid=send-run]");
  await s.waitFor("return document.querySelectorAll('[data-testid=send-row]').length > 0", { what: "the send results", timeout: 30000 });
  const statuses = await s.execute("return [...document.querySelectorAll('[data-testid=send-row]')].map(r => r.dataset.status)");
  check(statuses.length === 1 && statuses[0] === "sent", `the result per recipient says sent (${statuses})`);
  const received = fs.readdirSync(server.maildir).filter((f) => f.endsWith(".eml"));
  const eml = received.length === 1 ? fs.readFileSync(path.join(server.maildir, received[0]), "utf8") : "";
  const envelope = received.length === 1 ? JSON.parse(fs.readFileSync(path.join(server.maildir, received[0].replace(".eml", ".json")), "utf8")) : {};
  check(/Subject: .*\[TEST\]/i.test(eml) && JSON.stringify(envelope).includes("seed@example.com"), "the SMTP server received the test for seed@example.com");
  await shot(s, "send-smtp");
  await choose(s, "[data-testid=send-route]", "outbox");
  await press(s, "[data-testid=send-run]");
  await s.waitFor("return document.querySelectorAll('[data-testid=outbox-item]').length > 0", { what: "the outbox", timeout: 30000 });
  await press(s, "[data-testid=outbox-item] td");
  await s.waitFor("return document.querySelector('[data-testid=outbox-message]')?.textContent.includes('[TEST]')", { what: "the outbox message" });
  check(true, "with the outbox chosen, the test is in the outbox viewer");

  // History: save two versions, compare them, restore the first.
  await press(s, "[data-testid=nav-history]");
  await s.waitFor("return document.querySelector('[data-testid=history-start], [data-testid=version-message]') !== null", { what: "the History screen" });
  if (await s.execute("return document.querySelector('[data-testid=history-start]') !== null")) await press(s, "[data-testid=history-start]");
  await (await s.find("[data-testid=version-message]")).type("First version");
  await choose(s, "[data-testid=version-author]", "E2E Tester <e2e@example.com>");
  await press(s, "[data-testid=version-save]");
  await s.waitFor("return document.querySelectorAll('[data-testid=version-row]').length === 1", { what: "the first version", timeout: 30000 });
  await press(s, "[data-testid=nav-design]");
  await press(s, "[data-testid=tab-email]");
  const firstSubject = await (await s.find("[data-testid=setting-subject]")).prop("value");
  await (await s.find("[data-testid=setting-subject]")).type(" (second)");
  await s.waitFor("return document.querySelector('[data-testid=app]').dataset.save === 'saved'", { what: "the autosave of the subject" });
  await press(s, "[data-testid=nav-history]");
  await (await s.find("[data-testid=version-message]")).type("Second version");
  await press(s, "[data-testid=version-save]");
  await s.waitFor("return document.querySelectorAll('[data-testid=version-row]').length === 2", { what: "the second version", timeout: 30000 });
  const log = tessera(workspace, ["history", "--format", "json"]);
  check(log.includes("First version") && log.includes("Second version"), "two versions are saved (the CLI's history lists both)");
  await press(s, "[data-testid=version-row]:nth-of-type(3) [data-testid=version-from]");
  await press(s, "[data-testid=version-row]:nth-of-type(2) [data-testid=version-to]");
  await choose(s, "[data-testid=diff-target]", "liquid");
  await press(s, "[data-testid=diff-run]");
  await s.waitFor("return document.querySelector('[data-testid=email-change]')?.textContent.includes('subject')", { what: "the block-level diff", timeout: 30000 });
  check((await s.execute("return document.querySelector('[data-testid=diff-code]')?.textContent.includes('(second)')")) === true, "the diff shows the subject change and the Liquid code diff");
  await shot(s, "history-diff");
  await press(s, "[data-testid=version-row]:nth-of-type(3) [data-testid=version-restore]");
  await s.waitFor("return document.querySelector('[data-testid=version-saved]')?.textContent.includes('Brought back')", { what: "the restore" });
  const emailName = await s.execute("return document.querySelector('[data-testid=email-select]').value");
  const onDisk = JSON.parse(fs.readFileSync(path.join(workspace, `emails/${emailName}.email.json`), "utf8")).subject;
  check(onDisk === firstSubject, `restoring the first version brings its subject back on disk (${JSON.stringify(onDisk)})`);
  await press(s, "[data-testid=nav-design]");
  await press(s, "[data-testid=tab-email]");
  await s.waitFor("return document.querySelector('[data-testid=setting-subject]').value === arguments[0]", { args: [firstSubject], what: "the restored subject in the designer" });
  check(true, "the designer shows the restored version");

  // Blocks: which emails use a block type.
  await press(s, "[data-testid=nav-blocks]");
  await s.waitFor("return document.querySelector('[data-testid=block-row-hero]')?.textContent.includes('welcome')", { what: "block usage" });
  check(true, "the Blocks screen lists the emails that use the hero block");
  await shot(s, "blocks");
  await press(s, "[data-testid=nav-design]");
  check((await s.execute("return document.querySelector('[data-testid=canvas]').offsetParent !== null")) === true, "back on the Design screen the preview is there");
}
try {
  // 1. First start: the demo workspace, copied to the per-user folder, opens with a preview.
  const first = await start();
  s = first.s;
  figures.startupMs = first.startupMs;
  figures.startupWallMs = first.wall;
  check((await s.execute("return document.querySelector('[data-testid=demo-note]') !== null")) === true, "first start opens the editable copy of the demo and says so");
  const sandbox = await s.execute("return [...document.querySelectorAll('iframe')].map(f => f.getAttribute('sandbox'))");
  check(sandbox.length === 2 && sandbox.every((v) => v === ""), "preview frames are sandboxed with no allowances");
  check((await inPreview(s, () => s.execute("return document.querySelectorAll('script').length"))) === 0, "no script in the preview");
  await shot(s, "first-start-demo");
  // TESSERA_E2E_ONLY=<regular expression>: only the feature steps whose file names match, right
  // after the first start (a quick loop while working on one feature; the test is the full run).
  const only = process.env.TESSERA_E2E_ONLY ? new RegExp(process.env.TESSERA_E2E_ONLY) : null;
  steps: {
  if (only !== null) break steps;
  // A custom block type whose markup uses display:flex (Outlook for Windows ignores it), written
  // into the app's workspace the way a designer adds one; the app reads block types when it opens
  // a workspace, so the restarts below pick it up for the QA check at the end.
  const workspace = await s.execute("return document.querySelector('.brand').title.replace(/^Workspace: /, '')");
  fs.mkdirSync(path.join(workspace, "blocks/flexrow"), { recursive: true });
  fs.writeFileSync(path.join(workspace, "blocks/flexrow/block.json"), JSON.stringify({
    name: "Flex row", description: "Two items side by side with flexbox", category: "content",
    fields: [{ name: "left", type: "text", label: "Left", default: "Left" }, { name: "right", type: "text", label: "Right", default: "Right" }],
  }));
  fs.writeFileSync(path.join(workspace, "blocks/flexrow/block.hbs"),
    '<div class="t-flexrow" style="display:flex;padding:16px 32px;"><p style="margin:0;">{{block.left}}</p><p style="margin:0;">{{block.right}}</p></div>');

  // 2. Build an email from an empty document.
  await press(s, "[data-testid=new-email]");
  await (await s.find("[data-testid=new-email-name]")).type("E2E Launch");
  await press(s, "[data-testid=new-email-create]");
  await s.waitFor("return document.querySelector('[data-testid=email-select]').value === 'e2e-launch'", { what: "the new email to open" });
  check((await s.execute(layerOrder)) === "", "the new email is empty");
  await shot(s, "empty-email");
  for (const type of ["header", "hero", "text", "button"]) await addFromPalette(s, type);
  check((await s.execute(layerOrder)) === "header-1,hero-1,text-1,button-1", "four blocks added in order");
  await waitPreview(s, previewOrder + " === 'header-1,hero-1,text-1,button-1'", "four blocks in the preview");
  await shot(s, "blocks-added");

  // 3. Click the hero's text in the preview to select it (a word link there lies above the block's
  // pick link and picks the same block; step 30 clicks a block's pick link itself), then edit its
  // headline with a placeholder.
  await inPreview(s, async () => (await s.find('[data-tsr-block="hero-1"] a.tsr-w')).click());
  await s.waitFor("return document.querySelector('[data-testid=inspector]')?.dataset.block === 'hero-1'", { what: "the hero to be selected by a click in the preview" });
  check(true, "a click on a block in the preview selects it");
  const headline = await s.find("[data-testid=field-headline]");
  await headline.clear();
  await headline.type("Hello ");
  await press(s, "[data-testid=field-headline-ph-open]");
  await (await s.find("[data-testid=field-headline-ph-search]")).type("first");
  await (await s.find('[data-testid=field-headline-ph-field][data-path="profile.first_name"]')).click();
  const fb = await s.find("[data-testid=field-headline-ph-fallback]");
  await fb.clear();
  await fb.type("friend");
  await press(s, "[data-testid=field-headline-ph-insert]");
  const value = await (await s.find("[data-testid=field-headline]")).prop("value");
  check(value === 'Hello {{default profile.first_name "friend"}}', `headline holds the placeholder with its fallback (${value})`);
  await waitPreview(s, "return document.querySelector('[data-tsr-block=hero-1]').textContent.includes('Hello Ada')", "Hello Ada");
  check(true, "the preview shows the headline personalized for Ada");
  await shot(s, "headline-placeholder");

  // Keystroke → updated preview, measured in the app (input event time to the new frame's load).
  const text = await s.find("[data-testid=field-cta_label]");
  await text.clear();
  await s.waitFor("return window.__tessera.latencies.length > 0", { what: "the preview after clearing a field" });
  await s.execute("window.__tessera.latencies.length = 0");
  const keys = "Find your trail ahead!";
  for (let i = 0; i < keys.length; i++) {
    await text.type(keys[i]);
    await s.waitFor("return window.__tessera.latencies.length > arguments[0]", { args: [i], what: "the preview after a keystroke", timeout: 5000 });
  }
  const lat = (await s.execute("return window.__tessera.latencies")).slice().sort((a, b) => a - b);
  figures.keystrokes = lat.length;
  figures.keystrokeMedianMs = percentile(lat, 50);
  figures.keystrokeP95Ms = percentile(lat, 95);
  const m = await s.execute("return window.__tessera");
  const med = (a) => percentile(a.slice(-lat.length).sort((x, y) => x - y), 50);
  figures.engineMedianMs = med(m.engineMs);
  figures.roundTripMedianMs = med(m.roundTripMs);
  figures.frameLoadMedianMs = med(m.frameLoadMs);
  await waitPreview(s, "return document.querySelector('[data-tsr-block=hero-1]').textContent.includes('Find your trail ahead!')", "the typed text");

  // 4. Switch the preview profile: the personalized text changes at once.
  await s.execute("const s = document.querySelector('[data-testid=profile-select]'); s.value = 'sample:chloe-missing'; s.dispatchEvent(new Event('change', { bubbles: true }));");
  await waitPreview(s, "return document.querySelector('[data-tsr-block=hero-1]').textContent.includes('Hello friend')", "Hello friend");
  check(true, "previewing as a recipient without a first name shows the fallback");
  check((await s.execute("return document.querySelector('[data-testid=report-fallbacks]').textContent.includes('profile.first_name')")) === true, "the report lists the fallback taken");
  await shot(s, "profile-switched");

  // 5. Reorder, then undo with the keyboard.
  await (await s.find('[data-testid=layer][data-block="text-1"] [data-testid=layer-up]')).click();
  check((await s.execute(layerOrder)) === "header-1,text-1,hero-1,button-1", "text moved above the hero");
  await waitPreview(s, previewOrder + " === 'header-1,text-1,hero-1,button-1'", "the reordered preview");
  await shot(s, "reordered");
  await press(s, "[data-testid=palette-search]");
  await s.chord([Keys.CONTROL], "z");
  await s.waitFor(layerOrder.replace("return ", "return (") + ") === 'header-1,hero-1,text-1,button-1'", { what: "undo" });
  await waitPreview(s, previewOrder + " === 'header-1,hero-1,text-1,button-1'", "the preview after undo");
  check(true, "Ctrl+Z undoes the move");
  await press(s, "[data-testid=redo]");
  await s.waitFor(layerOrder.replace("return ", "return (") + ") === 'header-1,text-1,hero-1,button-1'", { what: "redo" });
  check(true, "Redo moves it again");
  await press(s, "[data-testid=palette-search]");
  await s.chord([Keys.CONTROL], "z");
  await s.waitFor(layerOrder.replace("return ", "return (") + ") === 'header-1,hero-1,text-1,button-1'", { what: "undo again" });
  await shot(s, "undone");

  // 6. Autosave, restart, and find the edit saved.
  await s.waitFor("return document.querySelector('[data-testid=app]').dataset.save === 'saved'", { what: "the autosave" });
  await s.quit();
  s = null;
  const second = await start();
  s = second.s;
  figures.restartMs = second.startupMs;
  check((await s.execute("return document.querySelector('[data-testid=email-select]').value")) === "welcome", "the restarted app opens the demo workspace again");
  await s.execute("const s = document.querySelector('[data-testid=email-select]'); s.value = 'e2e-launch'; s.dispatchEvent(new Event('change', { bubbles: true }));");
  await s.waitFor(layerOrder.replace("return ", "return (") + ") === 'header-1,hero-1,text-1,button-1'", { what: "the saved email" });
  await waitPreview(s, "return document.querySelector('[data-tsr-block=hero-1]').textContent.includes('Hello Ada')", "the saved headline");
  await (await s.find('[data-testid=layer][data-block="hero-1"] [data-testid=layer-select]')).click();
  const saved = await (await s.find("[data-testid=field-headline]")).prop("value");
  check(saved === 'Hello {{default profile.first_name "friend"}}', "after a restart the headline edit is there");
  await shot(s, "restarted");

  // 7. Drag and drop (HTML5 events as the browser sends them): a Columns block dropped on the
  //    preview, a Text block dropped into its left column, then mobile width and dark mode.
  const drag = `
    const [from, to] = arguments;
    const dt = new DataTransfer();
    const src = document.querySelector(from);
    src.dispatchEvent(new DragEvent('dragstart', { bubbles: true, dataTransfer: dt }));
    return new Promise((resolve) => requestAnimationFrame(() => {
      const dst = document.querySelector(to);
      dst.dispatchEvent(new DragEvent('dragover', { bubbles: true, cancelable: true, dataTransfer: dt }));
      dst.dispatchEvent(new DragEvent('drop', { bubbles: true, cancelable: true, dataTransfer: dt }));
      src.dispatchEvent(new DragEvent('dragend', { bubbles: true, dataTransfer: dt }));
      resolve(true);
    }));`;
  await s.execute(drag, ['[data-testid=palette-item][data-type="columns"]', "[data-testid=canvas] .dropzone"]);
  await s.waitFor(layerOrder.replace("return ", "return (") + ") === 'header-1,hero-1,text-1,button-1,columns-1'", { what: "columns dropped on the preview" });
  check(true, "a block dragged from the palette onto the preview is appended");
  await s.execute(drag, ['[data-testid=palette-item][data-type="text"]', "[data-testid=layers-columns-1-left] > li.end"]);
  await s.waitFor("return document.querySelector('[data-testid=layers-columns-1-left] [data-testid=layer]')?.dataset.block === 'text-2'", { what: "text dropped into the left column" });
  await waitPreview(s, "return document.querySelector('[data-tsr-block=columns-1] .t-columns__inner--left')?.textContent.trim().length > 0", "the column's child in the preview");
  check(true, "a block dragged into a column renders inside it");
  await s.execute(drag, ['[data-testid=layer][data-block="columns-1"]', "[data-testid=layers] > li:first-child"]);
  await s.waitFor(layerOrder.replace("return ", "return (") + ") === 'columns-1,header-1,hero-1,text-1,button-1'", { what: "columns dragged to the top" });
  check(true, "dragging a block in the structure list reorders it");
  await press(s, "[data-testid=width-mobile]");
  await press(s, "[data-testid=dark-toggle]");
  await waitPreview(s, "return innerWidth <= 375 && [...document.styleSheets].some(sh => [...sh.cssRules].some(r => r.media && r.media.mediaText === 'all'))", "mobile width in dark mode");
  check(true, "mobile width and dark mode apply the email's own media rules");
  await shot(s, "columns-mobile-dark");

  // 8. Close the window in the middle of an edit (before the autosave's delay): nothing is lost.
  await press(s, "[data-testid=tab-email]");
  const subject = await s.find("[data-testid=setting-subject]");
  await subject.type("Closed mid-edit");
  // Close it as the window's close button does (WebDriver's "close window" would tear the web view
  // down without the app seeing a close request), well before the autosave's delay has passed.
  const closed = spawnSync("python3", [path.join(path.dirname(new URL(import.meta.url).pathname), "close_window.py"), "Tessera"], { encoding: "utf8" });
  check(closed.status === 0, `the window was asked to close ${closed.stderr.trim()}`);
  await sleep(1500);
  await s.quit().catch(() => {});
  s = null;
  const third = await start();
  s = third.s;
  await s.execute("const s = document.querySelector('[data-testid=email-select]'); s.value = 'e2e-launch'; s.dispatchEvent(new Event('change', { bubbles: true }));");
  await s.waitFor("return document.querySelector('[data-testid=email-select]').value === 'e2e-launch'", { what: "the email after closing" });
  await press(s, "[data-testid=tab-email]");
  const kept = await s.waitFor("const v = document.querySelector('[data-testid=setting-subject]')?.value; return v ? v : false", { what: "the subject", timeout: 5000 }).catch(() => "");
  check(kept === "Closed mid-edit", `an edit made just before closing the window is saved (${JSON.stringify(kept)})`);
  check((await s.execute(layerOrder)) === "columns-1,header-1,hero-1,text-1,button-1", "the dragged blocks are saved too");

  // 9. The data, export and send screens, on the demo copy the app has open.
  await screens(s);

  // 10. Pre-send QA: the custom flexbox block added to the open email; the QA panel, run after the
  //     preview shows, names it for Outlook; clicking the finding selects the block and outlines
  //     the flex element in the preview.
  await addFromPalette(s, "flexrow");
  const flexId = await s.waitFor("return document.querySelector('[data-testid=inspector]')?.dataset.block || false", { what: "the flex row selected" });
  const firstLayer = await s.execute("return document.querySelector('[data-testid=layers] > li > [data-testid=layer]').dataset.block");
  await press(s, `[data-testid=layer][data-block="${firstLayer}"] [data-testid=layer-select]`);
  await s.waitFor("return document.querySelector('[data-testid=inspector]')?.dataset.block === arguments[0]", { args: [firstLayer], what: "another block selected" });
  const flexFinding = `[data-testid=qa-finding][data-rule="support:css-display-flex"][data-block="${flexId}"]`;
  await s.waitFor("return document.querySelector(arguments[0]) !== null && document.querySelector('[data-testid=qa-panel]').dataset.checking === 'false'", { args: [flexFinding], what: "the flexbox finding in the QA panel", timeout: 15000 });
  const finding = await s.execute("const li = document.querySelector(arguments[0]).closest('li'); return { text: li.textContent, level: li.className }", [flexFinding]);
  check(/outlook\.windows/.test(finding.text) && /\berror\b/.test(finding.level), `the QA panel shows display:flex in ${flexId} as unsupported in Outlook for Windows (${finding.text.trim().slice(0, 90)}…)`);
  const outlook = await s.execute("const f = document.querySelector('[data-testid=qa-family][data-family=outlook]'); return f ? Number(f.querySelector('.red').textContent) : -1");
  check(outlook > 0, `the Outlook family's summary counts unsupported features (${outlook} red)`);
  await press(s, flexFinding);
  await s.waitFor("return document.querySelector('[data-testid=inspector]')?.dataset.block === arguments[0]", { args: [flexId], what: "the flex row selected by its finding" });
  check(true, "clicking the finding selects the block it names");
  const outlined = await waitPreview(s, "const e = document.querySelector(`[data-tsr-block=\"${arguments[0]}\"] [style*=\"flex\"]`); return e && getComputedStyle(e).outlineStyle === 'solid' ? getComputedStyle(e).outlineColor : false", "the flex element outlined", [flexId]);
  check(outlined === "rgb(220, 38, 38)", `the preview outlines the element the finding is about (${outlined})`);
  await shot(s, "qa-finding");
  await press(s, "[data-testid=qa-mode-clients]");
  const matrixRows = await s.waitFor("return document.querySelectorAll('[data-testid=qa-matrix] tbody tr').length || false", { what: "the client matrix" });
  check(matrixRows > 1, `the per-client matrix lists the email's client-support findings (${matrixRows - 1})`);
  await shot(s, "qa-matrix");
  const qaMs = (await s.execute("return window.__tessera.qaMs")).slice().sort((a, b) => a - b);
  figures.qaRuns = qaMs.length;
  figures.qaMedianMs = percentile(qaMs, 50);
  } // steps
  // 11. The feature steps (features/*.mjs), in file-name order; a step that restarts the app
  //     returns its new session.
  const featureDir = path.join(path.dirname(new URL(import.meta.url).pathname), "features");
  const featureFiles = fs.existsSync(featureDir) ? fs.readdirSync(featureDir).filter((f) => f.endsWith(".mjs") && (only === null || only.test(f))).sort() : [];
  for (const file of featureFiles) {
    const { default: feature } = await import(path.join(featureDir, file));
    s = (await feature(s)) ?? s;
  }

  // 12. Last, so the big store does not slow the other checks.
  if (only === null) await typingDuringImport(s);
} catch (e) {
  if (s) {
    const state = await s.execute("return JSON.stringify({ metrics: window.__tessera, banner: document.querySelector('[data-testid=error-banner]')?.textContent ?? null })").catch(() => "?");
    console.error(`e2e failed; app state: ${state}`);
    await shot(s, "failure").catch(() => {});
  }
  throw e;
} finally {
  if (s) await s.quit().catch(() => {});
  stopSmtp();
}

const passed = results.filter((r) => r.ok).length;
console.log(`e2e: ${passed} checks passed, ${results.length - passed} failed; screenshots in ${out}`);
if (figures.keystrokeMedianMs !== undefined) console.log(
  `e2e figures: keystroke to updated preview median ${figures.keystrokeMedianMs.toFixed(1)} ms, p95 ${figures.keystrokeP95Ms.toFixed(1)} ms over ${figures.keystrokes} keystrokes (targets 50 / 100 ms; of which engine ${figures.engineMedianMs.toFixed(1)} ms, IPC round trip incl. engine ${figures.roundTripMedianMs.toFixed(1)} ms, preview frame load ${figures.frameLoadMedianMs.toFixed(1)} ms); ` +
    `QA after the preview: median IPC round trip ${figures.qaMedianMs.toFixed(1)} ms over ${figures.qaRuns} runs shown; ` +
    `keystroke to preview during a 200,000-row import p95 ${figures.importKeystrokeP95Ms.toFixed(1)} ms, max ${figures.importKeystrokeMaxMs.toFixed(1)} ms over ${figures.importKeystrokes} keystrokes (target 200 ms); ` +
    `app start to interactive editor ${figures.startupMs.toFixed(0)} ms in the app (target 2000 ms), ${figures.startupWallMs} ms including the WebDriver session; restart ${figures.restartMs.toFixed(0)} ms`,
);
fs.writeFileSync(path.join(out, "figures.json"), JSON.stringify(figures, null, 2));
