//! What both paths share: the document being built, block ids, field values read from styles and
//! attributes, and the HTML block (CSS inlined, sanitized by core's email-HTML policy, merge syntax
//! converted).

use std::collections::BTreeMap;

use serde_json::{Map, Value};
use tessera_core::model::{BlockInstance, Device, Fallback};
use tessera_core::sanitize::{sanitize, Policy};

use crate::mapping::Resolver;
use crate::merge::Converter;
use crate::report::ImportReport;
use crate::{document_name, empty_document, ImportInput, Imported, SourceFormat};

/// The email being imported.
pub(crate) struct Context<'a> {
    pub report: ImportReport,
    converter: Converter<'a>,
    pub blocks: Vec<BlockInstance>,
    pub settings: Map<String, Value>,
    pub subject: String,
    pub preheader: String,
    pub title: Option<String>,
    next_id: BTreeMap<String, usize>,
}

impl<'a> Context<'a> {
    pub(crate) fn new(input: &ImportInput<'a>, format: SourceFormat) -> Self {
        Self {
            report: ImportReport {
                file: input.file.to_owned(),
                format: format.name().to_owned(),
                ..ImportReport::default()
            },
            converter: Converter::new(Resolver::new(input.mapping, input.dictionary), input.source),
            blocks: Vec::new(),
            settings: Map::new(),
            subject: String::new(),
            preheader: String::new(),
            title: None,
            next_id: BTreeMap::new(),
        }
    }

    pub(crate) fn finish(self, input: &ImportInput<'_>) -> Imported {
        let mut report = self.report;
        let (merge_tags, mapping) = self.converter.finish();
        report.merge_tags = merge_tags;
        report.mapping = mapping;
        let mut document = empty_document(document_name(input, self.title.as_deref()));
        document.subject = self.subject;
        document.preheader = self.preheader;
        document.settings = self.settings;
        document.blocks = self.blocks;
        Imported { document, report }
    }

    /// A new block of `block_type` with these fields and a fresh id (`text-1`, `text-2`, ...).
    pub(crate) fn block(&mut self, block_type: &str, fields: Map<String, Value>) -> BlockInstance {
        let n = self.next_id.entry(block_type.to_owned()).or_insert(0);
        *n += 1;
        BlockInstance {
            id: format!("{block_type}-{n}"),
            block_type: block_type.to_owned(),
            fields,
            show_if: None,
            hide_if: None,
            requires: Vec::new(),
            fallback: Fallback::Hide,
            slots: BTreeMap::new(),
            device: Device::default(),
            dark: None,
            live: None,
        }
    }

    /// Text with its merge syntax converted.
    pub(crate) fn text(&mut self, text: &str) -> String {
        self.converter.convert(text)
    }

    /// Rich text: cleaned to the engine's subset, merge syntax converted.
    pub(crate) fn rich_text(&mut self, html: &str) -> String {
        let clean = sanitize(html, Policy::RichText);
        self.converter.convert(clean.trim())
    }

    /// An HTML block: `css` inlined, sanitized to what email clients accept, merge syntax converted.
    pub(crate) fn html_block(&mut self, markup: &str, css: &str, line: usize) -> BlockInstance {
        let inlined = self.inline_styles(markup, css, line);
        let clean = sanitize(&inlined, Policy::EmailHtml);
        let markup = self.converter.convert(clean.trim());
        let mut fields = Map::new();
        fields.insert("markup".to_owned(), Value::String(markup));
        self.block("html", fields)
    }

    /// An HTML block whose markup comes later ([`Self::fill_html_block`]): its id is taken now, in
    /// document order, with [`Self::merge_mark`] for its merge tags' place in the report.
    pub(crate) fn pending_html_block(&mut self) -> (BlockInstance, usize) {
        let mut fields = Map::new();
        fields.insert("markup".to_owned(), Value::String(String::new()));
        (self.block("html", fields), self.converter.mark())
    }

    /// Gives the pending HTML block `id` its markup (styles inlined already): sanitized, merge
    /// syntax converted as if at `mark`. Fill pending blocks last-first.
    pub(crate) fn fill_html_block(&mut self, id: &str, inlined: &str, mark: usize) {
        let clean = sanitize(inlined, Policy::EmailHtml);
        let markup = self.converter.convert_at(mark, clean.trim());
        if let Some(block) = find_block_mut(&mut self.blocks, id) {
            block.fields.insert("markup".to_owned(), Value::String(markup));
        }
    }

    /// Takes the block `id` out of the document (a pending part that could not be rendered).
    pub(crate) fn remove_block(&mut self, id: &str) {
        remove_block(&mut self.blocks, id);
    }

    /// `markup` with `css` inlined (at-rules left out); as written, with a warning, when it fails.
    pub(crate) fn inline_styles(&mut self, markup: &str, css: &str, line: usize) -> String {
        let css = without_at_rules(css);
        if css.trim().is_empty() {
            return markup.to_owned();
        }
        match css_inline::CSSInliner::options()
            .load_remote_stylesheets(false)
            .keep_style_tags(false)
            .keep_link_tags(false)
            .build()
            .inline_fragment(markup, &css)
        {
            Ok(html) => html,
            Err(e) => {
                self.report.warn(
                    line,
                    format!("styles could not be inlined into this part ({e}); kept as written"),
                );
                markup.to_owned()
            }
        }
    }
}

