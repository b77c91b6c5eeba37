//! The workspace's segments: definitions in `segments/<name>.json`, synchronized into the store
//! before the store is used; the live data (segments, recommendations) a stored profile adds to
//! its render context; and the use cases over them that `tessera segments` and the Segments
//! screen share: the definitions with their sizes, one segment in detail, its members, a
//! definition being edited counted live (nothing written), saving a definition atomically, and a
//! full refresh.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;
use tessera_store::recommend::RecommendOptions;
use tessera_store::segments::model::is_valid_name;
pub use tessera_store::segments::{Change, Member, Segment, SegmentSet, SegmentSummary, SyncReport};
use tessera_store::Store;

use crate::editor::SaveResult;
use crate::profiles::ProfileSummary;
use crate::{write_atomic, Workspace, WorkspaceError};

/// The folder of segment definitions.
pub const SEGMENTS_DIR: &str = "segments";

impl Workspace {
    /// The segment definitions of the workspace, validated together (references, cycles).
    ///
    /// # Errors
    /// A file that is not a valid definition (named with the JSON path of the mistake), or
    /// definitions that do not fit together.
    pub fn segments(&self) -> Result<SegmentSet, WorkspaceError> {
        let files = self.files();
        let mut segments = Vec::new();
        for file in files.list(SEGMENTS_DIR) {
            let Some(name) = file.strip_suffix(".json") else {
                continue;
            };
            let rel = format!("{SEGMENTS_DIR}/{file}");
            let text = files.read(&rel)?;
            let segment = Segment::parse(name, &text).map_err(|e| WorkspaceError::Segment {
                path: files.display(&rel),
                message: e.to_string(),
            })?;
            segments.push(segment);
        }
        SegmentSet::new(segments).map_err(|source| WorkspaceError::Segments {
            path: files.display(SEGMENTS_DIR),
            source,
        })
    }

    /// Stores the workspace's definitions in the store (new and changed ones are evaluated as of
    /// `as_of`; unchanged ones cost nothing).
    ///
    /// # Errors
    /// Invalid definitions, SQLite errors.
    pub fn sync_segments(&self, store: &mut Store, as_of: i64) -> Result<SyncReport, WorkspaceError> {
        let set = self.segments()?;
        Ok(store.sync_segments(&set, as_of)?)
    }

    /// Opens the store with the workspace's segments synchronized.
    ///
    /// # Errors
    /// As [`Workspace::open_store`] and [`Workspace::sync_segments`].
    pub fn open_store_with_segments(&self, as_of: i64) -> Result<Store, WorkspaceError> {
        let mut store = self.open_store()?;
        self.sync_segments(&mut store, as_of)?;
        Ok(store)
    }

    /// Full re-evaluation of every segment as of `as_of` (scores recomputed).
    ///
    /// # Errors
    /// As [`Workspace::open_store_with_segments`].
    pub fn refresh_segments(&self, as_of: i64) -> Result<BTreeMap<String, Change>, WorkspaceError> {
        let mut store = self.open_store_with_segments(as_of)?;
        Ok(store.refresh_segments(as_of)?)
    }
}

/// Adds `segments` (evaluated live as of `as_of`) and `recommendations` (with the reason each
/// was chosen) to a stored profile's render context.
///
/// # Errors
/// SQLite errors, invalid stored definitions.
pub(crate) fn add_live_data(
    store: &Store,
    profile_id: i64,
    as_of: i64,
    context: &mut Value,
) -> Result<(), WorkspaceError> {
    let segments = store.live_segments(profile_id, as_of)?;
    let recommendations = store.recommendations(profile_id, as_of, &RecommendOptions::default())?;
    if let Value::Object(map) = context {
        map.insert(
            "segments".into(),
            Value::Array(segments.into_iter().map(Value::String).collect()),
        );
        map.insert(
            "recommendations".into(),
            Value::Array(recommendations.iter().map(|r| r.to_context()).collect()),
        );
    }
    Ok(())
}

/// A segment definition of the workspace.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SegmentInfo {
    /// The name (file stem).
    pub name: String,
    /// What it is for.
    pub description: String,
    /// The definition as written in the file (`{"description": ..., "rule": ...}`).
    pub definition: Value,
    /// Current members, when the workspace has a store.
    #[cfg_attr(feature = "ts", ts(as = "Option<u32>"))]
    pub members: Option<u64>,
    /// When the whole store was last evaluated for it (RFC 3339), if ever.
    pub evaluated_at: Option<String>,
}

/// How many profiles a definition being edited holds now.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DraftCount {
    /// Whether there is a store to count in (without one the count is 0).
    pub has_store: bool,
    /// Members as of now.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub members: u64,
    /// The first members, by store id.
    pub sample: Vec<ProfileSummary>,
}

fn segment_error(ws: &Workspace, name: &str, message: String) -> WorkspaceError {
    WorkspaceError::Segment {
        path: ws.files().display(&format!("{SEGMENTS_DIR}/{name}.json")),
        message,
    }
}

