// Image assets, brand font, device visibility and dark mode in the real window (issue 18, part B):
// the demo's first screen with every image loaded, an image file chosen into a field and seen in the
// preview and, as a CID part, in a test send the real SMTP server receives, a brand font loaded by
// the preview, a mobile-only block at both widths, and a dark logo in dark mode.
//
// The step opens a fresh copy of the demo (as a new user's first screen) by starting the app with
// that folder, and reopens the run's workspace at the end.
import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Session } from "../webdriver.mjs";
import { app, appWorkspace, cli, base, check, choose, figures, press, shot, startSmtp, tessera, waitPreview, inPreview } from "../lib.mjs";

async function startWith(folder) {
  const s = await Session.create(base, { "tauri:options": { application: app, args: [folder] } });
  await s.waitFor("return document.querySelector('[data-testid=app]')?.dataset.ready === 'true'", { timeout: 30000, what: "the editor to be ready" });
  await s.waitFor("return document.querySelector('.brand')?.title === 'Workspace: ' + arguments[0]", { args: [folder], what: `the app to open ${folder}` });
  return s;
}

/** A PNG drawn with Python's zlib (not by Tessera): a 1600×800 two-colour gradient. */
function makePng(file) {
  const script = `
import struct, sys, zlib
w, h = 1600, 800
rows = b"".join(b"\\x00" + bytes(v for x in range(w) for v in (x * 255 // w, 90, 255 - y * 255 // h)) for y in range(h))
chunk = lambda k, d: struct.pack(">I", len(d)) + k + d + struct.pack(">I", zlib.crc32(k + d))
open(sys.argv[1], "wb").write(b"\\x89PNG\\r\\n\\x1a\\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(rows, 6)) + chunk(b"IEND", b""))
`;
  const r = spawnSync("python3", ["-c", script, file], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`drawing the test PNG: ${r.stderr}`);
}

