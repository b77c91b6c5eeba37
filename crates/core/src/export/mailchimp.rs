//! `mailchimp`: Mailchimp merge tags.
//!
//! Mailchimp's merge fields hold text only and its conditions test a field's text, so nothing that
//! preview tells apart by type (`0` from `"0"`, `false` from absent, blank text from text) could be
//! tested in the template itself. The export therefore reads:
//! - one merge field per printed value, holding the text preview prints for it, or nothing when
//!   preview would fall back (absent, null, blank text, a list or an object): `*|IF:TAG|*` is then
//!   exactly preview's "has a value";
//! - one derived flag per condition test (`cond_1`, ...: `truthy`, `present`, `compare` or
//!   `segment`, see [`super::contract`]), holding `1` when the test holds and nothing otherwise;
//!   `and`, `or` and `not` are nested `*|IF:|*` blocks;
//! - derived `href`/`link` fields for whole URLs and pre-formatted `currency`/`date` fields.
//!
//! Values print with `*|TAG|*` in the HTML part (Mailchimp escapes the merge field's text) and with
//! `*|HTML:TAG|*` in the text part, subject and preheader (as is). Loops do not exist in merge tags:
//! an email with a `{{#each}}` is refused naming the block.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::cond::{Access, XCond};
use super::contract::{DerivedField, Manifest, Source, FLAG_HELPERS};
use super::walk::{Case, Syntax, ValueSite, Walk};
use super::{neutralize, ExportError, ExportInput, Parts, Refusal, Target};
use crate::plan::Escape;
use crate::value::is_missing;

/// The longest merge tag Mailchimp accepts.
pub const MAX_TAG: usize = 10;

/// Mailchimp's own merge tags that a field must not be mapped to (they would print the audience's
/// or the campaign's data instead).
const RESERVED: [&str; 12] = [
    "ARCHIVE",
    "DATE",
    "LIST",
    "UNSUB",
    "FORWARD",
    "REWARDS",
    "ABOUT_LIST",
    "ADDRESS",
    "EMAIL",
    "UPDATE_PRO",
    "CURRENT_YE",
    "MC_PREVIEW",
];

/// Standard audience fields: the Tessera path and Mailchimp's tag for it.
const STANDARD: [(&str, &str); 4] = [
    ("profile.first_name", "FNAME"),
    ("profile.last_name", "LNAME"),
    ("profile.email", "EMAIL"),
    ("profile.phone", "PHONE"),
];

/// The merge tag a field is read as: Mailchimp's standard tag for the standard profile fields;
/// otherwise the path without a leading `profile.`, upper-cased, every character other than
/// `A`-`Z`/`0`-`9` written `_`; when that is longer than 10 characters, its first 6 characters and
/// 4 hexadecimal digits of the path's BLAKE3 hash. A tag that starts with a digit gets `F` first.
///
/// # Errors
/// The tag would be one of Mailchimp's own merge tags or the one literal text uses.
pub fn merge_tag(path: &str) -> Result<String, Refusal> {
    if let Some((_, tag)) = STANDARD.iter().find(|(p, _)| *p == path) {
        return Ok((*tag).to_owned());
    }
    let short = path.strip_prefix("profile.").unwrap_or(path);
    let mut tag: String = short
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    if tag.is_empty() || tag.starts_with(|c: char| c.is_ascii_digit()) {
        tag.insert(0, 'F');
    }
    if tag.len() > MAX_TAG {
        let hash = blake3::hash(path.as_bytes()).to_hex();
        tag = format!("{}{}", &tag[..6], hash[..4].to_ascii_uppercase());
    }
    if RESERVED.contains(&tag.as_str()) || tag.starts_with("MC_") || tag == neutralize::MAILCHIMP_PIPE {
        return Err(Refusal::ReservedMergeTag {
            path: path.to_owned(),
            tag,
        });
    }
    Ok(tag)
}

