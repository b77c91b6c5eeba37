import { describe, expect, it } from "vitest";
import type { BlockTypeInfo } from "../bindings/BlockTypeInfo";
import type { Document } from "../bindings/Document";
import type { KeyPress } from "./designer";
import { blockKey, blockOrder, dropTargets, fieldToOpen, neighbour, parentOf, PickTimer } from "./picking";

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
    expect(t.pick("hero-1", 1400)).toBe(false);
    expect(t.pick("hero-2", 1500)).toBe(false);
    expect(t.pick("hero-2", 2600)).toBe(false);
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
