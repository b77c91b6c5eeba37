//! Versioned SQL migrations embedded in the binary, applied in order on open (`PRAGMA user_version`
//! holds the version reached). Each migration runs in its own transaction.

use std::path::Path;

use rusqlite::Connection;

use crate::StoreError;

/// The migrations, in order; the version after applying `MIGRATIONS[i]` is `i + 1`.
const MIGRATIONS: &[(&str, &str)] = &[
    ("0001_init", include_str!("../migrations/0001_init.sql")),
    ("0002_event_keys", include_str!("../migrations/0002_event_keys.sql")),
    ("0003_send_log", include_str!("../migrations/0003_send_log.sql")),
    ("0004_segments", include_str!("../migrations/0004_segments.sql")),
    ("0005_event_values", include_str!("../migrations/0005_event_values.sql")),
    ("0006_live", include_str!("../migrations/0006_live.sql")),
    ("0007_signing_keys", include_str!("../migrations/0007_signing_keys.sql")),
    ("0008_email_links", include_str!("../migrations/0008_email_links.sql")),
    (
        "0009_purchase_index",
        include_str!("../migrations/0009_purchase_index.sql"),
    ),
];

pub(crate) fn apply(conn: &Connection, path: &Path) -> Result<(), StoreError> {
    apply_list(conn, path, MIGRATIONS)
}

/// Applies the pending ones of `migrations` (the version after `migrations[i]` is `i + 1`): the
/// store's, or those of another file Tessera keeps (`sent_values`).
pub(crate) fn apply_list(conn: &Connection, path: &Path, migrations: &[(&str, &str)]) -> Result<(), StoreError> {
    let sql = |source| StoreError::Sqlite {
        path: path.to_path_buf(),
        source,
    };
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(sql)?;
    let known = i64::try_from(migrations.len()).unwrap_or(i64::MAX);
    if version > known {
        return Err(StoreError::NewerSchema {
            path: path.to_path_buf(),
            found: version,
            known,
        });
    }
    for (index, (_, script)) in migrations
        .iter()
        .enumerate()
        .skip(usize::try_from(version).unwrap_or(0))
    {
        let next = index + 1;
        conn.execute_batch(&format!(
            "BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {next};\nCOMMIT;"
        ))
        .map_err(|e| {
            let _ = conn.execute_batch("ROLLBACK");
            sql(e)
        })?;
    }
    Ok(())
}