/// Translates an email to Mailchimp merge tags.
///
/// # Errors
/// A construct merge tags cannot express (a loop, a case conversion, a value inside a URL or a style),
/// or two fields that map to the same merge tag.
pub fn export(input: &ExportInput<'_>) -> Result<Parts, ExportError> {
    let pipe = std::rc::Rc::new(std::cell::Cell::new(false));
    let mut parts = Walk::new(
        MergeTags {
            pipe: std::rc::Rc::clone(&pipe),
        },
        input,
    )
    .run()?;
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    for field in &parts.fields {
        if let Some(first) = seen.insert(field.esp_name.clone(), field.path.clone()) {
            return Err(ExportError::NameCollision {
                target: Target::Mailchimp.name(),
                first,
                second: field.path.clone(),
                name: format!("*|{}|*", field.esp_name),
            });
        }
    }
    if pipe.get() {
        let path = neutralize::MAILCHIMP_PIPE.to_ascii_lowercase();
        parts.derived.push(DerivedField::new(
            path.clone(),
            "constant",
            Source::Value(Value::String("|".to_owned())),
            input.compiled.settings.locale.clone(),
        ));
        parts.fields.push(super::FieldContract {
            path,
            esp_name: neutralize::MAILCHIMP_PIPE.to_owned(),
            field_type: "text".to_owned(),
            fallbacks: Vec::new(),
            derived: true,
        });
    }
    Ok(parts)
}

/// The merge fields of one subscriber for an export: every field of the manifest by its merge tag,
/// holding the text preview prints (nothing when preview falls back); condition flags hold `1` or
/// nothing. `data` already holds the derived fields.
#[must_use]
pub fn merge_data(manifest: &Manifest, data: &Value) -> Value {
    let flags: Vec<&str> = manifest
        .derived
        .iter()
        .filter(|d| FLAG_HELPERS.contains(&d.helper.as_str()))
        .map(|d| d.path.as_str())
        .collect();
    let mut out = Map::new();
    for field in &manifest.fields {
        let segs: Vec<String> = field.path.split('.').map(str::to_owned).collect();
        let value = crate::value::lookup(data, &segs);
        let text = if flags.contains(&field.path.as_str()) {
            if value == Some(&Value::Bool(true)) {
                "1".to_owned()
            } else {
                String::new()
            }
        } else {
            match value {
                v if is_missing(v) => String::new(),
                Some(Value::String(s)) => s.clone(),
                Some(Value::Number(n)) => n.to_string(),
                Some(Value::Bool(b)) => b.to_string(),
                _ => String::new(),
            }
        };
        out.insert(field.esp_name.clone(), Value::String(text));
    }
    Value::Object(out)
}

struct MergeTags {
    /// Set when literal text needed the `LIT_PIPE` merge field.
    pipe: std::rc::Rc<std::cell::Cell<bool>>,
}

fn tag_of(access: &Access) -> Result<String, Refusal> {
    match access {
        Access::Root(segs) if !segs.is_empty() => merge_tag(&segs.join(".")),
        _ => Err(Refusal::SubscriberOnly),
    }
}

/// `*|IF:TAG|*yes*|ELSE:|*no*|END:IF|*`.
fn if_block(tag: &str, yes: &str, no: &str) -> String {
    if no.is_empty() {
        format!("*|IF:{tag}|*{yes}*|END:IF|*")
    } else if yes.is_empty() {
        format!("*|IFNOT:{tag}|*{no}*|END:IF|*")
    } else {
        format!("*|IF:{tag}|*{yes}*|ELSE:|*{no}*|END:IF|*")
    }
}

impl MergeTags {
    fn text(&self, before: &str, text: &str) -> String {
        let mut out = String::new();
        if neutralize::mailchimp(before, text, &mut out) {
            self.pipe.set(true);
        }
        out
    }

    /// Translates a condition over derived flags as nested `*|IF:|*` blocks.
    fn test(c: &XCond, yes: &str, no: &str) -> Result<String, Refusal> {
        Ok(match c {
            XCond::Const(true) => yes.to_owned(),
            XCond::Const(false) => no.to_owned(),
            XCond::Truthy(a @ Access::Root(_)) => if_block(&tag_of(a)?, yes, no),
            XCond::And(parts) => {
                let mut out = yes.to_owned();
                for p in parts.iter().rev() {
                    out = Self::test(p, &out, no)?;
                }
                out
            }
            XCond::Or(parts) => {
                let mut out = no.to_owned();
                for p in parts.iter().rev() {
                    out = Self::test(p, yes, &out)?;
                }
                out
            }
            XCond::Not(inner) => Self::test(inner, no, yes)?,
            _ => return Err(Refusal::NotFlags),
        })
    }

    /// A constant printed as preview prints it.
    fn constant(&self, site: &ValueSite, v: &Value, before: &str) -> String {
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
        self.text(before, &printed)
    }
}

impl Syntax for MergeTags {
    fn target(&self) -> Target {
        Target::Mailchimp
    }

    fn esp_name(&self, access: &Access) -> Result<String, Refusal> {
        tag_of(access)
    }

