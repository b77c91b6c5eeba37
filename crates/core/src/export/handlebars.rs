//! `sendgrid`: SendGrid dynamic templates (Handlebars with SendGrid's helpers).
//!
//! SendGrid's `#if` is Handlebars truthiness (`" "` is true, `0` is false) and its `equals` coerces
//! types (`3` equals `"3"`); there are no variables, so every test is written as nested blocks whose
//! branches repeat the translated parts:
//! - missing (absent, null, blank, `[]`): `{{#if x}}` with `{{#equals x " "}}` inside; on the false
//!   side `0` and `false` are told apart from null and `""` with `{{#equals x "0"}}`/`"false"`
//!   (true for `0`/`false` whether `equals` coerces like JavaScript's `==` or compares as text);
//! - text versus number: `(length x)` is 0 for every non-text value, so `equals` only matches text
//!   of the right length;
//! - `gte`/`lte`: `greaterThan`/`lessThan` or `equals`; an ordering that holds for 0 first checks
//!   the value is present (JavaScript orders null and `""` as 0).
//!
//! Root fields are read as `@root.a.b` and loop items through block parameters
//! (`{{#each list as |item_1|}}`), because SendGrid's comparison blocks change the context `this`.
//! Loops with a limit test `{{#lessThan @index N}}`. Whole URLs, segments, money and dates are
//! derived fields (see [`super::contract`]).

use std::fmt::Write as _;

use serde_json::Value;

use super::cond::{Access, XCond};
use super::walk::{Case, Syntax, ValueSite, Walk};
use super::{neutralize, ExportError, ExportInput, Parts, Refusal, Target};
use crate::lang::{CmpOp, LoopVar};
use crate::plan::Escape;
use crate::value::compare;

/// Translates an email to a SendGrid dynamic template.
///
/// # Errors
/// A construct SendGrid's Handlebars cannot express.
pub fn export(input: &ExportInput<'_>, amp: Option<&super::amp_template::AmpShape>) -> Result<Parts, ExportError> {
    Walk::new(Hbs::default(), input).run_with_amp(amp)
}

#[derive(Default)]
struct Hbs {
    /// The limits of the loops being translated, innermost last.
    limits: Vec<Option<usize>>,
}

fn item_var(depth: usize) -> String {
    format!("item_{depth}")
}

/// A path segment: as is when Handlebars reads it as an identifier, else `[segment]`.
fn segment(seg: &str) -> Result<String, Refusal> {
    let plain = !seg.is_empty()
        && !seg
            .chars()
            .any(|c| c.is_whitespace() || "!\"#%&'()*+,./;<=>@[\\]^`{|}~".contains(c))
        && !matches!(seg, "true" | "false" | "null" | "undefined" | "this" | "else");
    if plain && !seg.starts_with(|c: char| c.is_ascii_digit()) {
        Ok(seg.to_owned())
    } else if !seg.is_empty() && !seg.contains(']') {
        Ok(format!("[{seg}]"))
    } else {
        Err(Refusal::FieldName {
            name: seg.to_owned(),
            language: "Handlebars",
        })
    }
}

fn path(base: &str, segs: &[String]) -> Result<String, Refusal> {
    let mut out = base.to_owned();
    for s in segs {
        out.push('.');
        out.push_str(&segment(s)?);
    }
    Ok(out)
}

/// A Handlebars literal.
fn literal(v: &Value) -> Result<String, Refusal> {
    match v {
        Value::String(s) if s.ends_with('\\') => Err(Refusal::TrailingBackslash(s.clone())),
        Value::String(s) if !s.contains('"') => Ok(format!("\"{s}\"")),
        Value::String(s) if !s.contains('\'') => Ok(format!("'{s}'")),
        Value::String(s) => Err(Refusal::BothQuotes(s.clone())),
        Value::Number(n) if !n.to_string().contains(['e', 'E']) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        _ => Err(Refusal::Constant {
            value: v.to_string(),
            language: "Handlebars",
        }),
    }
}

