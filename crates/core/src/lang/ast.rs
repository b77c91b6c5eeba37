//! The personalization language after parsing: a small tree that the composer builds and the compiler
//! turns into a render plan. Every construct here can be expressed by every export target.

use serde_json::Value;

pub use crate::value::CmpOp;

/// A path into the recipient's data, e.g. `profile.first_name`, `this.price`, `@root.cart.total`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DataPath {
    /// How many loop scopes to climb (`../`) before looking up.
    pub up: u8,
    /// `@root.`: look up from the recipient's whole context.
    pub root: bool,
    /// The named segments; empty for `this`.
    pub segments: Vec<String>,
}

impl DataPath {
    /// A path from the root of the recipient context, e.g. `profile.first_name`.
    #[must_use]
    pub fn absolute(dotted: &str) -> Self {
        Self {
            up: 0,
            root: true,
            segments: dotted.split('.').map(str::to_owned).collect(),
        }
    }

    /// The segments joined with dots (`this` when there are none).
    #[must_use]
    pub fn dotted(&self) -> String {
        if self.segments.is_empty() {
            "this".to_owned()
        } else {
            self.segments.join(".")
        }
    }
}

impl std::fmt::Display for DataPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.root {
            f.write_str("@root.")?;
        }
        for _ in 0..self.up {
            f.write_str("../")?;
        }
        f.write_str(&self.dotted())
    }
}

/// A loop variable such as `@index`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LoopVar {
    /// `@index`: the 0-based position.
    Index,
    /// `@first`: true on the first item.
    First,
    /// `@last`: true on the last item.
    Last,
}

/// Something a condition or a placeholder reads.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    /// A value from the recipient's data.
    Path(DataPath),
    /// A loop variable.
    Loop(LoopVar),
    /// A constant written in the template (or a field value fixed at compose time).
    Literal(Value),
}

/// A condition of `if`, `unless`, a block's `show_if` or `hide_if`.
#[derive(Debug, Clone, PartialEq)]
pub enum Cond {
    /// True when the operand is truthy (Handlebars rules: not false, null, 0, "" or empty).
    Truthy(Operand),
    /// A comparison of two operands.
    Compare(CmpOp, Operand, Operand),
    /// All must hold.
    And(Vec<Cond>),
    /// One must hold.
    Or(Vec<Cond>),
    /// Negation.
    Not(Box<Cond>),
    /// The recipient belongs to the named segment.
    InSegment(String),
    /// Known when the email was composed.
    Const(bool),
}

impl Cond {
    /// Folds constant parts away, so a condition on field values alone becomes `Const`.
    #[must_use]
    pub fn simplify(self) -> Self {
        match self {
            Self::Truthy(Operand::Literal(v)) => Self::Const(crate::value::is_truthy(&v)),
            Self::Compare(op, Operand::Literal(a), Operand::Literal(b)) => {
                Self::Const(crate::value::compare(op, &a, &b))
            }
            Self::Not(inner) => match inner.simplify() {
                Self::Const(b) => Self::Const(!b),
                other => Self::Not(Box::new(other)),
            },
            Self::And(parts) => {
                let mut kept = Vec::new();
                for part in parts {
                    match part.simplify() {
                        Self::Const(false) => return Self::Const(false),
                        Self::Const(true) => {}
                        other => kept.push(other),
                    }
                }
                match kept.len() {
                    0 => Self::Const(true),
                    1 => kept.remove(0),
                    _ => Self::And(kept),
                }
            }
            Self::Or(parts) => {
                let mut kept = Vec::new();
                for part in parts {
                    match part.simplify() {
                        Self::Const(true) => return Self::Const(true),
                        Self::Const(false) => {}
                        other => kept.push(other),
                    }
                }
                match kept.len() {
                    0 => Self::Const(false),
                    1 => kept.remove(0),
                    _ => Self::Or(kept),
                }
            }
            other => other,
        }
    }
}

/// How a placeholder's value is formatted before it is escaped.
#[derive(Debug, Clone, PartialEq)]
pub enum Format {
    /// As is.
    Plain,
    /// `upper`
    Upper,
    /// `lower`
    Lower,
    /// `capitalize`: first letter upper case, the rest lower case.
    Capitalize,
    /// `currency VALUE CODE [locale=...]`
    Currency {
        /// The ISO 4217 code.
        code: Operand,
        /// The locale; the document's locale when absent.
        locale: Option<Operand>,
    },
    /// `date VALUE STYLE [locale=...]`
    Date {
        /// short, medium, long or iso.
        style: crate::format::DateStyle,
        /// The locale; the document's locale when absent.
        locale: Option<Operand>,
    },
}

/// A `{{...}}` that prints a value.
#[derive(Debug, Clone, PartialEq)]
pub struct Placeholder {
    /// What is printed.
    pub value: Operand,
    /// How it is formatted.
    pub format: Format,
    /// The explicit fallback (`{{default x "..."}}` or `default="..."`).
    pub fallback: Option<String>,
    /// The data dictionary's default for this field, filled in at compose time.
    pub dictionary_default: Option<Value>,
    /// The dictionary key of the value (`profile.first_name`, `cart.items[].name`), when it is a path.
    pub field: Option<String>,
    /// The tag as written, for messages.
    pub source: String,
}

/// A node of a composed template.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// Literal markup (already escaped where it came from text).
    Html(String),
    /// A printed value.
    Value(Box<Placeholder>),
    /// `if`/`unless`/`else`.
    If {
        /// The condition.
        cond: Cond,
        /// Rendered when it holds.
        then: Vec<Node>,
        /// Rendered otherwise.
        otherwise: Vec<Node>,
    },
    /// `each` over an array.
    Each {
        /// The array.
        path: DataPath,
        /// The dictionary key of the array, e.g. `recommendations`.
        field: Option<String>,
        /// At most this many items.
        limit: Option<usize>,
        /// Rendered per item.
        body: Vec<Node>,
        /// Rendered when the array is missing or empty.
        otherwise: Vec<Node>,
    },
    /// A block instance with its gate (required data and rules) and its fallback.
    Block {
        /// Index into the template's block table.
        index: u32,
        /// The block's own markup.
        body: Vec<Node>,
        /// What shows when the gate fails (the fallback block), empty to hide.
        otherwise: Vec<Node>,
    },
}
