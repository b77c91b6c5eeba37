//! Markup designers and imported emails may carry: a small, safe subset of HTML for rich text,
//! defined once in `crates/core/richtext.json` (read by [`crate::richtext_rules`] and by the
//! designer's editor), and a wider one for email HTML (tables, images, inline styles; see
//! [`Policy`]). Everything else is dropped (scripts and styles with their content, other tags
//! keeping their text, event handlers, unsafe URLs); markers of template tags are kept in place.

use std::cell::RefCell;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{BufferQueue, Tag, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts};

pub use crate::escape::is_safe_url;
use crate::escape::push_html_escaped;
use crate::markers::{COMMENT_TAG, MARK_OPEN};
use crate::richtext_rules::RULES;

/// Which subset of HTML survives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    /// Rich text: paragraphs, emphasis, links, lists; no attributes but `href`, `title`, `target`.
    RichText,
    /// Email HTML as email clients accept it: the rich-text tags plus tables, images, headings,
    /// `div`/`center`/`font`, presentational attributes and inline styles (without `expression()`,
    /// `behavior`, `javascript:` or `@import`); `href`/`src` only with safe URLs; no event handlers.
    EmailHtml,
}

/// Email HTML adds these to the rich-text tags.
const EMAIL_TAGS: &[&str] = &[
    "table",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "td",
    "th",
    "caption",
    "colgroup",
    "col",
    "div",
    "center",
    "font",
    "img",
    "hr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "pre",
    "code",
    "strike",
    "del",
    "ins",
    "big",
    "section",
    "header",
    "footer",
    "article",
    "main",
    "nav",
    "aside",
    "figure",
    "figcaption",
    "dl",
    "dt",
    "dd",
    "abbr",
    "address",
    "tt",
    "mark",
    "q",
    "cite",
];
/// Attributes email HTML keeps on any allowed tag (besides `href`, `src` and `style`, checked).
const EMAIL_ATTRIBUTES: &[&str] = &[
    "align",
    "valign",
    "width",
    "height",
    "bgcolor",
    "background",
    "border",
    "cellpadding",
    "cellspacing",
    "role",
    "dir",
    "lang",
    "alt",
    "title",
    "color",
    "face",
    "size",
    "colspan",
    "rowspan",
    "class",
    "target",
    "name",
    "start",
    "type",
    "span",
    "nowrap",
    "scope",
    "headers",
    "summary",
    "hspace",
    "vspace",
];
/// Email HTML's void tags besides rich text's.
const EMAIL_VOID: &[&str] = &["img", "hr", "col"];

/// Sanitizes rich text (markers kept): [`Policy::RichText`].
#[must_use]
pub fn sanitize_html(html: &str) -> String {
    sanitize(html, Policy::RichText)
}

/// Sanitizes markup by a policy (markers kept).
#[must_use]
pub fn sanitize(html: &str, policy: Policy) -> String {
    let sink = Sink {
        policy,
        out: RefCell::new(String::with_capacity(html.len())),
        skip: RefCell::new(Vec::new()),
    };
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    let tokenizer = Tokenizer::new(sink, TokenizerOpts::default());
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    tokenizer.sink.out.take()
}

/// Whether an inline style is free of the constructs that run code or load resources in old
/// clients (`expression()`, `behavior`, `-moz-binding`, `javascript:`, `@import`, `url()` with an
/// unsafe scheme).
#[must_use]
pub fn is_safe_style(style: &str) -> bool {
    let squeezed: String = style
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control() && *c != '\\')
        .flat_map(char::to_lowercase)
        .collect();
    if [
        "expression(",
        "behavior:",
        "-moz-binding",
        "javascript:",
        "vbscript:",
        "@import",
    ]
    .iter()
    .any(|bad| squeezed.contains(bad))
    {
        return false;
    }
    squeezed.split("url(").skip(1).all(|rest| {
        let url = rest
            .split(')')
            .next()
            .unwrap_or_default()
            .trim_matches(|c| c == '"' || c == '\'');
        is_safe_url(url)
    })
}

struct Sink {
    policy: Policy,
    out: RefCell<String>,
    /// Open elements whose content is dropped.
    skip: RefCell<Vec<String>>,
}

impl Sink {
    fn allows_tag(&self, name: &str) -> bool {
        RULES.keeps_tag(name) || (self.policy == Policy::EmailHtml && EMAIL_TAGS.contains(&name))
    }

    fn is_void(&self, name: &str) -> bool {
        RULES.is_void(name) || (self.policy == Policy::EmailHtml && EMAIL_VOID.contains(&name))
    }

