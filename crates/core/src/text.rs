//! The plain-text alternative, derived from the compiled HTML once per template version with
//! html5ever's tokenizer. Template markers pass through in place (comments become inline markers),
//! so the text plan is personalized like the HTML plan.

use std::cell::RefCell;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer};

use crate::compile::plan::{MARK_CLOSE, MARK_OPEN};

const SKIPPED: &[&str] = &["head", "style", "script", "title", "template", "noscript"];
const PARAGRAPHS: &[&str] = &[
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "ul",
    "ol",
    "blockquote",
];
const BLOCKS: &[&str] = &[
    "div", "tr", "td", "th", "li", "center", "section", "header", "footer", "article", "pre", "tbody",
];
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr",
];

/// Converts email HTML to readable plain text: paragraphs separated by a blank line, links as
/// `text (url)`, images as their alt text, hidden content (the preheader, `display:none`) left out.
#[must_use]
pub fn html_to_text(html: &str) -> String {
    let sink = Sink {
        state: RefCell::new(State::default()),
    };
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    let tokenizer = Tokenizer::new(sink, Default::default());
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    let state = tokenizer.sink.state.take();
    finish(&state.out)
}

#[derive(Default)]
struct State {
    out: String,
    /// Open elements whose content is skipped (name, for matching the end tag).
    skip: Vec<String>,
    /// Open elements, to find the end tag of a hidden element.
    hidden_depth: Vec<String>,
    /// Open links: (href, start of their text in `out`, alt text seen inside).
    links: Vec<(String, usize, String)>,
    /// Open lists: ordered, next number.
    lists: Vec<(bool, usize)>,
    pending_space: bool,
}

impl State {
    fn skipping(&self) -> bool {
        !self.skip.is_empty() || !self.hidden_depth.is_empty()
    }

    fn newlines(&mut self, n: usize) {
        while self.out.ends_with(' ') {
            self.out.pop();
        }
        self.pending_space = false;
        if self.out.is_empty() {
            return;
        }
        let have = self.out.bytes().rev().take_while(|b| *b == b'\n').count();
        for _ in have..n {
            self.out.push('\n');
        }
    }

    fn text(&mut self, s: &str) {
        for c in s.chars() {
            if c.is_whitespace() || c == '\u{a0}' || c == '\u{34f}' || c == '\u{200c}' {
                if !self.out.is_empty() && !self.out.ends_with(['\n', ' ']) {
                    self.pending_space = true;
                }
            } else {
                if self.pending_space {
                    self.out.push(' ');
                    self.pending_space = false;
                }
                self.out.push(c);
            }
        }
    }
}

struct Sink {
    state: RefCell<State>,
}

fn attr(tag: &html5ever::tokenizer::Tag, name: &str) -> Option<String> {
    tag.attrs
        .iter()
        .find(|a| &*a.name.local == name)
        .map(|a| a.value.to_string())
}

fn is_hidden(tag: &html5ever::tokenizer::Tag) -> bool {
    attr(tag, "hidden").is_some()
        || attr(tag, "style").is_some_and(|s| {
            let compact: String = s.to_ascii_lowercase().chars().filter(|c| !c.is_whitespace()).collect();
            compact.contains("display:none")
        })
}

