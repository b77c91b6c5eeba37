//! The MJML path: the `mrml` crate parses; the structure maps to blocks (sections and columns to
//! columns, `mj-text` to text, `mj-image`, `mj-button`, `mj-divider`, `mj-spacer`, `mj-social`,
//! `mj-hero`), attribute values resolved as MJML does (the element, its `mj-class`, the
//! `mj-attributes` defaults for its tag, `mj-all`). What has no block becomes an HTML block holding
//! mrml's own rendering of it, with the head's styles inlined.

use std::collections::HashMap;

use mrml::comment::Comment;
use mrml::mj_body::{MjBody, MjBodyChild};
use mrml::mj_column::MjColumn;
use mrml::mj_head::{MjHead, MjHeadChild};
use mrml::mj_raw::{MjRaw, MjRawChild};
use mrml::mj_section::MjSection;
use mrml::mj_social::MjSocialChild;
use mrml::mjml::Mjml;
use mrml::prelude::print::Printable;
use mrml::prelude::render::RenderOptions;
use mrml::prelude::AttributeMap;
use serde_json::{Map, Value};
use tessera_core::model::BlockInstance;
use tessera_core::sanitize::is_safe_url;

use crate::blocks::{align, colour, fields, number, padding_left, px, Context};
use crate::depth::first_too_deep;
use crate::error::{line_of, ImportError};
use crate::report::Destination;
use crate::MAX_MJML_DEPTH;

/// Attribute defaults from `mj-attributes`.
#[derive(Default)]
struct Defaults {
    all: AttributeMap,
    classes: HashMap<String, AttributeMap>,
    elements: HashMap<String, AttributeMap>,
}

/// The walk's state: defaults, the head (for rendering parts), where each tag occurs, and the
/// parts waiting for their HTML.
struct Walk<'m> {
    defaults: Defaults,
    head: Option<&'m MjHead>,
    body_attributes: AttributeMap,
    lines: HashMap<String, (Vec<usize>, usize)>,
    pending: Vec<PendingPart>,
}

/// An element with no block: its HTML block exists (id taken in document order), its markup
/// comes from the one rendering of every such part ([`render_pending`]).
struct PendingPart {
    /// The HTML block's id.
    id: String,
    /// The element's tag and line, for the report.
    tag: &'static str,
    line: usize,
    /// The element as a section of its own, as mrml renders it.
    section: MjBodyChild,
    /// Where its merge tags go in the report's order.
    mark: usize,
}

impl Walk<'_> {
    /// The value of `key` on an element: its own, its `mj-class`, its tag's default, `mj-all`.
    fn attr<'v>(&'v self, tag: &str, attrs: &'v AttributeMap, key: &str) -> Option<&'v str> {
        if let Some(Some(v)) = attrs.get(key) {
            return Some(v);
        }
        if let Some(Some(classes)) = attrs.get("mj-class") {
            for class in classes.split_whitespace() {
                if let Some(Some(v)) = self.defaults.classes.get(class).and_then(|c| c.get(key)) {
                    return Some(v);
                }
            }
        }
        if let Some(Some(v)) = self.defaults.elements.get(tag).and_then(|e| e.get(key)) {
            return Some(v);
        }
        self.defaults.all.get(key).and_then(Option::as_deref)
    }

    /// The line of the next occurrence of `<tag` (elements are visited in source order).
    fn line(&mut self, tag: &str) -> usize {
        match self.lines.get_mut(tag) {
            Some((lines, next)) => {
                let line = lines.get(*next).copied().unwrap_or(0);
                *next += 1;
                line
            }
            None => 0,
        }
    }
}

fn tag_lines(source: &str) -> HashMap<String, (Vec<usize>, usize)> {
    let mut out: HashMap<String, (Vec<usize>, usize)> = HashMap::new();
    let mut line = 1;
    let bytes = source.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\n' {
            line += 1;
        } else if b == b'<' && bytes.get(i + 1..i + 4) == Some(b"mj-") {
            let name: String = source[i + 1..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                .collect();
            out.entry(name).or_default().0.push(line);
        }
    }
    out
}

