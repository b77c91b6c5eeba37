// The app frame's and the Design screen's state (lib/app.ts, lib/designer.ts), the profile picker
// and the new-email dialog, driven through a fake of the IPC api (no Tauri, no DOM).
import { describe, expect, it } from "vitest";
import type { BlockTypeInfo } from "../bindings/BlockTypeInfo";
import type { Document } from "../bindings/Document";
import type { Preview } from "../bindings/Preview";
import type { PreviewAs } from "../bindings/PreviewAs";
import type { PreviewRequest } from "../bindings/PreviewRequest";
import type { ProfileHit } from "../bindings/ProfileHit";
import type { QaReport } from "../bindings/QaReport";
import type { Settings } from "../bindings/Settings";
import type { WorkspaceSummary } from "../bindings/WorkspaceSummary";
import type { Activity } from "../bindings/Activity";
import type { KeyKind } from "../bindings/KeyKind";
import type { LiveStatus } from "../bindings/LiveStatus";
import { App, type AppApi } from "./app";
import { curlExample, describe as describeRow, parsePort, TABLE_ROWS } from "./live";
import { Designer } from "./designer";
import { TesseraError } from "./ipc";
import { emailNameFor, NewEmailDialog } from "./newEmail";
import { defaultProfile, parseProfileKey, ProfilePicker, profileKey } from "./profilePicker";

function type(id: string, slots: string[] = []): BlockTypeInfo {
  return { id, origin: "built_in", schema: { name: id, description: "", category: "content", fields: [], requires: [], slots } };
}
const hero = type("hero");
const columns = type("columns", ["left", "right"]);

function doc(name: string, blocks: string[] = []): Document {
  return { schema_version: 1, name, subject: `About ${name}`, preheader: "", blocks: blocks.map((id) => ({ id, type: id.replace(/-\d+$/, ""), fields: {} })) };
}

/** A QA report with one Outlook finding in the document's first block. */
function qaReportFor(request: PreviewRequest): QaReport {
  const block = request.document.blocks[0]?.id;
  return {
    clients: ["gmail.desktop-webmail", "outlook.windows"],
    families: [],
    findings: [{ rule: "support:css-display-flex", category: "support", level: "error", message: `flex in ${request.document.subject}`, block, field: "style", line: 3, subject: "display: flex", clients: ["outlook.windows"], fails: true }],
    data_date: "2026-01-01",
    fails: true,
    urls: [],
  };
}

function summary(over: Partial<WorkspaceSummary> = {}): WorkspaceSummary {
  return {
    name: "Demo",
    root: "/tmp/demo",
    is_demo_copy: true,
    emails: ["welcome", "winter"],
    blocks: [hero, columns],
    dictionary: [],
    samples: [
      { name: "ada", label: "Ada" },
      { name: "bob", label: "Bob" },
    ],
    has_store: false,
    brand: {} as Settings,
    default_email: "welcome",
    ...over,
  };
}

/** Lets pending promises (renders, saves) run. */
const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

/** A fake of the IPC api: answers from memory and records what was asked. */
class FakeApi implements AppApi {
  saved: { name: string; doc: Document }[] = [];
  renders: PreviewRequest[] = [];
  searches: string[] = [];
  closed = 0;
  failSave = false;
  html: string | undefined = "<html><head></head><body>email</body></html>";
  files = new Map<string, Document>([
    ["welcome", doc("welcome", ["hero-1"])],
    ["winter", doc("winter")],
  ]);
  workspace = summary();
  chosen: WorkspaceSummary | null = null;