/// `{{#open}}yes{{else}}no{{/name}}`.
fn block(open: &str, yes: &str, no: &str) -> String {
    let name = open.split_whitespace().next().unwrap_or(open);
    if no.is_empty() {
        format!("{{{{#{open}}}}}{yes}{{{{/{name}}}}}")
    } else {
        format!("{{{{#{open}}}}}{yes}{{{{else}}}}{no}{{{{/{name}}}}}")
    }
}

fn flip(op: CmpOp) -> CmpOp {
    match op {
        CmpOp::Gt => CmpOp::Lt,
        CmpOp::Gte => CmpOp::Lte,
        CmpOp::Lt => CmpOp::Gt,
        CmpOp::Lte => CmpOp::Gte,
        other => other,
    }
}

impl Hbs {
    fn expr(a: &Access) -> Result<String, Refusal> {
        match a {
            Access::Root(segs) if segs.is_empty() => Err(Refusal::WholeContext),
            Access::Root(segs) => path("@root", segs),
            Access::Item { depth, segments } => path(&item_var(*depth), segments),
            Access::Loop(LoopVar::Index) => Ok("@index".to_owned()),
            Access::Loop(LoopVar::First) => Ok("@first".to_owned()),
            Access::Loop(LoopVar::Last) => Ok("@last".to_owned()),
            Access::Literal(v) => literal(v),
        }
    }

    /// `@last` of the innermost loop, which for a limited loop is also the item at the limit.
    fn last(&self, yes: &str, no: &str) -> String {
        match self.limits.last().copied().flatten() {
            Some(n) if n > 0 => block("if @last", yes, &block(&format!("equals @index {}", n - 1), yes, no)),
            _ => block("if @last", yes, no),
        }
    }

    /// Whether `x` is present: not absent, null, blank text or `[]`.
    fn present(x: &str, yes: &str, no: &str) -> String {
        block(
            &format!("if {x}"),
            &block(&format!("equals {x} \" \""), no, yes),
            &Self::zero_or_false(x, yes, no),
        )
    }

    /// On the false side of `{{#if x}}`: `0` or `false` (values), not null, absent, `""` or `[]`.
    fn zero_or_false(x: &str, yes: &str, no: &str) -> String {
        block(
            &format!("equals {x} \"0\""),
            yes,
            &block(&format!("equals {x} \"false\""), yes, no),
        )
    }

    /// Translates `c` as nested blocks choosing between `yes` and `no`.
    fn test(&self, c: &XCond, yes: &str, no: &str) -> Result<String, Refusal> {
        Ok(match c {
            XCond::Const(true) | XCond::Present(Access::Loop(_)) => yes.to_owned(),
            XCond::Const(false) => no.to_owned(),
            XCond::Truthy(Access::Literal(v)) => {
                if crate::value::is_truthy(v) {
                    yes.to_owned()
                } else {
                    no.to_owned()
                }
            }
            XCond::Truthy(Access::Loop(LoopVar::Last)) => self.last(yes, no),
            XCond::Truthy(a) => block(&format!("if {}", Self::expr(a)?), yes, no),
            XCond::Present(Access::Literal(v)) => {
                if crate::value::is_missing(Some(v)) {
                    no.to_owned()
                } else {
                    yes.to_owned()
                }
            }
            XCond::Present(a) => Self::present(&Self::expr(a)?, yes, no),
            XCond::Compare(op, a, b) => self.compare(*op, a, b, yes, no)?,
            XCond::InSegment(_) => return Err(Refusal::SegmentsDerived),
            XCond::And(parts) => {
                let mut out = yes.to_owned();
                for p in parts.iter().rev() {
                    out = self.test(p, &out, no)?;
                }
                out
            }
            XCond::Or(parts) => {
                let mut out = no.to_owned();
                for p in parts.iter().rev() {
                    out = self.test(p, yes, &out)?;
                }
                out
            }
            XCond::Not(inner) => self.test(inner, no, yes)?,
        })
    }

