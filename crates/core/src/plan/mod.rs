//! The render plan: literal spans, escaped values, branches and loops, walked once per recipient.
//!
//! A composed template becomes a plan in three steps: every template tag is replaced by a marker that
//! survives an HTML parser in its place (a comment between elements, a private-use character sequence
//! in text and attributes), the marked HTML goes through the CSS inliner (and the text converter), and
//! the result is split at the markers back into literal spans and tags.
//!
//! The plan sits between the language and composing: compose uses the marker pass to sanitize rich
//! text that holds placeholders, compile to inline CSS around tags, render and export walk the
//! parts. Other crates see it as [`crate::compile::plan`].

mod scan;

use crate::lang::{Cond, DataPath, Node, Placeholder};
use crate::markers::{COMMENT_CLOSE, COMMENT_OPEN, MARK_CLOSE, MARK_OPEN};
use scan::{AttrKind, Scanner, Spot};

/// How a value is escaped where it lands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Escape {
    /// HTML text or a plain attribute.
    Html,
    /// A whole URL in `href`/`src`: only safe schemes pass, then HTML-escaped.
    UrlStart,
    /// Part of a URL after literal text: percent-encoded.
    UrlPart,
    /// Inside an inline `style`: only safe characters pass.
    Css,
    /// Plain text (text part, subject).
    Text,
    /// A whole URL in the text part.
    TextUrlStart,
}

/// A plan node; literals are spans of the part's `lits`.
#[derive(Debug, Clone, PartialEq)]
pub enum PNode {
    /// `lits[start..end]`.
    Lit(u32, u32),
    /// Placeholder `index` of the tables, escaped as given.
    Value(u32, Escape),
    /// Condition `index`: then, otherwise.
    If(u32, Vec<PNode>, Vec<PNode>),
    /// Loop `index`: body, empty case.
    Each(u32, Vec<PNode>, Vec<PNode>),
    /// Block `index` (of the tables' blocks): its markup, its fallback.
    Block(u32, Vec<PNode>, Vec<PNode>),
}

/// A sequence of plan nodes with their literal text.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Part {
    /// All literal text, referenced by spans.
    pub lits: String,
    /// The nodes.
    pub nodes: Vec<PNode>,
}

/// A loop of the plan.
#[derive(Debug, Clone, PartialEq)]
pub struct EachInfo {
    /// The array.
    pub path: DataPath,
    /// Its dictionary key.
    pub field: Option<String>,
    /// At most this many items.
    pub limit: Option<usize>,
}

/// The tags of a plan, referenced by index from its nodes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tables {
    /// Printed values.
    pub placeholders: Vec<Placeholder>,
    /// Conditions.
    pub conds: Vec<Cond>,
    /// Loops.
    pub eaches: Vec<EachInfo>,
    /// Block instances (indices into the owner's block list).
    pub blocks: Vec<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Role {
    Value(u32, Escape),
    OpenIf(u32),
    OpenEach(u32),
    OpenBlock(u32),
    Else,
    Close,
}

impl Role {
    fn is_value(self) -> bool {
        matches!(self, Self::Value(..))
    }
}

/// Why marked markup could not become a plan.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PlanError {
    /// A template tag stands where HTML cannot hold it.
    #[error("`{tag}` stands {place}")]
    Misplaced {
        /// The tag.
        tag: String,
        /// Where.
        place: String,
    },
    /// Text sits where an HTML parser would move it.
    #[error("{0}")]
    MovedText(&'static str),
    /// Literal text after a template tag in a URL attribute could complete an unsafe scheme.
    #[error("the URL text `{0}` after a template tag could make the link's scheme unsafe (a tag that prints nothing would leave e.g. `javascript:`); write the scheme (https://...) before the first tag")]
    UnsafeUrlTail(String),
    /// The HTML parser moved or dropped a tag.
    #[error("the HTML around a template tag is malformed: tags were moved or lost when the markup was parsed (check that every element opened inside {{{{#if}}}} or {{{{#each}}}} is closed inside it)")]
    Reordered,
}

/// Marked markup ready for the inliner, with what each marker stands for.
#[derive(Debug, Clone)]
pub struct Marked {
    /// The markup with markers.
    pub html: String,
    roles: Vec<Role>,
    /// The tags.
    pub tables: Tables,
}

