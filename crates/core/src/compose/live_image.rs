//! The HTML part's reference to live images: a top-level live block that opts in (`"live":
//! {"image": true}`) is written as one `<img>` of its signed live image URL (drawn by `tessera
//! serve` when the email is opened), whose alt text is the block's send-time render as text, so a
//! client that blocks images shows the send-time content in its place. A block the recipient's
//! rules hide, or replace by its fallback, keeps its send-time render; everything else is the
//! ordinary render.

use serde_json::Value;

use crate::compile::Compiled;
use crate::escape::push_html_escaped;
use crate::render::{render_marked, BlockEdge, Rendered};

/// A live block's image for one recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveImageRef {
    /// The top-level block instance id.
    pub block: String,
    /// The signed image URL (`https://.../live/<email>/<block>.png?t=...`).
    pub src: String,
}

/// Alt text longer than this is cut (clients truncate long alt text anyway).
const ALT_CHARS: usize = 1000;
const START: &str = "<!--tsr-live-image-start:";
const END: &str = "<!--tsr-live-image-end:";

/// Renders `compiled` for `data` with each block of `images` replaced by its live image.
#[must_use]
pub fn render_with_live_images(compiled: &Compiled, data: &Value, images: &[LiveImageRef]) -> Rendered {
    let mut rendered = render_marked(compiled, data, &mut |edge, html| {
        let (prefix, id) = match edge {
            BlockEdge::Start(id) => (START, id),
            BlockEdge::End(id) => (END, id),
            BlockEdge::InnerStart(_) | BlockEdge::InnerEnd(_) => return,
        };
        if images.iter().any(|i| i.block == id) {
            html.push_str(prefix);
            html.push_str(id);
            html.push_str("-->");
        }
    });
    for image in images {
        let start = format!("{START}{}-->", image.block);
        let end = format!("{END}{}-->", image.block);
        let Some(from) = rendered.html.find(&start) else {
            continue;
        };
        let Some(to) = rendered.html[from..].find(&end).map(|at| from + at + end.len()) else {
            continue;
        };
        let region = &rendered.html[from + start.len()..to - end.len()];
        let hidden = rendered.report.hidden_blocks.iter().any(|h| h.block == image.block);
        let replacement = if hidden || region.trim().is_empty() {
            // Hidden for this recipient, or replaced by its fallback: the live image would draw
            // content the recipient's rules do not show, so the send-time render stays.
            region.to_owned()
        } else {
            image_markup(&image.src, &alt_text(region), first_link(region))
        };
        rendered.html.replace_range(from..to, &replacement);
    }
    rendered.report.html_bytes = rendered.html.len();
    rendered
}

/// The block's first web link as written in its markup (already escaped), for the image's link.
fn first_link(region: &str) -> Option<&str> {
    let at = region.find(" href=\"")? + " href=\"".len();
    let href = &region[at..at + region[at..].find('"')?];
    (href.starts_with("https://") || href.starts_with("http://")).then_some(href)
}

/// The send-time render of a block as one line of plain text (links' addresses left out).
fn alt_text(region: &str) -> String {
    let text = crate::text::html_to_text(region);
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if word.starts_with("(http") && word.ends_with(')') {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    if out.chars().count() > ALT_CHARS {
        out = out.chars().take(ALT_CHARS - 1).collect();
        out.push('…');
    }
    out
}

/// The `<img>` in a full-width row, linked to the block's first link, its alt text styled to be
/// read when images are blocked.
fn image_markup(src: &str, alt: &str, link: Option<&str>) -> String {
    let mut out = String::with_capacity(src.len() + alt.len() + 500);
    out.push_str(
        r#"<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0"><tr><td align="center" style="padding:0">"#,
    );
    if let Some(link) = link {
        out.push_str(r#"<a href=""#);
        out.push_str(link);
        out.push_str(r#"" target="_blank" style="text-decoration:none">"#);
    }
    out.push_str(r#"<img src=""#);
    push_html_escaped(&mut out, src);
    out.push_str(r#"" width="600" alt=""#);
    push_html_escaped(&mut out, alt);
    out.push_str(
        r#"" style="display:block;width:100%;max-width:600px;height:auto;border:0;font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:1.5;color:#1f2933">"#,
    );
    if link.is_some() {
        out.push_str("</a>");
    }
    out.push_str("</td></tr></table>");
    out
}
