//! The targets whose ESP fields hold text: `velocity` (Marketo), `klaviyo`, `hubl` (`HubSpot`) and
//! `iterable`. Their engines print and compare values their own way (Python prints `True` and
//! `None`, Velocity compares a number with a text by their strings, JavaScript prints `150.0` as
//! `150`), and their CRMs hold profile properties as text, so, as for Mailchimp and AMPscript,
//! nothing that preview tells apart by type is tested in the template:
//! - each printed field holds the text preview prints for it, or nothing when preview would fall
//!   back (absent, null, blank text, a list or an object), so "has a value" is the engine's own
//!   test of non-empty text;
//! - every condition test is a derived flag (`cond_1`, ...) holding `1` or nothing, computed by
//!   preview's rules; `and`, `or` and `not` are nested blocks (branches repeat the translated
//!   parts), because Django's `{% if %}` has no parentheses;
//! - tests of `@index`, `@first` and `@last` are written against the engine's loop variables;
//! - whole URLs, money, dates and segments are derived fields (see [`super::contract`]);
//! - lists arrive as lists of objects whose fields are text.
//!
//! A [`Dialect`] supplies a language's syntax; [`text_data`] builds the data such an ESP holds.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use serde_json::{Map, Value};

use super::ampscript::text_of;
use super::cond::{Access, XCond};
use super::contract::{DerivedField, Manifest, Source, FLAG_HELPERS};
use super::walk::{Case, Syntax, ValueSite, Walk};
use super::{ExportError, ExportInput, Parts, Refusal, Target};
use crate::lang::{CmpOp, LoopVar};
use crate::plan::Escape;
use crate::value::lookup;

/// A test of the innermost loop's variables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoopTest {
    /// `@index` is not 0.
    Index,
    /// `@first`.
    First,
    /// `@last` (of the items within the limit).
    Last,
    /// `@index` compared with a whole number.
    Compare(CmpOp, i64),
}

/// A language's syntax for the text-field targets.
pub trait Dialect {
    /// The target.
    fn target(&self) -> Target;
    /// The language, as named in messages.
    fn language(&self) -> &'static str;
    /// Where a root field (Tessera path segments) sits in the ESP's data: profile fields under the
    /// ESP's profile object, the rest where the ESP keeps them.
    fn place(&self, segments: &[String]) -> Vec<String>;
    /// Names that may not start a placed path (the language's own and the export's).
    fn reserved(&self) -> &'static [&'static str];
    /// The object profile fields are placed under when it is configurable (not one of
    /// [`Dialect::reserved`]); other fields may not start with it.
    fn profile_object(&self) -> Option<&str> {
        None
    }
    /// The expression reading a placed root field inside `depth` loops.
    fn root(&self, place: &[String], depth: usize) -> String;
    /// The expression reading a field of the item of the loop at `depth`.
    fn item(&self, depth: usize, segments: &[String]) -> String;
    /// Prints `expr`, HTML-escaped when `html`.
    fn print(&self, expr: &str, html: bool) -> String;
    /// Prints `expr`, or `fallback` (already escaped, free of quotes, backslashes and braces) when
    /// it is empty, if the language has a form for it.
    fn print_or(&self, _expr: &str, _html: bool, _fallback: &str) -> Option<String> {
        None
    }
    /// `yes` when `expr` holds text (not absent, not empty), else `no`.
    fn if_set(&self, expr: &str, yes: &str, no: &str) -> String;
    /// `yes` when a loop-variable test holds in the loop at `depth` with `limit`, else `no`.
    fn if_loop(&self, test: LoopTest, depth: usize, limit: Option<usize>, yes: &str, no: &str) -> String;
    /// A loop at `depth` over the list `list` (an expression) taking the first `limit` items.
    fn each(&self, list: &str, depth: usize, limit: Option<usize>, body: &str, otherwise: &str) -> String;
    /// Literal text (markup in the HTML part) written so the engine prints it as is.
    fn literal(&self, text: &str) -> String;
    /// How lists arrive, for the manifest.
    fn arrays(&self) -> &'static str;
    /// Lists arrive holding only the first `limit` items of their loop (`slice` derived fields).
    fn pre_sliced(&self) -> bool {
        false
    }
}

