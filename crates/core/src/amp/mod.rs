//! The AMP for Email part (`text/x-amp-html`): the same compiled email as the HTML part, rendered
//! for one recipient and rewritten as a valid AMP for Email document.
//!
//! - The document: `<!doctype html><html ⚡4email data-css-strict>`, `<meta charset>` first, the
//!   AMP runtime, the `amp4email-boilerplate` style, one `<style amp-custom>` (the head's `@media`
//!   rules, refused properties and `!important` left out, at most [`STYLE_LIMIT`] bytes) and the
//!   blocks with their inline styles (see [`markup`]).
//! - A live block whose feed URL is known becomes `<amp-list src=FEED layout=container>` holding a
//!   `<template type="amp-mustache">` (the block's plan translated by [`mustache`]) and the
//!   send-time render of the block twice, as the list's `placeholder` (shown while loading) and
//!   `fallback` (shown when the fetch fails). The feed answers `{"items": [item]}` where the item is
//!   [`LiveTemplate::item`] for the recipient's data at request time.
//! - The report lists the live blocks, the bytes of the style sheet and of the document, and warns
//!   over [`SIZE_BUDGET`] (clients drop a larger AMP part).

mod css;
pub mod markup;
pub mod mustache;
pub(crate) mod plan;

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::rc::Rc;
use std::sync::OnceLock;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::compile::Compiled;
use crate::export::contract::{prepare_data, Manifest};
use crate::export::textual::{export_fragment, text_data};
use crate::export::{ExportError, ExportInput, Target};
use crate::model::{Dictionary, LiveSpec};
use crate::render::BlockEdge;

/// The most bytes of `<style amp-custom>` AMP for Email accepts.
pub const STYLE_LIMIT: usize = 50_000;
/// The AMP part's size above which clients may not show it (and the render report warns).
pub const SIZE_BUDGET: usize = 200 * 1024;

const RUNTIME: &str = r#"<script async src="https://cdn.ampproject.org/v0.js"></script>"#;
const LIST: &str =
    r#"<script async custom-element="amp-list" src="https://cdn.ampproject.org/v0/amp-list-0.1.js"></script>"#;
const MUSTACHE: &str =
    r#"<script async custom-template="amp-mustache" src="https://cdn.ampproject.org/v0/amp-mustache-0.2.js"></script>"#;
const BOILERPLATE: &str = "<style amp4email-boilerplate>body{visibility:hidden}</style>";

/// Why the AMP part could not be made.
#[derive(Debug, thiserror::Error)]
pub enum AmpError {
    /// The style sheet is over AMP's limit.
    #[error("the AMP style sheet would be {bytes} bytes; AMP for Email accepts at most {STYLE_LIMIT}")]
    StyleTooLarge {
        /// Its size.
        bytes: usize,
    },
    /// A live block's content cannot be written as an amp-mustache template.
    #[error("live block \"{block}\": {source}")]
    Template {
        /// The block.
        block: String,
        /// What the translation refused.
        source: Box<ExportError>,
    },
    /// A live block that is not a top-level block of the email.
    #[error("live block \"{0}\" is not a top-level block of this email")]
    UnknownBlock(String),
}

/// A live block of the email and where its feed is, for this recipient.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveBlock {
    /// The top-level block instance id.
    pub id: String,
    /// Its `live` settings.
    pub spec: LiveSpec,
    /// The signed feed URL (absolute `https`); `None` renders the block static (no collector
    /// address configured, or no stored recipient to sign for).
    pub src: Option<String>,
}

/// What the AMP render did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AmpReport {
    /// Live blocks written as `amp-list` over their feed.
    pub live_blocks: Vec<String>,
    /// Live blocks written static, with the reason.
    pub static_blocks: Vec<(String, String)>,
    /// Bytes of the document.
    pub bytes: usize,
    /// Bytes of `<style amp-custom>`.
    pub style_bytes: usize,
    /// Over [`SIZE_BUDGET`]: clients may not show the AMP part.
    pub over_size_budget: bool,
    /// Pictures given a square box because their height is not known.
    pub square_images: usize,
}

