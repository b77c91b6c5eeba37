//! Reading segments and their members: sizes, members, the segments a profile is in (stored or
//! evaluated live), a representative member, a draft's live count, and a segment's SQL and plan.

use rusqlite::{params, OptionalExtension};
use serde::Serialize;

use super::compile::{self, CompiledRule};
use super::evaluate::{self, Scope};
use super::pass::members_split;
use super::scores::Cuts;
use super::sync::load_set;
use super::SegmentSet;
use crate::{ms_to_rfc3339, Store, StoreError};

/// A segment with its current size.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SegmentSummary {
    /// Name.
    pub name: String,
    /// Current members.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub members: u64,
    /// When the whole store was last evaluated for it (RFC 3339), if ever.
    pub evaluated_at: Option<String>,
}

/// A current member of a segment.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Member {
    /// Store id.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub id: i64,
    /// Email.
    pub email: String,
    /// First name.
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: Option<String>,
    /// When it entered (RFC 3339).
    pub entered_at: String,
}

impl Store {
    /// The stored segments with their current sizes.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn segment_summaries(&self) -> Result<Vec<SegmentSummary>, StoreError> {
        self.conn()
            .prepare_cached(
                "SELECT d.name, (SELECT count(*) FROM segment_membership m WHERE m.segment = d.name AND m.left_at IS NULL), d.evaluated_at
                 FROM segment_definitions d ORDER BY d.name",
            )
            .and_then(|mut st| {
                st.query_map([], |r| {
                    Ok(SegmentSummary {
                        name: r.get(0)?,
                        members: r.get::<_, i64>(1)?.try_into().unwrap_or(0),
                        evaluated_at: r.get::<_, Option<i64>>(2)?.map(ms_to_rfc3339),
                    })
                })?
                .collect()
            })
            .map_err(|e| self.sql_error(e))
    }

    /// Evaluates a segment of `set` that need not be stored (a definition being edited) over the
    /// whole store as of `as_of`, writing no membership: how many profiles it holds and the first
    /// `limit` of them by store id.
    ///
    /// # Errors
    /// An unknown segment or reference, SQLite errors.
    pub fn evaluate_draft(
        &self,
        set: &SegmentSet,
        name: &str,
        as_of: i64,
        limit: usize,
    ) -> Result<(u64, Vec<crate::profiles::ProfileSummary>), StoreError> {
        let cuts = Cuts::load_or_compute(self.conn(), as_of).map_err(|e| self.sql_error(e))?;
        let rule = compile::compile(set, set.require(name)?, &cuts, as_of)?;
        let rules = std::slice::from_ref(&rule);
        // Read-only, outside any transaction: a second connection sees the same data, so a live
        // count over a large store is split over two threads like a full pass.
        let members = match self.parallel_reader() {
            Some(mut reader) => {
                self.mapped(|conn| members_split(conn, &mut reader, rules).map_err(|e| self.sql_error(e)))
            }
            None => evaluate::members(self.conn(), rules, Scope::All).map_err(|e| self.sql_error(e)),
        }?;
        let ids = members.into_iter().next().unwrap_or_default();
        let first: Vec<i64> = ids.iter().copied().take(limit).collect();
        Ok((ids.len() as u64, self.profiles_by_id(&first)?))
    }

    /// Up to `limit` current members of a segment, by store id.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn segment_members(&self, segment: &str, limit: usize) -> Result<Vec<Member>, StoreError> {
        self.conn()
            .prepare_cached(
                "SELECT p.id, p.email, p.first_name, p.last_name, m.entered_at FROM segment_membership m JOIN profiles p ON p.id = m.profile_id
                 WHERE m.segment = ?1 AND m.left_at IS NULL ORDER BY p.id LIMIT ?2",
            )
            .and_then(|mut st| {
                st.query_map(params![segment, i64::try_from(limit).unwrap_or(i64::MAX)], |r| {
                    Ok(Member {
                        id: r.get(0)?,
                        email: r.get(1)?,
                        first_name: r.get(2)?,
                        last_name: r.get(3)?,
                        entered_at: ms_to_rfc3339(r.get(4)?),
                    })
                })?
                .collect()
            })
            .map_err(|e| self.sql_error(e))
    }

    /// The segments a profile is in now, evaluated live as of `as_of` against the stored
    /// definitions (exact even when time has moved windows since the last update).
    ///
    /// # Errors
    /// SQLite errors, invalid stored definitions.
    pub fn live_segments(&self, profile_id: i64, as_of: i64) -> Result<Vec<String>, StoreError> {
        let run = || -> Result<Vec<String>, StoreError> {
            let set = self.segment_cache.set(self.conn())?;
            let cuts = Cuts::load(self.conn())
                .map_err(StoreError::sql_unknown)?
                .unwrap_or_default();
            let rules = set
                .iter()
                .map(|s| compile::compile(&set, s, &cuts, as_of))
                .collect::<Result<Vec<_>, _>>()?;
            let members =
                evaluate::members(self.conn(), &rules, Scope::One(profile_id)).map_err(StoreError::sql_unknown)?;
            let out = set
                .iter()
                .zip(members)
                .filter(|(_, ids)| !ids.is_empty())
                .map(|(s, _)| s.name.clone())
                .collect();
            Ok(out)
        };
        run().map_err(|e| e.with_path(self.path()))
    }

    /// The segments a profile is in according to the materialized membership.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn stored_segments(&self, profile_id: i64) -> Result<Vec<String>, StoreError> {
        self.conn()
            .prepare_cached(
                "SELECT segment FROM segment_membership WHERE profile_id = ?1 AND left_at IS NULL ORDER BY segment",
            )
            .and_then(|mut st| st.query_map([profile_id], |r| r.get(0))?.collect())
            .map_err(|e| self.sql_error(e))
    }

    /// One representative current member of a segment: the member with the most profile data
    /// filled in (ties: the lowest id), or `None` for an empty segment.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn representative(&self, segment: &str) -> Result<Option<i64>, StoreError> {
        self.conn()
            .prepare_cached(
                "SELECT p.id FROM segment_membership m JOIN profiles p ON p.id = m.profile_id
                 WHERE m.segment = ?1 AND m.left_at IS NULL
                 ORDER BY (p.first_name IS NOT NULL) + (p.last_name IS NOT NULL) + (p.city IS NOT NULL) + (p.locale IS NOT NULL) DESC, p.id LIMIT 1",
            )
            .and_then(|mut st| st.query_row([segment], |r| r.get(0)).optional())
            .map_err(|e| self.sql_error(e))
    }

    /// The compiled SQL of a stored segment as of `as_of` (for `segments show`).
    ///
    /// # Errors
    /// Unknown segment, SQLite errors.
    pub fn segment_sql(&self, name: &str, as_of: i64) -> Result<CompiledRule, StoreError> {
        let set = load_set(self.conn()).map_err(|e| e.with_path(self.path()))?;
        let cuts = Cuts::load(self.conn())
            .map_err(|e| self.sql_error(e))?
            .unwrap_or_default();
        Ok(compile::compile(&set, set.require(name)?, &cuts, as_of)?)
    }

    /// SQLite's query plan for evaluating a stored segment over the whole store as of `as_of`, one
    /// line per step (`SEARCH e USING COVERING INDEX ...`): how each rule reads the events.
    ///
    /// # Errors
    /// Unknown segment, SQLite errors.
    pub fn segment_plan(&self, name: &str, as_of: i64) -> Result<Vec<String>, StoreError> {
        let rule = self.segment_sql(name, as_of)?;
        self.conn()
            .prepare(&format!(
                "EXPLAIN QUERY PLAN SELECT p.id FROM profiles p WHERE {}",
                rule.sql
            ))
            .and_then(|mut st| {
                st.query_map(rusqlite::params_from_iter(rule.params), |r| r.get::<_, String>(3))?
                    .collect()
            })
            .map_err(|e| self.sql_error(e))
    }
}
