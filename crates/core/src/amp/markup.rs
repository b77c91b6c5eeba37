//! Rendered HTML rewritten as AMP for Email markup, token by token (html5ever's tokenizer): `img`
//! becomes `amp-img` with its sizes, style attributes keep only what strict AMP CSS accepts,
//! comments (Outlook's conditional ones included), scripts, `meta`, `link` and `title` go, the
//! head's `<style>` text is collected for the one `<style amp-custom>`. Live blocks, marked by the
//! caller with [`START`]/[`END`] comments, are cut out into their own buffers and leave a slot.

use std::cell::RefCell;
use std::collections::BTreeMap;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{BufferQueue, Tag, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts};
use html5ever::TokenizerResult;

use super::css;

/// Appends `s` with `&`, `<`, `>` and `"` escaped: enough in text and quoted attributes, and it
/// leaves braces alone (an amp-mustache template's tags must stay as written; literal braces are
/// handled by [`super::mustache::finish`]).
pub fn push_escaped(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
}

/// The comment a caller writes before a live block: `<!--tsr-amp-start:ID-->`.
pub const START: &str = "tsr-amp-start:";
/// The comment a caller writes after a live block.
pub const END: &str = "tsr-amp-end:";
/// Where a live block was cut out: `SLOT_OPEN ID SLOT_CLOSE` (characters a render never writes).
pub const SLOT_OPEN: char = '\u{E020}';
/// Closes a slot.
pub const SLOT_CLOSE: char = '\u{E021}';
/// Where the head's content goes once the style sheet and scripts are known.
pub const HEAD_SLOT: &str = "\u{E022}";

/// Elements dropped with everything inside them.
const DROPPED_WITH_CONTENT: [&str; 6] = ["script", "title", "noscript", "object", "iframe", "style"];
/// Elements dropped, their content kept.
const DROPPED: [&str; 5] = ["meta", "link", "base", "embed", "form"];

/// What the rewrite produced.
#[derive(Debug, Default)]
pub struct Rewritten {
    /// The markup, with [`HEAD_SLOT`] inside `<head>` and a slot per live block.
    pub html: String,
    /// The text of the head's `<style>` elements.
    pub css: String,
    /// Each live block's rewritten markup, by block id.
    pub regions: BTreeMap<String, String>,
    /// Pictures given a square box because the markup had no height.
    pub square_images: usize,
}

struct Rewriter {
    /// The document's markup.
    doc: String,
    /// Live blocks being cut out, innermost last: id and markup.
    open: Vec<(String, String)>,
    css: String,
    regions: BTreeMap<String, String>,
    in_head: bool,
    /// Inside an element dropped with its content: its name.
    dropping: Option<String>,
    /// Inside `<style>` in the head.
    in_style: bool,
    square_images: usize,
}

impl Rewriter {
    fn buf(&mut self) -> &mut String {
        match self.open.last_mut() {
            Some((_, html)) => html,
            None => &mut self.doc,
        }
    }

    fn comment(&mut self, text: &str) {
        if let Some(id) = text.strip_prefix(START) {
            self.open.push((id.to_owned(), String::new()));
        } else if text.starts_with(END) {
            if let Some((id, html)) = self.open.pop() {
                let slot = format!("{SLOT_OPEN}{id}{SLOT_CLOSE}");
                self.regions.insert(id, html);
                self.buf().push_str(&slot);
            }
        }
    }

    fn start(&mut self, tag: &Tag) -> TokenSinkResult<()> {
        let name: &str = &tag.name;
        if self.dropping.is_some() {
            return TokenSinkResult::Continue;
        }
        if self.in_head && name == "style" {
            self.in_style = true;
            return TokenSinkResult::RawData(RawKind::Rawtext);
        }
        if DROPPED_WITH_CONTENT.contains(&name) {
            self.dropping = Some(name.to_owned());
            return match name {
                "script" => TokenSinkResult::RawData(RawKind::ScriptData),
                "title" => TokenSinkResult::RawData(RawKind::Rcdata),
                "style" | "noscript" | "iframe" => TokenSinkResult::RawData(RawKind::Rawtext),
                _ => TokenSinkResult::Continue,
            };
        }
        match name {
            "html" => {
                let mut open = String::from("<html \u{26a1}4email data-css-strict");
                for a in &tag.attrs {
                    let key = &*a.name.local;
                    if matches!(key, "lang" | "dir") {
                        push_attr(&mut open, key, &a.value);
                    }
                }
                open.push('>');
                self.buf().push_str(&open);
            }
            "head" => {
                self.in_head = true;
            }
            "img" => self.image(tag),
            _ if self.in_head || DROPPED.contains(&name) => {}
            _ => {
                let mut open = format!("<{name}");
                for a in &tag.attrs {
                    let key = &*a.name.local;
                    if key.starts_with("on") || key.starts_with("xmlns") || a.name.prefix.is_some() {
                        continue;
                    }
                    if key == "href" && !is_absolute_link(&a.value) {
                        // AMP refuses relative URLs; preview writes `#` for a link it refused.
                        continue;
                    }
                    if key == "style" {
                        let kept = css::style_attribute(&a.value);
                        if !kept.is_empty() {
                            push_attr(&mut open, key, &kept);
                        }
                    } else {
                        push_attr(&mut open, key, &a.value);
                    }
                }
                open.push('>');
                self.buf().push_str(&open);
            }
        }
        TokenSinkResult::Continue
    }

