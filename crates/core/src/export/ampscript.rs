//! `ampscript`: Salesforce Marketing Cloud's AMPscript.
//!
//! Marketing Cloud attributes (and data-extension columns) hold text, and AMPscript compares text
//! its own way (case-insensitively, numbers from text), so, as for Mailchimp, nothing that preview
//! tells apart by type is tested in the template. The export reads:
//! - one attribute per root field the template prints, holding the text preview prints for it, or
//!   nothing when preview would fall back (absent, null, blank text, a list or an object); each
//!   part reads the attributes it uses once at its top, `SET @x = AttributeValue("x")`;
//! - one derived flag attribute per condition test (`cond_1`, ...), holding `1` when the test holds
//!   and nothing otherwise; `and`, `or` and `not` are written as AMPscript's `AND`, `OR`, `NOT`
//!   with explicit parentheses; tests of `@index`, `@first` and `@last` against a whole number are
//!   written against the loop counter;
//! - a list as a JSON attribute `{"items": [...]}` whose items hold their fields as text (as
//!   above), looped with `BuildRowsetFromJSON(@list, "$.items[*]", 1)`, `RowCount`, a row limit,
//!   `FOR ... NEXT` and `Row`/`Field`;
//! - derived `href`/`link` fields for whole URLs and pre-formatted `currency`/`date` fields.
//!
//! AMPscript does not HTML-escape: values in the HTML part print through nested `Replace()` calls,
//! `&` first (see [`html_escaped`]). Literal text prints its `%`, `[`, `]`, `=` through outputs of
//! constants wherever they could form a delimiter (see [`super::neutralize::ampscript`]).

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::rc::Rc;

use serde_json::{json, Map, Value};

use super::cond::{Access, XCond};
use super::contract::{Manifest, FLAG_HELPERS};
use super::walk::{Case, Syntax, ValueSite, Walk};
use super::{neutralize, ExportError, ExportInput, Parts, Refusal, Target};
use crate::lang::{CmpOp, LoopVar};
use crate::plan::Escape;
use crate::value::{is_missing, lookup};

/// Prefix of the export's own variables (`@tsr_rows1`, `@tsr_i1`, ...); no attribute may use it.
const OWN: &str = "tsr_";

/// The attribute a field is read from: the path with every character other than `A`-`Z`,
/// `a`-`z`, `0`-`9` written `_` (`profile.first_name` → `profile_first_name`); `f_` in front of
/// a leading digit or `_`.
///
/// # Errors
/// The name would start with the export's own prefix `tsr_`.
pub fn attribute_name(path: &str) -> Result<String, Refusal> {
    let mut name: String = path
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit() || c == '_') {
        name.insert_str(0, "f_");
    }
    if name.to_ascii_lowercase().starts_with(OWN) {
        return Err(Refusal::OwnVariable {
            path: path.to_owned(),
            name,
        });
    }
    Ok(name)
}

