//! Stored profiles: the one way a profile of the store becomes a recipient (its attributes and
//! open cart, its live segments and recommendations, and the fields older than their source's
//! freshness threshold), which rendering, the designer's preview, the coverage preview and test
//! sends all use; and browsing profiles as `tessera profiles` and the Profiles screen do.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;
pub use tessera_core::render::StaleField;
use tessera_core::Rendered;
pub use tessera_store::profiles::{ProfileDetail, ProfileSummary};
use tessera_store::{Store, StoreError};

use crate::segments::add_live_data;
use crate::{config, EmailEntry, Workspace, WorkspaceError, CONFIG_FILE};

/// A stored profile ready to render as.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredRecipient {
    /// The profile's store id.
    pub id: i64,
    /// The render context: `profile`, `cart`, `segments` (evaluated live) and `recommendations`.
    pub data: Value,
    /// The profile's fields that are older than their source's freshness threshold.
    pub stale_fields: Vec<StaleField>,
}

/// A stored profile's render context at `now_ms` (its fields, cart, live segments and
/// recommendations) and its store id: what every render as a stored profile starts from, and what
/// `tessera serve`'s feeds compute at open time.
///
/// # Errors
/// No such profile, or the store failed.
pub fn stored_context(
    store: &Store,
    key: &str,
    now_ms: i64,
) -> Result<(i64, tessera_store::profiles::StoredContext), WorkspaceError> {
    let mut context = store.stored_context(key)?;
    let id = store.find_profile_id(key)?;
    add_live_data(store, id, now_ms, &mut context.data)?;
    Ok((id, context))
}

impl StoredRecipient {
    /// Renders `entry` as this recipient, with the stale fields in the report.
    ///
    /// # Errors
    /// As [`Workspace::compile`].
    /// Live blocks that opt in to live images are written as their signed image (see
    /// [`Workspace::live_images`]).
    pub fn render(self, ws: &mut Workspace, entry: &EmailEntry) -> Result<Rendered, WorkspaceError> {
        let images = ws.live_images(entry, self.id, time::OffsetDateTime::now_utc())?;
        let mut rendered = if images.is_empty() {
            ws.render(entry, &self.data)?
        } else {
            let compiled = ws.compile(entry)?;
            tessera_core::compose::live_image::render_with_live_images(&compiled, &self.data, &images)
        };
        rendered.report.stale_fields = self.stale_fields;
        Ok(rendered)
    }
}

/// A stored profile with everything the Profiles screen shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ProfileCard {
    /// Attributes, data ages and recent events.
    pub detail: ProfileDetail,
    /// The segments the profile is in now (evaluated live).
    pub segments: Vec<String>,
}

/// A stored profile found by a search.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ProfileHit {
    /// The email address (the key to render as).
    pub email: String,
    /// First and last name, when known.
    pub name: String,
}

impl Workspace {
    /// A stored profile (by email, CRM id, shop id or store id) as a recipient as of `now_ms`:
    /// the store opened with the workspace's segments synchronized, the profile's context with its
    /// live segments and recommendations, and its stale fields.
    ///
    /// # Errors
    /// A missing profile, an invalid `[freshness]` entry, invalid segments, SQLite errors.
    pub fn stored_recipient(&self, key: &str, now_ms: i64) -> Result<StoredRecipient, WorkspaceError> {
        let store = self.open_store_with_segments(now_ms)?;
        self.stored_recipient_in(&store, key, now_ms)
    }

    /// As [`Workspace::stored_recipient`], in a store already open and synchronized.
    pub(crate) fn stored_recipient_in(
        &self,
        store: &Store,
        key: &str,
        now_ms: i64,
    ) -> Result<StoredRecipient, WorkspaceError> {
        let (id, context) = stored_context(store, key, now_ms)?;
        let stale_fields = self.stale_fields(&context.data_ages, now_ms)?;
        Ok(StoredRecipient {
            id,
            data: context.data,
            stale_fields,
        })
    }

    /// Renders an email as a profile of the workspace's store (see [`Workspace::stored_recipient`]).
    ///
    /// # Errors
    /// As [`Workspace::compile`] and [`Workspace::stored_recipient`].
    pub fn render_profile(&mut self, entry: &EmailEntry, key: &str, now_ms: i64) -> Result<Rendered, WorkspaceError> {
        self.stored_recipient(key, now_ms)?.render(self, entry)
    }