    fn literal(&mut self, text: &str, out: &mut String) {
        let written = self.text(out, text);
        out.push_str(&written);
    }

    fn value(&mut self, site: &ValueSite, _depth: usize, out: &mut String) -> Result<(), Refusal> {
        if site.case != Case::Plain {
            return Err(Refusal::CaseConversion {
                helpers: "Mailchimp's UPPER/LOWER/TITLE merge tags",
            });
        }
        if let Access::Literal(v) = &site.access {
            let written = self.constant(site, v, out);
            out.push_str(&written);
            return Ok(());
        }
        let tag = tag_of(&site.access)?;
        let written = match site.escape {
            Escape::Html | Escape::Text => {
                let print = if site.escape == Escape::Html {
                    format!("*|{tag}|*")
                } else {
                    format!("*|HTML:{tag}|*")
                };
                match &site.fallback {
                    Some(fallback) if !site.blank_prints => {
                        // The fallback is literal text inside the block; nothing precedes it there.
                        let fallback = self.text("|*", fallback);
                        if_block(&tag, &print, &fallback)
                    }
                    _ => print,
                }
            }
            // The derived `href` field: the URL preview writes (Mailchimp escapes it as preview does).
            Escape::UrlStart => format!("*|{tag}|*"),
            // The derived `link` field: the URL or nothing; ` (URL)` goes with it.
            Escape::TextUrlStart if site.in_parens => if_block(&tag, &format!(" (*|HTML:{tag}|*)"), ""),
            Escape::TextUrlStart => format!("*|HTML:{tag}|*"),
            Escape::UrlPart => {
                return Err(Refusal::UrlEncoding {
                    gap: "Mailchimp has no merge tag that does",
                })
            }
            Escape::Css => return Err(Refusal::StyleValue { target: "Mailchimp" }),
        };
        out.push_str(&written);
        Ok(())
    }

    fn branch(&mut self, cond: &XCond, then: String, otherwise: String, _depth: usize) -> Result<String, Refusal> {
        Self::test(cond, &then, &otherwise)
    }

    fn each(
        &mut self,
        _list: &Access,
        _depth: usize,
        _limit: Option<usize>,
        _body: String,
        _otherwise: String,
    ) -> Result<String, Refusal> {
        Err(Refusal::NoLoops)
    }

    fn arrays(&self) -> &'static str {
        "none: Mailchimp merge fields hold text, merge tags cannot loop; an email that loops over a list is refused"
    }

    fn derives_urls(&self) -> bool {
        true
    }

    fn derives_conditions(&self) -> bool {
        true
    }

    fn loop_refusal(&self) -> Option<Refusal> {
        Some(Refusal::NoLoops)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_upper_case_and_at_most_ten_characters() {
        assert_eq!(merge_tag("profile.first_name").expect("ok"), "FNAME");
        assert_eq!(merge_tag("offer.code").expect("ok"), "OFFER_CODE");
        assert_eq!(merge_tag("cond_1").expect("ok"), "COND_1");
        let long = merge_tag("profile.loyalty_points").expect("ok");
        assert_eq!(long.len(), 10);
        assert!(long.starts_with("LOYALT"), "{long}");
        assert_ne!(long, merge_tag("profile.loyalty_tier").expect("ok"));
        assert_eq!(merge_tag("9lives").expect("ok"), "F9LIVES");
        assert!(merge_tag("date").is_err());
        assert!(merge_tag("lit_pipe").is_err());
    }

    #[test]
    fn and_or_not_nest_if_blocks() {
        let flag = |n: &str| XCond::Truthy(Access::Root(vec![n.to_owned()]));
        let and = XCond::And(vec![flag("cond_1"), XCond::Not(Box::new(flag("cond_2")))]);
        assert_eq!(
            MergeTags::test(&and, "Y", "N").expect("ok"),
            "*|IF:COND_1|**|IF:COND_2|*N*|ELSE:|*Y*|END:IF|**|ELSE:|*N*|END:IF|*"
        );
        let or = XCond::Or(vec![flag("cond_1"), flag("cond_2")]);
        assert_eq!(
            MergeTags::test(&or, "Y", "").expect("ok"),
            "*|IF:COND_1|*Y*|ELSE:|**|IF:COND_2|*Y*|END:IF|**|END:IF|*"
        );
        assert!(MergeTags::test(&XCond::Present(Access::Root(vec!["x".into()])), "Y", "N").is_err());
    }
}
