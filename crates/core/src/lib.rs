//! # tessera-core
//!
//! The pure engine of Tessera: it turns a modular email document into personalized HTML and plain
//! text for each recipient, with fallbacks that never leave a broken email, and reports what it did.
//! It does no I/O: callers hand it documents, block types, the data dictionary and recipient data.
//!
//! The pipeline:
//! 1. [`compose`](mod@compose): document + block library → one template (template nodes, per top-level block);
//! 2. [`compile`]: CSS inlined once (css-inline), tags kept in place, plans for HTML and text, cached
//!    by content hash;
//! 3. [`render`](mod@render): per recipient, walk the plans → subject, HTML, text and a [`render::RenderReport`].
//!
//! [`export`] translates a compiled email into an ESP's template language instead of rendering it.
//!
//! ## Module direction
//!
//! The stages depend only on the stages before them: `lang` → `compose` → `compile` → `render` →
//! `export` (the data model in `model` sits beside `lang`). The render plan (`plan`: template
//! nodes ⇄ marked markup ⇄ literal spans and tags) sits between `lang` and `compose`, which
//! sanitizes rich text with its marker pass; other crates see it as [`compile::plan`]. What several
//! stages share lives in leaf modules that depend on no stage: `escape` (HTML, URL and CSS
//! escaping), `value` (truthiness, comparison, "missing", lookup), `sanitize` (the rich-text HTML
//! subset, whose rules `richtext_rules` reads from `richtext.json`), `markers` (the stand-ins for template tags in markup), `format` (money, dates, case),
//! `text` (HTML to plain text), `suggest` and `diagnostics`.
//!
//! ```
//! use tessera_core::lang::parse_text;
//! let nodes = parse_text("Hi {{default profile.first_name \"there\"}}!").unwrap();
//! assert_eq!(nodes.len(), 3);
//! ```
#![deny(missing_docs)]
// Input-driven code never panics: no unwrap, expect or unchecked indexing outside tests.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing))]

pub mod amp;
pub mod assets;
pub mod compile;
pub mod compose;
pub mod diagnostics;
pub mod diff;
pub mod escape;
pub mod export;
pub mod format;
pub mod lang;
pub mod live;
mod markers;
pub mod model;
mod plan;
pub mod render;
mod richtext_rules;
pub mod sanitize;
mod suggest;
pub(crate) mod text;
mod value;

pub use compile::{CompileError, Compiled, Compiler};
pub use compose::{compose, ComposeInput, Composed};
pub use diagnostics::{Diagnostic, Severity};
pub use render::{render, RenderReport, Rendered};

/// Changes whenever compiled output may change for the same input; part of every cache key.
pub const ENGINE_VERSION: &str = concat!(env!("CARGO_PKG_NAME"), "@", env!("CARGO_PKG_VERSION"), "#1");
