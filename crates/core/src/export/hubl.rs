//! `hubl`: `HubSpot`'s `HubL` (Jinja-based), as a [`Dialect`] of the text-field targets.
//!
//! Profile fields are contact properties (`contact.first_name`); every other field is a template
//! variable at the root, where `HubSpot`'s programmable emails and custom modules put data. Values
//! print as `{{ x|escape }}` in HTML and `{{ x }}` in text (`HubL` does not escape by itself); a
//! fallback that is plain words is `{{ x|default("there", true)|escape }}` (`true`: empty text falls
//! back too), any other fallback `{% if x %}{{ x|escape }}{% else %}...{% endif %}`. Loops:
//! `{% if list %}{% for item_1 in list %}{% if loop.index <= 4 %}...{% endif %}{% endfor %}{% else %}...{% endif %}`
//! (the `if` carries the empty case; `loop.index` the limit). Literal text breaks up `{{`, `{%`, `{#`
//! and a trailing `{` with `{{ "{" }}` instead of `{% raw %}`, so text holding `{% endraw %}` cannot
//! end a raw block.

use std::fmt::Write as _;

use super::neutralize;
use super::textual::{Dialect, LoopTest};
use super::Target;
use crate::lang::CmpOp;

/// `HubL`.
pub struct Hubl;

/// `HubL`'s namespace for contact properties.
const CONTACT: &str = "contact";

/// Names a placed path may not start with: Jinja's words, `HubL`'s own variables and the export's.
const RESERVED: [&str; 20] = [
    "contact",
    "loop",
    "true",
    "false",
    "none",
    "True",
    "False",
    "None",
    "and",
    "or",
    "not",
    "in",
    "is",
    "if",
    "else",
    "self",
    "range",
    "content",
    "request",
    "site_settings",
];

pub(crate) fn symbol(op: CmpOp) -> &'static str {
    match op {
        CmpOp::Eq => "==",
        CmpOp::Ne => "!=",
        CmpOp::Gt => ">",
        CmpOp::Gte => ">=",
        CmpOp::Lt => "<",
        CmpOp::Lte => "<=",
    }
}

/// Names Jinja would read as a method of the object (`cart.items` is `dict.items`), written as a
/// subscript (`cart["items"]`), which reads the field.
const METHODS: [&str; 11] = [
    "items",
    "keys",
    "values",
    "get",
    "pop",
    "popitem",
    "update",
    "copy",
    "clear",
    "setdefault",
    "fromkeys",
];

/// `a.b["items"]`: dotted, with subscripts where a name is a method.
fn path(base: &str, segments: &[String]) -> String {
    let mut out = base.to_owned();
    for seg in segments {
        if METHODS.contains(&seg.as_str()) && !out.is_empty() {
            let _ = write!(out, "[\"{seg}\"]");
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(seg);
        }
    }
    out
}

fn if_block(test: &str, yes: &str, no: &str) -> String {
    if no.is_empty() {
        format!("{{% if {test} %}}{yes}{{% endif %}}")
    } else {
        format!("{{% if {test} %}}{yes}{{% else %}}{no}{{% endif %}}")
    }
}

impl Dialect for Hubl {
    fn target(&self) -> Target {
        Target::Hubl
    }

    fn language(&self) -> &'static str {
        "HubL"
    }

    fn place(&self, segments: &[String]) -> Vec<String> {
        match segments.split_first() {
            Some((first, rest)) if first == "profile" && !rest.is_empty() => std::iter::once(CONTACT.to_owned())
                .chain(rest.iter().cloned())
                .collect(),
            _ => segments.to_vec(),
        }
    }

    fn reserved(&self) -> &'static [&'static str] {
        &RESERVED
    }

    fn root(&self, place: &[String], _depth: usize) -> String {
        path("", place)
    }

    fn item(&self, depth: usize, segments: &[String]) -> String {
        path(&format!("item_{depth}"), segments)
    }

    fn print(&self, expr: &str, html: bool) -> String {
        if html {
            format!("{{{{ {expr}|escape }}}}")
        } else {
            format!("{{{{ {expr} }}}}")
        }
    }

    fn print_or(&self, expr: &str, html: bool, fallback: &str) -> Option<String> {
        let escape = if html { "|escape" } else { "" };
        Some(format!("{{{{ {expr}|default(\"{fallback}\", true){escape} }}}}"))
    }

    fn if_set(&self, expr: &str, yes: &str, no: &str) -> String {
        if_block(expr, yes, no)
    }

    fn if_loop(&self, test: LoopTest, _depth: usize, limit: Option<usize>, yes: &str, no: &str) -> String {
        let t = match (test, limit) {
            (LoopTest::Index, _) => "loop.index0 != 0".to_owned(),
            (LoopTest::First, _) => "loop.first".to_owned(),
            (LoopTest::Last, Some(n)) => format!("loop.last or loop.index == {n}"),
            (LoopTest::Last, None) => "loop.last".to_owned(),
            (LoopTest::Compare(op, n), _) => format!("loop.index0 {} {n}", symbol(op)),
        };
        if_block(&t, yes, no)
    }

    fn each(&self, list: &str, depth: usize, limit: Option<usize>, body: &str, otherwise: &str) -> String {
        let body = match limit {
            Some(n) => format!("{{% if loop.index <= {n} %}}{body}{{% endif %}}"),
            None => body.to_owned(),
        };
        if_block(
            list,
            &format!("{{% for item_{depth} in {list} %}}{body}{{% endfor %}}"),
            otherwise,
        )
    }

    fn literal(&self, text: &str) -> String {
        neutralize::jinja(text)
    }

    fn arrays(&self) -> &'static str {
        "template variables holding lists of objects whose fields are text (contact properties hold text); a loop with a limit shows the first N items ({% if loop.index <= N %})"
    }
}
