//! Personalize a compiled email for a recipient, and report what happened.

mod memo;
mod personalize;
mod report;

/// The escaping the renderer applies to values, for callers that write HTML around what it renders.
pub mod escape {
    pub use crate::escape::html_escape;
}

pub(crate) use personalize::personalize_amp;
use personalize::personalize_marked;
pub use personalize::{personalize_into, render_part, BlockEdge, Event, Output, Site, Used};
pub use report::{FallbackTaken, HiddenBlock, RenderReport, ShownBlock, StaleField, GMAIL_CLIP_BYTES};

use serde_json::Value;

use crate::compile::Compiled;

/// One recipient's email.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rendered {
    /// Subject line.
    pub subject: String,
    /// Preheader text.
    pub preheader: String,
    /// HTML part.
    pub html: String,
    /// Plain-text part.
    pub text: String,
    /// What happened.
    pub report: RenderReport,
}

use serde::Serialize;

/// Renders `compiled` for the recipient context `data`
/// (`{"profile": {...}, "cart": {...}, "recommendations": [...], "segments": [...]}`).
#[must_use]
pub fn render(compiled: &Compiled, data: &Value) -> Rendered {
    let mut out = Output::default();
    personalize_into(compiled, data, &mut out);
    let report = RenderReport::build(compiled, &out.events, out.html.len(), out.text.len());
    Rendered {
        subject: out.subject,
        preheader: out.preheader,
        html: out.html,
        text: out.text,
        report,
    }
}

/// Renders like [`render`], with `mark` writing into the HTML part before and after each top-level
/// block and each block inside one ([`BlockEdge`]; an editor's preview wraps blocks in elements it
/// can outline and pick); the text part, the
/// subject and the report are the same as without marks. The report's `html_bytes` counts the email
/// alone, without the marks.
#[must_use]
pub fn render_marked(compiled: &Compiled, data: &Value, mark: &mut dyn FnMut(BlockEdge<'_>, &mut String)) -> Rendered {
    let mut out = Output::default();
    let mut marked_bytes = 0;
    personalize_marked(compiled, data, &mut out, &mut |edge, html| {
        let before = html.len();
        mark(edge, html);
        marked_bytes += html.len() - before;
    });
    let html_bytes = out.html.len() - marked_bytes;
    let report = RenderReport::build(compiled, &out.events, html_bytes, out.text.len());
    Rendered {
        subject: out.subject,
        preheader: out.preheader,
        html: out.html,
        text: out.text,
        report,
    }
}
