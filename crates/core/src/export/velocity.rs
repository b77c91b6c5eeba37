//! `velocity`: Apache Velocity as Marketo's email script tokens read it, as a [`Dialect`] of the
//! text-field targets.
//!
//! Profile fields are the lead's fields (`${lead.first_name}`); every other field is read from the
//! root (`${cart.total_currency}`, custom objects as lists). Values print quietly (`$!{...}`: an
//! absent value prints nothing), HTML-escaped through Velocity Tools' `EscapeTool`
//! (`$!{esc.html($lead.first_name)}`); a fallback is `#if($x && $x != "")...#{else}...#{end}`.
//! Loops count their items themselves, so a limit, `@index`, `@first` and `@last` work without
//! `#break` or `$foreach.index` (Velocity 1.7, as Marketo runs it, and velocityjs agree on both):
//! `#set($tsr_n1 = 0)#foreach($item_1 in $list)#set($tsr_n1 = $tsr_n1 + 1)#if($tsr_n1 <= 4)...#{end}#{end}#if($tsr_n1 == 0)...#{end}`.
//! Literal text holding `$`, `#` or `\` is an unparsed block `#[[...]]#`.

use super::hubl::symbol;
use super::neutralize;
use super::textual::{Dialect, LoopTest};
use super::Target;

/// Velocity, reading profile fields from one object.
pub struct Velocity {
    /// The object profile fields are read from (`lead`).
    object: String,
}

/// The object Marketo's lead fields are read from, the default.
pub const LEAD: &str = "lead";

/// Names a placed path may not start with: Velocity's and Marketo's own objects and the tools'.
const RESERVED: [&str; 6] = ["lead", "foreach", "velocityCount", "esc", "true", "false"];

impl Velocity {
    /// Velocity reading profile fields from `object` (`None`: `lead`).
    pub fn new(object: Option<&str>) -> Self {
        Self {
            object: object.unwrap_or(LEAD).to_owned(),
        }
    }
}

fn if_block(test: &str, yes: &str, no: &str) -> String {
    if no.is_empty() {
        format!("#if({test}){yes}#{{end}}")
    } else {
        format!("#if({test}){yes}#{{else}}{no}#{{end}}")
    }
}

impl Dialect for Velocity {
    fn target(&self) -> Target {
        Target::Velocity
    }

    fn language(&self) -> &'static str {
        "Velocity"
    }

    fn place(&self, segments: &[String]) -> Vec<String> {
        match segments.split_first() {
            Some((first, rest)) if first == "profile" && !rest.is_empty() => std::iter::once(self.object.clone())
                .chain(rest.iter().cloned())
                .collect(),
            _ => segments.to_vec(),
        }
    }

    fn reserved(&self) -> &'static [&'static str] {
        &RESERVED
    }

    fn profile_object(&self) -> Option<&str> {
        Some(&self.object)
    }

    fn root(&self, place: &[String], _depth: usize) -> String {
        format!("${}", place.join("."))
    }

    fn item(&self, depth: usize, segments: &[String]) -> String {
        format!("$item_{depth}.{}", segments.join("."))
    }

    fn print(&self, expr: &str, html: bool) -> String {
        let inner = expr.trim_start_matches('$');
        if html {
            format!("$!{{esc.html({expr})}}")
        } else {
            format!("$!{{{inner}}}")
        }
    }

    fn if_set(&self, expr: &str, yes: &str, no: &str) -> String {
        if_block(&format!("{expr} && {expr} != \"\""), yes, no)
    }

    fn if_loop(&self, test: LoopTest, depth: usize, limit: Option<usize>, yes: &str, no: &str) -> String {
        let n = format!("$tsr_n{depth}");
        let t = match (test, limit) {
            (LoopTest::Index, _) => format!("{n} > 1"),
            (LoopTest::First, _) => format!("{n} == 1"),
            (LoopTest::Last, Some(l)) => format!("!$foreach.hasNext || {n} == {l}"),
            (LoopTest::Last, None) => "!$foreach.hasNext".to_owned(),
            (LoopTest::Compare(op, v), _) => format!("{n} {} {}", symbol(op), v.saturating_add(1)),
        };
        if_block(&t, yes, no)
    }

    fn each(&self, list: &str, depth: usize, limit: Option<usize>, body: &str, otherwise: &str) -> String {
        let n = format!("$tsr_n{depth}");
        let body = match limit {
            Some(l) => if_block(&format!("{n} <= {l}"), body, ""),
            None => body.to_owned(),
        };
        let empty = if otherwise.is_empty() {
            String::new()
        } else {
            if_block(&format!("{n} == 0"), otherwise, "")
        };
        format!("#set({n} = 0)#foreach($item_{depth} in {list})#set({n} = {n} + 1){body}#{{end}}{empty}")
    }

    fn literal(&self, text: &str) -> String {
        neutralize::velocity(text)
    }

    fn arrays(&self) -> &'static str {
        "lists of objects whose fields are text (Marketo custom objects), read from the root; a loop with a limit shows the first N items (the template counts them)"
    }
}
