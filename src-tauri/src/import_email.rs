//! "Import email…": an existing HTML or MJML email imported as blocks. One-line adapters over the
//! workspace's `import_email` use case, the function `tessera import-email` calls: a preview (the
//! report and the field mapping against the data dictionary, nothing written) and the import.

use tauri::{State, Window};
use tauri_plugin_dialog::DialogExt;
use tessera_workspace::import_email::{ImportEmailOptions, ImportedEmail};

use crate::ipc::IpcError;
use crate::AppState;

type Reply<T> = Result<T, IpcError>;

/// Asks for an email file to import (`None`: cancelled).
#[tauri::command(async)]
pub fn choose_email_file(window: Window) -> Reply<Option<String>> {
    let picked = window
        .dialog()
        .file()
        .set_parent(&window)
        .add_filter("HTML or MJML email", &["html", "htm", "mjml"])
        .blocking_pick_file();
    Ok(picked.and_then(|p| p.into_path().ok()).map(|p| p.display().to_string()))
}

fn options(path: String, name: Option<String>, map: Option<String>, overwrite: bool) -> ImportEmailOptions {
    ImportEmailOptions {
        file: path.into(),
        name: name.filter(|n| !n.trim().is_empty()),
        map_file: map.filter(|m| !m.trim().is_empty()).map(Into::into),
        overwrite,
        visual: false,
    }
}

/// What importing `path` would make, with the report and the mapping; nothing is written. With
/// `visual`, the original and the import are drawn by Chromium and the difference per width is
/// in the answer (an error saying how to install Chromium when it is missing).
#[tauri::command(async)]
pub fn preview_email_import(
    state: State<'_, AppState>,
    path: String,
    name: Option<String>,
    map: Option<String>,
    visual: bool,
) -> Reply<ImportedEmail> {
    let mut ws = state.detached(false)?;
    let options = ImportEmailOptions {
        visual,
        ..options(path, name, map, false)
    };
    Ok(ws.preview_email_import(&options)?.1)
}

/// Imports `path` as `emails/<name>.email.json` (refused when it exists, unless `overwrite`).
#[tauri::command(async)]
pub fn import_email(
    state: State<'_, AppState>,
    path: String,
    name: Option<String>,
    map: Option<String>,
    overwrite: bool,
) -> Reply<ImportedEmail> {
    let mut ws = state.detached(false)?;
    Ok(ws.import_email(&options(path, name, map, overwrite))?)
}
