//! The commands the UI invokes: each is a one-line adapter over the editor session.

use std::time::Duration;

use tauri::{Emitter, State, Window, WindowEvent};
use tauri_plugin_dialog::DialogExt;
use tessera_core::model::Document;
use tessera_workspace::clock;
use tessera_workspace::editor::{EmailFile, Preview, PreviewRequest, QaJob, SaveResult, WorkspaceSummary};
use tessera_workspace::profiles::ProfileHit;
use tessera_workspace::qa::QaReport;

use crate::ipc::IpcError;
use crate::AppState;

type Reply<T> = Result<T, IpcError>;

/// The open workspace: emails, block types, dictionary, samples, brand settings.
#[tauri::command]
pub fn workspace_summary(state: State<'_, AppState>) -> Reply<WorkspaceSummary> {
    Ok(state.session()?.summary()?)
}

/// Asks for a workspace folder with the system's folder dialog and opens it (`None`: cancelled).
#[tauri::command]
pub async fn choose_workspace(window: Window, state: State<'_, AppState>) -> Reply<Option<WorkspaceSummary>> {
    let picked = window.dialog().file().set_parent(&window).blocking_pick_folder();
    match picked.and_then(|p| p.into_path().ok()) {
        Some(dir) => Ok(Some(state.session()?.open(&dir)?)),
        None => Ok(None),
    }
}

/// Loads an email by name.
#[tauri::command]
pub fn load_email(state: State<'_, AppState>, name: String) -> Reply<EmailFile> {
    Ok(state.session()?.load(&name)?)
}

/// Creates an empty email.
#[tauri::command]
pub fn create_email(state: State<'_, AppState>, name: String, title: String) -> Reply<EmailFile> {
    Ok(state.session()?.create(&name, &title)?)
}

/// Saves an email atomically.
#[tauri::command]
pub fn save_email(state: State<'_, AppState>, name: String, document: Document) -> Reply<SaveResult> {
    Ok(state.session()?.save(&name, &document)?)
}

/// Renders the document being edited as a sample recipient or a stored profile. Async, so the
/// render runs off the main thread, which meanwhile serves the preview's images and the window.
#[tauri::command(async)]
pub fn render_preview(state: State<'_, AppState>, request: PreviewRequest) -> Reply<Preview> {
    Ok(state.session()?.preview(&request, clock::now_ms())?)
}

/// The pre-send QA of the document being edited, as the preview's recipient (`None`: the document
/// has errors). Async so the UI's next preview never waits behind it.
#[tauri::command(async)]
pub fn qa_preview(state: State<'_, AppState>, request: PreviewRequest) -> Reply<Option<QaReport>> {
    // The session is locked only to prepare the run: the QA itself never holds up a preview.
    let job = state.session()?.qa_job(&request, clock::now_ms())?;
    Ok(job.map(QaJob::run).transpose()?)
}

/// Stored profiles matching a search.
#[tauri::command]
pub fn search_profiles(state: State<'_, AppState>, query: String) -> Reply<Vec<ProfileHit>> {
    Ok(state.session()?.search_profiles(&query, 20)?)
}

/// Milliseconds since the app process started (the UI reports its start-up time with it).
#[tauri::command]
pub fn startup_ms(state: State<'_, AppState>) -> f64 {
    state.started.elapsed().as_secs_f64() * 1000.0
}

/// The UI has saved everything after a close request: close the window now.
#[tauri::command]
pub fn finish_close(window: Window) -> Reply<()> {
    window.destroy().map_err(|e| IpcError::internal(e.to_string()))
}

/// A close request first asks the UI to save pending edits (`flush-and-close`); the UI then calls
/// [`finish_close`]. If the UI does not answer within three seconds, the window closes anyway.
pub fn on_window_event(window: &Window, event: &WindowEvent) {
    if let WindowEvent::CloseRequested { api, .. } = event {
        api.prevent_close();
        if window.emit("flush-and-close", ()).is_err() {
            let _ = window.destroy();
            return;
        }
        let window = window.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_secs(3));
            let _ = window.destroy();
        });
    }
}
