// Picking and moving blocks: the order the arrow keys walk (every block, columns included, depth
// first as the structure list shows them), the parent Escape goes to, what a key press asks of the
// selection, a double click in the preview, and the places a block dragged from the palette can
// land. Framework-free; the Designer applies what these functions decide.
import type { BlockTypeInfo } from "../bindings/BlockTypeInfo";
import type { Document } from "../bindings/Document";
import { find, walk, type Place } from "./doc";
import { decodeEntities } from "./preview";
import type { KeyPress } from "./designer";

/** Every block in structure-list order (top level and columns, depth first; fallbacks left out). */
export function blockOrder(doc: Document): string[] {
  const ids: string[] = [];
  walk(doc, (block, _place, fallbackOf) => {
    if (fallbackOf === null) ids.push(block.id);
  });
  return ids;
}

/** The block `delta` steps from `id` in structure-list order (the first or last when none is selected). */
export function neighbour(doc: Document, id: string | null, delta: -1 | 1): string | null {
  const order = blockOrder(doc);
  if (order.length === 0) return null;
  const at = id === null ? -1 : order.indexOf(id);
  if (at < 0) return delta > 0 ? (order[0] ?? null) : (order[order.length - 1] ?? null);
  return order[Math.min(order.length - 1, Math.max(0, at + delta))] ?? null;
}

/** The block that holds `id` (its column's owner, or the block it stands in for), or null at the top. */
export function parentOf(doc: Document, id: string): string | null {
  const found = find(doc, id);
  if (found === null) return null;
  return found.place?.parent ?? found.fallbackOf;
}

/** What a key press asks of the selected block. */
export type BlockKey =
  | { kind: "select"; id: string | null }
  | { kind: "move"; delta: -1 | 1 }
  | { kind: "duplicate" }
  | { kind: "remove" };

/**
 * Reads a key press outside text fields: arrows move the selection, Alt+Up/Down moves the block,
 * Ctrl/Cmd+D duplicates it, Delete/Backspace removes it, Escape goes to the parent (and from a
 * top-level block to nothing).
 */
export function blockKey(e: KeyPress, doc: Document, selected: string | null): BlockKey | null {
  const mod = e.ctrlKey || e.metaKey;
  const vertical = e.key === "ArrowUp" || e.key === "ArrowLeft" ? -1 : e.key === "ArrowDown" || e.key === "ArrowRight" ? 1 : 0;
  if (vertical !== 0 && !mod && !e.shiftKey) {
    if (e.altKey) return selected !== null && (e.key === "ArrowUp" || e.key === "ArrowDown") ? { kind: "move", delta: vertical } : null;
    return { kind: "select", id: neighbour(doc, selected, vertical) };
  }
  if (selected === null) return null;
  if (mod && !e.altKey && !e.shiftKey && e.key.toLowerCase() === "d") return { kind: "duplicate" };
  if (!mod && !e.altKey && (e.key === "Delete" || e.key === "Backspace")) return { kind: "remove" };
  if (e.key === "Escape") return { kind: "select", id: parentOf(doc, selected) };
  return null;
}

/** Two picks of the same block this close together (ms) are a double click. */
export const DOUBLE_PICK_MS = 500;

/**
 * Tells single picks in the preview from double ones (the frame has no script to tell us). Every
 * pick after the first of a quick series on one block counts as a double: a click that lands just
 * after a double click (a triple click, or a click then a quick double click) keeps the field open
 * and focused rather than taking the focus back to the preview.
 */
export class PickTimer {
  #last: { id: string; at: number } | null = null;

  /** Records a pick at `at`; true when it follows a pick of the same block within `DOUBLE_PICK_MS`. */
  pick(id: string, at: number): boolean {
    const double = this.#last !== null && this.#last.id === id && at - this.#last.at <= DOUBLE_PICK_MS;
    this.#last = { id, at };
    return double;
  }
}