    #[allow(
        clippy::many_single_char_names,
        reason = "a and b are the operands, x, n and f what is read from them, as in the comparison"
    )]
    fn compare(&self, op: CmpOp, a: &Access, b: &Access, yes: &str, no: &str) -> Result<String, Refusal> {
        let pick = |holds: bool| if holds { yes.to_owned() } else { no.to_owned() };
        match (a, b) {
            (Access::Literal(x), Access::Literal(y)) => Ok(pick(compare(op, x, y))),
            (Access::Literal(_), _) => self.compare(flip(op), b, a, yes, no),
            (Access::Loop(LoopVar::Index), Access::Literal(v)) => {
                let n = match v {
                    Value::Number(n) => n.clone(),
                    Value::String(s) if !matches!(op, CmpOp::Eq | CmpOp::Ne) => match s.trim().parse::<f64>() {
                        Ok(f) => match serde_json::Number::from_f64(f) {
                            Some(n) => n,
                            None => return Ok(pick(false)),
                        },
                        Err(_) => return Ok(pick(false)),
                    },
                    _ => return Ok(pick(op == CmpOp::Ne)),
                };
                Ok(Self::ordered("@index", op, &literal(&Value::Number(n))?, yes, no))
            }
            (Access::Loop(var), Access::Literal(Value::Bool(want))) if matches!(op, CmpOp::Eq | CmpOp::Ne) => {
                let c = XCond::Truthy(Access::Loop(*var));
                let holds = if *want == (op == CmpOp::Eq) {
                    c
                } else {
                    XCond::Not(Box::new(c))
                };
                self.test(&holds, yes, no)
            }
            (Access::Loop(_), Access::Literal(_)) if matches!(op, CmpOp::Eq | CmpOp::Ne) => Ok(pick(op == CmpOp::Ne)),
            (Access::Root(_) | Access::Item { .. }, Access::Literal(v)) => {
                let x = Self::expr(a)?;
                match (op, v) {
                    (CmpOp::Ne, _) => self.compare(CmpOp::Eq, a, b, no, yes),
                    (CmpOp::Eq, Value::Null) => Ok(block(
                        &format!("if {x}"),
                        no,
                        &block(
                            &format!("equals {x} \"0\""),
                            no,
                            &block(&format!("equals {x} \"\""), no, yes),
                        ),
                    )),
                    (CmpOp::Eq, Value::String(s)) if s.is_empty() => Ok(block(
                        &format!("equals {x} \"\""),
                        &block(&format!("equals {x} \"0\""), no, yes),
                        no,
                    )),
                    (CmpOp::Eq, Value::String(s)) => Ok(block(
                        &format!("equals {x} {}", literal(v)?),
                        &block(&format!("equals (length {x}) {}", s.encode_utf16().count()), yes, no),
                        no,
                    )),
                    (CmpOp::Eq, Value::Number(n)) => {
                        let number = block(&format!("equals (length {x}) 0"), yes, no);
                        let inner = if n.as_f64() == Some(0.0) {
                            block(
                                &format!("equals (length {x}) 0"),
                                &block(&format!("equals {x} \"0\""), yes, no),
                                no,
                            )
                        } else {
                            number
                        };
                        Ok(block(&format!("equals {x} {}", literal(v)?), &inner, no))
                    }
                    (_, Value::Number(n)) => {
                        let lit = literal(v)?;
                        let f = n.as_f64().unwrap_or(0.0);
                        let ordered = Self::ordered(&x, op, &lit, yes, no);
                        // JavaScript orders null, "" and " " as 0; preview leaves them unordered.
                        if compare(op, &Value::from(0), &Value::from(f)) {
                            Ok(Self::present(&x, &ordered, no))
                        } else {
                            Ok(ordered)
                        }
                    }
                    (_, Value::String(s)) if s.trim().parse::<f64>().is_err() => {
                        Ok(Self::ordered(&x, op, &literal(v)?, yes, no))
                    }
                    _ => Err(Refusal::CoercedConstant(v.to_string())),
                }
            }
            _ => Err(Refusal::CoercedValues),
        }
    }

    /// `x op lit` with SendGrid's `greaterThan`, `lessThan` and `equals`.
    fn ordered(x: &str, op: CmpOp, lit: &str, yes: &str, no: &str) -> String {
        match op {
            CmpOp::Eq => block(&format!("equals {x} {lit}"), yes, no),
            CmpOp::Ne => block(&format!("equals {x} {lit}"), no, yes),
            CmpOp::Gt => block(&format!("greaterThan {x} {lit}"), yes, no),
            CmpOp::Lt => block(&format!("lessThan {x} {lit}"), yes, no),
            CmpOp::Gte => block(
                &format!("greaterThan {x} {lit}"),
                yes,
                &block(&format!("equals {x} {lit}"), yes, no),
            ),
            CmpOp::Lte => block(
                &format!("lessThan {x} {lit}"),
                yes,
                &block(&format!("equals {x} {lit}"), yes, no),
            ),
        }
    }

    /// A constant printed as preview prints it.
    fn constant(site: &ValueSite, v: &Value, out: &mut String) {
        let text = match v {
            Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        };
        let printed = match (text, &site.fallback) {
            (Some(t), _) => match site.escape {
                Escape::Html => crate::escape::html_escape(&t),
                _ => t,
            },
            (None, Some(f)) => f.clone(),
            (None, None) => match (v, site.escape) {
                (Value::String(s), Escape::Html) => crate::escape::html_escape(s),
                (Value::String(s), _) => s.clone(),
                _ => String::new(),
            },
        };
        out.push_str(&neutralize::handlebars(&printed));
    }
}

