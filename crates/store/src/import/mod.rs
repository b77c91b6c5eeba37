//! Imports of profiles, events and products from CSV, JSON arrays and JSONL.
//!
//! Every import is one transaction: it commits whole or not at all (`--dry-run` rolls it back after
//! producing the report). Rows are validated and normalized one by one; a bad row is rejected with
//! its line, field and reason and the rest go in. Re-importing a file changes nothing.

mod email_ids;
pub mod mapping;
pub(crate) mod prepare;
pub mod records;
pub mod report;
pub mod source;
pub(crate) mod write;

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{channel, sync_channel, Receiver, SyncSender};
use std::time::Instant;

use mapping::{MappingFile, Target};
use prepare::{Prepared, Preparer, ProfileRow};
use records::{Cell, Event, Record};
pub use report::{FuzzyMatch, ImportReport, Rejection};
pub use write::FUZZY_THRESHOLD;

pub use crate::events::EVENT_TYPES;
use crate::validate::timestamp::Zone;
use crate::{Store, StoreError};

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// Customer profiles.
    Profiles,
    /// Behavioural events.
    Events,
    /// The product catalogue.
    Products,
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Profiles => "profiles",
            Self::Events => "events",
            Self::Products => "products",
        })
    }
}

impl std::str::FromStr for Kind {
    type Err = StoreError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "profiles" => Ok(Self::Profiles),
            "events" => Ok(Self::Events),
            "products" => Ok(Self::Products),
            other => Err(StoreError::Option(format!(
                "--kind must be profiles, events or products, not \"{other}\""
            ))),
        }
    }
}

/// How to import.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// What the file holds.
    pub kind: Kind,
    /// An explicit column mapping file.
    pub mapping: Option<PathBuf>,
    /// The zone of timestamps written without an offset.
    pub timezone: Zone,
    /// Produce the report, write nothing.
    pub dry_run: bool,
    /// How SKUs and categories are normalized.
    pub normalization: Normalization,
    /// The instant segments are re-evaluated at for the imported profiles (default: the import's
    /// start).
    pub as_of: Option<i64>,
    /// Checked between chunks of rows: once set, the import stops and writes nothing (it is one
    /// transaction).
    pub cancel: crate::Cancel,
}

impl ImportOptions {
    /// Options for a kind: UTC, no mapping file, writing, default normalization.
    #[must_use]
    pub fn new(kind: Kind) -> Self {
        Self {
            kind,
            mapping: None,
            timezone: Zone::Utc,
            dry_run: false,
            normalization: Normalization::default(),
            as_of: None,
            cancel: crate::Cancel::new(),
        }
    }
}

/// How SKUs are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SkuRule {
    /// Trimmed and upper-cased (`nw-1001` → `NW-1001`).
    #[default]
    Upper,
    /// Trimmed and lower-cased.
    Lower,
    /// Trimmed only.
    AsIs,
}

/// Workspace rules for product identifiers and categories.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Normalization {
    /// The SKU rule.
    pub sku: SkuRule,
    /// The master taxonomy: a category as found (lower-cased) → its master category. Master
    /// categories map to themselves implicitly. Empty: categories are kept (lower-cased).
    pub taxonomy: std::collections::BTreeMap<String, String>,
}

impl Normalization {
    /// A SKU by the rule.
    #[must_use]
    pub fn sku(&self, raw: &str) -> String {
        let t = raw.trim();
        match self.sku {
            SkuRule::Upper => t.to_uppercase(),
            SkuRule::Lower => t.to_lowercase(),
            SkuRule::AsIs => t.to_owned(),
        }
    }

    /// The master category of a category as found; `Err` with the lower-cased category when a
    /// taxonomy exists and does not know it.
    ///
    /// # Errors
    /// The category is not in the taxonomy.
    pub fn category(&self, raw: &str) -> Result<String, String> {
        let c = raw.trim().to_lowercase();
        if self.taxonomy.is_empty() {
            return Ok(c);
        }
        if let Some(master) = self.taxonomy.get(&c) {
            return Ok(master.clone());
        }
        if self.taxonomy.values().any(|m| *m == c) {
            return Ok(c);
        }
        Err(c)
    }
}

