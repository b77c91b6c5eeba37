//! The AMP template of an ESP export (`template.amp.html`): the AMP for Email part of the email in
//! the ESP's own language, for the ESPs that accept an AMP part ([`accepts_amp`]).
//!
//! The AMP part's plan (`crate::amp::plan`: the email's markup rewritten once as AMP markup, with
//! its placeholders, conditions, loops and block gates kept as nodes) is turned back into plan
//! parts ([`AmpShape`]) and translated by the target's own walk, after its HTML and text parts and
//! in the same walk: every placeholder becomes the ESP's syntax exactly as in `template.html`
//! (same fields, fallbacks, derived fields and flags), and one manifest serves both files.
//!
//! - A live block becomes `<amp-list src=FEED>` holding the block's `<template type="amp-mustache">`
//!   and its send-time markup twice (`placeholder`, `fallback`), as Tessera's own AMP render writes
//!   it. The template is literal text for the ESP, so the ESP's neutralizing of literal text keeps
//!   every Mustache tag inert (`{{ "{" }}` in Liquid, `\{{` in Handlebars).
//! - FEED is read from the recipient's data: the field `tessera_live.<block>` ([`live_field`])
//!   holds the block's signed feed URL (a token per recipient, email and block, which only Tessera
//!   can sign). A recipient without it gets the block's send-time markup, as Tessera's own render
//!   does for a recipient it cannot sign for.
//! - A start tag whose AMP form depends on a value is written for an absolute URL: `<img>` as
//!   `<amp-img>` with the markup's width and height; a value in a `style` attribute or in an
//!   image's size cannot be carried (the AMP template is then refused, the HTML template stays).

use crate::amp::markup::{self, Attr};
use crate::amp::plan::{ANode, APart, ATag};
use crate::amp::LiveTemplate;
use crate::lang::{Cond, DataPath, Format, Operand, Placeholder};
use crate::plan::{Escape, PNode, Part, Tables};

use super::{ExportError, ExportInput, Refusal, Target};

/// File name of the AMP template in an export folder.
pub const AMP_FILE: &str = "template.amp.html";

/// The data object holding each live block's signed feed URL (`tessera_live.<block>`).
pub const LIVE_ROOT: &str = "tessera_live";

/// Whether the export of `target` carries an AMP template: SendGrid (the v3 API's
/// `text/x-amp-html` content) and Braze (AMP through its SendGrid or `SparkPost` integration).
/// Mailchimp and `HubSpot` send no AMP part; Klaviyo (after approval) and Salesforce Marketing
/// Cloud (whose Guide Template Language reads `{{ }}` too) are not built yet.
#[must_use]
pub fn accepts_amp(target: Target) -> bool {
    matches!(target, Target::Sendgrid | Target::Braze)
}

/// The data field holding a live block's feed URL: `tessera_live.<block>`, the block id with every
/// character other than `A-Z a-z 0-9 _` written `_` (`cart-items` → `tessera_live.cart_items`).
#[must_use]
pub fn live_field(block: &str) -> String {
    let slug: String = block
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '_' })
        .collect();
    format!("{LIVE_ROOT}.{slug}")
}

/// The AMP part as plan parts a target's walk translates: the skeleton's head (with the AMP head
/// written in), each top-level block with its tables (a live block's feed URL and its presence
/// added), the tail.
#[derive(Debug, Clone)]
pub struct AmpShape {
    /// Before the blocks.
    pub head: Part,
    /// Each top-level block and its tables.
    pub blocks: Vec<(Part, Tables)>,
    /// After the blocks.
    pub tail: Part,
}

