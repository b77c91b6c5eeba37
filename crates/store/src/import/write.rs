//! Writing prepared rows in the import's transaction: new rows inserted, existing profiles merged
//! field by field (newest value wins, with provenance), events de-duplicated, and each new
//! profile checked for likely duplicates to review.

use std::collections::{HashMap, HashSet};

use rusqlite::{params, params_from_iter, OptionalExtension, ToSql, Transaction};
use serde_json::{json, Map, Value};

use super::email_ids::{EmailIds, Lookup};
use super::prepare::{match_key, no_profile, EventRow, Person, Prepared, ProductColumns, ProductRow, ProfileRow};
use super::report::{FuzzyMatch, ImportReport};
use crate::profiles::columns::{self, StoredProfile};
use crate::segments::{Deps, Touched};
use crate::{events, StoreError};

/// One lookup of a stored profile by email first, then by the external ids; each branch is one
/// unique-index lookup (a single OR query is re-prepared on every call by SQLite's STAT4
/// planner).
fn find_profile_sql() -> &'static str {
    static SQL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SQL.get_or_init(|| {
        let list = columns::select();
        format!(
            "SELECT * FROM (
                SELECT {list}, 1 AS rank FROM profiles WHERE email_key = ?1
                UNION ALL
                SELECT {list}, 2 FROM profiles WHERE crm_id = ?2
                UNION ALL
                SELECT {list}, 3 FROM profiles WHERE shop_id = ?3
             ) ORDER BY rank LIMIT 1"
        )
    })
}

/// Up to 50 other profiles with the same postal code and last name (the `profiles_match` index).
const FUZZY_CANDIDATES: &str = "SELECT email, first_name, last_name, phone FROM profiles
     WHERE postal_code = ?1 AND last_name = ?2 COLLATE NOCASE AND email_key != ?3 LIMIT 50";

/// Fuzzy matches at or above this score are reported for review; none is merged automatically.
pub const FUZZY_THRESHOLD: f64 = 0.85;

/// Events held back and written together (see [`Writer::write_events`]).
const EVENTS_PER_SWEEP: usize = 100_000;

/// Stores with more profiles than this are fuzzy-checked by a query per new row instead of an
/// in-memory set of match keys (8 bytes each).
const MATCH_KEYS_IN_MEMORY: i64 = 5_000_000;

/// The index that serves per-profile event reads (created by the migrations).
const EVENT_PROFILE_INDEX: &str = "events_profile_type_time";

/// Below this many events a file never sets the per-profile index aside.
const SET_ASIDE_AT_LEAST: i64 = 1_000;

/// No event line is shorter than this (a JSONL event with an email and a time is longer), so
/// `file size / this` is an upper bound on the events a file can add.
const BYTES_PER_EVENT_AT_LEAST: u64 = 48;

/// Profile ids remembered for events (people with several events in a file are looked up once).
const PROFILE_ID_CACHE: usize = 100_000;

/// What the writer knows of the fuzzy match keys in the store.
enum MatchKeys {
    /// Not read yet (no profile row so far).
    Unread,
    /// Every key stored so far.
    Known(HashSet<u64>),
    /// The store is too large to hold them: every new profile is queried.
    TooMany,
}

pub(crate) struct Writer<'t> {
    tx: &'t Transaction<'t>,
    batch: i64,
    now: i64,
    /// The size of the file being imported.
    file_bytes: u64,
    /// The per-profile event index, dropped for a large import and rebuilt at its end (its SQL).
    rebuild_index: Option<String>,
    /// The first sweep of events has been written.
    events_started: bool,
    /// The store's email keys in memory, for events (read at the first sweep; `None` before, or
    /// for stores too large to hold them).
    email_ids: Option<EmailIds>,
    /// Products written by this import, to tell a duplicate in the file from an update.
    touched: HashSet<String>,
    /// Profile ids by person, for events (`None`: not in the store).
    profile_ids: HashMap<String, Option<i64>>,
    /// Events waiting for the next sweep, in file order.
    events: Vec<EventRow>,
    /// Match keys of the profiles stored so far (see [`Writer::stored_match_keys`]).
    match_keys: MatchKeys,
    /// Likely duplicates found so far, in file order.
    pub(crate) fuzzy: Vec<FuzzyMatch>,
    /// Profiles whose data or events changed, for their segments.
    pub(crate) touched_profiles: Touched,
    /// The profile the last profile row was written to (inserted or merged).
    pub(crate) last_profile: Option<i64>,
}