/// The file format, from the extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Csv,
    Json,
    Jsonl,
}

fn format_of(path: &Path) -> Result<Format, StoreError> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    match ext.as_str() {
        "csv" | "txt" | "tsv" => Ok(Format::Csv),
        "json" => Ok(Format::Json),
        "jsonl" | "ndjson" => Ok(Format::Jsonl),
        _ => Err(StoreError::Refused {
            path: path.to_path_buf(),
            reason: "name the file .csv, .json (an array of objects) or .jsonl (one object per line)".to_owned(),
        }),
    }
}

/// Fields over this size are refused (protects the store and the report from runaway cells).
pub const MAX_FIELD_BYTES: usize = 1024 * 1024;

/// Imports a file into the store. `progress` receives the bytes read so far.
///
/// # Errors
/// The whole file refused (empty, binary, no header, missing required column, broken JSON), a
/// mapping file problem, or a database failure; in every case nothing is written.
pub fn import(
    store: &mut Store,
    path: &Path,
    options: &ImportOptions,
    progress: &dyn Fn(u64),
) -> Result<ImportReport, StoreError> {
    // A large import touches index pages all over the file: a bigger page cache for its duration
    // keeps them in memory instead of re-reading them from the OS (bounded, for the memory budget).
    let store_path = store.path().to_path_buf();
    let sql = |source| StoreError::Sqlite {
        path: store_path.clone(),
        source,
    };
    // The per-row foreign key checks are off for the import's own transaction: the writer only
    // writes references it has just resolved in that transaction (each event's profile, the
    // import batch), and the checks were a random seek per event. On for everything else.
    store
        .conn()
        .execute_batch("PRAGMA cache_size = -98304; PRAGMA foreign_keys = OFF")
        .map_err(sql)?;
    let result = import_in_transaction(store, path, options, progress);
    let restored = store
        .conn()
        .execute_batch("PRAGMA cache_size = -32768; PRAGMA foreign_keys = ON")
        .map_err(sql);
    let report = result?;
    restored?;
    Ok(report)
}

