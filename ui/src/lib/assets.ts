// The asset library's state: the workspace's images and fonts (`assets/`), adding files (chosen,
// pasted or dropped on the window), removing unused ones. Framework-free, unit-tested over a fake api.
import type { AddedAsset } from "../bindings/AddedAsset";
import type { AssetInfo } from "../bindings/AssetInfo";
import { Observable } from "./observable";

/** What the library needs from Rust. */
export interface AssetsApi {
  listAssets: () => Promise<AssetInfo[]>;
  addAsset: (name: string, bytes: number[], displayWidth: number | null) => Promise<AddedAsset>;
  addAssetFiles: (paths: string[], displayWidth: number | null) => Promise<AddedAsset[]>;
  removeAsset: (name: string) => Promise<null>;
  pruneAssets: () => Promise<string[]>;
}

export interface AssetsState {
  assets: AssetInfo[];
  /** The last thing that happened, in a designer's words (added, refused, removed). */
  note: string | null;
  /** True when the note reports a refusal. */
  failed: boolean;
  busy: boolean;
}

/** The prefix of asset paths in fields: `assets/<name>`. */
export const ASSET_PREFIX = "assets/";

/** The address the app's window loads an asset from (the read-only `tessera-asset:` protocol). */
export function assetUrl(pathOrName: string): string {
  const name = pathOrName.startsWith(ASSET_PREFIX) ? pathOrName.slice(ASSET_PREFIX.length) : pathOrName;
  const windows = typeof navigator !== "undefined" && /Windows/i.test(navigator.userAgent);
  return windows ? `http://tessera-asset.localhost/${name}` : `tessera-asset://localhost/${name}`;
}

/** Whether a field value names a library asset. */
export function isAssetPath(value: string): boolean {
  return /^assets\/[a-z0-9][a-z0-9_-]*\.(png|jpg|gif|webp|woff2|woff|ttf|otf)$/.test(value.trim());
}

/** A weight for people: 12.3 KB, 1.2 MB. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

function describe(added: AddedAsset): string {
  if (added.existed) return `${added.asset.path} was already in the library`;
  if (added.scaled_from !== null) return `Added ${added.asset.path} (scaled from ${added.scaled_from} px to ${added.asset.width ?? "?"} px wide)`;
  return `Added ${added.asset.path}`;
}

export class AssetLibrary extends Observable<AssetsState> {
  /** The width images are shown at when a field knows no better (the email's width, in pixels). */
  displayWidth = 600;

  constructor(private readonly api: AssetsApi) {
    super({ assets: [], note: null, failed: false, busy: false });
  }

  async refresh(): Promise<void> {
    try {
      this.update({ assets: await this.api.listAssets() });
    } catch (e) {
      this.update({ note: message(e), failed: true });
    }
  }

  /** Adds files' bytes (chosen or pasted); returns the added assets (refusals are noted). */
  async addFiles(files: readonly { name: string; bytes: Uint8Array }[], displayWidth: number | null): Promise<AddedAsset[]> {
    const out: AddedAsset[] = [];
    this.update({ busy: true });
    for (const f of files) {
      try {
        const added = await this.api.addAsset(f.name, Array.from(f.bytes), displayWidth);
        out.push(added);
        this.update({ note: describe(added), failed: false });
      } catch (e) {
        this.update({ note: message(e), failed: true });
      }
    }
    this.update({ busy: false });
    await this.refresh();
    return out;
  }

  /** Adds files dropped on the window, by path. */
  async addPaths(paths: string[], displayWidth: number | null): Promise<AddedAsset[]> {
    this.update({ busy: true });
    try {
      const added = await this.api.addAssetFiles(paths, displayWidth);
      this.update({ note: added.map(describe).join("; "), failed: false });
      return added;
    } catch (e) {
      this.update({ note: message(e), failed: true });
      return [];
    } finally {
      this.update({ busy: false });
      await this.refresh();
    }
  }

  async remove(name: string): Promise<void> {
    try {
      await this.api.removeAsset(name);
      this.update({ note: `Removed assets/${name}`, failed: false });
    } catch (e) {
      this.update({ note: message(e), failed: true });
    }
    await this.refresh();
  }

  async pruneUnused(): Promise<void> {
    try {
      const removed = await this.api.pruneAssets();
      this.update({ note: removed.length === 0 ? "Every asset is in use" : `Removed ${removed.length} unused asset(s)`, failed: false });
    } catch (e) {
      this.update({ note: message(e), failed: true });
    }
    await this.refresh();
  }
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
