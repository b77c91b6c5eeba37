//! Applying groups of live messages in one transaction (see the module above).

use std::collections::{BTreeSet, HashMap};

use rusqlite::{params, OptionalExtension};
use serde_json::{Map, Value};

use super::{Applied, Call, Identity, LiveEvent, Message, Outcome};
use crate::import::mapping::MappingFile;
use crate::import::prepare::Preparer;
use crate::import::records::{Cell, Record};
use crate::import::write::Writer;
use crate::import::{prepare_record, ImportReport, Kind, Normalization};
use crate::segments::{update_profiles, Deps, NewEvent};
use crate::validate::timestamp::Zone;
use crate::{Store, StoreError};

/// Pending calls replayed for one id at most (a runaway anonymous id cannot stall a commit).
const REPLAY_LIMIT: i64 = 10_000;

/// A call that failed for a reason of its own: rolled back alone.
struct Refusal {
    field: String,
    reason: String,
}

/// Either a refusal of the call or a store failure (which fails the whole group).
enum Failure {
    Refused(Refusal),
    Store(StoreError),
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Self {
        Self::Store(e)
    }
}

impl From<rusqlite::Error> for Failure {
    fn from(e: rusqlite::Error) -> Self {
        Self::Store(StoreError::sql_unknown(e))
    }
}

fn refuse(field: impl Into<String>, reason: impl Into<String>) -> Failure {
    Failure::Refused(Refusal {
        field: field.into(),
        reason: reason.into(),
    })
}

/// The state of one group: its transaction's writer and what it touched.
struct Group<'t> {
    tx: &'t rusqlite::Transaction<'t>,
    writer: Writer<'t>,
    preparer: Preparer,
    rules: Normalization,
    now: i64,
    touched: BTreeSet<i64>,
    deps: Deps,
    events: u64,
}

impl Store {
    /// Starts a live session: the import batch that profile changes made while serving are
    /// recorded under (their provenance). Returns its id.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn live_session(&self, label: &str, now: i64) -> Result<i64, StoreError> {
        self.conn()
            .execute(
                "INSERT INTO import_batches (kind, file_name, file_hash, encoding, started_at, finished_at, rows_read, inserted, updated, merged, unchanged, rejected, report)
                 VALUES ('profiles', ?1, ?2, 'utf-8', ?3, ?3, 0, 0, 0, 0, 0, 0, '{}')",
                params![label, format!("live:{now}"), now],
            )
            .map_err(|e| self.sql_error(e))?;
        Ok(self.conn().last_insert_rowid())
    }

    /// Applies groups of messages (one group per request) in one transaction and one durable
    /// commit. Each message is applied inside a savepoint: a refused one leaves nothing and the
    /// others land. Segment membership of every touched profile is updated as of `as_of` in the
    /// same transaction.
    ///
    /// # Errors
    /// SQLite errors: then nothing of any group is stored.
    pub fn apply_live(
        &mut self,
        batch: i64,
        groups: &[Vec<Message>],
        normalization: &Normalization,
        now: i64,
        as_of: i64,
    ) -> Result<Applied, StoreError> {
        let path = self.path().to_path_buf();
        let cache = std::mem::take(&mut self.segment_cache);
        let result = (|| {
            let tx = self.conn_mut().transaction().map_err(|e| StoreError::sql(&path, e))?;
            let mut applied = Applied::default();
            let changes = {
                let mut group = Group {
                    tx: &tx,
                    writer: Writer::single(&tx, batch, now),
                    preparer: Preparer::new(Kind::Profiles, Zone::Utc, normalization.clone()),
                    rules: normalization.clone(),
                    now,
                    touched: BTreeSet::new(),
                    deps: Deps::default(),
                    events: 0,
                };
                for messages in groups {
                    let mut outcomes = Vec::with_capacity(messages.len());
                    for message in messages {
                        outcomes.push(group.message(message).map_err(|e| e.with_path(&path))?);
                    }
                    applied.outcomes.push(outcomes);
                }
                applied.events = group.events;
                let ids: Vec<i64> = group.touched.iter().copied().collect();
                update_profiles(&tx, &cache, &ids, &group.deps, as_of).map_err(|e| e.with_path(&path))?
            };
            applied.changes = changes;
            tx.commit().map_err(|e| StoreError::sql(&path, e))?;
            Ok(applied)
        })();
        self.segment_cache = cache;
        result
    }

    /// Deletes the remembered message ids received before `before` (the de-duplication window).
    ///
    /// # Errors
    /// SQLite errors.
    pub fn forget_live_messages(&self, before: i64) -> Result<usize, StoreError> {
        self.conn()
            .execute("DELETE FROM live_messages WHERE received_at < ?1", [before])
            .map_err(|e| self.sql_error(e))
    }
}

