//! Behavioural segments evaluated in the store.
//!
//! A segment is defined in the workspace (`segments/<name>.json`, see [`model`]), compiled to one
//! parameterized SQL expression per profile ([`compile`]), evaluated for the whole store, a batch
//! of profiles or one profile ([`evaluate`]), and materialized with the time each profile entered
//! and left ([`membership`]). The store keeps a copy of the definitions it evaluated, so that
//! imports and new events re-evaluate the affected profiles without the workspace. Built-in scores
//! are in [`scores`]. Time is explicit: every evaluation takes an `as_of` instant.

pub mod compile;
pub(crate) mod evaluate;
pub mod membership;
pub mod model;
pub mod scores;

use std::collections::{BTreeMap, BTreeSet};

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

pub use crate::events::NewEvent;
pub use compile::CompiledRule;
use evaluate::Scope;
pub use membership::Change;
pub use model::{DefinitionError, Rule, Score, Segment};
use scores::Cuts;

use crate::{ms_to_rfc3339, Store, StoreError};

/// Why a set of segments cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SegmentError {
    /// A definition is invalid.
    #[error("segment \"{segment}\": {error}")]
    Invalid {
        /// The segment.
        segment: String,
        /// What and where.
        error: DefinitionError,
    },
    /// A rule names a segment that does not exist.
    #[error("segment \"{segment}\" refers to segment \"{missing}\", which does not exist")]
    UnknownReference {
        /// The segment with the rule.
        segment: String,
        /// The name it refers to.
        missing: String,
    },
    /// Segments refer to each other in a circle.
    #[error("segments refer to each other in a cycle: {}", path.join(" → "))]
    Cycle {
        /// The cycle, first name repeated at the end.
        path: Vec<String>,
    },
    /// No segment has this name.
    #[error("no segment \"{name}\"{}", if available.is_empty() { String::new() } else { format!("; the segments are {}", available.join(", ")) })]
    NotFound {
        /// The name asked for.
        name: String,
        /// The names that exist.
        available: Vec<String>,
    },
}

/// What a segment can change with: profile fields, and events of some types.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Deps {
    /// Profile fields or attributes.
    pub attributes: bool,
    /// Event types.
    pub events: BTreeSet<&'static str>,
}

impl Deps {
    /// A change to everything (new or updated profiles).
    #[must_use]
    pub fn everything() -> Self {
        Self {
            attributes: true,
            events: crate::events::EVENT_TYPES.iter().copied().collect(),
        }
    }

    /// Whether a segment depending on `self` can change when `change` happens.
    #[must_use]
    pub fn touched_by(&self, change: &Deps) -> bool {
        (self.attributes && change.attributes) || self.events.iter().any(|e| change.events.contains(e))
    }
}

/// A validated set of segments: every reference resolves, no cycles.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SegmentSet {
    segments: BTreeMap<String, Segment>,
}

impl SegmentSet {
    /// Checks references and cycles.
    ///
    /// # Errors
    /// [`SegmentError::UnknownReference`] or [`SegmentError::Cycle`].
    pub fn new(segments: impl IntoIterator<Item = Segment>) -> Result<Self, SegmentError> {
        let set = Self {
            segments: segments.into_iter().map(|s| (s.name.clone(), s)).collect(),
        };
        for s in set.segments.values() {
            for r in s.references() {
                if !set.segments.contains_key(&r) {
                    return Err(SegmentError::UnknownReference {
                        segment: s.name.clone(),
                        missing: r,
                    });
                }
            }
        }
        // Depth-first search with colours: grey on the stack, black done.
        let mut done = BTreeSet::new();
        for name in set.segments.keys() {
            let mut stack = Vec::new();
            set.visit(name, &mut stack, &mut done)?;
        }
        Ok(set)
    }

    fn visit(&self, name: &str, stack: &mut Vec<String>, done: &mut BTreeSet<String>) -> Result<(), SegmentError> {
        if done.contains(name) {
            return Ok(());
        }
        if let Some(at) = stack.iter().position(|s| s == name) {
            let mut path = stack[at..].to_vec();
            path.push(name.to_owned());
            return Err(SegmentError::Cycle { path });
        }
        stack.push(name.to_owned());
        if let Some(s) = self.segments.get(name) {
            for r in s.references() {
                self.visit(&r, stack, done)?;
            }
        }
        stack.pop();
        done.insert(name.to_owned());
        Ok(())
    }