/// Imports an MJML email into `ctx`.
///
/// # Errors
/// [`ImportError::Mjml`] with the line and mrml's reason when it does not parse,
/// [`ImportError::TooDeep`] past [`MAX_MJML_DEPTH`], [`ImportError::NotAnEmail`] without `mj-body`.
pub(crate) fn import(ctx: &mut Context<'_>, source: &str) -> Result<(), ImportError> {
    let file = ctx.report.file.clone();
    if let Some(at) = first_too_deep(source, MAX_MJML_DEPTH) {
        return Err(ImportError::TooDeep {
            file,
            line: line_of(source, at),
            limit: MAX_MJML_DEPTH,
        });
    }
    let parsed = mrml::parse(source).map_err(|e| mjml_error(&file, source, &e))?;
    for w in &parsed.warnings {
        ctx.report.warn(
            line_of(source, w.span.start),
            format!("MJML: {} attribute", w.kind.as_str()),
        );
    }
    let mjml = parsed.element;
    let Some(body) = mjml.body() else {
        return Err(ImportError::NotAnEmail {
            file,
            reason: "no <mj-body>".to_owned(),
        });
    };
    let mut walk = Walk {
        defaults: Defaults::default(),
        head: mjml.head(),
        body_attributes: body.attributes.clone(),
        lines: tag_lines(source),
        pending: Vec::new(),
    };
    if let Some(head) = mjml.head() {
        read_head(ctx, &mut walk, head);
    }
    let mut keys = Vec::new();
    if let Some(bg) = body
        .attributes
        .get("background-color")
        .and_then(|v| v.as_deref())
        .and_then(colour)
    {
        ctx.settings.insert("background_color".to_owned(), Value::String(bg));
        keys.push("background_color".to_owned());
    }
    if let Some(w) = body.attributes.get("width").and_then(|v| v.as_deref()).and_then(px) {
        ctx.settings.insert("width".to_owned(), number(w, 200.0, 1200.0));
        keys.push("width".to_owned());
    }
    let line = walk.line("mj-body");
    let went_to = if keys.is_empty() {
        Destination::Wrapper
    } else {
        Destination::Settings { keys }
    };
    ctx.report.element("mj-body", line, went_to);
    for child in &body.children {
        let blocks = top_level(ctx, &mut walk, child);
        ctx.blocks.extend(blocks);
    }
    render_pending(ctx, &mut walk, source);
    Ok(())
}

/// The whole email as mrml renders it (the original a visual comparison draws).
///
/// # Errors
/// [`ImportError::Mjml`] when it does not parse or render, [`ImportError::TooDeep`] past
/// [`MAX_MJML_DEPTH`].
pub(crate) fn render_whole(file: &str, source: &str) -> Result<String, ImportError> {
    if let Some(at) = first_too_deep(source, MAX_MJML_DEPTH) {
        return Err(ImportError::TooDeep {
            file: file.to_owned(),
            line: line_of(source, at),
            limit: MAX_MJML_DEPTH,
        });
    }
    let parsed = mrml::parse(source).map_err(|e| mjml_error(file, source, &e))?;
    parsed
        .element
        .render(&RenderOptions::default())
        .map_err(|e| ImportError::Mjml {
            file: file.to_owned(),
            line: 1,
            reason: format!("mrml could not render it: {e}"),
        })
}

fn mjml_error(file: &str, source: &str, e: &mrml::prelude::parser::Error) -> ImportError {
    use mrml::prelude::parser::Error as E;
    let at = match e {
        E::UnexpectedElement { position, .. }
        | E::UnexpectedToken { position, .. }
        | E::MissingAttribute { position, .. }
        | E::InvalidAttribute { position, .. }
        | E::InvalidFormat { position, .. } => Some(position.start),
        E::EndOfStream { .. } => Some(source.len()),
        _ => None,
    };
    ImportError::Mjml {
        file: file.to_owned(),
        line: at.map_or(1, |o| line_of(source, o)),
        reason: format!("not valid MJML: {e}"),
    }
}

fn read_head(ctx: &mut Context<'_>, walk: &mut Walk<'_>, head: &MjHead) {
    let line = walk.line("mj-head");
    ctx.report.element("mj-head", line, Destination::Wrapper);
    for child in &head.children {
        match child {
            MjHeadChild::MjTitle(t) => {
                let line = walk.line("mj-title");
                ctx.title = Some(t.children.trim().to_owned());
                ctx.subject = ctx.text(t.children.trim());
                ctx.report.element(
                    "mj-title",
                    line,
                    Destination::Settings {
                        keys: vec!["subject".to_owned(), "name".to_owned()],
                    },
                );
            }
            MjHeadChild::MjPreview(p) => {
                let line = walk.line("mj-preview");
                ctx.preheader = ctx.text(p.content().trim());
                ctx.report.element(
                    "mj-preview",
                    line,
                    Destination::Settings {
                        keys: vec!["preheader".to_owned()],
                    },
                );
            }
            MjHeadChild::MjAttributes(a) => {
                let line = walk.line("mj-attributes");
                ctx.report.element("mj-attributes", line, Destination::Wrapper);
                read_attributes(ctx, walk, a, line);
            }
            MjHeadChild::MjStyle(_) => {
                let line = walk.line("mj-style");
                ctx.report.element("mj-style", line, Destination::Dropped {
                    reason: "its rules are inlined into the HTML blocks mrml renders; mapped blocks use Tessera's styles".to_owned(),
                });
            }
            MjHeadChild::MjFont(_) => {
                let line = walk.line("mj-font");
                ctx.report.element(
                    "mj-font",
                    line,
                    Destination::Dropped {
                        reason: "web fonts are not loaded by Tessera's layout; the font stack is kept in settings"
                            .to_owned(),
                    },
                );
            }
            MjHeadChild::MjBreakpoint(_) => {
                let line = walk.line("mj-breakpoint");
                ctx.report.element(
                    "mj-breakpoint",
                    line,
                    Destination::Dropped {
                        reason: "Tessera's layout has its own breakpoint".to_owned(),
                    },
                );
            }
            MjHeadChild::MjRaw(_) => {
                let line = walk.line("mj-raw");
                ctx.report.element(
                    "mj-raw",
                    line,
                    Destination::Dropped {
                        reason: "raw head markup is not part of a block".to_owned(),
                    },
                );
            }
            MjHeadChild::MjInclude(_) => {
                let line = walk.line("mj-include");
                ctx.report.element(
                    "mj-include",
                    line,
                    Destination::Dropped {
                        reason: "includes are not read: import the file they name".to_owned(),
                    },
                );
            }
            MjHeadChild::Comment(_) => {}
        }
    }
}

