//! # tessera-import
//!
//! Brings existing emails into Tessera as editable blocks. Pure like `tessera-core`: it is handed
//! the file's name and text, the field mapping and the data dictionary's paths, and returns the
//! email document with an [`ImportReport`] listing every element and where it went.
//!
//! - MJML ([`mjml`], parsed with the `mrml` crate): sections and columns become columns, `mj-text`
//!   text, `mj-image`, `mj-button`, `mj-divider`, `mj-spacer`, `mj-social` and `mj-hero` their
//!   blocks; `mj-attributes`/`mj-class` resolve the values; what has no block becomes an HTML block
//!   rendered by mrml.
//! - HTML ([`html`], parsed with html5ever): table emails are split at their top-level rows; a
//!   single image, a button-like link cell and a text cell become those blocks, the rest HTML
//!   blocks (sanitized by core's email-HTML policy, CSS inlined).
//! - ESP merge syntax ([`merge`]) becomes Tessera placeholders, fallbacks and conditions through
//!   the [`FieldMapping`]; anything else stays literal text and is listed.
//!
//! Input is bounded: at most [`MAX_INPUT_BYTES`], nesting checked by a linear pre-pass and the
//! tree capped at [`MAX_DEPTH`], so a hostile file cannot hang an import.
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing))]
#![allow(clippy::module_name_repetitions)]

mod blocks;
mod depth;
mod dom;
mod error;
pub mod html;
mod mapping;
pub mod merge;
pub mod mjml;
mod report;

pub use error::ImportError;
pub use mapping::FieldMapping;
pub use report::{Destination, ElementEntry, ImportReport, MappingEntry, MergeTagEntry, RemovedEntry, Warning};

use tessera_core::model::{Document, SCHEMA_VERSION};

/// The largest input imported (a 5 MB email imports; past this the file is refused).
pub const MAX_INPUT_BYTES: usize = 16 * 1024 * 1024;
/// The deepest element kept in place; deeper ones are attached at this depth.
pub const MAX_DEPTH: usize = 200;
/// The deepest nesting of the source accepted at all (HTML; MJML accepts [`MAX_MJML_DEPTH`]).
pub const MAX_SOURCE_DEPTH: usize = 2000;
/// The deepest MJML nesting accepted (mrml's parser recurses per level).
pub const MAX_MJML_DEPTH: usize = 150;

/// The source language of an email.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceFormat {
    /// MJML markup.
    Mjml,
    /// An HTML email.
    Html,
}

impl SourceFormat {
    /// By the file name's extension (`.mjml`), else by content (`<mjml`).
    #[must_use]
    pub fn detect(file: &str, source: &str) -> Self {
        let is_mjml_name = std::path::Path::new(file)
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("mjml"));
        let head = source.get(..source.len().min(4096)).unwrap_or(source);
        if is_mjml_name || head.trim_start().starts_with("<mjml") || head.contains("<mjml>") || head.contains("<mjml ")
        {
            Self::Mjml
        } else {
            Self::Html
        }
    }

    /// `mjml` or `html`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Mjml => "mjml",
            Self::Html => "html",
        }
    }
}

/// What to import.
#[derive(Debug, Clone, Copy)]
pub struct ImportInput<'a> {
    /// The file's name, for the report and errors.
    pub file: &'a str,
    /// Its text.
    pub source: &'a str,
    /// The document's name (defaults to the title, else the file's stem).
    pub name: Option<&'a str>,
    /// ESP names the user mapped to data paths.
    pub mapping: &'a FieldMapping,
    /// The workspace's data dictionary paths (e.g. `profile.first_name`), for matching by name.
    pub dictionary: &'a [String],
}

/// An imported email.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The document, ready to save as `emails/<id>.email.json`.
    pub document: Document,
    /// What went where.
    pub report: ImportReport,
}

/// Imports an email.
///
/// # Errors
/// [`ImportError`] naming the file, the line and the reason: input too large, MJML that does not
/// parse, nesting past the limits, or no body at all.
pub fn import_email(input: &ImportInput<'_>) -> Result<Imported, ImportError> {
    if input.source.len() > MAX_INPUT_BYTES {
        return Err(ImportError::TooLarge {
            file: input.file.to_owned(),
            size: input.source.len(),
            limit: MAX_INPUT_BYTES,
        });
    }
    let format = SourceFormat::detect(input.file, input.source);
    let mut ctx = blocks::Context::new(input, format);
    match format {
        SourceFormat::Mjml => mjml::import(&mut ctx, input.source)?,
        SourceFormat::Html => html::import(&mut ctx, input.source)?,
    }
    Ok(ctx.finish(input))
}

/// The original email as a browser draws it, for comparing it with the import: an HTML email as
/// written but without its `<script>` elements (a script's `alert()` would stop a headless draw,
/// and scripts draw nothing), an MJML email as mrml renders it.
///
/// # Errors
/// [`ImportError`] when the input is too large or the MJML does not parse or render.
pub fn original_html(file: &str, source: &str) -> Result<String, ImportError> {
    if source.len() > MAX_INPUT_BYTES {
        return Err(ImportError::TooLarge {
            file: file.to_owned(),
            size: source.len(),
            limit: MAX_INPUT_BYTES,
        });
    }
    match SourceFormat::detect(file, source) {
        SourceFormat::Html => Ok(without_scripts(source)),
        SourceFormat::Mjml => mjml::render_whole(file, source),
    }
}

/// `html` without its `<script>` elements (a `<script` never closed drops the rest).
fn without_scripts(html: &str) -> String {
    let lower = html.to_ascii_lowercase();
    let mut out = String::with_capacity(html.len());
    let mut at = 0;
    while let Some(start) = lower[at..].find("<script").map(|s| at + s) {
        out.push_str(&html[at..start]);
        at = lower[start..]
            .find("</script>")
            .map_or(html.len(), |end| start + end + "</script>".len());
    }
    out.push_str(&html[at..]);
    out
}

/// The name a document gets: the one asked for, else the title, else the file's stem.
fn document_name(input: &ImportInput<'_>, title: Option<&str>) -> String {
    input
        .name
        .map(str::to_owned)
        .or_else(|| title.map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned))
        .unwrap_or_else(|| {
            std::path::Path::new(input.file)
                .file_stem()
                .map_or_else(|| "Imported email".to_owned(), |s| s.to_string_lossy().into_owned())
        })
}

fn empty_document(name: String) -> Document {
    Document {
        schema_version: SCHEMA_VERSION,
        name,
        subject: String::new(),
        preheader: String::new(),
        settings: serde_json::Map::new(),
        blocks: Vec::new(),
    }
}