  saveEmail = async (name: string, document: Document) => {
    if (this.failSave) throw new TesseraError({ code: "read_only", message: "cannot write" });
    this.saved.push({ name, doc: document });
    this.files.set(name, document);
    return { path: `emails/${name}.email.json`, bytes: 1 };
  };
  renderPreview = async (request: PreviewRequest): Promise<Preview> => {
    this.renders.push(request);
    return { subject: request.document.subject, preheader: "", html: this.html, text: "", problems: [], engine_ms: 3 };
  };
  qaRuns: PreviewRequest[] = [];
  /** How the fake QA answers (tests hold answers back to finish them out of order). */
  qaAnswer: (request: PreviewRequest) => Promise<QaReport | null> = async (request) => qaReportFor(request);
  qaPreview = (request: PreviewRequest): Promise<QaReport | null> => {
    this.qaRuns.push(request);
    return this.qaAnswer(request);
  };
  startupMs = async () => 1234;
  workspaceSummary = async () => this.workspace;
  chooseWorkspace = async () => this.chosen;
  loadEmail = async (name: string) => {
    const document = this.files.get(name);
    if (document === undefined) throw new TesseraError({ code: "email_not_found", message: `emails/${name}.email.json` });
    return { name, document };
  };
  createEmail = async (name: string, title: string) => {
    const document = doc(title);
    this.files.set(name, document);
    return { name, document };
  };
  searchProfiles = async (query: string): Promise<ProfileHit[]> => {
    this.searches.push(query);
    return [{ email: `${query}@example.com`, name: query }];
  };
  finishClose = async () => {
    this.closed++;
    return null;
  };
  live: LiveStatus = { url: null, workspace: null, counters: { events: 0, overloaded: 0, rejected: 0, failures: 0 }, keys: [] };
  liveStatus = async () => this.live;
  liveStart = async (port: number) => {
    this.live = { ...this.live, url: `http://127.0.0.1:${port === 0 ? 40123 : port}`, workspace: "/ws" };
    return this.live;
  };
  liveStop = async () => {
    this.live = { ...this.live, url: null, workspace: null };
    return this.live;
  };
  liveCreateKey = async (kind: KeyKind) => {
    const id = this.live.keys.length + 1;
    this.live = { ...this.live, keys: [...this.live.keys, { id, kind, prefix: "tsw_abc", created_at: 1, revoked_at: null }] };
    return { id, kind, secret: "tsw_secret" };
  };
  liveRevokeKey = async (id: number) => {
    this.live = { ...this.live, keys: this.live.keys.map((k) => (k.id === id ? { ...k, revoked_at: 2 } : k)) };
    return this.live;
  };
}

/** A call the live collector stored for a profile. */
function activity(email: string | null, patch: Partial<Activity> = {}): Activity {
  return { profile_id: email === null ? null : 7, email, who: "user-7", call: "track", events: ["purchase"], status: "stored", reason: null, at: 1, segments: ["+big-spenders"], ...patch };
}

describe("new email dialog", () => {
  it("makes a file name Rust accepts from what was typed", () => {
    expect(emailNameFor("Spring Launch!")).toBe("spring-launch");
    expect(emailNameFor("  E2E   Launch ")).toBe("e2e-launch");
    expect(emailNameFor("2026 sale")).toBe("email-2026-sale");
    expect(emailNameFor("Été")).toBe("t");
    expect(emailNameFor("x".repeat(80))).toHaveLength(60);
  });

  it("opens, closes, and asks for nothing until a name is typed", () => {
    const dialog = new NewEmailDialog();
    const seen: boolean[] = [];
    dialog.subscribe((s) => seen.push(s.open));
    dialog.toggle();
    expect(dialog.value.open).toBe(true);
    expect(dialog.request()).toBeNull();
    dialog.setTitle("  Spring launch ");
    expect(dialog.request()).toEqual({ name: "spring-launch", title: "Spring launch" });
    dialog.done();
    expect(dialog.value).toEqual({ open: false, title: "" });
    expect(seen).toEqual([false, true, true, false]);
  });
});