fn read_attributes(ctx: &mut Context<'_>, walk: &mut Walk<'_>, a: &mrml::mj_attributes::MjAttributes, line: usize) {
    use mrml::mj_attributes::MjAttributesChild as A;
    for child in &a.children {
        match child {
            A::MjAttributesAll(all) => {
                walk.defaults
                    .all
                    .extend(all.attributes.iter().map(|(k, v)| (k.clone(), v.clone())));
                let l = walk.line("mj-all");
                let mut keys = vec!["(defaults of every element)".to_owned()];
                if let Some(font) = all.attributes.get("font-family").and_then(|v| v.as_deref()) {
                    let clean: String = font
                        .chars()
                        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | ',' | '-'))
                        .collect();
                    if !clean.trim().is_empty() {
                        ctx.settings
                            .insert("font_family".to_owned(), Value::String(clean.trim().to_owned()));
                        keys.push("font_family".to_owned());
                    }
                }
                if let Some(c) = all.attributes.get("color").and_then(|v| v.as_deref()).and_then(colour) {
                    ctx.settings.insert("text_color".to_owned(), Value::String(c));
                    keys.push("text_color".to_owned());
                }
                ctx.report.element("mj-all", l, Destination::Settings { keys });
            }
            A::MjAttributesClass(class) => {
                walk.defaults
                    .classes
                    .insert(class.attributes.name.clone(), class.attributes.others.clone());
                let l = walk.line("mj-class");
                ctx.report.element(
                    "mj-class",
                    l,
                    Destination::Settings {
                        keys: vec![format!(
                            "(field values of elements with mj-class=\"{}\")",
                            class.attributes.name
                        )],
                    },
                );
            }
            A::MjAttributesElement(el) => {
                walk.defaults
                    .elements
                    .entry(el.name.clone())
                    .or_default()
                    .extend(el.attributes.iter().map(|(k, v)| (k.clone(), v.clone())));
                let l = walk.line(&el.name);
                ctx.report.element(
                    &el.name,
                    l.max(line),
                    Destination::Settings {
                        keys: vec![format!("(field values of every {})", el.name)],
                    },
                );
            }
        }
    }
}

fn tag_of(child: &MjBodyChild) -> &'static str {
    match child {
        MjBodyChild::Comment(_) => "comment",
        MjBodyChild::MjAccordion(_) => "mj-accordion",
        MjBodyChild::MjButton(_) => "mj-button",
        MjBodyChild::MjCarousel(_) => "mj-carousel",
        MjBodyChild::MjColumn(_) => "mj-column",
        MjBodyChild::MjDivider(_) => "mj-divider",
        MjBodyChild::MjGroup(_) => "mj-group",
        MjBodyChild::MjHero(_) => "mj-hero",
        MjBodyChild::MjInclude(_) => "mj-include",
        MjBodyChild::MjImage(_) => "mj-image",
        MjBodyChild::MjNavbar(_) => "mj-navbar",
        MjBodyChild::MjRaw(_) => "mj-raw",
        MjBodyChild::MjSection(_) => "mj-section",
        MjBodyChild::MjSocial(_) => "mj-social",
        MjBodyChild::MjSpacer(_) => "mj-spacer",
        MjBodyChild::MjTable(_) => "mj-table",
        MjBodyChild::MjText(_) => "mj-text",
        MjBodyChild::MjWrapper(_) => "mj-wrapper",
        MjBodyChild::Node(_) => "html element",
        MjBodyChild::Text(_) => "text",
    }
}

