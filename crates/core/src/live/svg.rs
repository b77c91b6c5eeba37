//! The SVG a live image is drawn from: one template per block type (`offer`, `product-grid`, and
//! a plain card for the rest), filled with a feed's [`Shape`]. Every value is text in the SVG,
//! escaped (never markup); colours come from the block's fields only when they are hex colours.
//! Text is set in [`FONT_FAMILY`], the font the project ships, so every rasterizer that is given
//! that font draws the same picture.

use std::fmt::Write as _;

use serde_json::{Map, Value};

use super::shape::{Product, Shape};
use crate::escape::html_escape;

/// The font family the templates use (Lato, shipped in `crates/live/fonts/` with its licence).
pub const FONT_FAMILY: &str = "Lato";
/// The image's width in CSS pixels (the email's content width); rasterized at twice this.
pub const WIDTH: u32 = 600;

const INK: &str = "#1f2933";
const MUTED: &str = "#52606d";
const DEFAULT_ACCENT: &str = "#1d4e6e";
const DEFAULT_BACKGROUND: &str = "#ffffff";
const IN_STOCK: &str = "#1e7b34";
const SOLD_OUT: &str = "#b42318";
/// Characters of a product name that fit beside its price.
const NAME_CHARS: usize = 44;

/// An SVG document ready to rasterize.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveSvg {
    /// The markup.
    pub svg: String,
    /// Its height in CSS pixels (the width is [`WIDTH`]).
    pub height: u32,
}

/// Draws `shape` with the template of `block_type`, using the block instance's `fields` for
/// labels and colours.
#[must_use]
pub fn draw(block_type: &str, fields: &Map<String, Value>, shape: &Shape) -> LiveSvg {
    let look = Look::from_fields(fields);
    match (block_type, shape) {
        (_, Shape::Recommendations { products } | Shape::Availability { products } | Shape::Cart { products, .. }) => {
            let total = match shape {
                Shape::Cart { total, .. } if !total.is_empty() => Some(total.as_str()),
                _ => None,
            };
            let heading = plain(fields, "heading").unwrap_or("Picked for you now");
            product_list(&look, heading, products, total)
        }
        ("offer", Shape::Countdown { text, ends_at, .. }) => {
            let sub = ends_at.as_deref().map(|e| format!("Ends {}", e.replace('T', " ")));
            let big = if text.is_empty() { "Offer on now" } else { text.as_str() };
            card(
                &look,
                plain(fields, "eyebrow").unwrap_or("Limited time"),
                big,
                sub.as_deref(),
            )
        }
        (_, Shape::Profile { points, .. }) => {
            let big = points
                .as_ref()
                .map_or_else(|| "Your balance".to_owned(), |p| format!("{p} points"));
            let eyebrow = plain(fields, "eyebrow").unwrap_or("Your points balance");
            card(&look, eyebrow, &big, Some("Your balance right now"))
        }
        (_, other) => {
            let eyebrow = plain(fields, "eyebrow")
                .or_else(|| plain(fields, "heading"))
                .unwrap_or("Right now");
            card(&look, eyebrow, &other.describe(), None)
        }
    }
}

/// A field's text when it holds no template tags (labels with placeholders are left out: the
/// image shows only the feed's values and the designer's literal words).
fn plain<'f>(fields: &'f Map<String, Value>, name: &str) -> Option<&'f str> {
    fields
        .get(name)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty() && !s.contains("{{"))
}

/// The block's colours, when they are hex colours.
struct Look {
    accent: String,
    background: String,
}

impl Look {
    fn from_fields(fields: &Map<String, Value>) -> Self {
        let colour = |name: &str, default: &str| {
            fields
                .get(name)
                .and_then(Value::as_str)
                .filter(|c| is_hex_colour(c))
                .unwrap_or(default)
                .to_owned()
        };
        Self {
            accent: colour("accent", DEFAULT_ACCENT),
            background: colour("background", DEFAULT_BACKGROUND),
        }
    }
}