impl<'t> Writer<'t> {
    /// A writer for one import batch; `file_bytes` sizes the work ahead (see
    /// [`Writer::write_events`]).
    pub(crate) fn new(tx: &'t Transaction<'t>, batch: i64, now: i64, file_bytes: u64) -> Self {
        Self {
            tx,
            batch,
            now,
            file_bytes,
            rebuild_index: None,
            events_started: false,
            email_ids: None,
            touched: HashSet::new(),
            profile_ids: HashMap::new(),
            events: Vec::new(),
            match_keys: MatchKeys::Unread,
            fuzzy: Vec::new(),
            touched_profiles: Touched::default(),
            last_profile: None,
        }
    }

    /// A writer for profiles that arrive one at a time (the live collector): the fuzzy check
    /// queries per new profile instead of reading every stored match key first.
    pub(crate) fn single(tx: &'t Transaction<'t>, batch: i64, now: i64) -> Self {
        let mut writer = Self::new(tx, batch, now, 0);
        writer.match_keys = MatchKeys::TooMany;
        writer
    }

    fn sql(e: rusqlite::Error) -> StoreError {
        StoreError::Sqlite {
            path: std::path::PathBuf::from(crate::STORE_FILE),
            source: e,
        }
    }

    pub(crate) fn write(&mut self, row: Prepared, report: &mut ImportReport) -> Result<(), StoreError> {
        match row {
            Prepared::Profile(p) => self.profile(&p, report),
            Prepared::Event(e) => self.event(e, report),
            Prepared::Product(p) => self.product(p, report),
        }
    }

    /// Writes a profile row, leaving the row to the caller: the import hands written rows back to
    /// the thread that made them, whose allocator frees them at a fraction of the cost here.
    pub(crate) fn profile(&mut self, row: &ProfileRow, report: &mut ImportReport) -> Result<(), StoreError> {
        let values = &row.values;
        let row_at = values.get("updated_at").and_then(Value::as_i64).unwrap_or(self.now);
        // New profiles are the common case in large imports: try the insert first and let the
        // unique indexes (email, CRM id, shop id) say whether the profile already exists.
        let created = values.get("created_at").and_then(Value::as_i64).unwrap_or(row_at);
        // Every field of a new profile dates from the profile's own updated_at and batch;
        // provenance only records fields whose age differs from that (none yet).
        let inserted = self
            .tx
            .prepare_cached(columns::insert())
            .and_then(|mut st| {
                let text = columns::TEXT.map(|c| row.text(c));
                let consent = values.get("consent_email").and_then(Value::as_bool);
                let mut bound: Vec<&dyn ToSql> = vec![&row.email.display, &row.email.key];
                bound.extend(text.iter().map(|t| t as &dyn ToSql));
                bound.extend([
                    &consent as &dyn ToSql,
                    &row.new_attributes,
                    &"{}",
                    &created,
                    &row_at,
                    &self.batch,
                ]);
                st.execute(params_from_iter(bound))
            })
            .map_err(Self::sql)?;
        if inserted == 1 {
            self.last_profile = Some(self.tx.last_insert_rowid());
            self.touched(self.tx.last_insert_rowid());
            self.fuzzy_check(row)?;
            report.inserted += 1;
            return Ok(());
        }
        let Some(profile) = self.find_profile(row)? else {
            report.reject(row.line, Some("email"), "the profile could not be stored");
            return Ok(());
        };
        self.last_profile = Some(profile.id);
        let (changed, merged_key) = self.merge_profile(&profile, row, row_at)?;
        if changed {
            self.touched(profile.id);
        }
        if let (MatchKeys::Known(seen), Some(key)) = (&mut self.match_keys, merged_key) {
            // The merged profile may now share a match key with rows still to come.
            seen.insert(key);
        }
        // Written earlier by this very import: a duplicate row of the file.
        if profile.import_batch == Some(self.batch) {
            report.merged += 1;
        } else if changed {
            report.updated += 1;
        } else {
            report.unchanged += 1;
        }
        Ok(())
    }

