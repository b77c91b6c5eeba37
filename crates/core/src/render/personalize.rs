//! Personalize: walk a compiled email's plans for one recipient, producing the subject, HTML and text
//! and the events the report is built from. Values are only ever written, escaped for where they land;
//! nothing from the recipient's data is parsed as a template.

use std::borrow::Cow;

use serde_json::Value;

use crate::amp::plan::{ANode, APart, ATag};
use crate::compile::Compiled;
use crate::compose::{BlockMeta, Gate};
use crate::escape::{is_safe_css_value, is_safe_url, push_html_escaped, push_url_component};
use crate::lang::{Cond, Format, LoopVar, Operand, Placeholder};
use crate::plan::{Escape, PNode, Part, Tables};
use crate::value::{compare, is_missing, is_truthy, lookup};

use super::memo::{self, Kind, Memo};

/// Which part of the email an event happened in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Site {
    /// The subject line.
    Subject,
    /// The preheader.
    Preheader,
    /// The skeleton around the blocks.
    Layout,
    /// The n-th top-level block.
    Block(u32),
}

/// Which fallback a placeholder used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Used {
    /// Its own `default`.
    Explicit,
    /// The data dictionary's default.
    Dictionary,
    /// None was available: it rendered empty.
    Empty,
}

/// Something the report needs to know, recorded cheaply during the walk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Event {
    /// A placeholder fell back.
    Fallback {
        /// Where.
        site: Site,
        /// Placeholder index in that site's tables.
        placeholder: u32,
        /// The innermost block (index into the site's blocks).
        block: Option<u32>,
        /// Which fallback.
        used: Used,
        /// The value was present but could not be formatted (e.g. a price that is not a number).
        unformattable: bool,
    },
    /// A block's gate failed.
    Hidden {
        /// Where.
        site: Site,
        /// Block index in that site's blocks.
        block: u32,
        /// Which gate failed.
        gate: u32,
    },
    /// A block's gates all held: it showed.
    Shown {
        /// Where.
        site: Site,
        /// Block index in that site's blocks.
        block: u32,
    },
    /// A URL value had an unsafe scheme and was replaced.
    UnsafeUrl {
        /// Where.
        site: Site,
        /// Placeholder index.
        placeholder: u32,
        /// The innermost block.
        block: Option<u32>,
    },
    /// A loop's list was missing.
    MissingList {
        /// Where.
        site: Site,
        /// Loop index in that site's tables.
        each: u32,
    },
}

/// The outputs of one render, reusable across recipients to avoid allocations.
#[derive(Debug, Default, Clone)]
pub struct Output {
    /// Subject line.
    pub subject: String,
    /// Preheader.
    pub preheader: String,
    /// HTML part.
    pub html: String,
    /// Plain-text part.
    pub text: String,
    /// What happened.
    pub events: Vec<Event>,
    /// What the HTML walk decided, for the text walk.
    memo: Memo,
}

impl Output {
    fn clear(&mut self) {
        self.subject.clear();
        self.preheader.clear();
        self.html.clear();
        self.text.clear();
        self.events.clear();
        self.memo.clear();
    }
}

#[derive(Clone, Copy)]
struct Frame<'a> {
    item: &'a Value,
    index: usize,
    len: usize,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Html,
    Text,
}

/// What writes a block's marks into the HTML (see [`personalize_marked`]).
type MarkFn<'m> = dyn FnMut(BlockEdge<'_>, &mut String) + 'm;

// The flags are independent switches of one walk (recording, replaying, memoizing, a dropped
// parenthesis), not a state machine.
#[allow(clippy::struct_excessive_bools)]
struct Walker<'a, 'm> {
    data: &'a Value,
    locale: &'a str,
    frames: Vec<Frame<'a>>,
    events: &'a mut Vec<Event>,
    record: bool,
    /// Values, conditions and gates decided so far for this recipient.
    memo: &'a mut Memo,
    /// The walk repeats one already done (the text part after the HTML): it reads the memo instead
    /// of filling it.
    replay: bool,
    /// Values, conditions and gates are remembered for a later walk (not when the walk is the only
    /// one, as the AMP part's).
    memoize: bool,
    /// Which placeholders of the part being walked the text walk prints (the others are not
    /// remembered; one missing from the memo is resolved again).
    text_values: &'a [bool],
    /// A dynamic AMP tag's attribute values, kept between tags.
    amp_values: String,
    site: Site,
    block: Option<u32>,
    /// A text-part link lost its URL: the `)` that closed ` (URL)` is dropped too.
    drop_paren: bool,
    /// Writes marks around each block nested in a top-level block (the HTML part of a marked
    /// render only), so a preview can pick blocks inside columns too.
    mark: Option<&'m mut MarkFn<'m>>,
}