describe("profile picker", () => {
  it("turns profiles into select values and back", () => {
    const all: PreviewAs[] = [{ kind: "sample", id: "ada" }, { kind: "stored", id: "a:b@example.com" }, { kind: "empty" }];
    for (const p of all) expect(parseProfileKey(profileKey(p))).toEqual(p);
    expect(parseProfileKey("nonsense")).toEqual({ kind: "empty" });
    expect(defaultProfile([])).toEqual({ kind: "empty" });
    expect(defaultProfile([{ name: "ada", label: "Ada" }])).toEqual({ kind: "sample", id: "ada" });
  });

  it("renders as the chosen profile, but not when a workspace resets it", () => {
    const chosen: PreviewAs[] = [];
    const picker = new ProfilePicker(async () => [], (p) => chosen.push(p), () => undefined);
    picker.reset([{ name: "ada", label: "Ada" }]);
    expect(picker.value.key).toBe("sample:ada");
    expect(chosen).toEqual([]);
    picker.choose("empty:");
    picker.chooseStored("bo@example.com");
    expect(chosen).toEqual([{ kind: "empty" }, { kind: "stored", id: "bo@example.com" }]);
    expect(picker.value.key).toBe("stored:bo@example.com");
  });

  it("keeps only the newest search's hits, and a pick closes them", async () => {
    const answers: Record<string, (hits: ProfileHit[]) => void> = {};
    const picker = new ProfilePicker(
      (q) => new Promise((resolve) => (answers[q] = resolve)),
      () => undefined,
      () => undefined,
    );
    const first = picker.find("a");
    const second = picker.find("ad");
    answers["ad"]?.([{ email: "ada@example.com", name: "Ada" }]);
    await second;
    answers["a"]?.([{ email: "al@example.com", name: "Al" }]);
    await first;
    expect(picker.value.hits.map((h) => h.email)).toEqual(["ada@example.com"]);
    expect(picker.showHits).toBe(true);
    picker.pick({ email: "ada@example.com", name: "Ada" });
    expect(picker.value.query).toBe("");
    expect(picker.showHits).toBe(false);
    expect(picker.profile).toEqual({ kind: "stored", id: "ada@example.com" });
  });

  it("reports a failed search", async () => {
    const failures: unknown[] = [];
    const picker = new ProfilePicker(async () => Promise.reject(new Error("no store")), () => undefined, (e) => failures.push(e));
    await picker.find("x");
    expect(failures).toHaveLength(1);
  });
});

