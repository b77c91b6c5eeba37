// Pure, immutable operations on an email document: insert, move, duplicate, delete blocks and edit
// fields, settings and rules. Every function returns a new document and leaves its input untouched,
// which is what makes undo/redo a stack of snapshots.
import type { BlockInstance } from "../bindings/BlockInstance";
import type { BlockTypeInfo } from "../bindings/BlockTypeInfo";
import type { Feed } from "../bindings/Feed";
import type { LiveSpec } from "../bindings/LiveSpec";
import type { Document } from "../bindings/Document";
import type { JsonValue } from "../bindings/serde_json/JsonValue";

/** Where a block sits: in the top-level list (`parent` null) or in a slot of a container block. */
export interface Place {
  parent: string | null;
  slot: string | null;
  index: number;
}

/** A block and where it is. `fallbackOf` is set for a block shown in place of another. */
export interface Found {
  block: BlockInstance;
  place: Place | null;
  fallbackOf: string | null;
}

type Fields = { [key in string]?: JsonValue };

/** Every block list of a document with its owner: top level, then each slot, depth first. */
export function walk(
  doc: Document,
  visit: (block: BlockInstance, place: Place | null, fallbackOf: string | null) => void,
): void {
  const visitList = (list: BlockInstance[], parent: string | null, slot: string | null): void => {
    list.forEach((block, index) => {
      visitBlock(block, { parent, slot, index }, null);
    });
  };
  const visitBlock = (block: BlockInstance, place: Place | null, fallbackOf: string | null): void => {
    visit(block, place, fallbackOf);
    for (const [slot, children] of Object.entries(block.slots ?? {})) {
      if (children) visitList(children, block.id, slot);
    }
    if (block.fallback !== undefined && block.fallback !== "hide") {
      visitBlock(block.fallback, null, block.id);
    }
  };
  visitList(doc.blocks, null, null);
}

/** Finds a block anywhere in the document (slots and fallbacks included). */
export function find(doc: Document, id: string): Found | null {
  let found: Found | null = null;
  walk(doc, (block, place, fallbackOf) => {
    if (found === null && block.id === id) found = { block, place, fallbackOf };
  });
  return found;
}

/** All block ids in the document. */
export function allIds(doc: Document): Set<string> {
  const ids = new Set<string>();
  walk(doc, (b) => ids.add(b.id));
  return ids;
}

/** A new id for a block of `type`: `type-N`, unique in the document. */
export function newId(doc: Document, type: string, taken: Set<string> = allIds(doc)): string {
  const base = type.replace(/[^a-z0-9-]/g, "-").replace(/^[^a-z]+/, "") || "block";
  for (let n = 1; ; n++) {
    const id = `${base}-${n}`;
    if (!taken.has(id)) {
      taken.add(id);
      return id;
    }
  }
}

/** A new block of a type, with empty slots for containers (fields start at the type's defaults). */
export function newBlock(doc: Document, type: BlockTypeInfo): BlockInstance {
  const block: BlockInstance = { id: newId(doc, type.id), type: type.id };
  if (type.schema.slots.length > 0) {
    const slots: { [key in string]?: BlockInstance[] } = {};
    for (const s of type.schema.slots) slots[s] = [];
    block.slots = slots;
  }
  return block;
}

/** Rebuilds the block `id` with `f` (wherever it is); other blocks keep their identity. */
export function mapBlock(doc: Document, id: string, f: (b: BlockInstance) => BlockInstance): Document {
  const mapOne = (b: BlockInstance): BlockInstance => {
    if (b.id === id) return f(b);
    let changed = false;
    let slots = b.slots;
    if (b.slots) {
      const next: { [key in string]?: BlockInstance[] } = {};
      for (const [name, list] of Object.entries(b.slots)) {
        const mapped = list ? mapList(list) : list;
        if (mapped !== list) changed = true;
        next[name] = mapped;
      }
      if (changed) slots = next;
    }
    let fallback = b.fallback;
    if (fallback !== undefined && fallback !== "hide") {
      const mapped = mapOne(fallback);
      if (mapped !== fallback) {
        fallback = mapped;
        changed = true;
      }
    }
    return changed ? { ...b, slots, fallback } : b;
  };
  const mapList = (list: BlockInstance[]): BlockInstance[] => {
    let changed = false;
    const out = list.map((b) => {
      const m = mapOne(b);
      if (m !== b) changed = true;
      return m;
    });
    return changed ? out : list;
  };
  const blocks = mapList(doc.blocks);
  return blocks === doc.blocks ? doc : { ...doc, blocks };
}

