//! # tessera-desktop
//!
//! The desktop designer's shell: a Tauri 2 window around the UI in `ui/`. It holds no logic of its
//! own: each command is a one-line adapter over [`tessera_workspace::editor`], the session is managed
//! once in `setup`, errors cross IPC as [`IpcError`] `{code, message}`, and the navigation guard
//! ([`guard`]) keeps the preview from navigating anything while it turns clicks on a block's pick
//! link into a `preview-pick` event.
#![deny(missing_docs)]
#![warn(clippy::unwrap_used)]

pub mod bindings;
mod commands;
pub mod guard;
mod screens;

use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};
use std::time::Instant;

use tauri::Manager;
use tessera_workspace::editor::{EditorSession, ErrorCode, IpcError};

/// Environment variable that overrides the per-user data folder (tests use a temporary one).
pub const DATA_DIR_ENV: &str = "TESSERA_DATA_DIR";

/// What the app keeps between commands.
pub struct AppState {
    session: Mutex<EditorSession>,
    started: Instant,
}

impl AppState {
    /// The editor session, locked for one command.
    ///
    /// # Errors
    /// A previous command panicked while holding it.
    pub fn session(&self) -> Result<MutexGuard<'_, EditorSession>, IpcError> {
        self.session.lock().map_err(|_| IpcError {
            code: ErrorCode::Internal,
            message: "the editor hit an internal error; restart Tessera (your last autosave is on disk)".to_owned(),
        })
    }
}

/// Starts the app: the per-user workspace (a copy of the demo on first start, or the folder given
/// as the first argument), the commands, the navigation guard, and flush-on-close.
pub fn run() {
    let started = Instant::now();
    let result = tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .plugin(guard::init())
        .setup(move |app| {
            let data_dir = match std::env::var_os(DATA_DIR_ENV) {
                Some(dir) => PathBuf::from(dir),
                None => app.path().app_data_dir()?,
            };
            let mut session = EditorSession::start(&data_dir)?;
            if let Some(folder) = std::env::args_os().nth(1) {
                // A folder that is not a workspace is reported, and the last workspace opens.
                if let Err(e) = session.open(std::path::Path::new(&folder)) {
                    eprintln!("Tessera could not open {}: {e}", folder.to_string_lossy());
                }
            }
            app.manage(AppState {
                session: Mutex::new(session),
                started,
            });
            // Compile the first email while the window starts; the first preview waits on the lock.
            let handle = app.handle().clone();
            std::thread::spawn(move || {
                if let Ok(mut session) = handle.state::<AppState>().session() {
                    session.warm_up();
                }
            });
            Ok(())
        })
        .on_window_event(commands::on_window_event)
        .invoke_handler(tauri::generate_handler![
            commands::workspace_summary,
            commands::choose_workspace,
            commands::load_email,
            commands::create_email,
            commands::save_email,
            commands::render_preview,
            commands::search_profiles,
            commands::startup_ms,
            commands::finish_close,
            screens::choose_import_file,
            screens::import_preview,
            screens::import_file,
            screens::browse_profiles,
            screens::profile_card,
            screens::list_segments,
            screens::count_segment,
            screens::save_segment,
            screens::segment_coverage,
            screens::export_targets,
            screens::export_email,
            screens::save_export,
            screens::send_setup,
            screens::store_smtp_password,
            screens::send_test,
            screens::outbox_list,
            screens::outbox_message,
            screens::block_usage,
            screens::open_block_folder,
            screens::history_overview,
            screens::start_versioning,
            screens::save_version,
            screens::diff_versions,
            screens::restore_version,
        ])
        .build(tauri::generate_context!());
    match result {
        Ok(app) => app.run(|app, event| {
            // However the window went away, write the newest edit the UI had not saved yet.
            if let tauri::RunEvent::Exit
            | tauri::RunEvent::WindowEvent {
                event: tauri::WindowEvent::Destroyed,
                ..
            } = event
            {
                if let Some(state) = app.try_state::<AppState>() {
                    if let Err(e) = state
                        .session()
                        .and_then(|mut s| s.flush_draft().map_err(IpcError::from))
                    {
                        eprintln!("Tessera could not save the last edit: {}", e.message);
                    }
                }
            }
        }),
        Err(e) => {
            eprintln!("Tessera could not start: {e}");
            std::process::exit(1);
        }
    }
}
