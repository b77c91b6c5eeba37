// Typed calls to the Rust commands (src-tauri/src/command_list.rs). Every type comes from the
// generated bindings, the command names too (`Command`), so a command Rust does not register fails
// the type check; errors arrive as `{code, message}` and are rebuilt as `TesseraError`.
import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import type { Document } from "../bindings/Document";
import type { EmailFile } from "../bindings/EmailFile";
import type { Pick } from "../bindings/Pick";
import type { Command } from "../bindings/Command";
import type { ErrorKind } from "../bindings/ErrorKind";
import { ERROR_KINDS } from "../bindings/errorKinds";
import type { Target } from "../bindings/Target";
import type { IpcError } from "../bindings/IpcError";
import type { Preview } from "../bindings/Preview";
import type { PreviewRequest } from "../bindings/PreviewRequest";
import type { QaReport } from "../bindings/QaReport";
import type { ProfileHit } from "../bindings/ProfileHit";
import type { SaveResult } from "../bindings/SaveResult";
import type { WorkspaceSummary } from "../bindings/WorkspaceSummary";
import type { BlockTypeUsage } from "../bindings/BlockTypeUsage";
import type { Coverage } from "../bindings/Coverage";
import type { DraftCount } from "../bindings/DraftCount";
import type { ImportPreview } from "../bindings/ImportPreview";
import type { ImportReport } from "../bindings/ImportReport";
import type { ImportedEmail } from "../bindings/ImportedEmail";
import type { OutboxItem } from "../bindings/OutboxItem";
import type { OutboxMessage } from "../bindings/OutboxMessage";
import type { ProfileCard } from "../bindings/ProfileCard";
import type { ProfileSummary } from "../bindings/ProfileSummary";
import type { SegmentInfo } from "../bindings/SegmentInfo";
import type { SendForm } from "../bindings/SendForm";
import type { SendReport } from "../bindings/SendReport";
import type { SendSetup } from "../bindings/SendSetup";
import type { TargetExport } from "../bindings/TargetExport";
import type { JsonValue } from "../bindings/serde_json/JsonValue";
import type { EmailDiff } from "../bindings/EmailDiff";
import type { HistoryView } from "../bindings/HistoryView";
import type { Restored } from "../bindings/Restored";
import type { SavedVersion } from "../bindings/SavedVersion";
import type { WorkProgress } from "../bindings/WorkProgress";
import type { AddedAsset } from "../bindings/AddedAsset";
import type { AssetInfo } from "../bindings/AssetInfo";
import type { Activity } from "../bindings/Activity";
import type { KeyKind } from "../bindings/KeyKind";
import type { LiveStatus } from "../bindings/LiveStatus";
import type { NewKey } from "../bindings/NewKey";

/** A failed command, with the code Rust gave it. */
export class TesseraError extends Error {
  readonly code: ErrorKind;
  constructor(e: IpcError) {
    super(e.message);
    this.code = e.code;
  }
}

function isIpcError(e: unknown): e is IpcError {
  if (typeof e !== "object" || e === null) return false;
  const o = e as { code?: unknown; message?: unknown };
  return typeof o.message === "string" && typeof o.code === "string" && (ERROR_KINDS as readonly string[]).includes(o.code);
}

async function call<T>(command: Command, args: Record<string, unknown> = {}): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (e) {
    if (isIpcError(e)) throw new TesseraError(e);
    throw new TesseraError({ code: "internal", message: e instanceof Error ? e.message : String(e) });
  }
}

/** A headline for an error, in a designer's words; the message holds the details. */
export function headline(e: unknown): string {
  const code = e instanceof TesseraError ? e.code : "internal";
  switch (code) {
    case "not_a_workspace":
      return "That folder is not a Tessera workspace";
    case "email_not_found":
      return "That email could not be found";
    case "invalid_document":
      return "This email has a mistake Tessera cannot render";
    case "bad_name":
      return "Choose another name";
    case "read_only":
      return "This workspace cannot be saved to";
    case "profile_not_found":
      return "That recipient could not be found";
    case "io":
      return "A file could not be read or written";
    case "import_refused":
      return "Tessera cannot import that file";
    case "invalid_segment":
      return "This segment rule has a mistake";
    case "cannot_export":
      return "That export target cannot express this email";
    case "send_refused":
      return "The test was not sent";
    case "history":
      return "The version history could not do that";
    case "cancelled":
      return "Cancelled";
    default:
      return "Something went wrong";
  }
}

