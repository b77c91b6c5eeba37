//! The HTML path: html5ever parses the email (any HTML parses, as a browser would); the layout
//! wrappers around the content are followed down to the top-level rows, and each row becomes a
//! block: a single image, a button-like link cell, a text cell, a divider, a spacer, two cells side
//! by side as columns, or else an HTML block holding the row's markup.

use serde_json::Value;
use tessera_core::model::BlockInstance;
use tessera_core::sanitize::is_safe_url;

use crate::blocks::{align, colour, fields, number, padding_left, px, style_value, Context};
use crate::depth::first_too_deep;
use crate::dom::{Dom, Kind, NodeId};
use crate::error::{line_of, ImportError};
use crate::report::{Destination, RemovedEntry};
use crate::MAX_SOURCE_DEPTH;

/// Elements whose only job is layout: with a single child, the content is further in.
const WRAPPERS: &[&str] = &[
    "table", "tbody", "thead", "tr", "td", "th", "center", "div", "section", "main", "article", "body", "span",
    "header", "footer", "aside", "nav",
];
/// Markup a text cell may hold and still be a text block.
const TEXT_TAGS: &[&str] = &[
    "p",
    "br",
    "b",
    "strong",
    "i",
    "em",
    "u",
    "s",
    "a",
    "ul",
    "ol",
    "li",
    "span",
    "sup",
    "sub",
    "small",
    "blockquote",
    "h1",
    "h2",
    "h3",
    "h4",
    "font",
    "div",
];

/// Imports an HTML email into `ctx`.
///
/// # Errors
/// [`ImportError::TooDeep`] when the markup nests past [`MAX_SOURCE_DEPTH`];
/// [`ImportError::NotAnEmail`] when it has no content at all.
pub(crate) fn import(ctx: &mut Context<'_>, source: &str) -> Result<(), ImportError> {
    if let Some(at) = first_too_deep(source, MAX_SOURCE_DEPTH) {
        return Err(ImportError::TooDeep {
            file: ctx.report.file.clone(),
            line: line_of(source, at),
            limit: MAX_SOURCE_DEPTH,
        });
    }
    let dom = parse_reporting(ctx, source);
    let css = collect_css(&dom, ctx);
    let Some(body) = dom.find(0, "body") else {
        return Err(ImportError::NotAnEmail {
            file: ctx.report.file.clone(),
            reason: "no <body>".to_owned(),
        });
    };
    if let Some(title) = dom.find(0, "title") {
        let t = dom.text(title);
        if !t.is_empty() {
            ctx.subject = ctx.text(&t);
            ctx.title = Some(t);
            ctx.report.element(
                "title",
                dom.line(title),
                Destination::Settings {
                    keys: vec!["subject".to_owned(), "name".to_owned()],
                },
            );
        }
    }
    body_settings(ctx, &dom, body);
    let mut skip = Vec::new();
    if let Some(pre) = preheader(&dom, body) {
        ctx.preheader = ctx.text(&dom.text(pre));
        ctx.report.element(
            dom.tag(pre),
            dom.line(pre),
            Destination::Settings {
                keys: vec!["preheader".to_owned()],
            },
        );
        skip.push(pre);
    }
    let (container, rows) = content_rows(ctx, &dom, body, &skip);
    if rows.is_empty() && dom.text(body).is_empty() {
        return Err(ImportError::NotAnEmail {
            file: ctx.report.file.clone(),
            reason: "the <body> holds no content".to_owned(),
        });
    }
    let table_attrs = enclosing_table(&dom, container);
    for row in rows {
        let blocks = row_blocks(ctx, &dom, row, &css, &table_attrs);
        ctx.blocks.extend(blocks);
    }
    Ok(())
}

/// Parses, lists the parser's complaints and the dangerous parts the sanitizer will remove.
pub(crate) fn parse_reporting(ctx: &mut Context<'_>, source: &str) -> Dom {
    let dom = crate::dom::parse(source);
    for (line, message) in &dom.errors {
        ctx.report.warn(*line, format!("malformed HTML: {message}"));
    }
    if dom.flattened > 0 {
        ctx.report.warn(
            0,
            format!(
                "{} elements nested deeper than {} levels were attached at that depth",
                dom.flattened,
                crate::MAX_DEPTH
            ),
        );
    }
    list_dangerous(ctx, &dom);
    dom
}

