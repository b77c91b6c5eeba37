//! The head styles that come from settings and per-block options rather than block types: the
//! brand web font (`@font-face`, with Outlook for Windows sent to the fallback stack), the email's
//! dark colours, per-block dark colours and images, and device visibility.
//!
//! These rules are written into the head after the skeleton is inlined, so the inliner neither
//! applies nor drops them. Outlook.com's `[data-ogsc]`/`[data-ogsb]` forms go in a `<style>` of their
//! own: a client that refuses attribute selectors then drops that element only, never the media
//! queries. Selectors name classes only (Gmail keeps class selectors and renames them consistently);
//! the visibility a client without `<style>` support sees is the safe one, from inline styles:
//! desktop-only blocks show, mobile-only blocks stay hidden.

use std::fmt::Write as _;

use crate::model::{BlockDark, Device, Settings};

/// A block's wrapper class, for its dark rules: `t-b-<id>`.
pub(crate) fn block_class(id: &str) -> String {
    format!("t-b-{id}")
}

/// The widest screen (CSS pixels) device visibility calls mobile: phones are at most 430 px wide
/// in portrait, tablets and the designer's desktop preview (however narrow its window) are wider.
pub(crate) const MOBILE_BREAKPOINT: u32 = 480;

/// Class of a block shown only above the mobile breakpoint.
pub(crate) const DESKTOP_ONLY: &str = "t-desktop-only";
/// Class of a block shown only at the mobile breakpoint and below.
pub(crate) const MOBILE_ONLY: &str = "t-mobile-only";
/// Class of the light copy of a block with a dark image.
pub(crate) const LIGHT_IMAGE: &str = "t-light-img";
/// Class of the dark copy of a block with a dark image.
pub(crate) const DARK_IMAGE: &str = "t-dark-img";
/// Inline style that hides an element everywhere until a `<style>` rule shows it.
pub(crate) const HIDDEN_UNTIL_SHOWN: &str = "display:none;max-height:0;overflow:hidden;mso-hide:all;";

/// A block with options that need head styles.
#[derive(Debug, Clone)]
pub(crate) struct BlockLook {
    /// The instance id.
    pub id: String,
    /// Its device visibility.
    pub device: Device,
    /// Its dark look (colours already checked).
    pub dark: BlockDark,
}

