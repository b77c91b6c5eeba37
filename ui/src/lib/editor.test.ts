import { describe, expect, it, vi } from "vitest";
import type { BlockTypeInfo } from "../bindings/BlockTypeInfo";
import type { Document } from "../bindings/Document";
import { Autosaver } from "./autosave";
import * as d from "./doc";
import { Editor, historyShortcut } from "./editor";
import { fragmentFor, LatestOnly, previewDocument } from "./preview";

function type(id: string, slots: string[] = []): BlockTypeInfo {
  return {
    id,
    origin: "built_in",
    schema: { name: id, description: "", category: "content", fields: [], requires: [], slots },
  };
}
const hero = type("hero");
const text = type("text");
const columns = type("columns", ["left", "right"]);

function empty(): Document {
  return { schema_version: 1, name: "Test", subject: "", preheader: "", blocks: [] };
}

function ids(doc: Document): string[] {
  return doc.blocks.map((b) => b.id);
}

describe("document operations", () => {
  it("appends blocks with unique ids and leaves the input untouched", () => {
    const a = empty();
    const b = d.insert(a, d.newBlock(a, hero));
    const c = d.insert(b, d.newBlock(b, hero));
    expect(ids(a)).toEqual([]);
    expect(ids(c)).toEqual(["hero-1", "hero-2"]);
  });

  it("inserts at an index and into a column slot", () => {
    let doc = empty();
    doc = d.insert(doc, d.newBlock(doc, hero));
    doc = d.insert(doc, d.newBlock(doc, columns));
    doc = d.insert(doc, d.newBlock(doc, text), { parent: null, slot: null, index: 0 });
    expect(ids(doc)).toEqual(["text-1", "hero-1", "columns-1"]);
    doc = d.insert(doc, d.newBlock(doc, text), { parent: "columns-1", slot: "right" });
    expect(d.find(doc, "text-2")?.place).toEqual({ parent: "columns-1", slot: "right", index: 0 });
    expect(d.find(doc, "columns-1")?.block.slots?.left).toEqual([]);
  });

  it("moves blocks up and down and across lists, never into themselves", () => {
    let doc = empty();
    for (const t of [hero, text, columns]) doc = d.insert(doc, d.newBlock(doc, t));
    doc = d.moveBy(doc, "columns-1", -1);
    expect(ids(doc)).toEqual(["hero-1", "columns-1", "text-1"]);
    expect(d.moveBy(doc, "hero-1", -1)).toBe(doc);
    expect(d.moveBy(doc, "text-1", 1)).toBe(doc);
    doc = d.move(doc, "text-1", { parent: "columns-1", slot: "left", index: 0 });
    expect(ids(doc)).toEqual(["hero-1", "columns-1"]);
    expect(d.listAt(doc, "columns-1", "left").map((b) => b.id)).toEqual(["text-1"]);
    expect(d.move(doc, "columns-1", { parent: "columns-1", slot: "right", index: 0 })).toBe(doc);
    doc = d.move(doc, "text-1", { parent: null, slot: null, index: 0 });
    expect(ids(doc)).toEqual(["text-1", "hero-1", "columns-1"]);
  });

  it("duplicates a block with its children under new ids, right after it", () => {
    let doc = empty();
    doc = d.insert(doc, d.newBlock(doc, columns));
    doc = d.insert(doc, d.newBlock(doc, text), { parent: "columns-1", slot: "left" });
    doc = d.setField(doc, "text-1", "body", "<p>Hi</p>");
    const { doc: after, id } = d.duplicate(doc, "columns-1");
    expect(id).toBe("columns-2");
    expect(ids(after)).toEqual(["columns-1", "columns-2"]);
    const copyChild = d.listAt(after, "columns-2", "left")[0];
    expect(copyChild?.id).toBe("text-2");
    expect(copyChild?.fields?.body).toBe("<p>Hi</p>");
  });

  it("deletes blocks, children included, and fallbacks back to hide", () => {
    let doc = empty();
    doc = d.insert(doc, d.newBlock(doc, columns));
    doc = d.insert(doc, d.newBlock(doc, text), { parent: "columns-1", slot: "left" });
    doc = d.insert(doc, d.newBlock(doc, hero));
    doc = d.setFallback(doc, "hero-1", { id: "hero-fallback", type: "text" });
    expect(d.find(doc, "hero-fallback")?.fallbackOf).toBe("hero-1");
    doc = d.remove(doc, "hero-fallback");
    expect(d.find(doc, "hero-1")?.block.fallback).toBeUndefined();
    doc = d.remove(doc, "columns-1");
    expect(ids(doc)).toEqual(["hero-1"]);
    expect(d.find(doc, "text-1")).toBeNull();
  });

  it("keeps only field values and settings that differ from their defaults", () => {
    let doc = empty();
    doc = d.insert(doc, d.newBlock(doc, hero));
    doc = d.setField(doc, "hero-1", "headline", "Hello", "Made for the season");
    expect(d.find(doc, "hero-1")?.block.fields).toEqual({ headline: "Hello" });
    doc = d.setField(doc, "hero-1", "headline", "Made for the season", "Made for the season");
    expect(d.find(doc, "hero-1")?.block.fields).toBeUndefined();
    doc = d.setSetting(doc, "accent_color", "#ff0000", "#1f6f50");
    expect(doc.settings).toEqual({ accent_color: "#ff0000" });
    doc = d.setSetting(doc, "accent_color", "#1f6f50", "#1f6f50");
    expect(doc.settings).toBeUndefined();
    doc = d.setRule(doc, "hero-1", "show_if", 'in_segment "vip"');
    expect(d.find(doc, "hero-1")?.block.show_if).toBe('in_segment "vip"');
    doc = d.setRule(doc, "hero-1", "show_if", " ");
    expect(d.find(doc, "hero-1")?.block.show_if).toBeUndefined();
    doc = d.setLive(doc, "hero-1", { feed: "recommendations", max_age: "1h" });
    expect(d.find(doc, "hero-1")?.block.live).toEqual({ feed: "recommendations", max_age: "1h" });
    doc = d.setLive(doc, "hero-1", null);
    expect(d.find(doc, "hero-1")?.block).not.toHaveProperty("live");
  });

  it("builds a block's live settings, the live image only when on", () => {
    const feeds = ["countdown", "profile"] as const;
    expect(d.liveSpec(feeds, "countdown", "", false)).toEqual({ feed: "countdown" });
    expect(d.liveSpec(feeds, "profile", " 1m ", true)).toEqual({ feed: "profile", max_age: "1m", image: true });
    expect(d.liveSpec(feeds, "cart", "1m", true)).toBeNull();
    expect(d.liveSpec(feeds, "", "", true)).toBeNull();
  });

  it("writes placeholders with their fallback", () => {
    expect(d.placeholder("profile.first_name", "there")).toBe('{{default profile.first_name "there"}}');
    expect(d.placeholder("profile.first_name", "")).toBe("{{profile.first_name}}");
    expect(d.placeholder("profile.city", 'your "city"')).toBe('{{default profile.city "your city"}}');
  });
});

