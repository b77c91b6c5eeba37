//! One condition tree for `if` conditions and block gates, with the operands already resolved to
//! what each target reads: a root field, a loop item's field, a loop variable or a constant.

use serde_json::Value;

use crate::compose::{BlockMeta, Gate};
use crate::lang::{CmpOp, Cond, LoopVar};

/// Where a value comes from, once loop scopes are resolved.
#[derive(Debug, Clone, PartialEq)]
pub enum Access {
    /// A field from the root of the recipient context: `profile.first_name`.
    Root(Vec<String>),
    /// A field of the item of the loop at `depth` (1 = outermost): `this.name`.
    Item {
        /// Loop depth, 1-based.
        depth: usize,
        /// Segments under the item (empty for the item itself).
        segments: Vec<String>,
    },
    /// `@index`, `@first` or `@last` of the innermost loop.
    Loop(LoopVar),
    /// A constant.
    Literal(Value),
}

/// A condition over resolved operands.
#[derive(Debug, Clone, PartialEq)]
pub enum XCond {
    /// Truthy by the language's rules: not false, null, 0, "", [] or {}.
    Truthy(Access),
    /// A comparison by the language's rules.
    Compare(CmpOp, Access, Access),
    /// Present: not absent, null, blank text, [] or {} (a block's `requires`).
    Present(Access),
    /// The recipient's `segments` list holds this name.
    InSegment(String),
    /// All hold.
    And(Vec<XCond>),
    /// One holds.
    Or(Vec<XCond>),
    /// Negation.
    Not(Box<XCond>),
    /// Known at export time.
    Const(bool),
}

/// Converts a language condition, resolving operands with `resolve`.
pub fn convert(cond: &Cond, resolve: &mut impl FnMut(&crate::lang::Operand) -> Access) -> XCond {
    match cond {
        Cond::Truthy(op) => XCond::Truthy(resolve(op)),
        Cond::Compare(op, a, b) => XCond::Compare(*op, resolve(a), resolve(b)),
        Cond::And(parts) => XCond::And(parts.iter().map(|c| convert(c, resolve)).collect()),
        Cond::Or(parts) => XCond::Or(parts.iter().map(|c| convert(c, resolve)).collect()),
        Cond::Not(inner) => XCond::Not(Box::new(convert(inner, resolve))),
        Cond::InSegment(name) => XCond::InSegment(name.clone()),
        Cond::Const(b) => XCond::Const(*b),
    }
}

/// The condition under which a block shows: every gate passes (`requires` paths are read from the
/// root, as the renderer reads them).
pub fn gates(meta: &BlockMeta, resolve: &mut impl FnMut(&crate::lang::Operand) -> Access) -> XCond {
    let parts: Vec<XCond> = meta
        .gates
        .iter()
        .map(|gate| match gate {
            Gate::Requires { path, .. } => XCond::Present(Access::Root(path.segments.clone())),
            Gate::ShowIf { cond, .. } => convert(cond, resolve),
            Gate::HideIf { cond, .. } => XCond::Not(Box::new(convert(cond, resolve))),
        })
        .collect();
    match parts.len() {
        0 => XCond::Const(true),
        1 => parts.into_iter().next().unwrap_or(XCond::Const(true)),
        _ => XCond::And(parts),
    }
}

/// The gates of a block as written, for messages.
#[must_use]
pub fn describe_gates(meta: &BlockMeta) -> String {
    meta.gates
        .iter()
        .map(|gate| match gate {
            Gate::Requires { key, .. } => format!("requires {key}"),
            Gate::ShowIf { rule, .. } => format!("show_if {rule}"),
            Gate::HideIf { rule, .. } => format!("hide_if {rule}"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A condition written back in the language's syntax, for messages.
#[must_use]
pub fn describe(cond: &Cond) -> String {
    use crate::lang::Operand;
    let op = |o: &Operand| match o {
        Operand::Path(p) => p.to_string(),
        Operand::Loop(LoopVar::Index) => "@index".to_owned(),
        Operand::Loop(LoopVar::First) => "@first".to_owned(),
        Operand::Loop(LoopVar::Last) => "@last".to_owned(),
        Operand::Literal(v) => v.to_string(),
    };
    match cond {
        Cond::Truthy(o) => op(o),
        Cond::Compare(c, a, b) => format!("({} {} {})", c.name(), op(a), op(b)),
        Cond::And(parts) => format!("(and {})", parts.iter().map(describe).collect::<Vec<_>>().join(" ")),
        Cond::Or(parts) => format!("(or {})", parts.iter().map(describe).collect::<Vec<_>>().join(" ")),
        Cond::Not(inner) => format!("(not {})", describe(inner)),
        Cond::InSegment(name) => format!("(in_segment {})", Value::from(name.as_str())),
        Cond::Const(b) => b.to_string(),
    }
}
