//! Keeping the materialized membership up to date: full re-evaluations of the stored segments
//! ([`Store::refresh_segments`], [`Store::reevaluate_segments`]), and re-evaluating only the
//! profiles a change touched ([`update_profiles`]): new events ([`Store::add_events`]) and imports
//! ([`Touched`]).

use std::collections::{BTreeMap, BTreeSet};

use rusqlite::Connection;

use super::evaluate::{self, Scope};
use super::membership::{evaluate_into, Change};
use super::pass::alongside;
use super::scores::{self, Cuts};
use super::sync::{load_set, SegmentCache};
use super::{Deps, NewEvent};
use crate::{Store, StoreError};

/// Above this share of the store, a batch of affected profiles is evaluated as a full pass.
const FULL_PASS_SHARE: usize = 4;
/// Batches of at most this many profiles are always evaluated as a batch.
const FULL_PASS_MIN: usize = 1000;

/// Re-evaluates the profiles `ids` against the stored segments that `change` can affect, as of
/// `as_of`: one profile directly, a batch through a temporary table, a large share of the store
/// as a full pass.
pub(crate) fn update_profiles(
    conn: &Connection,
    cache: &SegmentCache,
    ids: &[i64],
    change: &Deps,
    as_of: i64,
) -> Result<BTreeMap<String, Change>, StoreError> {
    if ids.is_empty() {
        return Ok(BTreeMap::new());
    }
    let set = cache.set(conn)?;
    let names: BTreeSet<String> = set
        .iter()
        .filter(|s| set.deps(&s.name).touched_by(change))
        .map(|s| s.name.clone())
        .collect();
    if names.is_empty() {
        return Ok(BTreeMap::new());
    }
    let sql = StoreError::sql_unknown;
    let scope = if let [one] = ids {
        Scope::One(*one)
    } else {
        // Counting the profiles reads a whole index (a few ms in a store of 1,000,000, and the
        // largest cost of a small group commit): only a large batch can be a large share.
        let large_share = ids.len() > FULL_PASS_MIN && {
            let profiles: i64 = conn
                .query_row("SELECT count(*) FROM profiles", [], |r| r.get(0))
                .map_err(sql)?;
            ids.len().saturating_mul(FULL_PASS_SHARE) > usize::try_from(profiles).unwrap_or(0)
        };
        if large_share {
            Scope::All
        } else {
            evaluate::stage_affected(conn, ids).map_err(sql)?;
            Scope::Affected
        }
    };
    evaluate_into(conn, &set, &names, scope, as_of, None)
}

impl Store {
    /// Full re-evaluation as of `as_of`: recomputes the RFM cut points and product popularity, then
    /// evaluates every stored segment over every profile.
    ///
    /// # Errors
    /// SQLite errors, invalid stored definitions.
    pub fn refresh_segments(&mut self, as_of: i64) -> Result<BTreeMap<String, Change>, StoreError> {
        self.full_pass(|tx, mut reader| {
            let sql = StoreError::sql_unknown;
            // Popularity and the cut points each read every purchase: on two threads when they can.
            let (cuts, popularity) = match reader.as_deref_mut() {
                Some(reader) => alongside(
                    reader,
                    |reader| scores::popularity(reader, as_of),
                    || Cuts::compute(tx, as_of),
                ),
                None => (Cuts::compute(tx, as_of), scores::popularity(tx, as_of)),
            };
            let cuts = cuts.map_err(sql)?;
            cuts.save(tx, as_of).map_err(sql)?;
            scores::store_popularity(tx, &popularity.map_err(sql)?, as_of).map_err(sql)?;
            let set = load_set(tx)?;
            let names = set.names().into_iter().collect();
            evaluate_into(tx, &set, &names, Scope::All, as_of, reader)
        })
    }

    /// Full re-evaluation of every stored segment as of `as_of` with the stored cut points (no
    /// rescoring). Right after incremental updates at the same instant it changes nothing.
    ///
    /// # Errors
    /// SQLite errors, invalid stored definitions.
    pub fn reevaluate_segments(&mut self, as_of: i64) -> Result<BTreeMap<String, Change>, StoreError> {
        self.full_pass(|tx, reader| {
            let set = load_set(tx)?;
            let names = set.names().into_iter().collect();
            evaluate_into(tx, &set, &names, Scope::All, as_of, reader)
        })
    }

    /// Records one event and updates that profile's membership of the segments the event can
    /// affect, as of `as_of`, in one transaction. Returns the membership changes.
    ///
    /// # Errors
    /// An unknown event type or profile, SQLite errors.
    pub fn add_event(&mut self, event: &NewEvent, as_of: i64) -> Result<BTreeMap<String, Change>, StoreError> {
        self.add_events(std::slice::from_ref(event), as_of)
    }

    /// Records a burst of events in one transaction (one durable commit for all of them): each
    /// new event updates its profile's membership of the segments it can affect, as of `as_of`,
    /// before the next is applied. Returns the membership changes, in order per segment.
    /// Nothing is stored if any event is refused.
    ///
    /// # Errors
    /// An unknown event type or profile (naming the event's position), SQLite errors.
    pub fn add_events(&mut self, events: &[NewEvent], as_of: i64) -> Result<BTreeMap<String, Change>, StoreError> {
        let path = self.path().to_path_buf();
        let tx = self.conn.transaction().map_err(|e| StoreError::sql(&path, e))?;
        let mut changes: BTreeMap<String, Change> = BTreeMap::new();
        for (index, event) in events.iter().enumerate() {
            let Some(kind) = crate::events::write(&tx, index + 1, event).map_err(|e| e.with_path(&path))? else {
                continue;
            };
            let change = Deps::event(kind);
            let updated = update_profiles(&tx, &self.segment_cache, &[event.profile_id], &change, as_of)
                .map_err(|e| e.with_path(&path))?;
            for (name, c) in updated {
                let entry = changes.entry(name).or_default();
                entry.entered.extend(c.entered);
                entry.left.extend(c.left);
            }
        }
        tx.commit().map_err(|e| StoreError::sql(&path, e))?;
        Ok(changes)
    }
}

/// Recorded profile and event changes of an import, for re-evaluating segments after it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Touched {
    /// Profiles whose data changed or that got new events.
    pub profiles: Vec<i64>,
    /// What changed.
    pub change: Deps,
}

impl Touched {
    /// Re-evaluates the touched profiles in the import's transaction.
    pub(crate) fn apply(mut self, conn: &Connection, as_of: i64) -> Result<BTreeMap<String, Change>, StoreError> {
        self.profiles.sort_unstable();
        self.profiles.dedup();
        if self.change.events.contains("purchase") {
            scores::compute_popularity(conn, as_of).map_err(StoreError::sql_unknown)?;
        }
        update_profiles(conn, &SegmentCache::default(), &self.profiles, &self.change, as_of)
    }
}
