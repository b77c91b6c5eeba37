//! The render report: every fallback taken, hidden blocks and why, missing data, and warnings.

use std::collections::BTreeSet;

use serde::Serialize;

use super::personalize::{Event, Site, Used};
use crate::compile::Compiled;
use crate::compose::{BlockMeta, Gate};
use crate::diagnostics::Diagnostic;
use crate::lang::lower::value_to_text;
use crate::plan::Tables;

/// Gmail clips messages whose HTML is larger than about 102 KB.
pub const GMAIL_CLIP_BYTES: usize = 102 * 1024;

/// What one render did.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RenderReport {
    /// Document name.
    pub email: String,
    /// Template version (content hash).
    pub version: String,
    /// Each fallback taken.
    pub fallbacks: Vec<FallbackTaken>,
    /// Each block that did not show, and why.
    pub hidden_blocks: Vec<HiddenBlock>,
    /// Blocks with a `show_if` or `hide_if` rule that let them show, and which rule.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "ts", ts(as = "Option<Vec<ShownBlock>>", optional))]
    pub shown_blocks: Vec<ShownBlock>,
    /// Every block instance that showed, in order (the coverage preview reads it).
    #[serde(skip)]
    pub visible_blocks: Vec<String>,
    /// Data paths the email asked for that the recipient's data lacks.
    pub missing_paths: Vec<String>,
    /// Problems worth a look.
    pub warnings: Vec<Diagnostic>,
    /// Size of the HTML part in bytes.
    pub html_bytes: usize,
    /// Size of the text part in bytes.
    pub text_bytes: usize,
    /// The Gmail clipping budget in bytes.
    pub gmail_budget_bytes: usize,
    /// Data older than its source's freshness threshold (rendering as a stored profile).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "ts", ts(as = "Option<Vec<StaleField>>", optional))]
    pub stale_fields: Vec<StaleField>,
}

/// A data field older than the freshness threshold of its source.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StaleField {
    /// The data path, e.g. `profile.loyalty_points`.
    pub field: String,
    /// Its source (crm, web, ...).
    pub source: String,
    /// When it was last set (RFC 3339 UTC).
    pub last_updated: String,
    /// The threshold, as configured (e.g. `24h`).
    pub threshold: String,
}

/// A placeholder that did not get its value.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(optional_fields))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FallbackTaken {
    /// The block it is in (`subject`, `preheader` outside blocks).
    pub block: String,
    /// The placeholder as written.
    pub placeholder: String,
    /// Its data field, when it reads one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Which fallback: `explicit`, `dictionary` or `empty`.
    pub used: &'static str,
    /// The text used instead.
    pub value: String,
    /// The value was there but could not be formatted.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    #[cfg_attr(feature = "ts", ts(as = "Option<bool>", optional))]
    pub unformattable: bool,
}

/// A block shown because of its rules.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShownBlock {
    /// The block instance id.
    pub block: String,
    /// Which rules let it show, in words.
    pub reason: String,
}

/// A block that did not show.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(optional_fields))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HiddenBlock {
    /// The block instance id.
    pub block: String,
    /// Why, in words.
    pub reason: String,
    /// The block shown instead, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replaced_by: Option<String>,
}

