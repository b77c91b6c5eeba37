//! The walk every templating target shares: the compiled plan is visited once per output (subject,
//! preheader, HTML, text), loop scopes and the innermost block are tracked, operands are resolved,
//! `currency`/`date` become derived fields, and the fields the template reads are collected for the
//! manifest. A target supplies only its syntax through [`Syntax`].

use std::collections::BTreeMap;

use serde_json::Value;

use super::cond::{self, Access, XCond};
use super::contract::{DerivedField, FieldContract, Source};
use super::{ExportError, ExportInput, Parts, Refusal, Target};
use crate::compose::BlockMeta;
use crate::lang::{Format, Operand, Placeholder};
use crate::plan::{Escape, PNode, Part, Tables};

/// Case conversion a target applies to a printed value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Case {
    /// As is.
    Plain,
    /// `upper`
    Upper,
    /// `lower`
    Lower,
    /// `capitalize`
    Capitalize,
}

/// A printed value, ready for a target to write.
#[derive(Debug, Clone, PartialEq)]
pub struct ValueSite {
    /// What is read.
    pub access: Access,
    /// Case conversion.
    pub case: Case,
    /// Printed (already escaped for where it lands) when the value is missing.
    pub fallback: Option<String>,
    /// With no fallback, a blank text value prints as it is (else nothing prints).
    pub blank_prints: bool,
    /// Where it lands.
    pub escape: Escape,
    /// Text part: the value is a link's URL written as ` (URL)`; drop the parentheses with it.
    pub in_parens: bool,
}

/// A target's syntax. Errors are reasons; the walk adds the block and the expression.
pub trait Syntax {
    /// The target.
    fn target(&self) -> Target;
    /// How a field is read, for the manifest (`esp_name`).
    fn esp_name(&self, access: &Access) -> Result<String, Refusal>;
    /// Writes literal text (markup in the HTML part) so the ESP prints it as is.
    fn literal(&mut self, text: &str, out: &mut String);
    /// Writes a value.
    ///
    /// # Errors
    /// The target cannot print it as preview does.
    fn value(&mut self, site: &ValueSite, depth: usize, out: &mut String) -> Result<(), Refusal>;
    /// A branch around already translated parts.
    ///
    /// # Errors
    /// The target cannot express the condition.
    fn branch(&mut self, cond: &XCond, then: String, otherwise: String, depth: usize) -> Result<String, Refusal>;
    /// A loop at `depth` (1 = outermost) around an already translated body.
    ///
    /// # Errors
    /// The target cannot loop over it.
    fn each(
        &mut self,
        list: &Access,
        depth: usize,
        limit: Option<usize>,
        body: String,
        otherwise: String,
    ) -> Result<String, Refusal>;
    /// How lists arrive, for the manifest.
    fn arrays(&self) -> &'static str;
    /// Whole-URL values are read from derived `href`/`link` fields (for targets that cannot check a
    /// URL's scheme themselves); the site then has no fallback and always prints.
    fn derives_urls(&self) -> bool {
        false
    }
    /// `in_segment "name"` reads a derived `true`/`false` field (for targets that cannot search a
    /// list).
    fn derives_segments(&self) -> bool {
        false
    }
    /// Every condition reads derived `true`/`false` fields (for targets whose fields hold only text,
    /// so they cannot tell `0` from `"0"` or test presence as preview does): each test becomes a
    /// `truthy`, `present`, `compare` or `segment` field named `cond_N`, and [`Syntax::branch`]
    /// then sees only [`XCond::Truthy`] of a root field, `And`, `Or`, `Not` and `Const`.
    fn derives_conditions(&self) -> bool {
        false
    }
    /// With [`Syntax::derives_conditions`]: tests of a loop variable (`@index`, `@first`,
    /// `@last`) against nothing or a constant stay as they are ([`XCond::Truthy`] or
    /// [`XCond::Compare`] of an [`Access::Loop`] and an [`Access::Literal`]), for targets that
    /// test the loop counter themselves; otherwise such a test is refused.
    fn tests_loop_variables(&self) -> bool {
        false
    }
    /// Why the target cannot loop at all, if it cannot: the loop is then refused before its body is
    /// translated, naming the block and the `#each`.
    fn loop_refusal(&self) -> Option<Refusal> {
        None
    }
    /// A loop body with this limit is about to be translated.
    fn enter_loop(&mut self, _limit: Option<usize>) {}
    /// The loop body entered last is translated.
    fn leave_loop(&mut self) {}
}