export const api = {
  workspaceSummary: () => call<WorkspaceSummary>("workspace_summary"),
  chooseWorkspace: () => call<WorkspaceSummary | null>("choose_workspace"),
  loadEmail: (name: string) => call<EmailFile>("load_email", { name }),
  createEmail: (name: string, title: string) => call<EmailFile>("create_email", { name, title }),
  saveEmail: (name: string, document: Document) => call<SaveResult>("save_email", { name, document }),
  renderPreview: (request: PreviewRequest) => call<Preview>("render_preview", { request }),
  qaPreview: (request: PreviewRequest) => call<QaReport | null>("qa_preview", { request }),
  searchProfiles: (query: string) => call<ProfileHit[]>("search_profiles", { query }),
  startupMs: () => call<number>("startup_ms"),
  finishClose: () => call<null>("finish_close"),
  chooseImportFile: () => call<string | null>("choose_import_file"),
  importPreview: (path: string, kind: string) => call<ImportPreview>("import_preview", { path, kind }),
  chooseEmailFile: () => call<string | null>("choose_email_file"),
  previewEmailImport: (path: string, name: string | null, map: string | null, visual: boolean) =>
    call<ImportedEmail>("preview_email_import", { path, name, map, visual }),
  importEmail: (path: string, name: string | null, map: string | null, overwrite: boolean) =>
    call<ImportedEmail>("import_email", { path, name, map, overwrite }),
  importFile: (path: string, kind: string) => call<ImportReport>("import_file", { path, kind }),
  /** Stops the long work running now (import, coverage, test send, saving a version) at its next check. */
  cancelWork: () => call<null>("cancel_work"),
  browseProfiles: (query: string) => call<ProfileSummary[]>("browse_profiles", { query }),
  profileCard: (key: string) => call<ProfileCard>("profile_card", { key }),
  listSegments: () => call<SegmentInfo[]>("list_segments"),
  countSegment: (name: string, definition: JsonValue) => call<DraftCount>("count_segment", { name, definition }),
  saveSegment: (name: string, definition: JsonValue) => call<SaveResult>("save_segment", { name, definition }),
  segmentCoverage: (email: string) => call<Coverage>("segment_coverage", { email }),
  exportTargets: () => call<Target[]>("export_targets"),
  exportEmail: (email: string, targets: Target[]) => call<TargetExport[]>("export_email", { email, targets }),
  saveExport: (email: string, targets: Target[]) => call<string[]>("save_export", { email, targets }),
  sendSetup: () => call<SendSetup>("send_setup"),
  storeSmtpPassword: (profile: string, password: string) => call<null>("store_smtp_password", { profile, password }),
  sendTest: (form: SendForm) => call<SendReport>("send_test", { form }),
  outboxList: () => call<OutboxItem[]>("outbox_list"),
  outboxMessage: (id: string) => call<OutboxMessage>("outbox_message", { id }),
  blockUsage: () => call<[BlockTypeUsage[], string[]]>("block_usage"),
  openBlockFolder: (id: string) => call<string>("open_block_folder", { id }),
  historyOverview: () => call<HistoryView>("history_overview"),
  startVersioning: () => call<HistoryView>("start_versioning"),
  saveVersion: (message: string, author: string | null) => call<SavedVersion>("save_version", { message, author }),
  diffVersions: (email: string, from: string, to: string | null, target: Target | null) => call<EmailDiff>("diff_versions", { email, from, to, target }),
  restoreVersion: (email: string, version: string) => call<Restored>("restore_version", { email, version }),
  listAssets: () => call<AssetInfo[]>("list_assets"),
  addAsset: (name: string, bytes: number[], displayWidth: number | null) => call<AddedAsset>("add_asset", { name, bytes, displayWidth }),
  addAssetFiles: (paths: string[], displayWidth: number | null) => call<AddedAsset[]>("add_asset_files", { paths, displayWidth }),
  removeAsset: (name: string) => call<null>("remove_asset", { name }),
  pruneAssets: () => call<string[]>("prune_assets"),
  liveStatus: () => call<LiveStatus>("live_status"),
  /** Starts the collector on loopback at `port` (0: a free one). */
  liveStart: (port: number) => call<LiveStatus>("live_start", { port }),
  liveStop: () => call<LiveStatus>("live_stop"),
  liveCreateKey: (kind: KeyKind) => call<NewKey>("live_create_key", { kind }),
  liveRevokeKey: (id: number) => call<LiveStatus>("live_revoke_key", { id }),
  onLiveActivity: (f: (rows: Activity[]) => void): Promise<UnlistenFn> => listen<Activity[]>("live-activity", (e) => f(e.payload)),
  onImportProgress: (f: (read: number) => void): Promise<UnlistenFn> => listen<number>("import-progress", (e) => f(e.payload)),
  onWorkProgress: (f: (p: WorkProgress) => void): Promise<UnlistenFn> => listen<WorkProgress>("work-progress", (e) => f(e.payload)),
  onPick: (f: (pick: Pick) => void): Promise<UnlistenFn> => listen<Pick>("preview-pick", (e) => f(e.payload)),
  onCloseRequested: (f: () => void): Promise<UnlistenFn> => listen("flush-and-close", () => f()),
};