    /// `<img>` as `<amp-img>`: `layout="responsive"` with the width and height of the markup (a
    /// square when only the width is known), the alt text and class kept.
    fn image(&mut self, tag: &Tag) {
        let get = |key: &str| {
            tag.attrs
                .iter()
                .find(|a| &*a.name.local == key)
                .map(|a| a.value.to_string())
        };
        let number = |v: Option<String>| {
            v.and_then(|s| s.trim().trim_end_matches("px").parse::<u32>().ok())
                .filter(|n| *n > 0)
        };
        if !get("src").is_some_and(|src| is_absolute_link(&src)) {
            // A picture preview refused (`#`) or a local file: AMP shows only absolute URLs.
            return;
        }
        let width = number(get("width")).unwrap_or(600);
        let height = number(get("height"));
        if height.is_none() {
            self.square_images += 1;
        }
        let mut out = String::from("<amp-img");
        for key in ["src", "alt", "class"] {
            if let Some(v) = get(key) {
                push_attr(&mut out, key, &v);
            }
        }
        push_attr(&mut out, "width", &width.to_string());
        push_attr(&mut out, "height", &height.unwrap_or(width).to_string());
        push_attr(&mut out, "layout", "responsive");
        if height.is_none() {
            push_attr(&mut out, "style", "object-fit:contain");
        }
        out.push_str("></amp-img>");
        self.buf().push_str(&out);
    }

    fn end(&mut self, tag: &Tag) {
        let name: &str = &tag.name;
        if let Some(dropping) = &self.dropping {
            if dropping == name {
                self.dropping = None;
            }
            return;
        }
        if self.in_style && name == "style" {
            self.in_style = false;
            self.css.push('\n');
            return;
        }
        match name {
            "head" => {
                self.in_head = false;
                self.buf().push_str("<head>");
                self.buf().push_str(HEAD_SLOT);
                self.buf().push_str("</head>");
            }
            "img" | "br" | "hr" => {}
            _ if self.in_head || DROPPED.contains(&name) => {}
            _ => {
                let close = format!("</{name}>");
                self.buf().push_str(&close);
            }
        }
    }

    fn text(&mut self, text: &str) {
        if self.in_style {
            self.css.push_str(text);
        } else if self.dropping.is_none() && !self.in_head {
            push_escaped(self.buf(), text);
        }
    }
}

/// An absolute link AMP accepts, or a Mustache tag that prints one at open time.
fn is_absolute_link(value: &str) -> bool {
    let v = value.trim_start().to_ascii_lowercase();
    ["https://", "http://", "mailto:", "tel:", "sms:"]
        .iter()
        .any(|p| v.starts_with(p))
        || v.starts_with(super::mustache::TAG_OPEN)
}

fn push_attr(out: &mut String, key: &str, value: &str) {
    out.push(' ');
    out.push_str(key);
    out.push_str("=\"");
    push_escaped(out, value);
    out.push('"');
}

struct Sink(RefCell<Rewriter>);

impl TokenSink for Sink {
    type Handle = ();

    fn process_token(&self, token: Token, _line_number: u64) -> TokenSinkResult<()> {
        let Ok(mut r) = self.0.try_borrow_mut() else {
            return TokenSinkResult::Continue;
        };
        match token {
            Token::DoctypeToken(_) => {
                r.buf().push_str("<!doctype html>");
                TokenSinkResult::Continue
            }
            Token::TagToken(tag) => match tag.kind {
                TagKind::StartTag => r.start(&tag),
                TagKind::EndTag => {
                    r.end(&tag);
                    TokenSinkResult::Continue
                }
            },
            Token::CommentToken(text) => {
                r.comment(&text);
                TokenSinkResult::Continue
            }
            Token::CharacterTokens(text) => {
                r.text(&text);
                TokenSinkResult::Continue
            }
            Token::NullCharacterToken | Token::EOFToken | Token::ParseError(_) => TokenSinkResult::Continue,
        }
    }
}

/// Rewrites `html` (`_template`: the markup of an amp-mustache template, rewritten the same way).
#[must_use]
pub fn rewrite(html: &str, _template: bool) -> Rewritten {
    let sink = Sink(RefCell::new(Rewriter {
        doc: String::with_capacity(html.len()),
        open: Vec::new(),
        css: String::new(),
        regions: BTreeMap::new(),
        in_head: false,
        dropping: None,
        in_style: false,
        square_images: 0,
    }));
    let opts = TokenizerOpts {
        discard_bom: false,
        ..TokenizerOpts::default()
    };
    let tokenizer = Tokenizer::new(sink, opts);
    let queue = BufferQueue::default();
    queue.push_back(StrTendril::from_slice(html));
    while let TokenizerResult::Script(()) = tokenizer.feed(&queue) {
        if queue.is_empty() {
            break;
        }
    }
    tokenizer.end();
    let mut r = tokenizer.sink.0.into_inner();
    // Unclosed live regions (never in a render) fold back into the document.
    while let Some((_, html)) = r.open.pop() {
        r.buf().push_str(&html);
    }
    Rewritten {
        html: r.doc,
        css: r.css,
        regions: r.regions,
        square_images: r.square_images,
    }
}