/// One recipient's AMP part.
#[derive(Debug, Clone, PartialEq)]
pub struct AmpRendered {
    /// The document.
    pub html: String,
    /// What happened.
    pub report: AmpReport,
}

/// A live block's template and the contract of the data its feed answers with.
#[derive(Debug, Clone)]
pub struct LiveTemplate {
    /// The block id.
    pub block: String,
    /// The amp-mustache template's markup (AMP markup with Mustache tags).
    pub template: String,
    /// The fields and derived fields the template reads.
    pub manifest: Manifest,
    /// The loop flags each list item carries.
    pub flags: Vec<String>,
}

impl LiveTemplate {
    /// Translates the top-level block `block` of `compiled`.
    ///
    /// # Errors
    /// The block is not a top-level block, or its content cannot be written in Mustache.
    pub fn new(compiled: &Compiled, dictionary: &Dictionary, email: &str, block: &str) -> Result<Self, AmpError> {
        let index = compiled
            .blocks
            .iter()
            .position(|f| f.instance_id == block)
            .ok_or_else(|| AmpError::UnknownBlock(block.to_owned()))?;
        let input = ExportInput {
            compiled,
            dictionary,
            email,
            data: None,
            velocity_object: None,
            live: &[],
            asset_base_url: None,
        };
        let flags = Rc::new(RefCell::new(BTreeSet::new()));
        let parts = export_fragment(
            &input,
            mustache::Mustache {
                flags: Rc::clone(&flags),
            },
            index,
        )
        .map_err(|source| AmpError::Template {
            block: block.to_owned(),
            source: Box::new(source),
        })?;
        let template = mustache::finish(&markup::rewrite(&parts.html, true).html);
        let manifest = Manifest::new(&input, Target::Amp, &parts);
        let flags = flags.borrow().iter().cloned().collect();
        Ok(Self {
            block: block.to_owned(),
            template,
            manifest,
            flags,
        })
    }

    /// The feed item for a recipient context: the texts preview prints, the condition flags, the
    /// lists pre-sliced with each item's loop flags, and `tsr_lb`.
    #[must_use]
    pub fn item(&self, data: &Value) -> Value {
        let prepared = prepare_data(&self.manifest, data);
        let mut item = text_data(&self.manifest, &prepared);
        for field in self.manifest.fields.iter().filter(|f| f.field_type == "list") {
            let path: Vec<&str> = field.esp_name.split('.').collect();
            if let Some(Value::Array(items)) = lookup_mut(&mut item, &path) {
                let count = items.len();
                for (index, entry) in items.iter_mut().enumerate() {
                    if let Value::Object(map) = entry {
                        for flag in &self.flags {
                            let holds = mustache::flag_holds(flag, index, count);
                            map.insert(flag.clone(), Value::Bool(holds));
                        }
                    }
                }
            }
        }
        if let Value::Object(map) = &mut item {
            map.insert(mustache::LBRACE.to_owned(), Value::String("{".to_owned()));
        }
        item
    }

    /// The feed's answer, in the shape `amp-list` reads: `{"items": [item]}`.
    #[must_use]
    pub fn feed(&self, data: &Value) -> Value {
        let mut out = Map::new();
        out.insert("items".to_owned(), Value::Array(vec![self.item(data)]));
        Value::Object(out)
    }
}

fn lookup_mut<'v>(root: &'v mut Value, path: &[&str]) -> Option<&'v mut Value> {
    let mut at = root;
    for seg in path {
        at = at.as_object_mut()?.get_mut(*seg)?;
    }
    Some(at)
}

/// Renders the AMP part of `compiled` for `data` (the plan made and used once; to render the
/// same compiled version for many recipients, make an [`AmpPlan`] once).
///
/// # Errors
/// The style sheet is over AMP's limit, or a live block cannot be written as a template.
pub fn render(
    compiled: &Compiled,
    dictionary: &Dictionary,
    email: &str,
    data: &Value,
    live: &[LiveBlock],
) -> Result<AmpRendered, AmpError> {
    AmpPlan::new(compiled, dictionary, email).render(data, live)
}

