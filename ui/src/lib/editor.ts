// The editor's state: the document being edited, the selected block, and undo/redo history.
// Framework-free so it is unit-tested directly; the Svelte components subscribe to it.
import type { Document } from "../bindings/Document";
import { find } from "./doc";

/** One point in history: the document and what was selected then. */
interface Snapshot {
  doc: Document;
  selected: string | null;
}

/** Options of one edit. */
export interface EditOptions {
  /**
   * Edits with the same key that follow each other within `coalesceMs` become one undo step
   * (typing a headline is one step, not one per keystroke).
   */
  coalesce?: string;
  /** Select this block after the edit. */
  select?: string | null;
}

type Listener = () => void;

/** The editor: apply edits, undo and redo them, and tell subscribers. */
export class Editor {
  #doc: Document;
  #selected: string | null = null;
  #past: Snapshot[] = [];
  #future: Snapshot[] = [];
  #lastKey: string | null = null;
  #lastAt = 0;
  #listeners = new Set<Listener>();
  #revision = 0;
  /** Edits with the same coalesce key within this many milliseconds are one undo step. */
  coalesceMs = 1000;
  /** Most undo steps kept. */
  limit = 500;
  /** The clock (tests replace it). */
  now: () => number = () => Date.now();

  constructor(doc: Document) {
    this.#doc = doc;
  }

  /** The document as it is now. */
  get doc(): Document {
    return this.#doc;
  }

  /** The selected block id, if any. */
  get selected(): string | null {
    return this.#selected;
  }

  /** Grows with every change of the document (edits, undo, redo, load). */
  get revision(): number {
    return this.#revision;
  }

  get canUndo(): boolean {
    return this.#past.length > 0;
  }

  get canRedo(): boolean {
    return this.#future.length > 0;
  }

  /** Replaces the document (another email was opened): history starts over. */
  load(doc: Document): void {
    this.#doc = doc;
    this.#selected = null;
    this.#past = [];
    this.#future = [];
    this.#lastKey = null;
    this.#revision++;
    this.#emit();
  }

  /** Applies an edit. Returns false (and records nothing) when it changed nothing. */
  apply(edit: (doc: Document) => Document, options: EditOptions = {}): boolean {
    const next = edit(this.#doc);
    if (next === this.#doc) return false;
    const t = this.now();
    const coalescing =
      options.coalesce !== undefined &&
      options.coalesce === this.#lastKey &&
      t - this.#lastAt <= this.coalesceMs &&
      this.#past.length > 0;
    if (!coalescing) {
      this.#past.push({ doc: this.#doc, selected: this.#selected });
      if (this.#past.length > this.limit) this.#past.shift();
    }
    this.#lastKey = options.coalesce ?? null;
    this.#lastAt = t;
    this.#future = [];
    this.#doc = next;
    if (options.select !== undefined) this.#selected = options.select;
    if (this.#selected !== null && find(next, this.#selected) === null) this.#selected = null;
    this.#revision++;
    this.#emit();
    return true;
  }

  /** Selects a block (or nothing); not an edit. */
  select(id: string | null): void {
    const next = id !== null && find(this.#doc, id) !== null ? id : null;
    if (next === this.#selected) return;
    this.#selected = next;
    this.#lastKey = null;
    this.#emit();
  }

  /** Undoes the last edit. */
  undo(): boolean {
    const prev = this.#past.pop();
    if (prev === undefined) return false;
    this.#future.push({ doc: this.#doc, selected: this.#selected });
    this.#restore(prev);
    return true;
  }

  /** Redoes the last undone edit. */
  redo(): boolean {
    const next = this.#future.pop();
    if (next === undefined) return false;
    this.#past.push({ doc: this.#doc, selected: this.#selected });
    this.#restore(next);
    return true;
  }

  #restore(s: Snapshot): void {
    this.#doc = s.doc;
    this.#selected = s.selected !== null && find(s.doc, s.selected) !== null ? s.selected : null;
    this.#lastKey = null;
    this.#revision++;
    this.#emit();
  }

  /** Calls `listener` after every change; returns the unsubscribe function. */
  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #emit(): void {
    for (const l of this.#listeners) l();
  }
}

/** What a keyboard event asks of the editor, if anything: Ctrl/Cmd+Z, Ctrl/Cmd+Shift+Z, Ctrl/Cmd+Y. */
export function historyShortcut(e: { key: string; ctrlKey: boolean; metaKey: boolean; shiftKey: boolean; altKey: boolean }): "undo" | "redo" | null {
  if (!(e.ctrlKey || e.metaKey) || e.altKey) return null;
  const key = e.key.toLowerCase();
  if (key === "z") return e.shiftKey ? "redo" : "undo";
  if (key === "y" && !e.shiftKey) return "redo";
  return null;
}