    fn find_profile(&self, row: &ProfileRow) -> Result<Option<StoredProfile>, StoreError> {
        // One lookup: the email first, then the external ids (each has its own unique index).
        self.tx
            .prepare_cached(find_profile_sql())
            .and_then(|mut st| {
                st.query_row(
                    params![row.email.key, row.text("crm_id"), row.text("shop_id")],
                    StoredProfile::from_row,
                )
                .optional()
            })
            .map_err(Self::sql)
    }

    /// Newest value per field wins; provenance records the time and batch of each value kept.
    /// Whether anything changed, and the merged profile's match key.
    fn merge_profile(
        &self,
        profile: &StoredProfile,
        row: &ProfileRow,
        row_at: i64,
    ) -> Result<(bool, Option<u64>), StoreError> {
        let mut provenance = profile.provenance.clone();
        let mut text = profile.text.clone();
        let mut consent = profile.consent;
        let mut attrs = profile.attributes.clone();
        let mut changed = false;
        let field_at = |provenance: &Map<String, Value>, field: &str| {
            provenance
                .get(field)
                .and_then(|p| p.get("at"))
                .and_then(Value::as_i64)
                .unwrap_or(profile.updated_at)
        };
        let take = |field: &str, provenance: &mut Map<String, Value>| -> bool {
            if row_at >= field_at(provenance, field) {
                provenance.insert(field.to_owned(), json!({"at": row_at, "batch": self.batch}));
                true
            } else {
                false
            }
        };
        for (field, value) in &row.values {
            match *field {
                "email" | "created_at" | "updated_at" => {}
                "consent_email" => {
                    if consent != value.as_bool() && take(field, &mut provenance) {
                        consent = value.as_bool();
                        changed = true;
                    }
                }
                f => {
                    let new = value.as_str().map(str::to_owned);
                    if let Some(slot) = columns::TEXT.iter().position(|c| *c == f) {
                        if text[slot] != new && take(f, &mut provenance) {
                            text[slot] = new;
                            changed = true;
                        }
                    }
                }
            }
        }
        for (name, value) in &row.attributes {
            if value.is_null() || attrs.get(name) == Some(value) {
                continue;
            }
            if take(name, &mut provenance) {
                attrs.insert(name.clone(), value.clone());
                changed = true;
            }
        }
        if changed {
            let updated_at = profile.updated_at.max(row_at);
            if updated_at != profile.updated_at {
                // Fields that keep their value keep their age, which no longer equals the profile's.
                let pinned = json!({"at": profile.updated_at, "batch": profile.import_batch});
                let present: Vec<String> = columns::TEXT
                    .iter()
                    .zip(&profile.text)
                    .filter(|(_, v)| v.is_some())
                    .map(|(f, _)| (*f).to_owned())
                    .chain(profile.consent.map(|_| "consent_email".to_owned()))
                    .chain(profile.attributes.keys().cloned())
                    .chain(std::iter::once("email".to_owned()))
                    .collect();
                for field in present {
                    provenance.entry(field).or_insert_with(|| pinned.clone());
                }
            }
            let attributes = Value::Object(attrs).to_string();
            let provenance = Value::Object(provenance).to_string();
            let mut bound: Vec<&dyn ToSql> = vec![&profile.id];
            bound.extend(text.iter().map(|t| t as &dyn ToSql));
            bound.extend([
                &consent as &dyn ToSql,
                &attributes,
                &provenance,
                &updated_at,
                &self.batch,
            ]);
            self.tx
                .prepare_cached(columns::update())
                .and_then(|mut st| st.execute(params_from_iter(bound)))
                .map_err(Self::sql)?;
        }
        let column = |name: &str| {
            columns::TEXT
                .iter()
                .position(|c| *c == name)
                .and_then(|i| text.get(i))
                .and_then(Option::as_deref)
        };
        let key = column("postal_code")
            .zip(column("last_name"))
            .map(|(p, l)| match_key(p, l));
        Ok((changed, key))
    }