/// Replaces the tags of `nodes` by markers. `blocks` maps block nodes to their index in the owner.
///
/// # Errors
/// A tag where HTML cannot hold it, or text a parser would move.
pub fn mark(nodes: Vec<Node>, html_context: bool) -> Result<Marked, PlanError> {
    let mut m = Marker {
        out: String::new(),
        roles: Vec::new(),
        tables: Tables::default(),
        scanner: Scanner::new(),
        html_context,
    };
    m.nodes(nodes)?;
    Ok(Marked {
        html: m.out,
        roles: m.roles,
        tables: m.tables,
    })
}

struct Marker {
    out: String,
    roles: Vec<Role>,
    tables: Tables,
    scanner: Scanner,
    html_context: bool,
}

impl Marker {
    fn nodes(&mut self, nodes: Vec<Node>) -> Result<(), PlanError> {
        for node in nodes {
            match node {
                Node::Html(html) => {
                    if self.html_context {
                        self.scanner.feed(&html).map_err(PlanError::MovedText)?;
                        self.url_check()?;
                    }
                    self.out.push_str(&html);
                }
                Node::Value(ph) => {
                    let escape = self.value_escape(&ph.source)?;
                    self.note_tag()?;
                    let index = push(&mut self.tables.placeholders, *ph);
                    self.marker(Role::Value(index, escape), true);
                    self.scanner.note_value();
                }
                Node::If { cond, then, otherwise } => {
                    let index = push(&mut self.tables.conds, cond);
                    self.structure(Role::OpenIf(index), then, otherwise)?;
                }
                Node::Each {
                    path,
                    field,
                    limit,
                    body,
                    otherwise,
                } => {
                    let index = push(&mut self.tables.eaches, EachInfo { path, field, limit });
                    self.structure(Role::OpenEach(index), body, otherwise)?;
                }
                Node::Block { index, body, otherwise } => {
                    let local = push(&mut self.tables.blocks, index);
                    self.structure(Role::OpenBlock(local), body, otherwise)?;
                }
            }
        }
        Ok(())
    }

    fn structure(&mut self, open: Role, then: Vec<Node>, otherwise: Vec<Node>) -> Result<(), PlanError> {
        self.structural_marker(open, "{{#...}}")?;
        self.nodes(then)?;
        self.structural_marker(Role::Else, "{{else}}")?;
        self.nodes(otherwise)?;
        self.structural_marker(Role::Close, "{{/...}}")
    }

    fn structural_marker(&mut self, role: Role, tag: &str) -> Result<(), PlanError> {
        if self.html_context && self.scanner.innermost() == Some("table") {
            // A parser would open an implicit <tbody> after the marker, inside the loop or branch,
            // and repeat it per item; opening it explicitly keeps rows in one body.
            self.out.push_str("<tbody>");
            self.scanner.feed("<tbody>").map_err(PlanError::MovedText)?;
        }
        let inline = match self.spot() {
            Spot::Text | Spot::TableText => false,
            Spot::Attr {
                kind: AttrKind::Script, ..
            } => return Err(misplaced(tag, "in an event-handler attribute")),
            Spot::Attr { .. } | Spot::Comment(_) | Spot::RawText => true,
            Spot::Forbidden(place) => return Err(misplaced(tag, place)),
        };
        self.note_tag()?;
        self.marker(role, inline);
        Ok(())
    }

    fn note_tag(&mut self) -> Result<(), PlanError> {
        if self.html_context {
            self.scanner.note_tag();
            self.url_check()?;
        }
        Ok(())
    }

    fn url_check(&mut self) -> Result<(), PlanError> {
        match self.scanner.take_unsafe_url() {
            Some(tail) => Err(PlanError::UnsafeUrlTail(tail)),
            None => Ok(()),
        }
    }

    fn spot(&self) -> Spot {
        if self.html_context {
            self.scanner.spot()
        } else {
            Spot::Text
        }
    }

    fn value_escape(&self, tag: &str) -> Result<Escape, PlanError> {
        let spot = match self.spot() {
            Spot::Comment(inner) => *inner,
            other => other,
        };
        Ok(match spot {
            Spot::Text
            | Spot::RawText
            | Spot::Comment(_)
            | Spot::Attr {
                kind: AttrKind::Plain, ..
            } => Escape::Html,
            Spot::TableText => {
                return Err(PlanError::MovedText(
                    "a value directly inside a <table> or <tr> (outside any <td>) would be moved by email clients",
                ))
            }
            Spot::Attr {
                kind: AttrKind::Url,
                at_start: true,
            } => Escape::UrlStart,
            Spot::Attr {
                kind: AttrKind::Url,
                at_start: false,
            } => Escape::UrlPart,
            Spot::Attr {
                kind: AttrKind::Css, ..
            } => Escape::Css,
            Spot::Attr {
                kind: AttrKind::Script, ..
            } => return Err(misplaced(tag, "in an event-handler attribute")),
            Spot::Forbidden(place) => return Err(misplaced(tag, place)),
        })
    }

