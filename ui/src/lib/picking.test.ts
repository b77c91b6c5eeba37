import { describe, expect, it } from "vitest";
import type { BlockTypeInfo } from "../bindings/BlockTypeInfo";
import type { Document } from "../bindings/Document";
import type { KeyPress } from "./designer";
import { blockKey, blockOrder, dropTargets, fieldText, fieldToOpen, neighbour, parentOf, PickTimer, wordRange, wordTarget } from "./picking";
import { markWords, wordsOf } from "./preview";

const type = (id: string, name: string, fields: BlockTypeInfo["schema"]["fields"] = [], slots: string[] = []): BlockTypeInfo =>
  ({ id, origin: "builtin", schema: { name, description: "", category: "content", fields, slots } }) as unknown as BlockTypeInfo;
const types = [
  type("hero", "Hero", [{ name: "headline", type: "text", label: "Headline", default: "", required: false }, { name: "body", type: "rich_text", label: "Text", default: "", required: false }]),
  type("columns", "Columns", [], ["left", "right"]),
  type("button", "Button", [{ name: "label", type: "text", label: "Label", default: "", required: false }]),
  type("image", "Image", [{ name: "src", type: "image", label: "Image", default: "", required: false }]),
];

/** hero-1, columns-1 [left: button-1, right: image-1], hero-2 (with a fallback). */
const doc: Document = {
  schema_version: 1,
  name: "t",
  subject: "",
  preheader: "",
  blocks: [
    { id: "hero-1", type: "hero", fields: {} },
    { id: "columns-1", type: "columns", fields: {}, slots: { left: [{ id: "button-1", type: "button", fields: {} }], right: [{ id: "image-1", type: "image", fields: {} }] } },
    { id: "hero-2", type: "hero", fields: {}, fallback: { id: "button-2", type: "button", fields: {} } },
  ],
} as Document;

const key = (k: string, mods: Partial<KeyPress> = {}): KeyPress => ({ key: k, ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, ...mods });

describe("picking", () => {
  it("walks blocks in structure order, columns included", () => {
    expect(blockOrder(doc)).toEqual(["hero-1", "columns-1", "button-1", "image-1", "hero-2"]);
    expect(neighbour(doc, "columns-1", 1)).toBe("button-1");
    expect(neighbour(doc, "image-1", 1)).toBe("hero-2");
    expect(neighbour(doc, "hero-2", 1)).toBe("hero-2");
    expect(neighbour(doc, null, 1)).toBe("hero-1");
    expect(neighbour(doc, null, -1)).toBe("hero-2");
    expect(parentOf(doc, "image-1")).toBe("columns-1");
    expect(parentOf(doc, "button-2")).toBe("hero-2");
    expect(parentOf(doc, "hero-1")).toBeNull();
  });

  it("reads the block keys", () => {
    expect(blockKey(key("ArrowDown"), doc, "button-1")).toEqual({ kind: "select", id: "image-1" });
    expect(blockKey(key("ArrowUp"), doc, "button-1")).toEqual({ kind: "select", id: "columns-1" });
    expect(blockKey(key("ArrowUp", { altKey: true }), doc, "hero-2")).toEqual({ kind: "move", delta: -1 });
    expect(blockKey(key("ArrowDown", { altKey: true }), doc, null)).toBeNull();
    expect(blockKey(key("d", { ctrlKey: true }), doc, "hero-1")).toEqual({ kind: "duplicate" });
    expect(blockKey(key("d"), doc, "hero-1")).toBeNull();
    expect(blockKey(key("Delete"), doc, "hero-1")).toEqual({ kind: "remove" });
    expect(blockKey(key("Escape"), doc, "image-1")).toEqual({ kind: "select", id: "columns-1" });
    expect(blockKey(key("Escape"), doc, "hero-1")).toEqual({ kind: "select", id: null });
    expect(blockKey(key("Escape"), doc, null)).toBeNull();
  });

  it("tells a double click from two clicks", () => {
    const t = new PickTimer();
    expect(t.pick("hero-1", 1000)).toBe(false);
    expect(t.pick("hero-1", 1300)).toBe(true);
    // A third quick click continues the series: the field stays open (and keeps the focus).
    expect(t.pick("hero-1", 1400)).toBe(true);
    expect(t.pick("hero-1", 2000)).toBe(false);
    expect(t.pick("hero-2", 2100)).toBe(false);
    expect(t.pick("hero-2", 2700)).toBe(false);
    expect(fieldToOpen(doc, types, "hero-1")).toBe("body");
    expect(fieldToOpen(doc, types, "button-1")).toBe("label");
    expect(fieldToOpen(doc, types, "image-1")).toBeNull();
  });

  it("lists where a dragged block can land: between blocks, at the end, into each column", () => {
    const targets = dropTargets(doc, types);
    expect(targets.map((t) => t.label)).toEqual([
      "Before Hero",
      "Before Columns",
      "Before Button in Columns › left",
      "Into Columns › left",
      "Before Image in Columns › right",
      "Into Columns › right",
      "Before Hero",
      "At the end of the email",
    ]);
    expect(targets[3]?.place).toEqual({ parent: "columns-1", slot: "left", index: 1 });
    expect(targets[7]?.place).toEqual({ parent: null, slot: null, index: 3 });
  });
});