describe("editor history", () => {
  function editor(): { ed: Editor; clock: { t: number } } {
    const ed = new Editor(empty());
    const clock = { t: 0 };
    ed.now = () => clock.t;
    return { ed, clock };
  }

  it("undoes and redoes inserts, moves and deletes, with the selection", () => {
    const { ed } = editor();
    ed.apply((doc) => d.insert(doc, d.newBlock(doc, hero)), { select: "hero-1" });
    ed.apply((doc) => d.insert(doc, d.newBlock(doc, text)), { select: "text-1" });
    ed.apply((doc) => d.moveBy(doc, "text-1", -1));
    expect(ids(ed.doc)).toEqual(["text-1", "hero-1"]);
    ed.apply((doc) => d.remove(doc, "text-1"));
    expect(ed.selected).toBeNull();
    expect(ed.undo()).toBe(true);
    expect(ids(ed.doc)).toEqual(["text-1", "hero-1"]);
    expect(ed.selected).toBe("text-1");
    ed.undo();
    expect(ids(ed.doc)).toEqual(["hero-1", "text-1"]);
    ed.redo();
    expect(ids(ed.doc)).toEqual(["text-1", "hero-1"]);
    ed.undo();
    ed.undo();
    ed.undo();
    expect(ids(ed.doc)).toEqual([]);
    expect(ed.undo()).toBe(false);
    expect(ed.canRedo).toBe(true);
    ed.apply((doc) => d.insert(doc, d.newBlock(doc, text)));
    expect(ed.canRedo).toBe(false);
  });

  it("makes one undo step of a burst of typing in one field", () => {
    const { ed, clock } = editor();
    ed.apply((doc) => d.insert(doc, d.newBlock(doc, hero)));
    for (const [i, s] of ["H", "He", "Hel"].entries()) {
      clock.t = i * 200;
      ed.apply((doc) => d.setField(doc, "hero-1", "headline", s), { coalesce: "hero-1/headline" });
    }
    clock.t = 5000;
    ed.apply((doc) => d.setField(doc, "hero-1", "headline", "Hello"), { coalesce: "hero-1/headline" });
    ed.undo();
    expect(d.find(ed.doc, "hero-1")?.block.fields?.headline).toBe("Hel");
    ed.undo();
    expect(d.find(ed.doc, "hero-1")?.block.fields).toBeUndefined();
  });

  it("records nothing for an edit that changes nothing, and tells subscribers of changes", () => {
    const { ed } = editor();
    const seen = vi.fn();
    ed.subscribe(seen);
    expect(ed.apply((doc) => doc)).toBe(false);
    expect(ed.canUndo).toBe(false);
    ed.apply((doc) => d.insert(doc, d.newBlock(doc, hero)));
    expect(seen).toHaveBeenCalledTimes(1);
  });

  it("maps keyboard shortcuts", () => {
    const k = (key: string, mods: Partial<{ ctrlKey: boolean; metaKey: boolean; shiftKey: boolean; altKey: boolean }>) =>
      historyShortcut({ key, ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, ...mods });
    expect(k("z", { ctrlKey: true })).toBe("undo");
    expect(k("Z", { ctrlKey: true, shiftKey: true })).toBe("redo");
    expect(k("y", { ctrlKey: true })).toBe("redo");
    expect(k("z", { metaKey: true })).toBe("undo");
    expect(k("z", {})).toBeNull();
  });
});