fn list_dangerous(ctx: &mut Context<'_>, dom: &Dom) {
    for id in dom.descendants(0) {
        let tag = dom.tag(id);
        let line = dom.line(id);
        if matches!(
            tag,
            "script" | "iframe" | "object" | "embed" | "applet" | "frame" | "frameset" | "form"
        ) {
            ctx.report.removed.push(RemovedEntry {
                line,
                what: format!("<{tag}> with its content"),
            });
        }
        if let Some(Kind::Element { attrs }) = dom.nodes.get(id).map(|n| &n.kind) {
            for (name, value) in attrs {
                let unsafe_url =
                    matches!(name.as_str(), "href" | "src" | "background" | "action") && !is_safe_url(value);
                if name.starts_with("on") {
                    ctx.report.removed.push(RemovedEntry {
                        line,
                        what: format!("{name} on <{tag}>"),
                    });
                } else if unsafe_url {
                    ctx.report.removed.push(RemovedEntry {
                        line,
                        what: format!("{name}=\"{}\" on <{tag}>", value.chars().take(60).collect::<String>()),
                    });
                }
            }
        }
    }
}

/// Every `<style>`'s text; `@media` rules cannot follow blocks inlined one by one and are listed.
fn collect_css(dom: &Dom, ctx: &mut Context<'_>) -> String {
    let mut css = String::new();
    for id in dom.descendants(0) {
        if dom.tag(id) == "style" {
            let text: String = dom
                .children(id)
                .iter()
                .filter_map(|&c| match dom.nodes.get(c).map(|n| &n.kind) {
                    Some(Kind::Text(t)) => Some(t.as_str()),
                    _ => None,
                })
                .collect();
            let media = text.matches("@media").count();
            let went_to = if media > 0 {
                Destination::Dropped {
                    reason: format!(
                        "its rules are inlined into the blocks; its {media} @media rule(s) are not kept (Tessera's blocks carry their own responsive rules)"
                    ),
                }
            } else {
                Destination::Dropped {
                    reason: "its rules are inlined into the blocks".to_owned(),
                }
            };
            ctx.report.element("style", dom.line(id), went_to);
            css.push_str(&text);
            css.push('\n');
        }
    }
    css
}

fn body_settings(ctx: &mut Context<'_>, dom: &Dom, body: NodeId) {
    let style = dom.attr(body, "style").unwrap_or_default();
    let bg = dom
        .attr(body, "bgcolor")
        .or_else(|| style_value(style, "background-color"))
        .and_then(colour);
    let mut keys = Vec::new();
    if let Some(bg) = bg {
        ctx.settings.insert("background_color".to_owned(), Value::String(bg));
        keys.push("background_color".to_owned());
    }
    ctx.report.element(
        "body",
        dom.line(body),
        if keys.is_empty() {
            Destination::Wrapper
        } else {
            Destination::Settings { keys }
        },
    );
}

/// A hidden element near the top of the body that holds only text: the preview text.
fn preheader(dom: &Dom, body: NodeId) -> Option<NodeId> {
    dom.descendants(body).into_iter().take(40).find(|&id| {
        let style: String = dom
            .attr(id, "style")
            .unwrap_or_default()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_lowercase();
        dom.is_element(id)
            && (style.contains("display:none") || style.contains("max-height:0"))
            && dom.element_children(id).0.is_empty()
            && !dom.text(id).is_empty()
    })
}

/// Follows single-child layout wrappers from the body to the element whose children are the rows.
fn content_rows(ctx: &mut Context<'_>, dom: &Dom, body: NodeId, skip: &[NodeId]) -> (NodeId, Vec<NodeId>) {
    let mut node = body;
    loop {
        let (children, text) = dom.element_children(node);
        let children: Vec<NodeId> = children
            .into_iter()
            .filter(|c| !skip.contains(c) && !matches!(dom.tag(*c), "style" | "script" | "meta" | "link" | "title"))
            .collect();
        let rows: Vec<NodeId> = children
            .iter()
            .flat_map(|&c| match dom.tag(c) {
                "tbody" | "thead" | "tfoot" => dom.element_children(c).0,
                _ => vec![c],
            })
            .collect();
        let text = text && !only_esp_code(ctx, dom, node);
        if text || rows.len() != 1 {
            list_comments(ctx, dom, node);
            return (node, rows);
        }
        let only = rows.first().copied().unwrap_or(node);
        if !WRAPPERS.contains(&dom.tag(only)) || !row_is_wrapper(dom, only) {
            list_comments(ctx, dom, node);
            return (node, rows);
        }
        wrapper_settings(ctx, dom, only);
        node = only;
    }
}

