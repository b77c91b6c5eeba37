//! A small arena DOM built by html5ever's tree builder (browser-grade parsing of any HTML, with
//! line numbers), bounded in depth: an element deeper than [`MAX_DEPTH`] is attached to its
//! ancestor at that depth instead, so every later walk is bounded and nothing is lost.

use std::borrow::Cow;
use std::cell::{Cell, Ref, RefCell};

use html5ever::interface::{ElementFlags, NodeOrText, QuirksMode, TreeSink};
use html5ever::tendril::{StrTendril, TendrilSink};
use html5ever::{parse_document, Attribute, ParseOpts, QualName};

use crate::MAX_DEPTH;

/// A node's index in [`Dom::nodes`].
pub(crate) type NodeId = usize;

/// What a node is.
#[derive(Debug, Clone)]
pub(crate) enum Kind {
    Document,
    Doctype,
    Element { attrs: Vec<(String, String)> },
    Text(String),
    Comment(String),
}

/// One node.
#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub parent: Option<NodeId>,
    pub children: Vec<NodeId>,
    /// The element's name (empty for other nodes).
    pub name: QualName,
    pub kind: Kind,
    /// 1-based source line where the node started.
    pub line: usize,
    depth: usize,
}

/// A parsed document.
#[derive(Debug)]
pub(crate) struct Dom {
    pub nodes: Vec<Node>,
    /// Parser complaints with their lines (the first few).
    pub errors: Vec<(usize, String)>,
    /// Elements re-attached higher because they were nested past [`MAX_DEPTH`].
    pub flattened: usize,
}

/// Parses a whole HTML document.
pub(crate) fn parse(html: &str) -> Dom {
    let sink = Sink {
        nodes: RefCell::new(vec![Node {
            parent: None,
            children: Vec::new(),
            name: empty_name(),
            kind: Kind::Document,
            line: 1,
            depth: 0,
        }]),
        line: Cell::new(1),
        errors: RefCell::new(Vec::new()),
        flattened: Cell::new(0),
    };
    parse_document(sink, ParseOpts::default()).one(StrTendril::from_slice(html))
}

fn empty_name() -> QualName {
    QualName::new(None, html5ever::ns!(), html5ever::local_name!(""))
}

const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr",
];

impl Dom {
    /// The element's tag name (`""` for other nodes).
    pub fn tag(&self, id: NodeId) -> &str {
        self.nodes.get(id).map_or("", |n| &*n.name.local)
    }

    /// An attribute's value.
    pub fn attr(&self, id: NodeId, name: &str) -> Option<&str> {
        match &self.nodes.get(id)?.kind {
            Kind::Element { attrs } => attrs.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str()),
            _ => None,
        }
    }

    /// The node's children.
    pub fn children(&self, id: NodeId) -> &[NodeId] {
        self.nodes.get(id).map_or(&[], |n| &n.children)
    }

    /// The node's line.
    pub fn line(&self, id: NodeId) -> usize {
        self.nodes.get(id).map_or(0, |n| n.line)
    }

    pub fn is_element(&self, id: NodeId) -> bool {
        matches!(self.nodes.get(id).map(|n| &n.kind), Some(Kind::Element { .. }))
    }

    /// Child elements, and whether any child text is more than whitespace.
    pub fn element_children(&self, id: NodeId) -> (Vec<NodeId>, bool) {
        let mut elements = Vec::new();
        let mut text = false;
        for &c in self.children(id) {
            match self.nodes.get(c).map(|n| &n.kind) {
                Some(Kind::Element { .. }) => elements.push(c),
                Some(Kind::Text(t)) if !t.trim().is_empty() => text = true,
                _ => {}
            }
        }
        (elements, text)
    }

    /// The first descendant element (or self) with this tag, depth first.
    pub fn find(&self, id: NodeId, tag: &str) -> Option<NodeId> {
        let mut stack = vec![id];
        while let Some(n) = stack.pop() {
            if self.tag(n) == tag {
                return Some(n);
            }
            stack.extend(self.children(n).iter().rev());
        }
        None
    }

    /// Every descendant (not self), depth first in document order.
    pub fn descendants(&self, id: NodeId) -> Vec<NodeId> {
        let mut out = Vec::new();
        let mut stack: Vec<NodeId> = self.children(id).iter().rev().copied().collect();
        while let Some(n) = stack.pop() {
            out.push(n);
            stack.extend(self.children(n).iter().rev());
        }
        out
    }

    /// The text content, whitespace runs collapsed to one space, trimmed.
    pub fn text(&self, id: NodeId) -> String {
        let mut raw = String::new();
        for n in std::iter::once(id).chain(self.descendants(id)) {
            if let Some(Kind::Text(t)) = self.nodes.get(n).map(|n| &n.kind) {
                raw.push_str(t);
            }
        }
        raw.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    /// The node serialized as HTML (comments kept).
    pub fn outer_html(&self, id: NodeId) -> String {
        let mut out = String::new();
        self.write(id, &mut out);
        out
    }

    /// Serializes without recursion (the tree is bounded in depth, but a loop is cheaper still).
    fn write(&self, id: NodeId, out: &mut String) {
        enum Step {
            Open(NodeId),
            Close(NodeId),
        }
        let mut stack = vec![Step::Open(id)];
        while let Some(step) = stack.pop() {
            match step {
                Step::Close(n) => {
                    out.push_str("</");
                    out.push_str(self.tag(n));
                    out.push('>');
                }
                Step::Open(n) => {
                    let Some(node) = self.nodes.get(n) else { continue };
                    match &node.kind {
                        Kind::Document => {
                            stack.extend(node.children.iter().rev().map(|&c| Step::Open(c)));
                        }
                        Kind::Doctype => {}
                        Kind::Text(t) => push_escaped_text(out, t, self.raw_text_parent(n)),
                        Kind::Comment(c) => {
                            out.push_str("<!--");
                            out.push_str(c);
                            out.push_str("-->");
                        }
                        Kind::Element { attrs } => {
                            let tag = &*node.name.local;
                            out.push('<');
                            out.push_str(tag);
                            for (k, v) in attrs {
                                out.push(' ');
                                out.push_str(k);
                                out.push_str("=\"");
                                push_escaped_attr(out, v);
                                out.push('"');
                            }
                            out.push('>');
                            if !VOID.contains(&tag) {
                                stack.push(Step::Close(n));
                                stack.extend(node.children.iter().rev().map(|&c| Step::Open(c)));
                            }
                        }
                    }
                }
            }
        }
    }

    fn raw_text_parent(&self, id: NodeId) -> bool {
        self.nodes
            .get(id)
            .and_then(|n| n.parent)
            .is_some_and(|p| matches!(self.tag(p), "style" | "script"))
    }
}

