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
    // Whitespace is ASCII, so every cut below falls between characters.
    let is_space = |b: u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c');
    let mut copied = 0;
    let mut bytes = s.bytes().enumerate().peekable();
    while let Some((i, first)) = bytes.next() {
        if !is_space(first) {
            continue;
        }
        // Copy the content before the run in one piece, then write the run as one character.
        out.push_str(&s[copied..i]);
        let mut newline = matches!(first, b'\n' | b'\r');
        copied = i + 1;
        while let Some((j, b)) = bytes.next_if(|&(_, b)| is_space(b)) {
            newline |= matches!(b, b'\n' | b'\r');
            copied = j + 1;
        }
        out.push(if newline { '\n' } else { char::from(first) });
    }
    out.push_str(&s[copied..]);
}

/// Where `needle` (ASCII, starting with `<`) first occurs in `haystack`, ignoring ASCII case.
fn find_ci(haystack: &str, needle: &str) -> Option<usize> {
    let (hay, needle) = (haystack.as_bytes(), needle.as_bytes());
    let first = *needle.first()?;
    let mut from = 0;
    while let Some(offset) = hay.get(from..)?.iter().position(|&b| b == first) {
        let at = from + offset;
        if hay
            .get(at..at + needle.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(needle))
        {
            return Some(at);
        }
        from = at + 1;
    }
    None
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