/// A wrapper is followed only if it has more than one content row further in (a lone text cell
/// is a row itself).
fn row_is_wrapper(dom: &Dom, id: NodeId) -> bool {
    let (children, text) = dom.element_children(id);
    !text
        && !children.is_empty()
        && children
            .iter()
            .all(|&c| WRAPPERS.contains(&dom.tag(c)) || dom.tag(c) == "tbody")
}

fn wrapper_settings(ctx: &mut Context<'_>, dom: &Dom, id: NodeId) {
    let style = dom.attr(id, "style").unwrap_or_default();
    let mut keys = Vec::new();
    let width = dom
        .attr(id, "width")
        .and_then(px)
        .or_else(|| style_value(style, "max-width").and_then(px))
        .or_else(|| style_value(style, "width").and_then(px))
        .filter(|w| (200.0..=1200.0).contains(w));
    if let Some(w) = width {
        ctx.settings.insert("width".to_owned(), number(w, 200.0, 1200.0));
        keys.push("width".to_owned());
        let bg = dom
            .attr(id, "bgcolor")
            .or_else(|| style_value(style, "background-color"))
            .and_then(colour);
        if let Some(bg) = bg {
            ctx.settings
                .insert("content_background_color".to_owned(), Value::String(bg));
            keys.push("content_background_color".to_owned());
        }
    }
    let went_to = if keys.is_empty() {
        Destination::Wrapper
    } else {
        Destination::Settings { keys }
    };
    ctx.report.element(dom.tag(id), dom.line(id), went_to);
}

/// Text between layout elements that is only ESP code blocks (`AMPscript` `%%[ ... ]%%`, Liquid
/// `{% ... %}`): listed, and not a reason to stop following the wrappers.
fn only_esp_code(ctx: &mut Context<'_>, dom: &Dom, id: NodeId) -> bool {
    let mut texts = Vec::new();
    for &c in dom.children(id) {
        if let Some(Kind::Text(t)) = dom.nodes.get(c).map(|n| &n.kind) {
            if !t.trim().is_empty() {
                texts.push((c, t));
            }
        }
    }
    let is_code = |t: &str| {
        let mut rest = t.trim();
        while !rest.is_empty() {
            let (open, close) = if rest.starts_with("%%[") {
                ("%%[", "]%%")
            } else if rest.starts_with("{%") {
                ("{%", "%}")
            } else {
                return false;
            };
            let Some(end) = rest[open.len()..].find(close) else {
                return false;
            };
            rest = rest[open.len() + end + close.len()..].trim_start();
        }
        true
    };
    if texts.is_empty() || !texts.iter().all(|(_, t)| is_code(t)) {
        return false;
    }
    for (c, t) in texts {
        let converted = ctx.text(t.trim());
        let reason = if converted.trim().is_empty() {
            "ESP code between rows, read into the placeholders that use it".to_owned()
        } else {
            format!(
                "ESP code between rows, kept out of the blocks: {}",
                t.trim().chars().take(80).collect::<String>()
            )
        };
        ctx.report
            .element("(text)", dom.line(c), Destination::Dropped { reason });
    }
    true
}

fn list_comments(ctx: &mut Context<'_>, dom: &Dom, id: NodeId) {
    for &c in dom.children(id) {
        if let Some(Kind::Comment(text)) = dom.nodes.get(c).map(|n| &n.kind) {
            if text.trim_start().starts_with("[if") {
                ctx.report.element(
                    "<!--[if ...]-->",
                    dom.line(c),
                    Destination::Dropped {
                        reason: "an Outlook-only conditional comment between rows; Tessera's layout has its own"
                            .to_owned(),
                    },
                );
            }
        }
    }
}

/// The attributes of the table the rows sit in, for HTML blocks made of a single row.
fn enclosing_table(dom: &Dom, container: NodeId) -> String {
    let mut node = Some(container);
    while let Some(n) = node {
        if dom.tag(n) == "table" {
            let keep = [
                "width",
                "cellpadding",
                "cellspacing",
                "border",
                "bgcolor",
                "style",
                "align",
                "role",
            ];
            return keep
                .iter()
                .filter_map(|k| dom.attr(n, k).map(|v| format!(" {k}=\"{}\"", v.replace('"', "&quot;"))))
                .collect();
        }
        node = dom.nodes.get(n).and_then(|x| x.parent);
    }
    " role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\"".to_owned()
}

