//! The AMP part as a plan, made once per compiled version: the email's HTML plans (skeleton and
//! blocks) are written out with one marker character per template tag, rewritten once by
//! [`markup`](super::markup) as AMP markup, and split back at the markers into nodes the renderer
//! walks per recipient, like the HTML plan. Values are written as the token-by-token rewrite would
//! have read them (escaped for AMP text or attributes); a start tag whose rewrite depends on a
//! value (`img`, `href`, `style`) is rewritten per recipient by the same functions.
//!
//! Markup the plan cannot carry (a branch that opens an element dropped with its content, a marker
//! character in the template's own text) is refused when the plan is made: [`super::AmpPlan`] then
//! renders the HTML part and rewrites it token by token for each recipient, as before.

use std::collections::HashMap;

use crate::compile::Compiled;
use crate::plan::{Escape, PNode, Part};

use super::markup::{self, Seen, DYN_BASE, DYN_LIMIT, ROLE_BASE, ROLE_LIMIT, SQUARE};

/// A node of an AMP plan part; literals are spans of the part's `lits`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ANode {
    /// `lits[start..end]`, written as it is.
    Lit(u32, u32),
    /// Placeholder `index` of the tables, escaped as in the HTML part, then as the rewrite writes
    /// it: in an attribute (`attr`) or in text.
    Value {
        /// Placeholder index.
        index: u32,
        /// Its escape in the HTML part.
        escape: Escape,
        /// It stands in an attribute value.
        attr: bool,
    },
    /// Condition `index`: then, otherwise.
    If(u32, Vec<ANode>, Vec<ANode>),
    /// Loop `index`: body, empty case.
    Each(u32, Vec<ANode>, Vec<ANode>),
    /// Block `index` of the tables: its markup, its fallback.
    Block(u32, Vec<ANode>, Vec<ANode>),
    /// A start tag rewritten per recipient.
    Tag(Box<ATag>),
    /// A picture given a square box (counted for the report).
    Square,
}

/// A start tag whose AMP form depends on values.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ATag {
    /// The element.
    pub name: String,
    /// Attributes: name, namespace-prefixed, value (nodes whose literals are decoded text).
    pub attrs: Vec<(String, bool, Vec<ANode>)>,
}

/// One part of the AMP plan.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct APart {
    /// Literal text, referenced by spans.
    pub lits: String,
    /// The nodes.
    pub nodes: Vec<ANode>,
}

/// The AMP plan of a compiled email: the skeleton's head, each top-level block, the tail.
#[derive(Debug, Clone)]
pub(crate) struct Parts {
    /// Before the blocks (with [`markup::HEAD_SLOT`] inside `<head>`).
    pub head: APart,
    /// Each top-level block.
    pub blocks: Vec<APart>,
    /// After the blocks.
    pub tail: APart,
    /// The text of the head's `<style>` elements.
    pub css: String,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    If,
    Each,
    Block,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Role {
    Value(u32, Escape),
    Open(Kind, u32),
    Else,
    Close,
    /// Between two parts.
    Boundary,
}

/// Why the markup cannot be planned (the renderer falls back to the token-by-token rewrite).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Unplannable;

/// Makes the AMP plan of `compiled`.
pub(crate) fn build(compiled: &Compiled) -> Result<Parts, Unplannable> {
    let layout = &*compiled.layout;
    let mut marked = String::new();
    let mut roles = Vec::new();
    mark_part(&layout.head, &layout.head.nodes, &mut roles, &mut marked)?;
    for fragment in &compiled.blocks {
        marker(Role::Boundary, &mut roles, &mut marked)?;
        mark_part(&fragment.html, &fragment.html.nodes, &mut roles, &mut marked)?;
    }
    marker(Role::Boundary, &mut roles, &mut marked)?;
    mark_part(&layout.tail, &layout.tail.nodes, &mut roles, &mut marked)?;

    let (rewritten, notes) = markup::rewrite_marked(&marked);
    if !rewritten.regions.is_empty() {
        return Err(Unplannable);
    }
    let mut seen: HashMap<u32, Seen> = HashMap::with_capacity(notes.seen.len());
    for (id, at) in notes.seen {
        if seen.insert(id, at).is_some() {
            return Err(Unplannable);
        }
    }
    let splitter = Splitter {
        roles: &roles,
        seen: &seen,
        dyn_tags: &notes.dyn_tags,
    };
    let mut parts = Vec::with_capacity(compiled.blocks.len() + 2);
    let mut used = vec![false; roles.len()];
    let mut part = APart::default();
    let last = splitter.split(&rewritten.html, &mut part.lits, &mut used, false, &mut |lits, nodes| {
        parts.push(APart {
            lits: std::mem::take(lits),
            nodes,
        });
    })?;
    part.nodes = last;
    parts.push(part);
    if parts.len() != compiled.blocks.len() + 2 {
        return Err(Unplannable);
    }
    let tail = parts.pop().ok_or(Unplannable)?;
    let mut parts = parts.into_iter();
    let head = parts.next().ok_or(Unplannable)?;
    Ok(Parts {
        head,
        blocks: parts.collect(),
        tail,
        css: rewritten.css,
    })
}

fn marker(role: Role, roles: &mut Vec<Role>, out: &mut String) -> Result<(), Unplannable> {
    let id = u32::try_from(roles.len()).map_err(|_| Unplannable)?;
    let c = ROLE_BASE
        .checked_add(id)
        .filter(|c| *c < ROLE_LIMIT)
        .and_then(char::from_u32)
        .ok_or(Unplannable)?;
    roles.push(role);
    out.push(c);
    Ok(())
}

/// Writes `nodes` of `part` with a marker per tag.
fn mark_part(part: &Part, nodes: &[PNode], roles: &mut Vec<Role>, out: &mut String) -> Result<(), Unplannable> {
    for node in nodes {
        match node {
            PNode::Lit(start, end) => {
                let lit = part.lits.get(*start as usize..*end as usize).ok_or(Unplannable)?;
                if lit.chars().any(markup::is_plan_char) {
                    return Err(Unplannable);
                }
                out.push_str(lit);
            }
            PNode::Value(index, escape) => marker(Role::Value(*index, *escape), roles, out)?,
            PNode::If(index, then, otherwise) => {
                structure(part, Kind::If, *index, then, otherwise, roles, out)?;
            }
            PNode::Each(index, body, otherwise) => {
                structure(part, Kind::Each, *index, body, otherwise, roles, out)?;
            }
            PNode::Block(index, body, otherwise) => {
                structure(part, Kind::Block, *index, body, otherwise, roles, out)?;
            }
        }
    }
    Ok(())
}

fn structure(
    part: &Part,
    kind: Kind,
    index: u32,
    then: &[PNode],
    otherwise: &[PNode],
    roles: &mut Vec<Role>,
    out: &mut String,
) -> Result<(), Unplannable> {
    marker(Role::Open(kind, index), roles, out)?;
    mark_part(part, then, roles, out)?;
    marker(Role::Else, roles, out)?;
    mark_part(part, otherwise, roles, out)?;
    marker(Role::Close, roles, out)
}

struct Splitter<'s> {
    roles: &'s [Role],
    seen: &'s HashMap<u32, Seen>,
    dyn_tags: &'s [markup::DynTag],
}