describe("double clicks on a word in the preview", () => {
  // The engine's preview HTML: blocks marked by Rust, a nested block, a link, styles and Outlook's
  // conditional comments that must stay as they are.
  const html =
    `<html><head><title>Sale now</title><style>p{color:red}</style></head><body>` +
    `<div class="tsr-block" id="tsr-hero-1" data-tsr-block="hero-1"><h1>Warm &amp; dry</h1><div class="inner"><p>Stay warm, stay <strong>dry</strong>.</p></div>` +
    `<!--[if mso]><p>outlook only</p><![endif]--><a href="https://shop.example/">Shop warm</a>` +
    `<div class="tsr-block" id="tsr-button-1" data-tsr-block="button-1"><p>warm</p><a class="tsr-pick" href="tessera-pick://block/button-1"></a></div>` +
    `<p>Last warm</p><a class="tsr-pick" href="tessera-pick://block/hero-1"></a></div>` +
    `<p>outside</p></body></html>`;

  it("makes each word of a block's own text a link naming the block and the word's index", () => {
    const marked = markWords(html);
    const links = [...marked.matchAll(/<a class="tsr-w" href="tessera-pick:\/\/block\/([a-z0-9-]+)\?w=(\d+)">([^<]*)<\/a>/g)].map((m) => `${m[1]}#${m[2]}:${m[3]}`);
    expect(links).toEqual([
      "hero-1#0:Warm", "hero-1#1:&amp;", "hero-1#2:dry", "hero-1#3:Stay", "hero-1#4:warm,", "hero-1#5:stay", "hero-1#6:dry", "hero-1#6:.",
      "button-1#0:warm",
      "hero-1#7:Last", "hero-1#8:warm",
    ]);
    // Links, styles, the title, comments and text outside blocks are left as they were.
    expect(marked).toContain("<title>Sale now</title><style>p{color:red}</style>");
    expect(marked).toContain(`<!--[if mso]><p>outlook only</p><![endif]--><a href="https://shop.example/">Shop warm</a>`);
    expect(marked).toContain("<p>outside</p>");
    // Nothing but the links was added.
    expect(marked.replace(/<a class="tsr-w" href="[^"]*">([^<]*)<\/a>/g, "$1")).toBe(html);
  });

  it("reads a block's words back decoded, numbered as the links are", () => {
    expect(wordsOf(html, "hero-1")).toEqual(["Warm", "&", "dry", "Stay", "warm,", "stay", "dry.", "Last", "warm"]);
    expect(wordsOf(html, "button-1")).toEqual(["warm"]);
  });

  it("finds the field and the word's occurrence in it, across the block's text fields", () => {
    const d: Document = {
      ...doc,
      blocks: [{ id: "hero-1", type: "hero", fields: { headline: "Warm & dry", body: "<p>Stay warm, stay <strong>dry</strong>.</p><p>Last warm</p>" } }],
    } as Document;
    const words = wordsOf(html, "hero-1");
    expect(wordTarget(d, types, "hero-1", words, 0)).toEqual({ field: "headline", at: { word: "Warm", occurrence: 0 } });
    // "dry." (split by <strong> in the preview) is one word, in the body.
    expect(wordTarget(d, types, "hero-1", words, 6)).toEqual({ field: "body", at: { word: "dry.", occurrence: 0 } });
    expect(wordTarget(d, types, "hero-1", words, 8)).toEqual({ field: "body", at: { word: "warm", occurrence: 0 } });
    // A word no text field holds (a placeholder's value, say) opens nothing in particular.
    expect(wordTarget(d, types, "hero-1", ["Ada"], 0)).toBeNull();
    expect(wordTarget(d, types, "hero-1", words, 99)).toBeNull();
  });

  it("locates a whole word's occurrence in a text", () => {
    expect(fieldText("<p>a&amp;b<br>c</p><ul><li>d</li></ul>", true)).toBe("a&b c d ");
    expect(wordRange("warm warmer warm", { word: "warm", occurrence: 1 })).toEqual({ from: 12, to: 16 });
    expect(wordRange("warm warmer", { word: "warm", occurrence: 1 })).toBeNull();
  });
});
