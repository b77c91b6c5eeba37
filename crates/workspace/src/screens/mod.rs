//! The designer's data, export and send screens: the use cases behind the desktop app's
//! Profiles, Segments, Export, Send, History and Blocks screens, over the same workspace, store and send
//! code the CLI uses. Every type that crosses IPC derives its TypeScript binding with the `ts`
//! feature; the shell's commands are one-line adapters over these functions.

pub mod blocks;
pub mod export;
pub mod history;
pub mod profiles;
pub mod segments;
pub mod send;

use std::path::Path;

use crate::WorkspaceError;

/// The workspace's folder, or the read-only demo error.
fn root(ws: &crate::Workspace) -> Result<&Path, WorkspaceError> {
    ws.root.as_deref().ok_or(WorkspaceError::DemoHasNoStore)
}

/// Whether the workspace has a profile store yet.
#[must_use]
pub fn has_store(ws: &crate::Workspace) -> bool {
    ws.store_path().is_ok_and(|p| p.is_file())
}
