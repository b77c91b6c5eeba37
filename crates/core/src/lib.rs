//! # tessera-core
//!
//! The pure engine of Tessera: it turns a modular email document into personalized HTML and plain
//! text for each recipient, with fallbacks that never leave a broken email, and reports what it did.
//! It does no I/O: callers hand it documents, block types, the data dictionary and recipient data.
//!
//! The pipeline:
//! 1. [`compose`]: document + block library → one template (template nodes, per top-level block);
//! 2. [`compile`]: CSS inlined once (css-inline), tags kept in place, plans for HTML and text, cached
//!    by content hash;
//! 3. [`render`]: per recipient, walk the plans → subject, HTML, text and a [`render::RenderReport`].
//!
//! ```
//! use tessera_core::lang::parse_text;
//! let nodes = parse_text("Hi {{default profile.first_name \"there\"}}!").unwrap();
//! assert_eq!(nodes.len(), 3);
//! ```
#![deny(missing_docs)]
#![warn(clippy::unwrap_used)]

pub mod compile;
pub mod compose;
pub mod diagnostics;
pub mod diff;
pub mod export;
pub mod format;
pub mod lang;
pub mod model;
pub mod render;
mod suggest;
pub mod text;

pub use compile::{CompileError, Compiled, Compiler};
pub use compose::{compose, ComposeInput, Composed};
pub use diagnostics::{Diagnostic, Severity};
pub use render::{render, RenderReport, Rendered};

/// Changes whenever compiled output may change for the same input; part of every cache key.
pub const ENGINE_VERSION: &str = concat!(env!("CARGO_PKG_NAME"), "@", env!("CARGO_PKG_VERSION"), "#1");
