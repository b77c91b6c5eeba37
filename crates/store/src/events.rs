//! Writing behavioural events: the event types the store knows, an event's identity (its
//! de-duplication key and the digest in it) and the one `INSERT OR IGNORE` statement every event
//! goes in with.
//!
//! Both writers of events use this module and nothing of each other: an import writes the events
//! of a file in sorted sweeps ([`crate::import`]), [`crate::Store::add_events`] writes single events
//! as they happen and updates the segment membership they affect ([`crate::segments`]). The same
//! event written either way is one row.
//!
//! Layering: this module depends on no other module of the crate but the error type; the segments
//! depend on it (event types in rules, new events) and the import depends on it and on the
//! segments (an import re-evaluates the profiles it touched). Nothing depends on the import, so
//! there is no cycle.

use rusqlite::{params, Connection};

use crate::StoreError;

/// The behavioural event types the store knows.
pub const EVENT_TYPES: &[&str] = &[
    "page_view",
    "product_view",
    "add_to_cart",
    "purchase",
    "email_open",
    "click",
];

/// The known event type spelled `name` exactly, as the `'static` name the store keeps.
pub(crate) fn known_type(name: &str) -> Option<&'static str> {
    EVENT_TYPES.iter().copied().find(|t| *t == name)
}

/// A new behavioural event for one profile (see [`crate::Store::add_event`]).
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    /// The profile's store id.
    pub profile_id: i64,
    /// One of [`EVENT_TYPES`].
    pub kind: &'static str,
    /// Product SKU.
    pub sku: Option<String>,
    /// Category.
    pub category: Option<String>,
    /// Value.
    pub value: Option<f64>,
    /// Currency.
    pub currency: Option<String>,
    /// When (epoch ms).
    pub occurred_at: i64,
    /// Where it came from.
    pub source: Option<String>,
}

/// Hash of everything of an event but its profile and time: with them, the event's identity
/// (see [`key`]).
pub(crate) fn digest(
    kind: &str,
    sku: Option<&str>,
    category: Option<&str>,
    currency: Option<&str>,
    source: Option<&str>,
    value: Option<f64>,
) -> [u8; 16] {
    let mut hash = blake3::Hasher::new();
    hash.update(kind.as_bytes());
    for part in [sku, category, currency, source] {
        hash.update(&[0xFF]);
        hash.update(part.unwrap_or_default().as_bytes());
    }
    hash.update(&value.unwrap_or(f64::NAN).to_le_bytes());
    let mut digest = [0u8; 16];
    digest.copy_from_slice(&hash.finalize().as_bytes()[..16]);
    digest
}

/// An event's identity: its time first (big-endian, so imports in time order append to the
/// index), then its profile, then a hash of the rest. The same event imported twice is one row.
pub(crate) fn key(occurred: i64, profile_id: i64, digest: &[u8; 16]) -> Vec<u8> {
    let mut key = Vec::with_capacity(32);
    key.extend_from_slice(&occurred.to_be_bytes());
    key.extend_from_slice(&profile_id.to_be_bytes());
    key.extend_from_slice(digest);
    key
}

/// Events inserted by one statement.
pub(crate) const PER_INSERT: usize = 64;

/// `INSERT OR IGNORE` of `rows` events in one statement (the full-size text is built once). Each
/// row binds, in order: profile id, type, SKU, category, value, currency, time, source, import
/// batch and [`key`].
pub(crate) fn insert_sql(rows: usize) -> std::borrow::Cow<'static, str> {
    static FULL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let build = |rows: usize| {
        let mut sql = String::from(
            "INSERT OR IGNORE INTO events (profile_id, type, sku, category, value, currency, occurred_at, source, import_batch, dedup_key) VALUES ",
        );
        for i in 0..rows {
            sql.push_str(if i == 0 {
                "(?,?,?,?,?,?,?,?,?,?)"
            } else {
                ",(?,?,?,?,?,?,?,?,?,?)"
            });
        }
        sql
    };
    if rows == PER_INSERT {
        std::borrow::Cow::Borrowed(FULL.get_or_init(|| build(rows)).as_str())
    } else {
        std::borrow::Cow::Owned(build(rows))
    }
}

/// Writes one new event (no import batch), the one at `position` (from 1) of what it came with.
/// `Some(type)` when it was stored, `None` when the same event already was.
///
/// # Errors
/// An unknown event type or profile (naming `position`), SQLite errors (without the store's path:
/// see [`StoreError::with_path`]).
pub(crate) fn write(conn: &Connection, position: usize, event: &NewEvent) -> Result<Option<&'static str>, StoreError> {
    let kind = known_type(event.kind)
        .ok_or_else(|| StoreError::Option(format!("event {position}: unknown event type \"{}\"", event.kind)))?;
    let digest = digest(
        kind,
        event.sku.as_deref(),
        event.category.as_deref(),
        event.currency.as_deref(),
        event.source.as_deref(),
        event.value,
    );
    let inserted = conn
        .prepare_cached(&insert_sql(1))
        .and_then(|mut st| {
            st.execute(params![
                event.profile_id,
                kind,
                event.sku,
                event.category,
                event.value,
                event.currency,
                event.occurred_at,
                event.source,
                Option::<i64>::None,
                key(event.occurred_at, event.profile_id, &digest)
            ])
        })
        .map_err(|e| match e {
            rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::ConstraintViolation => {
                StoreError::ProfileNotFound(event.profile_id.to_string())
            }
            other => StoreError::sql_unknown(other),
        })?;
    Ok((inserted == 1).then_some(kind))
}
