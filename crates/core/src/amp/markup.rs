//! Rendered HTML rewritten as AMP for Email markup, token by token (html5ever's tokenizer): `img`
//! becomes `amp-img` with its sizes, style attributes keep only what strict AMP CSS accepts,
//! comments (Outlook's conditional ones included), scripts, `meta`, `link` and `title` go, the
//! head's `<style>` text is collected for the one `<style amp-custom>`. Live blocks, marked by the
//! caller with [`START`]/[`END`] comments, are cut out into their own buffers and leave a slot.
//!
//! The same rewriter also runs once per compiled version over the email's plans with a marker
//! character in place of each template tag (see [`super::plan`]): markers pass through text and
//! plain attributes as they are, and a start tag whose rewrite depends on a value (`img`, `href`,
//! `style`) is left as a numbered dynamic tag, rewritten per recipient by [`write_start`] and
//! [`write_image`], the functions the token-by-token rewrite uses.

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
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        let rep = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            _ => continue,
        };
        out.push_str(&s[start..i]);
        out.push_str(rep);
        start = i + 1;
    }
    out.push_str(&s[start..]);
}

/// A value as the tokenizer reads it where the HTML part wrote it (line breaks normalized, NUL
/// dropped in text and replaced in attributes), handed to `push`.
fn normalized(out: &mut String, s: &str, in_attr: bool, push: fn(&mut String, &str)) {
    if !s.bytes().any(|b| b == b'\r' || b == 0) {
        push(out, s);
        return;
    }
    let mut clean = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() != Some(&'\n') {
                    clean.push('\n');
                }
            }
            '\0' if in_attr => clean.push('\u{FFFD}'),
            '\0' => {}
            c => clean.push(c),
        }
    }
    push(out, &clean);
}

/// Appends a value written in text of the AMP part (see [`super::plan`]).
pub(crate) fn push_amp_text(out: &mut String, s: &str) {
    normalized(out, s, false, push_escaped);
}

/// Appends a value written in an attribute the rewrite keeps as it is.
pub(crate) fn push_amp_attr(out: &mut String, s: &str) {
    normalized(out, s, true, push_escaped);
}

/// Appends a value of a dynamic tag's attribute, decoded (the tag's rewrite escapes it).
pub(crate) fn push_amp_raw(out: &mut String, s: &str) {
    normalized(out, s, true, String::push_str);
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

/// The first marker character of the plan's tags: tag `n` of the marked markup is
/// `ROLE_BASE + n` (supplementary private use area A, which no render writes).
pub(super) const ROLE_BASE: u32 = 0xF_0000;
/// Marker ids stay below this.
pub(super) const ROLE_LIMIT: u32 = 0xF_FFF0;
/// The first character naming a dynamic tag of the rewritten plan (area B).
pub(super) const DYN_BASE: u32 = 0x10_0000;
/// Dynamic tag ids stay below this.
pub(super) const DYN_LIMIT: u32 = 0x10_FFF0;
/// A picture given a square box, counted per recipient (it may stand in a branch).
pub(super) const SQUARE: char = '\u{10FFFD}';

/// Whether `c` is one of the plan's marker characters.
pub(super) fn is_plan_char(c: char) -> bool {
    u32::from(c) >= ROLE_BASE
}

/// Where a tag's marker was met in the marked markup: branches of one condition must meet the same
/// rewriter state, or the markup cannot be planned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Seen {
    /// In text; the state of the rewriter there.
    Text {
        /// Inside `<head>`.
        in_head: bool,
        /// Inside an element dropped with its content.
        dropping: Option<String>,
        /// Inside the head's `<style>`.
        in_style: bool,
    },
    /// In the value of attribute `.1` of start tag `.0`.
    Attr(usize, usize),
    /// In comment `.0` (dropped with it).
    Comment(usize),
}

/// A start tag whose rewrite depends on values: its name and attributes (values decoded, with the
/// plan's markers in them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct DynTag {
    /// The element.
    pub name: String,
    /// Name, whether it had a namespace prefix, value.
    pub attrs: Vec<(String, bool, String)>,
}

