//! The workspace's segments: definitions in `segments/<name>.json`, synchronized into the store
//! before the store is used, and the live data (segments, recommendations) a stored profile adds to
//! its render context.

use std::collections::BTreeMap;

use serde_json::Value;
use tessera_store::recommend::RecommendOptions;
use tessera_store::segments::{Change, Segment, SegmentSet, SyncReport};
use tessera_store::Store;

use crate::{Workspace, WorkspaceError};

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
pub fn add_live_data(store: &Store, profile_id: i64, as_of: i64, context: &mut Value) -> Result<(), WorkspaceError> {
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