/// The block `id` anywhere in `blocks` (slots included).
fn find_block_mut<'b>(blocks: &'b mut [BlockInstance], id: &str) -> Option<&'b mut BlockInstance> {
    for block in blocks {
        if block.id == id {
            return Some(block);
        }
        for children in block.slots.values_mut() {
            if let Some(found) = find_block_mut(children, id) {
                return Some(found);
            }
        }
    }
    None
}

fn remove_block(blocks: &mut Vec<BlockInstance>, id: &str) {
    blocks.retain(|b| b.id != id);
    for block in blocks {
        for children in block.slots.values_mut() {
            remove_block(children, id);
        }
    }
}

/// The style rules of a style sheet without its at-rules (`@media`, `@font-face`, `@import`, ...):
/// those cannot be inlined, and parsing them for every block would only cost time.
#[must_use]
pub(crate) fn without_at_rules(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(at) = rest.find('@') {
        out.push_str(&rest[..at]);
        let after = &rest[at..];
        let brace = after.find('{');
        let semi = after.find(';');
        match (brace, semi) {
            (Some(b), Some(s)) if s < b => rest = &after[s + 1..],
            (None, Some(s)) => rest = &after[s + 1..],
            (Some(b), _) => {
                let mut depth = 0usize;
                let mut end = after.len();
                for (i, c) in after[b..].char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' => {
                            depth = depth.saturating_sub(1);
                            if depth == 0 {
                                end = b + i + 1;
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                rest = &after[end..];
            }
            (None, None) => rest = "",
        }
    }
    out.push_str(rest);
    out
}

/// A colour email settings and colour fields accept (`#rgb`, `#rrggbb`, `transparent`), lowercased;
/// the common named colours too.
#[must_use]
pub(crate) fn colour(value: &str) -> Option<String> {
    let v = value.trim().to_ascii_lowercase();
    let named = match v.as_str() {
        "white" => Some("#ffffff"),
        "black" => Some("#000000"),
        "transparent" => Some("transparent"),
        _ => None,
    };
    if let Some(n) = named {
        return Some(n.to_owned());
    }
    let hex = v.strip_prefix('#')?;
    (matches!(hex.len(), 3 | 6) && hex.chars().all(|c| c.is_ascii_hexdigit())).then_some(v)
}

/// A length in pixels: `600`, `600px`, `16.5px`.
#[must_use]
pub(crate) fn px(value: &str) -> Option<f64> {
    let v = value.trim();
    let v = v.strip_suffix("px").unwrap_or(v).trim();
    v.parse::<f64>().ok().filter(|n| n.is_finite())
}

/// A declaration's value in an inline style, last one winning.
#[must_use]
pub(crate) fn style_value<'s>(style: &'s str, property: &str) -> Option<&'s str> {
    style
        .split(';')
        .filter_map(|d| d.split_once(':'))
        .filter(|(p, _)| p.trim().eq_ignore_ascii_case(property))
        .map(|(_, v)| v.trim().trim_end_matches("!important").trim())
        .next_back()
}

/// A whole number within `min..=max`.
#[must_use]
pub(crate) fn number(value: f64, min: f64, max: f64) -> Value {
    #[allow(clippy::cast_possible_truncation, reason = "clamped to a small range first")]
    let n = value.round().clamp(min, max) as i64;
    Value::from(n)
}

/// An alignment the blocks accept.
#[must_use]
pub(crate) fn align(value: &str) -> Option<&'static str> {
    match value.trim().to_ascii_lowercase().as_str() {
        "left" => Some("left"),
        "center" | "middle" => Some("center"),
        "right" => Some("right"),
        _ => None,
    }
}

/// The first padding length of a `padding` shorthand's left side (`10px 25px` → 25).
#[must_use]
pub(crate) fn padding_left(value: &str) -> Option<f64> {
    let parts: Vec<&str> = value.split_whitespace().collect();
    let left = match parts.as_slice() {
        [all] => *all,
        [_, lr] | [_, lr, _] => *lr,
        [_, _, _, l] => *l,
        _ => return None,
    };
    px(left)
}

/// Fields from `(name, value)` pairs.
pub(crate) fn fields<const N: usize>(pairs: [(&str, Option<Value>); N]) -> Map<String, Value> {
    pairs
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k.to_owned(), v)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_rules_are_left_out_of_inlining() {
        let css = "p{margin:0}@media (max-width:480px){.a{b:c}.d{e:f}}@import url(x.css);td{color:red}";
        assert_eq!(without_at_rules(css), "p{margin:0}td{color:red}");
        assert_eq!(colour("#ABC").as_deref(), Some("#abc"));
        assert_eq!(px("600px"), Some(600.0));
        assert_eq!(padding_left("10px 25px"), Some(25.0));
        assert_eq!(style_value("color:red; COLOR: blue !important", "color"), Some("blue"));
    }
}