    /// A segment by name.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&Segment> {
        self.segments.get(name)
    }

    /// The segments, by name.
    pub fn iter(&self) -> impl Iterator<Item = &Segment> {
        self.segments.values()
    }

    /// The names, sorted.
    #[must_use]
    pub fn names(&self) -> Vec<String> {
        self.segments.keys().cloned().collect()
    }

    /// Whether the set is empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.segments.is_empty()
    }

    /// A segment by name, or an error listing the names.
    ///
    /// # Errors
    /// [`SegmentError::NotFound`].
    pub fn require(&self, name: &str) -> Result<&Segment, SegmentError> {
        self.get(name).ok_or_else(|| SegmentError::NotFound {
            name: name.to_owned(),
            available: self.names(),
        })
    }

    /// What a segment can change with, through the segments it refers to too.
    #[must_use]
    pub fn deps(&self, name: &str) -> Deps {
        let mut deps = Deps::default();
        let mut seen = BTreeSet::new();
        self.collect_deps(name, &mut deps, &mut seen);
        deps
    }

    fn collect_deps(&self, name: &str, deps: &mut Deps, seen: &mut BTreeSet<String>) {
        if !seen.insert(name.to_owned()) {
            return;
        }
        let Some(segment) = self.segments.get(name) else {
            return;
        };
        let mut refs = Vec::new();
        segment.rule.walk(&mut |r| match r {
            Rule::Attribute { .. } => deps.attributes = true,
            Rule::Event(e) => {
                deps.events.insert(e.event);
                deps.events.extend(e.not_followed_by);
            }
            Rule::Sessions { .. } => deps.events.extend(model::SESSION_EVENTS.iter().copied()),
            Rule::Sum { event, .. } => {
                deps.events.insert(event);
            }
            Rule::Score { score, .. } => deps.events.extend(score.event_types().iter().copied()),
            Rule::Segment(s) => refs.push(s.clone()),
            Rule::All(_) | Rule::Any(_) | Rule::None(_) => {}
        });
        for r in refs {
            self.collect_deps(&r, deps, seen);
        }
    }

    /// `names` and every segment that refers to one of them, directly or not.
    fn with_dependents(&self, names: &BTreeSet<String>) -> BTreeSet<String> {
        let mut out = names.clone();
        loop {
            let before = out.len();
            for s in self.segments.values() {
                if s.references().iter().any(|r| out.contains(r)) {
                    out.insert(s.name.clone());
                }
            }
            if out.len() == before {
                return out;
            }
        }
    }
}

/// Hash of a definition as stored.
fn definition_hash(segment: &Segment) -> String {
    blake3::hash(segment.definition.to_string().as_bytes()).to_hex()[..32].to_owned()
}

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
        (Scope::All, Some(reader)) => evaluate::members_split(conn, reader, &rules),
        _ => evaluate::members(conn, &rules, scope),
    }
    .map_err(sql)?;
    let mut changes = BTreeMap::new();
    for (name, members) in names.iter().zip(members) {
        let change = membership::apply(conn, name, scope, &members, as_of).map_err(sql)?;
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

/// How much of the store's file a full pass maps into memory (SQLite's default ceiling, 2 GB):
/// mapped pages are the operating system's file cache, shared and reclaimable, not the process's
/// own memory.
const PASS_MMAP_BYTES: i64 = 0x7fff_0000;

/// Above this share of the store, a batch of affected profiles is evaluated as a full pass.
const FULL_PASS_SHARE: usize = 4;

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
        let profiles: i64 = conn
            .query_row("SELECT count(*) FROM profiles", [], |r| r.get(0))
            .map_err(sql)?;
        if ids.len() > 1000 && ids.len().saturating_mul(FULL_PASS_SHARE) > usize::try_from(profiles).unwrap_or(0) {
            Scope::All
        } else {
            evaluate::stage_affected(conn, ids).map_err(sql)?;
            Scope::Affected
        }
    };
    evaluate_into(conn, &set, &names, scope, as_of, None)
}

impl Store {
    /// A read-only connection for splitting a full pass over two threads, on a machine with more
    /// than one core (`None` otherwise, or if the file cannot be opened again: the pass then runs
    /// on one thread). Only for passes whose transaction has not changed profiles or events.
    fn parallel_reader(&self) -> Option<Connection> {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
        let reader = (cores > 1).then(|| crate::open_reader(self.path()).ok()).flatten()?;
        reader
            .pragma_update(None, "mmap_size", PASS_MMAP_BYTES)
            .ok()
            .map(|()| reader)
    }

