//! Profiles screen: preview a file's column mapping, import it with progress and a report, browse
//! and search stored profiles with their attributes, recent events, segments and data ages.

use std::path::Path;

use serde::Serialize;
use tessera_store::import::mapping::{map_headers, target, MappingFile, Target};
use tessera_store::import::{ImportOptions, ImportReport, Kind};
use tessera_store::profiles::{ProfileDetail, ProfileSummary};
use tessera_store::StoreError;

use super::has_store;
use crate::segments::add_live_data;
use crate::{Workspace, WorkspaceError};

/// How many rows the mapping preview shows.
pub const PREVIEW_ROWS: usize = 5;

/// Where one column of an import file goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ColumnMapping {
    /// The column as written in the file.
    pub column: String,
    /// `field`, `attribute` or `ignored`.
    pub kind: String,
    /// The store field or custom attribute it fills (empty when ignored).
    pub target: String,
}

/// What importing a file would read: its columns and where each goes, and the first rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ImportPreview {
    /// The file.
    pub file: String,
    /// `profiles`, `events` or `products`.
    pub kind: String,
    /// The encoding it is read with.
    pub encoding: String,
    /// Its size in bytes.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub size: u64,
    /// Each column and its destination.
    pub columns: Vec<ColumnMapping>,
    /// The first rows, one cell per column.
    pub rows: Vec<Vec<String>>,
    /// Why the import would refuse the whole file (a missing required column, a duplicate),
    /// when it would.
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
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

fn parse_kind(kind: &str) -> Result<Kind, WorkspaceError> {
    Ok(kind.parse::<Kind>()?)
}

/// Reads the columns and first rows of `path` and maps the columns the way an import of `kind`
/// would (no mapping file).
///
/// # Errors
/// An unknown kind, a file that cannot be opened or parsed.
pub fn import_preview(path: &Path, kind: &str) -> Result<ImportPreview, WorkspaceError> {
    let kind_value = parse_kind(kind)?;
    let file = tessera_store::import::preview_file(path, PREVIEW_ROWS)?;
    let explicit = MappingFile::default();
    let problem = map_headers(kind_value, &file.columns, &explicit).err();
    let columns = file
        .columns
        .iter()
        .map(|column| {
            let (kind, target) = match target(kind_value, column.trim(), &explicit) {
                Ok(Target::Field(f)) => ("field", f.to_owned()),
                Ok(Target::Attribute(a)) => ("attribute", a),
                Ok(Target::Ignored) | Err(_) => ("ignored", String::new()),
            };
            ColumnMapping {
                column: column.clone(),
                kind: kind.to_owned(),
                target,
            }
        })
        .collect();
    Ok(ImportPreview {
        file: path.display().to_string(),
        kind: kind_value.to_string(),
        encoding: file.encoding,
        size: file.size,
        columns,
        rows: file.rows,
        problem,
    })
}

/// Imports `path` as `kind` into the workspace's store (created if needed), as `tessera import`
/// does with its defaults (UTC, no mapping file); `progress` receives the bytes read so far.
///
/// # Errors
/// The demo has no store; the whole file refused; SQLite errors.
pub fn import_file(
    ws: &Workspace,
    path: &Path,
    kind: &str,
    progress: &dyn Fn(u64),
) -> Result<ImportReport, WorkspaceError> {
    let options = ImportOptions {
        normalization: ws.import_rules(),
        ..ImportOptions::new(parse_kind(kind)?)
    };
    // Imports re-evaluate the segments of the profiles they touch: against the current definitions.
    let mut store = ws.open_store_with_segments(tessera_store::now_ms())?;
    Ok(tessera_store::import::import(&mut store, path, &options, progress)?)
}

/// Stored profiles whose email or name contains `query` (every profile for an empty query), at
/// most `limit`; none when the workspace has no store yet.
///
/// # Errors
/// SQLite errors.
pub fn browse(ws: &Workspace, query: &str, limit: usize) -> Result<Vec<ProfileSummary>, WorkspaceError> {
    if !has_store(ws) {
        return Ok(Vec::new());
    }
    Ok(ws.open_store()?.list_profiles(Some(query), limit)?)
}

/// One stored profile: attributes, data ages, its last `events` events and its live segments.
///
/// # Errors
/// No store, no such profile, SQLite or segment errors.
pub fn card(ws: &Workspace, key: &str, events: usize, now_ms: i64) -> Result<ProfileCard, WorkspaceError> {
    if !has_store(ws) {
        return Err(StoreError::ProfileNotFound(key.to_owned()).into());
    }
    let store = ws.open_store_with_segments(now_ms)?;
    let detail = store.profile_detail(key, events)?;
    let mut live = serde_json::json!({});
    add_live_data(&store, detail.id, now_ms, &mut live)?;
    let segments = live["segments"]
        .as_array()
        .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
        .unwrap_or_default();
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
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures/demo/store")
            .join(name)
    }

    #[test]
    fn preview_maps_the_demo_columns_and_shows_the_first_rows() {
        let preview = import_preview(&fixture("profiles.csv"), "profiles").expect("preview");
        assert!(preview.problem.is_none(), "{:?}", preview.problem);
        let email = preview
            .columns
            .iter()
            .find(|c| c.target == "email")
            .expect("an email column");
        assert_eq!(email.kind, "field");
        assert_eq!(preview.rows.len(), PREVIEW_ROWS);
        assert!(preview.rows.iter().all(|r| r.len() == preview.columns.len()));
    }

    #[test]
    fn preview_names_a_missing_required_column() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("x.csv");
        std::fs::write(&file, "name,Loyalty Tier\nAda,Gold\n").expect("write");
        let preview = import_preview(&file, "profiles").expect("preview");
        assert!(
            preview.problem.as_deref().is_some_and(|p| p.contains("email")),
            "{:?}",
            preview.problem
        );
        assert_eq!(preview.columns[1].kind, "attribute");
        assert_eq!(preview.columns[1].target, "loyalty_tier");
        assert_eq!(preview.rows, vec![vec!["Ada".to_owned(), "Gold".to_owned()]]);
    }

    #[test]
    fn import_then_browse_and_open_a_card() {
        let (_dir, ws) = demo();
        assert!(browse(&ws, "", 10).expect("browse").is_empty());
        let report = import_file(&ws, &fixture("profiles.csv"), "profiles", &|_| {}).expect("import");
        assert!(report.inserted > 0);
        let found = browse(&ws, "", 5).expect("browse");
        assert_eq!(found.len(), 5);
        let first = &found[0];
        let card = card(&ws, &first.email, 5, tessera_store::now_ms()).expect("card");
        assert_eq!(card.detail.id, first.id);
        assert!(card.detail.profile.contains_key("email"));
    }
}