fn import_in_transaction(
    store: &mut Store,
    path: &Path,
    options: &ImportOptions,
    progress: &dyn Fn(u64),
) -> Result<ImportReport, StoreError> {
    let started = Instant::now();
    let started_ms = crate::now_ms();
    let format = format_of(path)?;
    let explicit = options
        .mapping
        .as_deref()
        .map(MappingFile::read)
        .transpose()?
        .unwrap_or_default();
    let source = source::open(path)?;
    let mut report = ImportReport {
        file: path.display().to_string(),
        kind: options.kind.to_string(),
        encoding: source.encoding.clone(),
        dry_run: options.dry_run,
        ..ImportReport::default()
    };
    if source.encoding == "windows-1252" {
        report.warn_once("the file is not UTF-8; it was read as Windows-1252 (Western European)".to_owned());
    }
    let refuse = |reason: String| StoreError::Refused {
        path: path.to_path_buf(),
        reason,
    };
    let store_path = store.path().to_path_buf();
    let sql = move |source: rusqlite::Error| StoreError::Sqlite {
        path: store_path.clone(),
        source,
    };

    let segments_path = store.path().to_path_buf();
    let tx = store.conn_mut().transaction().map_err(&sql)?;
    let batch: i64 = {
        tx.execute(
            "INSERT INTO import_batches (kind, file_name, file_hash, encoding, started_at, finished_at, rows_read, inserted, updated, merged, unchanged, rejected, report)
             VALUES (?1, ?2, ?3, ?4, ?5, ?5, 0, 0, 0, 0, 0, 0, '{}')",
            rusqlite::params![options.kind.to_string(), path.display().to_string(), "", source.encoding, started_ms],
        )
        .map_err(&sql)?;
        tx.last_insert_rowid()
    };
    let hash = source.hash.clone();
    // Two stages on two threads: this one writes, the other reads, validates and normalizes
    // (about half the work), handing rows over in chunks through a bounded channel.
    let read_bytes = AtomicU64::new(0);
    let (rows, received) = sync_channel::<Vec<Prepared>>(PIPELINE_DEPTH);
    // Written profile rows go back to the reading thread to be freed there (see `Stages`).
    let (spent, returned) = channel::<Vec<ProfileRow>>();
    let (read, written, failure, touched) = std::thread::scope(|scope| {
        let reading = scope.spawn(|| {
            let reading = Stages { rows, returned };
            read_and_prepare(source.reader, format, options, &explicit, &read_bytes, reading)
        });
        let mut writer = write::Writer::new(&tx, batch, started_ms, source.size);
        let mut written = ImportReport::default();
        let mut failure = None;
        let mut shown_mb = 0;
        'chunks: for chunk in received {
            if let Err(e) = options.cancel.check() {
                failure = Some(e);
                break 'chunks;
            }
            let mut done = Vec::new();
            for row in chunk {
                let result = match row {
                    Prepared::Profile(profile) => {
                        let result = writer.profile(&profile, &mut written);
                        done.push(profile);
                        result
                    }
                    other => writer.write(other, &mut written),
                };
                if let Err(e) = result {
                    // Leaving the loop drops the receiver: the reading thread stops at its next chunk.
                    failure = Some(e);
                    break 'chunks;
                }
            }
            // Once the reading thread has finished, the rows are freed here instead.
            let _ = spent.send(done);
            let bytes = read_bytes.load(Ordering::Relaxed);
            if bytes >> 20 != shown_mb {
                shown_mb = bytes >> 20;
                progress(bytes);
            }
        }
        if failure.is_none() {
            failure = writer.finish(&mut written).err();
        }
        let read = reading
            .join()
            .unwrap_or_else(|_| Reading::failed("the reading thread stopped unexpectedly"));
        written.fuzzy_matches = std::mem::take(&mut writer.fuzzy);
        let touched = std::mem::take(&mut writer.touched_profiles);
        (read, written, failure, touched)
    });
    if let Some(e) = failure {
        return Err(e);
    }
    read.outcome.map_err(refuse)?;
    report.absorb(read.report);
    report.absorb(written);
    if report.rows_read == 0 {
        return Err(refuse(if format == Format::Csv {
            "the file has a header row but no data rows".to_owned()
        } else {
            "the file holds no records".to_owned()
        }));
    }
    if read.assumed_zone > 0 {
        report.warn_once(format!(
            "{} timestamp(s) had no UTC offset; the import's time zone ({}) was assumed",
            read.assumed_zone,
            describe_zone(options.timezone)
        ));
    }
    let file_hash = hash.finish()?;
    let already: Option<i64> = tx
        .query_row(
            "SELECT id FROM import_batches WHERE kind = ?1 AND file_hash = ?2 AND id != ?3 ORDER BY id LIMIT 1",
            rusqlite::params![options.kind.to_string(), file_hash, batch],
            |r| r.get(0),
        )
        .ok();
    report.duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    let report_json = serde_json::to_string(&report).unwrap_or_else(|_| "{}".to_owned());
    tx.execute(
        "UPDATE import_batches SET finished_at = ?2, rows_read = ?3, inserted = ?4, updated = ?5, merged = ?6, unchanged = ?7, rejected = ?8, report = ?9, file_hash = ?10 WHERE id = ?1",
        rusqlite::params![
            batch,
            crate::now_ms(),
            count(report.rows_read),
            count(report.inserted),
            count(report.updated),
            count(report.merged),
            count(report.unchanged),
            count(report.rejected),
            report_json,
            file_hash
        ],
    )
    .map_err(&sql)?;
    if let Some(previous) = already {
        // The same bytes were imported before: the rows are all unchanged; record nothing new.
        report.warn_once(format!(
            "this file was already imported (batch {previous}); nothing changed"
        ));
        tx.rollback().map_err(&sql)?;
    } else if options.dry_run {
        tx.rollback().map_err(&sql)?;
    } else {
        // The last chance to stop: past this point the import commits.
        options.cancel.check()?;
        // Segment membership of the touched profiles, in the same transaction: it commits with
        // the rows that changed it.
        let changes = touched
            .apply(&tx, options.as_of.unwrap_or(started_ms))
            .map_err(|e| e.with_path(&segments_path))?;
        for (segment, change) in changes {
            if !change.entered.is_empty() || !change.left.is_empty() {
                report.segments.insert(
                    segment,
                    report::SegmentDelta {
                        entered: change.entered.len() as u64,
                        left: change.left.len() as u64,
                    },
                );
            }
        }
        tx.commit().map_err(&sql)?;
        report.batch = Some(batch);
    }
    Ok(report)
}