describe("design screen state", () => {
  function designer(api = new FakeApi(), profile: PreviewAs = { kind: "sample", id: "ada" }) {
    const failures: unknown[] = [];
    const ds = new Designer(api, () => profile, (e) => failures.push(e), 5);
    ds.types = [hero, columns];
    return { ds, api, failures };
  }

  it("loads without saving, renders as the profile, and shows the answer", async () => {
    const { ds, api } = designer();
    ds.load("welcome", doc("welcome", ["hero-1"]));
    await settle();
    expect(api.renders).toHaveLength(1);
    expect(api.renders[0]?.profile).toEqual({ kind: "sample", id: "ada" });
    expect(api.renders[0]?.email).toBe("welcome");
    expect(ds.value.view.html).toContain("email");
    expect(ds.value.preview?.subject).toBe("About welcome");
    await ds.flush();
    expect(api.saved).toEqual([]);
    expect(ds.value.canUndo).toBe(false);
  });

  it("saves an edit a moment later and renders it", async () => {
    const { ds, api } = designer();
    ds.load("welcome", doc("welcome"));
    ds.setText("subject", "Hello", 10);
    expect(ds.value.saveStatus).toBe("pending");
    await new Promise((r) => setTimeout(r, 20));
    expect(api.saved.map((s) => s.doc.subject)).toEqual(["Hello"]);
    expect(ds.value.saveStatus).toBe("saved");
    expect(api.renders.at(-1)?.document.subject).toBe("Hello");
    expect(ds.value.canUndo).toBe(true);
  });

  it("opens the block inspector when a block is selected, and adds blocks into the chosen column", () => {
    const { ds } = designer();
    ds.load("welcome", doc("welcome"));
    expect(ds.value.tab).toBe("email");
    ds.addBlock(columns);
    expect(ds.value.selected).toBe("columns-1");
    expect(ds.value.tab).toBe("block");
    ds.setTab("email");
    ds.layerActions.target("columns-1", "left");
    ds.addById("hero");
    const slots = ds.value.doc.blocks[0]?.slots;
    expect(slots?.["left"]?.map((b) => b.id)).toEqual(["hero-1"]);
    expect(ds.value.tab).toBe("block");
    ds.addById("no-such-type");
    expect(ds.value.doc.blocks).toHaveLength(1);
    ds.load("winter", doc("winter"));
    expect(ds.value.target).toBeNull();
    expect(ds.value.tab).toBe("email");
  });

  it("duplicates, removes, and sets fallbacks", () => {
    const { ds } = designer();
    ds.load("welcome", doc("welcome", ["hero-1"]));
    ds.duplicate("hero-1");
    expect(ds.value.doc.blocks.map((b) => b.id)).toEqual(["hero-1", "hero-2"]);
    expect(ds.value.selected).toBe("hero-2");
    ds.setFallback("hero-1", "hero");
    const fb = ds.value.doc.blocks[0]?.fallback;
    expect(typeof fb === "object" && fb.type).toBe("hero");
    ds.setFallback("hero-1", "hide");
    expect(ds.value.doc.blocks[0]?.fallback).toBeUndefined();
    ds.remove("hero-2");
    expect(ds.value.doc.blocks.map((b) => b.id)).toEqual(["hero-1"]);
  });

  it("handles the keys: undo, redo, Delete outside fields, Escape", () => {
    const { ds } = designer();
    ds.load("welcome", doc("welcome", ["hero-1"]));
    const press = (key: string, mods: Partial<{ ctrlKey: boolean; shiftKey: boolean }> = {}, inField = false) =>
      ds.key({ key, ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, ...mods }, inField);
    ds.select("hero-1");
    expect(press("Delete", {}, true)).toBe(false);
    expect(ds.value.doc.blocks).toHaveLength(1);
    expect(press("Delete")).toBe(true);
    expect(ds.value.doc.blocks).toHaveLength(0);
    expect(press("z", { ctrlKey: true })).toBe(true);
    expect(ds.value.doc.blocks).toHaveLength(1);
    expect(press("z", { ctrlKey: true, shiftKey: true })).toBe(true);
    expect(ds.value.doc.blocks).toHaveLength(0);
    press("z", { ctrlKey: true });
    ds.select("hero-1");
    expect(press("Escape", {}, true)).toBe(false);
    expect(ds.value.selected).toBe("hero-1");
    press("Escape");
    expect(ds.value.selected).toBeNull();
  });

  it("measures edit-to-preview latency and start-up, and is ready after the first preview", async () => {
    const { ds } = designer();
    let clock = 100;
    ds.now = () => clock;
    ds.load("welcome", doc("welcome"));
    expect(ds.value.ready).toBe(false);
    ds.previewLoaded(7);
    expect(ds.value.ready).toBe(true);
    ds.setText("subject", "Hi", 100);
    clock = 140;
    ds.previewLoaded(9);
    expect(ds.metrics.latencies).toEqual([40]);
    expect(ds.metrics.frameLoadMs).toEqual([7, 9]);
    await settle();
    expect(ds.metrics.startupMs).toBe(1234);
    expect(ds.metrics.engineMs.length).toBeGreaterThan(0);
  });

  it("keeps the last preview when a render has no HTML, and switches dark mode and width", async () => {
    const { ds, api } = designer();
    ds.load("welcome", doc("welcome"));
    await settle();
    const before = ds.value.view;
    api.html = undefined;
    ds.setText("subject", "Broken");
    await settle();
    expect(ds.value.view).toBe(before);
    expect(ds.value.preview?.subject).toBe("Broken");
    ds.toggleDark();
    expect(ds.value.view).toEqual({ ...before, dark: true });
    ds.setWidth(375);
    expect(ds.value.width).toBe(375);
  });

  it("updates the preview's selection without rendering again", async () => {
    const { ds, api } = designer();
    ds.load("welcome", doc("welcome", ["hero-1"]));
    await settle();
    const n = api.renders.length;
    ds.select("hero-1");
    expect(ds.value.view.selected).toBe("hero-1");
    await settle();
    expect(api.renders.length).toBe(n);
  });
});