    /// Profiles stored before this one with the same postal code and last name and a similar
    /// name or phone: reported for review (see [`FUZZY_THRESHOLD`]).
    fn fuzzy_check(&mut self, row: &ProfileRow) -> Result<(), StoreError> {
        let (Some(postal), Some(last), Some(key)) = (row.text("postal_code"), row.text("last_name"), row.match_key)
        else {
            return Ok(());
        };
        if matches!(self.match_keys, MatchKeys::Unread) {
            self.match_keys = self.stored_match_keys()?;
        }
        if let MatchKeys::Known(seen) = &mut self.match_keys {
            if seen.insert(key) {
                // The first profile with this postal code and last name: nobody to compare with.
                return Ok(());
            }
        }
        let first = row.text("first_name").unwrap_or_default();
        let phone = row.text("phone").unwrap_or_default();
        let mut st = self.tx.prepare_cached(FUZZY_CANDIDATES).map_err(Self::sql)?;
        let mut rows = st.query(params![postal, last, row.email.key]).map_err(Self::sql)?;
        while let Some(r) = rows.next().map_err(Self::sql)? {
            let text = |i: usize| r.get::<_, Option<String>>(i).map(Option::unwrap_or_default);
            let (Ok(candidate), Ok(f), Ok(l), Ok(p)) = (text(0), text(1), text(2), text(3)) else {
                continue;
            };
            if let Some((score, evidence)) = likeness((first, last, phone), (&f, &l, &p)) {
                self.fuzzy.push(FuzzyMatch {
                    line: row.line,
                    email: row.email.display.clone(),
                    candidate,
                    score,
                    evidence,
                });
            }
        }
        Ok(())
    }

    /// The match keys of the stored profiles, read once per import from the `profiles_match`
    /// index, so that most new profiles need no query at all (the set grows as rows are written).
    fn stored_match_keys(&self) -> Result<MatchKeys, StoreError> {
        let profiles: i64 = self
            .tx
            .query_row("SELECT count(*) FROM profiles", [], |r| r.get(0))
            .map_err(Self::sql)?;
        if profiles > MATCH_KEYS_IN_MEMORY {
            return Ok(MatchKeys::TooMany);
        }
        let mut st = self
            .tx
            .prepare(
                "SELECT postal_code, last_name FROM profiles INDEXED BY profiles_match
                 WHERE postal_code IS NOT NULL AND last_name IS NOT NULL",
            )
            .map_err(Self::sql)?;
        let mut rows = st.query([]).map_err(Self::sql)?;
        let mut keys = HashSet::with_capacity(usize::try_from(profiles).unwrap_or(0));
        while let Some(r) = rows.next().map_err(Self::sql)? {
            let postal: String = r.get(0).map_err(Self::sql)?;
            let last: String = r.get(1).map_err(Self::sql)?;
            keys.insert(match_key(&postal, &last));
        }
        Ok(MatchKeys::Known(keys))
    }

    fn profile_id(&mut self, person: &Person) -> Result<Option<i64>, StoreError> {
        if let (Some(ids), Person::Email(_, hash)) = (&self.email_ids, person) {
            match ids.get(*hash) {
                Lookup::Found(id) => return Ok(Some(id)),
                Lookup::Absent => return Ok(None),
                Lookup::Ambiguous => {}
            }
        }
        let (column, key, cache_key) = match person {
            Person::Email(key, _) => ("email_key", key, key.clone()),
            // `\0` cannot start an email key.
            Person::Crm(id) => ("crm_id", id, format!("\u{0}{id}")),
        };
        if let Some(id) = self.profile_ids.get(&cache_key) {
            return Ok(*id);
        }
        if self.profile_ids.len() >= PROFILE_ID_CACHE {
            // Bounded memory for files that touch millions of profiles.
            self.profile_ids.clear();
        }
        let id = self
            .tx
            .prepare_cached(&format!("SELECT id FROM profiles WHERE {column} = ?1"))
            .and_then(|mut st| st.query_row([key], |r| r.get(0)).optional())
            .map_err(Self::sql)?;
        self.profile_ids.insert(cache_key, id);
        Ok(id)
    }

    fn event(&mut self, row: EventRow, report: &mut ImportReport) -> Result<(), StoreError> {
        self.events.push(row);
        if self.events.len() >= EVENTS_PER_SWEEP {
            self.write_events(report)?;
        }
        Ok(())
    }