impl Syntax for Hbs {
    fn target(&self) -> Target {
        Target::Sendgrid
    }

    fn esp_name(&self, access: &Access) -> Result<String, Refusal> {
        match access {
            Access::Item { segments, .. } => path("this", segments),
            Access::Root(segs) => path("", segs).map(|p| p.trim_start_matches('.').to_owned()),
            other => Self::expr(other),
        }
    }

    fn literal(&mut self, text: &str, out: &mut String) {
        out.push_str(&neutralize::handlebars(text));
    }

    fn value(&mut self, site: &ValueSite, _depth: usize, out: &mut String) -> Result<(), Refusal> {
        if site.case != Case::Plain {
            return Err(Refusal::NoCaseHelper { target: "SendGrid" });
        }
        if let Access::Literal(v) = &site.access {
            Self::constant(site, v, out);
            return Ok(());
        }
        let x = Self::expr(&site.access)?;
        let x = match &site.access {
            Access::Loop(LoopVar::Last) => {
                out.push_str(&self.last("true", "false"));
                return Ok(());
            }
            _ => x,
        };
        match site.escape {
            Escape::Html | Escape::Text => {
                let print = if site.escape == Escape::Html {
                    format!("{{{{{x}}}}}")
                } else {
                    format!("{{{{{{{x}}}}}}}")
                };
                if site.blank_prints {
                    out.push_str(&print);
                } else {
                    let fallback = neutralize::handlebars(site.fallback.as_deref().unwrap_or_default());
                    out.push_str(&block(
                        &format!("if {x}"),
                        &block(&format!("equals {x} \" \""), &fallback, &print),
                        &Self::zero_or_false(&x, &print, &fallback),
                    ));
                }
            }
            // The derived `href` field: the URL preview writes, HTML-escaped.
            Escape::UrlStart => {
                let _ = write!(out, "{{{{{x}}}}}");
            }
            // The derived `link` field: the URL or nothing; ` (URL)` goes with it.
            Escape::TextUrlStart if site.in_parens => {
                out.push_str(&block(&format!("if {x}"), &format!(" ({{{{{{{x}}}}}}})"), ""));
            }
            Escape::TextUrlStart => {
                let _ = write!(out, "{{{{{{{x}}}}}}}");
            }
            Escape::UrlPart => {
                return Err(Refusal::UrlEncoding {
                    gap: "SendGrid has no encoding helper",
                })
            }
            Escape::Css => return Err(Refusal::StyleValue { target: "SendGrid" }),
        }
        Ok(())
    }