fn push_escaped_text(out: &mut String, text: &str, raw: bool) {
    if raw {
        out.push_str(text);
        return;
    }
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\u{a0}' => out.push_str("&nbsp;"),
            c => out.push(c),
        }
    }
}

fn push_escaped_attr(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\u{a0}' => out.push_str("&nbsp;"),
            c => out.push(c),
        }
    }
}

struct Sink {
    nodes: RefCell<Vec<Node>>,
    line: Cell<usize>,
    errors: RefCell<Vec<(usize, String)>>,
    flattened: Cell<usize>,
}

/// Parser complaints kept in the report (a 5 MB soup could hold thousands).
const MAX_ERRORS: usize = 20;

impl Sink {
    fn new_node(&self, name: QualName, kind: Kind) -> NodeId {
        let mut nodes = self.nodes.borrow_mut();
        nodes.push(Node {
            parent: None,
            children: Vec::new(),
            name,
            kind,
            line: self.line.get(),
            depth: 0,
        });
        nodes.len() - 1
    }

    fn detach(nodes: &mut [Node], child: NodeId) {
        let Some(parent) = nodes.get(child).and_then(|n| n.parent) else {
            return;
        };
        if let Some(p) = nodes.get_mut(parent) {
            p.children.retain(|&c| c != child);
        }
        if let Some(c) = nodes.get_mut(child) {
            c.parent = None;
        }
    }

    /// The parent an element really goes under: itself, or its ancestor at the depth limit.
    fn bounded_parent(&self, nodes: &[Node], mut parent: NodeId) -> NodeId {
        let mut moved = false;
        while nodes.get(parent).is_some_and(|n| n.depth >= MAX_DEPTH) {
            match nodes.get(parent).and_then(|n| n.parent) {
                Some(up) => {
                    parent = up;
                    moved = true;
                }
                None => break,
            }
        }
        if moved {
            self.flattened.set(self.flattened.get() + 1);
        }
        parent
    }

    /// Inserts `child` among `parent`'s children at `index` (or at the end), merging adjacent text.
    fn insert(&self, parent: NodeId, index: Option<usize>, child: NodeOrText<NodeId>) {
        let mut nodes = self.nodes.borrow_mut();
        let parent = self.bounded_parent(&nodes, parent);
        let depth = nodes.get(parent).map_or(0, |n| n.depth) + 1;
        let at = index.unwrap_or_else(|| nodes.get(parent).map_or(0, |n| n.children.len()));
        let id = match child {
            NodeOrText::AppendText(text) => {
                let before = at
                    .checked_sub(1)
                    .and_then(|i| nodes.get(parent).and_then(|p| p.children.get(i)).copied());
                if let Some(Node {
                    kind: Kind::Text(existing),
                    ..
                }) = before.and_then(|b| nodes.get_mut(b))
                {
                    existing.push_str(&text);
                    return;
                }
                nodes.push(Node {
                    parent: None,
                    children: Vec::new(),
                    name: empty_name(),
                    kind: Kind::Text(text.to_string()),
                    line: self.line.get(),
                    depth: 0,
                });
                nodes.len() - 1
            }
            NodeOrText::AppendNode(id) => {
                Self::detach(&mut nodes, id);
                id
            }
        };
        if let Some(n) = nodes.get_mut(id) {
            n.parent = Some(parent);
            n.depth = depth;
        }
        if let Some(p) = nodes.get_mut(parent) {
            let at = at.min(p.children.len());
            p.children.insert(at, id);
        }
    }
}

