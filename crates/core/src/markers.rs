//! The markers that stand in for template tags while markup goes through an HTML parser, the CSS
//! inliner or the text converter: a private-use character sequence in text and attributes
//! (`'\u{E000}' N '\u{E001}'`) and a comment between elements (`<!--tsr:N-->`). The compiler
//! writes and splits them; the sanitizer and the text converter keep them in place.

/// Opens an inline marker.
pub(crate) const MARK_OPEN: char = '\u{E000}';
/// Closes an inline marker.
pub(crate) const MARK_CLOSE: char = '\u{E001}';
/// The text of a comment marker after `<!--`.
pub(crate) const COMMENT_TAG: &str = "tsr:";
/// Opens a comment marker.
pub(crate) const COMMENT_OPEN: &str = "<!--tsr:";
/// Closes a comment marker.
pub(crate) const COMMENT_CLOSE: &str = "-->";