/// Chunks of prepared rows in flight between the two stages (bounded, for the memory budget).
const PIPELINE_DEPTH: usize = 8;

/// Rows per chunk handed from the reading stage to the writer.
const CHUNK_ROWS: usize = 512;

/// What the reading stage produced besides the rows.
struct Reading {
    /// Rows read, rows rejected while reading or validating, and warnings.
    report: ImportReport,
    /// Timestamps that had no offset.
    assumed_zone: u64,
    /// The file's own problem, when it is refused as a whole.
    outcome: Result<(), String>,
}

impl Reading {
    fn failed(reason: &str) -> Self {
        Self {
            report: ImportReport::default(),
            assumed_zone: 0,
            outcome: Err(reason.to_owned()),
        }
    }
}

/// The reading stage's ends of its two channels: chunks of rows out to the writer, and back the
/// profile rows it has written, to be freed on the thread that allocated them: cheaper there (the
/// allocator's own thread), and off the writer, the import's slower stage.
struct Stages {
    rows: SyncSender<Vec<Prepared>>,
    returned: Receiver<Vec<ProfileRow>>,
}

/// The reading stage: records read, mapped, validated and normalized, and sent on in chunks.
/// It stops early when the writer has gone (a database error).
fn read_and_prepare(
    reader: Box<dyn Read + Send>,
    format: Format,
    options: &ImportOptions,
    explicit: &MappingFile,
    read_bytes: &AtomicU64,
    stages: Stages,
) -> Reading {
    let Stages { rows, returned } = stages;
    let mut report = ImportReport::default();
    let mut preparer = Preparer::new(options.kind, options.timezone, options.normalization.clone());
    let mut targets: Option<Vec<Target>> = None;
    let mut json_targets: HashMap<String, Target> = HashMap::new();
    let mut chunk = Vec::with_capacity(CHUNK_ROWS);
    let mut writer_gone = false;
    let counted = CountingReader {
        inner: reader,
        read: read_bytes,
    };
    let mut on = |event: Event<'_>| -> Result<(), String> {
        match event {
            Event::Header(headers) => {
                targets = Some(mapping::map_headers(options.kind, headers, explicit)?);
                for (header, target) in headers.iter().zip(targets.iter().flatten()) {
                    if *target == Target::Ignored {
                        report.warn_once(format!("column \"{header}\" is not used for {}", options.kind));
                    }
                }
                Ok(())
            }
            Event::Record(record) => {
                report.rows_read += 1;
                let prepared = prepare_record(
                    &record,
                    targets.as_deref(),
                    &mut json_targets,
                    &mut preparer,
                    explicit,
                    &mut report,
                );
                if let Some(row) = prepared {
                    chunk.push(row);
                    if chunk.len() == CHUNK_ROWS {
                        // Free what the writer is done with.
                        while returned.try_recv().is_ok() {}
                        if rows.send(std::mem::take(&mut chunk)).is_err() {
                            writer_gone = true;
                            return Err("the writer stopped".to_owned());
                        }
                    }
                }
                Ok(())
            }
        }
    };
    let outcome = match format {
        Format::Csv => records::read_csv(counted, &mut on),
        Format::Json => records::read_json_array(counted, &mut on),
        Format::Jsonl => records::read_jsonl(counted, &mut on),
    };
    if outcome.is_ok() && !chunk.is_empty() {
        // A send error here means the writer failed; it reports its own error.
        let _ = rows.send(chunk);
    }
    Reading {
        report,
        assumed_zone: preparer.assumed_zone,
        outcome: if writer_gone { Ok(()) } else { outcome },
    }
}