impl TreeSink for Sink {
    type Handle = NodeId;
    type Output = Dom;
    type ElemName<'a> = Ref<'a, QualName>;

    fn finish(self) -> Dom {
        Dom {
            nodes: self.nodes.into_inner(),
            errors: self.errors.into_inner(),
            flattened: self.flattened.get(),
        }
    }

    fn parse_error(&self, msg: Cow<'static, str>) {
        let mut errors = self.errors.borrow_mut();
        if errors.len() < MAX_ERRORS {
            errors.push((self.line.get(), msg.into_owned()));
        }
    }

    fn set_current_line(&self, line_number: u64) {
        self.line.set(usize::try_from(line_number).unwrap_or(usize::MAX));
    }

    fn get_document(&self) -> NodeId {
        0
    }

    fn elem_name<'a>(&'a self, target: &'a NodeId) -> Ref<'a, QualName> {
        Ref::map(self.nodes.borrow(), |nodes| {
            // The tree builder asks only for elements it made; the document's empty name otherwise.
            nodes.get(*target).map_or_else(
                || nodes.first().map_or_else(|| unreachable_name(), |n| &n.name),
                |n| &n.name,
            )
        })
    }

    fn create_element(&self, name: QualName, attrs: Vec<Attribute>, _flags: ElementFlags) -> NodeId {
        let attrs = attrs
            .into_iter()
            .map(|a| (a.name.local.to_string(), a.value.to_string()))
            .collect();
        self.new_node(name, Kind::Element { attrs })
    }

    fn create_comment(&self, text: StrTendril) -> NodeId {
        self.new_node(empty_name(), Kind::Comment(text.to_string()))
    }

    fn create_pi(&self, _target: StrTendril, _data: StrTendril) -> NodeId {
        self.new_node(empty_name(), Kind::Comment(String::new()))
    }

    fn append(&self, parent: &NodeId, child: NodeOrText<NodeId>) {
        self.insert(*parent, None, child);
    }

    fn append_based_on_parent_node(&self, element: &NodeId, prev_element: &NodeId, child: NodeOrText<NodeId>) {
        let has_parent = self.nodes.borrow().get(*element).is_some_and(|n| n.parent.is_some());
        if has_parent {
            self.append_before_sibling(element, child);
        } else {
            self.append(prev_element, child);
        }
    }

    fn append_doctype_to_document(&self, _name: StrTendril, _public_id: StrTendril, _system_id: StrTendril) {
        let id = self.new_node(empty_name(), Kind::Doctype);
        self.insert(0, None, NodeOrText::AppendNode(id));
    }

    fn get_template_contents(&self, target: &NodeId) -> NodeId {
        *target
    }

    fn same_node(&self, x: &NodeId, y: &NodeId) -> bool {
        x == y
    }

    fn set_quirks_mode(&self, _mode: QuirksMode) {}

    fn append_before_sibling(&self, sibling: &NodeId, new_node: NodeOrText<NodeId>) {
        let (parent, index) = {
            let nodes = self.nodes.borrow();
            let Some(parent) = nodes.get(*sibling).and_then(|n| n.parent) else {
                return;
            };
            let index = nodes
                .get(parent)
                .and_then(|p| p.children.iter().position(|c| c == sibling));
            (parent, index)
        };
        if let NodeOrText::AppendNode(id) = &new_node {
            // Detaching first may shift the sibling's index.
            let mut nodes = self.nodes.borrow_mut();
            Self::detach(&mut nodes, *id);
        }
        let index = {
            let nodes = self.nodes.borrow();
            nodes
                .get(parent)
                .and_then(|p| p.children.iter().position(|c| c == sibling))
                .or(index)
        };
        self.insert(parent, index, new_node);
    }

    fn add_attrs_if_missing(&self, target: &NodeId, attrs: Vec<Attribute>) {
        let mut nodes = self.nodes.borrow_mut();
        if let Some(Node {
            kind: Kind::Element { attrs: existing },
            ..
        }) = nodes.get_mut(*target)
        {
            for a in attrs {
                let name = a.name.local.to_string();
                if !existing.iter().any(|(n, _)| *n == name) {
                    existing.push((name, a.value.to_string()));
                }
            }
        }
    }

    fn remove_from_parent(&self, target: &NodeId) {
        Self::detach(&mut self.nodes.borrow_mut(), *target);
    }

    fn reparent_children(&self, node: &NodeId, new_parent: &NodeId) {
        let children = {
            let mut nodes = self.nodes.borrow_mut();
            nodes
                .get_mut(*node)
                .map(|n| std::mem::take(&mut n.children))
                .unwrap_or_default()
        };
        for c in children {
            if let Some(n) = self.nodes.borrow_mut().get_mut(c) {
                n.parent = None;
            }
            self.insert(*new_parent, None, NodeOrText::AppendNode(c));
        }
    }
}

/// Never reached: the arena always holds the document node.
fn unreachable_name() -> &'static QualName {
    static NAME: std::sync::OnceLock<QualName> = std::sync::OnceLock::new();
    NAME.get_or_init(empty_name)
}