fn is_hex_colour(c: &str) -> bool {
    c.strip_prefix('#')
        .is_some_and(|h| matches!(h.len(), 3 | 6) && h.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn open(out: &mut String, height: u32, look: &Look) {
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" font-family="{FONT_FAMILY}"><rect x="0" y="0" width="{WIDTH}" height="{height}" rx="8" fill="{}"/>"#,
        look.background
    );
}

/// How a line of text is set: size, weight, colour and anchor (`start`, `middle`, `end`).
struct Pen<'a>(u32, u32, &'a str, &'a str);

fn text(out: &mut String, (x, y): (u32, u32), pen: &Pen<'_>, content: &str) {
    let Pen(size, weight, fill, anchor) = pen;
    let _ = write!(
        out,
        r#"<text x="{x}" y="{y}" font-size="{size}" font-weight="{weight}" fill="{fill}" text-anchor="{anchor}">{}</text>"#,
        html_escape(content)
    );
}

/// An eyebrow, one big line and an optional line under it.
fn card(look: &Look, eyebrow: &str, big: &str, sub: Option<&str>) -> LiveSvg {
    let height = if sub.is_some() { 168 } else { 132 };
    let mut svg = String::with_capacity(1024);
    open(&mut svg, height, look);
    text(
        &mut svg,
        (300, 44),
        &Pen(15, 700, &look.accent, "middle"),
        &clip(eyebrow, 60),
    );
    text(&mut svg, (300, 96), &Pen(38, 700, INK, "middle"), &clip(big, 28));
    if let Some(sub) = sub {
        text(&mut svg, (300, 136), &Pen(17, 400, MUTED, "middle"), &clip(sub, 60));
    }
    svg.push_str("</svg>");
    LiveSvg { svg, height }
}

/// A heading and one row per product: name, price, availability.
fn product_list(look: &Look, heading: &str, products: &[Product], total: Option<&str>) -> LiveSvg {
    let rows = u32::try_from(products.len()).unwrap_or(u32::MAX).min(12);
    let height = 72 + rows.max(1) * 58 + if total.is_some() { 40 } else { 0 };
    let mut svg = String::with_capacity(512 + products.len() * 400);
    open(&mut svg, height, look);
    text(&mut svg, (24, 44), &Pen(22, 700, INK, "start"), &clip(heading, 48));
    if products.is_empty() {
        text(
            &mut svg,
            (24, 100),
            &Pen(17, 400, MUTED, "start"),
            "Nothing to show right now",
        );
    }
    for (i, product) in products.iter().take(12).enumerate() {
        let top = 72 + u32::try_from(i).unwrap_or(0) * 58;
        let _ = write!(
            svg,
            r#"<rect x="16" y="{}" width="568" height="1" fill="{}"/>"#,
            top, look.accent
        );
        let name = match product.quantity {
            Some(q) if q > 1 => format!("{q} × {}", product.name),
            _ => product.name.clone(),
        };
        text(
            &mut svg,
            (24, top + 26),
            &Pen(18, 700, INK, "start"),
            &clip(&name, NAME_CHARS),
        );
        text(&mut svg, (576, top + 26), &Pen(18, 700, INK, "end"), &product.price);
        let (label, colour) = if product.available {
            ("In stock", IN_STOCK)
        } else {
            ("Sold out", SOLD_OUT)
        };
        text(&mut svg, (24, top + 48), &Pen(14, 400, colour, "start"), label);
    }
    if let Some(total) = total {
        let y = 72 + rows.max(1) * 58 + 26;
        text(&mut svg, (576, y), &Pen(18, 700, INK, "end"), &format!("Total {total}"));
    }
    svg.push_str("</svg>");
    LiveSvg { svg, height }
}

/// `s` cut to `max` characters, with an ellipsis when cut.
fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::shape::Shape;
    use serde_json::json;

    #[test]
    fn profile_text_is_escaped_never_markup() {
        let shape = Shape::Recommendations {
            products: vec![Product {
                name: "<script>alert(1)</script> & </text><image href=\"x\"/>".to_owned(),
                price: "$1<2".to_owned(),
                available: false,
                quantity: None,
            }],
        };
        let fields = json!({"heading": "Live <b>picks</b>", "background": "red;fill:url(x)"});
        let svg = draw("product-grid", fields.as_object().unwrap(), &shape).svg;
        assert!(
            !svg.contains("<script") && !svg.contains("<image") && !svg.contains("<b>"),
            "{svg}"
        );
        assert!(svg.contains("&lt;script&gt;") && svg.contains("$1&lt;2"), "{svg}");
        assert!(
            svg.contains(r##"fill="#ffffff""##),
            "a colour that is not hex is not used: {svg}"
        );
        assert!(svg.contains("Sold out"));
    }

    #[test]
    fn offer_template_draws_the_countdown_and_labels_with_tags_are_left_out() {
        let shape = Shape::Countdown {
            ends_at: Some("2027-01-19T23:59:00Z".to_owned()),
            seconds_left: 100,
            ended: false,
            text: "2 min left".to_owned(),
        };
        let fields = json!({"eyebrow": "Hi {{profile.first_name}}", "accent": "#aa0000"});
        let drawn = draw("offer", fields.as_object().unwrap(), &shape);
        assert_eq!(drawn.height, 168);
        assert!(drawn.svg.contains(">2 min left<") && drawn.svg.contains(">Limited time<"));
        assert!(drawn.svg.contains("Ends 2027-01-19 23:59:00Z") && drawn.svg.contains("#aa0000"));
    }
}
