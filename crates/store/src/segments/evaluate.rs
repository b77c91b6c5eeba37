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
        Scope::Range(low, high) => {
            params.push(rusqlite::types::Value::Integer(low));
            params.push(rusqlite::types::Value::Integer(high));
            format!(
                "SELECT p.id FROM profiles p WHERE {} AND p.id BETWEEN ? AND ? ORDER BY p.id",
                rule.sql
            )
        }
    };
    let mut st = conn.prepare_cached(&sql)?;
    let ids = st.query_map(params_from_iter(params), |r| r.get(0))?.collect();
    ids
}

/// The members of a compiled rule over every profile, the upper half of the ids evaluated on
/// `reader` in a second thread while this one evaluates the lower half on `conn`. Only for
/// passes whose transaction has not changed profiles or events: `reader` sees the last commit.
pub(crate) fn members_split(
    conn: &Connection,
    reader: &mut Connection,
    rule: &CompiledRule,
) -> rusqlite::Result<Vec<i64>> {
    let (low, high): (Option<i64>, Option<i64>) = conn.query_row("SELECT min(id), max(id) FROM profiles", [], |r| {
        Ok((r.get(0)?, r.get(1)?))
    })?;
    let (Some(low), Some(high)) = (low, high) else {
        return Ok(Vec::new());
    };
    let middle = low + (high - low) / 2;
    std::thread::scope(|scope| {
        let upper = scope.spawn(move || members(reader, rule, Scope::Range(middle + 1, high)));
        let mut ids = members(conn, rule, Scope::Range(low, middle))?;
        let upper = upper.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
        ids.extend(upper);
        Ok(ids)
    })
}