fn count(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn describe_zone(zone: Zone) -> String {
    match zone {
        Zone::Utc => "UTC".to_owned(),
        Zone::Fixed(offset) => {
            let (h, m, _) = offset.as_hms();
            format!(
                "{}{:02}:{:02}",
                if offset.is_negative() { '-' } else { '+' },
                h.unsigned_abs(),
                m.unsigned_abs()
            )
        }
    }
}

/// One record mapped to fields, validated and normalized into a row ready to write; `None` when
/// it is rejected (the reason is in `report`). The one path every profile, event and product
/// takes into the store: file imports and the live collector ([`crate::live`]) both call it.
pub(crate) fn prepare_record(
    record: &Record,
    targets: Option<&[Target]>,
    json_targets: &mut HashMap<String, Target>,
    preparer: &mut Preparer,
    explicit: &MappingFile,
    report: &mut ImportReport,
) -> Option<Prepared> {
    let kind = preparer.kind();
    resolve(record, targets, json_targets, kind, explicit, report)
        .and_then(|fields| preparer.prepare(record.line, fields, report))
}

/// Cells of a record sorted into fields and attributes; `None` when the record is rejected.
fn resolve(
    record: &Record,
    targets: Option<&[Target]>,
    json_targets: &mut HashMap<String, Target>,
    kind: Kind,
    explicit: &MappingFile,
    report: &mut ImportReport,
) -> Option<prepare::Fields> {
    if let Some(problem) = &record.problem {
        report.reject(record.line, None, problem.clone());
        return None;
    }
    let mut fields = prepare::Fields::default();
    let mut seen = HashSet::new();
    for (i, (column, cell)) in record.cells.iter().enumerate() {
        let target = match targets {
            Some(t) => t.get(i).cloned().unwrap_or(Target::Ignored),
            None => {
                if let Some(t) = json_targets.get(column) {
                    t.clone()
                } else {
                    let t = match mapping::target(kind, column, explicit) {
                        Ok(t) => t,
                        Err(reason) => {
                            report.reject(record.line, Some(column), reason);
                            return None;
                        }
                    };
                    if t == Target::Ignored {
                        report.warn_once(format!("field \"{column}\" is not used for {kind}"));
                    }
                    json_targets.insert(column.clone(), t.clone());
                    t
                }
            }
        };
        let text = cell.text();
        if text.len() > MAX_FIELD_BYTES {
            report.reject(record.line, Some(column), "the value is longer than 1 MB");
            return None;
        }
        if text.contains('\0') {
            report.reject(record.line, Some(column), "the value holds a NUL byte");
            return None;
        }
        match target {
            Target::Field(f) => {
                if targets.is_none() && !seen.insert(f) {
                    report.reject(record.line, Some(column), format!("two keys mean {f}"));
                    return None;
                }
                fields.known.insert(f, text.into_owned());
            }
            Target::Attribute(name) => {
                let value = match cell {
                    Cell::Json(v) => v.clone(),
                    Cell::Text(t) => prepare::infer_attribute(t),
                };
                fields.attributes.insert(name, value);
            }
            Target::Ignored => {}
        }
    }
    for required in mapping::required(kind) {
        if fields.known.get(required).is_none_or(|v| v.trim().is_empty()) {
            report.reject(record.line, Some(required), "missing required field");
            return None;
        }
    }
    if kind == Kind::Events
        && ["email", "crm_id"]
            .iter()
            .all(|f| fields.known.get(f).is_none_or(|v| v.trim().is_empty()))
    {
        report.reject(record.line, Some("email"), "missing required field (email or crm_id)");
        return None;
    }
    Some(fields)
}

/// Counts the bytes read, for the progress bar on the writer's thread.
struct CountingReader<'a, R> {
    inner: R,
    read: &'a AtomicU64,
}

