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
    if !change.entered.is_empty() {
        let mut st = conn.prepare_cached(
            "INSERT INTO segment_membership (segment, profile_id, entered_at, left_at) VALUES (?1, ?2, ?3, NULL)",
        )?;
        for id in &change.entered {
            st.execute(params![segment, id, at])?;
        }
    }
    if !change.left.is_empty() {
        let mut st = conn.prepare_cached(
            "UPDATE segment_membership SET left_at = max(?3, entered_at) WHERE segment = ?1 AND profile_id = ?2 AND left_at IS NULL",
        )?;
        for id in &change.left {
            st.execute(params![segment, id, at])?;
        }
    }
    Ok(change)
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