impl Group<'_> {
    /// One message inside its savepoint.
    fn message(&mut self, message: &Message) -> Result<Outcome, StoreError> {
        self.run_cached("SAVEPOINT live_call")?;
        let result = self.deduplicated(message);
        match result {
            Ok(outcome) => {
                self.run_cached("RELEASE live_call")?;
                Ok(outcome)
            }
            Err(failure) => {
                self.run_cached("ROLLBACK TO live_call")?;
                self.run_cached("RELEASE live_call")?;
                match failure {
                    Failure::Refused(r) => Ok(Outcome::Rejected {
                        field: r.field,
                        reason: r.reason,
                    }),
                    Failure::Store(e) => Err(e),
                }
            }
        }
    }

    /// Runs a statement without parameters from the connection's statement cache: a savepoint
    /// per call, parsed anew each time, cost more than the call's event insert.
    fn run_cached(&self, sql: &str) -> Result<(), StoreError> {
        self.tx
            .prepare_cached(sql)
            .and_then(|mut st| st.execute([]))
            .map(drop)
            .map_err(StoreError::sql_unknown)
    }

    fn deduplicated(&mut self, message: &Message) -> Result<Outcome, Failure> {
        if let Some(id) = &message.message_id {
            let fresh = self
                .tx
                .prepare_cached("INSERT OR IGNORE INTO live_messages (message_id, received_at) VALUES (?1, ?2)")?
                .execute(params![id, self.now])?;
            if fresh == 0 {
                return Ok(Outcome::Duplicate);
            }
        }
        self.call(&message.call, message.message_id.as_deref())
    }

    fn call(&mut self, call: &Call, message_id: Option<&str>) -> Result<Outcome, Failure> {
        match call {
            Call::Identify { identity, traits, at } => self.identify(identity, traits, *at, call),
            Call::Track { identity, events } => match self.resolve(identity)? {
                Some(profile) => {
                    self.track(profile, events, message_id)?;
                    Ok(Outcome::Stored { profile_id: profile })
                }
                None => self.wait(identity, call),
            },
            Call::Alias { previous_id, user_id } => self.alias(previous_id, user_id),
            Call::Profile { profile_id, events } => {
                let exists = self
                    .tx
                    .prepare_cached("SELECT 1 FROM profiles WHERE id = ?1")?
                    .exists([profile_id])?;
                if !exists {
                    return Err(refuse("profile", format!("no profile {profile_id}")));
                }
                self.track(*profile_id, events, message_id)?;
                Ok(Outcome::Stored {
                    profile_id: *profile_id,
                })
            }
            Call::Nothing => Ok(Outcome::Accepted),
        }
    }

    /// The profile an identity is bound to: the user id first, then the anonymous id, then a
    /// profile imported with that user id as its CRM id.
    fn resolve(&self, identity: &Identity) -> Result<Option<i64>, Failure> {
        let mut st = self
            .tx
            .prepare_cached("SELECT profile_id FROM live_identities WHERE kind = ?1 AND external_id = ?2")?;
        for (kind, id) in [("user", &identity.user_id), ("anonymous", &identity.anonymous_id)] {
            if let Some(id) = id {
                if let Some(profile) = st.query_row(params![kind, id], |r| r.get(0)).optional()? {
                    return Ok(Some(profile));
                }
            }
        }
        if let Some(user) = &identity.user_id {
            let by_crm = self
                .tx
                .prepare_cached("SELECT id FROM profiles WHERE crm_id = ?1")?
                .query_row([user], |r| r.get(0))
                .optional()?;
            return Ok(by_crm);
        }
        Ok(None)
    }

    /// Keeps a call until the person has a profile.
    fn wait(&self, identity: &Identity, call: &Call) -> Result<Outcome, Failure> {
        let (kind, id) = match (&identity.user_id, &identity.anonymous_id) {
            (Some(user), _) => ("user", user),
            (None, Some(anonymous)) => ("anonymous", anonymous),
            (None, None) => return Err(refuse("userId", "userId or anonymousId is required")),
        };
        let text = serde_json::to_string(call).map_err(|e| refuse("", e.to_string()))?;
        self.tx
            .prepare_cached("INSERT INTO live_pending (kind, external_id, call, received_at) VALUES (?1, ?2, ?3, ?4)")?
            .execute(params![kind, id, text, self.now])?;
        Ok(Outcome::Pending)
    }

    fn identify(
        &mut self,
        identity: &Identity,
        traits: &Map<String, Value>,
        at: i64,
        call: &Call,
    ) -> Result<Outcome, Failure> {
        let bound = self.resolve(identity)?;
        let mut cells: Vec<(String, Cell)> = Vec::with_capacity(traits.len() + 2);
        flatten(traits, &mut cells);
        let has_email = cells
            .iter()
            .any(|(k, c)| is_email_key(k) && !c.text().trim().is_empty());
        if !has_email {
            let Some(profile) = bound else {
                // No profile and nothing to create one with (profiles are keyed by email).
                return self.wait(identity, call);
            };
            let email: String = self
                .tx
                .prepare_cached("SELECT email FROM profiles WHERE id = ?1")?
                .query_row([profile], |r| r.get(0))?;
            cells.push(("email".to_owned(), Cell::Text(email)));
        }
        if !cells.iter().any(|(k, _)| k == "updated_at") {
            cells.push(("updated_at".to_owned(), Cell::Text(crate::ms_to_rfc3339(at))));
        }
        let record = Record {
            line: 1,
            cells,
            problem: None,
        };
        let mut report = ImportReport::default();
        let mut targets = HashMap::new();
        let prepared = prepare_record(
            &record,
            None,
            &mut targets,
            &mut self.preparer,
            &MappingFile::default(),
            &mut report,
        );
        let Some(row) = prepared else {
            let rejection = report.rejections.first();
            return Err(refuse(
                format!(
                    "traits.{}",
                    rejection
                        .and_then(|r| r.field.clone())
                        .unwrap_or_else(|| "email".to_owned())
                ),
                rejection.map_or_else(|| "invalid traits".to_owned(), |r| r.reason.clone()),
            ));
        };
        self.writer.last_profile = None;
        self.writer.write(row, &mut report)?;
        let Some(profile) = self.writer.last_profile else {
            let reason = report
                .rejections
                .first()
                .map_or_else(|| "the profile could not be stored".to_owned(), |r| r.reason.clone());
            return Err(refuse("traits.email", reason));
        };
        if bound.is_some_and(|b| b != profile) {
            // The traits' email belongs to another profile: the two are the same person.
            if let Some(other) = bound {
                self.merge(other, profile)?;
            }
        }
        self.touch(profile, Deps::everything());
        for (kind, id) in [("user", &identity.user_id), ("anonymous", &identity.anonymous_id)] {
            if let Some(id) = id {
                self.bind(kind, id, profile)?;
            }
        }
        Ok(Outcome::Stored { profile_id: profile })
    }

    fn alias(&mut self, previous_id: &str, user_id: &str) -> Result<Outcome, Failure> {
        let user = self.resolve(&Identity {
            user_id: Some(user_id.to_owned()),
            anonymous_id: None,
        })?;
        let previous = self.resolve(&Identity {
            user_id: Some(previous_id.to_owned()),
            anonymous_id: Some(previous_id.to_owned()),
        })?;
        match (user, previous) {
            (Some(profile), other) => {
                if let Some(other) = other.filter(|o| *o != profile) {
                    self.merge(other, profile)?;
                }
                self.bind("anonymous", previous_id, profile)?;
                self.bind("user", user_id, profile)?;
                Ok(Outcome::Stored { profile_id: profile })
            }
            (None, Some(profile)) => {
                self.bind("user", user_id, profile)?;
                Ok(Outcome::Stored { profile_id: profile })
            }
            (None, None) => {
                // Neither has a profile: what waits for the earlier id now waits for the user.
                self.tx
                    .prepare_cached("UPDATE live_pending SET kind = 'user', external_id = ?2 WHERE external_id = ?1")?
                    .execute(params![previous_id, user_id])?;
                Ok(Outcome::Pending)
            }
        }
    }

    /// Binds an id to a profile and applies what waited for it.
    fn bind(&mut self, kind: &str, id: &str, profile: i64) -> Result<(), Failure> {
        self.tx
            .prepare_cached(
                "INSERT INTO live_identities (kind, external_id, profile_id) VALUES (?1, ?2, ?3)
                 ON CONFLICT (kind, external_id) DO UPDATE SET profile_id = excluded.profile_id",
            )?
            .execute(params![kind, id, profile])?;
        let waiting: Vec<(i64, String)> = self
            .tx
            .prepare_cached(
                "SELECT id, call FROM live_pending WHERE kind = ?1 AND external_id = ?2 ORDER BY id LIMIT ?3",
            )?
            .query_map(params![kind, id, REPLAY_LIMIT], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        for (row, text) in waiting {
            self.tx
                .prepare_cached("DELETE FROM live_pending WHERE id = ?1")?
                .execute([row])?;
            let Ok(call) = serde_json::from_str::<Call>(&text) else {
                continue;
            };
            match &call {
                Call::Track { events, .. } => self.track(profile, events, None)?,
                Call::Identify { traits, at, .. } => {
                    let identity = Identity {
                        user_id: None,
                        anonymous_id: None,
                    };
                    // Bound now: the profile's email completes traits that had none. A refusal
                    // of old traits drops them; it does not undo the binding.
                    self.tx.execute_batch("SAVEPOINT live_replay")?;
                    let replayed = self.identify_bound(profile, &identity, traits, *at, &call);
                    match replayed {
                        Ok(_) => self.tx.execute_batch("RELEASE live_replay")?,
                        Err(Failure::Refused(_)) => {
                            self.tx.execute_batch("ROLLBACK TO live_replay; RELEASE live_replay")?
                        }
                        Err(e) => return Err(e),
                    }
                }
                Call::Alias { .. } | Call::Profile { .. } | Call::Nothing => {}
            }
        }
        Ok(())
    }

    /// An identify for a profile already known (replayed traits).
    fn identify_bound(
        &mut self,
        profile: i64,
        identity: &Identity,
        traits: &Map<String, Value>,
        at: i64,
        call: &Call,
    ) -> Result<Outcome, Failure> {
        let mut traits = traits.clone();
        if !traits.keys().any(|k| is_email_key(k)) {
            let email: String = self
                .tx
                .prepare_cached("SELECT email FROM profiles WHERE id = ?1")?
                .query_row([profile], |r| r.get(0))?;
            traits.insert("email".to_owned(), Value::String(email));
        }
        self.identify(identity, &traits, at, call)
    }

    /// Writes a person's events.
    fn track(&mut self, profile: i64, events: &[LiveEvent], message_id: Option<&str>) -> Result<(), Failure> {
        for (index, event) in events.iter().enumerate() {
            if event.custom {
                self.tx
                    .prepare_cached(
                        "INSERT INTO custom_events (profile_id, name, properties, occurred_at, message_id) VALUES (?1, ?2, ?3, ?4, ?5)",
                    )?
                    .execute(params![profile, event.name, event.properties.to_string(), event.occurred_at, message_id])?;
                self.events += 1;
                self.touch(profile, Deps::custom_event(&event.name));
                continue;
            }
            let Some(kind) = crate::events::known_type(&event.name) else {
                return Err(refuse("event", format!("unknown event type \"{}\"", event.name)));
            };
            let new = NewEvent {
                profile_id: profile,
                kind,
                sku: event.sku.as_deref().map(|s| self.rules.sku(s)),
                category: event
                    .category
                    .as_deref()
                    .map(|c| self.rules.category(c).unwrap_or_else(|unknown| unknown)),
                value: event.value,
                currency: event.currency.clone(),
                occurred_at: event.occurred_at,
                source: Some("live".to_owned()),
            };
            if let Some(kind) = crate::events::write(self.tx, index + 1, &new)? {
                self.events += 1;
                self.touch(profile, Deps::event(kind));
            }
        }
        Ok(())
    }

    /// Moves everything of profile `from` to `into` and deletes `from`: events (re-keyed for
    /// their new profile), custom events and bound ids.
    fn merge(&mut self, from: i64, into: i64) -> Result<(), Failure> {
        let events: Vec<NewEvent> = self
            .tx
            .prepare_cached(
                "SELECT type, sku, category, value, currency, occurred_at, source FROM events WHERE profile_id = ?1",
            )?
            .query_map([from], |r| {
                let kind: String = r.get(0)?;
                Ok((kind, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?))
            })?
            .filter_map(|row| {
                let (kind, sku, category, value, currency, occurred_at, source) = row.ok()?;
                Some(NewEvent {
                    profile_id: into,
                    kind: crate::events::known_type(&kind)?,
                    sku,
                    category,
                    value,
                    currency,
                    occurred_at,
                    source,
                })
            })
            .collect();
        for (index, event) in events.iter().enumerate() {
            crate::events::write(self.tx, index + 1, event)?;
        }
        for sql in [
            "UPDATE custom_events SET profile_id = ?2 WHERE profile_id = ?1",
            "UPDATE live_identities SET profile_id = ?2 WHERE profile_id = ?1",
            "DELETE FROM profiles WHERE id = ?1",
        ] {
            self.tx.prepare_cached(sql)?.execute(params![from, into])?;
        }
        self.touched.remove(&from);
        self.touch(into, Deps::everything());
        Ok(())
    }

    fn touch(&mut self, profile: i64, deps: Deps) {
        self.touched.insert(profile);
        self.deps.extend(deps);
    }
}

/// Traits as cells: nested objects (Segment's `address`) flattened one level, their keys used
/// as they are (`address.postalCode` → `postalCode`) so the import's field aliases apply.
fn flatten(traits: &Map<String, Value>, cells: &mut Vec<(String, Cell)>) {
    for (key, value) in traits {
        match value {
            Value::Object(inner) if key == "address" => {
                for (k, v) in inner {
                    if !traits.contains_key(k) {
                        cells.push((k.clone(), cell(v)));
                    }
                }
            }
            other => cells.push((key.clone(), cell(other))),
        }
    }
}

fn cell(value: &Value) -> Cell {
    match value {
        Value::String(s) => Cell::Text(s.clone()),
        other => Cell::Json(other.clone()),
    }
}

fn is_email_key(key: &str) -> bool {
    key.eq_ignore_ascii_case("email") || key.eq_ignore_ascii_case("e-mail")
}
