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

use rusqlite::functions::FunctionFlags;
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
    conn.execute("DELETE FROM product_popularity", [])?;
    conn.execute(
        "INSERT INTO product_popularity (sku, purchases, computed_at)
         SELECT sku, count(*), ?1 FROM events
         WHERE type = 'purchase' AND sku IS NOT NULL AND occurred_at <= ?1 AND occurred_at > ?2 GROUP BY sku",
        params![as_of, as_of.saturating_sub(POPULARITY_WINDOW_MS)],
    )?;
    Ok(())
}

/// Whether popularity was ever computed.
pub(crate) fn popularity_computed(conn: &Connection) -> rusqlite::Result<bool> {
    conn.query_row("SELECT 1 FROM product_popularity LIMIT 1", [], |_| Ok(()))
        .optional()
        .map(|r| r.is_some())
}

/// Registers `tessera_decay(age_ms, half_life_ms)` = `0.5^(age / half_life)` (the bundled SQLite
/// has no math functions). Ages below zero count as zero.
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
    )
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
}
