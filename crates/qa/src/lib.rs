//! # tessera-qa
//!
//! The pre-send QA of a rendered email, offline: which email clients support what the email uses
//! (from the vendored caniemail data), accessibility, links, and content and size. It is pure: it
//! is handed the HTML as sent (with comments marking each top-level block, see
//! [`markup::BLOCK_OPEN`]), the subject, preheader and text, the fallbacks the render took and the
//! blocks' field values, and returns typed findings, each located by block (and field, when the
//! problem comes from a field's value) and line.
//!
//! ```
//! let input = tessera_qa::Input {
//!     html: "<html lang=\"en\"><head><title>Hi</title></head><body><div style=\"display:flex\">x</div></body></html>",
//!     ..tessera_qa::Input::default()
//! };
//! let report = tessera_qa::check(&input, &tessera_qa::Options::default());
//! assert!(report.findings.iter().any(|f| f.rule == "support:css-display-flex"));
//! ```
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing))]

pub mod a11y;
pub mod clients;
pub mod color;
pub mod content;
pub mod css;
pub mod data;
pub mod features;
pub mod links;
pub mod markup;
pub mod settings;
pub mod support;

use serde::Serialize;

pub use clients::{Client, DEFAULT_CLIENTS};
pub use settings::{QaSettings, SettingsError};

/// What a finding is about.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Client support (caniemail).
    Support,
    /// Accessibility.
    Accessibility,
    /// Links.
    Links,
    /// Content and size.
    Content,
}

/// How serious a finding is.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Worth knowing.
    Info,
    /// Likely wrong, or partly supported.
    Warning,
    /// Broken for someone: unsupported, inaccessible, unsafe.
    Error,
}

/// One finding.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(optional_fields))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The rule: `support:<caniemail slug>`, `a11y:...`, `link:...`, `content:...`.
    pub rule: String,
    /// Its category.
    pub category: Category,
    /// Its level.
    pub level: Level,
    /// What is wrong, in a designer's words.
    pub message: String,
    /// The top-level block instance it comes from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub block: Option<String>,
    /// The field of that block whose value produced it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// 1-based line in the HTML as sent (0 when it is about the whole email).
    pub line: u32,
    /// What in the markup it is about, as written (`display: flex`, `<video>`, a URL).
    #[serde(skip_serializing_if = "String::is_empty")]
    #[cfg_attr(feature = "ts", ts(as = "Option<String>", optional))]
    pub subject: String,
    /// For client support: the clients (`outlook.windows`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "ts", ts(as = "Option<Vec<String>>", optional))]
    pub clients: Vec<String>,
    /// caniemail's notes, each prefixed by its client.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "ts", ts(as = "Option<Vec<String>>", optional))]
    pub notes: Vec<String>,
    /// A page that explains it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Set when the workspace's `[qa]` ignores it: the reason given there.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ignored: Option<String>,
    /// Whether it fails the check under the workspace's `[qa]` settings.
    pub fails: bool,
}

impl Finding {
    /// A finding with the given rule, category, level and message, not located yet.
    #[must_use]
    pub fn new(rule: &str, category: Category, level: Level, message: impl Into<String>) -> Self {
        Self {
            rule: rule.to_owned(),
            category,
            level,
            message: message.into(),
            block: None,
            field: None,
            line: 0,
            subject: String::new(),
            clients: Vec::new(),
            notes: Vec::new(),
            url: None,
            ignored: None,
            fails: false,
        }
    }

    /// Locates it.
    #[must_use]
    pub fn at(mut self, block: Option<&str>, line: u32) -> Self {
        self.block = block.map(str::to_owned);
        self.line = line;
        self
    }

    /// Names what it is about.
    #[must_use]
    pub fn about(mut self, subject: impl Into<String>) -> Self {
        self.subject = subject.into();
        self
    }
}

/// A client family's tally: how many of the features the email uses each of its clients supports
/// fully (green), partly (amber) or not at all (red), counting each feature once at its worst.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FamilySummary {
    /// caniemail's key (`outlook`).
    pub family: String,
    /// Display name (`Outlook`).
    pub name: String,
    /// The family's clients checked.
    pub clients: Vec<String>,
    /// Features fully supported.
    pub green: u32,
    /// Features partly supported.
    pub amber: u32,
    /// Features not supported.
    pub red: u32,
}

/// The QA of one rendered email.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct QaReport {
    /// The clients checked (`family.platform`).
    pub clients: Vec<String>,
    /// Per family, in the order of the client list.
    pub families: Vec<FamilySummary>,
    /// Findings, by block in document order, then line.
    pub findings: Vec<Finding>,
    /// caniemail's data date.
    pub data_date: String,
    /// Whether a finding fails the check.
    pub fails: bool,
    /// The distinct http(s) links of the email, in order (what `--check-links` requests).
    pub urls: Vec<String>,
}

/// A placeholder that took its fallback in this render.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fallback {
    /// The block (`subject`, `preheader` outside blocks).
    pub block: String,
    /// The placeholder as written.
    pub placeholder: String,
    /// Its data field.
    pub field: Option<String>,
    /// The value shown instead.
    pub value: String,
}