/// The opening of a block's wrapper, or `None` when the block needs none.
pub(crate) fn wrapper_open(look: &BlockLook) -> Option<String> {
    if look.device.is_all() && look.dark.is_empty() {
        return None;
    }
    let mut classes = block_class(&look.id);
    match look.device {
        Device::All => {}
        Device::Desktop => {
            classes.push(' ');
            classes.push_str(DESKTOP_ONLY);
        }
        Device::Mobile => {
            classes.push(' ');
            classes.push_str(MOBILE_ONLY);
        }
    }
    Some(if look.device == Device::Mobile {
        // Outlook for Windows ignores display:none on some elements: it never sees the block.
        format!(r#"<!--[if !mso]><!--><div class="{classes}" style="{HIDDEN_UNTIL_SHOWN}">"#)
    } else {
        format!(r#"<div class="{classes}">"#)
    })
}

/// The closing of a block's wrapper opened by [`wrapper_open`].
pub(crate) fn wrapper_close(look: &BlockLook) -> &'static str {
    if look.device == Device::Mobile {
        "</div><!--<![endif]-->"
    } else {
        "</div>"
    }
}

/// The head markup: `<style>` elements and Outlook's conditional style; empty when nothing is set.
pub(crate) fn head_markup(settings: &Settings, looks: &[BlockLook]) -> String {
    let mut css = String::new();
    let mut outlook_com = String::new();
    font_face(settings, &mut css);
    email_dark(settings, &mut css, &mut outlook_com);
    if looks.iter().any(|l| !l.device.is_all()) {
        let _ = writeln!(
            css,
            "@media only screen and (max-width: {}px) {{ .{DESKTOP_ONLY} {{ display: none !important; max-height: 0 !important; overflow: hidden !important; }} .{MOBILE_ONLY} {{ display: block !important; max-height: none !important; overflow: visible !important; }} }}",
            MOBILE_BREAKPOINT.min(settings.width.saturating_sub(1))
        );
    }
    for look in looks {
        block_dark(look, &mut css, &mut outlook_com);
    }
    let mut out = String::new();
    if !css.is_empty() {
        let _ = write!(out, "<style>\n{css}</style>\n");
    }
    if !outlook_com.is_empty() {
        let _ = write!(out, "<style>\n{outlook_com}</style>\n");
    }
    if !settings.web_font_name.trim().is_empty() {
        // Outlook for Windows shows Times New Roman when a stack starts with a font it lacks.
        let _ = writeln!(
            out,
            "<!--[if mso]><style>body, table, td, th, p, a, span, li, h1, h2, h3, h4 {{ font-family: {} !important; }}</style><![endif]-->",
            settings.font_family
        );
    }
    out
}

fn font_face(settings: &Settings, css: &mut String) {
    let (name, url) = (settings.web_font_name.trim(), settings.web_font_url.trim());
    if name.is_empty() || url.is_empty() {
        return;
    }
    let path = url.split(['?', '#']).next().unwrap_or_default().to_ascii_lowercase();
    let format = [
        (".woff2", "woff2"),
        (".woff", "woff"),
        (".ttf", "truetype"),
        (".otf", "opentype"),
    ]
    .into_iter()
    .find(|(ext, _)| path.ends_with(ext))
    .map_or_else(String::new, |(_, f)| format!(" format('{f}')"));
    let alt = settings
        .font_family
        .split(',')
        .next()
        .unwrap_or_default()
        .trim()
        .trim_matches(['"', '\''])
        .to_owned();
    let _ = writeln!(
        css,
        "@font-face {{ font-family: '{name}'; src: url({url}){format}; font-weight: 100 900; font-style: normal; font-display: swap; mso-font-alt: '{alt}'; }}"
    );
}

fn email_dark(settings: &Settings, css: &mut String, outlook_com: &mut String) {
    let mut rules = Vec::new();
    if !settings.dark_background_color.is_empty() {
        rules.push(format!(
            ".t-body, .t-outer {{ background-color: {} !important; }}",
            settings.dark_background_color
        ));
        let _ = writeln!(
            outlook_com,
            "[data-ogsb] .t-body, [data-ogsb] .t-outer {{ background-color: {} !important; }}",
            settings.dark_background_color
        );
    }
    if !settings.dark_content_background_color.is_empty() {
        rules.push(format!(
            ".t-container, .t-content {{ background-color: {} !important; }}",
            settings.dark_content_background_color
        ));
        let _ = writeln!(
            outlook_com,
            "[data-ogsb] .t-container, [data-ogsb] .t-content {{ background-color: {} !important; }}",
            settings.dark_content_background_color
        );
    }
    if !settings.dark_text_color.is_empty() {
        rules.push(format!(
            ".t-container, .t-content p, .t-content li, .t-content h1, .t-content h2, .t-content h3 {{ color: {} !important; }}",
            settings.dark_text_color
        ));
        let _ = writeln!(
            outlook_com,
            "[data-ogsc] .t-container, [data-ogsc] .t-content p, [data-ogsc] .t-content li, [data-ogsc] .t-content h1, [data-ogsc] .t-content h2, [data-ogsc] .t-content h3 {{ color: {} !important; }}",
            settings.dark_text_color
        );
    }
    if !settings.dark_link_color.is_empty() {
        rules.push(format!(
            ".t-content a {{ color: {} !important; }}",
            settings.dark_link_color
        ));
        let _ = writeln!(
            outlook_com,
            "[data-ogsc] .t-content a {{ color: {} !important; }}",
            settings.dark_link_color
        );
    }
    if !rules.is_empty() {
        let _ = writeln!(css, "@media (prefers-color-scheme: dark) {{ {} }}", rules.join(" "));
    }
}

/// Selectors under a block, behind the skeleton's content cell (`.t-content .t-b-x td`) so they
/// outrank the block type's own dark rules (two classes, earlier in the head) without chained
/// selectors, which Outlook.com and Proton drop.
fn under(class: &str, prefix: &str, tails: &[&str]) -> String {
    tails
        .iter()
        .map(|t| format!("{prefix}.t-content .{class}{t}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn block_dark(look: &BlockLook, css: &mut String, outlook_com: &mut String) {
    if look.dark.is_empty() {
        return;
    }
    let class = block_class(&look.id);
    let backgrounds = ["", " table", " td"];
    let colours = ["", " td", " p", " a", " li", " span", " h1", " h2", " h3"];
    let mut rules = Vec::new();
    if !look.dark.background.is_empty() {
        rules.push(format!(
            "{} {{ background-color: {} !important; }}",
            under(&class, "", &backgrounds),
            look.dark.background
        ));
        let _ = writeln!(
            outlook_com,
            "{} {{ background-color: {} !important; }}",
            under(&class, "[data-ogsb] ", &backgrounds),
            look.dark.background
        );
    }
    if !look.dark.text.is_empty() {
        rules.push(format!(
            "{} {{ color: {} !important; }}",
            under(&class, "", &colours),
            look.dark.text
        ));
        let _ = writeln!(
            outlook_com,
            "{} {{ color: {} !important; }}",
            under(&class, "[data-ogsc] ", &colours),
            look.dark.text
        );
    }
    if !look.dark.image.is_empty() {
        let swap = |prefix: &str| {
            format!(
                "{} {{ display: none !important; }} {} {{ display: block !important; max-height: none !important; overflow: visible !important; }}",
                under(&class, prefix, &[&format!(" .{LIGHT_IMAGE}")]),
                under(&class, prefix, &[&format!(" .{DARK_IMAGE}")]),
            )
        };
        rules.push(swap(""));
        let _ = writeln!(outlook_com, "{}", swap("[data-ogsc] "));
    }
    let _ = writeln!(css, "@media (prefers-color-scheme: dark) {{ {} }}", rules.join(" "));
}
