// The Design screen's QA panel logic: when a pre-send QA runs (after the preview it checks is
// showing, newest edit only), how its findings are grouped (by block, in document order) and the
// per-client matrix of the email's client-support findings, and which preview elements a finding
// is about. Framework-free and unit-tested; the panel (components/QaPanel.svelte) only draws it.
import type { Finding } from "../bindings/Finding";
import type { Level } from "../bindings/Level";
import type { QaReport } from "../bindings/QaReport";

/** What the QA panel shows: the newest finished QA, and whether a newer one is running. */
export interface QaView {
  /** The newest QA that finished for the document as shown (null: none yet, or it cannot render). */
  report: QaReport | null;
  /** A QA of a newer edit is scheduled or running: the report shown is of an older version. */
  checking: boolean;
}

/**
 * Runs the QA after the preview it checks is showing, never in the way of the next preview: a run
 * starts `delayMs` after it is scheduled, and every newer schedule or cancel (a newer edit) bumps a
 * sequence number, so an older run that is still waiting never starts and one that finishes late
 * is discarded.
 */
export class StaleRuns<Req, Res> {
  #seq = 0;
  #timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly run: (req: Req) => Promise<Res>,
    private readonly done: (res: Res) => void,
    private readonly failed: (e: unknown) => void,
    private readonly delayMs = 120,
  ) {}

  /** The sequence number of the newest schedule or cancel. */
  get seq(): number {
    return this.#seq;
  }

  /** Runs the QA of `req` in a moment, unless something newer comes first. */
  schedule(req: Req): void {
    const seq = this.cancel();
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.#start(req, seq);
    }, this.delayMs);
  }

  /** Forgets the scheduled or running QA (its result will be discarded); returns the new number. */
  cancel(): number {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    return ++this.#seq;
  }

  async #start(req: Req, seq: number): Promise<void> {
    if (seq !== this.#seq) return;
    try {
      const res = await this.run(req);
      if (seq === this.#seq) this.done(res);
    } catch (e) {
      if (seq === this.#seq) this.failed(e);
    }
  }
}

/** The findings of one block (or of the whole email: `block` null). */
export interface BlockGroup {
  block: string | null;
  findings: Finding[];
  errors: number;
  warnings: number;
}

/** Whether a finding counts: ignored ones (with their `[qa]` reason) are shown but never counted. */
const counts = (f: Finding, level: Level): boolean => f.level === level && f.ignored === undefined;

/**
 * Findings grouped by block, blocks in the document's order (`order`: its top-level block ids),
 * then blocks it no longer has, then the whole email's findings; within a group, errors first.
 */
export function groupByBlock(findings: readonly Finding[], order: readonly string[]): BlockGroup[] {
  const groups = new Map<string | null, Finding[]>();
  for (const f of findings) {
    const key = f.block ?? null;
    const list = groups.get(key) ?? [];
    list.push(f);
    groups.set(key, list);
  }
  const rank = (k: string | null): number => (k === null ? Number.MAX_SAFE_INTEGER : order.includes(k) ? order.indexOf(k) : order.length);
  const weight: Record<Level, number> = { error: 0, warning: 1, info: 2 };
  return [...groups.entries()]
    .sort(([a], [b]) => rank(a) - rank(b))
    .map(([block, list]) => {
      const sorted = [...list].sort((x, y) => weight[x.level] - weight[y.level] || x.line - y.line);
      return {
        block,
        findings: sorted,
        errors: sorted.filter((f) => counts(f, "error")).length,
        warnings: sorted.filter((f) => counts(f, "warning")).length,
      };
    });
}

/** A cell of the client matrix: not affected, partly supported (amber), unsupported (red). */
export type Cell = "ok" | "amber" | "red";

/** One row of the client matrix: a client-support finding across the email's clients. */
export interface MatrixRow {
  finding: Finding;
  /** In the order of the report's `clients`. */
  cells: Cell[];
}

/** The whole email's client-support findings (not ignored) against every client checked. */
export interface ClientMatrix {
  clients: string[];
  rows: MatrixRow[];
  /** Per client (same order): how many rows are red and amber. */
  red: number[];
  amber: number[];
}

export function clientMatrix(report: QaReport): ClientMatrix {
  const rows: MatrixRow[] = report.findings
    .filter((f) => f.category === "support" && f.ignored === undefined)
    .map((finding) => {
      const affected = new Set(finding.clients ?? []);
      const bad: Cell = finding.level === "error" ? "red" : "amber";
      return { finding, cells: report.clients.map((c) => (affected.has(c) ? bad : "ok")) };
    });
  return {
    clients: report.clients,
    rows,
    red: report.clients.map((_, i) => rows.filter((r) => r.cells[i] === "red").length),
    amber: report.clients.map((_, i) => rows.filter((r) => r.cells[i] === "amber").length),
  };
}

/** Where clicking a finding goes: the block to select and the field to point at in the inspector. */
export function findingTarget(f: Finding): { block: string; field: string | null } | null {
  if (f.block === undefined) return null;
  const field = f.field ?? null;
  // A nested block's field is `child-id.field`: select the child, point at its field.
  const dot = field === null ? -1 : field.indexOf(".");
  if (field !== null && dot > 0) return { block: field.slice(0, dot), field: field.slice(dot + 1) };
  return { block: f.block, field };
}

const ID = /^[a-z][a-z0-9_-]*$/;

/**
 * CSS selectors (inside the preview's own style sheet, the frame runs no script) for the elements
 * of the preview a finding is about: within its block, the elements whose inline style has the
 * declaration (`display: flex`) or the element named (`<video>`); the whole block otherwise.
 * Empty when the finding has no block.
 */
export function outlineSelectors(f: Finding): string[] {
  const block = f.block;
  if (block === undefined || !ID.test(block)) return [];
  const scope = `.tsr-block[data-tsr-block="${block}"]`;
  const subject = (f.subject ?? "").trim();
  const element = /^<([a-z][a-z0-9-]*)>$/i.exec(subject);
  if (element?.[1] !== undefined) return [`${scope} ${element[1].toLowerCase()}`];
  const decl = /^([a-z-]+)\s*:\s*([^;"\\<>{}]+)$/i.exec(subject);
  if (decl?.[1] !== undefined && decl[2] !== undefined) {
    const prop = decl[1].toLowerCase();
    const value = decl[2].trim();
    return [`${scope} [style*="${prop}:${value}" i]`, `${scope} [style*="${prop}: ${value}" i]`];
  }
  return [scope];
}

/** One coverage case's QA at a glance: what counts (ignored findings don't) and what fails. */
export interface CaseQa {
  errors: number;
  warnings: number;
  /** The findings that fail under the workspace's `[qa]` settings. */
  failing: Finding[];
  fails: boolean;
}

export function caseQa(report: QaReport): CaseQa {
  return {
    errors: report.findings.filter((f) => counts(f, "error")).length,
    warnings: report.findings.filter((f) => counts(f, "warning")).length,
    failing: report.findings.filter((f) => f.fails),
    fails: report.fails,
  };
}