/// An open structure while splitting: its role, where its opening marker was, the nodes before
/// it, its first branch once `else` was met.
type Open = (Role, Option<Seen>, Vec<ANode>, Option<Vec<ANode>>);

impl Splitter<'_> {
    /// Splits rewritten markup at its markers into nodes, their literals appended to `lits`.
    /// `attr`: the markup is one attribute value of a dynamic tag. At each part boundary `done`
    /// takes the part's literals and nodes.
    fn split(
        &self,
        markup: &str,
        lits: &mut String,
        used: &mut [bool],
        attr: bool,
        done: &mut dyn FnMut(&mut String, Vec<ANode>),
    ) -> Result<Vec<ANode>, Unplannable> {
        let mut stack: Vec<Open> = Vec::new();
        let mut current: Vec<ANode> = Vec::new();
        let mut rest = markup;
        while let Some(pos) = rest.find(markup::is_plan_char) {
            push_lit(lits, &mut current, &rest[..pos])?;
            let c = rest[pos..].chars().next().ok_or(Unplannable)?;
            rest = &rest[pos + c.len_utf8()..];
            let code = u32::from(c);
            if c == SQUARE {
                current.push(ANode::Square);
                continue;
            }
            if (DYN_BASE..DYN_LIMIT).contains(&code) {
                let tag = self.dyn_tags.get((code - DYN_BASE) as usize).ok_or(Unplannable)?;
                let mut attrs = Vec::with_capacity(tag.attrs.len());
                for (name, prefixed, value) in &tag.attrs {
                    let nodes = self.split(value, lits, used, true, &mut |_, _| {})?;
                    attrs.push((name.clone(), *prefixed, nodes));
                }
                current.push(ANode::Tag(Box::new(ATag {
                    name: tag.name.clone(),
                    attrs,
                })));
                continue;
            }
            if !(ROLE_BASE..ROLE_LIMIT).contains(&code) {
                return Err(Unplannable);
            }
            let id = code - ROLE_BASE;
            let role = *self.roles.get(id as usize).ok_or(Unplannable)?;
            match used.get_mut(id as usize) {
                Some(used @ false) => *used = true,
                _ => return Err(Unplannable),
            }
            let at = self.seen.get(&id).cloned();
            match role {
                Role::Value(index, escape) => current.push(ANode::Value {
                    index,
                    escape,
                    attr: attr || matches!(at, Some(Seen::Attr(..))),
                }),
                Role::Open(..) => stack.push((role, at, std::mem::take(&mut current), None)),
                Role::Else => {
                    let top = stack.last_mut().ok_or(Unplannable)?;
                    if top.3.is_some() || top.1 != at {
                        return Err(Unplannable);
                    }
                    top.3 = Some(std::mem::take(&mut current));
                }
                Role::Close => {
                    let (open, open_at, parent, then) = stack.pop().ok_or(Unplannable)?;
                    let then = then.ok_or(Unplannable)?;
                    if open_at != at {
                        return Err(Unplannable);
                    }
                    let otherwise = std::mem::replace(&mut current, parent);
                    current.push(match open {
                        Role::Open(Kind::If, i) => ANode::If(i, then, otherwise),
                        Role::Open(Kind::Each, i) => ANode::Each(i, then, otherwise),
                        Role::Open(Kind::Block, i) => ANode::Block(i, then, otherwise),
                        _ => return Err(Unplannable),
                    });
                }
                Role::Boundary => {
                    if attr || !stack.is_empty() {
                        return Err(Unplannable);
                    }
                    done(lits, std::mem::take(&mut current));
                }
            }
        }
        push_lit(lits, &mut current, rest)?;
        if !stack.is_empty() {
            return Err(Unplannable);
        }
        Ok(current)
    }
}

fn push_lit(lits: &mut String, nodes: &mut Vec<ANode>, text: &str) -> Result<(), Unplannable> {
    if text.is_empty() {
        return Ok(());
    }
    let start = u32::try_from(lits.len()).map_err(|_| Unplannable)?;
    lits.push_str(text);
    let end = u32::try_from(lits.len()).map_err(|_| Unplannable)?;
    nodes.push(ANode::Lit(start, end));
    Ok(())
}
