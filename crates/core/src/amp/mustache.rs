//! The live block's `<template type="amp-mustache">`: the block's compiled plan translated to
//! Mustache as a [`Dialect`] of the text-field targets, so the feed answers with the texts preview
//! prints and the template only places them.
//!
//! - Root fields are read under `root.` (`{{root.cart.total_currency}}`), so an item field of the
//!   same name can never shadow them inside a loop (Mustache looks names up the context stack).
//! - Every condition is a derived flag holding `1` or nothing (`{{#root.cond_1}}...{{/root.cond_1}}`
//!   and the inverted `{{^...}}` for the other branch).
//! - Lists arrive pre-sliced to their loop's limit; `@first`, `@last`, `@index` and comparisons of
//!   `@index` are flags the feed adds to each item (`tsr_first`, `tsr_index_eq_3`, ...), because
//!   Mustache has no loop variables.
//! - Literal `{` is printed by `{{tsr_lb}}` (the feed holds `"{"` there), so designer text such as
//!   `{{ not a tag }}` can never become a Mustache tag, in text or in attributes. The translation
//!   writes its own tags with private-use delimiters ([`TAG_OPEN`], [`TAG_CLOSE`]); once the markup
//!   is rewritten (entities decoded), [`finish`] turns every remaining `{` into `{{tsr_lb}}` and
//!   only then the private-use delimiters into braces.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::rc::Rc;

use crate::export::textual::{Dialect, LoopTest};
use crate::export::Target;
use crate::lang::CmpOp;

/// The name every item's and the feed's root use for a literal `{`.
pub const LBRACE: &str = "tsr_lb";
/// Where root fields are placed in the feed item.
pub const ROOT: &str = "root";
/// Opens a Mustache tag of the translation (a character no render writes).
pub const TAG_OPEN: char = '\u{E031}';
/// Closes a Mustache tag of the translation.
pub const TAG_CLOSE: char = '\u{E032}';

/// The template's final text: literal `{` printed by `{{tsr_lb}}`, then the translation's tags.
#[must_use]
pub fn finish(markup: &str) -> String {
    markup
        .replace('{', &format!("{{{{{LBRACE}}}}}"))
        .replace(TAG_OPEN, "{{")
        .replace(TAG_CLOSE, "}}")
}

fn tag(body: &str) -> String {
    format!("{TAG_OPEN}{body}{TAG_CLOSE}")
}

/// The Mustache dialect; records the loop-variable flags the template reads.
pub struct Mustache {
    /// The flags items must carry, by name.
    pub flags: Rc<RefCell<BTreeSet<String>>>,
}

/// The flag an item carries for a loop-variable test.
#[must_use]
pub fn loop_flag(test: LoopTest) -> String {
    let op = |op: CmpOp| match op {
        CmpOp::Eq => "eq",
        CmpOp::Ne => "ne",
        CmpOp::Gt => "gt",
        CmpOp::Gte => "gte",
        CmpOp::Lt => "lt",
        CmpOp::Lte => "lte",
    };
    match test {
        LoopTest::Index => "tsr_index".to_owned(),
        LoopTest::First => "tsr_first".to_owned(),
        LoopTest::Last => "tsr_last".to_owned(),
        LoopTest::Compare(o, n) if n < 0 => format!("tsr_index_{}_m{}", op(o), n.unsigned_abs()),
        LoopTest::Compare(o, n) => format!("tsr_index_{}_{n}", op(o)),
    }
}

/// Whether the item at `index` (0-based) of `count` passes the test named by `flag`.
#[must_use]
pub fn flag_holds(flag: &str, index: usize, count: usize) -> bool {
    let i = i64::try_from(index).unwrap_or(i64::MAX);
    match flag {
        "tsr_index" => index != 0,
        "tsr_first" => index == 0,
        "tsr_last" => index + 1 == count,
        _ => {
            let Some(rest) = flag.strip_prefix("tsr_index_") else {
                return false;
            };
            let Some((op, n)) = rest.split_once('_') else {
                return false;
            };
            let n = match n.strip_prefix('m') {
                Some(m) => m.parse::<i64>().map(|v| -v),
                None => n.parse::<i64>(),
            };
            let Ok(n) = n else { return false };
            match op {
                "eq" => i == n,
                "ne" => i != n,
                "gt" => i > n,
                "gte" => i >= n,
                "lt" => i < n,
                "lte" => i <= n,
                _ => false,
            }
        }
    }
}

/// `{{#name}}yes{{/name}}{{^name}}no{{/name}}`, leaving out an empty side.
fn section(name: &str, yes: &str, no: &str) -> String {
    let mut out = String::new();
    let close = tag(&format!("/{name}"));
    if !yes.is_empty() {
        out.push_str(&tag(&format!("#{name}")));
        out.push_str(yes);
        out.push_str(&close);
    }
    if !no.is_empty() {
        out.push_str(&tag(&format!("^{name}")));
        out.push_str(no);
        out.push_str(&close);
    }
    out
}

impl Dialect for Mustache {
    fn target(&self) -> Target {
        Target::Amp
    }

    fn language(&self) -> &'static str {
        "amp-mustache"
    }

    fn place(&self, segments: &[String]) -> Vec<String> {
        std::iter::once(ROOT.to_owned())
            .chain(segments.iter().cloned())
            .collect()
    }

    fn reserved(&self) -> &'static [&'static str] {
        &[]
    }

    fn root(&self, place: &[String], _depth: usize) -> String {
        place.join(".")
    }

    fn item(&self, _depth: usize, segments: &[String]) -> String {
        segments.join(".")
    }

    fn print(&self, expr: &str, html: bool) -> String {
        if html {
            tag(expr)
        } else {
            tag(&format!("{{{expr}}}"))
        }
    }

    fn if_set(&self, expr: &str, yes: &str, no: &str) -> String {
        section(expr, yes, no)
    }

    fn if_loop(&self, test: LoopTest, _depth: usize, _limit: Option<usize>, yes: &str, no: &str) -> String {
        let flag = loop_flag(test);
        self.flags.borrow_mut().insert(flag.clone());
        section(&flag, yes, no)
    }

    fn each(&self, list: &str, _depth: usize, _limit: Option<usize>, body: &str, otherwise: &str) -> String {
        section(list, body, otherwise)
    }

    fn literal(&self, text: &str) -> String {
        text.to_owned()
    }

    fn arrays(&self) -> &'static str {
        "lists of objects whose fields are text, pre-sliced, each item with its loop flags"
    }

    fn pre_sliced(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loop_flags_name_and_evaluate_each_test() {
        assert_eq!(loop_flag(LoopTest::Compare(CmpOp::Eq, 3)), "tsr_index_eq_3");
        assert_eq!(loop_flag(LoopTest::Compare(CmpOp::Lt, -1)), "tsr_index_lt_m1");
        assert!(flag_holds("tsr_index_eq_3", 3, 5));
        assert!(!flag_holds("tsr_index_eq_3", 2, 5));
        assert!(flag_holds("tsr_index_gt_m1", 0, 1));
        assert!(flag_holds("tsr_last", 4, 5) && !flag_holds("tsr_last", 3, 5));
        assert!(flag_holds("tsr_first", 0, 5) && !flag_holds("tsr_index", 0, 5));
    }

    #[test]
    fn literal_braces_never_open_a_tag() {
        let m = Mustache { flags: Rc::default() };
        let written = format!("{}{}", m.literal("a {{b}} c {"), m.print("root.x", true));
        assert_eq!(finish(&written), "a {{tsr_lb}}{{tsr_lb}}b}} c {{tsr_lb}}{{root.x}}");
    }
}