/// What the plan-mode rewrite records beside the markup.
#[derive(Debug, Default)]
pub(super) struct PlanNotes {
    /// Each marker met, by id, with where.
    pub seen: Vec<(u32, Seen)>,
    /// The dynamic tags, by number.
    pub dyn_tags: Vec<DynTag>,
    tags: usize,
    comments: usize,
}

/// One attribute as the rewrite reads it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Attr<'s> {
    /// Local name.
    pub name: &'s str,
    /// It had a namespace prefix (`xlink:href`): dropped.
    pub prefixed: bool,
    /// Value, character references decoded.
    pub value: &'s str,
}

/// Writes a kept element's start tag as AMP accepts it: event handlers, namespaced attributes and
/// relative links left out, style attributes filtered.
pub(crate) fn write_start(out: &mut String, name: &str, attrs: &[Attr<'_>]) {
    out.push('<');
    out.push_str(name);
    for a in attrs {
        let key = a.name;
        if key.starts_with("on") || key.starts_with("xmlns") || a.prefixed {
            continue;
        }
        if key == "href" && !is_absolute_link(a.value) {
            // AMP refuses relative URLs; preview writes `#` for a link it refused.
            continue;
        }
        if key == "style" {
            // Filtered in place: the attribute is left out when nothing is kept.
            let at = out.len();
            out.push_str(" style=\"");
            let value_at = out.len();
            let kept = css::style_attribute(a.value);
            push_escaped(out, &kept);
            if out.len() == value_at {
                out.truncate(at);
            } else {
                out.push('"');
            }
        } else {
            push_attr(out, key, a.value);
        }
    }
    out.push('>');
}

/// Writes `<img>` as `<amp-img>`: `layout="responsive"` with the width and height of the markup (a
/// square when only the width is known), the alt text and class kept. Returns `None` when the
/// picture is left out (a relative or refused source), else whether it got a square box.
pub(crate) fn write_image(out: &mut String, attrs: &[Attr<'_>]) -> Option<bool> {
    let get = |key: &str| attrs.iter().find(|a| a.name == key).map(|a| a.value);
    let number = |v: Option<&str>| {
        v.and_then(|s| s.trim().trim_end_matches("px").parse::<u32>().ok())
            .filter(|n| *n > 0)
    };
    if !get("src").is_some_and(is_absolute_link) {
        // A picture preview refused (`#`) or a local file: AMP shows only absolute URLs.
        return None;
    }
    let width = number(get("width")).unwrap_or(600);
    let height = number(get("height"));
    out.push_str("<amp-img");
    for key in ["src", "alt", "class"] {
        if let Some(v) = get(key) {
            push_attr(out, key, v);
        }
    }
    push_attr(out, "width", &width.to_string());
    push_attr(out, "height", &height.unwrap_or(width).to_string());
    push_attr(out, "layout", "responsive");
    if height.is_none() {
        push_attr(out, "style", "object-fit:contain");
    }
    out.push_str("></amp-img>");
    Some(height.is_none())
}

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
    /// Rewriting marked plans (see [`super::plan`]): what was met where.
    plan: Option<PlanNotes>,
}

impl Rewriter {
    /// Records the plan markers in `s`, met at `seen`.
    fn note(&mut self, s: &str, seen: impl Fn(&Self) -> Seen) {
        if self.plan.is_none() || !s.chars().any(is_plan_char) {
            return;
        }
        let at = seen(self);
        if let Some(plan) = self.plan.as_mut() {
            for c in s.chars().filter(|c| is_plan_char(*c)) {
                plan.seen.push((u32::from(c) - ROLE_BASE, at.clone()));
            }
        }
    }

    fn buf(&mut self) -> &mut String {
        match self.open.last_mut() {
            Some((_, html)) => html,
            None => &mut self.doc,
        }
    }

    fn comment(&mut self, text: &str) {
        if let Some(plan) = self.plan.as_mut() {
            plan.comments += 1;
            let n = plan.comments;
            self.note(text, |_| Seen::Comment(n));
        }
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
        if let Some(plan) = self.plan.as_mut() {
            plan.tags += 1;
            let n = plan.tags;
            for (i, a) in tag.attrs.iter().enumerate() {
                self.note(&a.value, |_| Seen::Attr(n, i));
            }
        }
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
                let dynamic = self.plan.is_some()
                    && tag
                        .attrs
                        .iter()
                        .any(|a| matches!(&*a.name.local, "href" | "style") && a.value.chars().any(is_plan_char));
                if dynamic {
                    self.dyn_tag(tag);
                } else {
                    let mut open = String::new();
                    write_start(&mut open, name, &attrs(tag));
                    self.buf().push_str(&open);
                }
            }
        }
        TokenSinkResult::Continue
    }

    /// `<img>` as `<amp-img>` (see [`write_image`]).
    fn image(&mut self, tag: &Tag) {
        if self.plan.is_some() && tag.attrs.iter().any(|a| a.value.chars().any(is_plan_char)) {
            self.dyn_tag(tag);
            return;
        }
        let mut out = String::new();
        match write_image(&mut out, &attrs(tag)) {
            Some(square) if square => {
                self.square_images += 1;
                if self.plan.is_some() {
                    out.push(SQUARE);
                }
            }
            _ => {}
        }
        self.buf().push_str(&out);
    }

    /// Leaves a start tag whose rewrite depends on values as a numbered dynamic tag.
    fn dyn_tag(&mut self, tag: &Tag) {
        let Some(plan) = self.plan.as_mut() else { return };
        let n = u32::try_from(plan.dyn_tags.len()).unwrap_or(u32::MAX);
        plan.dyn_tags.push(DynTag {
            name: tag.name.to_string(),
            attrs: tag
                .attrs
                .iter()
                .map(|a| (a.name.local.to_string(), a.name.prefix.is_some(), a.value.to_string()))
                .collect(),
        });
        // Beyond the range the plan refuses the markup (it meets an unknown character).
        let c = DYN_BASE
            .checked_add(n)
            .filter(|c| *c < DYN_LIMIT)
            .and_then(char::from_u32)
            .unwrap_or(SQUARE);
        self.buf().push(c);
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
        self.note(text, |r| Seen::Text {
            in_head: r.in_head,
            dropping: r.dropping.clone(),
            in_style: r.in_style,
        });
        if self.in_style {
            self.css.push_str(text);
        } else if self.dropping.is_none() && !self.in_head {
            push_escaped(self.buf(), text);
        }
    }
}