/// Whether `s` is an identifier every text-field language reads as a plain name.
fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Whether a fallback can be written as a string constant of every text-field language: no
/// quote, backslash, brace, `%`, `#`, `$`, `&`, `<`, `>` or line break.
pub fn simple_text(s: &str) -> bool {
    !s.is_empty() && !s.chars().any(|c| "\"'\\{}%#$&<>`\n\r".contains(c) || c.is_control())
}

/// The loops of a translation: each list's path and the limits it is looped with.
type Lists = Rc<RefCell<BTreeMap<String, Option<usize>>>>;

struct Text<D: Dialect> {
    dialect: D,
    lists: Lists,
    /// The limits of the loops being translated, innermost last.
    limits: Vec<Option<usize>>,
}

/// Translates an email with `dialect`.
///
/// # Errors
/// A construct the language cannot express as preview renders it, or two fields the ESP would hold
/// under one name.
pub fn export<D: Dialect>(input: &ExportInput<'_>, dialect: D) -> Result<Parts, ExportError> {
    translate(input, dialect, None)
}

/// Translates the HTML of the top-level block at `index` only, with `dialect`.
///
/// # Errors
/// As [`export`].
pub fn export_fragment<D: Dialect>(input: &ExportInput<'_>, dialect: D, index: usize) -> Result<Parts, ExportError> {
    translate(input, dialect, Some(index))
}

fn translate<D: Dialect>(input: &ExportInput<'_>, dialect: D, fragment: Option<usize>) -> Result<Parts, ExportError> {
    let target = dialect.target();
    let pre_sliced = dialect.pre_sliced();
    let lists: Lists = Rc::new(RefCell::new(BTreeMap::new()));
    let walk = Walk::new(
        Text {
            dialect,
            lists: Rc::clone(&lists),
            limits: Vec::new(),
        },
        input,
    );
    let mut parts = match fragment {
        None => walk.run()?,
        Some(index) => walk.run_fragment(index)?,
    };
    let lists = lists.borrow();
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    for field in &mut parts.fields {
        if lists.contains_key(&field.path) {
            "list".clone_into(&mut field.field_type);
        }
        if field.path.contains("[]") {
            continue;
        }
        if let Some(first) = seen.insert(field.esp_name.clone(), field.path.clone()) {
            return Err(ExportError::NameCollision {
                target: target.name(),
                first,
                second: field.path.clone(),
                name: field.esp_name.clone(),
            });
        }
    }
    if pre_sliced {
        for (list, limit) in lists.iter() {
            if let Some(limit) = limit {
                parts.derived.push(DerivedField {
                    limit: Some(*limit),
                    ..DerivedField::new(
                        list.clone(),
                        "slice",
                        Source::Field(list.clone()),
                        input.compiled.settings.locale.clone(),
                    )
                });
            }
        }
    }
    Ok(parts)
}

impl<D: Dialect> Text<D> {
    /// The placed path of a root field, checked.
    fn place(&self, segments: &[String]) -> Result<Vec<String>, Refusal> {
        if segments.is_empty() {
            return Err(Refusal::WholeContext);
        }
        let place = self.dialect.place(segments);
        let language = self.dialect.language();
        for seg in &place {
            if !is_identifier(seg) {
                return Err(Refusal::FieldName {
                    name: seg.clone(),
                    language,
                });
            }
        }
        // A profile field placed under the ESP's profile object starts with that object's name.
        let namespaced = segments.first().is_some_and(|s| s == "profile") && place.first() != segments.get(1);
        let first = place.first().map(String::as_str).unwrap_or_default();
        let own = self.dialect.reserved().contains(&first) || self.dialect.profile_object() == Some(first);
        if !namespaced && (own || first.starts_with("tsr_") || first.starts_with("item_")) {
            return Err(Refusal::ReservedName {
                name: first.to_owned(),
                language,
            });
        }
        Ok(place)
    }