    fn marker(&mut self, role: Role, inline: bool) {
        let id = self.roles.len();
        self.roles.push(role);
        if inline {
            self.out.push(MARK_OPEN);
            self.out.push_str(&id.to_string());
            self.out.push(MARK_CLOSE);
        } else {
            self.out.push_str(COMMENT_OPEN);
            self.out.push_str(&id.to_string());
            self.out.push_str(COMMENT_CLOSE);
        }
    }
}

fn misplaced(tag: &str, place: &str) -> PlanError {
    PlanError::Misplaced {
        tag: tag.to_owned(),
        place: place.to_owned(),
    }
}

fn push<T>(v: &mut Vec<T>, item: T) -> u32 {
    v.push(item);
    u32::try_from(v.len() - 1).unwrap_or(u32::MAX)
}

/// Which output a split builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// The HTML part: markers must come back in order, literal `{{` is neutralized.
    Html,
    /// The text part: values may move (a link's URL follows its text) or vanish (hidden markup).
    Text,
}

impl Marked {
    /// Splits processed markup (inlined HTML, or text derived from it) back into a plan part.
    ///
    /// # Errors
    /// Markers moved or lost by the processing.
    pub fn split(&self, processed: &str, output: Output) -> Result<Part, PlanError> {
        let mut part = Part {
            lits: String::with_capacity(processed.len()),
            nodes: Vec::new(),
        };
        let mut stack: Vec<(Role, Vec<PNode>, Option<Vec<PNode>>)> = Vec::new();
        let mut current: Vec<PNode> = Vec::new();
        let mut next_expected = 0usize;
        let mut seen = vec![false; self.roles.len()];
        let mut rest = processed;
        loop {
            let (lit, found) = next_marker(rest);
            push_lit(&mut part.lits, &mut current, lit, output);
            let Some((id, after)) = found else { break };
            rest = after;
            let role = *self.roles.get(id).ok_or(PlanError::Reordered)?;
            match seen.get_mut(id) {
                Some(seen @ false) => *seen = true,
                _ => return Err(PlanError::Reordered),
            }
            if output == Output::Html {
                if id != next_expected {
                    return Err(PlanError::Reordered);
                }
                next_expected += 1;
            }
            match role {
                Role::Value(index, escape) => {
                    let escape = match (output, escape) {
                        (Output::Text, Escape::UrlStart) => Escape::TextUrlStart,
                        (Output::Text, Escape::UrlPart) => Escape::UrlPart,
                        (Output::Text, _) => Escape::Text,
                        (Output::Html, e) => e,
                    };
                    current.push(PNode::Value(index, escape));
                }
                Role::OpenIf(_) | Role::OpenEach(_) | Role::OpenBlock(_) => {
                    stack.push((role, std::mem::take(&mut current), None));
                }
                Role::Else => {
                    let top = stack.last_mut().ok_or(PlanError::Reordered)?;
                    if top.2.is_some() {
                        return Err(PlanError::Reordered);
                    }
                    top.2 = Some(std::mem::take(&mut current));
                }
                Role::Close => {
                    let (open, parent, then) = stack.pop().ok_or(PlanError::Reordered)?;
                    let then = then.ok_or(PlanError::Reordered)?;
                    let otherwise = std::mem::replace(&mut current, parent);
                    current.push(match open {
                        Role::OpenIf(i) => PNode::If(i, then, otherwise),
                        Role::OpenEach(i) => PNode::Each(i, then, otherwise),
                        Role::OpenBlock(i) => PNode::Block(i, then, otherwise),
                        _ => return Err(PlanError::Reordered),
                    });
                }
            }
        }
        if !stack.is_empty() {
            return Err(PlanError::Reordered);
        }
        // Every structural marker must survive in both outputs; values may vanish from the text.
        let lost = seen
            .iter()
            .zip(&self.roles)
            .any(|(seen, role)| !seen && (output == Output::Html || !role.is_value()));
        if lost {
            return Err(PlanError::Reordered);
        }
        part.nodes = current;
        Ok(part)
    }