/// Makes the AMP shape of the email of `input`, its live blocks those of `input.live`.
///
/// # Errors
/// The style sheet is over AMP's limit, the markup cannot be planned, two live blocks share a data
/// field, a live block's template cannot be made, or a tag's AMP form depends on a value it
/// cannot carry (naming the block and the tag).
pub(crate) fn shape(input: &ExportInput<'_>, target: Target) -> Result<AmpShape, ExportError> {
    let compiled = input.compiled;
    let (parts, head) = crate::amp::template_parts(compiled, !input.live.is_empty())
        .map_err(|e| ExportError::Amp(e.to_string()))?
        .ok_or_else(|| {
            ExportError::Amp(
                "the email's markup cannot be written as an AMP template (a branch opens an element it does not close)"
                    .to_owned(),
            )
        })?;
    let mut fields: Vec<String> = Vec::new();
    for block in input.live {
        let field = live_field(&block.id);
        if fields.contains(&field) {
            return Err(ExportError::Amp(format!(
                "two live blocks would read their feed URL from {field}; rename block \"{}\"",
                block.id
            )));
        }
        fields.push(field);
    }
    let refuse = |block: &str, tag: &ATag, reason: &str| ExportError::Unsupported {
        target: target.name(),
        block: block.to_owned(),
        expression: format!("<{}>", tag.name),
        reason: Refusal::AmpMarkup(reason.to_owned()),
    };
    let head_part = convert(&parts.head, Some(&head)).map_err(|(tag, why)| refuse("layout", &tag, why))?;
    let tail_part = convert(&parts.tail, None).map_err(|(tag, why)| refuse("layout", &tag, why))?;
    let mut blocks = Vec::with_capacity(compiled.blocks.len());
    for (fragment, part) in compiled.blocks.iter().zip(&parts.blocks) {
        let id = fragment.instance_id.as_str();
        let mut converted = convert(part, None).map_err(|(tag, why)| refuse(id, &tag, why))?;
        let mut tables = fragment.tables.clone();
        if input.live.iter().any(|b| b.id == id) {
            let template = LiveTemplate::new(compiled, input.dictionary, input.email, id)
                .map_err(|e| ExportError::Amp(e.to_string()))?
                .template;
            live_list(&mut converted, &mut tables, &live_field(id), &template)?;
        }
        blocks.push((converted, tables));
    }
    Ok(AmpShape {
        head: head_part,
        blocks,
        tail: tail_part,
    })
}

/// Wraps a live block's nodes in `amp-list` over the feed URL field, when the recipient has one.
/// A block shown only when its gates hold (and hidden otherwise) gets the list inside its gate,
/// since Tessera renders a block hidden at send time static.
fn live_list(part: &mut Part, tables: &mut Tables, field: &str, template: &str) -> Result<(), ExportError> {
    let index = |n: usize| u32::try_from(n).map_err(|_| ExportError::Amp("too many placeholders".to_owned()));
    let url = index(tables.placeholders.len())?;
    tables.placeholders.push(Placeholder {
        value: Operand::Path(DataPath::absolute(field)),
        format: Format::Plain,
        fallback: None,
        dictionary_default: None,
        field: Some(field.to_owned()),
        source: format!("{{{{{field}}}}}"),
    });
    let present = index(tables.conds.len())?;
    tables
        .conds
        .push(Cond::Truthy(Operand::Path(DataPath::absolute(field))));

    let mut lits = std::mem::take(&mut part.lits);
    let mut lit = |text: &str| {
        let start = u32::try_from(lits.len()).unwrap_or(u32::MAX);
        lits.push_str(text);
        PNode::Lit(start, u32::try_from(lits.len()).unwrap_or(u32::MAX))
    };
    let open = lit("<amp-list layout=\"container\" src=\"");
    let template = lit(&format!(
        "\"><template type=\"amp-mustache\">{template}</template><div placeholder>"
    ));
    let middle = lit("</div><div fallback>");
    let close = lit("</div></amp-list>");
    let wrap = |inner: Vec<PNode>| {
        let mut amp_list = vec![open.clone(), PNode::Value(url, Escape::UrlStart), template.clone()];
        amp_list.extend(inner.iter().cloned());
        amp_list.push(middle.clone());
        amp_list.extend(inner.iter().cloned());
        amp_list.push(close.clone());
        vec![PNode::If(present, amp_list, inner)]
    };
    let gated = single_hidden_gate(&part.nodes, &lits);
    part.nodes = match gated {
        Some(at) => {
            let mut nodes = std::mem::take(&mut part.nodes);
            if let Some(PNode::Block(_, body, _)) = nodes.get_mut(at) {
                let inner = std::mem::take(body);
                *body = wrap(inner);
            }
            nodes
        }
        None => wrap(std::mem::take(&mut part.nodes)),
    };
    part.lits = lits;
    Ok(())
}