/// `s` as an AMPscript string literal (double quotes, a quote doubled).
#[must_use]
pub fn string_literal(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// `expr` HTML-escaped as preview escapes text (`&`, `<`, `>`, `"`, `'`): nested `Replace()` calls
/// with `&` first, so the entities the later calls add are not escaped again.
#[must_use]
pub fn html_escaped(expr: &str) -> String {
    let mut out = expr.to_owned();
    for (from, to) in [
        ("&", "&amp;"),
        ("<", "&lt;"),
        (">", "&gt;"),
        ("\"", "&quot;"),
        ("'", "&#x27;"),
    ] {
        out = format!("Replace({out}, {}, {})", string_literal(from), string_literal(to));
    }
    out
}

/// Translates an email to AMPscript.
///
/// # Errors
/// A construct AMPscript cannot express as preview renders it (see `docs/export.md`), or two fields
/// read from the same attribute.
pub fn export(input: &ExportInput<'_>) -> Result<Parts, ExportError> {
    let lists = Rc::new(RefCell::new(BTreeSet::new()));
    let mut parts = Walk::new(
        Amp {
            lists: Rc::clone(&lists),
        },
        input,
    )
    .run()?;
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    let mut reads: Vec<String> = Vec::new();
    for field in &mut parts.fields {
        if field.path.contains("[]") {
            continue;
        }
        if lists.borrow().contains(&field.path) {
            "list".clone_into(&mut field.field_type);
        }
        if let Some(first) = seen.insert(field.esp_name.to_ascii_lowercase(), field.path.clone()) {
            return Err(ExportError::NameCollision {
                target: Target::Ampscript.name(),
                first,
                second: field.path.clone(),
                name: format!("AttributeValue(\"{}\")", field.esp_name),
            });
        }
        reads.push(field.esp_name.clone());
    }
    // Item fields are read by `Field()` under their name on the item; two of them may not meet.
    let mut on_items: BTreeMap<String, String> = BTreeMap::new();
    for field in parts.fields.iter().filter(|f| f.path.contains("[]")) {
        let list = field.path.split("[]").next().unwrap_or_default();
        let key = format!("{list}/{}", field.esp_name.to_ascii_lowercase());
        if let Some(first) = on_items.insert(key, field.path.clone()) {
            return Err(ExportError::NameCollision {
                target: Target::Ampscript.name(),
                first,
                second: field.path.clone(),
                name: format!("Field(@row, \"{}\")", field.esp_name),
            });
        }
    }
    for part in [
        &mut parts.html,
        &mut parts.text,
        &mut parts.subject,
        &mut parts.preheader,
    ] {
        let mut head = String::new();
        let read = variables_read(part);
        for name in reads.iter().filter(|name| read.contains(name.as_str())) {
            let _ = writeln!(head, "SET @{name} = AttributeValue({})", string_literal(name));
        }
        if !head.is_empty() {
            part.insert_str(0, &format!("%%[\n{head}]%%"));
        }
    }
    Ok(parts)
}

/// The variables a translated part reads: every `@name` in it (attribute names are
/// `A-Za-z0-9_`; literal text never holds a variable outside `%%[ ]%%` or `%%= =%%`, and reading
/// one more attribute than needed is harmless). One pass over the part, however many attributes
/// the email reads.
fn variables_read(part: &str) -> BTreeSet<&str> {
    part.match_indices('@')
        .map(|(at, _)| {
            let name = part.get(at + 1..).unwrap_or_default();
            let len = name
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(name.len());
            name.get(..len).unwrap_or_default()
        })
        .collect()
}

/// The text an attribute holds for a value: what preview prints, or nothing when preview falls
/// back.
pub(crate) fn text_of(value: Option<&Value>) -> String {
    match value {
        v if is_missing(v) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Bool(b)) => b.to_string(),
        _ => String::new(),
    }
}

/// The attributes of one subscriber for an export: every root field of the manifest by its
/// attribute name, holding the text preview prints (nothing when preview falls back); condition
/// flags hold `1` or nothing; lists hold `{"items": [...]}` as JSON text, each item an object of
/// its fields' texts by name (an empty `items` when the value is not a list). `data` already holds
/// the derived fields.
#[must_use]
pub fn attribute_data(manifest: &Manifest, data: &Value) -> Value {
    let flags: Vec<&str> = manifest
        .derived
        .iter()
        .filter(|d| FLAG_HELPERS.contains(&d.helper.as_str()))
        .map(|d| d.path.as_str())
        .collect();
    let segs = |p: &str| p.split('.').map(str::to_owned).collect::<Vec<_>>();
    let mut out = Map::new();
    for field in manifest.fields.iter().filter(|f| !f.path.contains("[]")) {
        let value = lookup(data, &segs(&field.path));
        let text = if flags.contains(&field.path.as_str()) {
            if value == Some(&Value::Bool(true)) {
                "1".to_owned()
            } else {
                String::new()
            }
        } else if field.field_type == "list" {
            let prefix = format!("{}[].", field.path);
            let item_fields: Vec<_> = manifest
                .fields
                .iter()
                .filter_map(|f| f.path.strip_prefix(&prefix).map(|sub| (sub, &f.esp_name)))
                .collect();
            let items: Vec<Value> = match value {
                Some(Value::Array(items)) => items
                    .iter()
                    .map(|item| {
                        let row: Map<String, Value> = item_fields
                            .iter()
                            .map(|(sub, name)| ((*name).clone(), Value::String(text_of(lookup(item, &segs(sub))))))
                            .collect();
                        Value::Object(row)
                    })
                    .collect(),
                _ => Vec::new(),
            };
            json!({ "items": items }).to_string()
        } else {
            text_of(value)
        };
        out.insert(field.esp_name.clone(), Value::String(text));
    }
    Value::Object(out)
}

