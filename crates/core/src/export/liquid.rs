//! `liquid` (Shopify/core Liquid), `braze` (Braze's Liquid, which reads profile fields as
//! `${first_name}` and everything else as `custom_attribute.${name}`) and `customerio`
//! (Customer.io's Liquid, which reads the person's attributes as `customer.first_name` and the
//! triggering event's data as `event.cart.total`).
//!
//! Liquid's own truthiness (only `nil` and `false` are false), `default` (which ignores `" "` and
//! fires on `false`) and comparisons (which coerce `nil` and `" "` to 0) differ from the language's,
//! so every test is spelled out: a value is missing when `x | strip` is `""` or `x == empty`; a value
//! is truthy when `x and x != empty and x != 0`; an ordering comparison first checks that its operands
//! are neither blank nor `true`/`false`. Compound conditions are built from `assign`ed booleans, so
//! Liquid's right-to-left `and`/`or` never meets parentheses it does not have. Temporary variables
//! are named `tsr_N`, loop items `item`, `item_2`, ...

use std::fmt::Write as _;

use serde_json::{Map, Value};

use super::cond::{Access, XCond};
use super::walk::{Case, Syntax, ValueSite, Walk};
use super::{neutralize, ExportError, ExportInput, Parts, Refusal, Target};
use crate::lang::{CmpOp, LoopVar};
use crate::plan::Escape;

/// Which Liquid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// Shopify/core Liquid: data as in Tessera's recipient context.
    Liquid,
    /// Braze: standard attributes and custom attributes.
    Braze,
    /// Customer.io: profile fields and `segments` as the person's attributes (`customer.`), every
    /// other top-level field as the triggering event's data (`event.`).
    Customerio,
}

/// Customer.io's namespaces: the person's attributes and the triggering event's data.
const CUSTOMERIO_PERSON: &str = "customer";
/// See [`CUSTOMERIO_PERSON`].
const CUSTOMERIO_EVENT: &str = "event";

/// Profile fields that are Braze standard attributes, and their Braze names.
const BRAZE_STANDARD: [(&str, &str); 7] = [
    ("first_name", "first_name"),
    ("last_name", "last_name"),
    ("email", "email_address"),
    ("city", "city"),
    ("country", "country"),
    ("phone", "phone_number"),
    ("gender", "gender"),
];

/// Names a template's root fields must not use: Liquid's own words and the export's variables.
const RESERVED: [&str; 9] = [
    "empty",
    "blank",
    "nil",
    "null",
    "true",
    "false",
    "forloop",
    "item",
    "custom_attribute",
];

/// Translates an email to Liquid or Braze.
///
/// # Errors
/// A construct the flavor cannot express.
pub fn export(
    input: &ExportInput<'_>,
    flavor: Flavor,
    amp: Option<&super::amp_template::AmpShape>,
) -> Result<Parts, ExportError> {
    Walk::new(LiquidSyntax { flavor, temps: 0 }, input).run_with_amp(amp)
}

/// Braze's data model for a recipient context: profile fields that are standard attributes at the
/// root, every other profile field and every other top-level field under `custom_attribute` (the
/// shape the `${...}` references take once mapped to plain variables).
#[must_use]
pub fn braze_data(data: &Value) -> Value {
    let mut root = Map::new();
    let mut custom = Map::new();
    if let Value::Object(map) = data {
        for (k, v) in map {
            match (k.as_str(), v) {
                ("profile", Value::Object(profile)) => {
                    for (pk, pv) in profile {
                        match BRAZE_STANDARD.iter().find(|(name, _)| name == pk) {
                            Some((_, braze)) => root.insert((*braze).to_owned(), pv.clone()),
                            None => custom.insert(pk.clone(), pv.clone()),
                        };
                    }
                }
                _ => {
                    custom.insert(k.clone(), v.clone());
                }
            }
        }
    }
    root.insert("custom_attribute".to_owned(), Value::Object(custom));
    Value::Object(root)
}