/// Character sequences that open or close a tag in some target's template language: Liquid and
/// Braze (`{{ }}`, `{% %}`), SendGrid's Handlebars, AMPscript (`%%[`, `]%%`, `%%=`, `=%%`) and
/// Mailchimp merge tags (`*| |*`). A target's lexer finds its delimiters before it reads string
/// literals, so a name or constant holding one would end the tag early.
const DELIMITERS: &[&str] = &["{{", "}}", "{%", "%}", "%%", "*|", "|*"];

/// The one rule for every target: a field name, segment name or string constant that the export
/// writes into the target's template code holds no delimiter of any target and no line break.
fn inert_text(text: &str) -> Result<(), Refusal> {
    if DELIMITERS.iter().any(|d| text.contains(d)) || text.chars().any(char::is_control) {
        return Err(Refusal::TemplateSyntax(text.to_owned()));
    }
    Ok(())
}

/// [`inert_text`] for every name and string a field access carries.
fn inert_access(access: &Access) -> Result<(), Refusal> {
    match access {
        Access::Root(segments) | Access::Item { segments, .. } => segments.iter().try_for_each(|s| inert_text(s)),
        Access::Literal(Value::String(s)) => inert_text(s),
        Access::Literal(_) | Access::Loop(_) => Ok(()),
    }
}

/// [`inert_text`] for every name and string of a condition.
fn inert_cond(x: &XCond) -> Result<(), Refusal> {
    match x {
        XCond::Truthy(a) | XCond::Present(a) => inert_access(a),
        XCond::Compare(_, a, b) => inert_access(a).and_then(|()| inert_access(b)),
        XCond::InSegment(name) => inert_text(name),
        XCond::And(parts) | XCond::Or(parts) => parts.iter().try_for_each(inert_cond),
        XCond::Not(inner) => inert_cond(inner),
        XCond::Const(_) => Ok(()),
    }
}

struct Frame {
    /// The list's dictionary key (`cart.items`).
    key: String,
}

/// Walks a compiled email with a target's syntax.
pub struct Walk<'a, S: Syntax> {
    syntax: S,
    input: &'a ExportInput<'a>,
    frames: Vec<Frame>,
    block: String,
    fields: BTreeMap<String, FieldContract>,
    derived: BTreeMap<String, DerivedField>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Html,
    Text,
}

impl<'a, S: Syntax> Walk<'a, S> {
    /// A walk of `input` with `syntax`.
    pub fn new(syntax: S, input: &'a ExportInput<'a>) -> Self {
        Self {
            syntax,
            input,
            frames: Vec::new(),
            block: String::new(),
            fields: BTreeMap::new(),
            derived: BTreeMap::new(),
        }
    }

    /// Translates the whole email.
    ///
    /// # Errors
    /// The first construct the target cannot express.
    pub fn run(self) -> Result<Parts, ExportError> {
        self.run_with_amp(None)
    }

    /// Translates the whole email and, with `amp`, the AMP part's markup after it (HTML mode), in
    /// the same walk: the AMP template reads the fields, derived fields and condition flags of the
    /// HTML template, so one manifest serves both. A construct the AMP part cannot carry refuses
    /// only the AMP template (`Parts::amp` is then `Err` with the reason).
    ///
    /// # Errors
    /// The first construct the target cannot express in the HTML or text part.
    pub fn run_with_amp(mut self, amp: Option<&super::amp_template::AmpShape>) -> Result<Parts, ExportError> {
        let compiled = self.input.compiled;
        let mut parts = Parts::default();
        "subject".clone_into(&mut self.block);
        let (part, tables) = &compiled.subject;
        parts.subject = self.part(part, tables, &[], Mode::Text)?;
        "preheader".clone_into(&mut self.block);
        let (part, tables) = &compiled.preheader;
        parts.preheader = self.part(part, tables, &[], Mode::Text)?;
        let layout = &*compiled.layout;
        for mode in [Mode::Html, Mode::Text] {
            let (head, tail) = match mode {
                Mode::Html => (&layout.head, &layout.tail),
                Mode::Text => (&layout.text_head, &layout.text_tail),
            };
            "layout".clone_into(&mut self.block);
            let mut out = self.part(head, &layout.tables, &[], mode)?;
            for fragment in &compiled.blocks {
                self.block.clone_from(&fragment.instance_id);
                let part = if mode == Mode::Html {
                    &fragment.html
                } else {
                    &fragment.text
                };
                out.push_str(&self.part(part, &fragment.tables, &fragment.blocks, mode)?);
            }
            "layout".clone_into(&mut self.block);
            out.push_str(&self.part(tail, &layout.tables, &[], mode)?);
            match mode {
                Mode::Html => parts.html = out,
                Mode::Text => parts.text = out,
            }
        }
        if let Some(shape) = amp {
            // A refusal of the AMP part leaves the HTML template's contract as it was.
            let (fields, derived) = (self.fields.clone(), self.derived.clone());
            parts.amp = Some(self.amp(shape).map_err(|e| e.to_string()));
            if parts.amp.as_ref().is_some_and(Result::is_err) {
                (self.fields, self.derived) = (fields, derived);
            }
        }
        parts.fields = self.fields.into_values().collect();
        parts.derived = self.derived.into_values().collect();
        parts.arrays = self.syntax.arrays();
        Ok(parts)
    }