fn top_level(ctx: &mut Context<'_>, walk: &mut Walk<'_>, child: &MjBodyChild) -> Vec<BlockInstance> {
    match child {
        MjBodyChild::Comment(_) => Vec::new(),
        MjBodyChild::Text(t) if t.inner_str().trim().is_empty() => Vec::new(),
        MjBodyChild::MjWrapper(w) => {
            let line = walk.line("mj-wrapper");
            ctx.report.element("mj-wrapper", line, Destination::Wrapper);
            w.children.iter().flat_map(|c| top_level(ctx, walk, c)).collect()
        }
        MjBodyChild::MjSection(s) => section(ctx, walk, s),
        MjBodyChild::MjHero(_) => hero(ctx, walk, child).map_or_else(Vec::new, |b| vec![b]),
        other => content(ctx, walk, other).into_iter().collect(),
    }
}

fn section(ctx: &mut Context<'_>, walk: &mut Walk<'_>, s: &MjSection) -> Vec<BlockInstance> {
    let columns: Vec<&MjColumn> = s
        .children
        .iter()
        .filter_map(|c| match c {
            MjBodyChild::MjColumn(col) => Some(col),
            _ => None,
        })
        .collect();
    let others = s
        .children
        .iter()
        .filter(|c| !matches!(c, MjBodyChild::MjColumn(_) | MjBodyChild::Comment(_)))
        .filter(|c| !matches!(c, MjBodyChild::Text(t) if t.inner_str().trim().is_empty()))
        .count();
    let section_child = MjBodyChild::MjSection(s.clone());
    if others > 0 || columns.len() > 2 || columns.is_empty() {
        let reason = if columns.len() > 2 {
            format!("{} columns side by side (the columns block holds two)", columns.len())
        } else {
            "a section without plain columns".to_owned()
        };
        return vec![html_part(ctx, walk, &section_child, &reason)];
    }
    let line = walk.line("mj-section");
    let bg = walk
        .attr("mj-section", &s.attributes, "background-color")
        .and_then(colour);
    if columns.len() == 1 {
        ctx.report.element("mj-section", line, Destination::Wrapper);
        let col_line = walk.line("mj-column");
        ctx.report.element("mj-column", col_line, Destination::Wrapper);
        let mut out = Vec::new();
        for c in columns.first().map_or(&[][..], |c| &c.children[..]) {
            if let Some(mut b) = content(ctx, walk, c) {
                if let Some(bg) = &bg {
                    set_background(&mut b, bg);
                }
                out.push(b);
            }
        }
        return out;
    }
    let width = |c: &MjColumn| {
        walk.attr("mj-column", &c.attributes, "width").and_then(|w| {
            let w = w.trim();
            w.strip_suffix('%')
                .and_then(|p| p.trim().parse::<f64>().ok())
                .or_else(|| px(w).map(|p| p / 6.0))
        })
    };
    let ratio = match columns.first().and_then(|c| width(c)) {
        Some(w) if w < 42.0 => "33-67",
        Some(w) if w > 58.0 => "67-33",
        _ => "50-50",
    };
    let padding = walk
        .attr("mj-section", &s.attributes, "padding")
        .and_then(|p| p.split_whitespace().next().and_then(px));
    let mut block = ctx.block(
        "columns",
        fields([
            ("ratio", Some(Value::from(ratio))),
            ("padding", padding.map(|p| number(p, 0.0, 64.0))),
            ("background", bg.map(Value::String)),
        ]),
    );
    ctx.report.element(
        "mj-section",
        line,
        Destination::Block {
            id: block.id.clone(),
            block_type: "columns".to_owned(),
        },
    );
    for (side, col) in ["left", "right"].into_iter().zip(columns) {
        let col_line = walk.line("mj-column");
        ctx.report.element(
            "mj-column",
            col_line,
            Destination::PartOf {
                id: block.id.clone(),
                field: format!("slot {side}"),
            },
        );
        let mut children = Vec::new();
        for c in &col.children {
            if let Some(mut b) = content(ctx, walk, c) {
                if b.block_type == "text" {
                    b.fields.insert("padding".to_owned(), Value::from(0));
                }
                children.push(b);
            }
        }
        block.slots.insert(side.to_owned(), children);
    }
    vec![block]
}

fn set_background(b: &mut BlockInstance, bg: &str) {
    if matches!(b.block_type.as_str(), "text" | "columns" | "hero" | "html") && !b.fields.contains_key("background") {
        b.fields.insert("background".to_owned(), Value::String(bg.to_owned()));
    }
}

/// The inner markup of an element's children, as MJML wrote it.
fn inner_markup<C: Printable>(children: &[C]) -> String {
    children.iter().filter_map(|c| c.print_dense().ok()).collect()
}