describe("design screen QA", () => {
  const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
  function designer(api = new FakeApi()) {
    const failures: unknown[] = [];
    const ds = new Designer(api, () => ({ kind: "sample", id: "ada" }), (e) => failures.push(e), 5, 5);
    ds.types = [hero, columns];
    return { ds, api, failures };
  }

  it("runs only after the preview is showing, as the preview's recipient", async () => {
    const { ds, api } = designer();
    ds.load("welcome", doc("welcome", ["hero-1"]));
    await wait(20);
    expect(api.renders).toHaveLength(1);
    expect(api.qaRuns).toHaveLength(0); // rendered, not shown yet
    ds.previewLoaded(3);
    expect(api.qaRuns).toHaveLength(0); // waits a moment, so a quick next keystroke cancels it
    await wait(20);
    expect(api.qaRuns).toHaveLength(1);
    expect(api.qaRuns[0]?.profile).toEqual({ kind: "sample", id: "ada" });
    expect(ds.value.qa.report?.findings[0]?.message).toBe("flex in About welcome");
    expect(ds.value.qa.checking).toBe(false);
    // A selection change loads the frame again but checks nothing new.
    ds.select("hero-1");
    ds.previewLoaded(2);
    await wait(20);
    expect(api.qaRuns).toHaveLength(1);
  });

  it("drops a stale run: an edit before it starts cancels it, one finishing late is discarded", async () => {
    const { ds, api } = designer();
    const held: { request: PreviewRequest; answer: (r: QaReport) => void }[] = [];
    api.qaAnswer = (request) => new Promise((answer) => held.push({ request, answer }));
    ds.load("welcome", doc("welcome", ["hero-1"]));
    await wait(10);
    ds.previewLoaded(1);
    ds.setText("subject", "Second", 1); // before the first QA started
    await wait(20);
    expect(api.qaRuns).toHaveLength(0);
    ds.previewLoaded(1);
    await wait(20);
    expect(api.qaRuns.map((r) => r.document.subject)).toEqual(["Second"]);
    ds.setText("subject", "Third", 2); // while the second runs
    expect(ds.value.qa.checking).toBe(true);
    await wait(10);
    ds.previewLoaded(1);
    await wait(20);
    expect(api.qaRuns.map((r) => r.document.subject)).toEqual(["Second", "Third"]);
    held[1]?.answer(qaReportFor(held[1].request));
    await settle();
    held[0]?.answer(qaReportFor(held[0].request)); // the older one finishes last
    await settle();
    expect(ds.value.qa.report?.findings[0]?.message).toBe("flex in Third");
    expect(ds.value.qa.checking).toBe(false);
  });

  it("clears the QA when the document cannot render", async () => {
    const { ds, api } = designer();
    ds.load("welcome", doc("welcome", ["hero-1"]));
    await wait(10);
    ds.previewLoaded(1);
    await wait(20);
    expect(ds.value.qa.report).not.toBeNull();
    api.html = undefined;
    ds.setText("subject", "Broken");
    await wait(20);
    expect(ds.value.qa).toEqual({ report: null, checking: false });
  });

  it("a picked finding selects its block, points at its field, outlines it, and an edit forgets it", async () => {
    const { ds } = designer();
    ds.load("welcome", doc("welcome", ["hero-1"]));
    await wait(10);
    ds.previewLoaded(1);
    await wait(20);
    const f = ds.value.qa.report?.findings[0];
    expect(f).toBeDefined();
    if (f === undefined) return;
    ds.focusFinding(f);
    expect(ds.value.selected).toBe("hero-1");
    expect(ds.value.tab).toBe("block");
    expect(ds.value.focus).toEqual({ finding: f, block: "hero-1", field: "style" });
    expect(ds.value.view.selected).toBe("hero-1");
    expect(ds.value.view.outline.join()).toContain('[style*="display:flex" i]');
    ds.setText("subject", "Edited");
    expect(ds.value.focus).toBeNull();
    await wait(10);
    expect(ds.value.view.outline).toEqual([]);
    // A finding about a block the document no longer has selects nothing.
    ds.focusFinding({ ...f, block: "gone-1" });
    expect(ds.value.focus).toBeNull();
  });
});

