// Shared helpers of the end-to-end test (ui/e2e/run.mjs and the feature steps in ui/e2e/features/):
// the WebDriver session's start, checks and screenshots, the preview frame, the CLI and the test
// SMTP server. See run.mjs for the environment it reads.
import { spawn, spawnSync } from "node:child_process";
import os from "node:os";
import fs from "node:fs";
import path from "node:path";
import { Session, sleep, WebDriverError } from "./webdriver.mjs";

export const app = process.env.TESSERA_APP;
export const out = process.env.TESSERA_E2E_OUT ?? "target/e2e";
export const base = process.env.WEBDRIVER_URL ?? "http://127.0.0.1:4444";
export const cli = process.env.TESSERA_CLI;
export const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..");
if (!app) throw new Error("set TESSERA_APP to the app binary");
if (!cli) throw new Error("set TESSERA_CLI to the tessera command-line binary");
fs.mkdirSync(out, { recursive: true });

let step = 0;
export const results = [];
export function check(ok, what) {
  results.push({ ok, what });
  console.log(`${ok ? "ok  " : "FAIL"} ${what}`);
  if (!ok) throw new Error(`check failed: ${what}`);
}

export async function shot(s, name) {
  // A screenshot taken right after a DOM change can show the previous frame: wait two frames.
  await s.executeAsync("const done = arguments[arguments.length - 1]; requestAnimationFrame(() => requestAnimationFrame(done));");
  step++;
  const file = path.join(out, `${String(step).padStart(2, "0")}-${name}.png`);
  // A screenshot is a record of the run, not a check: one the driver does not answer (seen once in
  // a CI run, WebKitWebDriver waited 5 minutes) is reported and the run goes on; a driver that
  // stays stuck fails the next command with its own timeout.
  try {
    fs.writeFileSync(file, await s.screenshot(30000));
  } catch (e) {
    if (!(e instanceof WebDriverError)) throw e;
    console.error(`note: screenshot ${name} not taken: ${e.message}`);
  }
}


export async function start() {
  const t0 = Date.now();
  const s = await Session.create(base, { "tauri:options": { application: app } });
  await s.waitFor("return document.querySelector('[data-testid=app]')?.dataset.ready === 'true'", {
    timeout: 30000,
    what: "the editor to be ready",
  });
  const wall = Date.now() - t0;
  const startupMs = await s.waitFor("return window.__tessera && window.__tessera.startupMs", { what: "start-up time" });
  return { s, wall, startupMs };
}

/** Runs `f` inside the preview frame currently shown, then returns to the window. */
export async function inPreview(s, f) {
  for (let attempt = 0; ; attempt++) {
    try {
      await s.switchToFrame(null);
      const frame = await s.find("iframe[data-front=true]");
      await s.switchToFrame(frame);
      const v = await f();
      await s.switchToFrame(null);
      return v;
    } catch (e) {
      await s.switchToFrame(null).catch(() => {});
      // The frames swap when a new version loads: look again.
      if (attempt > 20) throw e;
      await sleep(50);
    }
  }
}

/** Waits until the shown preview satisfies `script` (run inside the frame). */
export async function waitPreview(s, script, what, args = []) {
  const deadline = Date.now() + 10000;
  for (;;) {
    const v = await inPreview(s, () => s.execute(script, args));
    if (v) return v;
    if (Date.now() > deadline) {
      const seen = await inPreview(s, () => s.execute(previewOrder));
      throw new Error(`timed out waiting for the preview: ${what} (blocks shown: ${seen})`);
    }
    await sleep(50);
  }
}

export const previewOrder = "return [...document.querySelectorAll('[data-tsr-block]')].map(e => e.dataset.tsrBlock).join(',')";
export const layerOrder = "return [...document.querySelectorAll('[data-testid=layers] > li > [data-testid=layer]')].map(e => e.dataset.block).join(',')";

export async function addFromPalette(s, type) {
  const before = await s.execute("return window.__tessera.previewLoads");
  await (await s.find(`[data-testid=palette-item][data-type="${type}"]`)).click();
  await s.waitFor("return window.__tessera.previewLoads > arguments[0]", { args: [before], what: `the preview after adding ${type}` });
}