    /// The expression reading a value inside `depth` loops.
    fn read(&self, access: &Access, depth: usize) -> Result<String, Refusal> {
        match access {
            Access::Root(segs) => Ok(self.dialect.root(&self.place(segs)?, depth)),
            Access::Item { segments, .. } if segments.is_empty() => Err(Refusal::WholeItem),
            Access::Item { depth: d, segments } if *d == depth && depth == 1 => {
                if let Some(bad) = segments.iter().find(|s| !is_identifier(s)) {
                    return Err(Refusal::FieldName {
                        name: bad.clone(),
                        language: self.dialect.language(),
                    });
                }
                Ok(self.dialect.item(*d, segments))
            }
            Access::Item { .. } => Err(Refusal::Nested),
            Access::Loop(_) => Err(Refusal::LoopVariablePrinted),
            Access::Literal(_) => Err(Refusal::NothingToRead),
        }
    }

    fn test(&self, c: &XCond, depth: usize, yes: &str, no: &str) -> Result<String, Refusal> {
        let language = self.dialect.language();
        let limit = self.limits.last().copied().flatten();
        let whole = Value::as_i64;
        Ok(match c {
            XCond::Const(true) => yes.to_owned(),
            XCond::Const(false) => no.to_owned(),
            _ if yes == no => yes.to_owned(),
            XCond::Truthy(a @ Access::Root(_)) => self.dialect.if_set(&self.read(a, depth)?, yes, no),
            XCond::Truthy(Access::Loop(var)) => {
                let t = match var {
                    LoopVar::Index => LoopTest::Index,
                    LoopVar::First => LoopTest::First,
                    LoopVar::Last => LoopTest::Last,
                };
                self.dialect.if_loop(t, depth, limit, yes, no)
            }
            XCond::Compare(op, Access::Loop(LoopVar::Index), Access::Literal(v)) => {
                let n = whole(v).ok_or(Refusal::LoopVariableTest { language })?;
                self.dialect.if_loop(LoopTest::Compare(*op, n), depth, limit, yes, no)
            }
            XCond::Compare(op, Access::Literal(v), Access::Loop(LoopVar::Index)) => {
                let n = whole(v).ok_or(Refusal::LoopVariableTest { language })?;
                let flipped = match op {
                    CmpOp::Gt => CmpOp::Lt,
                    CmpOp::Gte => CmpOp::Lte,
                    CmpOp::Lt => CmpOp::Gt,
                    CmpOp::Lte => CmpOp::Gte,
                    other => *other,
                };
                self.dialect
                    .if_loop(LoopTest::Compare(flipped, n), depth, limit, yes, no)
            }
            XCond::Compare(_, Access::Loop(_), _) | XCond::Compare(_, _, Access::Loop(_)) => {
                return Err(Refusal::LoopVariableTest { language })
            }
            XCond::And(parts) => {
                let mut out = yes.to_owned();
                for p in parts.iter().rev() {
                    out = self.test(p, depth, &out, no)?;
                }
                out
            }
            XCond::Or(parts) => {
                let mut out = no.to_owned();
                for p in parts.iter().rev() {
                    out = self.test(p, depth, yes, &out)?;
                }
                out
            }
            XCond::Not(inner) => self.test(inner, depth, no, yes)?,
            _ => return Err(Refusal::NotFlags),
        })
    }

    /// A constant printed as preview prints it.
    fn constant(&self, site: &ValueSite, v: &Value) -> String {
        let text = match v {
            Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        };
        let printed = match (text, &site.fallback) {
            (Some(t), _) => match site.escape {
                Escape::Html | Escape::UrlStart => crate::escape::html_escape(&t),
                _ => t,
            },
            (None, Some(f)) => f.clone(),
            (None, None) => match (v, site.escape) {
                (Value::String(s), Escape::Html) => crate::escape::html_escape(s),
                (Value::String(s), _) => s.clone(),
                _ => String::new(),
            },
        };
        self.dialect.literal(&printed)
    }
}

