// The Design screen's state: the email being edited (through the Editor), its autosave, the live
// preview (one render at a time, of the newest document), what the preview shows (width, dark mode,
// selection), the pre-send QA of what the preview shows (run after it is showing, stale runs
// dropped) and the finding picked in its panel, the inspector's tab, the column blocks are added to,
// and the figures the end-to-end test reads. Framework-free: the Design screen and the top bar subscribe to it.
import type { Device } from "../bindings/Device";
import { setDark, setDevice, type DarkPart } from "./blockLook";
import type { LiveSpec } from "../bindings/LiveSpec";
import type { BlockTypeInfo } from "../bindings/BlockTypeInfo";
import type { Document } from "../bindings/Document";
import type { Preview } from "../bindings/Preview";
import type { PreviewAs } from "../bindings/PreviewAs";
import type { PreviewRequest } from "../bindings/PreviewRequest";
import type { Finding } from "../bindings/Finding";
import type { QaReport } from "../bindings/QaReport";
import type { JsonValue } from "../bindings/serde_json/JsonValue";
import { Autosaver, type SaveStatus } from "./autosave";
import * as d from "./doc";
import { Editor, historyShortcut, type EditOptions } from "./editor";
import type { api } from "./ipc";
import { Observable } from "./observable";
import { blockKey, fieldToOpen, PickTimer, wordTarget, type WordAt } from "./picking";
import { LatestOnly, wordsOf } from "./preview";
import { findingTarget, outlineSelectors, StaleRuns, type QaView } from "./qa";
import type { LayerActions } from "./types";

/** Figures the end-to-end test reads: keystroke-to-preview latencies and start-up time. */
export interface Metrics {
  latencies: number[];
  startupMs: number | null;
  previewLoads: number;
  engineMs: number[];
  roundTripMs: number[];
  frameLoadMs: number[];
  /** From the input event to its edit applied to the document (the editor's serialization, the UI's handlers). */
  inputMs: number[];
  /** Round trips of the QA runs whose result was shown. */
  qaMs: number[];
}

/** What the preview shows: changes together, so one edit loads one new version. */
export interface PreviewView {
  html: string | null;
  selected: string | null;
  dark: boolean;
  /** Selectors of the elements the picked QA finding is about, outlined in the preview. */
  outline: readonly string[];
}

/** The QA finding picked in the panel: its block is selected, its field pointed at. */
export interface QaFocus {
  finding: Finding;
  block: string;
  field: string | null;
}

/** The column ("Add here") that palette clicks add blocks into. */
export interface AddTarget {
  parent: string;
  slot: string;
}

export type InspectorTab = "block" | "email";

export interface DesignState {
  /** The email open (its file name), or null when the workspace has none. */
  emailName: string | null;
  doc: Document;
  selected: string | null;
  canUndo: boolean;
  canRedo: boolean;
  /** The newest render's answer: report, problems, subject and preheader as sent. */
  preview: Preview | null;
  view: PreviewView;
  /** The QA panel: the newest QA of the document as previewed. */
  qa: QaView;
  /** The finding picked in the QA panel (cleared by the next edit). */
  focus: QaFocus | null;
  /** Preview width in pixels: 600 (desktop) or 375 (mobile). */
  width: number;
  dark: boolean;
  tab: InspectorTab;
  target: AddTarget | null;
  saveStatus: SaveStatus;
  /** The first preview has loaded: the editor is interactive. */
  ready: boolean;
  /**
   * The field a double click in the preview opened, and the word clicked in it (null: at the end
   * of its text); `nonce` grows with each request.
   */
  openField: { block: string; field: string; nonce: number; at: WordAt | null } | null;
}

/** The keys of a key press the designer cares about. */
export interface KeyPress {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
}

export type DesignerApi = Pick<typeof api, "saveEmail" | "renderPreview" | "qaPreview" | "startupMs">;

export const EMPTY_DOCUMENT: Document = { schema_version: 1, name: "", subject: "", preheader: "", blocks: [] };