describe("autosave", () => {
  it("saves once a moment after the last edit, and flush saves at once", async () => {
    vi.useFakeTimers();
    const saved: string[] = [];
    const a = new Autosaver<string>(async (v) => {
      saved.push(v);
    }, 500);
    a.schedule("a");
    a.schedule("ab");
    await vi.advanceTimersByTimeAsync(400);
    expect(saved).toEqual([]);
    await vi.advanceTimersByTimeAsync(200);
    expect(saved).toEqual(["ab"]);
    a.schedule("abc");
    await a.flush();
    expect(saved).toEqual(["ab", "abc"]);
    expect(a.status).toBe("saved");
    vi.useRealTimers();
  });

  it("keeps an edit whose save failed and saves it on the next flush", async () => {
    let fail = true;
    const saved: string[] = [];
    const a = new Autosaver<string>(async (v) => {
      if (fail) throw new Error("disk full");
      saved.push(v);
    }, 10_000);
    a.schedule("x");
    await expect(a.flush()).rejects.toThrow("disk full");
    expect(a.status).toBe("error");
    fail = false;
    await a.flush();
    expect(saved).toEqual(["x"]);
  });
});

describe("preview document", () => {
  const html = '<html><head><style>@media (prefers-color-scheme: dark) { .x{color:#fff} }</style></head><body><div class="tsr-block" data-tsr-block="hero-1"></div></body></html>';

  it("adds the editor styles in the head and outlines the selection", () => {
    const out = previewDocument(html, { selected: "hero-1", dark: false });
    expect(out.indexOf("data-tsr-editor")).toBeLessThan(out.indexOf("</head>"));
    expect(out).toContain('.tsr-block[data-tsr-block="hero-1"]{outline');
    expect(out).not.toContain("<script");
  });

  it("applies the email's dark rules in dark mode only", () => {
    expect(previewDocument(html, { selected: null, dark: true })).toContain("@media all {");
    expect(previewDocument(html, { selected: null, dark: false })).toContain("@media not all {");
  });

  it("never builds a selector or fragment from an unsafe id", () => {
    expect(previewDocument(html, { selected: '"]{}*{', dark: false })).not.toContain('"]{}*{');
    expect(fragmentFor("hero-1")).toBe("#tsr-hero-1");
    expect(fragmentFor("<x>")).toBe("");
  });

  it("renders only the newest request after the running one", async () => {
    const runs: number[] = [];
    const results: number[] = [];
    let release: () => void = () => {};
    const q = new LatestOnly<number, number>(
      (n) =>
        new Promise((resolve) => {
          runs.push(n);
          release = () => resolve(n);
        }),
      (r) => results.push(r),
      () => {},
    );
    q.request(1);
    q.request(2);
    q.request(3);
    release();
    await Promise.resolve();
    await new Promise((r) => setTimeout(r, 0));
    release();
    await new Promise((r) => setTimeout(r, 0));
    expect(runs).toEqual([1, 3]);
    expect(results).toEqual([1, 3]);
  });
});