/// What a row holds.
struct Shape {
    images: Vec<NodeId>,
    links: Vec<NodeId>,
    tables: usize,
    hr: bool,
    other: bool,
    text: String,
}

fn shape(dom: &Dom, id: NodeId) -> Shape {
    let mut s = Shape {
        images: Vec::new(),
        links: Vec::new(),
        tables: 0,
        hr: false,
        other: false,
        text: dom.text(id),
    };
    for d in std::iter::once(id).chain(dom.descendants(id)) {
        match dom.tag(d) {
            "img" => s.images.push(d),
            "a" => s.links.push(d),
            "table" => s.tables += 1,
            "hr" => s.hr = true,
            "" | "tbody" | "tr" | "td" | "th" | "div" | "center" | "span" | "p" | "font" | "br" | "b" | "strong"
            | "i" | "em" | "u" | "h1" | "h2" | "h3" | "h4" | "ul" | "ol" | "li" | "small" | "sup" | "sub"
            | "blockquote" | "s" => {}
            _ => s.other = true,
        }
    }
    if id != 0 && dom.tag(id) == "table" {
        s.tables = s.tables.saturating_sub(1);
    }
    s
}

/// The innermost element holding all of `id`'s content (through single-child wrappers).
fn content_cell(dom: &Dom, mut id: NodeId) -> NodeId {
    loop {
        let (children, text) = dom.element_children(id);
        match children.as_slice() {
            [only]
                if !text
                    && matches!(
                        dom.tag(*only),
                        "table" | "tbody" | "tr" | "td" | "th" | "div" | "center"
                    ) =>
            {
                id = *only;
            }
            _ => return id,
        }
    }
}

/// The style of the element and its wrappers down to `cell`, nearest last.
fn styles_down_to(dom: &Dom, row: NodeId, cell: NodeId) -> String {
    let mut chain = Vec::new();
    let mut node = Some(cell);
    while let Some(n) = node {
        chain.push(n);
        if n == row {
            break;
        }
        node = dom.nodes.get(n).and_then(|x| x.parent);
    }
    chain
        .iter()
        .rev()
        .filter_map(|&n| dom.attr(n, "style"))
        .collect::<Vec<_>>()
        .join(";")
}

fn row_blocks(ctx: &mut Context<'_>, dom: &Dom, row: NodeId, css: &str, table_attrs: &str) -> Vec<BlockInstance> {
    if let Some(columns) = columns_block(ctx, dom, row, css) {
        return vec![columns];
    }
    match simple_block(ctx, dom, row) {
        Some((block, field)) => {
            ctx.report.element(
                dom.tag(row),
                dom.line(row),
                Destination::Block {
                    id: block.id.clone(),
                    block_type: block.block_type.clone(),
                },
            );
            part_of(ctx, dom, row, &block.id, field);
            vec![block]
        }
        None => vec![html_row(
            ctx,
            dom,
            row,
            css,
            table_attrs,
            "a mix of content no other block holds",
        )],
    }
}

fn part_of(ctx: &mut Context<'_>, dom: &Dom, row: NodeId, id: &str, field: &str) {
    for d in dom.descendants(row) {
        if dom.is_element(d) {
            ctx.report.element(
                dom.tag(d),
                dom.line(d),
                Destination::PartOf {
                    id: id.to_owned(),
                    field: field.to_owned(),
                },
            );
        }
    }
}

fn html_row(
    ctx: &mut Context<'_>,
    dom: &Dom,
    row: NodeId,
    css: &str,
    table_attrs: &str,
    reason: &str,
) -> BlockInstance {
    let markup = match dom.tag(row) {
        "tr" => format!("<table{table_attrs}><tbody>{}</tbody></table>", dom.outer_html(row)),
        "td" | "th" => format!(
            "<table{table_attrs}><tbody><tr>{}</tr></tbody></table>",
            dom.outer_html(row)
        ),
        _ => dom.outer_html(row),
    };
    let block = ctx.html_block(&markup, css, dom.line(row));
    let descendants = dom.descendants(row).into_iter().filter(|&d| dom.is_element(d)).count();
    ctx.report.element(
        dom.tag(row),
        dom.line(row),
        Destination::HtmlBlock {
            id: block.id.clone(),
            reason: reason.to_owned(),
            descendants,
        },
    );
    block
}

