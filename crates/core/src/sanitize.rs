//! Rich-text markup: designers may use a small, safe subset of HTML. Everything else is dropped
//! (scripts and styles with their content, other tags keeping their text); markers of template
//! tags are kept in place.

use std::cell::RefCell;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts};

use crate::escape::{is_safe_url, push_html_escaped};
use crate::markers::{COMMENT_TAG, MARK_OPEN};

const ALLOWED: &[&str] = &[
    "p",
    "br",
    "b",
    "strong",
    "i",
    "em",
    "u",
    "s",
    "a",
    "ul",
    "ol",
    "li",
    "span",
    "sup",
    "sub",
    "small",
    "blockquote",
];
const DROPPED_WITH_CONTENT: &[&str] = &[
    "script", "style", "title", "head", "iframe", "object", "embed", "template", "noscript", "svg", "math", "textarea",
    "select",
];
const VOID: &[&str] = &["br"];

/// Sanitizes an HTML string (markers kept).
#[must_use]
pub fn sanitize_html(html: &str) -> String {
    let sink = Sink {
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

struct Sink {
    out: RefCell<String>,
    /// Open elements whose content is dropped.
    skip: RefCell<Vec<String>>,
}

impl TokenSink for Sink {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let mut out = self.out.borrow_mut();
        let mut skip = self.skip.borrow_mut();
        match token {
            Token::TagToken(tag) => {
                let name: &str = &tag.name;
                if DROPPED_WITH_CONTENT.contains(&name) {
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
                if !skip.is_empty() || !ALLOWED.contains(&name) {
                    return TokenSinkResult::Continue;
                }
                match tag.kind {
                    TagKind::StartTag => {
                        out.push('<');
                        out.push_str(name);
                        for attr in &tag.attrs {
                            let attr_name: &str = &attr.name.local;
                            let value: &str = &attr.value;
                            let keep = match (name, attr_name) {
                                ("a", "href") => {
                                    let literal = value.split(MARK_OPEN).next().unwrap_or_default();
                                    literal.is_empty() || is_safe_url(literal)
                                }
                                (_, "title") | ("a", "target") => true,
                                _ => false,
                            };
                            if keep {
                                out.push(' ');
                                out.push_str(attr_name);
                                out.push_str("=\"");
                                push_html_escaped(&mut out, value);
                                out.push('"');
                            }
                        }
                        out.push('>');
                    }
                    TagKind::EndTag if !VOID.contains(&name) => {
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
    }
}