export class Designer extends Observable<DesignState> {
  readonly editor = new Editor(EMPTY_DOCUMENT);
  readonly metrics: Metrics = { latencies: [], startupMs: null, previewLoads: 0, engineMs: [], roundTripMs: [], frameLoadMs: [], inputMs: [], qaMs: [] };
  /** The clock of the figures (tests replace it). */
  now: () => number = () => performance.now();
  /** The block types the palette offers (the workspace's). */
  types: readonly BlockTypeInfo[] = [];
  readonly #saver: Autosaver<{ name: string; doc: Document }>;
  readonly #renders: LatestOnly<PreviewRequest, Preview>;
  readonly #qa: StaleRuns<PreviewRequest, QaReport | null>;
  /** The request of the render that is loading into the preview: its QA runs once it shows. */
  #qaNext: PreviewRequest | null = null;
  /** True while a document is being loaded (not an edit: nothing to save). */
  #loading = false;
  /** When the oldest edit not yet in the preview happened (the `now` clock). */
  #measureFrom: number | null = null;

  constructor(
    private readonly api: DesignerApi,
    /** Whom the preview renders as. */
    private readonly profile: () => PreviewAs,
    private readonly onFail: (e: unknown) => void,
    autosaveMs = 700,
    /** How long after a preview shows its QA starts (a newer edit in between cancels it). */
    qaDelayMs = 120,
  ) {
    super({
      emailName: null,
      doc: EMPTY_DOCUMENT,
      selected: null,
      canUndo: false,
      canRedo: false,
      preview: null,
      view: { html: null, selected: null, dark: false, outline: [] },
      qa: { report: null, checking: false },
      focus: null,
      width: 600,
      dark: false,
      tab: "email",
      target: null,
      saveStatus: "saved",
      ready: false,
      openField: null,
    });
    this.#saver = new Autosaver(async ({ name, doc }) => void (await api.saveEmail(name, doc)), autosaveMs, (saveStatus) => this.update({ saveStatus }));
    this.#renders = new LatestOnly<PreviewRequest, Preview>(
      async (req) => {
        const t = this.now();
        const res = await api.renderPreview(req);
        this.metrics.roundTripMs.push(this.now() - t);
        return res;
      },
      (res, req) => {
        this.metrics.engineMs.push(res.engine_ms);
        if (res.html !== undefined && res.html !== null) {
          this.#qaNext = req;
          const outline = this.value.focus === null ? [] : this.value.view.outline;
          this.update({ preview: res, view: { html: res.html, selected: this.editor.selected, dark: this.value.dark, outline } });
        } else {
          // Nothing renders, so nothing to check: the report's problems say why.
          this.#qaNext = null;
          this.#qa.cancel();
          this.update({ preview: res, qa: { report: null, checking: false } });
          this.#measureFrom = null; // nothing new to show: the report shows why
        }
      },
      (e) => onFail(e),
    );
    this.#qa = new StaleRuns<PreviewRequest, QaReport | null>(
      async (req) => {
        const t = this.now();
        const res = await api.qaPreview(req);
        this.metrics.qaMs.push(this.now() - t);
        return res;
      },
      (report) => this.update({ qa: { report, checking: false } }),
      (e) => {
        this.update({ qa: { ...this.value.qa, checking: false } });
        onFail(e);
      },
      qaDelayMs,
    );
    this.editor.subscribe(() => this.#editorChanged());
  }

  #editorChanged(): void {
    const was = this.value;
    const changed = this.editor.doc !== was.doc;
    const selected = this.editor.selected;
    const patch: Partial<DesignState> = { doc: this.editor.doc, selected, canUndo: this.editor.canUndo, canRedo: this.editor.canRedo };
    // A newly selected block opens its inspector; edits elsewhere (email settings) stay where they are.
    if (selected !== was.selected && selected !== null) patch.tab = "block";
    // A field opened by a double click is opened once: another selection forgets it.
    if (selected !== was.selected) patch.openField = null;
    if (!changed && was.view.selected !== selected) patch.view = { ...was.view, selected };
    if (changed) {
      // A newer edit: the QA of the older version (waiting or running) is dropped, and the finding
      // picked may be gone.
      this.#qa.cancel();
      this.#qaNext = null;
      patch.qa = { ...was.qa, checking: true };
      patch.focus = null;
    }
    this.update(patch);
    if (changed) {
      this.render();
      const name = this.value.emailName;
      if (name !== null && !this.#loading) this.#saver.schedule({ name, doc: this.editor.doc });
    }
  }

  /** Asks for a render of the document as it is, as the chosen profile (newest request only). */
  render(): void {
    this.#renders.request({ document: this.editor.doc, profile: this.profile(), email: this.value.emailName ?? undefined });
  }

  /** Another profile was chosen: render as it, and time that render like an edit. */
  profileChanged(): void {
    this.#measureFrom = this.now();
    this.#qa.cancel();
    this.update({ qa: { ...this.value.qa, checking: true } });
    this.render();
  }

  /** Opens a document (another email, or none): history starts over and nothing is saved. */
  load(name: string | null, doc: Document): void {
    this.update({ emailName: name, target: null, tab: "email" });
    this.#loading = true;
    try {
      this.editor.load(doc);
    } finally {
      this.#loading = false;
    }
  }

  /** Saves pending edits now and waits for every save (before switching emails or screens). */
  flush(): Promise<void> {
    return this.#saver.flush();
  }

  /** Applies an edit; `at` is when the user made it (for the keystroke-to-preview figure). */
  edit(f: (doc: Document) => Document, options: EditOptions = {}, at: number = this.now()): void {
    if (!this.editor.apply(f, options)) return;
    this.metrics.inputMs.push(this.now() - at);
    this.#measureFrom ??= at;
  }

  select(id: string | null): void {
    this.editor.select(id);
  }

  readonly #picks = new PickTimer();

  /**
   * A block clicked in the preview (`word`: the index of the word clicked in its text, as the
   * preview numbers them): selected; a double click opens its text for editing, at that word.
   */
  pick(id: string, word: number | null = null): void {
    this.select(id);
    if (!this.#picks.pick(id, this.now())) return;
    const html = this.value.view.html;
    const target = word === null || html === null ? null : wordTarget(this.editor.doc, this.types, id, wordsOf(html, id), word);
    const field = target?.field ?? fieldToOpen(this.editor.doc, this.types, id);
    const nonce = (this.value.openField?.nonce ?? 0) + 1;
    if (field !== null) this.update({ tab: "block", openField: { block: id, field, nonce, at: target?.at ?? null } });
  }

  undo(): void {
    this.editor.undo();
  }

  redo(): void {
    this.editor.redo();
  }

  /** A new version is showing in the preview, after `loadMs` in the frame: now its QA may run. */
  previewLoaded(loadMs: number): void {
    if (this.#qaNext !== null) {
      this.#qa.schedule(this.#qaNext);
      this.#qaNext = null;
    }
    this.metrics.previewLoads++;
    this.metrics.frameLoadMs.push(loadMs);
    if (this.#measureFrom !== null) {
      this.metrics.latencies.push(this.now() - this.#measureFrom);
      this.#measureFrom = null;
    }
    if (!this.value.ready) {
      this.update({ ready: true });
      void this.api.startupMs().then((ms) => (this.metrics.startupMs = ms));
    }
  }

  /**
   * A finding picked in the QA panel: selects its block (a nested block's own, for a `child.field`
   * finding), opens the inspector at its field, and outlines in the preview what it is about.
   */
  focusFinding(f: Finding): void {
    const target = findingTarget(f);
    if (target === null || d.find(this.editor.doc, target.block) === null) return;
    this.select(target.block);
    this.update({
      focus: { finding: f, block: target.block, field: target.field },
      tab: "block",
      view: { ...this.value.view, outline: outlineSelectors(f) },
    });
  }

  setWidth(width: number): void {
    this.update({ width });
  }

  toggleDark(): void {
    const dark = !this.value.dark;
    this.update({ dark, view: { ...this.value.view, dark } });
  }

  setTab(tab: InspectorTab): void {
    this.update({ tab });
  }

  /** Palette clicks add into this column (null: to the end of the email). */
  setTarget(target: AddTarget | null): void {
    this.update({ target });
  }

  /** Adds a block of this type at `place`, else into the chosen column, else at the end. */
  addBlock(t: BlockTypeInfo, place?: d.Place): void {
    const doc = this.editor.doc;
    const block = d.newBlock(doc, t);
    const target = this.value.target;
    const into = target !== null && d.find(doc, target.parent) !== null ? { ...target, index: Number.MAX_SAFE_INTEGER } : undefined;
    this.edit((cur) => d.insert(cur, block, place ?? into), { select: block.id });
  }

  addById(typeId: string, place?: d.Place): void {
    const t = this.types.find((x) => x.id === typeId);
    if (t !== undefined) this.addBlock(t, place);
  }

  duplicate(id: string): void {
    const copy = d.duplicate(this.editor.doc, id);
    if (copy.id !== null) this.edit(() => copy.doc, { select: copy.id });
  }

  remove(id: string): void {
    this.edit((cur) => d.remove(cur, id));
  }

  /** What the structure list can ask. */
  readonly layerActions: LayerActions = {
    select: (id) => this.select(id),
    moveBy: (id, delta) => this.edit((cur) => d.moveBy(cur, id, delta)),
    duplicate: (id) => this.duplicate(id),
    remove: (id) => this.remove(id),
    drop: (payload, place) => {
      if (payload.block !== undefined) this.edit((cur) => d.move(cur, payload.block ?? "", place));
      else if (payload.type !== undefined) this.addById(payload.type, place);
    },
    target: (parent, slot) => this.setTarget({ parent, slot }),
  };

  /** A block field typed in the inspector; a burst of typing in one field is one undo step. */
  setField(id: string, name: string, value: JsonValue, def: JsonValue, at?: number): void {
    this.edit((cur) => d.setField(cur, id, name, value, def), { coalesce: `${id}/${name}` }, at);
  }

  setRule(id: string, which: "show_if" | "hide_if", rule: string, at?: number): void {
    this.edit((cur) => d.setRule(cur, id, which, rule), { coalesce: `${id}/${which}` }, at);
  }

  /** On which screens the block shows (desktop only, mobile only, or all). */
  setDevice(id: string, device: Device): void {
    this.edit((cur) => setDevice(cur, id, device));
  }

  /** One part of the block's dark-mode look; typing in one part is one undo step. */
  setDark(id: string, part: DarkPart, value: string, at?: number): void {
    this.edit((cur) => setDark(cur, id, part, value), { coalesce: `${id}/dark.${part}` }, at);
  }

  /** The block's live feed and how long an answer may be kept; `null` makes it static again. */
  setLive(id: string, live: LiveSpec | null, at?: number): void {
    this.edit((cur) => d.setLive(cur, id, live), { coalesce: `${id}/live` }, at);
  }

  /** The block's fallback: "hide" (show nothing) or a new block of that type id. */
  setFallback(id: string, typeId: string): void {
    if (typeId === "hide") {
      this.edit((cur) => d.setFallback(cur, id, "hide"));
      return;
    }
    const t = this.types.find((x) => x.id === typeId);
    if (t !== undefined) this.edit((cur) => d.setFallback(cur, id, d.newBlock(cur, t)));
  }

  setText(which: "name" | "subject" | "preheader", text: string, at?: number): void {
    this.edit((cur) => d.setText(cur, which, text), { coalesce: `doc/${which}` }, at);
  }

  setSetting(name: string, value: JsonValue, brandValue: JsonValue, at?: number): void {
    this.edit((cur) => d.setSetting(cur, name, value, brandValue), { coalesce: `settings/${name}` }, at);
  }

  /**
   * A key pressed on the Design screen (`inField`: while typing in a field). Undo/redo shortcuts;
   * outside fields the block keys of `picking.ts` (arrows, Alt+arrows, Ctrl+D, Delete, Escape).
   * Returns true when the key was used (the browser's default is then prevented).
   */
  key(e: KeyPress, inField: boolean): boolean {
    const which = historyShortcut(e);
    if (which !== null) {
      const at = this.now();
      if (which === "undo" ? this.editor.undo() : this.editor.redo()) this.#measureFrom ??= at;
      return true;
    }
    if (inField) return false;
    const selected = this.value.selected;
    const action = blockKey(e, this.editor.doc, selected);
    if (action === null) return false;
    switch (action.kind) {
      case "select":
        this.select(action.id);
        break;
      case "move":
        if (selected !== null) this.layerActions.moveBy(selected, action.delta);
        break;
      case "duplicate":
        if (selected !== null) this.duplicate(selected);
        break;
      case "remove":
        if (selected !== null) this.remove(selected);
        break;
    }
    return true;
  }
}