impl<D: Dialect> Syntax for Text<D> {
    fn target(&self) -> Target {
        self.dialect.target()
    }

    fn esp_name(&self, access: &Access) -> Result<String, Refusal> {
        match access {
            Access::Root(segs) => Ok(self.place(segs)?.join(".")),
            Access::Item { segments, .. } => Ok(format!("item.{}", segments.join("."))),
            _ => Err(Refusal::NotAField),
        }
    }

    fn literal(&mut self, text: &str, out: &mut String) {
        out.push_str(&self.dialect.literal(text));
    }

    fn value(&mut self, site: &ValueSite, depth: usize, out: &mut String) -> Result<(), Refusal> {
        if site.case != Case::Plain {
            return Err(Refusal::NoCaseHelper {
                target: self.dialect.language(),
            });
        }
        match site.escape {
            Escape::UrlPart => {
                return Err(Refusal::UrlEncoding {
                    gap: "the export's text fields cannot be percent-encoded as preview does",
                })
            }
            Escape::Css => {
                return Err(Refusal::StyleValue {
                    target: self.dialect.language(),
                })
            }
            _ => {}
        }
        if let Access::Literal(v) = &site.access {
            out.push_str(&self.constant(site, v));
            return Ok(());
        }
        let x = self.read(&site.access, depth)?;
        let d = &self.dialect;
        let text = match site.escape {
            Escape::Html | Escape::Text => {
                let html = site.escape == Escape::Html;
                match &site.fallback {
                    None => d.print(&x, html),
                    Some(f) if simple_text(f) => match d.print_or(&x, html, f) {
                        Some(p) => p,
                        None => d.if_set(&x, &d.print(&x, html), &d.literal(f)),
                    },
                    Some(f) => d.if_set(&x, &d.print(&x, html), &d.literal(f)),
                }
            }
            // The derived `href` field: the URL preview writes (or `#`), always present.
            Escape::UrlStart => d.print(&x, true),
            // The derived `link` field: the URL or nothing; ` (URL)` goes with it.
            Escape::TextUrlStart if site.in_parens => {
                let inner = format!("{}{}{}", d.literal(" ("), d.print(&x, false), d.literal(")"));
                d.if_set(&x, &inner, "")
            }
            _ => d.print(&x, false),
        };
        out.push_str(&text);
        Ok(())
    }

    fn branch(&mut self, cond: &XCond, then: String, otherwise: String, depth: usize) -> Result<String, Refusal> {
        self.test(cond, depth, &then, &otherwise)
    }

    fn each(
        &mut self,
        list: &Access,
        depth: usize,
        limit: Option<usize>,
        body: String,
        otherwise: String,
    ) -> Result<String, Refusal> {
        let Access::Root(segs) = list else {
            return Err(match list {
                Access::Item { .. } => Refusal::Nested,
                _ => Refusal::LoopOverNonField,
            });
        };
        if depth != 1 {
            return Err(Refusal::Nested);
        }
        let path = segs.join(".");
        let known = self.lists.borrow().get(&path).copied();
        match known {
            Some(l) if l != limit && self.dialect.pre_sliced() => return Err(Refusal::SliceConflict { list: path }),
            _ => {
                self.lists.borrow_mut().insert(path, limit);
            }
        }
        let e = self.read(list, depth - 1)?;
        Ok(self.dialect.each(&e, depth, limit, &body, &otherwise))
    }

    fn arrays(&self) -> &'static str {
        self.dialect.arrays()
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

    fn enter_loop(&mut self, limit: Option<usize>) {
        self.limits.push(limit);
    }

    fn leave_loop(&mut self) {
        self.limits.pop();
    }
}