/// A row of exactly two cells, each an image, button or text: a columns block.
fn columns_block(ctx: &mut Context<'_>, dom: &Dom, row: NodeId, _css: &str) -> Option<BlockInstance> {
    let tr = if dom.tag(row) == "tr" {
        row
    } else {
        let cell = content_cell(dom, row);
        if dom.tag(cell) == "tr" {
            cell
        } else {
            let parent = dom.nodes.get(cell).and_then(|n| n.parent)?;
            (dom.tag(parent) == "tr" && cell != row).then_some(parent)?
        }
    };
    let (cells, text) = dom.element_children(tr);
    let [left, right] = cells.as_slice() else { return None };
    if text || !matches!(dom.tag(*left), "td" | "th") || !matches!(dom.tag(*right), "td" | "th") {
        return None;
    }
    // Both sides must map before anything is recorded.
    let probe = |c: NodeId| {
        let s = shape(dom, c);
        !s.other && s.tables == 0 && (!s.text.is_empty() || s.images.len() == 1)
    };
    if !probe(*left) || !probe(*right) {
        return None;
    }
    let (l_block, l_field) = simple_block(ctx, dom, *left)?;
    let (r_block, r_field) = simple_block(ctx, dom, *right)?;
    let width_of = |c: NodeId| {
        dom.attr(c, "width")
            .and_then(|w| w.trim().strip_suffix('%').and_then(|p| p.parse::<f64>().ok()))
    };
    let ratio = match width_of(*left) {
        Some(w) if w < 42.0 => "33-67",
        Some(w) if w > 58.0 => "67-33",
        _ => "50-50",
    };
    let mut block = ctx.block(
        "columns",
        fields([
            ("ratio", Some(Value::from(ratio))),
            ("padding", Some(Value::from(0))),
            ("gap", Some(Value::from("16"))),
        ]),
    );
    ctx.report.element(
        dom.tag(tr),
        dom.line(tr),
        Destination::Block {
            id: block.id.clone(),
            block_type: "columns".to_owned(),
        },
    );
    for (side, child, field, cell) in [("left", l_block, l_field, *left), ("right", r_block, r_field, *right)] {
        ctx.report.element(
            dom.tag(cell),
            dom.line(cell),
            Destination::Block {
                id: child.id.clone(),
                block_type: child.block_type.clone(),
            },
        );
        part_of(ctx, dom, cell, &child.id, field);
        block.slots.insert(side.to_owned(), vec![child]);
    }
    Some(block)
}

/// A single image, a button-like link, a divider, a spacer or a text cell; with the main field.
fn simple_block(ctx: &mut Context<'_>, dom: &Dom, row: NodeId) -> Option<(BlockInstance, &'static str)> {
    let s = shape(dom, row);
    if s.other || s.tables > 0 {
        return None;
    }
    let cell = content_cell(dom, row);
    let style = styles_down_to(dom, row, cell);
    if let ([img], true) = (s.images.as_slice(), s.text.is_empty()) {
        if s.links.len() > 1 {
            return None;
        }
        return Some((
            image_block(ctx, dom, *img, s.links.first().copied(), cell, &style),
            "src",
        ));
    }
    if !s.images.is_empty() {
        return None;
    }
    if s.text.is_empty() {
        if s.hr || style_value(&style, "border-top").is_some() {
            let colour_value = style_value(&style, "border-top")
                .and_then(|b| b.split_whitespace().find_map(colour))
                .map(Value::String);
            return Some((ctx.block("divider", fields([("color", colour_value)])), "color"));
        }
        let height = dom
            .attr(cell, "height")
            .and_then(px)
            .or_else(|| style_value(&style, "height").and_then(px))
            .or_else(|| style_value(&style, "line-height").and_then(px))?;
        return Some((
            ctx.block("spacer", fields([("height", Some(number(height, 4.0, 160.0)))])),
            "height",
        ));
    }
    if let [link] = s.links.as_slice() {
        if dom.text(*link) == s.text && is_button_like(dom, *link, &style) {
            return Some((button_block(ctx, dom, *link, cell, &style), "label"));
        }
    }
    let inline_only = dom
        .descendants(cell)
        .iter()
        .all(|&d| !dom.is_element(d) || TEXT_TAGS.contains(&dom.tag(d)));
    inline_only.then(|| (text_block(ctx, dom, cell, &style), "body"))
}

fn is_button_like(dom: &Dom, link: NodeId, cell_style: &str) -> bool {
    let own = dom.attr(link, "style").unwrap_or_default();
    let has_bg = |s: &str| {
        style_value(s, "background-color")
            .or_else(|| style_value(s, "background"))
            .is_some_and(|v| v.split_whitespace().any(|w| colour(w).is_some()))
    };
    has_bg(own) || has_bg(cell_style) || style_value(own, "padding").is_some() && style_value(own, "border").is_some()
}