    /// The plan part straight from the marked markup, with no processing in between.
    ///
    /// # Errors
    /// Never for markup this module marked; kept fallible for symmetry.
    pub fn into_part(self, output: Output) -> Result<(Part, Tables), PlanError> {
        let part = self.split(&self.html, output)?;
        Ok((part, self.tables))
    }
}

/// Which of `count` placeholders the nodes of `parts` print.
pub(crate) fn values_printed(parts: &[&Part], count: usize) -> Vec<bool> {
    fn visit(nodes: &[PNode], out: &mut [bool]) {
        for node in nodes {
            match node {
                PNode::Lit(..) => {}
                PNode::Value(index, _) => {
                    if let Some(slot) = out.get_mut(*index as usize) {
                        *slot = true;
                    }
                }
                PNode::If(_, a, b) | PNode::Each(_, a, b) | PNode::Block(_, a, b) => {
                    visit(a, out);
                    visit(b, out);
                }
            }
        }
    }
    let mut out = vec![false; count];
    for part in parts {
        visit(&part.nodes, &mut out);
    }
    out
}

/// Finds the next marker: the literal before it, and its id with the rest after it.
fn next_marker(s: &str) -> (&str, Option<(usize, &str)>) {
    let mut search = 0;
    while let Some(pos) = s[search..].find([MARK_OPEN, '<']).map(|p| p + search) {
        let tail = &s[pos..];
        if let Some(body) = tail.strip_prefix(MARK_OPEN) {
            if let Some(end) = body.find(MARK_CLOSE) {
                if let Ok(id) = body[..end].parse::<usize>() {
                    return (&s[..pos], Some((id, &body[end + MARK_CLOSE.len_utf8()..])));
                }
            }
        } else if let Some(body) = tail.strip_prefix(COMMENT_OPEN) {
            if let Some(end) = body.find(COMMENT_CLOSE) {
                if let Ok(id) = body[..end].parse::<usize>() {
                    return (&s[..pos], Some((id, &body[end + COMMENT_CLOSE.len()..])));
                }
            }
        }
        search = pos + tail.chars().next().map_or(1, char::len_utf8);
    }
    (s, None)
}

fn push_lit(lits: &mut String, nodes: &mut Vec<PNode>, lit: &str, output: Output) {
    if lit.is_empty() {
        return;
    }
    let start = lits.len();
    if output == Output::Html && lit.contains("{{") {
        // Literal text never carries a live template delimiter into the output.
        lits.push_str(&lit.replace("{{", "{&#123;"));
    } else {
        lits.push_str(lit);
    }
    let (start, end) = (to_u32(start), to_u32(lits.len()));
    if let Some(PNode::Lit(_, last_end)) = nodes.last_mut() {
        if *last_end == start {
            *last_end = end;
            return;
        }
    }
    nodes.push(PNode::Lit(start, end));
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Turns a plan part back into template nodes (used where markup is processed mid-compose, such as
/// sanitizing rich text with placeholders in it); `None` when the part refers to a table entry that
/// is not there.
pub(crate) fn to_nodes(part: &Part, tables: &Tables) -> Option<Vec<Node>> {
    part.nodes.iter().map(|n| to_node(n, part, tables)).collect()
}

fn to_node(node: &PNode, part: &Part, tables: &Tables) -> Option<Node> {
    let list = |nodes: &[PNode]| {
        nodes
            .iter()
            .map(|n| to_node(n, part, tables))
            .collect::<Option<Vec<_>>>()
    };
    let at = |i: &u32| *i as usize;
    Some(match node {
        PNode::Lit(s, e) => Node::Html(part.lits.get(at(s)..at(e))?.to_owned()),
        PNode::Value(i, _) => Node::Value(Box::new(tables.placeholders.get(at(i))?.clone())),
        PNode::If(i, t, o) => Node::If {
            cond: tables.conds.get(at(i))?.clone(),
            then: list(t)?,
            otherwise: list(o)?,
        },
        PNode::Each(i, b, o) => {
            let info = tables.eaches.get(at(i))?;
            Node::Each {
                path: info.path.clone(),
                field: info.field.clone(),
                limit: info.limit,
                body: list(b)?,
                otherwise: list(o)?,
            }
        }
        PNode::Block(i, b, o) => Node::Block {
            index: *tables.blocks.get(at(i))?,
            body: list(b)?,
            otherwise: list(o)?,
        },
    })
}