    /// The AMP part's markup in the target's language.
    fn amp(&mut self, shape: &super::amp_template::AmpShape) -> Result<String, ExportError> {
        let compiled = self.input.compiled;
        let layout = &*compiled.layout;
        "layout".clone_into(&mut self.block);
        let mut out = self.part(&shape.head, &layout.tables, &[], Mode::Html)?;
        for (fragment, (part, tables)) in compiled.blocks.iter().zip(&shape.blocks) {
            self.block.clone_from(&fragment.instance_id);
            out.push_str(&self.part(part, tables, &fragment.blocks, Mode::Html)?);
        }
        "layout".clone_into(&mut self.block);
        out.push_str(&self.part(&shape.tail, &layout.tables, &[], Mode::Html)?);
        Ok(out)
    }

    /// Translates the HTML of one top-level block only (the AMP part's live blocks): `html` holds
    /// it, with the fields and derived fields it reads; subject, preheader and text stay empty.
    ///
    /// # Errors
    /// The first construct the target cannot express; an index past the last block.
    pub fn run_fragment(mut self, index: usize) -> Result<Parts, ExportError> {
        let compiled = self.input.compiled;
        let fragment = compiled
            .blocks
            .get(index)
            .ok_or_else(|| self.error("?", Refusal::MissingInPlan { what: "block" }))?;
        self.block.clone_from(&fragment.instance_id);
        let html = self.part(&fragment.html, &fragment.tables, &fragment.blocks, Mode::Html)?;
        Ok(Parts {
            html,
            fields: self.fields.into_values().collect(),
            derived: self.derived.into_values().collect(),
            arrays: self.syntax.arrays(),
            ..Parts::default()
        })
    }

    fn part(&mut self, part: &Part, tables: &Tables, blocks: &[BlockMeta], mode: Mode) -> Result<String, ExportError> {
        // At least the literal text comes out: one allocation instead of a doubling per push.
        let mut out = String::with_capacity(part.lits.len() + part.lits.len() / 8);
        self.nodes(&part.nodes, part, tables, blocks, mode, &mut out)?;
        Ok(out)
    }

    fn error(&self, expression: impl Into<String>, reason: Refusal) -> ExportError {
        ExportError::Unsupported {
            target: self.syntax.target().name(),
            block: self.block.clone(),
            expression: expression.into(),
            reason,
        }
    }

