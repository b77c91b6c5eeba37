// The app frame's state: the open workspace, the screen shown, the problem to show, and the moves
// between them (open an email, create one, open another workspace, switch screens), each saving
// pending edits first. It holds the Design screen's state and the top bar's dialogs.
// Framework-free: App.svelte subscribes to it and wires Tauri's events to it.
import type { Activity } from "../bindings/Activity";
import type { WorkspaceSummary } from "../bindings/WorkspaceSummary";
import { Designer, EMPTY_DOCUMENT, type DesignerApi } from "./designer";
import { headline, type api } from "./ipc";
import { LiveScreen, type LiveApi } from "./live";
import { NewEmailDialog } from "./newEmail";
import { Observable } from "./observable";
import { ProfilePicker } from "./profilePicker";
import type { Screen } from "./screens";

/** A failure as the banner shows it: a headline in a designer's words, then Rust's message. */
export interface Problem {
  headline: string;
  message: string;
}

export interface AppState {
  summary: WorkspaceSummary | null;
  screen: Screen;
  problem: Problem | null;
}

export type AppApi = DesignerApi &
  LiveApi &
  Pick<typeof api, "workspaceSummary" | "chooseWorkspace" | "loadEmail" | "createEmail" | "searchProfiles" | "finishClose">;

export class App extends Observable<AppState> {
  readonly designer: Designer;
  readonly picker: ProfilePicker;
  readonly newEmail = new NewEmailDialog();
  readonly live: LiveScreen;

  constructor(private readonly api: AppApi) {
    super({ summary: null, screen: "design", problem: null });
    const fail = (e: unknown): void => this.fail(e);
    this.picker = new ProfilePicker((q) => api.searchProfiles(q), () => this.designer.profileChanged(), fail);
    this.designer = new Designer(api, () => this.picker.profile, fail);
    this.live = new LiveScreen(api, fail);
  }

  /**
   * Calls the live collector stored: into the Live data table, and when one changed the stored
   * profile the preview shows (new data, a segment entered or left), the preview renders again.
   */
  liveActivity(rows: Activity[]): void {
    this.live.arrived(rows);
    const shown = this.picker.profile;
    if (shown.kind !== "stored") return;
    const key = shown.id.toLowerCase();
    if (rows.some((r) => r.status === "stored" && r.email?.toLowerCase() === key)) this.designer.render();
  }

  /** Shows a failure in the banner. */
  fail(e: unknown): void {
    this.update({ problem: { headline: headline(e), message: e instanceof Error ? e.message : String(e) } });
  }

  dismissProblem(): void {
    this.update({ problem: null });
  }

  /** First start: the workspace Rust opened (the per-user demo copy or the last one). */
  async start(): Promise<void> {
    try {
      await this.useWorkspace(await this.api.workspaceSummary());
    } catch (e) {
      this.fail(e);
    }
  }

  /** Opens an email of the workspace, after saving the one being edited. */
  async openEmail(name: string): Promise<void> {
    try {
      await this.designer.flush();
      const file = await this.api.loadEmail(name);
      this.designer.load(file.name, file.document);
    } catch (e) {
      this.fail(e);
    }
  }

  /** An email written elsewhere (Import email…): listed, then opened. */
  async openNewEmail(name: string): Promise<void> {
    const summary = this.value.summary;
    if (summary !== null && !summary.emails.includes(name)) {
      this.update({ summary: { ...summary, emails: [...summary.emails, name].sort() } });
    }
    await this.openEmail(name);
  }

  /** Creates an empty email from the New email dialog's name and opens it. */
  async createEmail(): Promise<void> {
    const req = this.newEmail.request();
    if (req === null) return;
    try {
      await this.designer.flush();
      const file = await this.api.createEmail(req.name, req.title);
      const summary = this.value.summary;
      if (summary !== null) this.update({ summary: { ...summary, emails: [...summary.emails, file.name].sort() } });
      this.newEmail.done();
      this.designer.load(file.name, file.document);
    } catch (e) {
      this.fail(e);
    }
  }

  /** Shows another workspace (null: the folder dialog was cancelled) and opens its first email. */
  async useWorkspace(next: WorkspaceSummary | null): Promise<void> {
    if (next === null) return;
    this.designer.types = next.blocks;
    this.picker.reset(next.samples);
    this.update({ summary: next });
    if (next.default_email !== undefined) await this.openEmail(next.default_email);
    else this.designer.load(null, EMPTY_DOCUMENT);
  }

  /** "Open folder…": Rust shows the folder dialog; pending edits are saved first. */
  async chooseFolder(): Promise<void> {
    try {
      await this.designer.flush();
      await this.useWorkspace(await this.api.chooseWorkspace());
    } catch (e) {
      this.fail(e);
    }
  }

  /** Switches screens; the other screens read the saved email, so pending edits are saved first. */
  async go(screen: Screen): Promise<void> {
    try {
      await this.designer.flush();
    } catch (e) {
      this.fail(e);
    }
    this.update({ screen });
  }

  /** "Preview the email as this profile" (Profiles screen): back to the designer, rendering as it. */
  previewAsStored(email: string): void {
    this.update({ screen: "design" });
    this.picker.chooseStored(email);
  }

  /** A block named on another screen: back to the designer with it selected. */
  showBlock(id: string): void {
    this.update({ screen: "design" });
    this.designer.select(id);
  }

  /** An email named on another screen (Blocks): back to the designer with it open. */
  showEmail(name: string): void {
    this.update({ screen: "design" });
    void this.openEmail(name);
  }

  /** Profiles were imported: the workspace has a store now (the picker searches it). */
  imported(): void {
    const summary = this.value.summary;
    if (summary !== null) this.update({ summary: { ...summary, has_store: true } });
  }

  /** The window is closing: save what is pending, then let Rust close it (even if the save failed). */
  async closeRequested(): Promise<void> {
    try {
      await this.designer.flush();
    } catch {
      // The window closes anyway; Rust's exit flush writes the newest previewed draft.
    } finally {
      void this.api.finishClose();
    }
  }
}