fn content(ctx: &mut Context<'_>, walk: &mut Walk<'_>, child: &MjBodyChild) -> Option<BlockInstance> {
    let block = match child {
        MjBodyChild::Comment(_) => return None,
        MjBodyChild::Text(t) if t.inner_str().trim().is_empty() => return None,
        MjBodyChild::MjText(t) => {
            let a = &t.attributes;
            let tag = "mj-text";
            let html = inner_markup(&t.children);
            let body = ctx.rich_text(&html);
            let body = if body.contains('<') {
                body
            } else {
                format!("<p>{body}</p>")
            };
            let f = fields([
                ("body", Some(Value::String(body))),
                ("align", walk.attr(tag, a, "align").and_then(align).map(Value::from)),
                (
                    "font_size",
                    walk.attr(tag, a, "font-size")
                        .and_then(px)
                        .map(|s| number(s, 12.0, 24.0)),
                ),
                (
                    "padding",
                    Some(number(
                        walk.attr(tag, a, "padding-left")
                            .and_then(px)
                            .or_else(|| walk.attr(tag, a, "padding").and_then(padding_left))
                            .unwrap_or(25.0),
                        0.0,
                        64.0,
                    )),
                ),
                (
                    "background",
                    walk.attr(tag, a, "container-background-color")
                        .and_then(colour)
                        .map(Value::String),
                ),
            ]);
            ctx.block("text", f)
        }
        MjBodyChild::MjImage(i) => {
            let a = &i.attributes;
            let tag = "mj-image";
            let src = walk.attr(tag, a, "src").unwrap_or_default().to_owned();
            let alt = walk.attr(tag, a, "alt").unwrap_or_default().to_owned();
            let href = walk.attr(tag, a, "href").filter(|h| is_safe_url(h)).map(str::to_owned);
            let width = walk.attr(tag, a, "width").and_then(px);
            let alignment = walk.attr(tag, a, "align").and_then(align);
            let src_v = is_safe_url(&src).then(|| Value::String(ctx.text(&src)));
            let alt_v = Value::String(ctx.text(&alt));
            let href_v = href.map(|h| Value::String(ctx.text(&h)));
            ctx.block(
                "image",
                fields([
                    ("src", src_v),
                    ("alt", Some(alt_v)),
                    ("width", Some(number(width.unwrap_or(600.0), 40.0, 1200.0))),
                    ("align", alignment.map(Value::from)),
                    ("link", href_v),
                ]),
            )
        }
        MjBodyChild::MjButton(b) => {
            let a = &b.attributes;
            let tag = "mj-button";
            let label_html = inner_markup(&b.children);
            let label = tessera_core::sanitize::sanitize(&label_html, tessera_core::sanitize::Policy::RichText);
            let label = strip_tags(&label);
            let href = walk.attr(tag, a, "href").filter(|h| is_safe_url(h)).map(str::to_owned);
            let f = Map::from_iter([("label".to_owned(), Value::String(ctx.text(label.trim())))]);
            let mut f = f;
            f.extend(fields([
                ("url", href.map(|h| Value::String(ctx.text(&h)))),
                (
                    "background",
                    walk.attr(tag, a, "background-color")
                        .and_then(colour)
                        .map(Value::String),
                ),
                (
                    "text_color",
                    walk.attr(tag, a, "color").and_then(colour).map(Value::String),
                ),
                (
                    "radius",
                    walk.attr(tag, a, "border-radius")
                        .and_then(px)
                        .map(|r| number(r, 0.0, 32.0)),
                ),
                ("align", walk.attr(tag, a, "align").and_then(align).map(Value::from)),
            ]));
            ctx.block("button", f)
        }
        MjBodyChild::MjDivider(d) => {
            let a = &d.attributes;
            let tag = "mj-divider";
            ctx.block(
                "divider",
                fields([
                    (
                        "color",
                        walk.attr(tag, a, "border-color").and_then(colour).map(Value::String),
                    ),
                    (
                        "thickness",
                        walk.attr(tag, a, "border-width")
                            .and_then(px)
                            .map(|t| number(t, 1.0, 8.0)),
                    ),
                ]),
            )
        }
        MjBodyChild::MjSpacer(s) => {
            let height = walk
                .attr("mj-spacer", &s.attributes, "height")
                .and_then(px)
                .unwrap_or(20.0);
            ctx.block("spacer", fields([("height", Some(number(height, 4.0, 160.0)))]))
        }
        MjBodyChild::MjSocial(s) => return Some(social(ctx, walk, child, s)),
        MjBodyChild::MjHero(_) => return hero(ctx, walk, child),
        MjBodyChild::MjSection(s) => return section(ctx, walk, s).into_iter().next(),
        other => return Some(html_part(ctx, walk, other, "no Tessera block does what it does")),
    };
    let tag = tag_of(child);
    let line = walk.line(tag);
    ctx.report.element(
        tag,
        line,
        Destination::Block {
            id: block.id.clone(),
            block_type: block.block_type.clone(),
        },
    );
    Some(block)
}

