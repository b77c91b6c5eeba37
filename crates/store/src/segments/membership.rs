//! Materialized membership: who is in each segment now, and since when. Applying an evaluation
//! opens a stay for each profile that entered and closes the stay of each that left, at the
//! evaluation instant; `evaluate_into` compiles, evaluates and applies in one step.

use std::collections::{BTreeMap, BTreeSet};

use rusqlite::{params, Connection};

use super::evaluate::{self, Scope};
use super::pass::members_split;
use super::scores::Cuts;
use super::{compile, SegmentSet};
use crate::StoreError;

/// Profiles that entered and left a segment in one update.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Change {
    /// Profile ids that entered.
    pub entered: Vec<i64>,
    /// Profile ids that left.
    pub left: Vec<i64>,
}

/// The current members of `segment` within `scope`, in id order.
pub(crate) fn current(conn: &Connection, segment: &str, scope: Scope) -> rusqlite::Result<Vec<i64>> {
    let (sql, range) = match scope {
        Scope::All => (
            "SELECT profile_id FROM segment_membership WHERE segment = ?1 AND left_at IS NULL ORDER BY profile_id",
            None,
        ),
        Scope::Affected => (
            "SELECT m.profile_id FROM temp.segment_affected a CROSS JOIN segment_membership m ON m.segment = ?1 AND m.profile_id = a.id AND m.left_at IS NULL ORDER BY m.profile_id",
            None,
        ),
        Scope::One(id) => (
            "SELECT profile_id FROM segment_membership WHERE segment = ?1 AND left_at IS NULL AND profile_id BETWEEN ?2 AND ?3",
            Some((id, id)),
        ),
        Scope::Range(low, high) => (
            "SELECT profile_id FROM segment_membership WHERE segment = ?1 AND left_at IS NULL AND profile_id BETWEEN ?2 AND ?3 ORDER BY profile_id",
            Some((low, high)),
        ),
    };
    let mut st = conn.prepare_cached(sql)?;
    let rows = match range {
        Some((low, high)) => st.query_map(params![segment, low, high], |r| r.get(0))?.collect(),
        None => st.query_map([segment], |r| r.get(0))?.collect(),
    };
    rows
}

/// Makes the stored membership of `segment` within `scope` equal `members` (sorted ids), as of `at`.
pub(crate) fn apply(
    conn: &Connection,
    segment: &str,
    scope: Scope,
    members: &[i64],
    at: i64,
) -> rusqlite::Result<Change> {
    let before = current(conn, segment, scope)?;
    let mut change = Change::default();
    let (mut i, mut j) = (0, 0);
    // Both lists are sorted: one merge pass finds who entered and who left.
    while i < before.len() || j < members.len() {
        match (before.get(i), members.get(j)) {
            (Some(a), Some(b)) if a == b => {
                i += 1;
                j += 1;
            }
            (Some(a), Some(b)) if a < b => {
                change.left.push(*a);
                i += 1;
            }
            (Some(a), None) => {
                change.left.push(*a);
                i += 1;
            }
            (_, Some(b)) => {
                change.entered.push(*b);
                j += 1;
            }
            (None, None) => break,
        }
    }
    write_stays(conn, segment, &change, at)?;
    Ok(change)
}

/// Profile ids bound by one statement that opens or closes stays.
const IDS_PER_STATEMENT: usize = 500;

/// Opens a stay in `segment` for each profile that entered and closes the current stay of each
/// that left, at `at`. Many profiles per statement: a full pass that moves hundreds of thousands
/// of profiles spent most of its writing on executing one statement per profile.
fn write_stays(conn: &Connection, segment: &str, change: &Change, at: i64) -> rusqlite::Result<()> {
    for ids in change.entered.chunks(IDS_PER_STATEMENT) {
        let rows = (0..ids.len()).map(|i| format!("(?1, ?{}, ?2, NULL)", i + 3));
        let sql = format!(
            "INSERT INTO segment_membership (segment, profile_id, entered_at, left_at) VALUES {}",
            rows.collect::<Vec<_>>().join(", ")
        );
        execute_with_ids(conn, &sql, segment, at, ids)?;
    }
    for ids in change.left.chunks(IDS_PER_STATEMENT) {
        let list = (0..ids.len()).map(|i| format!("?{}", i + 3));
        let sql = format!(
            "UPDATE segment_membership SET left_at = max(?2, entered_at) WHERE segment = ?1 AND left_at IS NULL AND profile_id IN ({})",
            list.collect::<Vec<_>>().join(", ")
        );
        execute_with_ids(conn, &sql, segment, at, ids)?;
    }
    Ok(())
}

/// Runs `sql` (cached: full chunks share one text) with the segment as `?1`, the instant as `?2`
/// and `ids` from `?3` on.
fn execute_with_ids(conn: &Connection, sql: &str, segment: &str, at: i64, ids: &[i64]) -> rusqlite::Result<()> {
    let mut st = conn.prepare_cached(sql)?;
    st.raw_bind_parameter(1, segment)?;
    st.raw_bind_parameter(2, at)?;
    for (i, id) in ids.iter().enumerate() {
        st.raw_bind_parameter(i + 3, id)?;
    }
    st.raw_execute()?;
    Ok(())
}

/// Evaluates `names` of `set` within `scope` as of `as_of` and applies the result to the
/// membership. Marks full evaluations.
pub(crate) fn evaluate_into(
    conn: &Connection,
    set: &SegmentSet,
    names: &BTreeSet<String>,
    scope: Scope,
    as_of: i64,
    reader: Option<&mut Connection>,
) -> Result<BTreeMap<String, Change>, StoreError> {
    let sql = StoreError::sql_unknown;
    let cuts = Cuts::load_or_compute(conn, as_of).map_err(sql)?;
    let rules = names
        .iter()
        .map(|name| compile::compile(set, set.require(name)?, &cuts, as_of))
        .collect::<Result<Vec<_>, _>>()?;
    let members = match (scope, reader) {
        (Scope::All, Some(reader)) => members_split(conn, reader, &rules),
        _ => evaluate::members(conn, &rules, scope),
    }
    .map_err(sql)?;
    let mut changes = BTreeMap::new();
    for (name, members) in names.iter().zip(members) {
        let change = apply(conn, name, scope, &members, as_of).map_err(sql)?;
        if scope == Scope::All {
            conn.execute(
                "UPDATE segment_definitions SET evaluated_at = ?2 WHERE name = ?1",
                params![name, as_of],
            )
            .map_err(sql)?;
        }
        changes.insert(name.clone(), change);
    }
    Ok(changes)
}
