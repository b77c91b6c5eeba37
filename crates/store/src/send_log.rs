//! The send log: one row per test message, written before it leaves and completed after, so a
//! batch that fails partway (or a process that dies) loses no entry.

use rusqlite::params;
use serde::Serialize;

use crate::{Store, StoreError};

/// What is known about a message before it is sent.
#[derive(Debug, Clone)]
pub struct NewSend<'a> {
    /// Groups the messages of one `tessera send`.
    pub batch_id: &'a str,
    /// The email's name.
    pub email: &'a str,
    /// The template version (content hash).
    pub email_version: &'a str,
    /// Hash of this message's subject, HTML and text.
    pub content_hash: &'a str,
    /// The profile rendered as.
    pub profile: &'a str,
    /// The recipient address.
    pub recipient: &'a str,
    /// `outbox`, `smtp:<profile>` or `smtp-url:<host:port>`.
    pub transport: &'a str,
    /// The Message-ID.
    pub message_id: &'a str,
    /// Size of the message in bytes.
    pub size_bytes: usize,
}

/// How a message ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendOutcome<'a> {
    /// Accepted by the server (or written to the outbox), with its reply.
    Sent {
        /// The server's reply or the outbox file.
        response: &'a str,
    },
    /// Not delivered.
    Failed {
        /// A short code (`auth_failed`, `rejected`, ...).
        code: &'a str,
        /// The readable error.
        error: &'a str,
    },
    /// Not attempted because an earlier failure stopped the batch.
    NotAttempted {
        /// The code of the failure that stopped it.
        code: &'a str,
        /// Why.
        error: &'a str,
    },
}

/// A row of the send log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SendLogRow {
    /// Row id.
    pub id: i64,
    /// The batch.
    pub batch_id: String,
    /// When it was written (RFC 3339 UTC).
    pub created_at: String,
    /// The email's name.
    pub email: String,
    /// The template version.
    pub email_version: String,
    /// The message content hash.
    pub content_hash: String,
    /// The profile rendered as.
    pub profile: String,
    /// The recipient.
    pub recipient: String,
    /// Where it went.
    pub transport: String,
    /// The Message-ID.
    pub message_id: String,
    /// Size in bytes.
    pub size_bytes: i64,
    /// `pending`, `sent`, `failed` or `not_attempted`.
    pub status: String,
    /// The server's reply or the outbox file.
    pub response: Option<String>,
    /// The error code.
    pub error_code: Option<String>,
    /// The readable error.
    pub error: Option<String>,
}

impl Store {
    /// Records a message about to be sent (status `pending`); returns its row id.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn log_send_start(&self, send: &NewSend<'_>, now_ms: i64) -> Result<i64, StoreError> {
        self.conn()
            .execute(
                "INSERT INTO send_log (batch_id, created_at, email, email_version, content_hash, profile, recipient, transport, message_id, size_bytes, status)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'pending')",
                params![
                    send.batch_id,
                    now_ms,
                    send.email,
                    send.email_version,
                    send.content_hash,
                    send.profile,
                    send.recipient,
                    send.transport,
                    send.message_id,
                    i64::try_from(send.size_bytes).unwrap_or(i64::MAX),
                ],
            )
            .map_err(|e| self.sql_error(e))?;
        Ok(self.conn().last_insert_rowid())
    }

    /// Records how a message ended.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn log_send_outcome(&self, id: i64, outcome: SendOutcome<'_>, now_ms: i64) -> Result<(), StoreError> {
        let (status, response, code, error) = match outcome {
            SendOutcome::Sent { response } => ("sent", Some(response), None, None),
            SendOutcome::Failed { code, error } => ("failed", None, Some(code), Some(error)),
            SendOutcome::NotAttempted { code, error } => ("not_attempted", None, Some(code), Some(error)),
        };
        self.conn()
            .execute(
                "UPDATE send_log SET status = ?2, response = ?3, error_code = ?4, error = ?5, finished_at = ?6 WHERE id = ?1",
                params![id, status, response, code, error, now_ms],
            )
            .map_err(|e| self.sql_error(e))?;
        Ok(())
    }

    /// The newest `limit` rows of the send log, newest first.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn send_log(&self, limit: usize) -> Result<Vec<SendLogRow>, StoreError> {
        let mut stmt = self
            .conn()
            .prepare(
                "SELECT id, batch_id, created_at, email, email_version, content_hash, profile, recipient, transport, message_id, size_bytes, status, response, error_code, error
                 FROM send_log ORDER BY id DESC LIMIT ?1",
            )
            .map_err(|e| self.sql_error(e))?;
        let rows = stmt
            .query_map([i64::try_from(limit).unwrap_or(i64::MAX)], |r| {
                Ok(SendLogRow {
                    id: r.get(0)?,
                    batch_id: r.get(1)?,
                    created_at: crate::ms_to_rfc3339(r.get(2)?),
                    email: r.get(3)?,
                    email_version: r.get(4)?,
                    content_hash: r.get(5)?,
                    profile: r.get(6)?,
                    recipient: r.get(7)?,
                    transport: r.get(8)?,
                    message_id: r.get(9)?,
                    size_bytes: r.get(10)?,
                    status: r.get(11)?,
                    response: r.get(12)?,
                    error_code: r.get(13)?,
                    error: r.get(14)?,
                })
            })
            .map_err(|e| self.sql_error(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.sql_error(e))
    }
}