/// A top-level block instance's field values as the document holds them (for naming the field a
/// finding comes from).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BlockFields {
    /// Block instance id.
    pub block: String,
    /// Its block type (`button`): style rules whose selector names the type's class (`.t-button`)
    /// are the block's.
    pub kind: String,
    /// Field name → value as text.
    pub fields: Vec<(String, String)>,
}

/// A rendered email to check.
#[derive(Debug, Clone, Default)]
pub struct Input<'a> {
    /// The HTML as sent, with `<!--tsr-block:ID-->` ... `<!--/tsr-block-->` around each top-level
    /// block (optional: without them findings name no block).
    pub html: &'a str,
    /// Subject line.
    pub subject: &'a str,
    /// Preheader.
    pub preheader: &'a str,
    /// Plain-text part.
    pub text: &'a str,
    /// Size of the HTML as sent, without the block comments (0: measured from `html`).
    pub html_bytes: usize,
    /// Size of the AMP for Email part, when the email has one.
    pub amp_bytes: Option<usize>,
    /// Fallbacks the render took.
    pub fallbacks: Vec<Fallback>,
    /// Field values of the blocks.
    pub blocks: Vec<BlockFields>,
}

/// The byte size of a local image by its `src`.
pub type ImageSize = dyn Fn(&str) -> Option<u64>;

/// How to check.
pub struct Options<'a> {
    /// Clients to check (default: [`DEFAULT_CLIENTS`]).
    pub clients: Vec<Client>,
    /// The email is sent with one-click `List-Unsubscribe` headers (`[send] unsubscribe_url`);
    /// `None` when unknown (no header check).
    pub list_unsubscribe: Option<bool>,
    /// Byte size of a local image by its `src` (`None` for remote or unknown images).
    pub image_size: Option<&'a ImageSize>,
}

impl Default for Options<'_> {
    fn default() -> Self {
        Self {
            clients: clients::select(&clients::default_globs()).0,
            list_unsubscribe: None,
            image_size: None,
        }
    }
}

impl std::fmt::Debug for Options<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Options")
            .field("clients", &self.clients)
            .field("list_unsubscribe", &self.list_unsubscribe)
            .finish_non_exhaustive()
    }
}

/// Runs every offline check on one rendered email. Findings are not marked failing or ignored
/// yet: [`QaSettings::apply`] does that.
#[must_use]
pub fn check(input: &Input<'_>, options: &Options<'_>) -> QaReport {
    let markup = markup::parse(input.html);
    let mut findings = Vec::new();
    let families = support::check(&markup, &input.blocks, &options.clients, &mut findings);
    a11y::check(&markup, &mut findings);
    links::check(&markup, options.list_unsubscribe, &mut findings);
    content::check(&markup, input, options, &mut findings);
    name_fields(&mut findings, &input.blocks);
    let order: Vec<&str> = markup.blocks.iter().map(String::as_str).collect();
    findings.sort_by(|a, b| {
        let pos = |f: &Finding| {
            f.block
                .as_deref()
                .and_then(|b| order.iter().position(|o| *o == b))
                .map_or(0, |p| p + 1)
        };
        (pos(a), a.line, &a.rule).cmp(&(pos(b), b.line, &b.rule))
    });
    let mut urls: Vec<String> = Vec::new();
    for l in links::links(&markup) {
        if links::host(&l.href).is_some() && !urls.contains(&l.href) {
            urls.push(l.href);
        }
    }
    QaReport {
        urls,
        clients: options.clients.iter().map(Client::key).collect(),
        families,
        findings,
        data_date: data::data().last_update_date.clone(),
        fails: false,
    }
}

/// Names the field whose value produced a finding: a field of the finding's block whose value
/// holds what the finding is about (whitespace and case aside).
fn name_fields(findings: &mut [Finding], blocks: &[BlockFields]) {
    let compact = |s: &str| -> String {
        s.chars()
            .filter(|c| !c.is_whitespace())
            .flat_map(char::to_lowercase)
            .collect()
    };
    // Each block's field values, compacted once.
    let compacted: Vec<(&str, Vec<(&str, String)>)> = blocks
        .iter()
        .map(|b| {
            (
                b.block.as_str(),
                b.fields.iter().map(|(n, v)| (n.as_str(), compact(v))).collect(),
            )
        })
        .collect();
    for f in findings
        .iter_mut()
        .filter(|f| f.field.is_none() && !f.subject.is_empty())
    {
        let Some((_, fields)) = f.block.as_deref().and_then(|b| compacted.iter().find(|x| x.0 == b)) else {
            continue;
        };
        let needle = compact(f.subject.trim_start_matches('<').trim_end_matches('>'));
        if needle.chars().count() < 4 {
            continue;
        }
        if let Some((name, _)) = fields.iter().find(|(_, v)| v.contains(&needle)) {
            f.field = Some((*name).to_owned());
        }
    }
}
