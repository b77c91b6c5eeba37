//! `iterable`: Iterable's Handlebars dialect, as a [`Dialect`] of the text-field targets.
//!
//! Profile fields are user profile fields at the root (`first_name`); every other field keeps its
//! path (`cart.total_currency`). Inside a loop the root is read through `../`. Values print as
//! `{{x}}` in HTML (Handlebars escapes) and `{{{x}}}` in text; a fallback that is plain words is
//! `{{defaultIfEmpty x "there"}}`, any other `{{#if x}}...{{else}}...{{/if}}`. Lists arrive
//! pre-sliced to their loop's limit (`slice` derived fields), so `{{#each list}}` needs no limit and
//! `@last` is the last item shown; `@index` tests use Iterable's `#ifEq`, `#ifGt` and `#ifLt`.

use super::neutralize;
use super::textual::{Dialect, LoopTest};
use super::Target;
use crate::lang::CmpOp;

/// Iterable.
pub struct Iterable;

/// Names a placed path may not start with: Handlebars' words.
const RESERVED: [&str; 6] = ["this", "true", "false", "null", "undefined", "else"];

/// `{{#open}}yes{{else}}no{{/name}}`.
fn block(open: &str, yes: &str, no: &str) -> String {
    let name = open.split_whitespace().next().unwrap_or(open);
    if no.is_empty() {
        format!("{{{{#{open}}}}}{yes}{{{{/{name}}}}}")
    } else {
        format!("{{{{#{open}}}}}{yes}{{{{else}}}}{no}{{{{/{name}}}}}")
    }
}

impl Dialect for Iterable {
    fn target(&self) -> Target {
        Target::Iterable
    }

    fn language(&self) -> &'static str {
        "Iterable"
    }

    fn place(&self, segments: &[String]) -> Vec<String> {
        match segments.split_first() {
            Some((first, rest)) if first == "profile" && !rest.is_empty() => rest.to_vec(),
            _ => segments.to_vec(),
        }
    }

    fn reserved(&self) -> &'static [&'static str] {
        &RESERVED
    }

    fn root(&self, place: &[String], depth: usize) -> String {
        format!("{}{}", "../".repeat(depth), place.join("."))
    }

    fn item(&self, _depth: usize, segments: &[String]) -> String {
        format!("this.{}", segments.join("."))
    }

    fn print(&self, expr: &str, html: bool) -> String {
        if html {
            format!("{{{{{expr}}}}}")
        } else {
            format!("{{{{{{{expr}}}}}}}")
        }
    }

    fn print_or(&self, expr: &str, html: bool, fallback: &str) -> Option<String> {
        let call = format!("defaultIfEmpty {expr} \"{fallback}\"");
        Some(self.print(&call, html))
    }

    fn if_set(&self, expr: &str, yes: &str, no: &str) -> String {
        block(&format!("if {expr}"), yes, no)
    }

    fn if_loop(&self, test: LoopTest, _depth: usize, _limit: Option<usize>, yes: &str, no: &str) -> String {
        match test {
            LoopTest::Index => block("if @index", yes, no),
            LoopTest::First => block("if @first", yes, no),
            LoopTest::Last => block("if @last", yes, no),
            LoopTest::Compare(op, n) => match op {
                CmpOp::Eq => block(&format!("ifEq @index {n}"), yes, no),
                CmpOp::Ne => block(&format!("ifEq @index {n}"), no, yes),
                CmpOp::Gt => block(&format!("ifGt @index {n}"), yes, no),
                CmpOp::Gte => block(&format!("ifGt @index {}", n.saturating_sub(1)), yes, no),
                CmpOp::Lt => block(&format!("ifLt @index {n}"), yes, no),
                CmpOp::Lte => block(&format!("ifLt @index {}", n.saturating_add(1)), yes, no),
            },
        }
    }

    fn each(&self, list: &str, _depth: usize, _limit: Option<usize>, body: &str, otherwise: &str) -> String {
        block(&format!("each {list}"), body, otherwise)
    }

    fn literal(&self, text: &str) -> String {
        neutralize::iterable(text)
    }

    fn arrays(&self) -> &'static str {
        "lists of objects whose fields are text, pre-sliced: a list looped with a limit holds only its first N items (see the slice entries under derived)"
    }

    fn pre_sliced(&self) -> bool {
        true
    }
}
