// Live data (issue 15): start the collector on the Live data screen, send calls from outside the
// app with curl (an independent HTTP client), see them in the table with the segments they moved,
// and see the Design screen's preview of that stored profile change: the block gated on the "vip"
// segment appears once the profile's tier becomes Summit. Stops the collector and leaves the app on
// the Design screen.
import { spawnSync } from "node:child_process";
import { check, choose, figures, press, shot, waitPreview } from "../lib.mjs";

/** POSTs `body` as JSON with the write key as Basic user; returns the status and parsed answer. */
function curl(url, key, body) {
  const r = spawnSync("curl", ["-sS", "-m", "10", "-u", `${key}:`, "-H", "Content-Type: application/json", "-d", JSON.stringify(body), "-w", "\n%{http_code}", url], { encoding: "utf8" });
  if (r.error) throw new Error(`curl could not run (install Debian's curl): ${r.error.message}`);
  const lines = r.stdout.trimEnd().split("\n");
  const status = Number(lines.pop());
  let answer = null;
  try {
    answer = JSON.parse(lines.join("\n"));
  } catch {
    answer = lines.join("\n");
  }
  return { status, answer };
}

const rowsFor = "return [...document.querySelectorAll('[data-testid=live-row]')].filter(r => r.dataset.email.toLowerCase() === arguments[0]).map(r => r.dataset.status + ' ' + r.querySelector('[data-testid=live-row-segments]').textContent.trim())";

export default async function live(s) {
  await press(s, "[data-testid=nav-live]");
  await s.waitFor("return document.querySelector('[data-testid=screen-live]') !== null", { what: "the Live data screen" });
  // Port 0: any free port, so runs on a shared machine never collide.
  await choose(s, "[data-testid=live-port]", "0");
  await press(s, "[data-testid=live-start]");
  const url = await s.waitFor("return document.querySelector('[data-testid=live-url]')?.textContent || false", { what: "the collector's URL", timeout: 30000 });
  check(/^http:\/\/127\.0\.0\.1:\d+$/.test(url), `the collector listens on loopback (${url})`);
  await press(s, "[data-testid=live-key-write]");
  const key = await s.waitFor("return document.querySelector('[data-testid=live-secret]')?.textContent || false", { what: "the new write key" });
  check(key.startsWith("tsw_"), "a write key is created on the screen and its secret shown once");
  await s.waitFor("return document.querySelectorAll('[data-testid=live-keys] [data-testid^=live-revoke-]').length > 0", { what: "the key in the list" });

  const who = `e2e-live-${Date.now()}`;
  const email = `${who}@example.com`;
  const first = curl(`${url}/v1/identify`, key, { userId: who, traits: { email, firstName: "Lin", loyalty_tier: "Member" } });
  check(first.status === 200 && first.answer.success === true, `an identify sent with curl is acknowledged (${first.status})`);
  await s.waitFor(`const r = (() => { ${rowsFor} })(); return r.length > 0`, { args: [email], what: "the identify in the table" });
  check(true, `the identify of ${email} is in the live table`);
  const bad = curl(`${url}/v1/track`, key, { userId: who, event: 42 });
  check(bad.status === 400 && String(bad.answer.message).includes("event"), `a call with a wrong type is refused naming the field (${bad.status}: ${bad.answer.message})`);
  const wrongKey = curl(`${url}/v1/track`, "tsw_not-a-key", { userId: who, event: "Product Viewed" });
  check(wrongKey.status === 401, "an unknown key is refused (401)");
  await s.waitFor("return Number(document.querySelector('[data-testid=live-rejected]').textContent) >= 1", { what: "the refused call counted", timeout: 5000 });
  check(true, "the refused call is counted on the screen");
  await shot(s, "live-screen");

  // The designer previews the seasonal sale as that stored profile: a Member sees no VIP offer.
  await press(s, "[data-testid=nav-design]");
  await choose(s, "[data-testid=email-select]", "seasonal-sale");
  await s.waitFor("return document.querySelector('[data-testid=email-select]').value === 'seasonal-sale'", { what: "seasonal-sale to open" });
  await choose(s, "[data-testid=profile-search]", who);
  await press(s, ".hits button");
  await s.waitFor("return document.querySelector('[data-testid=profile-select]')?.value.toLowerCase() === 'stored:' + arguments[0]", { args: [email], what: "preview as the new stored profile" });
  await waitPreview(s, "return document.body.textContent.includes('Winter') && !document.body.textContent.includes('Summit members only')", "the preview without the VIP offer");
  check(true, "the Member's preview has no VIP-only block");

  // From outside: an order (an event) and the tier change (a profile change).
  const order = curl(`${url}/v1/track`, key, { userId: who, event: "Order Completed", properties: { revenue: 900, currency: "EUR" } });
  check(order.status === 200, `an Order Completed sent with curl is acknowledged (${order.status})`);
  const upgraded = curl(`${url}/v1/identify`, key, { userId: who, traits: { loyalty_tier: "Summit" } });
  const sentAt = Date.now();
  check(upgraded.status === 200, `the tier change is acknowledged (${upgraded.status})`);
  await waitPreview(s, "return document.body.textContent.includes('Summit members only')", "the VIP offer after the tier change");
  const ms = Date.now() - sentAt;
  figures.liveToPreviewMs = ms;
  check(true, `the preview of ${email} shows the vip-gated block ${ms} ms after the collector's 200, with no action in the designer`);
  await shot(s, "live-preview-vip");

  // The table has every call with the segments each moved.
  await press(s, "[data-testid=nav-live]");
  const rows = await s.waitFor(`const r = (() => { ${rowsFor} })(); return r.some(x => x.includes('vip')) && r.some(x => x.includes('big-spenders')) ? r : false`, { args: [email], what: "the segment changes in the table" });
  check(rows.some((r) => r.startsWith("stored") && r.includes("entered vip")) && rows.some((r) => r.includes("entered big-spenders")),
    `the table shows the order entering big-spenders and the tier change entering vip (${JSON.stringify(rows)})`);
  const events = await s.waitFor("const n = Number(document.querySelector('[data-testid=live-events]').textContent); return n >= 1 ? n : false", { what: "the events counter" });
  check(events >= 1, `the counter shows the events stored (${events})`);
  await shot(s, "live-table");

  await press(s, "[data-testid=live-stop]");
  await s.waitFor("return document.querySelector('[data-testid=live-start]') !== null", { what: "the collector to stop", timeout: 15000 });
  const after = curl(`${url}/v1/track`, key, { userId: who, event: "Product Viewed" });
  check(after.status === 0, "after Stop nothing listens on the URL");
  console.log(`live: event to preview ${ms} ms`);
  await press(s, "[data-testid=nav-design]");
}
