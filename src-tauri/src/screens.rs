//! The commands of the Profiles, Segments, Export, Send, History and Blocks screens: each is a one-line
//! adapter over the workspace's use cases (import, profiles, segments, coverage, export, send,
//! history, blocks), the same functions the `tessera` command line calls. Long ones (import, coverage, export, send) run off
//! the main thread so the window stays responsive; the import reports its progress as
//! `import-progress` events (bytes read).

use serde_json::Value;
use tauri::{Emitter, State, Window};
use tauri_plugin_dialog::DialogExt;
use tessera_workspace::blocks::{self, BlockTypeUsage};
use tessera_workspace::coverage::{self, Coverage};
use tessera_workspace::editor::SaveResult;
use tessera_workspace::export::{self, Target, TargetExport};
use tessera_workspace::history::view::{self as history, HistoryView};
use tessera_workspace::history::{EmailDiff, Restored, SavedVersion};
use tessera_workspace::import::{self, ImportPreview, ImportReport, ImportRequest, Kind};
use tessera_workspace::profiles::{self, ProfileCard, ProfileSummary};
use tessera_workspace::segments::{self, DraftCount, SegmentInfo};
use tessera_workspace::send::form::{self, SendForm};
use tessera_workspace::send::outbox::{self, OutboxItem, OutboxMessage};
use tessera_workspace::send::setup::{self, SendSetup};
use tessera_workspace::send::SendReport;
use tessera_workspace::work::WorkProgress;
use tessera_workspace::{clock, ErrorKind, WorkspaceError};

use crate::ipc::IpcError;
use crate::AppState;

type Reply<T> = Result<T, IpcError>;

/// The event the progress of a test send or coverage arrives in ([`WorkProgress`]).
pub const WORK_PROGRESS_EVENT: &str = "work-progress";

/// Sends `work`'s progress to the UI (a window that went away misses it; the work goes on).
fn emit_work(window: &Window, work: &str, done: u64, total: u64) {
    let _ = window.emit(
        WORK_PROGRESS_EVENT,
        WorkProgress {
            work: work.to_owned(),
            done,
            total,
        },
    );
}

/// The event the import's progress arrives in; its payload is the bytes read so far.
pub const IMPORT_PROGRESS_EVENT: &str = "import-progress";

/// How many members a segment's draft count lists.
const MEMBERS_LISTED: usize = 50;

/// An import kind as the UI names it (`profiles`, `events`, `products`).
fn parse_kind(kind: &str) -> Result<Kind, IpcError> {
    kind.parse::<Kind>()
        .map_err(|e| IpcError::from(WorkspaceError::from(e)))
}

/// Asks for a file to import with the system's file dialog (`None`: cancelled).
#[tauri::command(async)]
pub fn choose_import_file(window: Window) -> Reply<Option<String>> {
    let picked = window
        .dialog()
        .file()
        .set_parent(&window)
        .add_filter(
            "Profiles, events or products",
            &["csv", "json", "jsonl", "ndjson", "tsv", "txt"],
        )
        .blocking_pick_file();
    Ok(picked.and_then(|p| p.into_path().ok()).map(|p| p.display().to_string()))
}

/// Stops the long work running now (an import, coverage, a test send, saving a version) at its
/// next check; the work's own command then returns a `cancelled` error or what it had done.
#[tauri::command(async)]
pub fn cancel_work(state: State<'_, AppState>) {
    state.cancel_work();
}

/// The columns of a file and where an import of `kind` would put each, with its first rows.
#[tauri::command(async)]
pub fn import_preview(path: String, kind: String) -> Reply<ImportPreview> {
    Ok(import::import_preview(std::path::Path::new(&path), parse_kind(&kind)?)?)
}

/// Imports a file into the workspace's store, emitting `import-progress` as it reads.
#[tauri::command(async)]
pub fn import_file(window: Window, state: State<'_, AppState>, path: String, kind: String) -> Reply<ImportReport> {
    let progress = |read: u64| {
        let _ = window.emit(IMPORT_PROGRESS_EVENT, read);
    };
    let request = ImportRequest {
        cancel: state.begin_work(),
        ..ImportRequest::new(std::path::Path::new(&path), parse_kind(&kind)?)
    };
    // Off the session lock: typing and the preview go on while a large file imports.
    Ok(import::import_file(&state.detached(false)?, &request, &progress)?)
}

/// Stored profiles matching a search (all for an empty one), at most 200.
#[tauri::command(async)]
pub fn browse_profiles(state: State<'_, AppState>, query: String) -> Reply<Vec<ProfileSummary>> {
    Ok(profiles::browse(state.session()?.workspace(), &query, 200)?)
}

/// One stored profile with its attributes, data ages, recent events and segments.
#[tauri::command(async)]
pub fn profile_card(state: State<'_, AppState>, key: String) -> Reply<ProfileCard> {
    Ok(profiles::card(state.session()?.workspace(), &key, 20, clock::now_ms())?)
}

/// The workspace's segment definitions with their sizes.
#[tauri::command(async)]
pub fn list_segments(state: State<'_, AppState>) -> Reply<Vec<SegmentInfo>> {
    Ok(segments::list(state.session()?.workspace(), clock::now_ms())?)
}

/// Counts a definition being edited (nothing is written).
#[tauri::command(async)]
pub fn count_segment(state: State<'_, AppState>, name: String, definition: Value) -> Reply<DraftCount> {
    Ok(segments::count_draft(
        state.session()?.workspace(),
        &name,
        &definition,
        clock::now_ms(),
        MEMBERS_LISTED,
    )?)
}