/// The AMP part of one compiled version, ready for any number of recipients: the markup rewritten
/// once into a plan (see [`plan`]), the style sheet, and each live block's template translated on
/// first use. Markup the plan cannot carry is rendered by [`render_unplanned`] instead.
#[derive(Debug)]
pub struct AmpPlan {
    compiled: Compiled,
    dictionary: Dictionary,
    email: String,
    parts: Option<plan::Parts>,
    /// `<style amp-custom>`'s text.
    style: String,
    /// Each top-level block's amp-mustache template, translated on first use (`None`: the
    /// translation fails, and says why when asked again).
    templates: Vec<OnceLock<Option<String>>>,
    /// Bytes of the plan's literal markup (the output's first capacity).
    bytes: usize,
}

impl AmpPlan {
    /// Makes the AMP plan of `compiled` (the email `email`, its fields in `dictionary`).
    #[must_use]
    pub fn new(compiled: &Compiled, dictionary: &Dictionary, email: &str) -> Self {
        let parts = plan::build(compiled).ok();
        let style = parts
            .as_ref()
            .map(|p| css::style_sheet(p.css.trim()))
            .unwrap_or_default();
        let bytes = parts.as_ref().map_or(0, |p| {
            p.head.lits.len() + p.tail.lits.len() + p.blocks.iter().map(|b| b.lits.len()).sum::<usize>()
        });
        Self {
            compiled: compiled.clone(),
            dictionary: dictionary.clone(),
            email: email.to_owned(),
            parts,
            style,
            templates: compiled.blocks.iter().map(|_| OnceLock::new()).collect(),
            bytes,
        }
    }

    /// The compiled version the plan was made from.
    #[must_use]
    pub fn version(&self) -> [u8; 32] {
        self.compiled.version
    }

    /// Whether the markup could be planned (otherwise each render rewrites the HTML part token by
    /// token).
    #[must_use]
    pub fn is_planned(&self) -> bool {
        self.parts.is_some()
    }

    /// The amp-mustache template of top-level block `index`.
    fn template(&self, index: usize, id: &str) -> Result<&str, AmpError> {
        let cell = self
            .templates
            .get(index)
            .ok_or_else(|| AmpError::UnknownBlock(id.to_owned()))?;
        let template = cell.get_or_init(|| {
            LiveTemplate::new(&self.compiled, &self.dictionary, &self.email, id)
                .ok()
                .map(|t| t.template)
        });
        match template {
            Some(t) => Ok(t),
            None => Err(LiveTemplate::new(&self.compiled, &self.dictionary, &self.email, id)
                .err()
                .unwrap_or_else(|| AmpError::UnknownBlock(id.to_owned()))),
        }
    }