/// The workspace's definitions (checked together) with their current sizes.
///
/// # Errors
/// An invalid definition, store errors.
pub fn list(ws: &Workspace, now_ms: i64) -> Result<Vec<SegmentInfo>, WorkspaceError> {
    let set = ws.segments()?;
    let sizes = if ws.has_store() {
        ws.open_store_with_segments(now_ms)?.segment_summaries()?
    } else {
        Vec::new()
    };
    Ok(set
        .iter()
        .map(|s| {
            let size = sizes.iter().find(|z| z.name == s.name);
            SegmentInfo {
                name: s.name.clone(),
                description: s.description.clone(),
                definition: s.definition.clone(),
                members: size.map(|z| z.members),
                evaluated_at: size.and_then(|z| z.evaluated_at.clone()),
            }
        })
        .collect())
}

/// The workspace's definitions with `name` replaced by (or extended with) `definition`, checked
/// together (the definition's own mistakes name their JSON path; unknown references and cycles
/// are refused).
fn with_draft(ws: &Workspace, name: &str, definition: &Value) -> Result<SegmentSet, WorkspaceError> {
    if !is_valid_name(name) {
        return Err(segment_error(
            ws,
            name,
            "a segment name is lower-case letters, digits, - and _ (at most 64)".to_owned(),
        ));
    }
    let draft = Segment::from_value(name, definition).map_err(|e| segment_error(ws, name, e.to_string()))?;
    let others = ws
        .segments()?
        .iter()
        .filter(|s| s.name != name)
        .cloned()
        .collect::<Vec<_>>();
    SegmentSet::new(others.into_iter().chain([draft])).map_err(|e| segment_error(ws, name, e.to_string()))
}

/// Counts the members of a definition being edited as of `now_ms`, writing nothing; `limit`
/// members are listed.
///
/// # Errors
/// An invalid definition or name, store errors.
pub fn count_draft(
    ws: &Workspace,
    name: &str,
    definition: &Value,
    now_ms: i64,
    limit: usize,
) -> Result<DraftCount, WorkspaceError> {
    let set = with_draft(ws, name, definition)?;
    if !ws.has_store() {
        return Ok(DraftCount {
            has_store: false,
            members: 0,
            sample: Vec::new(),
        });
    }
    let store = ws.open_store_with_segments(now_ms)?;
    let (members, sample) = store.evaluate_draft(&set, name, now_ms, limit)?;
    Ok(DraftCount {
        has_store: true,
        members,
        sample,
    })
}

/// Saves a definition as `segments/<name>.json` (two-space JSON, atomically) after checking it
/// with the others.
///
/// # Errors
/// An invalid definition or name, the read-only demo, a write failure.
pub fn save(ws: &Workspace, name: &str, definition: &Value) -> Result<SaveResult, WorkspaceError> {
    with_draft(ws, name, definition)?;
    let dir = ws.writable_root()?.join(SEGMENTS_DIR);
    std::fs::create_dir_all(&dir).map_err(|source| WorkspaceError::Io {
        path: dir.clone(),
        source,
    })?;
    let path = dir.join(format!("{name}.json"));
    let mut text = serde_json::to_string_pretty(definition).unwrap_or_default();
    text.push('\n');
    write_atomic(&path, text.as_bytes())?;
    Ok(SaveResult {
        path: path.display().to_string(),
        bytes: u32::try_from(text.len()).unwrap_or(u32::MAX),
    })
}

/// One segment in detail: its rule in words, what it changes with, its SQL and size.
#[derive(Debug, Clone, Serialize)]
pub struct SegmentDetail {
    /// The name.
    pub name: String,
    /// What it is for.
    pub description: String,
    /// The rule in words.
    pub rule: String,
    /// The definition as written in the file.
    pub definition: Value,
    /// What its membership changes with (profile fields, event types).
    pub depends_on: tessera_store::segments::Deps,
    /// Current members, when the workspace has a store.
    pub members: Option<u64>,
    /// The parameterized SQL that evaluates it, when the workspace has a store.
    pub sql: Option<String>,
}

/// A segment after a full refresh: its size and how many profiles entered and left.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Refreshed {
    /// The name.
    pub name: String,
    /// Members after the refresh.
    pub members: u64,
    /// Profiles that entered.
    pub entered: usize,
    /// Profiles that left.
    pub left: usize,
}

impl Workspace {
    fn segments_error(&self, source: tessera_store::segments::SegmentError) -> WorkspaceError {
        WorkspaceError::Segments {
            path: self.files().display(SEGMENTS_DIR),
            source,
        }
    }

