//! The import report: what was read, written, merged and rejected, and why.

use serde::Serialize;

/// How many rejections are listed one by one (the counts stay exact).
pub const LISTED_REJECTIONS: usize = 1000;

/// A row that was not imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Rejection {
    /// 1-based line in the file.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub line: u64,
    /// The field at fault, when one is.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub field: Option<String>,
    /// Why, in words.
    pub reason: String,
}

/// Two profiles that look like the same person but are not certain to be: reported, not merged.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FuzzyMatch {
    /// Line of the imported row.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub line: u64,
    /// Its email.
    pub email: String,
    /// The existing profile's email.
    pub candidate: String,
    /// Similarity, 0 to 1.
    pub score: f64,
    /// What matched.
    pub evidence: String,
}

/// How many profiles entered and left a segment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SegmentDelta {
    /// Profiles that entered.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub entered: u64,
    /// Profiles that left.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub left: u64,
}

/// The outcome of one import.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ImportReport {
    /// The file.
    pub file: String,
    /// profiles, events or products.
    pub kind: String,
    /// The encoding used.
    pub encoding: String,
    /// Nothing was written.
    pub dry_run: bool,
    /// Rows read (header excluded).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub rows_read: u64,
    /// New rows.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub inserted: u64,
    /// Existing rows changed.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub updated: u64,
    /// Rows merged into another row of the same file (duplicates).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub merged: u64,
    /// Rows already present as they are.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub unchanged: u64,
    /// Rows not imported.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub rejected: u64,
    /// Segment membership changes caused by the import, by segment.
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    #[cfg_attr(
        feature = "ts",
        ts(as = "Option<std::collections::BTreeMap<String, SegmentDelta>>", optional)
    )]
    pub segments: std::collections::BTreeMap<String, SegmentDelta>,
    /// The rejected rows (the first [`LISTED_REJECTIONS`]).
    pub rejections: Vec<Rejection>,
    /// Likely duplicates to review.
    pub fuzzy_matches: Vec<FuzzyMatch>,
    /// Things worth knowing (assumed time zones, unused columns, ...).
    pub warnings: Vec<String>,
    /// The import batch recorded, unless dry run.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(as = "Option<u32>", optional))]
    pub batch: Option<i64>,
    /// Wall time in milliseconds.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub duration_ms: u64,
}

impl ImportReport {
    pub(crate) fn reject(&mut self, line: u64, field: Option<&str>, reason: impl Into<String>) {
        self.rejected += 1;
        if self.rejections.len() < LISTED_REJECTIONS {
            self.rejections.push(Rejection {
                line,
                field: field.map(str::to_owned),
                reason: reason.into(),
            });
        }
    }

    /// Adds another stage's counts, rejections (kept in line order) and warnings to this report.
    pub(crate) fn absorb(&mut self, other: Self) {
        self.rows_read += other.rows_read;
        self.inserted += other.inserted;
        self.updated += other.updated;
        self.merged += other.merged;
        self.unchanged += other.unchanged;
        self.rejected += other.rejected;
        // Each list is in line order and holds its stage's first rejections, so the first of the
        // merged list are the first of the file.
        self.rejections.extend(other.rejections);
        self.rejections.sort_by_key(|r| r.line);
        self.rejections.truncate(LISTED_REJECTIONS);
        self.fuzzy_matches.extend(other.fuzzy_matches);
        for warning in other.warnings {
            self.warn_once(warning);
        }
    }

    pub(crate) fn warn_once(&mut self, warning: String) {
        if !self.warnings.contains(&warning) {
            self.warnings.push(warning);
        }
    }
}
