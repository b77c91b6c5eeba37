//! A linear pre-pass over the source that finds how deep its elements nest, before any parser
//! that could take quadratic time (HTML's scope checks) or recurse (MJML) on them.

/// Elements that never hold others, or that the HTML parser closes implicitly at their next
/// sibling: they add no depth.
const FLAT: &[&str] = &[
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
    "p",
    "li",
    "dt",
    "dd",
    "option",
    "tr",
    "td",
    "th",
    "tbody",
    "thead",
    "tfoot",
    "mj-image",
    "mj-divider",
    "mj-spacer",
    "mj-button",
    "mj-social-element",
    "mj-all",
    "mj-class",
    "mj-breakpoint",
    "mj-font",
];

/// The byte offset of the first element nested deeper than `limit`, if any.
#[must_use]
pub(crate) fn first_too_deep(source: &str, limit: usize) -> Option<usize> {
    let bytes = source.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    let mut raw_until: Option<&'static str> = None;
    while let Some(off) = bytes.get(i..).and_then(|b| b.iter().position(|&c| c == b'<')) {
        let at = i + off;
        let rest = &source[at..];
        if let Some(close) = raw_until {
            if rest.get(..close.len()).is_some_and(|r| r.eq_ignore_ascii_case(close)) {
                raw_until = None;
            }
            i = at + 1;
            continue;
        }
        if rest.starts_with("<!--") {
            i = rest.find("-->").map_or(source.len(), |e| at + e + 3);
            continue;
        }
        let closing = rest.starts_with("</");
        let name_start = if closing { 2 } else { 1 };
        let name: String = rest[name_start..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .map(|c| c.to_ascii_lowercase())
            .collect();
        if name.is_empty() || !rest[name_start..].starts_with(|c: char| c.is_ascii_alphabetic()) {
            i = at + 1;
            continue;
        }
        let tag_end = rest.find('>').map_or(source.len(), |e| at + e);
        let self_closing = source.get(..tag_end).is_some_and(|t| t.ends_with('/'));
        if closing {
            if !FLAT.contains(&name.as_str()) {
                depth = depth.saturating_sub(1);
            }
        } else {
            match name.as_str() {
                "script" => raw_until = Some("</script"),
                "style" => raw_until = Some("</style"),
                _ => {}
            }
            if raw_until.is_none() && !self_closing && !FLAT.contains(&name.as_str()) {
                depth += 1;
                if depth > limit {
                    return Some(at);
                }
            }
        }
        i = tag_end.max(at + 1);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_nesting_not_siblings() {
        assert_eq!(first_too_deep("<div><div></div><div></div></div>", 2), None);
        assert_eq!(first_too_deep("<div><div><div></div></div></div>", 2), Some(10));
        assert_eq!(first_too_deep("<p>a<p>b<p>c<br><img src=x>", 1), None);
        assert_eq!(first_too_deep("<style>div<div<div</style><div>", 1), None);
    }
}