fn strip_tags(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
}

const NETWORKS: &[&str] = &[
    "facebook",
    "instagram",
    "x",
    "linkedin",
    "youtube",
    "tiktok",
    "pinterest",
];

fn social(
    ctx: &mut Context<'_>,
    walk: &mut Walk<'_>,
    child: &MjBodyChild,
    s: &mrml::mj_social::MjSocial,
) -> BlockInstance {
    let mut items = Vec::new();
    for e in &s.children {
        let MjSocialChild::MjSocialElement(el) = e else {
            continue;
        };
        let name = el
            .attributes
            .get("name")
            .and_then(|v| v.as_deref())
            .unwrap_or_default()
            .trim_end_matches("-noshare")
            .replace("twitter", "x");
        if !NETWORKS.contains(&name.as_str()) {
            return html_part(
                ctx,
                walk,
                child,
                &format!("a social network ({name}) the social block does not offer"),
            );
        }
        let href = el.attributes.get("href").and_then(|v| v.as_deref()).unwrap_or_default();
        let label = inner_markup(&el.children);
        let mut item = Map::new();
        item.insert("name".to_owned(), Value::String(name.clone()));
        item.insert(
            "label".to_owned(),
            Value::String(if label.trim().is_empty() {
                name.clone()
            } else {
                strip_tags(&label)
            }),
        );
        if is_safe_url(href) {
            item.insert("url".to_owned(), Value::String(ctx.text(href)));
        }
        if let Some(src) = el
            .attributes
            .get("src")
            .and_then(|v| v.as_deref())
            .filter(|s| is_safe_url(s))
        {
            item.insert("icon".to_owned(), Value::String(src.to_owned()));
        } else {
            let initials: String = name.chars().take(2).collect::<String>().to_uppercase();
            item.insert(
                "icon".to_owned(),
                Value::String(format!("https://placehold.co/64x64/1f2933/ffffff/png?text={initials}")),
            );
        }
        items.push(Value::Object(item));
    }
    let a = &s.attributes;
    let block = ctx.block(
        "social",
        fields([
            ("networks", Some(Value::Array(items))),
            (
                "align",
                walk.attr("mj-social", a, "align").and_then(align).map(Value::from),
            ),
            (
                "icon_size",
                walk.attr("mj-social", a, "icon-size")
                    .and_then(px)
                    .map(|n| number(n, 16.0, 64.0)),
            ),
        ]),
    );
    let line = walk.line("mj-social");
    ctx.report.element(
        "mj-social",
        line,
        Destination::Block {
            id: block.id.clone(),
            block_type: "social".to_owned(),
        },
    );
    for e in &s.children {
        if let MjSocialChild::MjSocialElement(_) = e {
            let l = walk.line("mj-social-element");
            ctx.report.element(
                "mj-social-element",
                l,
                Destination::PartOf {
                    id: block.id.clone(),
                    field: "networks".to_owned(),
                },
            );
        }
    }
    block
}

