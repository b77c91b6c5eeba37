//! Rich-text fields: the markup is sanitized (see [`crate::sanitize`]) with its placeholders and
//! conditions marked, so that they survive the HTML parser in place.

use super::plan::{mark, Output, PlanError};
use crate::lang::Node;
use crate::sanitize::sanitize_html;

/// Sanitizes rich-text nodes: keeps the allowed tags (links with safe URLs only), text and
/// placeholders.
///
/// # Errors
/// A placeholder standing where HTML cannot hold it.
pub fn sanitize(nodes: Vec<Node>) -> Result<Vec<Node>, PlanError> {
    let marked = mark(nodes, true)?;
    let clean = sanitize_html(&marked.html);
    let part = marked.split(&clean, Output::Html)?;
    // The split checked every marker against the tables, so nothing can be missing here.
    super::plan::to_nodes(&part, &marked.tables).ok_or(PlanError::Reordered)
}
