//! # tessera-store
//!
//! The local customer data store: one SQLite file per workspace (`.tessera/store.db`) holding
//! profiles, behavioural events, products, import batches and the send log, fed by imports that validate,
//! normalize and de-duplicate every row and commit whole or not at all.
//!
//! The database runs in WAL mode with `synchronous=FULL` and foreign keys on, checked every time it
//! is opened; migrations are SQL files embedded in the binary and applied in order on open.
#![deny(missing_docs)]
#![warn(clippy::unwrap_used)]

pub mod cancel;
pub mod error;
pub mod events;
pub mod import;
pub mod live;
mod migrate;
pub mod profiles;
pub mod recommend;
pub mod segments;
pub mod send_log;
pub mod sent_values;
pub mod signing;
pub mod validate;

use std::path::{Path, PathBuf};

use rusqlite::Connection;

pub use cancel::Cancel;
pub use error::StoreError;

/// An open store.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// The segment definitions as last parsed.
    segment_cache: segments::SegmentCache,
}

/// Prepared statements kept per connection.
const STATEMENT_CACHE: usize = 256;

/// The store's file inside a workspace.
pub const STORE_FILE: &str = ".tessera/store.db";

/// Settings every connection to a store gets: the writer's and the read-only ones that evaluate
/// segments in parallel.
fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    // Segment rules are compiled per segment and scope; with the import, membership and profile
    // statements they outnumber rusqlite's default of 16 cached statements, and a re-prepared
    // rule costs more than evaluating it for one profile.
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    // Plans that do not depend on bound values: otherwise SQLite re-prepares a statement whenever
    // a value it planned with is bound again (a segment rule's `LIMIT ?`), which made
    // re-evaluating one profile cost a parse per rule.
    conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    conn.execute_batch("PRAGMA cache_size = -32768;")?;
    segments::scores::register_functions(conn)
}

/// Opens (creating it and its folder if needed) an SQLite file of Tessera's in WAL mode with
/// `synchronous = FULL`, then applies `settings` to the connection: the store's and the
/// sent-values file's one way of opening.
pub(crate) fn open_durable(
    path: &Path,
    settings: impl FnOnce(&Connection) -> rusqlite::Result<()>,
) -> Result<Connection, StoreError> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|source| StoreError::Io {
            path: parent.to_path_buf(),
            source,
        })?;
    }
    let sql = |source| StoreError::Sqlite {
        path: path.to_path_buf(),
        source,
    };
    let conn = Connection::open(path).map_err(sql)?;
    settings(&conn).map_err(sql)?;
    conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;")
        .map_err(sql)?;
    Ok(conn)
}

/// A second, read-only connection to the store's file, for work split across threads. It sees
/// what was last committed, not the writer's open transaction.
pub(crate) fn open_reader(path: &Path) -> rusqlite::Result<Connection> {
    use rusqlite::OpenFlags;
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    configure(&conn)?;
    Ok(conn)
}

impl Store {
    /// Opens (creating if needed) the store at `path`, applies pending migrations and checks the
    /// durability settings.
    ///
    /// # Errors
    /// SQLite errors, a store from a newer Tessera, or settings that could not be applied.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let conn = open_durable(path, |c| {
            configure(c)?;
            c.execute_batch("PRAGMA foreign_keys = ON;")
        })?;
        let store = Self {
            conn,
            path: path.to_path_buf(),
            segment_cache: segments::SegmentCache::default(),
        };
        store.check_settings()?;
        migrate::apply(&store.conn, path)?;
        Ok(store)
    }

    /// The database file.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The connection, for the crate's modules.
    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }

    pub(crate) fn conn_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }

    pub(crate) fn sql_error(&self, source: rusqlite::Error) -> StoreError {
        StoreError::Sqlite {
            path: self.path.clone(),
            source,
        }
    }

    fn check_settings(&self) -> Result<(), StoreError> {
        let get = |pragma: &str| -> Result<String, StoreError> {
            self.conn
                .query_row(&format!("PRAGMA {pragma}"), [], |row| {
                    row.get::<_, rusqlite::types::Value>(0)
                })
                .map(|v| match v {
                    rusqlite::types::Value::Integer(i) => i.to_string(),
                    rusqlite::types::Value::Text(t) => t,
                    other => format!("{other:?}"),
                })
                .map_err(|e| self.sql_error(e))
        };
        for (setting, expected) in [("journal_mode", "wal"), ("synchronous", "2"), ("foreign_keys", "1")] {
            let actual = get(setting)?;
            if !actual.eq_ignore_ascii_case(expected) {
                return Err(StoreError::Settings {
                    path: self.path.clone(),
                    setting,
                    actual,
                    expected,
                });
            }
        }
        Ok(())
    }

    /// Lets this connection's commits return without waiting for `fsync` (`synchronous =
    /// NORMAL` in WAL mode): a commit is then durable against the process being killed (it is in
    /// the write-ahead log, in the operating system's cache), and the store is never corrupted,
    /// but the last commits before a power loss or an operating-system crash may be lost. The WAL
    /// is synced at each checkpoint (SQLite's default, every 1,000 pages of log). The live
    /// collector's writer uses this when asked (`tessera serve --sync-at-checkpoints`); every
    /// other connection, and the writer by default, keeps `synchronous = FULL`.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn sync_at_checkpoints_only(&self) -> Result<(), StoreError> {
        self.conn
            .execute_batch("PRAGMA synchronous = NORMAL;")
            .map_err(|e| self.sql_error(e))
    }

    /// Runs SQLite's integrity check; `Ok` holds its report (`ok` when healthy).
    ///
    /// # Errors
    /// SQLite errors.
    pub fn integrity_check(&self) -> Result<String, StoreError> {
        self.conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .map_err(|e| self.sql_error(e))
    }
}

/// Milliseconds since the Unix epoch, now.
#[must_use]
pub fn now_ms() -> i64 {
    let now = time::OffsetDateTime::now_utc();
    i64::try_from(now.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

/// RFC 3339 UTC text for epoch milliseconds.
#[must_use]
pub fn ms_to_rfc3339(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_default()
}
