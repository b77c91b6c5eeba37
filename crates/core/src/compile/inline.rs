//! CSS inlining with css-inline, configured for email and for safety: no stylesheet is ever loaded
//! from a file or the network, `@media` rules stay in a `<style>`, widths become attributes for Outlook.

use css_inline::{CSSInliner, InlineError};

/// Inlines `css` into a block's markup (a fragment of the body).
///
/// # Errors
/// css-inline's error.
pub fn inline_fragment(html: &str, css: &str) -> Result<String, InlineError> {
    CSSInliner::options()
        .load_remote_stylesheets(false)
        .keep_style_tags(false)
        .keep_link_tags(false)
        .apply_width_attributes(true)
        .build()
        .inline_fragment(html, css)
}

/// Inlines the document skeleton's own `<style>`, keeping only its at-rules (`@media`, dark mode).
///
/// # Errors
/// css-inline's error.
pub fn inline_document(html: &str) -> Result<String, InlineError> {
    CSSInliner::options()
        .load_remote_stylesheets(false)
        .keep_style_tags(false)
        .keep_link_tags(false)
        .keep_at_rules(true)
        .build()
        .inline(html)
}
