//! The compiled email as a flat list of markup events (html5ever's tokenizer, with the raw-text
//! states a browser uses for `<style>`, `<title>` and `<script>`), each with its line and the
//! top-level block it belongs to. Blocks are found from the comments the workspace writes around
//! each top-level block ([`BLOCK_OPEN`] id `-->` ... [`BLOCK_CLOSE`]), which are not part of the
//! email as sent and are left out of the events.

use std::cell::RefCell;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts};

/// Opens a block: `<!--tsr-block:ID-->`.
pub const BLOCK_OPEN: &str = "tsr-block:";
/// Closes the innermost block: `<!--/tsr-block-->`.
pub const BLOCK_CLOSE: &str = "/tsr-block";

/// One event of the markup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// `<!DOCTYPE ...>`, with its name.
    Doctype(String),
    /// A start tag, its attributes in order (names lower case) and whether it closed itself.
    Start {
        /// Element name, lower case.
        name: String,
        /// Attributes.
        attrs: Vec<(String, String)>,
        /// `<br/>`.
        self_closing: bool,
    },
    /// An end tag.
    End(String),
    /// Text (style and title contents included).
    Text(String),
    /// A comment: `conditional` for Outlook's `[if mso]` / `<![endif]` forms.
    Comment {
        /// The text between `<!--` and `-->`.
        text: String,
        /// An Outlook conditional comment.
        conditional: bool,
    },
}

/// An event with where it is.
#[derive(Debug, Clone)]
pub struct Located {
    /// The event.
    pub event: Event,
    /// 1-based line in the HTML.
    pub line: u32,
    /// The top-level block instance it is in, if any (index into [`Markup::blocks`]).
    pub block: Option<usize>,
}

/// The tokenized email.
#[derive(Debug, Default)]
pub struct Markup {
    /// Events in document order.
    pub events: Vec<Located>,
    /// Block instance ids, by index.
    pub blocks: Vec<String>,
}

impl Markup {
    /// The block id of an event.
    #[must_use]
    pub fn block_of(&self, located: &Located) -> Option<&str> {
        located.block.and_then(|i| self.blocks.get(i)).map(String::as_str)
    }
}

/// Whether a comment is one of Outlook's conditional comments: `[if mso]>...<![endif]`,
/// `[if !mso]><!` and `<![endif]`.
#[must_use]
pub fn is_conditional(comment: &str) -> bool {
    let t = comment.trim_start();
    t.starts_with("[if ") || t.starts_with("<![endif]") || t.starts_with("[endif]")
}

struct Sink {
    state: RefCell<State>,
}

#[derive(Default)]
struct State {
    markup: Markup,
    stack: Vec<usize>,
    text: String,
    text_line: u32,
}

impl State {
    fn flush_text(&mut self) {
        if !self.text.is_empty() {
            let text = std::mem::take(&mut self.text);
            let block = self.stack.last().copied();
            self.markup.events.push(Located {
                event: Event::Text(text),
                line: self.text_line,
                block,
            });
        }
    }

    fn push(&mut self, event: Event, line: u32) {
        self.flush_text();
        let block = self.stack.last().copied();
        self.markup.events.push(Located { event, line, block });
    }
}

impl TokenSink for Sink {
    type Handle = ();

    fn process_token(&self, token: Token, line: u64) -> TokenSinkResult<()> {
        let line = u32::try_from(line).unwrap_or(u32::MAX);
        let mut st = self.state.borrow_mut();
        match token {
            Token::CharacterTokens(text) => {
                if st.text.is_empty() {
                    st.text_line = line;
                }
                st.text.push_str(&text);
            }
            Token::NullCharacterToken | Token::EOFToken | Token::ParseError(_) => {}
            Token::DoctypeToken(d) => {
                let name = d.name.map(|n| n.to_string()).unwrap_or_default();
                st.push(Event::Doctype(name), line);
            }
            Token::CommentToken(text) => {
                if let Some(id) = text.strip_prefix(BLOCK_OPEN) {
                    st.flush_text();
                    let index = st.markup.blocks.len();
                    st.markup.blocks.push(id.to_owned());
                    st.stack.push(index);
                } else if &*text == BLOCK_CLOSE {
                    st.flush_text();
                    st.stack.pop();
                } else {
                    let conditional = is_conditional(&text);
                    st.push(
                        Event::Comment {
                            text: text.to_string(),
                            conditional,
                        },
                        line,
                    );
                }
            }
            Token::TagToken(tag) => {
                let name = tag.name.to_string();
                if tag.kind == TagKind::EndTag {
                    st.push(Event::End(name), line);
                    return TokenSinkResult::Continue;
                }
                let attrs = tag
                    .attrs
                    .iter()
                    .map(|a| (a.name.local.to_string(), a.value.to_string()))
                    .collect();
                let raw = match name.as_str() {
                    "style" | "xmp" | "iframe" | "noembed" | "noframes" => Some(RawKind::Rawtext),
                    "script" => Some(RawKind::ScriptData),
                    "title" | "textarea" => Some(RawKind::Rcdata),
                    _ => None,
                };
                let self_closing = tag.self_closing;
                st.push(
                    Event::Start {
                        name,
                        attrs,
                        self_closing,
                    },
                    line,
                );
                if let (Some(kind), false) = (raw, self_closing) {
                    return TokenSinkResult::RawData(kind);
                }
            }
        }
        TokenSinkResult::Continue
    }
}

/// Tokenizes `html`.
#[must_use]
pub fn parse(html: &str) -> Markup {
    let sink = Sink {
        state: RefCell::new(State::default()),
    };
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    let tokenizer = Tokenizer::new(sink, TokenizerOpts::default());
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    let mut state = tokenizer.sink.state.take();
    state.flush_text();
    state.markup
}

/// An attribute's value.
#[must_use]
pub fn attr<'a>(attrs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    attrs.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
}

/// Elements that never have content (no end tag).
#[must_use]
pub fn is_void(name: &str) -> bool {
    matches!(
        name,
        "area"
            | "base"
            | "br"
            | "col"
            | "embed"
            | "hr"
            | "img"
            | "input"
            | "link"
            | "meta"
            | "source"
            | "track"
            | "wbr"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_carry_lines_blocks_and_raw_text() {
        let m = parse(
            "<!DOCTYPE html>\n<html><head><style>a > b { color: red }</style></head>\n<body><!--tsr-block:hero-1--><p>Hi <b>you</b></p><!--[if mso]><table><![endif]--><!--/tsr-block--><!-- note --></body></html>",
        );
        assert_eq!(m.blocks, ["hero-1"]);
        let style = m.events.iter().find_map(|e| match &e.event {
            Event::Text(t) if t.contains("color") => Some(t.clone()),
            _ => None,
        });
        assert_eq!(style.as_deref(), Some("a > b { color: red }"));
        let p = m
            .events
            .iter()
            .find(|e| matches!(&e.event, Event::Start { name, .. } if name == "p"));
        assert_eq!(p.map(|e| (m.block_of(e), e.line)), Some((Some("hero-1"), 3)));
        let comments: Vec<(bool, Option<&str>)> = m
            .events
            .iter()
            .filter_map(|e| match &e.event {
                Event::Comment { conditional, .. } => Some((*conditional, m.block_of(e))),
                _ => None,
            })
            .collect();
        assert_eq!(comments, [(true, Some("hero-1")), (false, None)]);
    }
}