/// Saves a definition as `segments/<name>.json`, atomically.
#[tauri::command(async)]
pub fn save_segment(state: State<'_, AppState>, name: String, definition: Value) -> Reply<SaveResult> {
    Ok(segments::save(state.session()?.workspace(), &name, &definition)?)
}

/// The coverage preview of a saved email across the segments it refers to.
#[tauri::command(async)]
pub fn segment_coverage(window: Window, state: State<'_, AppState>, email: String) -> Reply<Coverage> {
    let progress = |done: u64, total: u64| emit_work(&window, "coverage", done, total);
    Ok(coverage::coverage(
        &mut state.detached(false)?,
        &email,
        clock::now_ms(),
        &state.begin_work(),
        &progress,
    )?)
}

/// The export targets' names.
#[tauri::command]
pub fn export_targets() -> Vec<Target> {
    export::targets()
}

/// A saved email exported to each target (or each target's refusal).
#[tauri::command(async)]
pub fn export_email(state: State<'_, AppState>, email: String, targets: Vec<Target>) -> Reply<Vec<TargetExport>> {
    Ok(export::export_email(
        state.session()?.workspace_mut(),
        &email,
        &targets,
    )?)
}

/// Writes a saved email's exports into `exports/<email>/<target>/`; returns the folders.
#[tauri::command(async)]
pub fn save_export(state: State<'_, AppState>, email: String, targets: Vec<Target>) -> Reply<Vec<String>> {
    Ok(export::save(state.session()?.workspace_mut(), &email, &targets)?)
}

/// The SMTP profiles, default route, sender and outbox of the workspace.
#[tauri::command(async)]
pub fn send_setup(state: State<'_, AppState>) -> Reply<SendSetup> {
    Ok(setup::setup(state.session()?.workspace())?)
}

/// Stores an SMTP profile's password in the OS keyring.
#[tauri::command(async)]
pub fn store_smtp_password(state: State<'_, AppState>, profile: String, password: String) -> Reply<()> {
    Ok(setup::store_password(state.session()?.workspace(), &profile, password)?)
}

/// Sends a test: one message per (profile, address), with a result for each.
#[tauri::command(async)]
pub fn send_test(window: Window, state: State<'_, AppState>, form: SendForm) -> Reply<SendReport> {
    let progress = |done: u64, total: u64| emit_work(&window, "send", done, total);
    let mut ws = state.detached(true)?;
    let tracking = crate::live::tracking(&ws)?;
    Ok(form::send(&mut ws, &form, &state.begin_work(), tracking, &progress)?)
}

/// The local outbox, newest first.
#[tauri::command(async)]
pub fn outbox_list(state: State<'_, AppState>) -> Reply<Vec<OutboxItem>> {
    Ok(outbox::list(state.session()?.workspace())?)
}

/// One outbox message's headers and source.
#[tauri::command(async)]
pub fn outbox_message(state: State<'_, AppState>, id: String) -> Reply<OutboxMessage> {
    Ok(outbox::message(state.session()?.workspace(), &id)?)
}

/// Every block type with the emails that use it, and the emails that could not be read.
#[tauri::command(async)]
pub fn block_usage(state: State<'_, AppState>) -> Reply<(Vec<BlockTypeUsage>, Vec<String>)> {
    Ok(blocks::usage(state.session()?.workspace())?)
}

/// Opens a workspace block type's folder in the system's file manager.
#[tauri::command(async)]
pub fn open_block_folder(state: State<'_, AppState>, id: String) -> Reply<String> {
    let dir = blocks::folder(state.session()?.workspace(), &id)?;
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(target_os = "windows") {
        "explorer"
    } else {
        "xdg-open"
    };
    std::process::Command::new(opener)
        .arg(&dir)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map_err(|e| IpcError {
            code: ErrorKind::Io,
            message: format!("{} could not be opened with {opener}: {e}", dir.display()),
        })?;
    Ok(dir.display().to_string())
}

/// The workspace's versions (none when it does not keep versions yet).
#[tauri::command(async)]
pub fn history_overview(state: State<'_, AppState>) -> Reply<HistoryView> {
    Ok(history::overview(state.session()?.workspace())?)
}

/// Makes the workspace keep versions (a local git repository).
#[tauri::command(async)]
pub fn start_versioning(state: State<'_, AppState>) -> Reply<HistoryView> {
    Ok(history::start(state.session()?.workspace())?)
}

/// Saves the working copy as a version with a message (and `NAME <EMAIL>` author, if given).
#[tauri::command(async)]
pub fn save_version(
    window: Window,
    state: State<'_, AppState>,
    message: String,
    author: Option<String>,
) -> Reply<SavedVersion> {
    let progress = |done: u64, total: u64| emit_work(&window, "save", done, total);
    Ok(history::save(
        &mut state.detached(true)?,
        &message,
        author.as_deref(),
        &state.begin_work(),
        &progress,
    )?)
}

/// Compares an email between two versions (`to` absent: the working copy), block by block and,
/// with a target, its exported code.
#[tauri::command(async)]
pub fn diff_versions(
    state: State<'_, AppState>,
    email: String,
    from: String,
    to: Option<String>,
    target: Option<Target>,
) -> Reply<EmailDiff> {
    Ok(history::diff(
        state.session()?.workspace_mut(),
        &email,
        &from,
        to.as_deref(),
        target,
    )?)
}

/// Brings an email back as it was in a version; the previewed draft of it is dropped so it cannot
/// overwrite the restored file.
#[tauri::command(async)]
pub fn restore_version(state: State<'_, AppState>, email: String, version: String) -> Reply<Restored> {
    let mut session = state.session()?;
    let restored = history::restore(session.workspace(), &email, &version)?;
    session.discard_draft(&restored.email);
    Ok(restored)
}