impl<R: Read> Read for CountingReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Imports turn the per-row foreign key checks off for their own transaction only.
    #[test]
    fn foreign_keys_are_on_again_after_any_import() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut store = Store::open(&dir.path().join("store.db")).expect("store");
        let good = dir.path().join("p.csv");
        let broken = dir.path().join("broken.json");
        std::fs::write(&good, "email\nada@example.com\n").expect("write");
        std::fs::write(&broken, "[{\"email\": \"ben@example.com\"},").expect("write");
        let on = |store: &Store| -> i64 {
            store
                .conn()
                .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
                .expect("pragma")
        };
        let options = ImportOptions::new(Kind::Profiles);
        import(&mut store, &good, &options, &|_| {}).expect("imports");
        assert_eq!(on(&store), 1, "after a successful import");
        assert!(import(&mut store, &broken, &options, &|_| {}).is_err());
        assert_eq!(on(&store), 1, "after a refused import");
    }
}

/// The first rows of a file as an import would read them, for a preview before importing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilePreview {
    /// The encoding the file is read with.
    pub encoding: String,
    /// Its size in bytes.
    pub size: u64,
    /// The column names (CSV header, or the keys of the first JSON records in order).
    pub columns: Vec<String>,
    /// The first rows, one cell per column (blank when a record lacks it).
    pub rows: Vec<Vec<String>>,
}

/// Reads the header and the first `rows` records of a file, with the reader the import uses.
///
/// # Errors
/// The file cannot be opened, is not `.csv`, `.json` or `.jsonl`, or cannot be parsed.
pub fn preview_file(path: &Path, rows: usize) -> Result<FilePreview, StoreError> {
    const STOP: &str = "\u{0}preview-complete";
    let format = format_of(path)?;
    let source = source::open(path)?;
    let mut columns: Vec<String> = Vec::new();
    let mut records: Vec<records::Record> = Vec::new();
    let mut on = |event: records::Event<'_>| {
        match event {
            records::Event::Header(h) => columns = h.to_vec(),
            records::Event::Record(r) => {
                for (name, _) in &r.cells {
                    if !columns.contains(name) {
                        columns.push(name.clone());
                    }
                }
                records.push(r);
            }
        }
        if records.len() >= rows {
            Err(STOP.to_owned())
        } else {
            Ok(())
        }
    };
    let read = match format {
        Format::Csv => records::read_csv(source.reader, &mut on),
        Format::Json => records::read_json_array(source.reader, &mut on),
        Format::Jsonl => records::read_jsonl(source.reader, &mut on),
    };
    match read {
        Err(reason) if reason != STOP => {
            return Err(StoreError::Refused {
                path: path.to_path_buf(),
                reason,
            })
        }
        _ => {}
    }
    let rows = records
        .iter()
        .map(|r| {
            columns
                .iter()
                .map(|c| {
                    r.cells
                        .iter()
                        .find(|(name, _)| name == c)
                        .map(|(_, cell)| cell.text().into_owned())
                        .unwrap_or_default()
                })
                .collect()
        })
        .collect();
    Ok(FilePreview {
        encoding: source.encoding,
        size: source.size,
        columns,
        rows,
    })
}