/// The data one recipient's ESP record holds for an export to a text-field target: every root
/// field of the manifest at its place in the ESP (`esp_name`, dotted), holding the text preview
/// prints (nothing when preview falls back); condition flags hold `1` or nothing; lists hold their
/// items as objects of their fields' texts (no items when the value is not a list). `data` already
/// holds the derived fields (and lists that arrive pre-sliced are sliced).
#[must_use]
pub fn text_data(manifest: &Manifest, data: &Value) -> Value {
    let flags: Vec<&str> = manifest
        .derived
        .iter()
        .filter(|d| FLAG_HELPERS.contains(&d.helper.as_str()))
        .map(|d| d.path.as_str())
        .collect();
    let segs = |p: &str| p.split('.').map(str::to_owned).collect::<Vec<_>>();
    let mut out = Value::Object(Map::new());
    for field in manifest.fields.iter().filter(|f| !f.path.contains("[]")) {
        let value = lookup(data, &segs(&field.path));
        let text = if flags.contains(&field.path.as_str()) {
            Value::String(if value == Some(&Value::Bool(true)) {
                "1".to_owned()
            } else {
                String::new()
            })
        } else if field.field_type == "list" {
            let prefix = format!("{}[].", field.path);
            let item_fields: Vec<&str> = manifest
                .fields
                .iter()
                .filter_map(|f| f.path.strip_prefix(&prefix))
                .collect();
            let items: Vec<Value> = match value {
                Some(Value::Array(items)) => items
                    .iter()
                    .map(|item| {
                        let mut row = Value::Object(Map::new());
                        for sub in &item_fields {
                            let text = text_of(lookup(item, &segs(sub)));
                            insert(&mut row, &segs(sub), Value::String(text));
                        }
                        row
                    })
                    .collect(),
                _ => Vec::new(),
            };
            Value::Array(items)
        } else {
            Value::String(text_of(value))
        };
        insert(&mut out, &segs(&field.esp_name), text);
    }
    out
}

/// Sets `value` at `path` under `root`, making the objects on the way.
fn insert(root: &mut Value, path: &[String], value: Value) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut at = root;
    for seg in parents {
        let Value::Object(map) = at else { return };
        let next = map.entry(seg.clone()).or_insert_with(|| Value::Object(Map::new()));
        if !next.is_object() {
            *next = Value::Object(Map::new());
        }
        at = next;
    }
    if let Value::Object(map) = at {
        map.insert(last.clone(), value);
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn simple_text_excludes_every_delimiter_and_quote() {
        assert!(simple_text("there"));
        assert!(simple_text("a few things"));
        for bad in [
            "", "a\"b", "it's", "{x", "50%", "#1", "$5", "a&b", "x\\", "l1\nl2", "}}",
        ] {
            assert!(!simple_text(bad), "{bad:?}");
        }
    }

    #[test]
    fn insert_makes_the_objects_on_the_way() {
        let mut v = json!({});
        insert(&mut v, &["a".into(), "b".into()], json!("x"));
        insert(&mut v, &["a".into(), "c".into()], json!("y"));
        assert_eq!(v, json!({"a": {"b": "x", "c": "y"}}));
    }
}

#[cfg(test)]
mod dialect_tests {
    use serde_json::json;

    use super::super::contract::FieldContract;
    use super::super::{hubl::Hubl, iterable::Iterable, klaviyo::Klaviyo, velocity::Velocity};
    use super::*;

    fn root(p: &str) -> Access {
        Access::Root(p.split('.').map(str::to_owned).collect())
    }

    fn text<D: Dialect>(d: D) -> Text<D> {
        Text {
            dialect: d,
            lists: Rc::new(RefCell::new(BTreeMap::new())),
            limits: Vec::new(),
        }
    }