    /// One segment in detail, evaluated as of `as_of`.
    ///
    /// # Errors
    /// No such segment, invalid definitions, store errors.
    pub fn segment_detail(&self, name: &str, as_of: i64) -> Result<SegmentDetail, WorkspaceError> {
        let set = self.segments()?;
        let segment = set.require(name).map_err(|e| self.segments_error(e))?;
        let (members, sql) = if self.has_store() {
            let store = self.open_store_with_segments(as_of)?;
            let size = store
                .segment_summaries()?
                .into_iter()
                .find(|s| s.name == name)
                .map(|s| s.members);
            (size, Some(store.segment_sql(name, as_of)?.sql))
        } else {
            (None, None)
        };
        Ok(SegmentDetail {
            name: segment.name.clone(),
            description: segment.description.clone(),
            rule: segment.rule.to_string(),
            definition: segment.definition.clone(),
            depends_on: set.deps(name),
            members,
            sql,
        })
    }

    /// The current size of every segment, or of `only` that one, as of `as_of`.
    ///
    /// # Errors
    /// An unknown segment, invalid definitions, store errors.
    pub fn segment_counts(&self, only: Option<&str>, as_of: i64) -> Result<Vec<SegmentSummary>, WorkspaceError> {
        if let Some(name) = only {
            self.segments()?.require(name).map_err(|e| self.segments_error(e))?;
        }
        let store = self.open_store_with_segments(as_of)?;
        Ok(store
            .segment_summaries()?
            .into_iter()
            .filter(|s| only.is_none_or(|n| n == s.name))
            .collect())
    }

    /// The first `limit` current members of a segment, by store id.
    ///
    /// # Errors
    /// An unknown segment, invalid definitions, store errors.
    pub fn segment_members(&self, name: &str, limit: usize, as_of: i64) -> Result<Vec<Member>, WorkspaceError> {
        self.segments()?.require(name).map_err(|e| self.segments_error(e))?;
        let store = self.open_store_with_segments(as_of)?;
        Ok(store.segment_members(name, limit)?)
    }

    /// A full refresh as of `as_of`, with each segment's size and movement.
    ///
    /// # Errors
    /// As [`Workspace::refresh_segments`].
    pub fn refresh_segment_sizes(&self, as_of: i64) -> Result<Vec<Refreshed>, WorkspaceError> {
        let changes = self.refresh_segments(as_of)?;
        let sizes = self.open_store()?.segment_summaries()?;
        Ok(sizes
            .into_iter()
            .map(|s| {
                let c = changes.get(&s.name);
                Refreshed {
                    entered: c.map_or(0, |c| c.entered.len()),
                    left: c.map_or(0, |c| c.left.len()),
                    name: s.name,
                    members: s.members,
                }
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use serde_json::json;

    use super::*;

    fn demo_with_profiles() -> (tempfile::TempDir, Workspace) {
        let dir = tempfile::tempdir().expect("temp dir");
        crate::init(dir.path()).expect("init");
        let ws = Workspace::open(dir.path()).expect("open");
        let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/demo/store/profiles.csv");
        crate::import::import_file(
            &ws,
            &crate::import::ImportRequest::new(&file, tessera_store::import::Kind::Profiles),
            &|_| {},
        )
        .expect("import");
        (dir, ws)
    }

    #[test]
    fn a_draft_is_counted_without_being_saved_and_saving_lists_it() {
        let (dir, ws) = demo_with_profiles();
        let all = count_draft(
            &ws,
            "everyone",
            &json!({"rule": {"all": []}}),
            tessera_store::now_ms(),
            3,
        )
        .expect("count");
        assert!(all.has_store);
        assert!(all.members > 3);
        assert_eq!(all.sample.len(), 3);
        let gb = json!({"description": "in Britain", "rule": {"attribute": "country", "eq": "GB"}});
        let some = count_draft(&ws, "britain", &gb, tessera_store::now_ms(), 50).expect("count");
        assert!(some.members > 0 && some.members < all.members);
        assert!(!dir.path().join("segments/britain.json").exists());

        save(&ws, "britain", &gb).expect("save");
        let text = std::fs::read_to_string(dir.path().join("segments/britain.json")).expect("saved");
        assert_eq!(serde_json::from_str::<Value>(&text).expect("json"), gb);
        let listed = list(&ws, tessera_store::now_ms()).expect("list");
        let britain = listed.iter().find(|s| s.name == "britain").expect("listed");
        assert_eq!(britain.members, Some(some.members));
    }

    #[test]
    fn mistakes_name_their_place_and_nothing_is_written() {
        let (dir, ws) = demo_with_profiles();
        let bad = json!({"rule": {"event": "purchase", "within": "2 weeks"}});
        let e = save(&ws, "late", &bad).expect_err("refused").to_string();
        assert!(e.contains("rule.within"), "{e}");
        let e = count_draft(&ws, "x", &json!({"rule": {"segment": "nope"}}), 0, 1)
            .expect_err("refused")
            .to_string();
        assert!(e.contains("nope"), "{e}");
        assert!(save(&ws, "Bad Name", &json!({"rule": {"all": []}})).is_err());
        assert!(!dir.path().join("segments/late.json").exists());
    }
}