/// An absolute link AMP accepts, or a Mustache tag that prints one at open time.
pub(crate) fn is_absolute_link(value: &str) -> bool {
    let v = value.trim_start().to_ascii_lowercase();
    ["https://", "http://", "mailto:", "tel:", "sms:"]
        .iter()
        .any(|p| v.starts_with(p))
        || v.starts_with(super::mustache::TAG_OPEN)
}

/// A tag's attributes as the rewrite reads them.
fn attrs(tag: &Tag) -> Vec<Attr<'_>> {
    tag.attrs
        .iter()
        .map(|a| Attr {
            name: &a.name.local,
            prefixed: a.name.prefix.is_some(),
            value: &a.value,
        })
        .collect()
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
    run(html, None).0
}

/// Rewrites marked plans (see [`super::plan`]): the markup with markers and dynamic tags, and what
/// was met where.
pub(super) fn rewrite_marked(html: &str) -> (Rewritten, PlanNotes) {
    let (rewritten, notes) = run(html, Some(PlanNotes::default()));
    (rewritten, notes.unwrap_or_default())
}

fn run(html: &str, plan: Option<PlanNotes>) -> (Rewritten, Option<PlanNotes>) {
    let sink = Sink(RefCell::new(Rewriter {
        doc: String::with_capacity(html.len()),
        open: Vec::new(),
        css: String::new(),
        regions: BTreeMap::new(),
        in_head: false,
        dropping: None,
        in_style: false,
        square_images: 0,
        plan,
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
    (
        Rewritten {
            html: r.doc,
            css: r.css,
            regions: r.regions,
            square_images: r.square_images,
        },
        r.plan,
    )
}
