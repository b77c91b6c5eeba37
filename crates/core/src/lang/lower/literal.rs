//! Literal text and compose-time values: foreign template syntax in designer text is made inert,
//! literal HTML is merged, and compose-time values are spliced in as nodes.

use serde_json::Value;

use super::super::ast::Node;
use super::super::error::LangError;
use handlebars::template::Template;

use super::{StaticValue, HELPERS};

/// The longest `{{...}}` tag read as ours.
const MAX_TAG_LEN: usize = 2048;

/// Designer-entered text may contain strings that look like template code of some language
/// (`{{7*7}}`, `{{{x}}}`, `{{> partial}}`). Only placeholders of our language are live; every other
/// `{{` is escaped so it prints as written.
#[must_use]
pub(crate) fn literalize_foreign_tags(source: &str) -> String {
    let mut out = String::with_capacity(source.len() + 8);
    let mut rest = source;
    // Where the next `}}` is, as an offset into `source`, found once and reused until passed: looking
    // for it from every `{{` again would scan to the end each time (quadratic on a text of `{{`s).
    let mut close: Option<Option<usize>> = None;
    while let Some(pos) = rest.find("{{") {
        // A backslash-escaped `\{{` is already literal.
        if rest[..pos].ends_with('\\') {
            out.push_str(&rest[..pos + 2]);
            rest = &rest[pos + 2..];
            continue;
        }
        out.push_str(&rest[..pos]);
        let offset = source.len() - rest.len();
        let at = offset + pos;
        let next_close = match close {
            Some(Some(c)) if c >= at => Some(c),
            Some(None) => None,
            _ => {
                let found = source.get(at..).and_then(|t| t.find("}}")).map(|e| at + e);
                close = Some(found);
                found
            }
        };
        let tag_end = next_close.map(|c| c - offset + 2);
        // A tag longer than any placeholder we write is not one of ours (and is not parsed again and
        // again from every `{{` inside it).
        let ours = tag_end.is_some_and(|end| end - pos <= MAX_TAG_LEN && is_our_tag(&rest[pos..end]));
        if !ours {
            out.push('\\');
        }
        out.push_str("{{");
        rest = &rest[pos + 2..];
    }
    out.push_str(rest);
    out
}

/// Whether a single `{{...}}` tag belongs to the personalization language.
fn is_our_tag(tag: &str) -> bool {
    let inner = tag
        .trim_start_matches("{{")
        .trim_end_matches("}}")
        .trim_start_matches('~')
        .trim_end_matches('~')
        .trim();
    if tag.starts_with("{{{") || inner.is_empty() {
        return false;
    }
    if let Some(block) = inner.strip_prefix('#') {
        return ["if", "unless", "each"].iter().any(|k| {
            block
                .strip_prefix(k)
                .is_some_and(|r| r.starts_with(char::is_whitespace))
        });
    }
    if let Some(close) = inner.strip_prefix('/') {
        return matches!(close.trim(), "if" | "unless" | "each");
    }
    if inner == "else"
        || inner
            .strip_prefix("else")
            .is_some_and(|r| r.trim_start().starts_with("if "))
    {
        return true;
    }
    let first = inner.split_whitespace().next().unwrap_or_default();
    let is_path = first
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '@' | '/' | '[' | ']' | '-'))
        && first.starts_with(|c: char| c.is_alphabetic() || c == '@' || c == '.' || c == '_');
    (HELPERS.contains(&first) || is_path) && Template::compile(tag).is_ok()
}

/// Compile-time splice of a static value in output position.
pub(super) fn splice_static(value: StaticValue, source: &str) -> Result<Vec<Node>, LangError> {
    match value {
        StaticValue::Literal(Value::Array(_) | Value::Object(_)) | StaticValue::List(_) => Err(LangError::unsupported(
            source,
            "a list cannot be printed; loop over it with {{#each}}",
        )),
        StaticValue::Literal(v) => Ok(vec![Node::Html(crate::escape::html_escape(&value_to_text(&v)))]),
        StaticValue::Content { nodes, .. } => Ok(nodes),
        StaticValue::Path(_) => Err(LangError::unsupported(
            source,
            "a data path field cannot be printed; loop over it with {{#each}}",
        )),
    }
}

/// The text a JSON value prints as (Handlebars rules for scalars).
#[must_use]
pub(crate) fn value_to_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        other => other.to_string(),
    }
}

pub(super) fn push_html(out: &mut Vec<Node>, html: &str) {
    if html.is_empty() {
        return;
    }
    if let Some(Node::Html(last)) = out.last_mut() {
        last.push_str(html);
    } else {
        out.push(Node::Html(html.to_owned()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_of_open_braces_is_literalized_in_linear_time() {
        // Looking for `}}` from every `{{` again scanned to the end each time: minutes for this.
        let source = "{{".repeat(300_000);
        let started = std::time::Instant::now();
        let out = literalize_foreign_tags(&source);
        assert!(
            started.elapsed() < std::time::Duration::from_secs(2),
            "{:?}",
            started.elapsed()
        );
        assert_eq!(out, "\\{{".repeat(300_000));
        let source = "{{a ".repeat(100_000) + "}}";
        let started = std::time::Instant::now();
        let _ = literalize_foreign_tags(&source);
        assert!(
            started.elapsed() < std::time::Duration::from_secs(2),
            "{:?}",
            started.elapsed()
        );
    }
}