    /// Runs `pass` in one transaction that changes no profile or event (definitions, scores,
    /// membership), with a second connection to split evaluations across threads. The store's
    /// file is mapped into memory for the pass: a pass reads pages all over it, and through the
    /// page cache each would be a system call and a copy.
    fn full_pass<T>(
        &mut self,
        pass: impl FnOnce(&Connection, Option<&mut Connection>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let path = self.path().to_path_buf();
        let mut reader = self.parallel_reader();
        self.map_file(PASS_MMAP_BYTES)?;
        let result = (|| -> Result<T, StoreError> {
            let tx = self.conn.transaction().map_err(|e| StoreError::sql(&path, e))?;
            let result = pass(&tx, reader.as_mut()).map_err(|e| e.with_path(&path))?;
            tx.commit().map_err(|e| StoreError::sql(&path, e))?;
            Ok(result)
        })();
        self.unmap_after(result)
    }

    /// Runs `read` on the writer's connection with the store's file mapped into memory (see
    /// [`Store::full_pass`]), unmapped afterwards whatever the outcome.
    fn mapped<T>(&self, read: impl FnOnce(&Connection) -> Result<T, StoreError>) -> Result<T, StoreError> {
        self.map_file(PASS_MMAP_BYTES)?;
        let result = read(self.conn());
        self.unmap_after(result)
    }

    /// Unmaps the file after work that ran mapped: the work's error first, else the unmapping's.
    fn unmap_after<T>(&self, result: Result<T, StoreError>) -> Result<T, StoreError> {
        let unmapped = self.map_file(0);
        let result = result?;
        unmapped?;
        Ok(result)
    }

    /// Maps up to `bytes` of the store's file into memory for the writer's reads (0: none).
    fn map_file(&self, bytes: i64) -> Result<(), StoreError> {
        self.conn
            .pragma_update(None, "mmap_size", bytes)
            .map_err(|e| self.sql_error(e))
    }

    /// Stores the workspace's segment definitions: new and changed ones are evaluated over the
    /// whole store (with the segments that refer to them), removed ones close their members' stays.
    /// Unchanged definitions cost one hash comparison.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn sync_segments(&mut self, set: &SegmentSet, as_of: i64) -> Result<SyncReport, StoreError> {
        self.full_pass(|tx, reader| sync_in(tx, set, as_of, reader))
    }

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
                Some(reader) => evaluate::alongside(
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
                self.mapped(|conn| evaluate::members_split(conn, &mut reader, rules).map_err(|e| self.sql_error(e)))
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
            let change = Deps {
                attributes: false,
                events: BTreeSet::from([kind]),
            };
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

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(name: &str, json: &str) -> Segment {
        Segment::parse(name, json).expect("valid")
    }

    #[test]
    fn cycles_and_unknown_references_are_refused() {
        let a = seg("a", r#"{"rule": {"segment": "b"}}"#);
        let b = seg("b", r#"{"rule": {"any": [{"segment": "c"}]}}"#);
        let c = seg("c", r#"{"rule": {"none": [{"segment": "a"}]}}"#);
        match SegmentSet::new([a.clone(), b.clone(), c]) {
            Err(SegmentError::Cycle { path }) => assert_eq!(path, ["a", "b", "c", "a"]),
            other => panic!("{other:?}"),
        }
        let own = seg("own", r#"{"rule": {"segment": "own"}}"#);
        assert!(matches!(SegmentSet::new([own]), Err(SegmentError::Cycle { .. })));
        match SegmentSet::new([a]) {
            Err(e @ SegmentError::UnknownReference { .. }) => {
                assert_eq!(
                    e.to_string(),
                    "segment \"a\" refers to segment \"b\", which does not exist"
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn dependencies_follow_references() {
        let vip = seg("vip", r#"{"rule": {"attribute": "loyalty_tier", "eq": "Summit"}}"#);
        let carts = seg(
            "carts",
            r#"{"rule": {"all": [{"segment": "vip"}, {"event": "add_to_cart", "within": "1d", "not_followed_by": "purchase"}]}}"#,
        );
        let engaged = seg("engaged", r#"{"rule": {"score": "engagement", "gte": 2}}"#);
        let set = SegmentSet::new([vip, carts, engaged]).expect("valid");
        let d = set.deps("carts");
        assert!(d.attributes);
        assert_eq!(d.events, BTreeSet::from(["add_to_cart", "purchase"]));
        let views = Deps {
            attributes: false,
            events: BTreeSet::from(["page_view"]),
        };
        assert!(!set.deps("carts").touched_by(&views));
        assert!(!set.deps("vip").touched_by(&views));
        let opens = Deps {
            attributes: false,
            events: BTreeSet::from(["email_open"]),
        };
        assert!(set.deps("engaged").touched_by(&opens));
        assert_eq!(
            set.with_dependents(&BTreeSet::from(["vip".to_owned()])),
            BTreeSet::from(["carts".to_owned(), "vip".to_owned()])
        );
    }
}