    #[test]
    fn profile_fields_sit_under_each_esps_profile_object() {
        let p = root("profile.first_name");
        assert_eq!(text(Velocity::new(None)).esp_name(&p).expect("ok"), "lead.first_name");
        assert_eq!(
            text(Velocity::new(Some("contact"))).esp_name(&p).expect("ok"),
            "contact.first_name"
        );
        assert_eq!(text(Klaviyo).esp_name(&p).expect("ok"), "person.first_name");
        assert_eq!(
            text(Klaviyo).esp_name(&root("cart.total")).expect("ok"),
            "event.cart.total"
        );
        assert_eq!(text(Hubl).esp_name(&p).expect("ok"), "contact.first_name");
        assert_eq!(text(Iterable).esp_name(&p).expect("ok"), "first_name");
    }

    #[test]
    fn reserved_and_odd_names_are_refused() {
        assert!(text(Hubl).esp_name(&root("loop.x")).is_err());
        assert!(text(Hubl).esp_name(&root("contact.x")).is_err());
        assert!(text(Velocity::new(None)).esp_name(&root("lead")).is_err());
        assert!(text(Iterable).esp_name(&root("profile.this")).is_err());
        assert!(text(Klaviyo).esp_name(&root("a.b c")).is_err());
        assert!(
            text(Velocity::new(None)).esp_name(&root("tsr_n1")).is_err(),
            "the loop counter"
        );
        assert!(text(Hubl).esp_name(&root("item_1.name")).is_err(), "a loop item");
    }

    #[test]
    fn and_or_not_nest_blocks_and_loop_tests_use_the_loop_variables() {
        let s = text(Klaviyo);
        let c = XCond::And(vec![
            XCond::Truthy(root("cond_1")),
            XCond::Not(Box::new(XCond::Truthy(root("cond_2")))),
        ]);
        assert_eq!(
            s.test(&c, 0, "Y", "N").expect("ok"),
            "{% if event.cond_1 %}{% if event.cond_2 %}N{% else %}Y{% endif %}{% else %}N{% endif %}"
        );
        let gte = XCond::Compare(CmpOp::Gte, Access::Loop(LoopVar::Index), Access::Literal(json!(2)));
        assert_eq!(
            text(Iterable).test(&gte, 1, "Y", "N").expect("ok"),
            "{{#ifGt @index 1}}Y{{else}}N{{/ifGt}}"
        );
        assert_eq!(
            text(Velocity::new(None)).test(&gte, 1, "Y", "").expect("ok"),
            "#if($tsr_n1 >= 3)Y#{end}"
        );
        let odd = XCond::Compare(CmpOp::Eq, Access::Loop(LoopVar::Index), Access::Literal(json!("1")));
        assert!(text(Hubl).test(&odd, 1, "Y", "N").is_err());
    }

    #[test]
    fn text_data_holds_texts_flags_and_lists_at_their_places() {
        let field = |path: &str, esp: &str, ty: &str| FieldContract {
            path: path.to_owned(),
            esp_name: esp.to_owned(),
            field_type: ty.to_owned(),
            fallbacks: Vec::new(),
            derived: false,
        };
        let manifest = Manifest {
            target: Target::Klaviyo,
            email: String::new(),
            name: String::new(),
            source_version: String::new(),
            engine: String::new(),
            content_hash: String::new(),
            files: BTreeMap::new(),
            subject: String::new(),
            preheader: String::new(),
            arrays: String::new(),
            fields: vec![
                field("profile.first_name", "person.first_name", "text"),
                field("profile.points", "person.points", "number"),
                field("recs", "event.recs", "list"),
                field("recs[].name", "item.name", "text"),
            ],
            derived: Vec::new(),
            assets: Vec::new(),
            amp_accepted_by: Vec::new(),
            asset_base_url: None,
            live_feeds: Vec::new(),
            amp_refused: None,
        };
        let data = json!({"profile": {"first_name": " ", "points": 150.5}, "recs": [{"name": false}, {}]});
        assert_eq!(
            text_data(&manifest, &data),
            json!({"person": {"first_name": "", "points": "150.5"}, "event": {"recs": [{"name": "false"}, {"name": ""}]}})
        );
    }
}