struct Amp {
    /// The root lists the template loops over.
    lists: Rc<RefCell<BTreeSet<String>>>,
}

/// `%%[ IF cond THEN ]%%yes%%[ ELSE ]%%no%%[ ENDIF ]%%`.
fn if_block(cond: &str, yes: &str, no: &str) -> String {
    if no.is_empty() {
        format!("%%[ IF {cond} THEN ]%%{yes}%%[ ENDIF ]%%")
    } else {
        format!("%%[ IF {cond} THEN ]%%{yes}%%[ ELSE ]%%{no}%%[ ENDIF ]%%")
    }
}

/// The expression that reads a value.
fn read(access: &Access, depth: usize) -> Result<String, Refusal> {
    match access {
        Access::Root(segs) if !segs.is_empty() => Ok(format!("@{}", attribute_name(&segs.join("."))?)),
        Access::Item { depth: d, segments } if *d == depth && depth == 1 && !segments.is_empty() => Ok(format!(
            "Field(@{OWN}row{d}, {})",
            string_literal(&attribute_name(&segments.join("."))?)
        )),
        Access::Item { segments, .. } if segments.is_empty() => Err(Refusal::WholeItem),
        Access::Item { .. } => Err(Refusal::Nested),
        Access::Loop(_) => Err(Refusal::LoopVariablePrinted),
        _ => Err(Refusal::NothingToRead),
    }
}

impl Amp {
    /// A condition over derived flags and loop-variable tests, fully parenthesized.
    fn test(c: &XCond, depth: usize) -> Result<String, Refusal> {
        Ok(match c {
            XCond::Const(true) => "(1 == 1)".to_owned(),
            XCond::Const(false) => "(1 == 0)".to_owned(),
            XCond::Truthy(a @ Access::Root(_)) => format!("(NOT Empty({}))", read(a, depth)?),
            XCond::Truthy(Access::Loop(var)) => {
                let i = format!("@{OWN}i{depth}");
                match var {
                    LoopVar::Index => format!("({i} > 1)"),
                    LoopVar::First => format!("({i} == 1)"),
                    LoopVar::Last => format!("({i} == @{OWN}n{depth})"),
                }
            }
            XCond::Compare(op, Access::Loop(var), Access::Literal(v)) => {
                Self::loop_compare(*op, *var, v, depth, false)?
            }
            XCond::Compare(op, Access::Literal(v), Access::Loop(var)) => Self::loop_compare(*op, *var, v, depth, true)?,
            XCond::And(parts) | XCond::Or(parts) => {
                let joiner = if matches!(c, XCond::And(_)) { " AND " } else { " OR " };
                let inner = parts
                    .iter()
                    .map(|p| Self::test(p, depth))
                    .collect::<Result<Vec<_>, _>>()?;
                if inner.is_empty() {
                    return Ok(if matches!(c, XCond::And(_)) {
                        "(1 == 1)"
                    } else {
                        "(1 == 0)"
                    }
                    .to_owned());
                }
                format!("({})", inner.join(joiner))
            }
            XCond::Not(inner) => format!("(NOT {})", Self::test(inner, depth)?),
            _ => return Err(Refusal::NotFlags),
        })
    }

