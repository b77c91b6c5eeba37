//! Segments screen: the workspace's definitions with their sizes, a definition being edited
//! counted live over the store (nothing written), saving a definition to `segments/<name>.json`
//! atomically, and the coverage preview of an email across the segments it refers to.

use serde::Serialize;
use serde_json::Value;
use tessera_store::profiles::ProfileSummary;
use tessera_store::segments::model::is_valid_name;
use tessera_store::segments::{Segment, SegmentSet};

use super::{has_store, root};
use crate::editor::SaveResult;
use crate::preview::Matrix;
use crate::segments::SEGMENTS_DIR;
use crate::{write_atomic, Workspace, WorkspaceError};

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
    #[cfg_attr(feature = "ts", ts(as = "Option<u32>", optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub members: Option<u64>,
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

/// The coverage preview: what each case sees, with each case's HTML for the side-by-side grid.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Coverage {
    /// The matrix as `tessera preview-matrix` writes it to `matrix.json`.
    pub matrix: Matrix,
    /// Each case's HTML, in the order of `matrix.cases`.
    pub html: Vec<String>,
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
    let sizes = if has_store(ws) {
        ws.open_store_with_segments(now_ms)?.segment_summaries()?
    } else {
        Vec::new()
    };
    Ok(set
        .iter()
        .map(|s| SegmentInfo {
            name: s.name.clone(),
            description: s.description.clone(),
            definition: s.definition.clone(),
            members: sizes.iter().find(|z| z.name == s.name).map(|z| z.members),
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
    if !has_store(ws) {
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
    let dir = root(ws)?.join(SEGMENTS_DIR);
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

/// The coverage preview of the saved email `email` as of `now_ms` (`tessera preview-matrix`).
///
/// # Errors
/// The email cannot render; store or segment errors.
pub fn coverage(ws: &mut Workspace, email: &str, now_ms: i64) -> Result<Coverage, WorkspaceError> {
    let entry = ws.email(email)?;
    let matrix = ws.preview_matrix(&entry, now_ms)?;
    let html = matrix.cases.iter().map(|c| c.html.clone()).collect();
    Ok(Coverage { matrix, html })
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
        super::super::profiles::import_file(&ws, &file, "profiles", &|_| {}).expect("import");
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