    fn nodes(
        &mut self,
        nodes: &[PNode],
        part: &Part,
        tables: &Tables,
        blocks: &[BlockMeta],
        mode: Mode,
        out: &mut String,
    ) -> Result<(), ExportError> {
        let mut skip_paren = false;
        for (i, node) in nodes.iter().enumerate() {
            match node {
                PNode::Lit(start, end) => {
                    let mut lit = &part.lits[*start as usize..*end as usize];
                    if std::mem::take(&mut skip_paren) {
                        lit = lit.strip_prefix(')').unwrap_or(lit);
                    }
                    if mode == Mode::Text && url_in_parens(nodes, i, part) {
                        lit = lit.strip_suffix(" (").unwrap_or(lit);
                    }
                    self.syntax.literal(lit, out);
                }
                PNode::Value(index, escape) => {
                    let ph = tables
                        .placeholders
                        .get(*index as usize)
                        .ok_or_else(|| self.error("?", Refusal::MissingInPlan { what: "placeholder" }))?;
                    let in_parens = mode == Mode::Text && i > 0 && url_in_parens(nodes, i - 1, part);
                    skip_paren = in_parens;
                    let site = self.value_site(ph, *escape, in_parens)?;
                    let depth = self.frames.len();
                    self.syntax
                        .value(&site, depth, out)
                        .map_err(|reason| self.error(&ph.source, reason))?;
                }
                PNode::If(index, then, otherwise) => {
                    let c = tables
                        .conds
                        .get(*index as usize)
                        .ok_or_else(|| self.error("?", Refusal::MissingInPlan { what: "condition" }))?;
                    let x = cond::convert(c, &mut |op| self.operand(op));
                    inert_cond(&x)
                        .map_err(|reason| self.error(format!("{{{{#if {}}}}}", cond::describe(c)), reason))?;
                    let x = self.segments(x);
                    let x = self
                        .flags(x)
                        .map_err(|reason| self.error(format!("{{{{#if {}}}}}", cond::describe(c)), reason))?;
                    self.note_cond(&x);
                    let then = self.sub(then, part, tables, blocks, mode)?;
                    let otherwise = self.sub(otherwise, part, tables, blocks, mode)?;
                    let depth = self.frames.len();
                    let text = self
                        .syntax
                        .branch(&x, then, otherwise, depth)
                        .map_err(|reason| self.error(format!("{{{{#if {}}}}}", cond::describe(c)), reason))?;
                    out.push_str(&text);
                }
                PNode::Each(index, body, otherwise) => {
                    let info = tables
                        .eaches
                        .get(*index as usize)
                        .ok_or_else(|| self.error("?", Refusal::MissingInPlan { what: "loop" }))?;
                    let expression = format!(
                        "{{{{#each {}{}}}}}",
                        info.path,
                        info.limit.map_or(String::new(), |l| format!(" limit={l}"))
                    );
                    if let Some(reason) = self.syntax.loop_refusal() {
                        return Err(self.error(&expression, reason));
                    }
                    let list = self.operand(&Operand::Path(info.path.clone()));
                    inert_access(&list).map_err(|reason| self.error(&expression, reason))?;
                    let key = self.key(&list).unwrap_or_else(|| info.path.dotted());
                    self.note(&list, "list", None, false)
                        .map_err(|reason| self.error(&expression, reason))?;
                    let otherwise = self.sub(otherwise, part, tables, blocks, mode)?;
                    self.frames.push(Frame { key });
                    let depth = self.frames.len();
                    self.syntax.enter_loop(info.limit);
                    let body = self.sub(body, part, tables, blocks, mode);
                    self.syntax.leave_loop();
                    self.frames.pop();
                    let text = self
                        .syntax
                        .each(&list, depth, info.limit, body?, otherwise)
                        .map_err(|reason| self.error(&expression, reason))?;
                    out.push_str(&text);
                }
                PNode::Block(index, body, otherwise) => {
                    let meta = tables
                        .blocks
                        .get(*index as usize)
                        .and_then(|g| blocks.get(*g as usize))
                        .ok_or_else(|| self.error("?", Refusal::MissingInPlan { what: "block" }))?;
                    let outer = std::mem::replace(&mut self.block, meta.id.clone());
                    let x = cond::gates(meta, &mut |op| self.operand(op));
                    if let Err(reason) = inert_cond(&x) {
                        let e = self.error(cond::describe_gates(meta), reason);
                        self.block = outer;
                        return Err(e);
                    }
                    let x = self.segments(x);
                    let x = match self.flags(x) {
                        Ok(x) => x,
                        Err(reason) => {
                            let e = self.error(cond::describe_gates(meta), reason);
                            self.block = outer;
                            return Err(e);
                        }
                    };
                    self.note_cond(&x);
                    let body = self.sub(body, part, tables, blocks, mode);
                    self.block = outer;
                    // The fallback block is outside the gated block, under its own id.
                    let fallback = self.sub(otherwise, part, tables, blocks, mode)?;
                    let depth = self.frames.len();
                    let text = self.syntax.branch(&x, body?, fallback, depth).map_err(|reason| {
                        let mut e = self.error(cond::describe_gates(meta), reason);
                        if let ExportError::Unsupported { block, .. } = &mut e {
                            block.clone_from(&meta.id);
                        }
                        e
                    })?;
                    out.push_str(&text);
                }
            }
        }
        Ok(())
    }