    /// The dictionary's profile fields whose value is older than their source's `[freshness]`
    /// threshold, given each field's last update (`data_ages`: field -> `{"at": RFC 3339}`).
    fn stale_fields(
        &self,
        data_ages: &serde_json::Map<String, Value>,
        now_ms: i64,
    ) -> Result<Vec<StaleField>, WorkspaceError> {
        let mut thresholds = BTreeMap::new();
        for (source, text) in &self.config.freshness {
            let seconds = config::parse_duration(text).map_err(|message| WorkspaceError::Config {
                path: self.files().display(CONFIG_FILE),
                message: format!("[freshness] {source}: {message}"),
            })?;
            thresholds.insert(source.clone(), (seconds, text.clone()));
        }
        let mut stale = Vec::new();
        for field in self.dictionary.iter() {
            let (Some(name), Some(source)) = (field.path.strip_prefix("profile."), field.source.as_ref()) else {
                continue;
            };
            let (Some((seconds, text)), Some(at)) = (
                thresholds.get(source),
                data_ages.get(name).and_then(|a| a.get("at")).and_then(Value::as_str),
            ) else {
                continue;
            };
            let age_ms = time::OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339)
                .map(|t| now_ms - i64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX))
                .unwrap_or(0);
            if age_ms > seconds * 1000 {
                stale.push(StaleField {
                    field: field.path.clone(),
                    source: source.clone(),
                    last_updated: at.to_owned(),
                    threshold: text.clone(),
                });
            }
        }
        Ok(stale)
    }
}

/// Stored profiles whose email or name contains `query` (every profile for an empty query), at
/// most `limit`; none when the workspace has no store yet.
///
/// # Errors
/// SQLite errors.
pub fn browse(ws: &Workspace, query: &str, limit: usize) -> Result<Vec<ProfileSummary>, WorkspaceError> {
    if !ws.has_store() {
        return Ok(Vec::new());
    }
    Ok(ws.open_store()?.list_profiles(Some(query), limit)?)
}

/// Stored profiles whose email or name contains `query`, at most `limit`, as the profile picker
/// shows them.
///
/// # Errors
/// No store yet; SQLite errors.
pub fn search(ws: &Workspace, query: &str, limit: usize) -> Result<Vec<ProfileHit>, WorkspaceError> {
    if !ws.has_store() {
        return Err(WorkspaceError::NoStore);
    }
    Ok(browse(ws, query, limit)?
        .into_iter()
        .map(|p| ProfileHit {
            name: [p.first_name, p.last_name]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" "),
            email: p.email,
        })
        .collect())
}

/// One stored profile's attributes, the age of each field and its last `events` events.
///
/// # Errors
/// No such profile, SQLite errors.
pub fn detail(ws: &Workspace, key: &str, events: usize) -> Result<ProfileDetail, WorkspaceError> {
    Ok(ws.open_store()?.profile_detail(key, events)?)
}

/// One stored profile: attributes, data ages, its last `events` events and its live segments.
///
/// # Errors
/// No store, no such profile, SQLite or segment errors.
pub fn card(ws: &Workspace, key: &str, events: usize, now_ms: i64) -> Result<ProfileCard, WorkspaceError> {
    if !ws.has_store() {
        return Err(StoreError::ProfileNotFound(key.to_owned()).into());
    }
    let store = ws.open_store_with_segments(now_ms)?;
    let detail = store.profile_detail(key, events)?;
    let segments = store.live_segments(detail.id, now_ms)?;
    Ok(ProfileCard { detail, segments })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demo() -> (tempfile::TempDir, Workspace) {
        let dir = tempfile::tempdir().expect("temp dir");
        crate::init(dir.path()).expect("init");
        let ws = Workspace::open(dir.path()).expect("open");
        (dir, ws)
    }

    fn fixture(name: &str) -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures/demo/store")
            .join(name)
    }

    #[test]
    fn import_then_browse_and_open_a_card() {
        let (_dir, ws) = demo();
        assert!(browse(&ws, "", 10).expect("browse").is_empty());
        let report = crate::import::import_file(
            &ws,
            &crate::import::ImportRequest::new(&fixture("profiles.csv"), crate::import::Kind::Profiles),
            &|_| {},
        )
        .expect("import");
        assert!(report.inserted > 0);
        let found = browse(&ws, "", 5).expect("browse");
        assert_eq!(found.len(), 5);
        let first = &found[0];
        let card = card(&ws, &first.email, 5, crate::clock::now_ms()).expect("card");
        assert_eq!(card.detail.id, first.id);
        assert!(card.detail.profile.contains_key("email"));
    }
}