fn lits_blank(lits: &str, start: u32, end: u32) -> bool {
    lits.get(start as usize..end as usize)
        .is_some_and(|t| t.trim().is_empty())
}

/// The position of the part's one gated block without a fallback, when everything else is blank
/// text: hidden at send time, that block leaves no markup.
fn single_hidden_gate(nodes: &[PNode], lits: &str) -> Option<usize> {
    let mut found = None;
    for (i, node) in nodes.iter().enumerate() {
        match node {
            PNode::Lit(s, e) if lits_blank(lits, *s, *e) => {}
            PNode::Block(_, _, otherwise) if otherwise.is_empty() && found.is_none() => found = Some(i),
            _ => return None,
        }
    }
    found
}

/// A tag the AMP template cannot carry, and why.
type TagRefusal = (ATag, &'static str);

/// An AMP plan part as a plan part: values keep their escape, literals of dynamic tags' attributes
/// are escaped again, the AMP head written in place of [`markup::HEAD_SLOT`].
fn convert(part: &APart, head: Option<&str>) -> Result<Part, TagRefusal> {
    let mut builder = Builder {
        src: &part.lits,
        lits: String::with_capacity(part.lits.len() + head.map_or(0, str::len)),
        head,
    };
    let nodes = builder.nodes(&part.nodes, false)?;
    Ok(Part {
        lits: builder.lits,
        nodes,
    })
}

struct Builder<'a> {
    src: &'a str,
    lits: String,
    head: Option<&'a str>,
}