    fn sub(
        &mut self,
        nodes: &[PNode],
        part: &Part,
        tables: &Tables,
        blocks: &[BlockMeta],
        mode: Mode,
    ) -> Result<String, ExportError> {
        let mut out = String::new();
        self.nodes(nodes, part, tables, blocks, mode, &mut out)?;
        Ok(out)
    }

    /// Resolves an operand against the loop scopes, as the renderer does.
    fn operand(&self, op: &Operand) -> Access {
        match op {
            Operand::Literal(v) => Access::Literal(v.clone()),
            Operand::Loop(var) if !self.frames.is_empty() => Access::Loop(*var),
            Operand::Loop(_) => Access::Literal(Value::Null),
            Operand::Path(p) => {
                let depth = self.frames.len();
                if p.root || depth < usize::from(p.up) + 1 {
                    Access::Root(p.segments.clone())
                } else {
                    Access::Item {
                        depth: depth - usize::from(p.up),
                        segments: p.segments.clone(),
                    }
                }
            }
        }
    }

    /// The dictionary key of a field access (`cart.items[].name`).
    fn key(&self, access: &Access) -> Option<String> {
        match access {
            Access::Root(segs) => Some(segs.join(".")),
            Access::Item { depth, segments } => {
                let list = &self.frames.get(depth.checked_sub(1)?)?.key;
                Some(if segments.is_empty() {
                    format!("{list}[]")
                } else {
                    format!("{list}[].{}", segments.join("."))
                })
            }
            Access::Loop(_) | Access::Literal(_) => None,
        }
    }

    fn note_cond(&mut self, x: &XCond) {
        match x {
            XCond::Truthy(a) | XCond::Present(a) => {
                let _ = self.note(a, "", None, false);
            }
            XCond::Compare(_, a, b) => {
                let _ = self.note(a, "", None, false);
                let _ = self.note(b, "", None, false);
            }
            XCond::InSegment(_) => {
                let _ = self.note(&Access::Root(vec!["segments".to_owned()]), "list", None, false);
            }
            XCond::And(parts) | XCond::Or(parts) => parts.iter().for_each(|p| self.note_cond(p)),
            XCond::Not(inner) => self.note_cond(inner),
            XCond::Const(_) => {}
        }
    }

    /// Records a field the template reads.
    fn note(&mut self, access: &Access, kind: &str, fallback: Option<&str>, derived: bool) -> Result<(), Refusal> {
        let Some(key) = self.key(access) else { return Ok(()) };
        let derived = derived || self.derived.contains_key(&key);
        let esp_name = self.syntax.esp_name(access)?;
        let dictionary = self.input.dictionary.get(&key).map(|f| f.field_type.clone());
        let field_type = if derived {
            "text".to_owned()
        } else {
            dictionary.unwrap_or_else(|| if kind.is_empty() { "unknown" } else { kind }.to_owned())
        };
        let entry = self.fields.entry(key.clone()).or_insert_with(|| FieldContract {
            path: key,
            esp_name,
            field_type,
            fallbacks: Vec::new(),
            derived,
        });
        if let Some(f) = fallback {
            if !entry.fallbacks.iter().any(|x| x == f) {
                entry.fallbacks.push(f.to_owned());
            }
        }
        Ok(())
    }

