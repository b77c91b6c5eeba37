//! Built-in scores: RFM quintiles, engagement with exponential decay, churn risk.
//!
//! - **Recency (R)**, **frequency (F)**, **monetary (M)**: for each profile with at least one
//!   purchase up to the evaluation instant, the time of its last purchase, its number of orders
//!   (distinct purchase instants) and the sum of its purchase values. Each becomes a quintile 1-5
//!   against four cut points taken over all purchasers at the 20th, 40th, 60th and 80th
//!   percentiles: the score is 1 plus the number of cut points the value reaches. Profiles without
//!   a purchase have no R, F or M (a comparison with them is false). Cut points are computed by a
//!   full refresh; incremental updates place a profile against the last ones.
//! - **Engagement**: the sum over the email opens (weight 1) and clicks (weight 3) of the last 180
//!   days of `weight × 0.5^(age / 14 days)`: an open today counts 1, two weeks ago 0.5.
//! - **Churn risk**: 0 unless M ≥ 4 (a high-value customer); then `(5 − R) / 4`, so 0 for R = 5,
//!   0.5 for R = 3 and 1 for R = 1: the further recency slips, the higher the risk.

use rusqlite::functions::{Aggregate, Context, FunctionFlags};
use rusqlite::{params, Connection, OptionalExtension};

use super::model::Score;

/// Engagement half-life: 14 days.
pub const ENGAGEMENT_HALF_LIFE_MS: i64 = 14 * 86_400_000;

/// Engagement reads the opens and clicks of the last 180 days.
pub const ENGAGEMENT_WINDOW_MS: i64 = 180 * 86_400_000;

/// Popularity (the bestseller fallback) counts purchases of the last 90 days.
pub const POPULARITY_WINDOW_MS: i64 = 90 * 86_400_000;

/// The quintile cut points of R, F and M.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Cuts {
    /// Last purchase time (epoch ms).
    pub recency: Option<[f64; 4]>,
    /// Orders.
    pub frequency: Option<[f64; 4]>,
    /// Purchase value.
    pub monetary: Option<[f64; 4]>,
}

impl Cuts {
    /// The cut points of a quintile score.
    #[must_use]
    pub fn get(&self, score: Score) -> Option<[f64; 4]> {
        match score {
            Score::Recency => self.recency,
            Score::Frequency => self.frequency,
            Score::Monetary => self.monetary,
            Score::Engagement | Score::ChurnRisk => None,
        }
    }

    /// Computes the cut points over every purchaser as of `as_of`.
    pub(crate) fn compute(conn: &Connection, as_of: i64) -> rusqlite::Result<Self> {
        let mut st = conn.prepare(
            "SELECT max(occurred_at), count(DISTINCT occurred_at), total(value) FROM events
             WHERE type = 'purchase' AND occurred_at <= ?1 GROUP BY profile_id",
        )?;
        let mut r = Vec::new();
        let mut f = Vec::new();
        let mut m = Vec::new();
        let mut rows = st.query([as_of])?;
        while let Some(row) = rows.next()? {
            #[allow(clippy::cast_precision_loss)]
            r.push(row.get::<_, i64>(0)? as f64);
            #[allow(clippy::cast_precision_loss)]
            f.push(row.get::<_, i64>(1)? as f64);
            m.push(row.get::<_, f64>(2)?);
        }
        Ok(Self {
            recency: quintile_cuts(r),
            frequency: quintile_cuts(f),
            monetary: quintile_cuts(m),
        })
    }

    /// The cut points stored by the last refresh (`None` if there was none).
    pub(crate) fn load(conn: &Connection) -> rusqlite::Result<Option<Self>> {
        let mut st = conn.prepare_cached("SELECT score, cuts FROM segment_score_cuts")?;
        let rows: Vec<(String, String)> = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        if rows.is_empty() {
            return Ok(None);
        }
        let mut cuts = Self::default();
        for (score, text) in rows {
            let parsed: Option<[f64; 4]> = serde_json::from_str(&text).ok().flatten();
            match score.as_str() {
                "recency" => cuts.recency = parsed,
                "frequency" => cuts.frequency = parsed,
                "monetary" => cuts.monetary = parsed,
                _ => {}
            }
        }
        Ok(Some(cuts))
    }

    /// Stores the cut points (replacing the previous ones).
    pub(crate) fn save(&self, conn: &Connection, at: i64) -> rusqlite::Result<()> {
        let mut st = conn.prepare_cached(
            "INSERT INTO segment_score_cuts (score, cuts, computed_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (score) DO UPDATE SET cuts = excluded.cuts, computed_at = excluded.computed_at",
        )?;
        for (name, cuts) in [
            ("recency", self.recency),
            ("frequency", self.frequency),
            ("monetary", self.monetary),
        ] {
            let text = serde_json::to_string(&cuts).unwrap_or_else(|_| "null".to_owned());
            st.execute(params![name, text, at])?;
        }
        Ok(())
    }

    /// The stored cut points, computed and stored first if there are none yet.
    pub(crate) fn load_or_compute(conn: &Connection, as_of: i64) -> rusqlite::Result<Self> {
        if let Some(cuts) = Self::load(conn)? {
            return Ok(cuts);
        }
        let cuts = Self::compute(conn, as_of)?;
        cuts.save(conn, as_of)?;
        Ok(cuts)
    }
}

/// The values at the 20th, 40th, 60th and 80th percentiles (nearest rank), or `None` without
/// values.
#[must_use]
pub fn quintile_cuts(mut values: Vec<f64>) -> Option<[f64; 4]> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let n = values.len();
    Some([1, 2, 3, 4].map(|k| values[(k * n / 5).min(n - 1)]))
}