impl Builder<'_> {
    fn lit(&mut self, text: &str) -> Option<PNode> {
        if text.is_empty() {
            return None;
        }
        let start = u32::try_from(self.lits.len()).ok()?;
        match self.head {
            Some(head) if text.contains(markup::HEAD_SLOT) => {
                self.lits.push_str(&text.replacen(markup::HEAD_SLOT, head, 1));
            }
            _ => self.lits.push_str(text),
        }
        Some(PNode::Lit(start, u32::try_from(self.lits.len()).ok()?))
    }

    fn text(&self, start: u32, end: u32) -> &str {
        self.src.get(start as usize..end as usize).unwrap_or("")
    }

    /// `escape`: the nodes are an attribute value of a dynamic tag, whose literals are decoded.
    fn nodes(&mut self, nodes: &[ANode], escape: bool) -> Result<Vec<PNode>, TagRefusal> {
        let mut out = Vec::with_capacity(nodes.len());
        for node in nodes {
            match node {
                ANode::Lit(s, e) => {
                    let text = self.text(*s, *e).to_owned();
                    let node = if escape {
                        let mut escaped = String::with_capacity(text.len());
                        markup::push_escaped(&mut escaped, &text);
                        self.lit(&escaped)
                    } else {
                        self.lit(&text)
                    };
                    out.extend(node);
                }
                ANode::Value { index, escape: e, .. } => out.push(PNode::Value(*index, *e)),
                ANode::If(i, a, b) => out.push(PNode::If(*i, self.nodes(a, escape)?, self.nodes(b, escape)?)),
                ANode::Each(i, a, b) => out.push(PNode::Each(*i, self.nodes(a, escape)?, self.nodes(b, escape)?)),
                ANode::Block(i, a, b) => out.push(PNode::Block(*i, self.nodes(a, escape)?, self.nodes(b, escape)?)),
                ANode::Tag(tag) => out.extend(self.tag(tag)?),
                ANode::Square => {}
            }
        }
        Ok(out)
    }

    /// The attribute's value when it is literal text (decoded).
    fn literal(&self, nodes: &[ANode]) -> Option<String> {
        let mut text = String::new();
        for node in nodes {
            let ANode::Lit(s, e) = node else { return None };
            text.push_str(self.text(*s, *e));
        }
        Some(text)
    }

    fn tag(&mut self, tag: &ATag) -> Result<Vec<PNode>, TagRefusal> {
        let literals: Vec<Option<String>> = tag.attrs.iter().map(|(_, _, v)| self.literal(v)).collect();
        if literals.iter().all(Option::is_some) {
            // Known now: written by the rewrite's own functions.
            let attrs: Vec<Attr<'_>> = tag
                .attrs
                .iter()
                .zip(&literals)
                .map(|((name, prefixed, _), value)| Attr {
                    name,
                    prefixed: *prefixed,
                    value: value.as_deref().unwrap_or(""),
                })
                .collect();
            let mut html = String::new();
            if tag.name == "img" {
                markup::write_image(&mut html, &attrs);
            } else {
                markup::write_start(&mut html, &tag.name, &attrs);
            }
            return Ok(self.lit(&html).into_iter().collect());
        }
        let mut out = Vec::new();
        let find = |key: &str| tag.attrs.iter().position(|(name, _, _)| name == key);
        if tag.name == "img" {
            let size = |key: &str| match find(key) {
                None => Ok(None),
                Some(i) => match literals.get(i).cloned().flatten() {
                    Some(v) => Ok(v.trim().trim_end_matches("px").parse::<u32>().ok().filter(|n| *n > 0)),
                    None => Err((tag.clone(), "an image's width or height depends on a value")),
                },
            };
            let width = size("width")?.unwrap_or(600);
            let height = size("height")?;
            if let Some(Some(src)) = find("src").map(|i| literals.get(i).cloned().flatten()) {
                if !markup::is_absolute_link(&src) {
                    // Left out for every recipient, as the rewrite does.
                    return Ok(out);
                }
            }
            out.extend(self.lit("<amp-img"));
            for key in ["src", "alt", "class"] {
                if let Some(i) = find(key) {
                    let value = tag.attrs.get(i).map_or(&[][..], |(_, _, v)| v.as_slice());
                    out.extend(self.attr(key, value, literals.get(i).cloned().flatten())?);
                }
            }
            let mut rest = format!(
                " width=\"{width}\" height=\"{}\" layout=\"responsive\"",
                height.unwrap_or(width)
            );
            if height.is_none() {
                rest.push_str(" style=\"object-fit:contain\"");
            }
            rest.push_str("></amp-img>");
            out.extend(self.lit(&rest));
            return Ok(out);
        }
        out.extend(self.lit(&format!("<{}", tag.name)));
        for ((name, prefixed, value), literal) in tag.attrs.iter().zip(&literals) {
            if literal.is_none() && name == "style" {
                return Err((tag.clone(), "a value in a style attribute is filtered per recipient"));
            }
            if literal.is_none() && (name.starts_with("on") || name.starts_with("xmlns") || *prefixed) {
                continue;
            }
            match literal {
                Some(text) => {
                    let mut html = String::new();
                    let attr = Attr {
                        name,
                        prefixed: *prefixed,
                        value: text,
                    };
                    markup::write_start(&mut html, "", std::slice::from_ref(&attr));
                    let inner = html.strip_prefix('<').and_then(|h| h.strip_suffix('>')).unwrap_or("");
                    out.extend(self.lit(inner));
                }
                None => out.extend(self.attr(name, value, None)?),
            }
        }
        out.extend(self.lit(">"));
        Ok(out)
    }

    /// ` key="value"`, the value literal or translated.
    fn attr(&mut self, key: &str, value: &[ANode], literal: Option<String>) -> Result<Vec<PNode>, TagRefusal> {
        let mut out = Vec::new();
        if let Some(text) = literal {
            let mut html = format!(" {key}=\"");
            markup::push_escaped(&mut html, &text);
            html.push('"');
            out.extend(self.lit(&html));
            return Ok(out);
        }
        out.extend(self.lit(&format!(" {key}=\"")));
        out.extend(self.nodes(value, true)?);
        out.extend(self.lit("\""));
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn live_fields_are_slugged_block_ids() {
        assert_eq!(live_field("cart-items"), "tessera_live.cart_items");
        assert_eq!(live_field("vip_offer2"), "tessera_live.vip_offer2");
        assert!(accepts_amp(Target::Sendgrid) && accepts_amp(Target::Braze));
        assert!(!accepts_amp(Target::Mailchimp) && !accepts_amp(Target::Klaviyo) && !accepts_amp(Target::Hubl));
    }
}