    /// Renders the AMP part for `data`, with `live`'s blocks over their feeds.
    ///
    /// # Errors
    /// The style sheet is over AMP's limit, or a live block cannot be written as a template.
    pub fn render(&self, data: &Value, live: &[LiveBlock]) -> Result<AmpRendered, AmpError> {
        let compiled = &self.compiled;
        for block in live {
            if !compiled.blocks.iter().any(|f| f.instance_id == block.id) {
                return Err(AmpError::UnknownBlock(block.id.clone()));
            }
        }
        let Some(parts) = &self.parts else {
            return render_unplanned(compiled, &self.dictionary, &self.email, data, live);
        };
        if self.style.len() > STYLE_LIMIT {
            return Err(AmpError::StyleTooLarge {
                bytes: self.style.len(),
            });
        }
        let locale = compiled.settings.locale.as_str();
        let layout = &*compiled.layout;
        let mut squares = 0;
        // The send-time markup of each live block with a feed, rendered first.
        let mut regions: Vec<Option<String>> = vec![None; compiled.blocks.len()];
        for (i, fragment) in compiled.blocks.iter().enumerate() {
            if live.iter().any(|b| b.id == fragment.instance_id && b.src.is_some()) {
                let mut region = String::new();
                if let Some(part) = parts.blocks.get(i) {
                    let tags = (&fragment.tables, fragment.blocks.as_slice());
                    crate::render::personalize_amp(locale, data, part, tags, &mut region, &mut squares);
                }
                if let Some(slot) = regions.get_mut(i) {
                    *slot = Some(region);
                }
            }
        }
        let mut report = AmpReport {
            style_bytes: self.style.len(),
            ..AmpReport::default()
        };
        // What stands in each live block's place, in the order of `live` (as errors are met).
        let mut written: Vec<Option<String>> = vec![None; compiled.blocks.len()];
        for block in live {
            let Some(src) = &block.src else {
                report.static_blocks.push((
                    block.id.clone(),
                    "no signed feed URL for this recipient (a stored recipient and [live] base_url are needed)"
                        .to_owned(),
                ));
                continue;
            };
            let Some(index) = compiled.blocks.iter().position(|f| f.instance_id == block.id) else {
                continue;
            };
            let Some(send_time) = regions.get_mut(index).and_then(Option::take) else {
                // Listed twice: the first took its place.
                report.live_blocks.push(block.id.clone());
                continue;
            };
            if send_time.trim().is_empty() {
                // A block hidden for this recipient has no markup: nothing to refresh.
                if let Some(slot) = written.get_mut(index) {
                    *slot = Some(send_time);
                }
                report
                    .static_blocks
                    .push((block.id.clone(), "hidden for this recipient at send time".to_owned()));
                continue;
            }
            let template = self.template(index, &block.id)?;
            let mut list = String::with_capacity(template.len() + 2 * send_time.len() + 200);
            list.push_str("<amp-list layout=\"container\" src=\"");
            markup::push_escaped(&mut list, src);
            list.push_str("\"><template type=\"amp-mustache\">");
            list.push_str(template);
            list.push_str("</template><div placeholder>");
            list.push_str(&send_time);
            list.push_str("</div><div fallback>");
            list.push_str(&send_time);
            list.push_str("</div></amp-list>");
            if let Some(slot) = written.get_mut(index) {
                *slot = Some(list);
            }
            report.live_blocks.push(block.id.clone());
        }

        let extra: usize = written.iter().flatten().map(String::len).sum();
        let mut html = String::with_capacity(self.bytes + extra + self.style.len() + 1024);
        crate::render::personalize_amp(
            locale,
            data,
            &parts.head,
            (&layout.tables, &[]),
            &mut html,
            &mut squares,
        );
        let head_placed = if let Some(at) = html.find(markup::HEAD_SLOT) {
            // The head's content, in place of its slot (the head is short: only its tail moves).
            let after = html.split_off(at + markup::HEAD_SLOT.len());
            html.truncate(at);
            push_head(&mut html, &self.style, !report.live_blocks.is_empty());
            html.push_str(&after);
            true
        } else {
            false
        };
        for (i, fragment) in compiled.blocks.iter().enumerate() {
            if let Some(Some(markup)) = written.get(i) {
                html.push_str(markup);
            } else if let Some(part) = parts.blocks.get(i) {
                let tags = (&fragment.tables, fragment.blocks.as_slice());
                crate::render::personalize_amp(locale, data, part, tags, &mut html, &mut squares);
            }
        }
        crate::render::personalize_amp(
            locale,
            data,
            &parts.tail,
            (&layout.tables, &[]),
            &mut html,
            &mut squares,
        );
        report.square_images = squares;
        if !head_placed {
            html = html.replacen(markup::HEAD_SLOT, &head(&self.style, !report.live_blocks.is_empty()), 1);
        }
        report.bytes = html.len();
        report.over_size_budget = html.len() > SIZE_BUDGET;
        Ok(AmpRendered { html, report })
    }
}

/// The AMP plan of `compiled` and the head's content (charset, runtime, amp-list's scripts when
/// `lists`, boilerplate, style sheet), for the ESP exports' AMP templates; `None` when the markup
/// cannot be planned.
///
/// # Errors
/// The style sheet is over AMP's limit.
pub(crate) fn template_parts(compiled: &Compiled, lists: bool) -> Result<Option<(plan::Parts, String)>, AmpError> {
    let Ok(parts) = plan::build(compiled) else {
        return Ok(None);
    };
    let style = css::style_sheet(parts.css.trim());
    if style.len() > STYLE_LIMIT {
        return Err(AmpError::StyleTooLarge { bytes: style.len() });
    }
    Ok(Some((parts, head(&style, lists))))
}