    fn branch(&mut self, cond: &XCond, then: String, otherwise: String, _depth: usize) -> Result<String, Refusal> {
        self.test(cond, &then, &otherwise)
    }

    fn each(
        &mut self,
        list: &Access,
        depth: usize,
        limit: Option<usize>,
        body: String,
        otherwise: String,
    ) -> Result<String, Refusal> {
        if !matches!(list, Access::Root(_) | Access::Item { .. }) {
            return Err(Refusal::LoopOverNonField);
        }
        let e = Self::expr(list)?;
        let body = match limit {
            Some(n) => block(&format!("lessThan @index {n}"), &body, ""),
            None => body,
        };
        Ok(block(&format!("each {e} as |{}|", item_var(depth)), &body, &otherwise))
    }

    fn arrays(&self) -> &'static str {
        "JSON arrays of objects in the dynamic template data, as in Tessera's context; a loop with a limit shows the first N items ({{#lessThan @index N}})"
    }

    fn derives_urls(&self) -> bool {
        true
    }

    fn derives_segments(&self) -> bool {
        true
    }

    fn enter_loop(&mut self, limit: Option<usize>) {
        self.limits.push(limit);
    }

    fn leave_loop(&mut self) {
        self.limits.pop();
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn root(p: &str) -> Access {
        Access::Root(p.split('.').map(str::to_owned).collect())
    }

    #[test]
    fn paths_read_the_root_and_block_parameters() {
        assert_eq!(
            Hbs::expr(&root("profile.first_name")).expect("ok"),
            "@root.profile.first_name"
        );
        assert_eq!(Hbs::expr(&root("a.b c.0")).expect("ok"), "@root.a.[b c].[0]");
        let item = Access::Item {
            depth: 2,
            segments: vec!["name".into()],
        };
        assert_eq!(Hbs::expr(&item).expect("ok"), "item_2.name");
        assert!(Hbs::expr(&root("a.x]y")).is_err());
    }

    #[test]
    fn ordering_that_holds_for_zero_checks_presence_first() {
        let s = Hbs::default();
        let gt = s
            .test(
                &XCond::Compare(CmpOp::Gt, root("cart.total"), Access::Literal(json!(0))),
                "Y",
                "N",
            )
            .expect("ok");
        assert_eq!(gt, "{{#greaterThan @root.cart.total 0}}Y{{else}}N{{/greaterThan}}");
        let gte = s
            .test(
                &XCond::Compare(CmpOp::Gte, root("p"), Access::Literal(json!(0))),
                "Y",
                "N",
            )
            .expect("ok");
        assert!(
            gte.starts_with("{{#if @root.p}}{{#equals @root.p \" \"}}N{{else}}{{#greaterThan"),
            "{gte}"
        );
    }

    #[test]
    fn field_to_field_comparisons_are_refused() {
        let s = Hbs::default();
        let err = s
            .test(&XCond::Compare(CmpOp::Eq, root("a"), root("b")), "Y", "N")
            .expect_err("refused");
        assert!(err.to_string().contains("coerce"), "{err}");
    }

    #[test]
    fn loops_use_block_parameters_and_limits() {
        let mut s = Hbs::default();
        let out = s
            .each(&root("recs"), 1, Some(4), "x".into(), "none".into())
            .expect("ok");
        assert_eq!(
            out,
            "{{#each @root.recs as |item_1|}}{{#lessThan @index 4}}x{{/lessThan}}{{else}}none{{/each}}"
        );
    }
}