/// Recomputes product popularity (purchases per SKU in the 90 days up to `as_of`).
pub(crate) fn compute_popularity(conn: &Connection, as_of: i64) -> rusqlite::Result<()> {
    let counts = popularity(conn, as_of)?;
    store_popularity(conn, &counts, as_of)
}

/// Purchases per SKU in the 90 days up to `as_of`.
pub(crate) fn popularity(conn: &Connection, as_of: i64) -> rusqlite::Result<Vec<(String, i64)>> {
    let mut st = conn.prepare_cached(
        "SELECT sku, count(*) FROM events
         WHERE type = 'purchase' AND sku IS NOT NULL AND occurred_at <= ?1 AND occurred_at > ?2 GROUP BY sku",
    )?;
    let rows = st.query_map(params![as_of, as_of.saturating_sub(POPULARITY_WINDOW_MS)], |r| {
        Ok((r.get(0)?, r.get(1)?))
    })?;
    rows.collect()
}

/// Replaces the stored popularity with `counts`, computed as of `as_of`.
pub(crate) fn store_popularity(conn: &Connection, counts: &[(String, i64)], as_of: i64) -> rusqlite::Result<()> {
    conn.execute("DELETE FROM product_popularity", [])?;
    let mut st =
        conn.prepare_cached("INSERT INTO product_popularity (sku, purchases, computed_at) VALUES (?1, ?2, ?3)")?;
    for (sku, purchases) in counts {
        st.execute(params![sku, purchases, as_of])?;
    }
    Ok(())
}

/// Whether popularity was ever computed.
pub(crate) fn popularity_computed(conn: &Connection) -> rusqlite::Result<bool> {
    conn.query_row("SELECT 1 FROM product_popularity LIMIT 1", [], |_| Ok(()))
        .optional()
        .map(|r| r.is_some())
}

/// Registers the functions segment rules call (the bundled SQLite has no math functions):
/// - `tessera_decay(age_ms, half_life_ms)` = `0.5^(age / half_life)`; ages below zero count as
///   zero.
/// - the aggregate `tessera_sessions(occurred_at, id, window_start, gap_ms)`: of the visits
///   given (in any order), how many start a session after `window_start` (see
///   [`count_session_starts`]).
pub(crate) fn register_functions(conn: &Connection) -> rusqlite::Result<()> {
    conn.create_scalar_function(
        "tessera_decay",
        2,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| {
            let age: f64 = ctx.get(0)?;
            let half: f64 = ctx.get(1)?;
            Ok(if half > 0.0 {
                0.5f64.powf(age.max(0.0) / half)
            } else {
                0.0
            })
        },
    )?;
    conn.create_aggregate_function(
        "tessera_sessions",
        4,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        SessionStarts,
    )
}

/// A profile's visits as `(time, event id)`, with the window start and the gap.
#[derive(Debug, Default)]
struct Visits {
    visits: Vec<(i64, i64)>,
    window_start: i64,
    gap_ms: i64,
}

/// The `tessera_sessions` aggregate.
struct SessionStarts;

impl Aggregate<Visits, i64> for SessionStarts {
    fn init(&self, _: &mut Context<'_>) -> rusqlite::Result<Visits> {
        Ok(Visits::default())
    }

    fn step(&self, ctx: &mut Context<'_>, acc: &mut Visits) -> rusqlite::Result<()> {
        acc.visits.push((ctx.get(0)?, ctx.get(1)?));
        acc.window_start = ctx.get(2)?;
        acc.gap_ms = ctx.get(3)?;
        Ok(())
    }

    fn finalize(&self, _: &mut Context<'_>, acc: Option<Visits>) -> rusqlite::Result<i64> {
        Ok(acc.map_or(0, |mut acc| {
            count_session_starts(&mut acc.visits, acc.window_start, acc.gap_ms)
        }))
    }
}

/// Counts the session starts after `window_start` among `visits` (`(time, event id)`, sorted
/// here): a visit starts a session when no visit is in the `gap_ms` before it, and at the same
/// instant the lower event id starts it. Visits from one gap before the window must be given.
#[must_use]
pub fn count_session_starts(visits: &mut [(i64, i64)], window_start: i64, gap_ms: i64) -> i64 {
    visits.sort_unstable();
    let mut starts = 0;
    let mut previous: Option<i64> = None;
    for &(at, _) in visits.iter() {
        // Sorted by time then id: the visit before this one is the latest that could continue it.
        if at > window_start && previous.is_none_or(|p| p < at.saturating_sub(gap_ms)) {
            starts += 1;
        }
        previous = Some(at);
    }
    starts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quintile_cuts_take_nearest_ranks() {
        assert_eq!(quintile_cuts(vec![]), None);
        assert_eq!(quintile_cuts(vec![7.0]), Some([7.0; 4]));
        let ten: Vec<f64> = (1..=10).map(f64::from).rev().collect();
        // Sorted 1..10: ranks 2, 4, 6, 8 (0-based) hold 3, 5, 7, 9.
        assert_eq!(quintile_cuts(ten), Some([3.0, 5.0, 7.0, 9.0]));
    }

    #[test]
    fn sessions_start_after_a_gap_and_ties_go_to_the_lower_id() {
        let gap = 30;
        // Unsorted on purpose. 0 starts one (before the window: not counted); 20 continues it;
        // 51 is 31 after 20: a start; 81 is exactly 30 after 51: continues; 200 and its twin at
        // the same instant are one start.
        let mut visits = vec![(200, 9), (51, 3), (0, 1), (81, 4), (20, 2), (200, 8)];
        assert_eq!(count_session_starts(&mut visits, 10, gap), 2);
        // A window that starts after 51: only 200.
        assert_eq!(count_session_starts(&mut visits, 60, gap), 1);
        assert_eq!(count_session_starts(&mut [], 0, gap), 0);
    }
}