    fn value_site(&mut self, ph: &Placeholder, escape: Escape, in_parens: bool) -> Result<ValueSite, ExportError> {
        let access = self.operand(&ph.value);
        inert_access(&access).map_err(|reason| self.error(&ph.source, reason))?;
        if matches!(escape, Escape::UrlStart | Escape::TextUrlStart) && self.syntax.derives_urls() {
            if ph.format != Format::Plain {
                return Err(self.error(&ph.source, Refusal::FormattedUrl));
            }
            let helper = if escape == Escape::UrlStart { "href" } else { "link" };
            let derived = self.derive_url(ph, &access, helper)?;
            self.note(&derived, "", None, true)
                .map_err(|reason| self.error(&ph.source, reason))?;
            return Ok(ValueSite {
                access: derived,
                case: Case::Plain,
                fallback: None,
                blank_prints: true,
                escape,
                in_parens,
            });
        }
        let (case, access, fallback_raw) = match &ph.format {
            Format::Plain | Format::Upper | Format::Lower | Format::Capitalize => {
                let case = match ph.format {
                    Format::Upper => Case::Upper,
                    Format::Lower => Case::Lower,
                    Format::Capitalize => Case::Capitalize,
                    _ => Case::Plain,
                };
                let fallback = ph
                    .fallback
                    .clone()
                    .or_else(|| ph.dictionary_default.as_ref().and_then(|d| plain_text(d, case)));
                (case, access, fallback)
            }
            Format::Currency { .. } | Format::Date { .. } => {
                let derived = self.derive(ph, &access)?;
                (Case::Plain, derived, ph.fallback.clone())
            }
        };
        if let Access::Literal(v) = &access {
            if !matches!(v, Value::String(_) | Value::Number(_) | Value::Bool(_) | Value::Null) {
                return Err(self.error(&ph.source, Refusal::PrintedCompound));
            }
        }
        let derived = !matches!(
            ph.format,
            Format::Plain | Format::Upper | Format::Lower | Format::Capitalize
        );
        self.note(&access, "", fallback_raw.as_deref(), derived)
            .map_err(|reason| self.error(&ph.source, reason))?;
        let fallback = fallback_raw.map(|f| match escape {
            Escape::Html => crate::escape::html_escape(&f),
            _ => f,
        });
        Ok(ValueSite {
            blank_prints: case == Case::Plain && fallback.is_none() && !derived,
            access,
            case,
            fallback,
            escape,
            in_parens,
        })
    }

    /// Registers the derived field a `currency` or `date` placeholder reads, and returns its access.
    fn derive(&mut self, ph: &Placeholder, value: &Access) -> Result<Access, ExportError> {
        let depth = self.frames.len();
        let source = |a: &Access| -> Option<Source> {
            match a {
                Access::Root(s) => Some(Source::Field(s.join("."))),
                Access::Item { depth: d, segments } if *d == depth => Some(Source::ItemField(segments.join("."))),
                Access::Literal(v) => Some(Source::Value(v.clone())),
                _ => None,
            }
        };
        let unsupported = || self.error(&ph.source, Refusal::FormatSource);
        let value_source = source(value).ok_or_else(unsupported)?;
        let (helper, code, style, locale) = match &ph.format {
            Format::Currency { code, locale } => {
                let code = source(&self.operand(code)).ok_or_else(unsupported)?;
                let locale = match locale {
                    Some(l) => Some(source(&self.operand(l)).ok_or_else(unsupported)?),
                    None => None,
                };
                ("currency", Some(code), None, locale)
            }
            Format::Date { style, locale } => {
                let locale = match locale {
                    Some(l) => Some(source(&self.operand(l)).ok_or_else(unsupported)?),
                    None => None,
                };
                let style = format!("{style:?}").to_ascii_lowercase();
                ("date", None, Some(style), locale)
            }
            _ => return Ok(value.clone()),
        };
        let on_item = [Some(&value_source), code.as_ref(), locale.as_ref()]
            .into_iter()
            .flatten()
            .any(|s| matches!(s, Source::ItemField(_)));
        if on_item && depth > 1 {
            return Err(self.error(&ph.source, Refusal::FormatNested));
        }
        let explicit = ph.fallback.is_some();
        let spec = DerivedField {
            code,
            style: style.clone(),
            locale,
            dictionary_default: if explicit { None } else { ph.dictionary_default.clone() },
            ..DerivedField::new(
                String::new(),
                helper,
                value_source,
                self.input.compiled.settings.locale.clone(),
            )
        };
        let tag = style.map_or_else(|| helper.to_owned(), |s| format!("{helper}_{s}"));
        Ok(self.register(spec, value, &tag, on_item))
    }