fn hero(ctx: &mut Context<'_>, walk: &mut Walk<'_>, child: &MjBodyChild) -> Option<BlockInstance> {
    let MjBodyChild::MjHero(h) = child else { return None };
    let texts: Vec<&mrml::mj_text::MjText> = h
        .children
        .iter()
        .filter_map(|c| match c {
            MjBodyChild::MjText(t) => Some(t),
            _ => None,
        })
        .collect();
    let buttons: Vec<&mrml::mj_button::MjButton> = h
        .children
        .iter()
        .filter_map(|c| match c {
            MjBodyChild::MjButton(b) => Some(b),
            _ => None,
        })
        .collect();
    let unexpected = h.children.iter().any(|c| {
        !matches!(
            c,
            MjBodyChild::MjText(_) | MjBodyChild::MjButton(_) | MjBodyChild::MjSpacer(_) | MjBodyChild::Comment(_)
        ) && !matches!(c, MjBodyChild::Text(t) if t.inner_str().trim().is_empty())
    });
    let image = walk
        .attr("mj-hero", &h.attributes, "background-url")
        .filter(|u| is_safe_url(u));
    if unexpected || texts.len() > 2 || buttons.len() > 1 || image.is_none() {
        return Some(html_part(
            ctx,
            walk,
            child,
            "a hero with content the hero block does not hold",
        ));
    }
    let image = image.unwrap_or_default().to_owned();
    let line = walk.line("mj-hero");
    let mut headline = String::new();
    let mut body = String::new();
    for (i, t) in texts.iter().enumerate() {
        let html = inner_markup(&t.children);
        if i == 0 && texts.len() == 2 {
            headline = strip_tags(&html).split_whitespace().collect::<Vec<_>>().join(" ");
        } else {
            body = ctx.rich_text(&html);
        }
    }
    let mut f = Map::new();
    f.insert("image".to_owned(), Value::String(ctx.text(&image)));
    f.insert("image_alt".to_owned(), Value::String(String::new()));
    f.insert("headline".to_owned(), Value::String(ctx.text(&headline)));
    f.insert(
        "body".to_owned(),
        Value::String(if body.contains('<') || body.is_empty() {
            body
        } else {
            format!("<p>{body}</p>")
        }),
    );
    if let Some(b) = buttons.first() {
        let label = strip_tags(&inner_markup(&b.children));
        f.insert("cta_label".to_owned(), Value::String(ctx.text(label.trim())));
        if let Some(href) = walk.attr("mj-button", &b.attributes, "href").filter(|h| is_safe_url(h)) {
            let href = href.to_owned();
            f.insert("cta_url".to_owned(), Value::String(ctx.text(&href)));
        }
    } else {
        f.insert("cta_label".to_owned(), Value::String(String::new()));
    }
    if let Some(bg) = walk.attr("mj-hero", &h.attributes, "background-color").and_then(colour) {
        f.insert("background".to_owned(), Value::String(bg));
    }
    let block = ctx.block("hero", f);
    ctx.report.element(
        "mj-hero",
        line,
        Destination::Block {
            id: block.id.clone(),
            block_type: "hero".to_owned(),
        },
    );
    for c in &h.children {
        let tag = tag_of(c);
        if tag.starts_with("mj-") {
            let l = walk.line(tag);
            let went_to = match c {
                MjBodyChild::MjSpacer(_) => Destination::Dropped {
                    reason: "the hero block spaces its content itself".to_owned(),
                },
                MjBodyChild::MjButton(_) => Destination::PartOf {
                    id: block.id.clone(),
                    field: "cta_label, cta_url".to_owned(),
                },
                _ => Destination::PartOf {
                    id: block.id.clone(),
                    field: "headline, body".to_owned(),
                },
            };
            ctx.report.element(tag, l, went_to);
        }
    }
    Some(block)
}

/// An element with no block: it becomes an HTML block, rendered by mrml with the email's head
/// together with every other such part ([`render_pending`]).
fn html_part(ctx: &mut Context<'_>, walk: &mut Walk<'_>, child: &MjBodyChild, reason: &str) -> BlockInstance {
    let tag = tag_of(child);
    let line = if tag.starts_with("mj-") { walk.line(tag) } else { 0 };
    let descendants = skip_descendant_lines(walk, child);
    let section_level = matches!(
        child,
        MjBodyChild::MjSection(_) | MjBodyChild::MjWrapper(_) | MjBodyChild::MjHero(_) | MjBodyChild::MjRaw(_)
    );
    let section = if section_level {
        child.clone()
    } else {
        let mut column = MjColumn::default();
        column.children.push(child.clone());
        let mut section = MjSection::default();
        section.children.push(MjBodyChild::MjColumn(column));
        MjBodyChild::MjSection(section)
    };
    let (block, mark) = ctx.pending_html_block();
    ctx.report.element(
        tag,
        line,
        Destination::HtmlBlock {
            id: block.id.clone(),
            reason: reason.to_owned(),
            descendants,
        },
    );
    walk.pending.push(PendingPart {
        id: block.id.clone(),
        tag,
        line,
        section,
        mark,
    });
    block
}

