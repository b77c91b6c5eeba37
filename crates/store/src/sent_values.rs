//! The send-time values of live blocks, in a small SQLite file of their own
//! (`.tessera/sent-values.db`, [`SENT_VALUES_FILE`]): what each live block showed a stored profile
//! when a test send rendered it (the feed's data and the feed kind's shape), so `tessera serve`
//! can answer with them when the store cannot answer within its budget.
//!
//! A separate file, not a table of the store: a store held by another process (a long import, a
//! stuck reader holding its locks, a slow disk) must not take the fallback away with it. The file
//! runs in WAL mode, so the server's reads never wait for a send's write; each send batch is one
//! transaction (all its values or none). Bounded: one row per (profile, email, block), the newest.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{params, Connection, OptionalExtension};
use serde_json::Value;

use crate::StoreError;

/// The file inside a workspace.
pub const SENT_VALUES_FILE: &str = ".tessera/sent-values.db";

/// The file's migrations, in order (its own `user_version`, independent of the store's).
const MIGRATIONS: &[(&str, &str)] = &[(
    "0001_sent_values",
    include_str!("../migrations/sent_values/0001_sent_values.sql"),
)];

/// What one live block showed one stored profile when an email was sent.
#[derive(Debug, Clone, PartialEq)]
pub struct SentValue {
    /// The profile's store id.
    pub profile_id: i64,
    /// The email's name.
    pub email: String,
    /// The live block's id.
    pub block: String,
    /// When the send rendered it (Unix milliseconds).
    pub sent_at_ms: i64,
    /// The block's feed data as the feed answers it (`{"items": [item]}`).
    pub feed: Value,
    /// The feed kind's shape (`tessera_core::live::Shape` as JSON).
    pub shape: Value,
}

/// An open sent-values file.
#[derive(Debug)]
pub struct SentValues {
    conn: Connection,
    path: PathBuf,
}

impl SentValues {
    /// Opens (creating if needed) the file at `path` and applies its pending migrations.
    ///
    /// # Errors
    /// The folder cannot be made, SQLite errors, a file from a newer Tessera.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let conn = crate::open_durable(path, |c| c.busy_timeout(Duration::from_secs(5)))?;
        crate::migrate::apply_list(&conn, path, MIGRATIONS)?;
        Ok(Self {
            conn,
            path: path.to_path_buf(),
        })
    }

    /// How long a read or write waits for another connection's lock before it fails (the
    /// server's fallback path uses a short one: it answers within its budget or not at all).
    ///
    /// # Errors
    /// SQLite errors.
    pub fn set_busy_timeout(&self, wait: Duration) -> Result<(), StoreError> {
        self.conn.busy_timeout(wait).map_err(|e| self.sql_error(e))
    }

    fn sql_error(&self, source: rusqlite::Error) -> StoreError {
        StoreError::Sqlite {
            path: self.path.clone(),
            source,
        }
    }

    /// Records one send batch's values in one transaction: each replaces the values kept for its
    /// (profile, email, block) unless those are newer.
    ///
    /// # Errors
    /// SQLite errors; then nothing of the batch is written.
    pub fn record(&mut self, batch_id: &str, values: &[SentValue]) -> Result<(), StoreError> {
        let path = self.path.clone();
        let sql = |source| StoreError::Sqlite {
            path: path.clone(),
            source,
        };
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(sql)?;
        {
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO sent_values (profile_id, email, block, sent_at, batch_id, feed, shape)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                     ON CONFLICT (profile_id, email, block) DO UPDATE SET
                       sent_at = excluded.sent_at, batch_id = excluded.batch_id,
                       feed = excluded.feed, shape = excluded.shape
                     WHERE excluded.sent_at >= sent_values.sent_at",
                )
                .map_err(sql)?;
            for v in values {
                insert
                    .execute(params![
                        v.profile_id,
                        v.email,
                        v.block,
                        v.sent_at_ms,
                        batch_id,
                        v.feed.to_string(),
                        v.shape.to_string()
                    ])
                    .map_err(sql)?;
            }
        }
        tx.commit().map_err(sql)
    }

    /// The newest values sent for (`profile_id`, `email`, `block`).
    ///
    /// # Errors
    /// SQLite errors, or a row that is not JSON (the file was written by something else).
    pub fn get(&self, profile_id: i64, email: &str, block: &str) -> Result<Option<SentValue>, StoreError> {
        let row = self
            .conn
            .prepare_cached(
                "SELECT sent_at, feed, shape FROM sent_values WHERE profile_id = ?1 AND email = ?2 AND block = ?3",
            )
            .and_then(|mut s| {
                s.query_row(params![profile_id, email, block], |r| {
                    Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?))
                })
                .optional()
            })
            .map_err(|e| self.sql_error(e))?;
        let Some((sent_at_ms, feed, shape)) = row else {
            return Ok(None);
        };
        let json = |text: &str, column: &str| {
            serde_json::from_str(text).map_err(|e| StoreError::Io {
                path: self.path.clone(),
                source: std::io::Error::new(std::io::ErrorKind::InvalidData, format!("sent_values.{column}: {e}")),
            })
        };
        Ok(Some(SentValue {
            profile_id,
            email: email.to_owned(),
            block: block.to_owned(),
            sent_at_ms,
            feed: json(&feed, "feed")?,
            shape: json(&shape, "shape")?,
        }))
    }
}
