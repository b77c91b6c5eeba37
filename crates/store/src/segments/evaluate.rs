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
}

/// Creates (or empties) the temporary table of affected profiles and fills it.
pub(crate) fn stage_affected(conn: &Connection, ids: &[i64]) -> rusqlite::Result<()> {
    conn.execute_batch(
        "CREATE TEMP TABLE IF NOT EXISTS segment_affected (id INTEGER PRIMARY KEY); DELETE FROM temp.segment_affected;",
    )?;
    let mut st = conn.prepare_cached("INSERT OR IGNORE INTO temp.segment_affected (id) VALUES (?1)")?;
    for id in ids {
        st.execute([id])?;
    }
    Ok(())
}

/// The members of a compiled rule within `scope`, in id order.
pub(crate) fn members(conn: &Connection, rule: &CompiledRule, scope: Scope) -> rusqlite::Result<Vec<i64>> {
    let mut params = rule.params.clone();
    let sql = match scope {
        Scope::All => format!("SELECT p.id FROM profiles p WHERE {} ORDER BY p.id", rule.sql),
        Scope::Affected => format!(
            "SELECT p.id FROM temp.segment_affected a JOIN profiles p ON p.id = a.id WHERE {} ORDER BY p.id",
            rule.sql
        ),
        Scope::One(id) => {
            params.push(rusqlite::types::Value::Integer(id));
            format!("SELECT p.id FROM profiles p WHERE {} AND p.id = ?", rule.sql)
        }
    };
    let mut st = conn.prepare_cached(&sql)?;
    let ids = st.query_map(params_from_iter(params), |r| r.get(0))?.collect();
    ids
}