/// Every MJML element inside `child`, as mrml prints it back, keeps the line bookkeeping in step;
/// returns how many there are.
fn skip_descendant_lines(walk: &mut Walk<'_>, child: &MjBodyChild) -> usize {
    let printed = child.print_dense().unwrap_or_default();
    let mut descendants = 0;
    for (i, _) in printed.match_indices("<mj-").skip(1) {
        let name: String = printed[i + 1..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        walk.line(&name);
        descendants += 1;
    }
    descendants
}

/// Renders every pending part at once: one email of the head and the parts, each after a marker
/// comment, rendered by mrml once, its styles inlined once, then cut at the markers. When that
/// rendering fails, each part is rendered alone so the report names the one that does not render.
fn render_pending(ctx: &mut Context<'_>, walk: &mut Walk<'_>, source: &str) {
    let parts = std::mem::take(&mut walk.pending);
    if parts.is_empty() {
        return;
    }
    let marker = unique_marker(source);
    let mut children = Vec::with_capacity(parts.len() * 2 + 1);
    for (i, part) in parts.iter().enumerate() {
        children.push(marker_raw(&marker, i));
        children.push(part.section.clone());
    }
    children.push(marker_raw(&marker, parts.len()));
    let cut = render_parts(walk, children)
        .ok()
        .and_then(|html| cut_parts(ctx, &html, &marker, parts.len(), parts.first().map_or(0, |p| p.line)));
    match cut {
        Some(markups) => {
            for (part, markup) in parts.iter().zip(markups).rev() {
                ctx.fill_html_block(&part.id, &markup, part.mark);
            }
        }
        None => {
            for part in parts.iter().rev() {
                render_alone(ctx, walk, part);
            }
        }
    }
}

/// A comment that occurs nowhere in the source, numbered per part.
fn unique_marker(source: &str) -> String {
    let mut marker = "tessera-import-part".to_owned();
    while source.contains(&marker) {
        marker.push('x');
    }
    marker
}

fn marker_raw(marker: &str, index: usize) -> MjBodyChild {
    let mut raw = MjRaw::default();
    raw.children
        .push(MjRawChild::Comment(Comment::from(format!("{marker}-{index}"))));
    MjBodyChild::MjRaw(raw)
}

/// mrml's HTML of an email of the walk's head, body attributes and `children`.
fn render_parts(walk: &Walk<'_>, children: Vec<MjBodyChild>) -> Result<String, mrml::prelude::render::Error> {
    let mut mjml = Mjml::default();
    mjml.children.head = walk.head.cloned();
    let mut body = MjBody::default();
    body.attributes.clone_from(&walk.body_attributes);
    body.children = children;
    mjml.children.body = Some(body);
    mjml.render(&RenderOptions::default())
}

/// The parts of a rendering with markers, styles inlined, each inside the body's wrapper `<div>`
/// (which carries the body's background). `None` when a marker is missing.
fn cut_parts(ctx: &mut Context<'_>, html: &str, marker: &str, count: usize, line: usize) -> Option<Vec<String>> {
    let (css, body) = styles_and_body(html)?;
    let inlined = ctx.inline_styles(body, &css, line);
    let open_at = inlined.find("<div")?;
    let wrapper = &inlined[open_at..=open_at + inlined[open_at..].find('>')?];
    let mut out = Vec::with_capacity(count);
    let mut rest = &inlined[open_at..];
    let first = format!("<!--{marker}-0-->");
    rest = &rest[rest.find(&first)? + first.len()..];
    for i in 1..=count {
        let next = format!("<!--{marker}-{i}-->");
        let end = rest.find(&next)?;
        out.push(format!("{wrapper}{}</div>", &rest[..end]));
        rest = &rest[end + next.len()..];
    }
    Some(out)
}

/// The text of every `<style>` element of a rendered email's head (not those inside comments, such
/// as Outlook's conditional ones), and its body's inner HTML.
fn styles_and_body(html: &str) -> Option<(String, &str)> {
    let body_open = html.find("<body")?;
    let body_start = body_open + html[body_open..].find('>')? + 1;
    let body_end = html.rfind("</body>")?;
    let mut css = String::new();
    let mut head = &html[..body_open];
    loop {
        let style = head.find("<style");
        let comment = head.find("<!--");
        match (style, comment) {
            (Some(s), Some(c)) if c < s => {
                head = head[c..].find("-->").map_or("", |e| &head[c + e + 3..]);
            }
            (Some(open), _) => {
                let Some(start) = head[open..].find('>').map(|g| open + g + 1) else {
                    break;
                };
                let Some(end) = head[start..].find("</style>").map(|e| start + e) else {
                    break;
                };
                css.push_str(&head[start..end]);
                css.push('\n');
                head = &head[end..];
            }
            (None, _) => break,
        }
    }
    Some((css, html.get(body_start..body_end)?))
}

/// One part rendered alone (the fallback when the parts do not render together): its HTML
/// block gets its markup, or leaves the document with the reason in the report.
fn render_alone(ctx: &mut Context<'_>, walk: &Walk<'_>, part: &PendingPart) {
    let marker = "tessera-import-part";
    let children = vec![marker_raw(marker, 0), part.section.clone(), marker_raw(marker, 1)];
    match render_parts(walk, children) {
        Ok(html) => match cut_parts(ctx, &html, marker, 1, part.line).and_then(|m| m.into_iter().next()) {
            Some(markup) => ctx.fill_html_block(&part.id, &markup, part.mark),
            None => drop_part(ctx, part, "its rendering could not be read back".to_owned()),
        },
        Err(e) => drop_part(ctx, part, format!("mrml could not render it: {e}")),
    }
}

fn drop_part(ctx: &mut Context<'_>, part: &PendingPart, reason: String) {
    ctx.remove_block(&part.id);
    if let Some(entry) = ctx
        .report
        .elements
        .iter_mut()
        .find(|e| matches!(&e.went_to, Destination::HtmlBlock { id, .. } if *id == part.id))
    {
        debug_assert_eq!(entry.element, part.tag);
        entry.went_to = Destination::Dropped { reason };
    }
}
