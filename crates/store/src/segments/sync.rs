//! The workspace's definitions in the store: synchronizing them ([`Store::sync_segments`]), which
//! evaluates what is new or changed, and reading them back ([`load_set`], [`SegmentCache`]) for
//! evaluations that run without the workspace.

use std::collections::{BTreeMap, BTreeSet};

use rusqlite::{params, Connection};
use serde::Serialize;

use super::evaluate::Scope;
use super::membership::evaluate_into;
use super::membership::Change;
use super::model::Segment;
use super::{scores, SegmentError, SegmentSet};
use crate::{Store, StoreError};

/// Hash of a definition as stored.
fn definition_hash(segment: &Segment) -> String {
    blake3::hash(segment.definition.to_string().as_bytes()).to_hex()[..32].to_owned()
}

/// What synchronizing the workspace's definitions did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SyncReport {
    /// Segments stored for the first time.
    pub added: Vec<String>,
    /// Segments whose definition changed.
    pub changed: Vec<String>,
    /// Segments no longer defined (their members' stays were closed).
    pub removed: Vec<String>,
    /// Membership changes of the segments evaluated because of this.
    pub evaluated: BTreeMap<String, Change>,
}

/// The segment definitions stored with the membership.
pub(crate) fn load_set(conn: &Connection) -> Result<SegmentSet, StoreError> {
    let mut st = conn
        .prepare_cached("SELECT name, definition FROM segment_definitions ORDER BY name")
        .map_err(StoreError::sql_unknown)?;
    let rows: Vec<(String, String)> = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .and_then(Iterator::collect)
        .map_err(StoreError::sql_unknown)?;
    let mut segments = Vec::with_capacity(rows.len());
    for (name, text) in rows {
        let segment = Segment::parse(&name, &text).map_err(|error| SegmentError::Invalid {
            segment: name.clone(),
            error,
        })?;
        segments.push(segment);
    }
    Ok(SegmentSet::new(segments)?)
}

/// The stored definitions, parsed and checked once and reused while their hashes are unchanged
/// (a stream of single events would otherwise re-read every definition for each).
#[derive(Debug, Default)]
pub(crate) struct SegmentCache {
    parsed: std::sync::Mutex<Option<(String, std::sync::Arc<SegmentSet>)>>,
}

impl SegmentCache {
    /// The stored set: from the cache when the stored hashes match, else loaded and kept.
    pub(crate) fn set(&self, conn: &Connection) -> Result<std::sync::Arc<SegmentSet>, StoreError> {
        let fingerprint: String = conn
            .prepare_cached("SELECT coalesce(group_concat(name || ':' || hash, ','), '') FROM (SELECT name, hash FROM segment_definitions ORDER BY name)")
            .and_then(|mut st| st.query_row([], |r| r.get(0)))
            .map_err(StoreError::sql_unknown)?;
        let mut parsed = self.parsed.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((known, set)) = parsed.as_ref() {
            if *known == fingerprint {
                return Ok(std::sync::Arc::clone(set));
            }
        }
        let set = std::sync::Arc::new(load_set(conn)?);
        *parsed = Some((fingerprint, std::sync::Arc::clone(&set)));
        Ok(set)
    }
}

impl Store {
    /// Stores the workspace's segment definitions: new and changed ones are evaluated over the
    /// whole store (with the segments that refer to them), removed ones close their members' stays.
    /// Unchanged definitions cost one hash comparison.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn sync_segments(&mut self, set: &SegmentSet, as_of: i64) -> Result<SyncReport, StoreError> {
        // Read-only when nothing would change: previews sync on every open, and must not queue
        // behind another connection's write transaction (an import) for a write they don't need.
        if in_sync(self.conn(), set, as_of).map_err(|e| self.sql_error(e))? {
            return Ok(SyncReport::default());
        }
        self.full_pass(|tx, reader| sync_in(tx, set, as_of, reader))
    }
}

/// Whether [`sync_in`] would write nothing: the stored definitions are exactly `set`'s, and the
/// product popularity is computed or there is nothing to compute (no purchases). Reads only.
fn in_sync(conn: &Connection, set: &SegmentSet, as_of: i64) -> rusqlite::Result<bool> {
    let stored: BTreeMap<String, String> = conn
        .prepare_cached("SELECT name, hash FROM segment_definitions")
        .and_then(|mut st| st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect())?;
    let current: BTreeMap<String, String> = set.iter().map(|s| (s.name.clone(), definition_hash(s))).collect();
    if stored != current {
        return Ok(false);
    }
    Ok(scores::popularity_computed(conn)? || scores::popularity(conn, as_of)?.is_empty())
}

fn sync_in(
    conn: &Connection,
    set: &SegmentSet,
    as_of: i64,
    reader: Option<&mut Connection>,
) -> Result<SyncReport, StoreError> {
    let sql = StoreError::sql_unknown;
    let stored: BTreeMap<String, String> = conn
        .prepare_cached("SELECT name, hash FROM segment_definitions")
        .and_then(|mut st| st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect())
        .map_err(sql)?;
    let mut report = SyncReport::default();
    let mut dirty = BTreeSet::new();
    for s in set.iter() {
        let hash = definition_hash(s);
        match stored.get(&s.name) {
            Some(h) if *h == hash => continue,
            Some(_) => report.changed.push(s.name.clone()),
            None => report.added.push(s.name.clone()),
        }
        conn.execute(
            "INSERT INTO segment_definitions (name, definition, hash, synced_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (name) DO UPDATE SET definition = excluded.definition, hash = excluded.hash, synced_at = excluded.synced_at, evaluated_at = NULL",
            params![s.name, s.definition.to_string(), hash, as_of],
        )
        .map_err(sql)?;
        dirty.insert(s.name.clone());
    }
    for name in stored.keys().filter(|n| set.get(n).is_none()) {
        conn.execute("DELETE FROM segment_definitions WHERE name = ?1", [name])
            .map_err(sql)?;
        conn.execute(
            "UPDATE segment_membership SET left_at = max(?2, entered_at) WHERE segment = ?1 AND left_at IS NULL",
            params![name, as_of],
        )
        .map_err(sql)?;
        report.removed.push(name.clone());
    }
    if !scores::popularity_computed(conn).map_err(sql)? {
        scores::compute_popularity(conn, as_of).map_err(sql)?;
    }
    if !dirty.is_empty() {
        let names = set.with_dependents(&dirty);
        report.evaluated = evaluate_into(conn, set, &names, Scope::All, as_of, reader)?;
    }
    Ok(report)
}