/** Rebuilds the list at `parent`/`slot` (top level when `parent` is null). */
function mapListAt(
  doc: Document,
  parent: string | null,
  slot: string | null,
  f: (list: BlockInstance[]) => BlockInstance[],
): Document {
  if (parent === null) return { ...doc, blocks: f(doc.blocks) };
  return mapBlock(doc, parent, (b) => {
    const name = slot ?? "";
    const slots = { ...(b.slots ?? {}) };
    slots[name] = f(slots[name] ?? []);
    return { ...b, slots };
  });
}

/** Inserts `block` at `place` (clamped to the list); appends to the top level when `place` is omitted. */
export function insert(doc: Document, block: BlockInstance, place?: Omit<Place, "index"> & { index?: number }): Document {
  const parent = place?.parent ?? null;
  const slot = place?.slot ?? null;
  if (parent !== null && find(doc, parent) === null) throw new Error(`no block ${parent}`);
  return mapListAt(doc, parent, slot, (list) => {
    const index = Math.max(0, Math.min(place?.index ?? list.length, list.length));
    return [...list.slice(0, index), block, ...list.slice(index)];
  });
}

/** Removes a block (and its children); a fallback block is removed by going back to "hide". */
export function remove(doc: Document, id: string): Document {
  const found = find(doc, id);
  if (found === null) return doc;
  if (found.fallbackOf !== null) return mapBlock(doc, found.fallbackOf, (b) => withoutKey(b, "fallback"));
  const place = found.place;
  if (place === null) return doc;
  return mapListAt(doc, place.parent, place.slot, (list) => list.filter((b) => b.id !== id));
}

/**
 * Moves a block to `to`. The index is where it lands in the target list after it has been taken
 * out of its old place. A block cannot move into itself or its own children.
 */
export function move(doc: Document, id: string, to: Place): Document {
  const found = find(doc, id);
  if (found === null || found.place === null) return doc;
  if (to.parent !== null && (to.parent === id || isInside(found.block, to.parent))) return doc;
  const without = remove(doc, id);
  return insert(without, found.block, to);
}

/** Moves a block one place up (-1) or down (+1) in its list. */
export function moveBy(doc: Document, id: string, delta: -1 | 1): Document {
  const found = find(doc, id);
  if (found === null || found.place === null) return doc;
  const { parent, slot, index } = found.place;
  const length = listAt(doc, parent, slot).length;
  const target = index + delta;
  if (target < 0 || target >= length) return doc;
  return move(doc, id, { parent, slot, index: target });
}

/** The list at `parent`/`slot`. */
export function listAt(doc: Document, parent: string | null, slot: string | null): BlockInstance[] {
  if (parent === null) return doc.blocks;
  return find(doc, parent)?.block.slots?.[slot ?? ""] ?? [];
}

function isInside(block: BlockInstance, id: string): boolean {
  for (const list of Object.values(block.slots ?? {})) {
    for (const child of list ?? []) {
      if (child.id === id || isInside(child, id)) return true;
    }
  }
  return block.fallback !== undefined && block.fallback !== "hide" && (block.fallback.id === id || isInside(block.fallback, id));
}

/** A deep copy of a block with fresh ids for it and everything inside it. */
export function cloneWithNewIds(doc: Document, block: BlockInstance, taken: Set<string> = allIds(doc)): BlockInstance {
  const copy: BlockInstance = { ...block, id: newId(doc, block.type, taken) };
  if (block.fields) copy.fields = structuredClone(block.fields);
  if (block.slots) {
    const slots: { [key in string]?: BlockInstance[] } = {};
    for (const [name, list] of Object.entries(block.slots)) {
      slots[name] = (list ?? []).map((child) => cloneWithNewIds(doc, child, taken));
    }
    copy.slots = slots;
  }
  if (block.fallback !== undefined && block.fallback !== "hide") copy.fallback = cloneWithNewIds(doc, block.fallback, taken);
  return copy;
}