    fn keeps_attribute(&self, tag: &str, attr: &str, value: &str) -> bool {
        let literal = || value.split(MARK_OPEN).next().unwrap_or_default();
        if RULES.is_url_attribute(tag, attr) {
            return literal().is_empty() || is_safe_url(literal());
        }
        if RULES.keeps_attribute(tag, attr) {
            return true;
        }
        match (self.policy, tag, attr) {
            (Policy::EmailHtml, "img", "src") => literal().is_empty() || is_safe_url(literal()),
            (Policy::EmailHtml, _, "style") => is_safe_style(value),
            (Policy::EmailHtml, _, "background") => is_safe_url(literal()),
            (Policy::EmailHtml, _, a) => EMAIL_ATTRIBUTES.contains(&a) || a.starts_with("aria-"),
            (Policy::RichText, _, _) => false,
        }
    }

    fn push_start_tag(&self, out: &mut String, name: &str, tag: &Tag) {
        out.push('<');
        out.push_str(name);
        for attr in &tag.attrs {
            let attr_name: &str = &attr.name.local;
            let value: &str = &attr.value;
            if self.keeps_attribute(name, attr_name, value) {
                out.push(' ');
                out.push_str(attr_name);
                out.push_str("=\"");
                push_html_escaped(out, value);
                out.push('"');
            }
        }
        out.push('>');
    }
}

impl TokenSink for Sink {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let mut out = self.out.borrow_mut();
        let mut skip = self.skip.borrow_mut();
        match token {
            Token::TagToken(tag) => {
                let name: &str = &tag.name;
                if RULES.drops_content(name) {
                    match tag.kind {
                        TagKind::StartTag if !tag.self_closing => skip.push(name.to_owned()),
                        TagKind::EndTag => {
                            if let Some(pos) = skip.iter().rposition(|t| t == name) {
                                skip.truncate(pos);
                            }
                        }
                        TagKind::StartTag => {}
                    }
                    return TokenSinkResult::Continue;
                }
                if !skip.is_empty() || !self.allows_tag(name) {
                    return TokenSinkResult::Continue;
                }
                match tag.kind {
                    TagKind::StartTag => self.push_start_tag(&mut out, name, &tag),
                    TagKind::EndTag if !self.is_void(name) => {
                        out.push_str("</");
                        out.push_str(name);
                        out.push('>');
                    }
                    TagKind::EndTag => {}
                }
            }
            Token::CharacterTokens(text) if skip.is_empty() => {
                for c in text.chars() {
                    match c {
                        '&' => out.push_str("&amp;"),
                        '<' => out.push_str("&lt;"),
                        '>' => out.push_str("&gt;"),
                        c => out.push(c),
                    }
                }
            }
            Token::CommentToken(text) if text.starts_with(COMMENT_TAG) => {
                // Structure markers are kept even inside dropped content, so conditions stay balanced.
                out.push_str("<!--");
                out.push_str(&text);
                out.push_str("-->");
            }
            _ => {}
        }
        TokenSinkResult::Continue
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_safe_markup_and_drops_the_rest() {
        assert_eq!(
            sanitize_html("<p>Hi <b>there</b><br></p>"),
            "<p>Hi <b>there</b><br></p>"
        );
        assert_eq!(sanitize_html("<script>alert(1)</script><p>ok</p>"), "<p>ok</p>");
        assert_eq!(sanitize_html("<div onclick=\"x()\">text</div>"), "text");
        assert_eq!(sanitize_html("<a href=\"javascript:alert(1)\">x</a>"), "<a>x</a>");
        assert_eq!(
            sanitize_html("<a href=\"https://a.example/?a=1&amp;b=2\" onmouseover=\"x\">x</a>"),
            "<a href=\"https://a.example/?a&#x3D;1&amp;b&#x3D;2\">x</a>"
        );
        assert_eq!(sanitize_html("<img src=x onerror=alert(1)>&lt;b&gt;"), "&lt;b&gt;");
        assert_eq!(sanitize_html("<style>p{}</style><!-- note --><p>a</p>"), "<p>a</p>");
        assert_eq!(sanitize_html("<table><tr><td>a</td></tr></table>"), "a");
    }

    #[test]
    fn email_html_keeps_tables_images_and_safe_styles() {
        let html = "<table width=\"600\" onclick=\"x()\"><tr><td style=\"color:#123\" bgcolor=\"#fff\">\
                    <img src=\"https://i.example/a.png\" alt=\"A\" onerror=\"x()\"></td></tr></table>";
        assert_eq!(
            sanitize(html, Policy::EmailHtml),
            "<table width=\"600\"><tr><td style=\"color:#123\" bgcolor=\"#fff\">\
             <img src=\"https://i.example/a.png\" alt=\"A\"></td></tr></table>"
        );
        assert_eq!(
            sanitize(
                "<img src=\"javascript:alert(1)\"><a href=\"jav&#x61;script:x\">y</a>",
                Policy::EmailHtml
            ),
            "<img><a>y</a>"
        );
        assert_eq!(
            sanitize(
                "<div style=\"width:expression(alert(1))\">a</div><script>b</script>",
                Policy::EmailHtml
            ),
            "<div>a</div>"
        );
        assert!(!is_safe_style("background:url( 'javascript:x')"));
        assert!(is_safe_style("background:url(https://i.example/bg.png);color:red"));
    }