    /// Writes what is still held back and rebuilds what was set aside; call after the last row.
    pub(crate) fn finish(&mut self, report: &mut ImportReport) -> Result<(), StoreError> {
        self.write_events(report)?;
        if let Some(sql) = self.rebuild_index.take() {
            // One sorter thread: SQLite's worker threads (`PRAGMA threads`) each sort in a buffer
            // of the page cache's size; with two, a 10,000,000-event import peaked at 581 MB
            // (351 MB without).
            self.tx.execute_batch(&sql).map_err(Self::sql)?;
        }
        Ok(())
    }

    /// An import expected to add at least as many events as are stored sets the per-profile
    /// index aside and builds it again at the end, in the same transaction: one sort instead of
    /// millions of inserts at random places (at 10,000,000 events the index no longer fits in the
    /// page cache). Smaller imports keep it and insert in sorted sweeps.
    fn set_aside_event_index(&mut self) -> Result<(), StoreError> {
        let stored: i64 = self
            .tx
            .query_row("SELECT coalesce(max(id), 0) FROM events", [], |r| r.get(0))
            .map_err(Self::sql)?;
        let expected = i64::try_from(self.file_bytes / BYTES_PER_EVENT_AT_LEAST).unwrap_or(i64::MAX);
        if expected < stored.max(SET_ASIDE_AT_LEAST) {
            return Ok(());
        }
        let sql: Option<String> = self
            .tx
            .query_row(
                "SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = ?1",
                [EVENT_PROFILE_INDEX],
                |r| r.get(0),
            )
            .optional()
            .map_err(Self::sql)?;
        if let Some(sql) = sql {
            self.tx
                .execute_batch(&format!("DROP INDEX {EVENT_PROFILE_INDEX}"))
                .map_err(Self::sql)?;
            self.rebuild_index = Some(sql);
        }
        Ok(())
    }

    /// The held-back events, written in sweeps instead of random seeks: their people are found in
    /// the in-memory email keys (or looked up in key order), then the events are inserted in
    /// (profile, time) order so the per-profile index is walked once, or in time order when that
    /// index was set aside. Ties keep file order, so the first of two identical events is kept.
    fn write_events(&mut self, report: &mut ImportReport) -> Result<(), StoreError> {
        if self.events.is_empty() {
            return Ok(());
        }
        if !self.events_started {
            self.events_started = true;
            self.set_aside_event_index()?;
            self.email_ids = EmailIds::load(self.tx, Self::sql)?;
        }
        let mut held = std::mem::take(&mut self.events);
        if self.email_ids.is_none() {
            held.sort_by(|a, b| a.person.cmp(&b.person));
        }
        let mut events = Vec::with_capacity(held.len());
        let mut unknown = Vec::new();
        for row in held.drain(..) {
            match self.profile_id(&row.person)? {
                Some(profile_id) => events.push((profile_id, row)),
                None => unknown.push(row),
            }
        }
        // The allocation is reused for the next sweep.
        self.events = held;
        unknown.sort_by_key(|row| row.line);
        for row in unknown {
            report.reject(row.line, Some("email"), no_profile(&row.shown));
        }
        if self.rebuild_index.is_some() {
            // Only the time-first de-duplication index is kept up: time order appends to it.
            events.sort_by_key(|(_, row)| (row.occurred, row.line));
        } else {
            events.sort_by_key(|(profile_id, row)| (*profile_id, row.occurred, row.line));
        }
        // Many rows per statement: the per-statement work (binding, stepping, resetting) was a
        // third of the cost of inserting one event.
        for chunk in events.chunks(events::PER_INSERT) {
            let sql = events::insert_sql(chunk.len());
            let mut st = self.tx.prepare_cached(&sql).map_err(Self::sql)?;
            let mut at = 0;
            let mut bind = |value: &dyn rusqlite::ToSql| {
                at += 1;
                st.raw_bind_parameter(at, value)
            };
            for (profile_id, row) in chunk {
                let key = events::key(row.occurred, *profile_id, &row.digest);
                bind(profile_id)
                    .and_then(|()| bind(&row.kind))
                    .and_then(|()| bind(&row.sku))
                    .and_then(|()| bind(&row.category))
                    .and_then(|()| bind(&row.value))
                    .and_then(|()| bind(&row.currency))
                    .and_then(|()| bind(&row.occurred))
                    .and_then(|()| bind(&row.source))
                    .and_then(|()| bind(&self.batch))
                    .and_then(|()| bind(&key))
                    .map_err(Self::sql)?;
            }
            let inserted = st.raw_execute().map_err(Self::sql)?;
            // INSERT OR IGNORE: the rows not inserted were already stored (or repeated in the file).
            report.inserted += inserted as u64;
            report.unchanged += (chunk.len() - inserted) as u64;
            if inserted > 0 {
                // Which rows of the statement went in is not known: every profile of it is
                // re-evaluated (a profile with nothing new keeps its memberships).
                for (profile_id, row) in chunk {
                    self.touched_profiles.profiles.push(*profile_id);
                    self.touched_profiles.change.events.insert(row.kind);
                }
            }
        }
        // Bounded memory: each profile once, however many events it got.
        self.touched_profiles.profiles.sort_unstable();
        self.touched_profiles.profiles.dedup();
        Ok(())
    }

