//! # tessera-desktop
//!
//! The desktop designer's shell: a Tauri 2 window around the UI in `ui/`. It holds no logic of its
//! own: each command is a one-line adapter over [`tessera_workspace::editor`], the session is managed
//! once in `setup`, errors cross IPC as [`IpcError`] `{code, message}`, the commands are registered from one list
//! (`command_list.rs`), and the navigation guard
//! ([`guard`]) keeps the preview from navigating anything while it turns clicks on a block's pick
//! link, or a word of its text, into a `preview-pick` event. [`rendering`] sets how WebKitGTK
//! draws before the window starts.
#![deny(missing_docs)]
#![warn(clippy::unwrap_used)]

mod assets;
pub mod bindings;
mod commands;
pub mod guard;
mod import_email;
pub mod ipc;
pub mod live;
pub mod rendering;
mod screens;

use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};
use std::time::Instant;

use ipc::IpcError;
use tauri::Manager;
use tessera_workspace::editor::EditorSession;
use tessera_workspace::{Cancel, Workspace, WorkspaceError};

/// Environment variable that overrides the per-user data folder (tests use a temporary one).
pub const DATA_DIR_ENV: &str = "TESSERA_DATA_DIR";

/// What the app keeps between commands.
pub struct AppState {
    session: Mutex<EditorSession>,
    /// The cancel flag of the long work running now (one at a time is offered by the UI).
    work: Mutex<Cancel>,
    /// The live collector started from the Live data screen.
    live: live::LiveState,
    started: Instant,
}

impl AppState {
    /// The editor session, locked for one command.
    ///
    /// # Errors
    /// A previous command panicked while holding it.
    pub fn session(&self) -> Result<MutexGuard<'_, EditorSession>, IpcError> {
        self.session.lock().map_err(|_| {
            IpcError::internal("the editor hit an internal error; restart Tessera (your last autosave is on disk)")
        })
    }

    /// A fresh cancel flag for long work that starts now; [`AppState::cancel_work`] sets it.
    pub fn begin_work(&self) -> Cancel {
        let cancel = Cancel::new();
        if let Ok(mut work) = self.work.lock() {
            *work = cancel.clone();
        }
        cancel
    }

    /// Asks the long work running now to stop at its next check.
    pub fn cancel_work(&self) {
        if let Ok(work) = self.work.lock() {
            work.cancel();
        }
    }

    /// A workspace of its own for long work (import, test send, coverage, saving a version): the
    /// session is locked only for the instant it takes to read its folder (and, first, to write
    /// `flush`'s pending edit), then the work runs on this command's thread without the lock, so
    /// the preview and autosave never wait for it. The store is SQLite in WAL mode: readers go on
    /// while an import writes.
    ///
    /// # Errors
    /// The session is poisoned, the pending edit cannot be written, or the folder cannot be opened.
    pub fn detached(&self, flush: bool) -> Result<Workspace, IpcError> {
        let root = {
            let mut session = self.session()?;
            if flush {
                session.flush_draft()?;
            }
            session.workspace().root.clone()
        };
        let root = root.ok_or(WorkspaceError::ReadOnly)?;
        Ok(Workspace::open(&root)?)
    }
}

/// Starts the app: the per-user workspace (a copy of the demo on first start, or the folder given
/// as the first argument), the commands, the navigation guard, and flush-on-close.
pub fn run() {
    let started = Instant::now();
    rendering::configure_webkit();
    let result = tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .plugin(guard::init())
        .register_uri_scheme_protocol(tessera_workspace::editor::ASSET_SCHEME, assets::serve)
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
                work: Mutex::new(Cancel::new()),
                live: live::LiveState::default(),
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
        .invoke_handler({
            // The handlers of the one command list (see `command_list.rs`).
            macro_rules! commands {
                ($($module:ident :: $name:ident),* $(,)?) => {
                    tauri::generate_handler![$($module::$name),*]
                };
            }
            include!("command_list.rs")
        })
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
