//! The import report: every element of the source and where it went, the merge syntax found and
//! how it was converted, what was removed as dangerous, and the visual difference when measured.

use serde::Serialize;

/// What an import did, element by element.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(rename = "EmailImportReport"))]
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ImportReport {
    /// The source file's name.
    pub file: String,
    /// `mjml` or `html`.
    pub format: String,
    /// Every element considered, in source order.
    pub elements: Vec<ElementEntry>,
    /// ESP merge syntax found, in source order of first use.
    pub merge_tags: Vec<MergeTagEntry>,
    /// The field mapping used: ESP name to Tessera data path.
    pub mapping: Vec<MappingEntry>,
    /// Dangerous parts removed (scripts, event handlers, `javascript:` links).
    pub removed: Vec<RemovedEntry>,
    /// Parser complaints and other notes that did not stop the import.
    pub warnings: Vec<Warning>,
}

/// One source element and its destination.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ElementEntry {
    /// The tag, e.g. `mj-text` or `tr`.
    pub element: String,
    /// 1-based line in the source (0 when the parser gives none).
    pub line: usize,
    /// Where it went.
    pub went_to: Destination,
}

/// Where a source element went.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Destination {
    /// Became a block (its id and type).
    Block {
        /// The block's id in the document.
        id: String,
        /// Its type.
        block_type: String,
    },
    /// Kept inside an HTML block's markup (with how many descendant elements).
    HtmlBlock {
        /// The HTML block's id.
        id: String,
        /// Why no other block fits.
        reason: String,
        /// Elements inside it, kept with it.
        descendants: usize,
    },
    /// Read into a block of its parent (e.g. the `mj-text` of an `mj-hero`).
    PartOf {
        /// The block's id.
        id: String,
        /// The field(s) it filled.
        field: String,
    },
    /// Became email settings or document fields (subject, preheader).
    Settings {
        /// The setting(s) it filled.
        keys: Vec<String>,
    },
    /// A layout wrapper whose content became the blocks listed after it.
    Wrapper,
    /// Not kept, and why.
    Dropped {
        /// Why.
        reason: String,
    },
}

/// One ESP merge tag found and what it became.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MergeTagEntry {
    /// The syntax family: `mailchimp`, `liquid`, `ampscript`, `dollar` or `handlebars`.
    pub syntax: String,
    /// The tag as written.
    pub original: String,
    /// The ESP's field name it reads, when it reads one.
    pub esp_name: Option<String>,
    /// The Tessera placeholder it became, or `None` when kept as literal text.
    pub converted: Option<String>,
    /// Why it was kept literal, when it was.
    pub note: Option<String>,
    /// How many times it occurs.
    pub count: usize,
}

/// One ESP field name and the Tessera data path it maps to.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MappingEntry {
    /// The name in the ESP's syntax, e.g. `FNAME`.
    pub esp_name: String,
    /// The Tessera data path, or `None` when unmapped.
    pub path: Option<String>,
    /// `map` (the mapping file), `dictionary` (matched by name) or `none`.
    pub source: String,
}

/// One dangerous part removed.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RemovedEntry {
    /// 1-based line.
    pub line: usize,
    /// What was removed, e.g. `<script>` or `onclick on <a>`.
    pub what: String,
}

/// A note that did not stop the import.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(rename = "EmailImportWarning"))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// 1-based line (0 when not on one line).
    pub line: usize,
    /// What happened.
    pub message: String,
}

impl ImportReport {
    pub(crate) fn element(&mut self, element: &str, line: usize, went_to: Destination) {
        self.elements.push(ElementEntry {
            element: element.to_owned(),
            line,
            went_to,
        });
    }

    pub(crate) fn warn(&mut self, line: usize, message: impl Into<String>) {
        self.warnings.push(Warning {
            line,
            message: message.into(),
        });
    }

    /// The blocks made, by type: how many of each.
    #[must_use]
    pub fn blocks_by_type(&self) -> std::collections::BTreeMap<String, usize> {
        let mut out = std::collections::BTreeMap::new();
        for e in &self.elements {
            if let Destination::Block { block_type, .. } = &e.went_to {
                *out.entry(block_type.clone()).or_insert(0) += 1;
            }
            if let Destination::HtmlBlock { .. } = &e.went_to {
                *out.entry("html".to_owned()).or_insert(0) += 1;
            }
        }
        out
    }

    /// Merge tags kept as literal text.
    pub fn unmapped(&self) -> impl Iterator<Item = &MergeTagEntry> {
        self.merge_tags.iter().filter(|t| t.converted.is_none())
    }
}