/** Duplicates a block right after itself; returns the new document and the copy's id. */
export function duplicate(doc: Document, id: string): { doc: Document; id: string | null } {
  const found = find(doc, id);
  if (found === null || found.place === null) return { doc, id: null };
  const copy = cloneWithNewIds(doc, found.block);
  const { parent, slot, index } = found.place;
  return { doc: insert(doc, copy, { parent, slot, index: index + 1 }), id: copy.id };
}

/**
 * Sets a field. A value equal to the type's default is removed from the document (documents keep
 * only what differs from the defaults).
 */
export function setField(doc: Document, id: string, name: string, value: JsonValue, typeDefault?: JsonValue): Document {
  return mapBlock(doc, id, (b) => {
    const fields: Fields = { ...(b.fields ?? {}) };
    if (typeDefault !== undefined && sameJson(value, typeDefault)) delete fields[name];
    else fields[name] = value;
    const next = { ...b, fields };
    return Object.keys(fields).length === 0 ? withoutKey(next, "fields") : next;
  });
}

/** The value a block shows for a field: its own, else the type's default. */
export function fieldValue(block: BlockInstance, name: string, typeDefault: JsonValue): JsonValue {
  const own = block.fields?.[name];
  return own === undefined ? typeDefault : own;
}

/** Sets `show_if` or `hide_if`; an empty rule removes it. */
export function setRule(doc: Document, id: string, which: "show_if" | "hide_if", rule: string): Document {
  return mapBlock(doc, id, (b) => (rule.trim() === "" ? withoutKey(b, which) : { ...b, [which]: rule }));
}

/**
 * The `live` of a block whose type shows `feeds`: `null` when `feed` is not one of them (not
 * live); `max_age` left out when empty (15 minutes) and `image` only when on (the HTML part then
 * shows the block as a live image).
 */
export function liveSpec(feeds: readonly Feed[], feed: string, maxAge: string, image: boolean): LiveSpec | null {
  const f = feeds.find((x) => x === feed);
  if (f === undefined) return null;
  const spec: LiveSpec = { feed: f };
  if (maxAge.trim() !== "") spec.max_age = maxAge.trim();
  if (image) spec.image = true;
  return spec;
}

/** Marks a block live (content fetched again at open time) or, with `null`, not live. */
export function setLive(doc: Document, id: string, live: LiveSpec | null): Document {
  return mapBlock(doc, id, (b) => (live === null ? withoutKey(b, "live") : { ...b, live }));
}

/** Sets what shows when the block cannot: nothing ("hide"), or a block. */
export function setFallback(doc: Document, id: string, fallback: BlockInstance | "hide"): Document {
  return mapBlock(doc, id, (b) => (fallback === "hide" ? withoutKey(b, "fallback") : { ...b, fallback }));
}

/** Sets an email setting; a value equal to the brand's removes the override. */
export function setSetting(doc: Document, name: string, value: JsonValue, brandValue?: JsonValue): Document {
  const settings: Fields = { ...(doc.settings ?? {}) };
  if (brandValue !== undefined && sameJson(value, brandValue)) delete settings[name];
  else settings[name] = value;
  if (Object.keys(settings).length === 0) return withoutKey(doc, "settings");
  return { ...doc, settings };
}

/** Sets the email's name, subject or preheader. */
export function setText(doc: Document, which: "name" | "subject" | "preheader", text: string): Document {
  return { ...doc, [which]: text };
}

/** The placeholder text for a data path, with a fallback when one is given. */
export function placeholder(path: string, fallback: string): string {
  const clean = fallback.replace(/["\\{}]/g, "").trim();
  return clean === "" ? `{{${path}}}` : `{{default ${path} "${clean}"}}`;
}

function withoutKey<T extends object, K extends keyof T>(o: T, key: K): T {
  const copy = { ...o };
  delete copy[key];
  return copy;
}

function sameJson(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