export function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** The number of profiles in the workspace's store, read with SQLite directly. */
export function storedProfiles(workspace) {
  const r = spawnSync("python3", ["-c", "import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT count(*) FROM profiles').fetchone()[0])", path.join(workspace, ".tessera/store.db")], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`counting profiles: ${r.stderr}`);
  return Number(r.stdout.trim());
}

/** Sets a select's or input's value as a user's choice does (change event). */
export async function choose(s, css, value) {
  await s.execute("const e = document.querySelector(arguments[0]); e.value = arguments[1]; e.dispatchEvent(new Event('input', { bubbles: true })); e.dispatchEvent(new Event('change', { bubbles: true }));", [css, value]);
}

/** Scrolls an element into the middle of the window, then clicks it as a user does. */
export async function press(s, css) {
  await s.find(css);
  await s.execute("document.querySelector(arguments[0]).scrollIntoView({ block: 'center' })", [css]);
  await (await s.find(css)).click();
}

/** Runs the tessera CLI on the app's workspace; returns stdout (fails the test on a failure). */
export function tessera(workspace, args) {
  const r = spawnSync(cli, ["--workspace", workspace, ...args], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`tessera ${args.join(" ")} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

/** Starts the aiosmtpd server the Rust send tests use; resolves with its port and maildir. */
export function startSmtp() {
  const maildir = fs.mkdtempSync(path.join(os.tmpdir(), "tessera-e2e-smtp-"));
  const python = process.env.TESSERA_TEST_PYTHON ?? (fs.existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3");
  const smtp = spawn(python, [path.join(repo, "tests/smtp/server.py"), "--maildir", maildir], { stdio: ["ignore", "pipe", "inherit"] });
  smtpServers.push(smtp);
  return new Promise((resolve, reject) => {
    let seen = "";
    const timer = setTimeout(() => reject(new Error(`the SMTP server did not start: ${seen}`)), 15000);
    smtp.stdout.on("data", (d) => {
      seen += d;
      const m = /READY (\d+)/.exec(seen);
      if (m) {
        clearTimeout(timer);
        resolve({ port: Number(m[1]), maildir });
      }
    });
    smtp.on("exit", (code) => reject(new Error(`the SMTP server exited (${code}): ${seen}`)));
  });
}

/** The figures printed at the end of the run (and written to figures.json). */
export const figures = {};

/** Every test SMTP server (tests/smtp/server.py) startSmtp started: steps may start their own. */
const smtpServers = [];

/** Stops every test SMTP server (at the end of the run). */
export function stopSmtp() {
  // A server left running keeps its pipe open, and node would wait for it after the summary.
  for (const smtp of smtpServers.splice(0)) smtp.kill();
}

/** The workspace folder the app has open (shown in the brand's tooltip). */
export async function appWorkspace(s) {
  return s.execute("return document.querySelector('.brand').title.replace(/^Workspace: /, '')");
}

/**
 * CPU time (user + system, ms) used so far by the app's processes: the app binary and everything it
 * started (WebKit's web and network processes), read from /proc. A cost figure that the machine's
 * other load disturbs less than wall time.
 */
export function appCpuMs() {
  const tick = 1000 / 100; // USER_HZ is 100 on Linux
  const procs = [];
  for (const d of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, "utf8");
      const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      let exe = "";
      try { exe = fs.readlinkSync(`/proc/${d}/exe`); } catch { /* gone or not ours */ }
      procs.push({ pid: Number(d), ppid: Number(rest[1]), cpu: (Number(rest[11]) + Number(rest[12])) * tick, exe });
    } catch { /* exited meanwhile */ }
  }
  const ours = new Set(procs.filter((p) => app !== undefined && p.exe === path.resolve(app)).map((p) => p.pid));
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of procs) if (!ours.has(p.pid) && ours.has(p.ppid)) { ours.add(p.pid); grew = true; }
  }
  return procs.filter((p) => ours.has(p.pid)).reduce((sum, p) => sum + p.cpu, 0);
}
