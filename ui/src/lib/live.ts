// The Live data screen's state: the collector running inside the app (start/stop on a loopback
// port), its URL, counters and keys, and a table of the calls it stores as they arrive (newest
// first, the last 200). It lives in the app frame, so the table keeps filling while another screen
// is shown; the preview's re-render when its stored profile changes is the frame's (app.ts).
// Framework-free: Live.svelte renders it.
import type { Activity } from "../bindings/Activity";
import type { KeyKind } from "../bindings/KeyKind";
import type { LiveStatus } from "../bindings/LiveStatus";
import type { api } from "./ipc";
import { Observable } from "./observable";

/** Rows the table keeps. */
export const TABLE_ROWS = 200;

export type LiveApi = Pick<typeof api, "liveStatus" | "liveStart" | "liveStop" | "liveCreateKey" | "liveRevokeKey">;

export interface LiveState {
  status: LiveStatus | null;
  /** The port typed (0: a free one). */
  port: string;
  /** Start or stop in progress. */
  busy: boolean;
  /** Newest first. */
  rows: Activity[];
  /** Calls received since the screen started listening (all of them, not only the rows kept). */
  received: number;
  /** A key just created: its secret is shown once. */
  newKey: { kind: KeyKind; secret: string } | null;
}

/** A port as typed, or null when it is not one. */
export function parsePort(text: string): number | null {
  const t = text.trim();
  if (!/^\d{1,5}$/.test(t)) return null;
  const n = Number(t);
  return n <= 65535 ? n : null;
}

/** One row's "what": the call and its events (`track: purchase, purchase`). */
export function describe(row: Activity): string {
  return row.events.length > 0 ? `${row.call}: ${row.events.join(", ")}` : row.call;
}

/** A curl line that sends a test event to the collector with a write key. */
export function curlExample(url: string, secret: string): string {
  const body = JSON.stringify({ userId: "user-1", event: "Product Viewed", properties: { sku: "SKU-1" } });
  return `curl -u '${secret}:' -H 'Content-Type: application/json' -d '${body}' ${url}/v1/track`;
}

export class LiveScreen extends Observable<LiveState> {
  constructor(
    private readonly api: LiveApi,
    private readonly fail: (e: unknown) => void,
  ) {
    super({ status: null, port: "8787", busy: false, rows: [], received: 0, newKey: null });
  }

  get running(): boolean {
    return this.value.status?.url != null;
  }

  /** Reads the status (counters, keys) again. */
  async refresh(): Promise<void> {
    try {
      this.update({ status: await this.api.liveStatus() });
    } catch (e) {
      this.fail(e);
    }
  }

  setPort(port: string): void {
    this.update({ port });
  }

  async start(): Promise<void> {
    const port = parsePort(this.value.port);
    if (port === null) {
      this.fail(new Error(`"${this.value.port}" is not a port: type a number from 0 (any free port) to 65535`));
      return;
    }
    await this.#busy(() => this.api.liveStart(port));
  }

  async stop(): Promise<void> {
    await this.#busy(() => this.api.liveStop());
  }

  async createKey(kind: KeyKind): Promise<void> {
    try {
      const key = await this.api.liveCreateKey(kind);
      this.update({ newKey: { kind: key.kind, secret: key.secret } });
      await this.refresh();
    } catch (e) {
      this.fail(e);
    }
  }

  async revoke(id: number): Promise<void> {
    try {
      this.update({ status: await this.api.liveRevokeKey(id) });
    } catch (e) {
      this.fail(e);
    }
  }

  /** Calls the collector stored (a `live-activity` event). */
  arrived(rows: Activity[]): void {
    if (rows.length === 0) return;
    const newest = [...rows].reverse();
    this.update({ rows: [...newest, ...this.value.rows].slice(0, TABLE_ROWS), received: this.value.received + rows.length });
  }

  clear(): void {
    this.update({ rows: [], received: 0 });
  }

  async #busy(f: () => Promise<LiveStatus>): Promise<void> {
    if (this.value.busy) return;
    this.update({ busy: true });
    try {
      this.update({ status: await f() });
    } catch (e) {
      this.fail(e);
    } finally {
      this.update({ busy: false });
    }
  }
}
