//! Escaping for every place a value can land: HTML text and attributes, URLs, inline CSS.

use std::fmt::Write as _;

/// Escapes `&`, `<`, `>`, `"`, `'`, `` ` `` and `=` as Handlebars does, and `{` as `&#123;` so that no value can form a
/// template delimiter for any later engine. Safe in text and in quoted attributes.
#[must_use]
pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    push_html_escaped(&mut out, s);
    out
}

/// Appends `s` HTML-escaped to `out`.
pub fn push_html_escaped(out: &mut String, s: &str) {
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let rep = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#x27;",
            b'`' => "&#x60;",
            b'=' => "&#x3D;",
            b'{' => "&#123;",
            _ => continue,
        };
        out.push_str(&s[start..i]);
        out.push_str(rep);
        start = i + 1;
    }
    out.push_str(&s[start..]);
}

/// Whether a whole URL is safe to put in `href`/`src`: a scheme listed in `richtext.json`
/// (http(s), mailto, tel, sms, cid), or relative.
/// Control characters and whitespace inside the scheme are ignored the way browsers ignore them.
#[must_use]
pub fn is_safe_url(url: &str) -> bool {
    // The scheme as a browser reads it: control characters and whitespace are skipped.
    let mut scheme = [0u8; 16];
    let mut len = 0;
    for b in url
        .trim()
        .bytes()
        .filter(|b| !b.is_ascii_control() && !b.is_ascii_whitespace())
    {
        match b {
            b':' => {
                return scheme
                    .get(..len)
                    .is_some_and(|s| crate::richtext_rules::RULES.is_safe_scheme(s));
            }
            b'/' | b'?' | b'#' => return true,
            _ => match scheme.get_mut(len) {
                Some(slot) => {
                    *slot = b.to_ascii_lowercase();
                    len += 1;
                }
                // Longer than any scheme: no scheme, a relative URL.
                None => return true,
            },
        }
    }
    true
}

/// Whether literal URL text, as a browser reads it from an attribute (character references such as
/// `&#58;` or `&colon;` decoded), is safe by [`is_safe_url`]. Used for text that follows a template tag
/// in a URL attribute, where it must not be able to supply a scheme.
#[must_use]
pub fn is_safe_url_text(text: &str) -> bool {
    is_safe_url(&decode_char_refs(text))
}

/// Decodes numeric character references and the named ones that spell URL punctuation or the
/// whitespace browsers skip in a scheme; other references are left as written.
fn decode_char_refs(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let end = after.find(';').filter(|&e| e <= 12);
        let decoded = end.and_then(|e| {
            let name = &after[..e];
            let code = if let Some(hex) = name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
                u32::from_str_radix(hex, 16).ok()
            } else if let Some(dec) = name.strip_prefix('#') {
                dec.parse::<u32>().ok()
            } else {
                match name {
                    "colon" => Some(u32::from(':')),
                    "Tab" => Some(9),
                    "NewLine" => Some(10),
                    "sol" => Some(u32::from('/')),
                    "quest" => Some(u32::from('?')),
                    "num" => Some(u32::from('#')),
                    _ => None,
                }
            };
            code.map(|c| (char::from_u32(c).unwrap_or('\u{FFFD}'), e))
        });
        if let Some((c, e)) = decoded {
            out.push(c);
            rest = &after[e + 1..];
        } else {
            out.push('&');
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// Appends `s` percent-encoded as a URL component (RFC 3986 unreserved characters stay).
pub fn push_url_component(out: &mut String, s: &str) {
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
}

/// Whether a value is safe inside an inline `style` declaration value (colours, sizes, font names).
#[must_use]
pub fn is_safe_css_value(s: &str) -> bool {
    s.len() <= 200
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '#' | ' ' | ',' | '.' | '%' | '-' | '_'))
}