    /// Registers the derived `href`/`link` field a whole-URL placeholder reads.
    fn derive_url(&mut self, ph: &Placeholder, value: &Access, helper: &str) -> Result<Access, ExportError> {
        let depth = self.frames.len();
        let value_source = match value {
            Access::Root(s) => Source::Field(s.join(".")),
            Access::Item { depth: d, segments } if *d == depth && depth == 1 => Source::ItemField(segments.join(".")),
            Access::Literal(v) => Source::Value(v.clone()),
            _ => return Err(self.error(&ph.source, Refusal::UrlSource)),
        };
        let on_item = matches!(value_source, Source::ItemField(_));
        let spec = DerivedField {
            dictionary_default: if ph.fallback.is_some() {
                None
            } else {
                ph.dictionary_default.clone()
            },
            fallback: ph.fallback.clone(),
            ..DerivedField::new(
                String::new(),
                helper,
                value_source,
                self.input.compiled.settings.locale.clone(),
            )
        };
        Ok(self.register(spec, value, helper, on_item))
    }

    /// Replaces `in_segment "name"` with a derived `true`/`false` field when the target wants it.
    fn segments(&mut self, x: XCond) -> XCond {
        if !self.syntax.derives_segments() {
            return x;
        }
        match x {
            XCond::InSegment(name) => {
                let slug: String = name
                    .chars()
                    .map(|c| {
                        if c.is_ascii_alphanumeric() {
                            c.to_ascii_lowercase()
                        } else {
                            '_'
                        }
                    })
                    .collect();
                let spec = DerivedField::new(
                    String::new(),
                    "segment",
                    Source::Value(Value::String(name)),
                    self.input.compiled.settings.locale.clone(),
                );
                let at = Access::Literal(Value::Null);
                XCond::Truthy(self.register(spec, &at, &format!("in_segment_{slug}"), false))
            }
            XCond::And(parts) => XCond::And(parts.into_iter().map(|p| self.segments(p)).collect()),
            XCond::Or(parts) => XCond::Or(parts.into_iter().map(|p| self.segments(p)).collect()),
            XCond::Not(inner) => XCond::Not(Box::new(self.segments(*inner))),
            other => other,
        }
    }

    /// Replaces every test of a condition with a derived `true`/`false` field when the target wants
    /// it (see [`Syntax::derives_conditions`]); tests of constants are decided here.
    fn flags(&mut self, x: XCond) -> Result<XCond, Refusal> {
        if !self.syntax.derives_conditions() {
            return Ok(x);
        }
        let source = |a: &Access| -> Result<Source, Refusal> {
            match a {
                Access::Root(s) => Ok(Source::Field(s.join("."))),
                Access::Literal(v) => Ok(Source::Value(v.clone())),
                Access::Item { .. } | Access::Loop(_) => Err(Refusal::LoopCondition),
            }
        };
        let (helper, value, op, operand) = match x {
            XCond::And(parts) => {
                return parts
                    .into_iter()
                    .map(|p| self.flags(p))
                    .collect::<Result<_, _>>()
                    .map(XCond::And)
            }
            XCond::Or(parts) => {
                return parts
                    .into_iter()
                    .map(|p| self.flags(p))
                    .collect::<Result<_, _>>()
                    .map(XCond::Or)
            }
            XCond::Not(inner) => return Ok(XCond::Not(Box::new(self.flags(*inner)?))),
            XCond::Const(b) => return Ok(XCond::Const(b)),
            XCond::Truthy(Access::Literal(v)) => return Ok(XCond::Const(crate::value::is_truthy(&v))),
            XCond::Present(Access::Literal(v)) => return Ok(XCond::Const(!crate::value::is_missing(Some(&v)))),
            XCond::Compare(op, Access::Literal(a), Access::Literal(b)) => {
                return Ok(XCond::Const(crate::value::compare(op, &a, &b)))
            }
            XCond::Truthy(a @ Access::Loop(_)) if self.syntax.tests_loop_variables() => return Ok(XCond::Truthy(a)),
            XCond::Compare(op, a @ Access::Loop(_), b @ Access::Literal(_))
            | XCond::Compare(op, a @ Access::Literal(_), b @ Access::Loop(_))
                if self.syntax.tests_loop_variables() =>
            {
                return Ok(XCond::Compare(op, a, b))
            }
            XCond::Truthy(a) => ("truthy", source(&a)?, None, None),
            XCond::Present(a) => ("present", source(&a)?, None, None),
            XCond::Compare(op, a, b) => ("compare", source(&a)?, Some(op.name().to_owned()), Some(source(&b)?)),
            XCond::InSegment(name) => ("segment", Source::Value(Value::String(name)), None, None),
        };
        let spec = DerivedField {
            op,
            operand,
            ..DerivedField::new(
                String::new(),
                helper,
                value,
                self.input.compiled.settings.locale.clone(),
            )
        };
        let existing = self.derived.values().find(|d| {
            let mut unnamed = (*d).clone();
            unnamed.path = String::new();
            unnamed == spec
        });
        let path = if let Some(d) = existing {
            d.path.clone()
        } else {
            let mut n = self
                .derived
                .values()
                .filter(|d| super::contract::FLAG_HELPERS.contains(&d.helper.as_str()))
                .count();
            loop {
                n += 1;
                let path = format!("cond_{n}");
                if self.input.dictionary.get(&path).is_none() && !self.derived.contains_key(&path) {
                    let mut spec = spec;
                    spec.path.clone_from(&path);
                    self.derived.insert(path.clone(), spec);
                    break path;
                }
            }
        };
        Ok(XCond::Truthy(Access::Root(vec![path])))
    }