/** The field a double click in the preview opens: the block's first rich-text field, else its first text field. */
export function fieldToOpen(doc: Document, types: readonly BlockTypeInfo[], id: string): string | null {
  const block = find(doc, id)?.block;
  const type = block === undefined ? undefined : types.find((t) => t.id === block.type);
  const fields = type?.schema.fields ?? [];
  return (fields.find((f) => f.type === "rich_text") ?? fields.find((f) => f.type === "text"))?.name ?? null;
}

/** Where in a field a double click in the preview landed: the `occurrence`-th `word` of its text. */
export interface WordAt {
  word: string;
  occurrence: number;
}

/** The field a double click on a word opens, and where in it the word is. */
export interface WordTarget {
  field: string;
  at: WordAt;
}

/** A field value's text as the editor shows it: tags dropped (block ends and breaks as spaces), references decoded. */
export function fieldText(value: string, rich: boolean): string {
  if (!rich) return value;
  return decodeEntities(value.replace(/<(?:br|\/p|\/li|\/h[1-6])\b[^>]*>/gi, " ").replace(/<[^>]*>/g, ""));
}

/** Where the `occurrence`-th whole `word` stands in `text` (character offsets), or null. */
export function wordRange(text: string, at: WordAt): { from: number; to: number } | null {
  let seen = 0;
  for (const m of text.matchAll(/\S+/g)) {
    if (m[0] !== at.word) continue;
    if (seen++ === at.occurrence) return { from: m.index, to: m.index + m[0].length };
  }
  return null;
}

/** How many times `word` stands as a whole word (between whitespace) in `text`. */
function countWord(text: string, word: string): number {
  return text.split(/\s+/).filter((w) => w === word).length;
}

/**
 * The field and place a double click on the `n`-th word of a block's text in the preview opens:
 * `words` are the block's words as the preview numbers them (`preview.ts`'s `wordsOf`). The word's
 * occurrence among the block's words is found again in its text fields, in the schema's order; null
 * when no field holds it (the word came from a placeholder's value or the block's own markup).
 */
export function wordTarget(doc: Document, types: readonly BlockTypeInfo[], id: string, words: readonly string[], n: number): WordTarget | null {
  const word = words[n];
  const block = find(doc, id)?.block;
  const type = block === undefined ? undefined : types.find((t) => t.id === block.type);
  if (word === undefined || block === undefined || type === undefined) return null;
  let occurrence = words.slice(0, n).filter((w) => w === word).length;
  for (const f of type.schema.fields) {
    if (f.type !== "rich_text" && f.type !== "text") continue;
    const value = block.fields?.[f.name];
    const text = fieldText(typeof value === "string" ? value : typeof f.default === "string" ? f.default : "", f.type === "rich_text");
    const count = countWord(text, word);
    if (occurrence < count) return { field: f.name, at: { word, occurrence } };
    occurrence -= count;
  }
  return null;
}

/** A place a block dragged from the palette can land, as the drop overlay lists it. */
export interface DropTarget {
  place: Place;
  /** "Before Hero", "At the end", "Into Columns › left". */
  label: string;
  /** 0 at the top level, 1 inside a column, ... */
  depth: number;
}

/** Every place a new block can land: between top-level blocks, at the end, and into each column. */
export function dropTargets(doc: Document, types: readonly BlockTypeInfo[]): DropTarget[] {
  const name = (type: string): string => types.find((t) => t.id === type)?.schema.name ?? type;
  const out: DropTarget[] = [];
  const visit = (list: Document["blocks"], parent: string | null, slot: string | null, depth: number, owner: string): void => {
    list.forEach((b, index) => {
      out.push({ place: { parent, slot, index }, label: `Before ${name(b.type)}${depth > 0 ? ` in ${owner}` : ""}`, depth });
      const type = types.find((t) => t.id === b.type);
      for (const s of type?.schema.slots ?? []) {
        visit(b.slots?.[s] ?? [], b.id, s, depth + 1, `${name(b.type)} › ${s}`);
      }
    });
    out.push({ place: { parent, slot, index: list.length }, label: depth === 0 ? "At the end of the email" : `Into ${owner}`, depth });
  };
  visit(doc.blocks, null, null, 0, "");
  return out;
}