/// The head's content: charset, runtime (and amp-list's when a block is live), boilerplate, style.
fn head(style: &str, lists: bool) -> String {
    let mut head = String::new();
    push_head(&mut head, style, lists);
    head
}

/// Appends [`head`]'s content.
fn push_head(head: &mut String, style: &str, lists: bool) {
    head.push_str("<meta charset=\"utf-8\">");
    head.push_str(RUNTIME);
    if lists {
        head.push_str(LIST);
        head.push_str(MUSTACHE);
    }
    head.push_str(BOILERPLATE);
    head.push_str("<style amp-custom>");
    head.push_str(style);
    head.push_str("</style>");
}

/// Renders the AMP part of `compiled` for `data` by rendering the HTML part and rewriting it token
/// by token: what [`AmpPlan`] does for markup it cannot plan, and the reference its plan is tested
/// against.
///
/// # Errors
/// The style sheet is over AMP's limit, or a live block cannot be written as a template.
pub fn render_unplanned(
    compiled: &Compiled,
    dictionary: &Dictionary,
    email: &str,
    data: &Value,
    live: &[LiveBlock],
) -> Result<AmpRendered, AmpError> {
    for block in live {
        if !compiled.blocks.iter().any(|f| f.instance_id == block.id) {
            return Err(AmpError::UnknownBlock(block.id.clone()));
        }
    }
    let rendered = crate::render::render_marked(compiled, data, &mut |edge, html| {
        // Live blocks are top-level blocks: blocks inside them are part of their template.
        let (prefix, id) = match edge {
            BlockEdge::Start(id) => (markup::START, id),
            BlockEdge::End(id) => (markup::END, id),
            BlockEdge::InnerStart(_) | BlockEdge::InnerEnd(_) => return,
        };
        if live.iter().any(|b| b.id == id && b.src.is_some()) {
            html.push_str("<!--");
            html.push_str(prefix);
            html.push_str(id);
            html.push_str("-->");
        }
    });
    let rewritten = markup::rewrite(&rendered.html, false);
    let style = css::style_sheet(rewritten.css.trim());
    if style.len() > STYLE_LIMIT {
        return Err(AmpError::StyleTooLarge { bytes: style.len() });
    }
    let mut report = AmpReport {
        square_images: rewritten.square_images,
        style_bytes: style.len(),
        ..AmpReport::default()
    };
    let mut html = rewritten.html;
    for block in live {
        let Some(src) = &block.src else {
            report.static_blocks.push((
                block.id.clone(),
                "no signed feed URL for this recipient (a stored recipient and [live] base_url are needed)".to_owned(),
            ));
            continue;
        };
        let slot = format!("{}{}{}", markup::SLOT_OPEN, block.id, markup::SLOT_CLOSE);
        let send_time = rewritten.regions.get(&block.id).map_or("", String::as_str);
        if send_time.trim().is_empty() {
            // A block hidden for this recipient has no markup: nothing to refresh.
            html = html.replacen(&slot, send_time, 1);
            report
                .static_blocks
                .push((block.id.clone(), "hidden for this recipient at send time".to_owned()));
            continue;
        }
        let template = LiveTemplate::new(compiled, dictionary, email, &block.id)?;
        let mut list = String::from("<amp-list layout=\"container\" src=\"");
        markup::push_escaped(&mut list, src);
        list.push_str("\"><template type=\"amp-mustache\">");
        list.push_str(&template.template);
        list.push_str("</template><div placeholder>");
        list.push_str(send_time);
        list.push_str("</div><div fallback>");
        list.push_str(send_time);
        list.push_str("</div></amp-list>");
        html = html.replacen(&slot, &list, 1);
        report.live_blocks.push(block.id.clone());
    }
    let html = html.replacen(markup::HEAD_SLOT, &head(&style, !report.live_blocks.is_empty()), 1);
    report.bytes = html.len();
    report.over_size_budget = html.len() > SIZE_BUDGET;
    Ok(AmpRendered { html, report })
}