    /// Names a derived field after the value it is computed from (`<leaf>_<tag>`, then `_2`, ...
    /// when another spec or a dictionary field holds that name) and returns its access.
    fn register(&mut self, mut spec: DerivedField, value: &Access, tag: &str, on_item: bool) -> Access {
        let depth = self.frames.len();
        // URLs are always written, also when their parent object is absent: they sit at the root
        // (`cart_url_href`), so no object appears in the data that the template might test.
        let flat = !on_item && matches!(spec.helper.as_str(), "href" | "link");
        let base = match (value, spec.helper.as_str()) {
            (_, "segment") => tag.to_owned(),
            (Access::Root(s), _) if flat => format!("{}_{tag}", s.join("_")),
            (Access::Root(s) | Access::Item { segments: s, .. }, _) => {
                format!("{}_{tag}", s.last().cloned().unwrap_or_else(|| "item".to_owned()))
            }
            _ => format!("value_{tag}"),
        };
        let (list, parent): (Option<String>, Vec<String>) = if on_item {
            (self.frames.first().map(|f| f.key.clone()), Vec::new())
        } else {
            match value {
                Access::Root(s) if !flat => (
                    None,
                    s.split_last().map(|(_, parent)| parent.to_vec()).unwrap_or_default(),
                ),
                _ => (None, Vec::new()),
            }
        };
        spec.list.clone_from(&list);
        for n in 1.. {
            let name = if n == 1 { base.clone() } else { format!("{base}_{n}") };
            let path = match &list {
                Some(l) => format!("{l}[].{name}"),
                None if parent.is_empty() => name.clone(),
                None => format!("{}.{name}", parent.join(".")),
            };
            spec.path.clone_from(&path);
            let taken_by_data = self.input.dictionary.get(&path).is_some();
            match self.derived.get(&path) {
                Some(existing) if *existing == spec => break,
                None if !taken_by_data => {
                    self.derived.insert(path, spec.clone());
                    break;
                }
                _ => {}
            }
        }
        let mut segs: Vec<String> = spec.path.rsplit('.').next().map(str::to_owned).into_iter().collect();
        if on_item {
            Access::Item { depth, segments: segs }
        } else {
            let mut all = parent;
            all.append(&mut segs);
            Access::Root(all)
        }
    }
}

/// Whether `nodes[i]` is a literal ending in ` (` followed by a URL value and a literal starting
/// with `)`: the text part's `label (URL)`, whose parentheses go when the URL does.
fn url_in_parens(nodes: &[PNode], i: usize, part: &Part) -> bool {
    let lit = |n: Option<&PNode>| match n {
        Some(PNode::Lit(s, e)) => part.lits.get(*s as usize..*e as usize),
        _ => None,
    };
    matches!(nodes.get(i + 1), Some(PNode::Value(_, Escape::TextUrlStart)))
        && lit(nodes.get(i)).is_some_and(|l| l.ends_with(" ("))
        && lit(nodes.get(i + 2)).is_some_and(|l| l.starts_with(')'))
}

/// A dictionary default as the text it prints, with the case conversion applied.
fn plain_text(v: &Value, case: Case) -> Option<String> {
    let s = match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => return None,
    };
    Some(match case {
        Case::Plain => s,
        Case::Upper => crate::format::upper(&s),
        Case::Lower => crate::format::lower(&s),
        Case::Capitalize => crate::format::capitalize(&s),
    })
}
