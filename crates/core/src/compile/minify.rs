//! Whitespace collapsing for compiled markup: every run of ASCII whitespace becomes one character
//! (a newline if the run held one), except inside `<pre>` and `<textarea>`. HTML renders a run the
//! same as one character, so the output looks identical and is a good deal smaller (block
//! templates are indented for people, and every recipient would carry that indentation).

/// Collapses whitespace runs in markup.
#[must_use]
pub fn collapse_whitespace(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while !rest.is_empty() {
        let verbatim_start = find_ci(rest, "<pre")
            .into_iter()
            .chain(find_ci(rest, "<textarea"))
            .min();
        let (collapsible, tail) = match verbatim_start {
            Some(i) => rest.split_at(i),
            None => (rest, ""),
        };
        collapse_into(&mut out, collapsible);
        if tail.is_empty() {
            break;
        }
        let close = if tail[..4].eq_ignore_ascii_case("<pre") {
            "</pre"
        } else {
            "</textarea"
        };
        let end = find_ci(tail, close).map_or(tail.len(), |i| i + close.len());
        out.push_str(&tail[..end]);
        rest = &tail[end..];
    }
    out
}

fn collapse_into(out: &mut String, s: &str) {
    let is_space = |c: char| matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0c');
    let mut rest = s;
    while !rest.is_empty() {
        // Copy the next run of content in one piece, then write its whitespace run as one character.
        let (content, tail) = rest.split_at(rest.find(is_space).unwrap_or(rest.len()));
        out.push_str(content);
        let (run, after) = tail.split_at(tail.find(|c| !is_space(c)).unwrap_or(tail.len()));
        if run.contains(['\n', '\r']) {
            out.push('\n');
        } else if let Some(c) = run.chars().next() {
            out.push(c);
        }
        rest = after;
    }
}

fn find_ci(haystack: &str, needle: &str) -> Option<usize> {
    let n = needle.len();
    haystack
        .as_bytes()
        .windows(n)
        .position(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::collapse_whitespace;

    #[test]
    fn runs_become_one_character_except_in_pre() {
        assert_eq!(
            collapse_whitespace("<td>\n    <p>a  b\t c</p>\n  </td>"),
            "<td>\n<p>a b\tc</p>\n</td>"
        );
        assert_eq!(
            collapse_whitespace("x<PRE>  keep\n  this </pre>  y"),
            "x<PRE>  keep\n  this </pre> y"
        );
        assert_eq!(collapse_whitespace("a\r\n\r\n b"), "a\nb");
        assert_eq!(collapse_whitespace("<textarea>  x  "), "<textarea>  x  ");
        assert_eq!(
            collapse_whitespace("é  \u{a0} ü"),
            "é \u{a0} ü",
            "no-break spaces are content"
        );
    }
}