    /// `@index`/`@first`/`@last` compared with a constant: only whole numbers against `@index`
    /// (the counter `@tsr_iN` is `@index + 1`); anything else would compare types.
    fn loop_compare(op: CmpOp, var: LoopVar, v: &Value, depth: usize, swapped: bool) -> Result<String, Refusal> {
        let (LoopVar::Index, Some(n)) = (var, v.as_i64()) else {
            return Err(Refusal::LoopCounter);
        };
        let op = if swapped {
            match op {
                CmpOp::Gt => CmpOp::Lt,
                CmpOp::Gte => CmpOp::Lte,
                CmpOp::Lt => CmpOp::Gt,
                CmpOp::Lte => CmpOp::Gte,
                other => other,
            }
        } else {
            op
        };
        let sym = match op {
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Gt => ">",
            CmpOp::Gte => ">=",
            CmpOp::Lt => "<",
            CmpOp::Lte => "<=",
        };
        Ok(format!("(@{OWN}i{depth} {sym} {})", n.saturating_add(1)))
    }

    /// A constant printed as preview prints it.
    fn constant(site: &ValueSite, v: &Value) -> String {
        let text = match v {
            Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        };
        let printed = match (text, &site.fallback) {
            (Some(t), _) if site.escape == Escape::Html => crate::escape::html_escape(&t),
            (Some(t), _) => t,
            (None, Some(f)) => f.clone(),
            (None, None) => match (v, site.escape) {
                (Value::String(s), Escape::Html) => crate::escape::html_escape(s),
                (Value::String(s), _) => s.clone(),
                _ => String::new(),
            },
        };
        neutralize::ampscript(&printed)
    }
}

impl Syntax for Amp {
    fn target(&self) -> Target {
        Target::Ampscript
    }

    fn esp_name(&self, access: &Access) -> Result<String, Refusal> {
        match access {
            Access::Root(segs) if !segs.is_empty() => attribute_name(&segs.join(".")),
            Access::Item { segments, .. } if !segments.is_empty() => attribute_name(&segments.join(".")),
            _ => Err(Refusal::NotAField),
        }
    }

    fn literal(&mut self, text: &str, out: &mut String) {
        out.push_str(&neutralize::ampscript(text));
    }

    fn value(&mut self, site: &ValueSite, depth: usize, out: &mut String) -> Result<(), Refusal> {
        if site.case != Case::Plain {
            return Err(Refusal::CaseConversion {
                helpers: "AMPscript's Uppercase/Lowercase/ProperCase",
            });
        }
        if let Access::Literal(v) = &site.access {
            out.push_str(&Self::constant(site, v));
            return Ok(());
        }
        let expr = read(&site.access, depth)?;
        let written = match site.escape {
            Escape::Html | Escape::Text | Escape::UrlStart => {
                let print = if site.escape == Escape::Text {
                    format!("v({expr})")
                } else {
                    html_escaped(&expr)
                };
                match &site.fallback {
                    Some(fallback) if !site.blank_prints && !fallback.contains('%') => {
                        format!("%%=IIF(Empty({expr}), {}, {print})=%%", string_literal(fallback))
                    }
                    Some(fallback) if !site.blank_prints => if_block(
                        &format!("(Empty({expr}))"),
                        &neutralize::ampscript(fallback),
                        &format!("%%={print}=%%"),
                    ),
                    _ => format!("%%={print}=%%"),
                }
            }
            // The derived `link` field: the URL or nothing; ` (URL)` goes with it.
            Escape::TextUrlStart if site.in_parens => {
                if_block(&format!("(NOT Empty({expr}))"), &format!(" (%%=v({expr})=%%)"), "")
            }
            Escape::TextUrlStart => format!("%%=v({expr})=%%"),
            Escape::UrlPart => {
                return Err(Refusal::UrlEncoding {
                    gap: "AMPscript's URLEncode does not encode the same characters",
                })
            }
            Escape::Css => return Err(Refusal::StyleValue { target: "AMPscript" }),
        };
        out.push_str(&written);
        Ok(())
    }