impl TokenSink for Sink {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let mut st = self.state.borrow_mut();
        match token {
            Token::CommentToken(text) => {
                // Structure markers always pass, even from skipped content, to keep branches balanced.
                if let Some(id) = text.strip_prefix("tsr:") {
                    if st.pending_space {
                        st.out.push(' ');
                        st.pending_space = false;
                    }
                    st.out.push(MARK_OPEN);
                    st.out.push_str(id);
                    st.out.push(MARK_CLOSE);
                }
            }
            Token::CharacterTokens(text) if !st.skipping() => st.text(&text),
            Token::TagToken(tag) => {
                let name: &str = &tag.name;
                match tag.kind {
                    TagKind::StartTag => {
                        if SKIPPED.contains(&name) {
                            if !tag.self_closing {
                                st.skip.push(name.to_owned());
                            }
                            return TokenSinkResult::Continue;
                        }
                        if !st.hidden_depth.is_empty() {
                            if !VOID.contains(&name) && !tag.self_closing {
                                st.hidden_depth.push(name.to_owned());
                            }
                            return TokenSinkResult::Continue;
                        }
                        if is_hidden(&tag) && !VOID.contains(&name) {
                            st.hidden_depth.push(name.to_owned());
                            return TokenSinkResult::Continue;
                        }
                        if st.skipping() {
                            return TokenSinkResult::Continue;
                        }
                        match name {
                            "br" => st.newlines(1),
                            "hr" => {
                                st.newlines(2);
                                st.out.push_str(&"-".repeat(40));
                                st.newlines(2);
                            }
                            "img" => {
                                let alt = attr(&tag, "alt").unwrap_or_default();
                                if let Some(link) = st.links.last_mut() {
                                    if link.2.is_empty() {
                                        link.2 = alt;
                                    }
                                } else if !alt.trim().is_empty() {
                                    st.text(&alt);
                                }
                            }
                            "a" => {
                                let href = attr(&tag, "href").unwrap_or_default();
                                if st.pending_space {
                                    st.out.push(' ');
                                    st.pending_space = false;
                                }
                                let start = st.out.len();
                                st.links.push((href, start, String::new()));
                            }
                            "ul" | "ol" => {
                                st.newlines(2);
                                st.lists.push((name == "ol", 1));
                            }
                            "li" => {
                                st.newlines(1);
                                let depth = st.lists.len().saturating_sub(1);
                                let prefix = match st.lists.last_mut() {
                                    Some((true, n)) => {
                                        *n += 1;
                                        format!("{}. ", *n - 1)
                                    }
                                    _ => "- ".to_owned(),
                                };
                                st.out.push_str(&"  ".repeat(depth));
                                st.out.push_str(&prefix);
                            }
                            n if PARAGRAPHS.contains(&n) => st.newlines(2),
                            n if BLOCKS.contains(&n) => st.newlines(1),
                            _ => {}
                        }
                    }
                    TagKind::EndTag => {
                        if let Some(pos) = st.skip.iter().rposition(|t| t == name) {
                            st.skip.truncate(pos);
                            return TokenSinkResult::Continue;
                        }
                        if !st.hidden_depth.is_empty() {
                            if let Some(pos) = st.hidden_depth.iter().rposition(|t| t == name) {
                                st.hidden_depth.truncate(pos);
                            }
                            return TokenSinkResult::Continue;
                        }
                        if st.skipping() {
                            return TokenSinkResult::Continue;
                        }
                        match name {
                            "a" => {
                                if let Some((href, start, alt)) = st.links.pop() {
                                    let text = st.out.get(start..).unwrap_or_default().trim().to_owned();
                                    let href = href.trim().to_owned();
                                    let label = if text.is_empty() {
                                        alt.trim().to_owned()
                                    } else {
                                        text.clone()
                                    };
                                    if text.is_empty() && !label.is_empty() {
                                        st.text(&label);
                                    }
                                    let useless = href.is_empty() || href.starts_with('#');
                                    let same = label == href || href.strip_prefix("mailto:") == Some(label.as_str());
                                    if !useless && !same {
                                        if label.is_empty() {
                                            st.text(&href);
                                        } else {
                                            st.out.push_str(" (");
                                            st.out.push_str(&href);
                                            st.out.push(')');
                                        }
                                    }
                                }
                            }
                            "ul" | "ol" => {
                                st.lists.pop();
                                st.newlines(2);
                            }
                            n if PARAGRAPHS.contains(&n) => st.newlines(2),
                            n if BLOCKS.contains(&n) => st.newlines(1),
                            _ => {}
                        }
                    }
                }
            }
            _ => {}
        }
        TokenSinkResult::Continue
    }
}

/// Trims lines, keeps at most one blank line in a row, ends with one newline.
fn finish(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut blank_run = 0;
    for line in raw.lines() {
        let line = line.trim();
        if line.is_empty() {
            blank_run += 1;
            if blank_run == 1 && !out.is_empty() {
                out.push('\n');
            }
            continue;
        }
        blank_run = 0;
        out.push_str(line);
        out.push('\n');
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_links_images_and_lists() {
        let html = r##"<html><head><title>T</title><style>p{}</style></head><body>
            <div style="display: none">preheader</div>
            <table><tr><td><h1>Hello   there</h1><p>Read <a href="https://a.example/x">our story</a> &amp; more.</p></td></tr>
            <tr><td><a href="https://a.example/p"><img src="x.png" alt="Trail jacket"></a></td></tr>
            <tr><td><ul><li>One</li><li>Two</li></ul><ol><li>First</li><li>Second</li></ol></td></tr>
            <tr><td><a href="mailto:hi@a.example">hi@a.example</a> <a href="#top">Top</a> <a href="https://same.example">https://same.example</a></td></tr></table>
            </body></html>"##;
        let text = html_to_text(html);
        assert_eq!(
            text,
            "Hello there\n\nRead our story (https://a.example/x) & more.\n\nTrail jacket (https://a.example/p)\n\n- One\n- Two\n\n1. First\n2. Second\n\nhi@a.example Top https://same.example\n"
        );
    }

    #[test]
    fn markers_survive_in_place() {
        let html = "<table><tr><td>A</td></tr><!--tsr:4--><tr><td>Hi \u{E000}5\u{E001}</td></tr><!--tsr:6--></table><a href=\"https://x.example/?u=\u{E000}7\u{E001}\">Go</a><style><!--tsr:8--></style>";
        let text = html_to_text(html);
        assert!(text.contains("\u{E000}4\u{E001}"), "{text:?}");
        assert!(text.contains("Hi \u{E000}5\u{E001}"), "{text:?}");
        assert!(text.contains("Go (https://x.example/?u=\u{E000}7\u{E001})"), "{text:?}");
        assert!(
            text.contains("\u{E000}8\u{E001}"),
            "structure markers pass even from skipped content: {text:?}"
        );
    }

    #[test]
    fn malformed_html_never_panics() {
        for html in [
            "<a href",
            "</td></tr><p>x",
            "<<<>>>",
            "<a href=\"x\"><a>",
            "<ul><li>x",
            "\u{0}<p>\u{0}",
        ] {
            let _ = html_to_text(html);
        }
    }
}