/// Renders one standalone template part (e.g. a subject, or a snippet in tests) for `data`,
/// HTML-escaping values as the part's escapes say. Returns the text and the events.
#[must_use]
pub fn render_part(part: &Part, tables: &Tables, data: &Value, locale: &str) -> (String, Vec<Event>) {
    let mut events = Vec::new();
    let mut out = String::new();
    let mut memo = Memo::default();
    let mut w = Walker {
        data,
        locale,
        frames: Vec::new(),
        events: &mut events,
        record: true,
        memo: &mut memo,
        replay: false,
        memoize: true,
        text_values: &[],
        amp_values: String::new(),
        site: Site::Subject,
        block: None,
        drop_paren: false,
        mark: None,
    };
    w.walk(&part.nodes, part, tables, &[], &mut out, Mode::Html);
    (out, events)
}

/// Renders `compiled` for one recipient into `out` (cleared first).
pub fn personalize_into(compiled: &Compiled, data: &Value, out: &mut Output) {
    personalize_marked(compiled, data, out, &mut |_, _| {});
}

/// Where a block starts or ends in the HTML part (see [`render_marked`](super::render_marked)):
/// each top-level block, and each block shown inside one (in a column, or as a fallback).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockEdge<'a> {
    /// Before a top-level block's HTML; the id of the block instance.
    Start(&'a str),
    /// After a top-level block's HTML.
    End(&'a str),
    /// Before the HTML of a block inside another (in a slot, or shown as a fallback); its id.
    InnerStart(&'a str),
    /// After the HTML of a block inside another.
    InnerEnd(&'a str),
}

/// Like [`personalize_into`], with `mark` writing into the HTML part before and after each block
/// shown, top-level or nested (a mark for a nested block may write nothing) (an editor's preview wraps blocks in elements it can outline and
/// pick). The text part, the subject and the events are the same as without marks.
pub(crate) fn personalize_marked(
    compiled: &Compiled,
    data: &Value,
    out: &mut Output,
    mark: &mut dyn FnMut(BlockEdge<'_>, &mut String),
) {
    out.clear();
    let locale = compiled.settings.locale.as_str();
    let Output {
        subject,
        preheader,
        html,
        text,
        events,
        memo,
    } = out;
    let mut w = Walker {
        data,
        locale,
        frames: Vec::new(),
        events,
        record: true,
        memo,
        replay: false,
        memoize: true,
        text_values: &[],
        amp_values: String::new(),
        site: Site::Subject,
        block: None,
        drop_paren: false,
        mark: None,
    };
    let (part, tables) = &compiled.subject;
    w.walk(&part.nodes, part, tables, &[], subject, Mode::Text);
    one_line(subject);
    w.site = Site::Preheader;
    let (part, tables) = &compiled.preheader;
    w.walk(&part.nodes, part, tables, &[], preheader, Mode::Text);
    one_line(preheader);

    // The skeleton holds only the subject (in <title>) and the preheader again, whose events were
    // recorded above.
    let layout = &*compiled.layout;
    w.site = Site::Layout;
    w.text_values = &layout.text_values;
    w.record = false;
    w.walk(&layout.head.nodes, &layout.head, &layout.tables, &[], html, Mode::Html);
    w.record = true;
    w.mark = Some(mark);
    for (i, fragment) in compiled.blocks.iter().enumerate() {
        w.site = Site::Block(u32::try_from(i).unwrap_or(u32::MAX));
        w.text_values = &fragment.text_values;
        w.edge(BlockEdge::Start(&fragment.instance_id), html);
        w.walk(
            &fragment.html.nodes,
            &fragment.html,
            &fragment.tables,
            &fragment.blocks,
            html,
            Mode::Html,
        );
        w.edge(BlockEdge::End(&fragment.instance_id), html);
    }
    w.mark = None;
    w.site = Site::Layout;
    w.text_values = &layout.text_values;
    w.record = false;
    w.walk(&layout.tail.nodes, &layout.tail, &layout.tables, &[], html, Mode::Html);

    // The text part takes the same branches; its events would repeat the HTML's, and its values,
    // conditions and gates are the HTML's.
    w.replay = true;
    w.walk(
        &layout.text_head.nodes,
        &layout.text_head,
        &layout.tables,
        &[],
        text,
        Mode::Text,
    );
    for fragment in &compiled.blocks {
        w.walk(
            &fragment.text.nodes,
            &fragment.text,
            &fragment.tables,
            &fragment.blocks,
            text,
            Mode::Text,
        );
    }
    w.walk(
        &layout.text_tail.nodes,
        &layout.text_tail,
        &layout.tables,
        &[],
        text,
        Mode::Text,
    );
    finish_text(text);
}

/// Subjects and preheaders are one line: no line breaks can reach a mail header.
fn one_line(s: &mut String) {
    if s.contains(|c: char| c.is_control()) || s.starts_with(' ') || s.ends_with(' ') || s.contains("  ") {
        let collapsed = s
            .split(|c: char| c.is_whitespace() || c.is_control())
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        *s = collapsed;
    }
}

fn finish_text(s: &mut String) {
    let trimmed_end = s.trim_end().len();
    s.truncate(trimmed_end);
    let leading = s.len() - s.trim_start_matches('\n').len();
    s.drain(..leading);
    if !s.is_empty() {
        s.push('\n');
    }
}

/// Appends text, keeping at most one blank line between paragraphs.
fn push_text(out: &mut String, s: &str) {
    let trailing = out.bytes().rev().take_while(|b| *b == b'\n').count().min(2);
    let s = if trailing > 0 {
        let leading = s.bytes().take_while(|b| *b == b'\n').count();
        let keep = leading.min(2 - trailing);
        &s[leading - keep..]
    } else {
        s
    };
    out.push_str(s);
}

/// Renders the AMP plan `part` (see `crate::amp::plan`) of a compiled email's part whose tags are
/// `tables` and `blocks`, for the recipient `data`, into `out`; pictures given a square box are
/// counted in `squares`. Only values are resolved: no events, no memo.
pub(crate) fn personalize_amp(
    locale: &str,
    data: &Value,
    part: &APart,
    (tables, blocks): (&Tables, &[BlockMeta]),
    out: &mut String,
    squares: &mut usize,
) {
    let mut events = Vec::new();
    let mut memo = Memo::default();
    let mut w = Walker {
        data,
        locale,
        frames: Vec::new(),
        events: &mut events,
        record: false,
        memo: &mut memo,
        replay: false,
        memoize: false,
        text_values: &[],
        amp_values: String::new(),
        site: Site::Layout,
        block: None,
        drop_paren: false,
        mark: None,
    };
    w.walk_amp(&part.nodes, part, tables, blocks, out, false, squares);
}

impl<'a> Walker<'a, '_> {
    /// Writes a block's mark, when marking.
    fn edge(&mut self, edge: BlockEdge<'_>, out: &mut String) {
        if let Some(mark) = self.mark.as_mut() {
            mark(edge, out);
        }
    }

    fn walk(
        &mut self,
        nodes: &'a [PNode],
        part: &'a Part,
        tables: &'a Tables,
        blocks: &'a [BlockMeta],
        out: &mut String,
        mode: Mode,
    ) {
        for node in nodes {
            match node {
                PNode::Lit(start, end) => {
                    let lit = &part.lits[*start as usize..*end as usize];
                    match mode {
                        Mode::Html => out.push_str(lit),
                        Mode::Text if std::mem::take(&mut self.drop_paren) => {
                            push_text(out, lit.strip_prefix(')').unwrap_or(lit));
                        }
                        Mode::Text => push_text(out, lit),
                    }
                }
                PNode::Value(index, escape) => {
                    if let Some(ph) = tables.placeholders.get(*index as usize) {
                        let key = self.key(std::ptr::from_ref(tables) as usize, Kind::Value, *index);
                        self.value(ph, *index, *escape, key, out);
                    }
                }
                PNode::If(index, then, otherwise) => {
                    let holds = self.decide(tables, *index);
                    self.walk(if holds { then } else { otherwise }, part, tables, blocks, out, mode);
                }
                PNode::Each(index, body, otherwise) => {
                    let Some(info) = tables.eaches.get(*index as usize) else {
                        continue;
                    };
                    let list = self.path(&info.path);
                    match list {
                        Some(Value::Array(items)) if !items.is_empty() => {
                            let len = info.limit.map_or(items.len(), |l| l.min(items.len()));
                            for (i, item) in items.iter().take(len).enumerate() {
                                self.frames.push(Frame { item, index: i, len });
                                self.walk(body, part, tables, blocks, out, mode);
                                self.frames.pop();
                            }
                        }
                        other => {
                            if self.record && matches!(other, None | Some(Value::Null)) {
                                self.events.push(Event::MissingList {
                                    site: self.site,
                                    each: *index,
                                });
                            }
                            self.walk(otherwise, part, tables, blocks, out, mode);
                        }
                    }
                }
                PNode::Block(index, body, otherwise) => {
                    let global = tables.blocks.get(*index as usize).copied().unwrap_or(u32::MAX);
                    let failed = self.gates(blocks, global);
                    let outer = self.block.replace(global);
                    // A block inside a top-level one (its own block is marked by the caller).
                    let nested = outer.is_some() && matches!(mode, Mode::Html);
                    let id = blocks.get(global as usize).map(|meta| meta.id.as_str());
                    match failed {
                        None => {
                            if self.record {
                                self.events.push(Event::Shown {
                                    site: self.site,
                                    block: global,
                                });
                            }
                            if let Some(id) = id.filter(|_| nested) {
                                self.edge(BlockEdge::InnerStart(id), out);
                            }
                            self.walk(body, part, tables, blocks, out, mode);
                            if let Some(id) = id.filter(|_| nested) {
                                self.edge(BlockEdge::InnerEnd(id), out);
                            }
                        }
                        Some(gate) => {
                            if self.record {
                                self.events.push(Event::Hidden {
                                    site: self.site,
                                    block: global,
                                    gate,
                                });
                            }
                            self.walk(otherwise, part, tables, blocks, out, mode);
                        }
                    }
                    self.block = outer;
                }
            }
        }
    }

    /// Walks AMP plan nodes (see [`personalize_amp`]); `raw`: writing a dynamic tag's attribute
    /// value, decoded.
    #[allow(clippy::too_many_arguments)]
    fn walk_amp(
        &mut self,
        nodes: &'a [ANode],
        part: &'a APart,
        tables: &'a Tables,
        blocks: &'a [BlockMeta],
        out: &mut String,
        raw: bool,
        squares: &mut usize,
    ) {
        for node in nodes {
            match node {
                ANode::Lit(start, end) => out.push_str(part.lits.get(*start as usize..*end as usize).unwrap_or("")),
                ANode::Value { index, escape, attr } => {
                    if let Some(ph) = tables.placeholders.get(*index as usize) {
                        let text = self.resolve(ph, *index);
                        let html: fn(&mut String, &str) = match (raw, attr) {
                            (true, _) => crate::amp::markup::push_amp_raw,
                            (false, true) => crate::amp::markup::push_amp_attr,
                            (false, false) => crate::amp::markup::push_amp_text,
                        };
                        let unsafe_url = Event::UnsafeUrl {
                            site: self.site,
                            placeholder: *index,
                            block: self.block,
                        };
                        write_value(&text, *escape, out, (None, unsafe_url), &mut self.drop_paren, html);
                    }
                }
                ANode::If(index, then, otherwise) => {
                    let holds = self.decide(tables, *index);
                    let branch = if holds { then } else { otherwise };
                    self.walk_amp(branch, part, tables, blocks, out, raw, squares);
                }
                ANode::Each(index, body, otherwise) => {
                    let Some(info) = tables.eaches.get(*index as usize) else {
                        continue;
                    };
                    match self.path(&info.path) {
                        Some(Value::Array(items)) if !items.is_empty() => {
                            let len = info.limit.map_or(items.len(), |l| l.min(items.len()));
                            for (i, item) in items.iter().take(len).enumerate() {
                                self.frames.push(Frame { item, index: i, len });
                                self.walk_amp(body, part, tables, blocks, out, raw, squares);
                                self.frames.pop();
                            }
                        }
                        _ => self.walk_amp(otherwise, part, tables, blocks, out, raw, squares),
                    }
                }
                ANode::Block(index, body, otherwise) => {
                    let global = tables.blocks.get(*index as usize).copied().unwrap_or(u32::MAX);
                    let outer = self.block.replace(global);
                    let branch = if self.gates(blocks, global).is_none() {
                        body
                    } else {
                        otherwise
                    };
                    self.walk_amp(branch, part, tables, blocks, out, raw, squares);
                    self.block = outer;
                }
                ANode::Tag(tag) => self.amp_tag(tag, part, tables, blocks, out, squares),
                ANode::Square => *squares += 1,
            }
        }
    }

    /// A start tag whose AMP form depends on values: its attributes rendered, then rewritten.
    fn amp_tag(
        &mut self,
        tag: &'a ATag,
        part: &'a APart,
        tables: &'a Tables,
        blocks: &'a [BlockMeta],
        out: &mut String,
        squares: &mut usize,
    ) {
        let mut values = std::mem::take(&mut self.amp_values);
        values.clear();
        let mut ends = Vec::with_capacity(tag.attrs.len());
        for (_, _, nodes) in &tag.attrs {
            self.walk_amp(nodes, part, tables, blocks, &mut values, true, squares);
            ends.push(values.len());
        }
        let attrs: Vec<crate::amp::markup::Attr<'_>> = tag
            .attrs
            .iter()
            .zip(&ends)
            .scan(0, |start, ((name, prefixed, _), end)| {
                let value = values.get(*start..*end).unwrap_or("");
                *start = *end;
                Some(crate::amp::markup::Attr {
                    name,
                    prefixed: *prefixed,
                    value,
                })
            })
            .collect();
        if tag.name == "img" {
            if crate::amp::markup::write_image(out, &attrs) == Some(true) {
                *squares += 1;
            }
        } else {
            crate::amp::markup::write_start(out, &tag.name, &attrs);
        }
        drop(attrs);
        self.amp_values = values;
    }

    /// Where the walk is, as a memo key.
    fn key(&self, owner: usize, kind: Kind, index: u32) -> Option<memo::Key> {
        if !self.memoize {
            return None;
        }
        memo::key(
            owner,
            kind,
            index,
            memo::loop_position(self.frames.iter().map(|f| f.index)),
        )
    }

    /// Condition `index` of `tables`, decided once per recipient and place.
    fn decide(&mut self, tables: &'a Tables, index: u32) -> bool {
        let key = self.key(std::ptr::from_ref(tables) as usize, Kind::Cond, index);
        if self.replay {
            if let Some(holds) = key.as_ref().and_then(|k| self.memo.cond(k)) {
                return holds;
            }
        }
        let holds = tables.conds.get(index as usize).is_some_and(|c| self.eval(c));
        if let (false, Some(key)) = (self.replay, key) {
            self.memo.put_cond(key, holds);
        }
        holds
    }

    /// The gate of block `global` that fails, decided once per recipient and place.
    fn gates(&mut self, blocks: &'a [BlockMeta], global: u32) -> Option<u32> {
        let key = self.key(blocks.as_ptr() as usize, Kind::Gate, global);
        if self.replay {
            if let Some(memo::Gates(failed)) = key.as_ref().and_then(|k| self.memo.gate(k)) {
                return failed;
            }
        }
        let failed = blocks.get(global as usize).and_then(|meta| self.failed_gate(meta));
        if let (false, Some(key)) = (self.replay, key) {
            self.memo.put_gate(key, failed);
        }
        failed
    }

    fn failed_gate(&self, meta: &BlockMeta) -> Option<u32> {
        meta.gates
            .iter()
            .position(|gate| match gate {
                Gate::Requires { path, .. } => is_missing(lookup(self.data, &path.segments)),
                Gate::ShowIf { cond, .. } => !self.eval(cond),
                Gate::HideIf { cond, .. } => self.eval(cond),
            })
            .map(|i| u32::try_from(i).unwrap_or(u32::MAX))
    }

    fn path(&self, path: &crate::lang::DataPath) -> Option<&'a Value> {
        let base = if path.root {
            self.data
        } else {
            let up = path.up as usize;
            match self.frames.len().checked_sub(up + 1).and_then(|i| self.frames.get(i)) {
                Some(frame) => frame.item,
                None => self.data,
            }
        };
        lookup(base, &path.segments)
    }

    fn operand(&self, op: &'a Operand) -> Option<Cow<'a, Value>> {
        match op {
            Operand::Path(p) => self.path(p).map(Cow::Borrowed),
            Operand::Literal(v) => Some(Cow::Borrowed(v)),
            Operand::Loop(var) => {
                let frame = self.frames.last()?;
                Some(Cow::Owned(match var {
                    LoopVar::Index => Value::from(frame.index),
                    LoopVar::First => Value::Bool(frame.index == 0),
                    LoopVar::Last => Value::Bool(frame.index + 1 == frame.len),
                }))
            }
        }
    }

    fn eval(&self, cond: &'a Cond) -> bool {
        match cond {
            Cond::Truthy(op) => self.operand(op).is_some_and(|v| is_truthy(&v)),
            Cond::Compare(op, a, b) => {
                let null = Value::Null;
                let a = self.operand(a);
                let b = self.operand(b);
                compare(*op, a.as_deref().unwrap_or(&null), b.as_deref().unwrap_or(&null))
            }
            Cond::And(parts) => parts.iter().all(|c| self.eval(c)),
            Cond::Or(parts) => parts.iter().any(|c| self.eval(c)),
            Cond::Not(inner) => !self.eval(inner),
            Cond::InSegment(name) => match self.data.get("segments") {
                Some(Value::Array(segments)) => segments.iter().any(|s| s.as_str() == Some(name.as_str())),
                _ => false,
            },
            Cond::Const(b) => *b,
        }
    }

    fn value(&mut self, ph: &'a Placeholder, index: u32, escape: Escape, key: Option<memo::Key>, out: &mut String) {
        let unsafe_url = Event::UnsafeUrl {
            site: self.site,
            placeholder: index,
            block: self.block,
        };
        let events = if self.record { Some(&mut *self.events) } else { None };
        if self.replay {
            if let Some(text) = key.as_ref().and_then(|k| self.memo.value(k)) {
                write_value(
                    text,
                    escape,
                    out,
                    (events, unsafe_url),
                    &mut self.drop_paren,
                    push_html_escaped,
                );
                return;
            }
        }
        let text = self.resolve(ph, index);
        let printed = self.text_values.get(index as usize).copied().unwrap_or(false);
        if let (false, true, Some(key)) = (self.replay, printed, key) {
            self.memo.put_value(key, &text);
        }
        let events = if self.record { Some(&mut *self.events) } else { None };
        write_value(
            &text,
            escape,
            out,
            (events, unsafe_url),
            &mut self.drop_paren,
            push_html_escaped,
        );
    }

    /// A placeholder's text for this recipient: its value formatted, or its fallback (recorded).
    fn resolve(&mut self, ph: &'a Placeholder, index: u32) -> Cow<'a, str> {
        let raw = self.operand(&ph.value);
        let mut unformattable = false;
        let formatted = match &raw {
            Some(v) if !is_missing(Some(v)) => {
                // Loop variables are made on the spot: their text is owned.
                let s = match v {
                    Cow::Borrowed(v) => self.format(v, &ph.format),
                    Cow::Owned(v) => self.format(v, &ph.format).map(|s| Cow::Owned(s.into_owned())),
                };
                unformattable = s.is_none();
                s
            }
            _ => None,
        };
        if let Some(s) = formatted {
            s
        } else {
            let (text, used) = if let Some(explicit) = &ph.fallback {
                (Cow::Borrowed(explicit.as_str()), Used::Explicit)
            } else if let Some(default) = ph.dictionary_default.as_ref().and_then(|d| self.format(d, &ph.format)) {
                (default, Used::Dictionary)
            } else if let (Some(Value::String(blank)), Format::Plain) = (raw.as_deref(), &ph.format) {
                // Nothing better exists: a blank value prints as it is.
                (Cow::Owned(blank.clone()), Used::Empty)
            } else {
                (Cow::Borrowed(""), Used::Empty)
            };
            if self.record {
                self.events.push(Event::Fallback {
                    site: self.site,
                    placeholder: index,
                    block: self.block,
                    used,
                    unformattable,
                });
            }
            text
        }
    }

    /// Formats a present value; `None` when it cannot be (e.g. a price that is not a number).
    fn format<'v>(&self, v: &'v Value, format: &'a Format) -> Option<Cow<'v, str>> {
        let plain = || -> Option<Cow<'v, str>> {
            match v {
                Value::String(s) => Some(Cow::Borrowed(s.as_str())),
                Value::Number(n) => Some(Cow::Owned(n.to_string())),
                Value::Bool(b) => Some(Cow::Borrowed(if *b { "true" } else { "false" })),
                _ => None,
            }
        };
        let locale = |l: &'a Option<Operand>| -> Cow<'a, str> {
            match l.as_ref().and_then(|op| self.operand(op)) {
                Some(Cow::Borrowed(Value::String(s))) if !s.trim().is_empty() => Cow::Borrowed(s.as_str()),
                Some(Cow::Owned(Value::String(s))) if !s.trim().is_empty() => Cow::Owned(s),
                _ => Cow::Borrowed(self.locale),
            }
        };
        match format {
            Format::Plain => plain(),
            Format::Upper => plain().map(|s| Cow::Owned(crate::format::upper(&s))),
            Format::Lower => plain().map(|s| Cow::Owned(crate::format::lower(&s))),
            Format::Capitalize => plain().map(|s| Cow::Owned(crate::format::capitalize(&s))),
            Format::Currency { code, locale: loc } => {
                let code = self.operand(code)?;
                let code = code.as_str()?;
                let loc = locale(loc);
                match v {
                    Value::Number(n) => {
                        let mut digits = NumberText::default();
                        if std::fmt::Write::write_fmt(&mut digits, format_args!("{n}")).is_ok() {
                            crate::format::currency_from_str(digits.as_str(), code, &loc)
                        } else {
                            crate::format::currency_from_str(&n.to_string(), code, &loc)
                        }
                        .ok()
                        .map(Cow::Owned)
                    }
                    Value::String(s) => crate::format::currency_from_str(s, code, &loc).ok().map(Cow::Owned),
                    _ => None,
                }
            }
            Format::Date { style, locale: loc } => {
                let s = v.as_str()?;
                crate::format::date(s, *style, &locale(loc)).ok().map(Cow::Owned)
            }
        }
    }
}

/// A JSON number's text, written on the stack (no allocation per price); a number too long for
/// it reports an error and is written the usual way.
#[derive(Default)]
struct NumberText {
    bytes: [u8; 32],
    len: usize,
}

impl NumberText {
    fn as_str(&self) -> &str {
        std::str::from_utf8(self.bytes.get(..self.len).unwrap_or_default()).unwrap_or_default()
    }
}

impl std::fmt::Write for NumberText {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let end = self.len + s.len();
        let slot = self.bytes.get_mut(self.len..end).ok_or(std::fmt::Error)?;
        slot.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// Writes a placeholder's text where it lands: escaped for HTML, kept as text, as a URL component or
/// a whole URL (an unsafe one is replaced and recorded in `unsafe_url`'s events, when recording), or
/// a CSS value. `html` escapes text for markup (the HTML part's escaper, or the AMP part's).
fn write_value(
    text: &str,
    escape: Escape,
    out: &mut String,
    unsafe_url: (Option<&mut Vec<Event>>, Event),
    drop_paren: &mut bool,
    html: fn(&mut String, &str),
) {
    match escape {
        Escape::Html => html(out, text),
        Escape::Text => push_text(out, text),
        Escape::UrlPart => push_url_component(out, text),
        Escape::UrlStart | Escape::TextUrlStart => {
            let safe = is_safe_url(text);
            if escape == Escape::TextUrlStart && (text.trim().is_empty() || !safe) && out.ends_with(" (") {
                // `label (URL)` with no URL to show: just the label.
                out.truncate(out.len() - 2);
                *drop_paren = true;
            }
            if text.is_empty() || safe {
                if escape == Escape::UrlStart {
                    html(out, text.trim());
                } else {
                    out.push_str(text.trim());
                }
            } else {
                if let Some(events) = unsafe_url.0 {
                    events.push(unsafe_url.1);
                }
                if escape == Escape::UrlStart {
                    out.push('#');
                }
            }
        }
        Escape::Css => {
            if is_safe_css_value(text) {
                out.push_str(text);
            }
        }
    }
}
