//! The local outbox of test sends (`.tessera/outbox`), as `tessera outbox` and the Send screen
//! read it: its messages newest first, and one message's headers and source.

use std::path::PathBuf;

use serde::Serialize;

use crate::{Workspace, WorkspaceError};

/// The largest part of an outbox message shown (its source is cut after this many bytes).
pub const MAX_SHOWN_BYTES: usize = 256 * 1024;

/// A message of the local outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct OutboxItem {
    /// Its id (file name without `.eml`).
    pub id: String,
    /// The `.eml` file.
    pub path: String,
    /// Decoded subject.
    pub subject: String,
    /// Recipient.
    pub to: String,
    /// Date header.
    pub date: String,
    /// Size in bytes.
    pub size_bytes: u32,
}

/// One outbox message opened: its headers and its source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct OutboxMessage {
    /// The file.
    pub path: String,
    /// Header fields, decoded, in order.
    pub headers: Vec<(String, String)>,
    /// The message source (cut after [`MAX_SHOWN_BYTES`]).
    pub source: String,
}

/// The outbox's messages, newest first.
///
/// # Errors
/// The demo has no outbox; an unreadable message.
pub fn list(ws: &Workspace) -> Result<Vec<OutboxItem>, WorkspaceError> {
    Ok(tessera_send::outbox::list(&ws.outbox_dir()?)?
        .into_iter()
        .map(|e| OutboxItem {
            id: e.id,
            path: e.path.display().to_string(),
            subject: e.subject,
            to: e.to,
            date: e.date,
            size_bytes: u32::try_from(e.size_bytes).unwrap_or(u32::MAX),
        })
        .collect())
}

/// The file of an outbox message, by id (or a unique prefix of one).
///
/// # Errors
/// The demo has no outbox; no such message.
pub fn path(ws: &Workspace, id: &str) -> Result<PathBuf, WorkspaceError> {
    Ok(tessera_send::outbox::find(&ws.outbox_dir()?, id)?.path)
}

/// One outbox message, by id.
///
/// # Errors
/// No such message, an unreadable file.
pub fn message(ws: &Workspace, id: &str) -> Result<OutboxMessage, WorkspaceError> {
    let entry = tessera_send::outbox::find(&ws.outbox_dir()?, id)?;
    let bytes = std::fs::read(&entry.path).map_err(|source| WorkspaceError::Io {
        path: entry.path.clone(),
        source,
    })?;
    let shown = &bytes[..bytes.len().min(MAX_SHOWN_BYTES)];
    Ok(OutboxMessage {
        path: entry.path.display().to_string(),
        headers: tessera_send::outbox::read_headers(&bytes),
        source: String::from_utf8_lossy(shown).into_owned(),
    })
}