    fn branch(&mut self, cond: &XCond, then: String, otherwise: String, depth: usize) -> Result<String, Refusal> {
        Ok(match cond {
            XCond::Const(true) => then,
            XCond::Const(false) => otherwise,
            XCond::Not(inner) if then.is_empty() => if_block(&Self::test(inner, depth)?, &otherwise, ""),
            _ if then.is_empty() && otherwise.is_empty() => String::new(),
            _ => if_block(&Self::test(cond, depth)?, &then, &otherwise),
        })
    }

    fn each(
        &mut self,
        list: &Access,
        depth: usize,
        limit: Option<usize>,
        body: String,
        otherwise: String,
    ) -> Result<String, Refusal> {
        let (Access::Root(segs), 1) = (list, depth) else {
            return Err(Refusal::Nested);
        };
        let path = segs.join(".");
        let name = attribute_name(&path)?;
        self.lists.borrow_mut().insert(path);
        let d = depth;
        let mut out = format!(
            "%%[ SET @{OWN}rows{d} = BuildRowsetFromJSON(@{name}, \"$.items[*]\", 1) SET @{OWN}n{d} = RowCount(@{OWN}rows{d}) "
        );
        if let Some(limit) = limit {
            let _ = write!(out, "IF (@{OWN}n{d} > {limit}) THEN SET @{OWN}n{d} = {limit} ENDIF ");
        }
        let _ = write!(
            out,
            "IF (@{OWN}n{d} > 0) THEN FOR @{OWN}i{d} = 1 TO @{OWN}n{d} DO SET @{OWN}row{d} = Row(@{OWN}rows{d}, @{OWN}i{d}) ]%%{body}%%[ NEXT @{OWN}i{d} ]%%"
        );
        if !otherwise.is_empty() {
            let _ = write!(out, "%%[ ELSE ]%%{otherwise}");
        }
        out.push_str("%%[ ENDIF ]%%");
        Ok(out)
    }

    fn arrays(&self) -> &'static str {
        "a JSON attribute per list holding {\"items\": [...]}, each item an object of its fields as text; read with BuildRowsetFromJSON(@list, \"$.items[*]\", 1)"
    }

    fn derives_urls(&self) -> bool {
        true
    }

    fn derives_conditions(&self) -> bool {
        true
    }

    fn tests_loop_variables(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attribute_names_are_paths_with_underscores() {
        assert_eq!(attribute_name("profile.first_name").expect("ok"), "profile_first_name");
        assert_eq!(attribute_name("9lives").expect("ok"), "f_9lives");
        assert!(attribute_name("tsr_x").is_err());
    }

    #[test]
    fn escaping_replaces_the_ampersand_first() {
        assert_eq!(
            html_escaped("@x"),
            "Replace(Replace(Replace(Replace(Replace(@x, \"&\", \"&amp;\"), \"<\", \"&lt;\"), \">\", \"&gt;\"), \"\"\"\", \"&quot;\"), \"'\", \"&#x27;\")"
        );
    }

    #[test]
    fn conditions_are_parenthesized() {
        let flag = |n: &str| XCond::Truthy(Access::Root(vec![n.to_owned()]));
        let c = XCond::And(vec![
            flag("cond_1"),
            XCond::Or(vec![
                flag("cond_2"),
                XCond::Not(Box::new(XCond::Truthy(Access::Loop(LoopVar::Last)))),
            ]),
        ]);
        assert_eq!(
            Amp::test(&c, 1).expect("ok"),
            "((NOT Empty(@cond_1)) AND ((NOT Empty(@cond_2)) OR (NOT (@tsr_i1 == @tsr_n1))))"
        );
    }
}