fn image_block(
    ctx: &mut Context<'_>,
    dom: &Dom,
    img: NodeId,
    link: Option<NodeId>,
    cell: NodeId,
    style: &str,
) -> BlockInstance {
    let src = dom.attr(img, "src").unwrap_or_default();
    let img_style = dom.attr(img, "style").unwrap_or_default();
    let width = dom
        .attr(img, "width")
        .and_then(px)
        .or_else(|| style_value(img_style, "width").and_then(px))
        .or_else(|| style_value(img_style, "max-width").and_then(px));
    let alignment = dom
        .attr(cell, "align")
        .or_else(|| style_value(style, "text-align"))
        .and_then(align);
    let href = link.and_then(|l| dom.attr(l, "href")).filter(|h| is_safe_url(h));
    let src_value = is_safe_url(src).then(|| Value::String(ctx.text(src)));
    let alt = Value::String(ctx.text(dom.attr(img, "alt").unwrap_or_default()));
    let link_value = href.map(|h| Value::String(ctx.text(h)));
    let padding = style_value(style, "padding").and_then(padding_left);
    ctx.block(
        "image",
        fields([
            ("src", src_value),
            ("alt", Some(alt)),
            ("width", width.map(|w| number(w, 40.0, 1200.0))),
            ("align", alignment.map(Value::from)),
            ("link", link_value),
            ("padding", Some(number(padding.unwrap_or(0.0), 0.0, 64.0))),
        ]),
    )
}

fn button_block(ctx: &mut Context<'_>, dom: &Dom, link: NodeId, cell: NodeId, style: &str) -> BlockInstance {
    let own = dom.attr(link, "style").unwrap_or_default();
    let bg = style_value(own, "background-color")
        .or_else(|| style_value(style, "background-color"))
        .or_else(|| dom.attr(cell, "bgcolor"))
        .and_then(colour);
    let fg = style_value(own, "color").and_then(colour);
    let radius = style_value(own, "border-radius")
        .or_else(|| style_value(style, "border-radius"))
        .and_then(px);
    let alignment = dom
        .attr(cell, "align")
        .or_else(|| style_value(style, "text-align"))
        .and_then(align);
    let label = ctx.text(&dom.text(link));
    let url = dom
        .attr(link, "href")
        .filter(|h| is_safe_url(h))
        .map(|h| Value::String(ctx.text(h)));
    ctx.block(
        "button",
        fields([
            ("label", Some(Value::String(label))),
            ("url", url),
            ("background", bg.map(Value::String)),
            ("text_color", fg.map(Value::String)),
            ("radius", radius.map(|r| number(r, 0.0, 32.0))),
            ("align", alignment.map(Value::from)),
        ]),
    )
}

fn text_block(ctx: &mut Context<'_>, dom: &Dom, cell: NodeId, style: &str) -> BlockInstance {
    let (children, _) = dom.element_children(cell);
    let heading = children
        .first()
        .copied()
        .filter(|&h| matches!(dom.tag(h), "h1" | "h2" | "h3" | "h4"));
    let mut body = String::new();
    for &c in dom.children(cell) {
        if Some(c) != heading {
            body.push_str(&dom.outer_html(c));
        }
    }
    let heading_text = heading.map(|h| Value::String(ctx.text(&dom.text(h))));
    let body_text = ctx.rich_text(&body);
    let body_value = if body_text.contains('<') {
        body_text
    } else {
        format!("<p>{body_text}</p>")
    };
    let alignment = dom
        .attr(cell, "align")
        .or_else(|| style_value(style, "text-align"))
        .and_then(align);
    let size = style_value(style, "font-size").and_then(px);
    let padding = style_value(style, "padding").and_then(padding_left);
    let bg = dom
        .attr(cell, "bgcolor")
        .or_else(|| style_value(style, "background-color"))
        .and_then(colour);
    ctx.block(
        "text",
        fields([
            ("heading", heading_text),
            ("body", Some(Value::String(body_value))),
            ("align", alignment.map(Value::from)),
            ("font_size", size.map(|s| number(s, 12.0, 24.0))),
            ("padding", Some(number(padding.unwrap_or(0.0), 0.0, 64.0))),
            ("background", bg.map(Value::String)),
        ]),
    )
}
