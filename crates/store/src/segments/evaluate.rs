//! Running compiled rules: over the whole store, over a batch of affected profiles, or for one.

use rusqlite::{params_from_iter, Connection};

use super::compile::CompiledRule;

/// Which profiles an evaluation covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    /// Every profile.
    All,
    /// The profiles in `temp.segment_affected`.
    Affected,
    /// One profile.
    One(i64),
    /// The profiles with ids in this range (both ends included): part of a pass over all.
    Range(i64, i64),
}

/// Creates (or empties) the temporary table of affected profiles and fills it.
pub(crate) fn stage_affected(conn: &Connection, ids: &[i64]) -> rusqlite::Result<()> {
    // Cached statements: a group commit of the live collector stages its profiles every time.
    conn.prepare_cached("CREATE TEMP TABLE IF NOT EXISTS segment_affected (id INTEGER PRIMARY KEY)")?
        .execute([])?;
    conn.prepare_cached("DELETE FROM temp.segment_affected")?.execute([])?;
    let mut st = conn.prepare_cached("INSERT OR IGNORE INTO temp.segment_affected (id) VALUES (?1)")?;
    for id in ids {
        st.execute([id])?;
    }
    Ok(())
}

/// The members of each of `rules` within `scope`, in id order, from one pass over the profiles:
/// each profile's rules are evaluated one after the other, so the index pages holding its events
/// are read once for all of them.
pub(crate) fn members(conn: &Connection, rules: &[CompiledRule], scope: Scope) -> rusqlite::Result<Vec<Vec<i64>>> {
    let mut all = Vec::with_capacity(rules.len());
    for group in statement_groups(rules) {
        all.extend(members_of_group(conn, group, scope)?);
    }
    Ok(all)
}

/// A statement holds at most this many rules as columns (SQLite allows 2,000 result columns).
const MAX_RULES_PER_STATEMENT: usize = 500;
/// A statement binds at most this many values (SQLite allows 32,766).
const MAX_PARAMS_PER_STATEMENT: usize = 30_000;

/// Splits `rules` into consecutive groups that each fit in one statement, so a workspace with
/// thousands of segments stays within SQLite's column and variable limits.
fn statement_groups(rules: &[CompiledRule]) -> Vec<&[CompiledRule]> {
    let mut groups = Vec::new();
    let (mut start, mut params) = (0, 0);
    for (i, rule) in rules.iter().enumerate() {
        let full = i - start >= MAX_RULES_PER_STATEMENT || params + rule.params.len() > MAX_PARAMS_PER_STATEMENT;
        if full && i > start {
            groups.push(&rules[start..i]);
            start = i;
            params = 0;
        }
        params += rule.params.len();
    }
    if start < rules.len() {
        groups.push(&rules[start..]);
    }
    groups
}

fn members_of_group(conn: &Connection, rules: &[CompiledRule], scope: Scope) -> rusqlite::Result<Vec<Vec<i64>>> {
    if rules.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = String::from("SELECT p.id");
    let mut params: Vec<rusqlite::types::Value> = Vec::new();
    for rule in rules {
        sql.push_str(", ");
        sql.push_str(&rule.sql);
        params.extend(rule.params.iter().cloned());
    }
    match scope {
        Scope::All => sql.push_str(" FROM profiles p ORDER BY p.id"),
        Scope::Affected => {
            // CROSS JOIN fixes the loop order: the few affected ids outside, each a primary-key
            // search in profiles. With a plain JOIN the planner, knowing nothing of the temporary
            // table's size, scanned all profiles (115 ms for 60 ids in a store of 1,000,000).
            sql.push_str(" FROM temp.segment_affected a CROSS JOIN profiles p ON p.id = a.id ORDER BY p.id");
        }
        Scope::One(id) => {
            sql.push_str(" FROM profiles p WHERE p.id = ?");
            params.push(rusqlite::types::Value::Integer(id));
        }
        Scope::Range(low, high) => {
            sql.push_str(" FROM profiles p WHERE p.id BETWEEN ? AND ? ORDER BY p.id");
            params.push(rusqlite::types::Value::Integer(low));
            params.push(rusqlite::types::Value::Integer(high));
        }
    }
    let mut members = vec![Vec::new(); rules.len()];
    let mut st = conn.prepare_cached(&sql)?;
    let mut rows = st.query(params_from_iter(params))?;
    while let Some(row) = rows.next()? {
        let id: i64 = row.get(0)?;
        for (i, list) in members.iter_mut().enumerate() {
            if row.get::<_, Option<bool>>(i + 1)?.unwrap_or(false) {
                list.push(id);
            }
        }
    }
    Ok(members)
}