    /// A new or changed profile: every segment may change for it.
    fn touched(&mut self, profile_id: i64) {
        self.touched_profiles.profiles.push(profile_id);
        if !self.touched_profiles.change.attributes {
            self.touched_profiles.change = Deps::everything();
        }
    }

    fn product(&mut self, row: ProductRow, report: &mut ImportReport) -> Result<(), StoreError> {
        let ProductRow { sku, columns } = row;
        let existing: Option<ProductColumns> = self
            .tx
            .prepare_cached(
                "SELECT name, price, currency, category, image_url, url, stock FROM products WHERE sku = ?1",
            )
            .and_then(|mut st| {
                st.query_row([&sku], |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                        r.get(6)?,
                    ))
                })
                .optional()
            })
            .map_err(Self::sql)?;
        let duplicate_in_file = !self.touched.insert(sku.clone());
        if existing.as_ref() == Some(&columns) {
            if duplicate_in_file {
                report.merged += 1;
            } else {
                report.unchanged += 1;
            }
            return Ok(());
        }
        let c = columns;
        self.tx
            .prepare_cached(
                "INSERT INTO products (sku, name, price, currency, category, image_url, url, stock, updated_at, import_batch) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
                 ON CONFLICT (sku) DO UPDATE SET name = excluded.name, price = excluded.price, currency = excluded.currency, category = excluded.category,
                 image_url = excluded.image_url, url = excluded.url, stock = excluded.stock, updated_at = excluded.updated_at, import_batch = excluded.import_batch",
            )
            .and_then(|mut st| st.execute(params![sku, c.0, c.1, c.2, c.3, c.4, c.5, c.6, self.now, self.batch]))
            .map_err(Self::sql)?;
        match (existing, duplicate_in_file) {
            (_, true) => report.merged += 1,
            (None, false) => report.inserted += 1,
            (Some(_), false) => report.updated += 1,
        }
        Ok(())
    }
}

/// How alike two people with the same postal code and last name are: (first, last, phone) each.
/// The score (0 to 1, two decimals) and the evidence in words, when at or above the threshold.
fn likeness(a: (&str, &str, &str), b: (&str, &str, &str)) -> Option<(f64, String)> {
    let name_a = format!("{} {}", a.0, a.1).to_lowercase();
    let name_b = format!("{} {}", b.0, b.1).to_lowercase();
    let name = strsim::jaro_winkler(name_a.trim(), name_b.trim());
    let phone = match (a.2, b.2) {
        ("", _) | (_, "") => None,
        (x, y) => Some(strsim::normalized_levenshtein(x, y)),
    };
    let score = phone.map_or(name * 0.9, |ps| name * 0.6 + ps * 0.4);
    (score >= FUZZY_THRESHOLD).then(|| {
        let evidence = match phone {
            Some(ps) => format!(
                "same postal code, name {:.0}% alike, phone {:.0}% alike",
                name * 100.0,
                ps * 100.0
            ),
            None => format!("same postal code, name {:.0}% alike", name * 100.0),
        };
        ((score * 100.0).round() / 100.0, evidence)
    })
}