describe("app frame state", () => {
  async function started(api = new FakeApi()) {
    const app = new App(api);
    await app.start();
    await settle();
    return { app, api };
  }

  it("starts on the workspace's default email as its first sample", async () => {
    const { app, api } = await started();
    expect(app.value.summary?.name).toBe("Demo");
    expect(app.designer.value.emailName).toBe("welcome");
    expect(app.picker.value.key).toBe("sample:ada");
    expect(api.renders.at(-1)?.profile).toEqual({ kind: "sample", id: "ada" });
  });

  it("renders the preview again when the live collector changes the stored profile it shows", async () => {
    const { app, api } = await started();
    app.picker.chooseStored("Grace.Hopper@example.com");
    await settle();
    const before = api.renders.length;
    // Another person's event, a refused call and a pending one change nothing on screen.
    app.liveActivity([activity("ada@example.com"), activity("grace.hopper@example.com", { status: "rejected" }), activity(null, { status: "pending" })]);
    await settle();
    expect(api.renders.length).toBe(before);
    app.liveActivity([activity("grace.hopper@example.com")]);
    await settle();
    expect(api.renders.length).toBe(before + 1);
    expect(api.renders.at(-1)?.profile).toEqual({ kind: "stored", id: "Grace.Hopper@example.com" });
    // A sample profile is not stored data: live events never re-render it.
    app.picker.chooseStored("x@example.com");
    app.picker.choose("sample:ada");
    await settle();
    const sample = api.renders.length;
    app.liveActivity([activity("ada@example.com")]);
    await settle();
    expect(api.renders.length).toBe(sample);
    // Every call is in the Live data table, newest first.
    expect(app.live.value.rows.map((r) => r.email)).toEqual(["ada@example.com", "grace.hopper@example.com", null, "grace.hopper@example.com", "ada@example.com"]);
    expect(app.live.value.received).toBe(5);
  });

  it("starts and stops the collector, creates and revokes keys, keeps the newest rows", async () => {
    const { app, api } = await started();
    const live = app.live;
    live.setPort("99999");
    await live.start();
    expect(app.value.problem?.message).toContain("not a port");
    live.setPort("0");
    await live.start();
    expect(live.value.status?.url).toBe("http://127.0.0.1:40123");
    expect(live.running).toBe(true);
    await live.createKey("write");
    expect(live.value.newKey).toEqual({ kind: "write", secret: "tsw_secret" });
    expect(live.value.status?.keys).toHaveLength(1);
    await live.revoke(1);
    expect(live.value.status?.keys[0]?.revoked_at).toBe(2);
    await live.stop();
    expect(live.running).toBe(false);
    expect(api.live.url).toBeNull();
    live.arrived(Array.from({ length: TABLE_ROWS + 50 }, (_, i) => activity(`p${i}@example.com`)));
    expect(live.value.rows).toHaveLength(TABLE_ROWS);
    expect(live.value.rows[0]?.email).toBe(`p${TABLE_ROWS + 49}@example.com`);
    expect(live.value.received).toBe(TABLE_ROWS + 50);
    expect(parsePort(" 8787 ")).toBe(8787);
    expect(parsePort("-1")).toBeNull();
    expect(describeRow(activity("a@example.com", { events: ["purchase", "purchase"] }))).toBe("track: purchase, purchase");
    expect(curlExample("http://127.0.0.1:1", "tsw_x")).toContain("-u 'tsw_x:'");
  });

  it("opens an empty document when the workspace has no email", async () => {
    const api = new FakeApi();
    api.workspace = summary({ emails: [], default_email: undefined, samples: [] });
    const { app } = await started(api);
    expect(app.designer.value.emailName).toBeNull();
    expect(app.designer.value.doc.blocks).toEqual([]);
    expect(app.picker.profile).toEqual({ kind: "empty" });
  });

  it("saves pending edits before opening another email or switching screens", async () => {
    const { app, api } = await started();
    app.designer.setText("subject", "Edited");
    await app.openEmail("winter");
    expect(api.saved.map((s) => [s.name, s.doc.subject])).toEqual([["welcome", "Edited"]]);
    expect(app.designer.value.emailName).toBe("winter");
    app.designer.setText("subject", "Cold");
    await app.go("export");
    expect(app.value.screen).toBe("export");
    expect(api.saved.at(-1)?.doc.subject).toBe("Cold");
  });

  it("creates an email from the dialog, lists it in order and opens it", async () => {
    const { app } = await started();
    await app.createEmail();
    expect(app.value.summary?.emails).toEqual(["welcome", "winter"]);
    app.newEmail.toggle();
    app.newEmail.setTitle("Autumn Sale");
    await app.createEmail();
    expect(app.value.summary?.emails).toEqual(["autumn-sale", "welcome", "winter"]);
    expect(app.designer.value.emailName).toBe("autumn-sale");
    expect(app.newEmail.value).toEqual({ open: false, title: "" });
  });

  it("shows a failure with its headline and lets it be dismissed", async () => {
    const { app } = await started();
    await app.openEmail("missing");
    expect(app.value.problem?.headline).not.toBe("");
    expect(app.value.problem?.message).toContain("missing");
    expect(app.designer.value.emailName).toBe("welcome");
    app.dismissProblem();
    expect(app.value.problem).toBeNull();
  });

  it("still switches screens when the save fails, and says so", async () => {
    const { app, api } = await started();
    api.failSave = true;
    app.designer.setText("subject", "Lost?");
    await app.go("history");
    expect(app.value.screen).toBe("history");
    expect(app.value.problem?.headline).toBe("This workspace cannot be saved to");
  });

  it("comes back to the designer from other screens", async () => {
    const { app, api } = await started();
    await app.go("profiles");
    app.previewAsStored("ada@example.com");
    expect(app.value.screen).toBe("design");
    await settle();
    expect(api.renders.at(-1)?.profile).toEqual({ kind: "stored", id: "ada@example.com" });
    await app.go("export");
    app.showBlock("hero-1");
    expect(app.value.screen).toBe("design");
    expect(app.designer.value.selected).toBe("hero-1");
    await app.go("blocks");
    app.showEmail("winter");
    await settle();
    expect(app.designer.value.emailName).toBe("winter");
    app.imported();
    expect(app.value.summary?.has_store).toBe(true);
  });

  it("opens a chosen folder, and nothing when the dialog is cancelled", async () => {
    const { app, api } = await started();
    await app.chooseFolder();
    expect(app.value.summary?.name).toBe("Demo");
    api.chosen = summary({ name: "Team", emails: ["winter"], default_email: "winter", samples: [{ name: "bob", label: "Bob" }] });
    await app.chooseFolder();
    expect(app.value.summary?.name).toBe("Team");
    expect(app.designer.value.emailName).toBe("winter");
    expect(app.picker.value.key).toBe("sample:bob");
  });

  it("lets the window close after saving, even when the save fails", async () => {
    const { app, api } = await started();
    app.designer.setText("subject", "Closing");
    await app.closeRequested();
    expect(api.saved.at(-1)?.doc.subject).toBe("Closing");
    api.failSave = true;
    app.designer.setText("subject", "Closing again");
    await app.closeRequested();
    expect(api.closed).toBe(2);
  });
});
