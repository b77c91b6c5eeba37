// "Import email…": pick an HTML or MJML file, see what importing it would make (the report: where
// every element went, the merge tags and the field mapping against the data dictionary), then
// import it. The Rust side is `tessera import-email`'s use case; nothing is written before "Import".
import type { ImportedEmail } from "../bindings/ImportedEmail";
import type { MappingEntry } from "../bindings/MappingEntry";
import type { api } from "./ipc";
import { Observable } from "./observable";

export type ImportEmailApi = Pick<typeof api, "chooseEmailFile" | "previewEmailImport" | "importEmail">;

export interface ImportEmailState {
  open: boolean;
  path: string | null;
  name: string;
  /** A mapping file (`[fields]` of "ESP name" = "data.path"), or empty. */
  map: string;
  overwrite: boolean;
  preview: ImportedEmail | null;
  busy: boolean;
  error: string | null;
  /** The email written, once imported. */
  imported: ImportedEmail | null;
  /** Whether the visual comparison (Chromium drawing both emails) is running. */
  comparing: boolean;
}

/** One row of the mapping shown against the dictionary. */
export interface MappingRow {
  espName: string;
  path: string | null;
  source: string;
  /** Whether the path is a field of the data dictionary. */
  inDictionary: boolean;
}

/** The mapping of a preview, each path checked against the dictionary; unmapped names first. */
export function mappingRows(preview: ImportedEmail): MappingRow[] {
  const dictionary = new Set(preview.dictionary);
  const rows = preview.report.mapping.map((m: MappingEntry) => ({
    espName: m.esp_name,
    path: m.path,
    source: m.source,
    inDictionary: m.path !== null && dictionary.has(m.path),
  }));
  return rows.sort((a, b) => Number(a.path !== null) - Number(b.path !== null) || a.espName.localeCompare(b.espName));
}

export class ImportEmailDialog extends Observable<ImportEmailState> {
  readonly #api: ImportEmailApi;

  constructor(api: ImportEmailApi) {
    super({ open: false, path: null, name: "", map: "", overwrite: false, preview: null, busy: false, error: null, imported: null, comparing: false });
    this.#api = api;
  }

  toggle(): void {
    this.update({ open: !this.value.open, error: null });
  }

  close(): void {
    this.update({ open: false });
  }

  setName(name: string): void {
    this.update({ name });
  }

  setMap(map: string): void {
    this.update({ map });
  }

  setOverwrite(overwrite: boolean): void {
    this.update({ overwrite });
  }

  /** Asks for the file, then shows what importing it would make. */
  async choose(): Promise<void> {
    const path = await this.#api.chooseEmailFile();
    if (path === null) return;
    this.update({ path, preview: null, imported: null });
    await this.refresh();
  }

  /** A file typed or pasted as a path, then its preview. */
  async setPath(path: string): Promise<void> {
    const trimmed = path.trim();
    this.update({ path: trimmed === "" ? null : trimmed, preview: null, imported: null });
    await this.refresh();
  }

  /** The preview again (after the mapping file changed). */
  async refresh(): Promise<void> {
    const { path, name, map } = this.value;
    if (path === null) return;
    this.update({ busy: true, error: null });
    try {
      const preview = await this.#api.previewEmailImport(path, name.trim() || null, map.trim() || null, false);
      this.update({ preview, busy: false });
    } catch (e) {
      this.update({ busy: false, preview: null, error: e instanceof Error ? e.message : String(e) });
    }
  }

  /** The preview with the visual difference: the original and the import drawn by Chromium. */
  async compare(): Promise<void> {
    const { path, name, map } = this.value;
    if (path === null) return;
    this.update({ busy: true, comparing: true, error: null });
    try {
      const preview = await this.#api.previewEmailImport(path, name.trim() || null, map.trim() || null, true);
      this.update({ preview, busy: false, comparing: false });
    } catch (e) {
      // The preview stays; the error says why there is no difference (e.g. Chromium is missing).
      this.update({ busy: false, comparing: false, error: e instanceof Error ? e.message : String(e) });
    }
  }

  /** Imports the email; the written email's name, or null when it failed (the error is shown). */
  async confirm(): Promise<string | null> {
    const { path, name, map, overwrite } = this.value;
    if (path === null) return null;
    this.update({ busy: true, error: null });
    try {
      const imported = await this.#api.importEmail(path, name.trim() || null, map.trim() || null, overwrite);
      this.update({ imported, busy: false });
      return imported.email;
    } catch (e) {
      this.update({ busy: false, error: e instanceof Error ? e.message : String(e) });
      return null;
    }
  }
}
