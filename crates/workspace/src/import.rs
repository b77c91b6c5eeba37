//! Importing profiles, events and products into the workspace's store, as `tessera import` and
//! the Profiles screen both do: what a file's columns would map to (its first rows shown), and the
//! import itself, validated, normalized, de-duplicated and committed whole or not at all, with the
//! segments of the touched profiles re-evaluated against the workspace's current definitions.

use std::path::{Path, PathBuf};

use serde::Serialize;
use tessera_store::import::mapping::{map_headers, target, MappingFile, Target};
use tessera_store::import::ImportOptions;
pub use tessera_store::import::{ImportReport, Kind};

use crate::{clock, Workspace, WorkspaceError};

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

/// An import as asked for: the file, what it holds, and the options `tessera import` offers.
#[derive(Debug, Clone)]
pub struct ImportRequest {
    /// The file: CSV, a JSON array or JSONL.
    pub file: PathBuf,
    /// What it holds.
    pub kind: Kind,
    /// A TOML file mapping column names to fields.
    pub mapping: Option<PathBuf>,
    /// The time zone of timestamps written without an offset (`UTC`, `+01:00`).
    pub timezone: String,
    /// Produce the report and write nothing.
    pub dry_run: bool,
    /// Set from another thread to stop the import: it then writes nothing.
    pub cancel: tessera_store::Cancel,
}

impl ImportRequest {
    /// An import of `file` as `kind` with the defaults: UTC, no mapping file, written.
    #[must_use]
    pub fn new(file: &Path, kind: Kind) -> Self {
        Self {
            file: file.to_path_buf(),
            kind,
            mapping: None,
            timezone: "UTC".to_owned(),
            dry_run: false,
            cancel: tessera_store::Cancel::new(),
        }
    }
}

/// Reads the columns and first rows of `path` and maps the columns the way an import of `kind`
/// would (no mapping file).
///
/// # Errors
/// A file that cannot be opened or parsed.
pub fn import_preview(path: &Path, kind: Kind) -> Result<ImportPreview, WorkspaceError> {
    let file = tessera_store::import::preview_file(path, PREVIEW_ROWS)?;
    let explicit = MappingFile::default();
    let problem = map_headers(kind, &file.columns, &explicit).err();
    let columns = file
        .columns
        .iter()
        .map(|column| {
            let (destination, target) = match target(kind, column.trim(), &explicit) {
                Ok(Target::Field(f)) => ("field", f.to_owned()),
                Ok(Target::Attribute(a)) => ("attribute", a),
                Ok(Target::Ignored) | Err(_) => ("ignored", String::new()),
            };
            ColumnMapping {
                column: column.clone(),
                kind: destination.to_owned(),
                target,
            }
        })
        .collect();
    Ok(ImportPreview {
        file: path.display().to_string(),
        kind: kind.to_string(),
        encoding: file.encoding,
        size: file.size,
        columns,
        rows: file.rows,
        problem,
    })
}

/// Imports a file into the workspace's store (created if needed) with the workspace's SKU and
/// taxonomy rules; `progress` receives the bytes read so far.
///
/// # Errors
/// The demo has no store; a bad time zone; the whole file refused; SQLite errors.
pub fn import_file(
    ws: &Workspace,
    request: &ImportRequest,
    progress: &dyn Fn(u64),
) -> Result<ImportReport, WorkspaceError> {
    let timezone = tessera_store::validate::timestamp::parse_zone(&request.timezone)
        .map_err(|e| tessera_store::StoreError::Option(format!("--timezone: {e}")))?;
    let options = ImportOptions {
        mapping: request.mapping.clone(),
        timezone,
        dry_run: request.dry_run,
        normalization: ws.import_rules(),
        cancel: request.cancel.clone(),
        ..ImportOptions::new(request.kind)
    };
    // Imports re-evaluate the segments of the profiles they touch: against the current definitions.
    let mut store = ws.open_store_with_segments(clock::now_ms())?;
    Ok(tessera_store::import::import(
        &mut store,
        &request.file,
        &options,
        progress,
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures/demo/store")
            .join(name)
    }

    #[test]
    fn preview_maps_the_demo_columns_and_shows_the_first_rows() {
        let preview = import_preview(&fixture("profiles.csv"), Kind::Profiles).expect("preview");
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
        let preview = import_preview(&file, Kind::Profiles).expect("preview");
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
    fn a_cancelled_import_writes_nothing() {
        let dir = tempfile::tempdir().expect("temp dir");
        crate::init(dir.path()).expect("init");
        let ws = Workspace::open(dir.path()).expect("open");
        let file = dir.path().join("people.csv");
        let mut csv = String::from("email,name\n");
        for i in 0..5000 {
            csv.push_str(&format!("p{i}@example.com,P{i}\n"));
        }
        std::fs::write(&file, csv).expect("write");
        let request = ImportRequest::new(&file, Kind::Profiles);
        let first = import_file(&ws, &request, &|_| {}).expect("first import");
        assert_eq!(first.inserted, 5000);
        let before = profiles_in(&ws);
        // The second import changes every row, and is cancelled from the progress callback.
        std::fs::write(&file, std::fs::read_to_string(&file).expect("read").replace(",P", ",Q")).expect("write");
        let request = ImportRequest::new(&file, Kind::Profiles);
        request.cancel.cancel();
        let e = import_file(&ws, &request, &|_| {}).expect_err("cancelled");
        assert_eq!(e.kind(), crate::ErrorKind::Cancelled, "{e}");
        assert_eq!(profiles_in(&ws), before);
        let card = crate::profiles::card(&ws, "p7@example.com", 1, 0).expect("card");
        assert!(format!("{card:?}").contains("P7"), "{card:?}");
        assert!(!format!("{card:?}").contains("Q7"), "{card:?}");
    }

    fn profiles_in(ws: &Workspace) -> usize {
        crate::profiles::browse(ws, "", 100_000).expect("browse").len()
    }

    #[test]
    fn a_bad_time_zone_is_refused_before_the_file_is_read() {
        let dir = tempfile::tempdir().expect("temp dir");
        crate::init(dir.path()).expect("init");
        let ws = Workspace::open(dir.path()).expect("open");
        let request = ImportRequest {
            timezone: "Mars/Olympus".to_owned(),
            ..ImportRequest::new(&fixture("profiles.csv"), Kind::Profiles)
        };
        let e = import_file(&ws, &request, &|_| {}).expect_err("refused");
        assert_eq!(e.kind(), crate::ErrorKind::ImportRefused);
        assert!(e.to_string().contains("--timezone"), "{e}");
    }
}