/** Every image part of a received message: Content-ID, type and the SHA-256 of its bytes (Python's email package). */
function imageParts(eml) {
  const script = `
import hashlib, json, sys
from email import policy
from email.parser import BytesParser
msg = BytesParser(policy=policy.default).parsebytes(open(sys.argv[1], "rb").read())
html = ""
parts = []
for p in msg.walk():
    if p.get_content_type() == "text/html":
        html = p.get_content()
    elif p.get_content_maintype() == "image":
        data = p.get_payload(decode=True)
        parts.append({"cid": str(p.get("Content-ID", "")).strip("<>"), "type": p.get_content_type(), "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)})
json.dump({"html": html, "parts": parts}, sys.stdout)
`;
  const r = spawnSync("python3", ["-c", script, eml], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`reading the message: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

const allImagesLoaded = `
  const imgs = [...document.images];
  return imgs.length > 0 && imgs.every((i) => i.complete && i.naturalWidth > 0) ? imgs.length : false;`;

export default async function assets(s) {
  const original = await appWorkspace(s);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "tessera-e2e-assets-"));
  const fresh = path.join(tmp, "northwind");
  const made = spawnSync(cli, ["init", fresh], { encoding: "utf8" });
  if (made.status !== 0) throw new Error(`tessera init: ${made.stderr}`);
  await s.quit();
  s = await startWith(fresh);

  // 1. A new user's first screen: the welcome email, every image loaded from the demo's own files.
  check((await s.execute("return document.querySelector('[data-testid=email-select]').value")) === "welcome", "a fresh demo opens on the welcome email");
  const loaded = await waitPreview(s, allImagesLoaded, "every image of the first screen loaded");
  const broken = await inPreview(s, () => s.execute("return [...document.images].filter((i) => !(i.complete && i.naturalWidth > 0)).map((i) => i.getAttribute('src'))"));
  const sources = await inPreview(s, () => s.execute("return [...document.images].map((i) => i.getAttribute('src'))"));
  check(broken.length === 0 && loaded >= 9, `the first screen has no broken image (${loaded} images loaded, ${broken.length} broken)`);
  check(sources.every((src) => src.startsWith("tessera-asset://localhost/")), "every image of the first screen comes from the workspace's assets, offline");
  await shot(s, "assets-first-screen");

  // Every demo email, as every sample profile: each <img> of the preview loads from the workspace's
  // own files (product pictures in carts and recommendations included), none is broken.
  const emails = await s.execute("return [...document.querySelectorAll('[data-testid=email-select] option')].map(o => o.value).filter(Boolean)");
  const samples = await s.execute("return [...document.querySelectorAll('[data-testid=profile-select] option')].map(o => o.value).filter(v => v.startsWith('sample:'))");
  const shownProfile = await s.execute("return document.querySelector('[data-testid=profile-select]').value");
  check(["abandoned-cart", "seasonal-sale", "welcome"].every((e) => emails.includes(e)) && samples.length >= 4, `the demo's emails and sample profiles are listed (${emails.join(", ")}; ${samples.length} samples)`);
  const brokenSeen = [];
  let imagesSeen = 0;
  let refused = 0;
  const current = await s.execute("return document.querySelector('[data-testid=email-select]').value");
  for (const email of emails.filter((e) => e !== current).concat([current])) {
    // The first sample with the email before, then this email: each step loads a new preview.
    const [was, loaded0] = await s.execute("return [document.querySelector('[data-testid=profile-select]').value, window.__tessera.previewLoads]");
    await choose(s, "[data-testid=profile-select]", samples[0]);
    if (was !== samples[0]) await s.waitFor("return window.__tessera.previewLoads > arguments[0]", { args: [loaded0], what: "the preview as the first sample", timeout: 30000 });
    for (const [i, sample] of samples.entries()) {
      const loads = await s.execute("return window.__tessera.previewLoads");
      if (i === 0) await choose(s, "[data-testid=email-select]", email);
      else await choose(s, "[data-testid=profile-select]", sample);
      await s.waitFor("return window.__tessera.previewLoads > arguments[0] && document.querySelector('[data-testid=email-select]').value === arguments[1]", { args: [loads, email], what: `the preview of ${email} as ${sample}`, timeout: 30000 });
      const shown = await waitPreview(s, "const imgs = [...document.images]; return imgs.every((i) => i.complete) ? imgs.map((i) => [i.getAttribute('src'), i.naturalWidth > 0]) : false", `every image of ${email} as ${sample} settled`);
      imagesSeen += shown.length;
      for (const [src, ok] of shown) {
        // The hostile sample's image URLs (javascript:, data:, ...) are refused by the engine,
        // which writes "#" instead: inert by design, counted apart.
        if (sample === "sample:eve-hostile" && src === "#") refused++;
        else if (!ok || !src.startsWith("tessera-asset://localhost/")) brokenSeen.push(`${email} as ${sample}: ${src}`);
      }
    }
  }
  check(brokenSeen.length === 0 && imagesSeen > 0, `every image of every demo email, as every sample profile, loads from the workspace's own files (${imagesSeen} images, ${refused} hostile URLs refused as "#"; ${brokenSeen.slice(0, 5).join("; ") || "none broken"})`);
  await choose(s, "[data-testid=profile-select]", shownProfile);
  await choose(s, "[data-testid=email-select]", "welcome");
  await s.waitFor("return document.querySelector('[data-testid=email-select]').value === 'welcome'", { what: "the welcome email again" });

  // 2. Choose an image file for the hero: checked, scaled to twice the display width, in the preview.
  const png = path.join(tmp, "Sunrise Gradient.png");
  makePng(png);
  await press(s, "[data-testid=layer][data-block=hero]");
  await s.waitFor("return document.querySelector('[data-testid=inspector]')?.dataset.block === 'hero'", { what: "the hero in the inspector" });
  await (await s.find("[data-testid=field-image-file]")).type(png);
  const assetPath = await s.waitFor("const v = document.querySelector('[data-testid=field-image]').value; return v.startsWith('assets/sunrise-gradient-') ? v : false", { what: "the chosen file in the image field", timeout: 20000 });
  const name = assetPath.slice("assets/".length);
  const stored = fs.readFileSync(path.join(fresh, "assets", name));
  check(stored.readUInt32BE(16) === 1200 && stored.readUInt32BE(20) === 600, `the 1600 px file was scaled to twice the hero's 600 px (${stored.readUInt32BE(16)}×${stored.readUInt32BE(20)})`);
  check(name.includes(crypto.createHash("sha256").update(stored).digest("hex").slice(0, 12)), "the asset is named by the SHA-256 of its content");
  const heroWidth = await waitPreview(s, `const i = [...document.images].find((x) => x.getAttribute('src') === 'tessera-asset://localhost/' + arguments[0]); return i && i.complete && i.naturalWidth > 0 ? i.naturalWidth : false;`, "the chosen image in the preview", [name]);
  check(heroWidth === 1200, `the preview shows the chosen image through the asset protocol (${heroWidth} px)`);
  const library = await s.waitFor("return [...document.querySelectorAll('[data-testid=asset-item]')].find((e) => e.dataset.name === arguments[0])?.querySelector('[data-testid=asset-used]')?.textContent.includes('welcome') || false", { args: [name], what: "the library to say where the asset is used", timeout: 15000 });
  check(library === true, "the asset library lists the new asset as used by welcome");
  await shot(s, "assets-chosen-image");

  // 3. A test send to the real SMTP server embeds it as a CID part.
  await s.waitFor("return document.querySelector('[data-testid=save-status]')?.textContent.trim() === 'Saved'", { what: "the autosave", timeout: 15000 });
  const server = await startSmtp();
  await press(s, "[data-testid=nav-send]");
  await (await s.find("[data-testid=send-to]")).type("assets@example.com");
  await choose(s, "[data-testid=send-route]", "url");
  await choose(s, "[data-testid=send-url]", `smtp://127.0.0.1:${server.port}`);
  await press(s, "[data-testid=send-run]");
  await s.waitFor("return document.querySelectorAll('[data-testid=send-row]').length > 0", { what: "the send results", timeout: 30000 });
  const received = fs.readdirSync(server.maildir).filter((f) => f.endsWith(".eml"));
  check(received.length === 1, `the SMTP server received the test (${received.length})`);
  const message = imageParts(path.join(server.maildir, received[0]));
  const hash = crypto.createHash("sha256").update(stored).digest("hex");
  const part = message.parts.find((p) => p.sha256 === hash);
  check(part !== undefined && part.type === "image/png" && message.html.includes(`cid:${part.cid}`), "the chosen image arrived as an inline CID part the HTML refers to");
  check(message.parts.length >= 9 && !message.html.includes('src="assets/'), `every local image of the email is embedded (${message.parts.length} parts)`);
  await press(s, "[data-testid=nav-design]");

  // 4. A brand font: a font file chosen into the email settings, loaded by the preview.
  const fontFile = "/usr/share/fonts/truetype/dejavu/DejaVuSans-ExtraLight.ttf";
  check(fs.existsSync(fontFile), "the test font (Debian's fonts-dejavu-core) is installed");
  await press(s, "[data-testid=tab-email]");
  await choose(s, "[data-testid=setting-web_font_name]", "Northwind Brand");
  await (await s.find("[data-testid=setting-web_font_url-file]")).type(fontFile);
  await s.waitFor("return document.querySelector('[data-testid=setting-web_font_url]').value.startsWith('assets/dejavusans-extralight-')", { what: "the font asset in the settings", timeout: 20000 });
  const font = await waitPreview(s, `
    const faces = [...document.fonts].filter((f) => f.family.replace(/["']/g, '') === 'Northwind Brand');
    faces.forEach((f) => f.load().catch(() => {}));
    const p = document.querySelector('.t-b-intro, [data-tsr-block=intro] p') || document.querySelector('p');
    return faces.some((f) => f.status === 'loaded') && getComputedStyle(p).fontFamily.startsWith('"Northwind Brand"') ? getComputedStyle(p).fontFamily : false;`, "the brand font loaded and used");
  check(true, `the preview loads the brand font through the asset protocol and uses it first (${font})`);
  const head = await inPreview(s, () => s.execute("return document.head.innerHTML"));
  check(head.includes("mso-font-alt") && head.includes("<!--[if mso]>"), "the head carries the Outlook fallback for the brand font");
  await shot(s, "assets-brand-font");

  // 5. A block shown on mobile only: hidden at 600 px, shown at 375 px.
  await press(s, "[data-testid=tab-block]");
  await press(s, "[data-testid=layer][data-block=intro]");
  await s.waitFor("return document.querySelector('[data-testid=inspector]')?.dataset.block === 'intro'", { what: "the text block in the inspector" });
  await choose(s, "[data-testid=block-device]", "mobile");
  await press(s, "[data-testid=width-desktop]");
  await waitPreview(s, "const w = document.querySelector('.t-b-intro'); return w !== null && getComputedStyle(w).display === 'none' && w.offsetHeight === 0;", "the mobile-only block hidden at 600 px");
  check(true, "at 600 px the mobile-only block is hidden");
  await shot(s, "assets-mobile-only-600");
  await press(s, "[data-testid=width-mobile]");
  const shownHeight = await waitPreview(s, "const w = document.querySelector('.t-b-intro'); return w !== null && getComputedStyle(w).display === 'block' && w.offsetHeight > 0 ? w.offsetHeight : false;", "the mobile-only block shown at 375 px");
  check(shownHeight > 40, `at 375 px the mobile-only block shows (${shownHeight} px high)`);
  await shot(s, "assets-mobile-only-375");
  await press(s, "[data-testid=width-desktop]");

  // 6. A dark logo: set on the header, shown only in dark mode.
  await press(s, "[data-testid=layer][data-block=header]");
  await s.waitFor("return document.querySelector('[data-testid=inspector]')?.dataset.block === 'header'", { what: "the header in the inspector" });
  await choose(s, "[data-testid=dark-image]", "");
  await waitPreview(s, "return document.querySelector('.t-dark-img') === null", "the header without a dark logo");
  const darkLogo = fs.readdirSync(path.join(fresh, "assets")).find((f) => f.startsWith("northwind-logo-dark-"));
  await choose(s, "[data-testid=dark-image-asset]", `assets/${darkLogo}`);
  const lightShows = await waitPreview(s, "const d = document.querySelector('.t-b-header .t-dark-img'); const l = document.querySelector('.t-b-header .t-light-img'); return d !== null && getComputedStyle(d).display === 'none' && getComputedStyle(l).display === 'block';", "the light logo in light mode");
  check(lightShows === true, "in light mode the header shows the light logo");
  await press(s, "[data-testid=dark-toggle]");
  const darkSrc = await waitPreview(s, "const d = document.querySelector('.t-b-header .t-dark-img'); const l = document.querySelector('.t-b-header .t-light-img'); const i = d && d.querySelector('img'); return d !== null && getComputedStyle(d).display === 'block' && getComputedStyle(l).display === 'none' && i.complete && i.naturalWidth > 0 ? i.getAttribute('src') : false;", "the dark logo in dark mode");
  check(darkSrc.endsWith(darkLogo), `in dark mode the header shows the dark logo (${darkSrc})`);
  await shot(s, "assets-dark-logo");
  await press(s, "[data-testid=dark-toggle]");

  // The CLI agrees: the email is valid and every asset checks out.
  const checked = tessera(fresh, ["assets", "check"]);
  check(/0 error\(s\)/.test(checked), `tessera assets check finds no error (${checked.trim().split("\n").pop()})`);
  figures.assetsFirstScreenImages = loaded;

  await s.quit();
  return startWith(original);
}