/// The inverse of [`html_escape`] for attribute values and text as a browser reads them: the
/// character references Tessera's escaper writes (`&amp;`, `&lt;`, `&gt;`, `&quot;`, `&apos;`) and
/// numeric ones decoded; anything else (an unknown name, a bare `&`) kept as written.
#[must_use]
pub fn decode_references(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(pos) = rest.find('&') {
        out.push_str(rest.get(..pos).unwrap_or_default());
        rest = rest.get(pos..).unwrap_or_default();
        let Some(semi) = rest.find(';').filter(|s| *s <= 10) else {
            out.push('&');
            rest = rest.get(1..).unwrap_or_default();
            continue;
        };
        let name = rest.get(1..semi).unwrap_or_default();
        let decoded = match name {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => name
                .strip_prefix("#x")
                .or_else(|| name.strip_prefix("#X"))
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        if let Some(c) = decoded {
            out.push(c);
            rest = rest.get(semi + 1..).unwrap_or_default();
        } else {
            out.push('&');
            rest = rest.get(1..).unwrap_or_default();
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escape_matches_handlebars_set() {
        assert_eq!(
            html_escape(r#"<a href="x" onclick='y'>`=&</a>"#),
            "&lt;a href&#x3D;&quot;x&quot; onclick&#x3D;&#x27;y&#x27;&gt;&#x60;&#x3D;&amp;&lt;/a&gt;"
        );
        assert_eq!(html_escape("plain ünïcode"), "plain ünïcode");
        assert_eq!(html_escape("{{7*7}}"), "&#123;&#123;7*7}}");
    }

    #[test]
    fn url_text_is_read_with_character_references_decoded() {
        assert!(!is_safe_url_text("javascript&#58;alert(1)"));
        assert!(!is_safe_url_text("javascript&#x3A;alert(1)"));
        assert!(!is_safe_url_text("javascript&colon;alert(1)"));
        assert!(!is_safe_url_text(":alert(1)"));
        assert!(is_safe_url_text("/path?a=1&amp;b=2"));
        assert!(is_safe_url_text("?utm=x"));
        assert!(is_safe_url_text(""));
        assert!(is_safe_url_text("https://example.com"));
    }

    #[test]
    fn dangerous_schemes_are_refused() {
        for bad in [
            "javascript:alert(1)",
            " JavaScript:alert(1)",
            "java\tscript:x",
            "java\nscript:x",
            "data:text/html,x",
            "vbscript:x",
            "file:///etc/passwd",
            "smb://host/x",
        ] {
            assert!(!is_safe_url(bad), "{bad:?} must be refused");
        }
        for good in [
            "https://a.example/x?y=1",
            "http://a",
            "mailto:a@b.example",
            "tel:+441234",
            "/relative",
            "#top",
            "?q=1",
            "page.html",
            "cid:logo",
        ] {
            assert!(is_safe_url(good), "{good:?} must be allowed");
        }
    }

    #[test]
    fn url_components_are_percent_encoded() {
        let mut out = String::new();
        push_url_component(&mut out, "a b&c=d/é");
        assert_eq!(out, "a%20b%26c%3Dd%2F%C3%A9");
    }

    #[test]
    fn css_values_reject_injection() {
        assert!(is_safe_css_value("#1f6f50"));
        assert!(is_safe_css_value("Helvetica, Arial, sans-serif"));
        assert!(!is_safe_css_value("red; background:url(javascript:x)"));
        assert!(!is_safe_css_value("expression(alert(1))"));
    }

    #[test]
    fn references_decode_as_a_browser_reads_them() {
        assert_eq!(
            decode_references("https://x.example/?a=1&amp;b=2&#x3D;&#123;&x"),
            "https://x.example/?a=1&b=2={&x"
        );
        assert_eq!(decode_references("images/a&amp;b.png"), "images/a&b.png");
        assert_eq!(
            decode_references("&lt;&gt;&quot;&apos;&unknown;&#xZZ;"),
            "<>\"'&unknown;&#xZZ;"
        );
        let hostile = "<a href=\"x\">'`={</a> & done";
        assert_eq!(decode_references(&html_escape(hostile)), hostile);
    }
}