/// Customer.io's data model for a recipient context: profile fields and `segments` as the
/// person's attributes under `customer`, every other top-level field under `event` (the data of
/// the event that triggers the campaign).
#[must_use]
pub fn customerio_data(data: &Value) -> Value {
    let mut person = Map::new();
    let mut event = Map::new();
    if let Value::Object(map) = data {
        for (k, v) in map {
            match (k.as_str(), v) {
                ("profile", Value::Object(profile)) => {
                    for (pk, pv) in profile {
                        person.entry(pk.clone()).or_insert_with(|| pv.clone());
                    }
                }
                ("segments", _) => {
                    person.insert(k.clone(), v.clone());
                }
                _ => {
                    event.insert(k.clone(), v.clone());
                }
            }
        }
    }
    let mut root = Map::new();
    root.insert(CUSTOMERIO_PERSON.to_owned(), Value::Object(person));
    root.insert(CUSTOMERIO_EVENT.to_owned(), Value::Object(event));
    Value::Object(root)
}

struct LiquidSyntax {
    flavor: Flavor,
    temps: usize,
}

fn item_var(depth: usize) -> String {
    if depth <= 1 {
        "item".to_owned()
    } else {
        format!("item_{depth}")
    }
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// `.name`, `[0]` or `["odd name"]`.
fn member(seg: &str) -> Result<String, Refusal> {
    if is_identifier(seg) {
        Ok(format!(".{seg}"))
    } else if !seg.is_empty() && seg.bytes().all(|b| b.is_ascii_digit()) {
        Ok(format!("[{seg}]"))
    } else if !seg.contains('"') {
        Ok(format!("[\"{seg}\"]"))
    } else {
        Err(Refusal::FieldName {
            name: seg.to_owned(),
            language: "Liquid",
        })
    }
}

fn members(segs: &[String]) -> Result<String, Refusal> {
    segs.iter().map(|s| member(s)).collect()
}

/// A Liquid string literal.
fn string(s: &str) -> Result<String, Refusal> {
    if !s.contains('"') {
        Ok(format!("\"{s}\""))
    } else if !s.contains('\'') {
        Ok(format!("'{s}'"))
    } else {
        Err(Refusal::LiquidQuotes(s.to_owned()))
    }
}

impl LiquidSyntax {
    fn temp(&mut self) -> String {
        self.temps += 1;
        format!("tsr_{}", self.temps)
    }

    fn braze(&self) -> bool {
        self.flavor == Flavor::Braze
    }

    fn expr(&self, a: &Access) -> Result<String, Refusal> {
        match a {
            Access::Root(segs) => {
                let (first, rest) = segs.split_first().ok_or(Refusal::WholeContext)?;
                if RESERVED.contains(&first.as_str()) || first.starts_with("tsr_") || first.starts_with("item_") {
                    return Err(Refusal::ReservedTopLevel(first.clone()));
                }
                if self.flavor == Flavor::Customerio {
                    return match (first.as_str(), rest.split_first()) {
                        ("profile", Some((name, _))) if name == "segments" => Err(Refusal::ReservedName {
                            name: "profile.segments".to_owned(),
                            language: "Customer.io",
                        }),
                        ("profile", Some(_)) => Ok(format!("{CUSTOMERIO_PERSON}{}", members(rest)?)),
                        ("profile", None) => Err(Refusal::WholeProfile),
                        ("segments", _) => Ok(format!("{CUSTOMERIO_PERSON}.segments{}", members(rest)?)),
                        _ => Ok(format!("{CUSTOMERIO_EVENT}{}", members(segs)?)),
                    };
                }
                if self.braze() {
                    if first == "profile" {
                        let (name, rest) = rest.split_first().ok_or(Refusal::WholeProfile)?;
                        return Ok(match BRAZE_STANDARD.iter().find(|(n, _)| n == name) {
                            Some((_, braze)) => format!("${{{braze}}}{}", members(rest)?),
                            None => format!("custom_attribute.${{{}}}{}", attribute(name)?, members(rest)?),
                        });
                    }
                    return Ok(format!("custom_attribute.${{{}}}{}", attribute(first)?, members(rest)?));
                }
                if !is_identifier(first) {
                    return Err(Refusal::TopLevelFieldName {
                        name: first.clone(),
                        language: "Liquid",
                    });
                }
                Ok(format!("{first}{}", members(rest)?))
            }
            Access::Item { depth, segments } => Ok(format!("{}{}", item_var(*depth), members(segments)?)),
            Access::Loop(LoopVar::Index) => Ok("forloop.index0".to_owned()),
            Access::Loop(LoopVar::First) => Ok("forloop.first".to_owned()),
            Access::Loop(LoopVar::Last) => Ok("forloop.last".to_owned()),
            Access::Literal(v) => literal(v),
        }
    }

    fn segments_expr(&self) -> String {
        match self.flavor {
            Flavor::Braze => "custom_attribute.${segments}".to_owned(),
            Flavor::Customerio => format!("{CUSTOMERIO_PERSON}.segments"),
            Flavor::Liquid => "segments".to_owned(),
        }
    }

    /// A condition as assignments to run first and a conjunction to test (empty: true).
    fn cond(&mut self, c: &XCond) -> Result<(String, Vec<String>), Refusal> {
        Ok(match c {
            XCond::Const(true) => (String::new(), Vec::new()),
            XCond::Const(false) => (String::new(), vec!["false".to_owned()]),
            XCond::Truthy(Access::Loop(LoopVar::Index)) => (String::new(), vec!["forloop.index0 != 0".to_owned()]),
            XCond::Truthy(Access::Loop(LoopVar::First)) => (String::new(), vec!["forloop.first".to_owned()]),
            XCond::Truthy(Access::Loop(LoopVar::Last)) => (String::new(), vec!["forloop.last".to_owned()]),
            XCond::Truthy(Access::Literal(v)) => {
                return self.cond(&XCond::Const(crate::value::is_truthy(v)));
            }
            XCond::Truthy(a) => {
                let e = self.expr(a)?;
                (
                    String::new(),
                    vec![e.clone(), format!("{e} != empty"), format!("{e} != 0")],
                )
            }
            XCond::Present(a) => {
                let e = self.expr(a)?;
                let t = self.temp();
                (
                    format!("{{% assign {t} = {e} | strip %}}"),
                    vec![format!("{t} != \"\""), format!("{e} != empty")],
                )
            }
            XCond::Compare(op, a, b) => self.compare(*op, a, b)?,
            XCond::InSegment(name) => (
                String::new(),
                vec![format!("{} contains {}", self.segments_expr(), string(name)?)],
            ),
            XCond::And(parts) => {
                let mut prelude = String::new();
                let mut conj = Vec::new();
                for p in parts {
                    let (pre, c) = self.cond(p)?;
                    prelude.push_str(&pre);
                    conj.extend(c);
                }
                (prelude, conj)
            }
            XCond::Or(parts) => {
                let mut prelude = String::new();
                let mut vars = Vec::new();
                for p in parts {
                    let (pre, v) = self.materialize(p)?;
                    prelude.push_str(&pre);
                    vars.push(v);
                }
                let r = self.temp();
                let _ = write!(
                    prelude,
                    "{{% assign {r} = false %}}{{% if {} %}}{{% assign {r} = true %}}{{% endif %}}",
                    vars.join(" or ")
                );
                (prelude, vec![r])
            }
            XCond::Not(inner) => {
                let (pre, v) = self.materialize(inner)?;
                (pre, vec![format!("{v} == false")])
            }
        })
    }

    /// A condition as assignments that leave its truth in one variable.
    fn materialize(&mut self, c: &XCond) -> Result<(String, String), Refusal> {
        let (mut prelude, conj) = self.cond(c)?;
        let v = self.temp();
        let test = if conj.is_empty() {
            "true".to_owned()
        } else {
            conj.join(" and ")
        };
        let _ = write!(
            prelude,
            "{{% assign {v} = false %}}{{% if {test} %}}{{% assign {v} = true %}}{{% endif %}}"
        );
        Ok((prelude, v))
    }

    fn compare(&mut self, op: CmpOp, a: &Access, b: &Access) -> Result<(String, Vec<String>), Refusal> {
        let (ea, eb) = (self.expr(a)?, self.expr(b)?);
        let sym = match op {
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Gt => ">",
            CmpOp::Gte => ">=",
            CmpOp::Lt => "<",
            CmpOp::Lte => "<=",
        };
        let mut prelude = String::new();
        let mut conj = Vec::new();
        if !matches!(op, CmpOp::Eq | CmpOp::Ne) {
            // Liquid orders nil, " " and false as if they were 0; the language leaves them unordered.
            let is_text = |x: &Access| matches!(x, Access::Literal(Value::String(_)));
            for (x, e, other) in [(a, &ea, b), (b, &eb, a)] {
                if matches!(x, Access::Root(_) | Access::Item { .. }) && !is_text(other) {
                    let t = self.temp();
                    let _ = write!(prelude, "{{% assign {t} = {e} | strip %}}");
                    conj.push(format!("{t} != \"\""));
                    conj.push(format!("{e} != true"));
                    conj.push(format!("{e} != false"));
                }
                if let Access::Literal(v) = x {
                    if !matches!(v, Value::Number(_) | Value::String(_)) {
                        return Ok((String::new(), vec!["false".to_owned()]));
                    }
                }
            }
        }
        conj.push(format!("{ea} {sym} {eb}"));
        Ok((prelude, conj))
    }

    fn print(e: &str, case: Case, escape: bool) -> String {
        let case = match case {
            Case::Plain => "",
            Case::Upper => " | upcase",
            Case::Lower => " | downcase",
            Case::Capitalize => " | capitalize",
        };
        let esc = if escape { " | escape" } else { "" };
        format!("{{{{ {e}{case}{esc} }}}}")
    }
}

/// A Braze attribute name inside `${...}`.
fn attribute(name: &str) -> Result<&str, Refusal> {
    if name.contains('}') || name.is_empty() {
        Err(Refusal::BrazeAttribute(name.to_owned()))
    } else {
        Ok(name)
    }
}

fn literal(v: &Value) -> Result<String, Refusal> {
    Ok(match v {
        Value::String(s) => string(s)?,
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Null => "nil".to_owned(),
        _ => return Err(Refusal::CompoundConstant),
    })
}

impl Syntax for LiquidSyntax {
    fn target(&self) -> Target {
        match self.flavor {
            Flavor::Liquid => Target::Liquid,
            Flavor::Braze => Target::Braze,
            Flavor::Customerio => Target::Customerio,
        }
    }

    fn esp_name(&self, access: &Access) -> Result<String, Refusal> {
        match access {
            // Item fields are read from the loop variable; name them as the item's keys.
            Access::Item { segments, .. } => Ok(format!("item{}", members(segments)?)),
            other => self.expr(other),
        }
    }

    fn literal(&mut self, text: &str, out: &mut String) {
        out.push_str(&neutralize::liquid(text, self.braze()));
    }

    fn value(&mut self, site: &ValueSite, _depth: usize, out: &mut String) -> Result<(), Refusal> {
        let e = self.expr(&site.access)?;
        let fallback = site.fallback.clone().unwrap_or_default();
        match site.escape {
            Escape::Html | Escape::Text => {
                let print = Self::print(&e, site.case, site.escape == Escape::Html);
                if site.blank_prints {
                    out.push_str(&print);
                } else {
                    let t = self.temp();
                    let _ = write!(
                        out,
                        "{{% assign {t} = {e} | strip %}}{{% if {t} == \"\" or {e} == empty %}}"
                    );
                    self.literal(&fallback, out);
                    let _ = write!(out, "{{% else %}}{print}{{% endif %}}");
                }
            }
            Escape::UrlStart | Escape::TextUrlStart => {
                let (u, k, h, ok) = (self.temp(), self.temp(), self.temp(), self.temp());
                let case = Self::print("", site.case, false);
                let filters = case.trim_start_matches("{{ ").trim_end_matches(" }}");
                let _ = write!(out, "{{% assign {u} = {e}{filters} | strip %}}");
                if !site.blank_prints {
                    let _ = write!(out, "{{% if {u} == \"\" or {e} == empty %}}{{% capture {u} %}}");
                    self.literal(&fallback, out);
                    let _ = write!(out, "{{% endcapture %}}{{% assign {u} = {u} | strip %}}{{% endif %}}");
                }
                // The scheme as a browser reads it: spaces, tabs and line breaks are skipped.
                let _ = write!(out,
                    "{{% assign {k} = {u} | downcase | strip_newlines | remove: \" \" | remove: \"\t\" %}}\
                     {{% assign {h} = {k} | split: \":\" | first %}}{{% assign {ok} = true %}}\
                     {{% if {k} contains \":\" %}}{{% assign {ok} = false %}}\
                     {{% if {h} contains \"/\" or {h} contains \"?\" or {h} contains \"#\" or {h}.size > 16 %}}{{% assign {ok} = true %}}{{% endif %}}\
                     {{% case {h} %}}{{% when \"http\", \"https\", \"mailto\", \"tel\", \"sms\", \"cid\" %}}{{% assign {ok} = true %}}{{% endcase %}}\
                     {{% endif %}}"
                );
                let _ = match (site.escape, site.in_parens) {
                    (Escape::UrlStart, _) => {
                        write!(out, "{{% if {ok} %}}{{{{ {u} | escape }}}}{{% else %}}#{{% endif %}}")
                    }
                    (_, true) => write!(out, "{{% if {ok} and {u} != \"\" %}} ({{{{ {u} }}}}){{% endif %}}"),
                    (_, false) => write!(out, "{{% if {ok} %}}{{{{ {u} }}}}{{% endif %}}"),
                };
            }
            Escape::UrlPart => {
                return Err(Refusal::UrlEncoding {
                    gap: "Liquid's url_encode writes spaces as + and leaves !'()* as they are",
                })
            }
            Escape::Css => return Err(Refusal::StyleValue { target: "Liquid" }),
        }
        Ok(())
    }

    fn branch(&mut self, cond: &XCond, then: String, otherwise: String, _depth: usize) -> Result<String, Refusal> {
        match cond {
            XCond::Const(true) => return Ok(then),
            XCond::Const(false) => return Ok(otherwise),
            _ => {}
        }
        let (mut out, terms) = self.cond(cond)?;
        let test = if terms.is_empty() {
            "true".to_owned()
        } else {
            terms.join(" and ")
        };
        let _ = write!(out, "{{% if {test} %}}");
        out.push_str(&then);
        if !otherwise.is_empty() {
            out.push_str("{% else %}");
            out.push_str(&otherwise);
        }
        out.push_str("{% endif %}");
        Ok(out)
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
        let e = self.expr(list)?;
        let limit = limit.map_or(String::new(), |l| format!(" limit: {l}"));
        let mut out = format!("{{% for {} in {e}{limit} %}}", item_var(depth));
        out.push_str(&body);
        if !otherwise.is_empty() {
            out.push_str("{% else %}");
            out.push_str(&otherwise);
        }
        out.push_str("{% endfor %}");
        Ok(out)
    }

    fn arrays(&self) -> &'static str {
        match self.flavor {
            Flavor::Liquid => "JSON arrays of objects in the recipient's data, as in Tessera's context (e.g. cart.items); loops take the first N items with limit:",
            Flavor::Braze => "array or nested custom attributes (custom_attribute.${recommendations}), items as objects; loops take the first N items with limit:",
            Flavor::Customerio => "JSON arrays of objects in the triggering event's data (event.recommendations) or the person's attributes (customer.*), as in Tessera's context; loops take the first N items with limit:",
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn root(p: &str) -> Access {
        Access::Root(p.split('.').map(str::to_owned).collect())
    }

    fn syntax(flavor: Flavor) -> LiquidSyntax {
        LiquidSyntax { flavor, temps: 0 }
    }

    #[test]
    fn truthiness_is_spelled_out() {
        let mut s = syntax(Flavor::Liquid);
        let out = s
            .branch(&XCond::Truthy(root("profile.city")), "A".into(), "B".into(), 0)
            .expect("translates");
        assert_eq!(
            out,
            "{% if profile.city and profile.city != empty and profile.city != 0 %}A{% else %}B{% endif %}"
        );
    }

    #[test]
    fn or_and_not_go_through_assigned_booleans() {
        let mut s = syntax(Flavor::Liquid);
        let c = XCond::Or(vec![
            XCond::InSegment("vip".into()),
            XCond::Not(Box::new(XCond::Compare(
                CmpOp::Eq,
                root("cart.currency"),
                Access::Literal(json!("USD")),
            ))),
        ]);
        let out = s.branch(&c, "A".into(), String::new(), 0).expect("translates");
        assert_eq!(
            out,
            "{% assign tsr_1 = false %}{% if segments contains \"vip\" %}{% assign tsr_1 = true %}{% endif %}\
             {% assign tsr_2 = false %}{% if cart.currency == \"USD\" %}{% assign tsr_2 = true %}{% endif %}\
             {% assign tsr_3 = false %}{% if tsr_2 == false %}{% assign tsr_3 = true %}{% endif %}\
             {% assign tsr_4 = false %}{% if tsr_1 or tsr_3 %}{% assign tsr_4 = true %}{% endif %}\
             {% if tsr_4 %}A{% endif %}"
        );
    }

    #[test]
    fn ordering_guards_blank_and_boolean_operands() {
        let mut s = syntax(Flavor::Liquid);
        let c = XCond::Compare(CmpOp::Gte, root("profile.loyalty_points"), Access::Literal(json!(1000)));
        let (prelude, conj) = s.cond(&c).expect("translates");
        assert_eq!(prelude, "{% assign tsr_1 = profile.loyalty_points | strip %}");
        assert_eq!(
            conj,
            [
                "tsr_1 != \"\"",
                "profile.loyalty_points != true",
                "profile.loyalty_points != false",
                "profile.loyalty_points >= 1000"
            ]
        );
    }

    #[test]
    fn braze_reads_standard_and_custom_attributes() {
        let s = syntax(Flavor::Braze);
        assert_eq!(s.expr(&root("profile.first_name")).expect("ok"), "${first_name}");
        assert_eq!(s.expr(&root("profile.email")).expect("ok"), "${email_address}");
        assert_eq!(
            s.expr(&root("profile.loyalty_points")).expect("ok"),
            "custom_attribute.${loyalty_points}"
        );
        assert_eq!(
            s.expr(&root("cart.total")).expect("ok"),
            "custom_attribute.${cart}.total"
        );
        assert!(s.expr(&root("profile")).is_err());
        let data = braze_data(&json!({"profile": {"first_name": "Ada", "tier": "x"}, "cart": {"total": 1}}));
        assert_eq!(
            data,
            json!({"first_name": "Ada", "custom_attribute": {"tier": "x", "cart": {"total": 1}}})
        );
    }

    #[test]
    fn loops_name_items_by_depth_and_keep_the_limit() {
        let mut s = syntax(Flavor::Liquid);
        let inner = Access::Item {
            depth: 1,
            segments: vec!["sizes".into()],
        };
        let out = s.each(&inner, 2, None, "x".into(), String::new()).expect("translates");
        assert_eq!(out, "{% for item_2 in item.sizes %}x{% endfor %}");
        let out = s
            .each(&root("recommendations"), 1, Some(4), "x".into(), "none".into())
            .expect("ok");
        assert_eq!(
            out,
            "{% for item in recommendations limit: 4 %}x{% else %}none{% endfor %}"
        );
    }

    #[test]
    fn names_liquid_reserves_are_refused() {
        let s = syntax(Flavor::Liquid);
        for bad in ["forloop.index", "empty", "tsr_1", "item"] {
            assert!(s.expr(&root(bad)).is_err(), "{bad}");
        }
        assert_eq!(s.expr(&root("a.b-c.0.d e")).expect("ok"), "a.b-c[0][\"d e\"]");
    }
}