    /// The shared corpus (`crates/core/tests/richtext-corpus.json`), also read by the editor's test.
    fn corpus() -> serde_json::Value {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/richtext-corpus.json");
        serde_json::from_str(&std::fs::read_to_string(path).expect("corpus readable")).expect("corpus parses")
    }

    fn strings(v: &serde_json::Value) -> Vec<String> {
        v.as_array()
            .expect("a list")
            .iter()
            .map(|s| s.as_str().expect("text").to_owned())
            .collect()
    }

    /// The sanitizer escapes more characters in attributes than a browser's serializer does; the
    /// values are the same.
    fn same_markup(a: &str, b: &str) -> bool {
        let norm = |s: &str| {
            s.replace("&#x3D;", "=")
                .replace("&#x27;", "'")
                .replace("&#x60;", "`")
                .replace("&#123;", "{")
                .replace("&quot;", "\"")
        };
        norm(a) == norm(b)
    }

    fn assert_kept(html: &str, what: &str) {
        let clean = sanitize_html(html);
        assert!(
            same_markup(&clean, html),
            "{what}: the sanitizer changed\n  {html}\ninto\n  {clean}"
        );
    }

    /// Start tags and their attribute names in `html` (the corpus is well-formed).
    fn vocabulary(html: &str) -> Vec<(String, Vec<String>)> {
        let mut out = Vec::new();
        for part in html.split('<').skip(1) {
            let Some(tag) = part.split('>').next() else { continue };
            if tag.starts_with('/') || tag.starts_with('!') {
                continue;
            }
            let name: String = tag.chars().take_while(char::is_ascii_alphanumeric).collect();
            let mut attrs = Vec::new();
            let mut rest = &tag[name.len()..];
            loop {
                rest = rest.trim_start();
                let attr: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphabetic() || *c == '-')
                    .collect();
                if attr.is_empty() {
                    break;
                }
                rest = &rest[attr.len()..];
                attrs.push(attr);
                if let Some(value) = rest.strip_prefix('=') {
                    rest = match value.chars().next() {
                        Some(q @ ('"' | '\'')) => value[1..].split_once(q).map_or("", |(_, r)| r),
                        _ => value.split_once(' ').map_or("", |(_, r)| r),
                    };
                }
            }
            out.push((name, attrs));
        }
        out
    }

    #[test]
    fn the_sanitizer_keeps_everything_the_editor_writes() {
        let c = corpus();
        for html in strings(&c["kept"]) {
            assert_kept(&html, "kept");
        }
        for case in c["normalized"].as_array().expect("normalized") {
            assert_kept(case["input"].as_str().expect("input"), "normalized input");
            assert_kept(case["editor"].as_str().expect("editor"), "normalized editor form");
        }
        for case in c["pasted"].as_array().expect("pasted") {
            assert_kept(
                case["editor"].as_str().expect("editor"),
                "pasted, as the editor keeps it",
            );
            let clean = sanitize_html(case["input"].as_str().expect("input"));
            assert!(
                !clean.contains("style=") && !clean.contains("class=") && !clean.contains("<script"),
                "{clean}"
            );
        }
    }

    #[test]
    fn the_corpus_uses_every_tag_and_attribute_the_sanitizer_keeps() {
        let c = corpus();
        let mut used: Vec<(String, Vec<String>)> = Vec::new();
        for html in strings(&c["kept"]) {
            used.extend(vocabulary(&html));
        }
        for case in c["normalized"].as_array().expect("normalized") {
            used.extend(vocabulary(case["input"].as_str().expect("input")));
        }
        for tag in &RULES.tags {
            assert!(used.iter().any(|(t, _)| t == tag), "no corpus value uses <{tag}>");
            for attr in RULES.attributes.get(tag.as_str()).into_iter().flatten() {
                assert!(
                    used.iter().any(|(t, a)| t == tag && a.contains(attr)),
                    "no corpus value uses <{tag} {attr}>"
                );
            }
        }
        for attr in RULES.attributes.get("*").into_iter().flatten() {
            assert!(
                used.iter().any(|(_, a)| a.contains(attr)),
                "no corpus value uses {attr}"
            );
        }
        // And nothing outside the subset: what the corpus holds, the sanitizer keeps.
        for (tag, attrs) in &used {
            assert!(RULES.keeps_tag(tag), "<{tag}> is not in the subset");
            for a in attrs {
                assert!(RULES.keeps_attribute(tag, a), "<{tag} {a}> is not in the subset");
            }
        }
    }

    #[test]
    fn links_are_checked_as_the_editor_checks_them() {
        let c = corpus();
        for url in strings(&c["urls"]["safe"]) {
            assert!(is_safe_url(&url), "{url} should be safe");
        }
        for url in strings(&c["urls"]["unsafe"]) {
            assert!(!is_safe_url(&url), "{url} should be refused");
        }
    }
}