impl RenderReport {
    /// Builds the report of one render from its events.
    #[must_use]
    pub fn build(compiled: &Compiled, events: &[Event], html_bytes: usize, text_bytes: usize) -> Self {
        let mut report = Self {
            email: compiled.name.clone(),
            version: compiled.version_hex(),
            html_bytes,
            text_bytes,
            gmail_budget_bytes: GMAIL_CLIP_BYTES,
            ..Self::default()
        };
        let mut missing = BTreeSet::new();
        for event in events {
            match *event {
                Event::Fallback {
                    site,
                    placeholder,
                    block,
                    used,
                    unformattable,
                } => {
                    let (tables, blocks) = site_tables(compiled, site);
                    let Some(ph) = tables.placeholders.get(placeholder as usize) else {
                        continue;
                    };
                    if let Some(field) = &ph.field {
                        if !unformattable {
                            missing.insert(field.clone());
                        }
                    }
                    let (used_name, value) = match used {
                        Used::Explicit => ("explicit", ph.fallback.clone().unwrap_or_default()),
                        Used::Dictionary => (
                            "dictionary",
                            ph.dictionary_default.as_ref().map(value_to_text).unwrap_or_default(),
                        ),
                        Used::Empty => ("empty", String::new()),
                    };
                    let block = block_name(site, block, blocks);
                    if used == Used::Empty {
                        report.warnings.push(Diagnostic::warning(
                            Some(&block),
                            None,
                            format!("`{}` has no value and no fallback: it rendered empty", ph.source),
                        ));
                    }
                    report.fallbacks.push(FallbackTaken {
                        block,
                        placeholder: ph.source.clone(),
                        field: ph.field.clone(),
                        used: used_name,
                        value,
                        unformattable,
                    });
                }
                Event::Hidden { site, block, gate } => {
                    let (_, blocks) = site_tables(compiled, site);
                    let Some(meta) = blocks.get(block as usize) else {
                        continue;
                    };
                    let reason = match meta.gates.get(gate as usize) {
                        Some(Gate::Requires { key, .. }) => {
                            missing.insert(key.clone());
                            format!("required data `{key}` is missing")
                        }
                        Some(Gate::ShowIf { rule, .. }) => format!("show_if `{rule}` is false"),
                        Some(Gate::HideIf { rule, .. }) => format!("hide_if `{rule}` is true"),
                        None => "its rule failed".to_owned(),
                    };
                    report.hidden_blocks.push(HiddenBlock {
                        block: meta.id.clone(),
                        reason,
                        replaced_by: meta.fallback.clone(),
                    });
                }
                Event::Shown { site, block } => {
                    let (_, blocks) = site_tables(compiled, site);
                    let Some(meta) = blocks.get(block as usize) else {
                        continue;
                    };
                    report.visible_blocks.push(meta.id.clone());
                    let rules: Vec<String> = meta
                        .gates
                        .iter()
                        .filter_map(|g| match g {
                            Gate::ShowIf { rule, .. } => Some(format!("show_if `{rule}` is true")),
                            Gate::HideIf { rule, .. } => Some(format!("hide_if `{rule}` is false")),
                            Gate::Requires { .. } => None,
                        })
                        .collect();
                    if !rules.is_empty() {
                        report.shown_blocks.push(ShownBlock {
                            block: meta.id.clone(),
                            reason: rules.join(" and "),
                        });
                    }
                }
                Event::UnsafeUrl {
                    site,
                    placeholder,
                    block,
                } => {
                    let (tables, blocks) = site_tables(compiled, site);
                    let source = tables
                        .placeholders
                        .get(placeholder as usize)
                        .map_or("?", |p| p.source.as_str());
                    report.warnings.push(Diagnostic::warning(
                        Some(&block_name(site, block, blocks)),
                        None,
                        format!(
                            "`{source}` gave a link with an unsafe scheme (e.g. javascript:); it was replaced by #"
                        ),
                    ));
                }
                Event::MissingList { site, each } => {
                    let (tables, _) = site_tables(compiled, site);
                    if let Some(field) = tables.eaches.get(each as usize).and_then(|e| e.field.clone()) {
                        missing.insert(field);
                    }
                }
            }
        }
        report.missing_paths = missing.into_iter().collect();
        report.warnings.extend(
            compiled
                .warnings
                .iter()
                .filter(|d| d.severity == crate::diagnostics::Severity::Warning)
                .cloned(),
        );
        if html_bytes > GMAIL_CLIP_BYTES {
            report.warnings.push(Diagnostic::warning(
                None,
                None,
                format!("the HTML is {} KB; Gmail clips messages over about 102 KB, hiding the rest (and the unsubscribe link)", html_bytes / 1024),
            ));
        }
        report
    }
}

fn site_tables(compiled: &Compiled, site: Site) -> (&Tables, &[BlockMeta]) {
    match site {
        Site::Subject => (&compiled.subject.1, &[]),
        Site::Preheader => (&compiled.preheader.1, &[]),
        Site::Layout => (&compiled.layout.tables, &[]),
        Site::Block(i) => compiled
            .blocks
            .get(i as usize)
            .map_or((&compiled.layout.tables, &[][..]), |f| (&f.tables, &f.blocks[..])),
    }
}

fn block_name(site: Site, block: Option<u32>, blocks: &[BlockMeta]) -> String {
    match (site, block.and_then(|b| blocks.get(b as usize))) {
        (_, Some(meta)) => meta.id.clone(),
        (Site::Subject, None) => "subject".to_owned(),
        (Site::Preheader, None) => "preheader".to_owned(),
        _ => "layout".to_owned(),
    }
}
