//! Accessibility: `lang` and `dir`, the title, `role="presentation"` on layout tables, alt text
//! (missing, a file name, an image that is a link's only content), heading order, generic or
//! missing link text, colour contrast (WCAG 2.1 AA) from the inlined colours in light mode and with
//! the email's own `prefers-color-scheme: dark` rules, minimum font size, and tap targets on a
//! 375 px wide screen.

use std::collections::{BTreeSet, HashMap};

use crate::color::{self, contrast, Rgb};
use crate::css::{self, scan_selector};
use crate::markup::{attr, is_void, Event, Markup};
use crate::{Category, Finding, Level};

/// Text smaller than this (CSS px) is hard to read and enlarged by iOS.
pub const MIN_FONT_PX: f64 = 13.0;
/// Apple's and WCAG 2.5.5's minimum tap target (CSS px).
pub const MIN_TAP_PX: f64 = 44.0;
/// The phone width tap targets are measured at.
pub const PHONE_WIDTH_PX: f64 = 375.0;

/// Link texts that say nothing about where the link goes.
const GENERIC_LINK_TEXT: &[&str] = &[
    "click here",
    "click",
    "here",
    "read more",
    "learn more",
    "more",
    "link",
    "this link",
    "go",
    "details",
    "more info",
    "click this",
];

/// Splits a style attribute into (property lower case, value) pairs.
#[must_use]
pub fn declarations(style: &str) -> Vec<(String, String)> {
    style
        .split(';')
        .filter_map(|d| {
            let (p, v) = d.split_once(':')?;
            Some((p.trim().to_ascii_lowercase(), v.trim().to_owned()))
        })
        .collect()
}

/// A length in CSS px (`16px`, `12pt`, `1.5em` of `font`), `None` for percentages and the rest.
fn px(value: &str, font: f64) -> Option<f64> {
    let v = value.trim().trim_end_matches("!important").trim().to_ascii_lowercase();
    let num = |s: &str| s.trim().parse::<f64>().ok();
    if let Some(n) = v.strip_suffix("px") {
        return num(n);
    }
    if let Some(n) = v.strip_suffix("pt") {
        return num(n).map(|n| n * 4.0 / 3.0);
    }
    if let Some(n) = v.strip_suffix("rem") {
        return num(n).map(|n| n * 16.0);
    }
    if let Some(n) = v.strip_suffix("em") {
        return num(n).map(|n| n * font);
    }
    if v == "0" {
        return Some(0.0);
    }
    None
}

/// The four sides of a `padding` shorthand.
fn sides(value: &str, font: f64) -> [f64; 4] {
    let lengths: Vec<f64> = value.split_whitespace().map(|v| px(v, font).unwrap_or(0.0)).collect();
    match lengths.as_slice() {
        [all] => [*all; 4],
        [vertical, horizontal] => [*vertical, *horizontal, *vertical, *horizontal],
        [top, horizontal, bottom] => [*top, *horizontal, *bottom, *horizontal],
        [top, right, bottom, left, ..] => [*top, *right, *bottom, *left],
        [] => [0.0; 4],
    }
}

#[derive(Debug, Clone)]
struct Frame {
    name: String,
    classes: Vec<String>,
    color: Option<Rgb>,
    bg: Option<Rgb>,
    dark_color: Option<Rgb>,
    dark_bg: Option<Rgb>,
    font: f64,
    bold: bool,
    hidden: bool,
}

struct DarkRule {
    compounds: Vec<(Option<String>, Vec<String>)>,
    color: Option<Rgb>,
    bg: Option<Rgb>,
}

#[derive(Default)]
struct Link {
    line: u32,
    block: Option<String>,
    text: String,
    label: Option<String>,
    images: u32,
    image_alts: String,
    empty_alt_images: u32,
    target_height: Option<f64>,
}

/// Runs the accessibility checks.
#[allow(clippy::too_many_lines)]
pub fn check(markup: &Markup, findings: &mut Vec<Finding>) {
    let dark = dark_rules(markup);
    let mut stack: Vec<Frame> = vec![Frame {
        name: String::new(),
        classes: Vec::new(),
        color: None,
        bg: None,
        dark_color: None,
        dark_bg: None,
        font: 16.0,
        bold: false,
        hidden: false,
    }];
    let mut styles: HashMap<&str, Vec<(String, String)>> = HashMap::new();
    let mut html_seen = false;
    let mut title: Option<String> = None;
    let mut in_title = false;
    let mut in_head_raw = false;
    let mut last_heading: Option<u8> = None;
    let mut tables: Vec<(u32, Option<String>, bool, bool)> = Vec::new();
    let mut link: Option<Link> = None;
    let mut reported: BTreeSet<(String, Option<String>, String)> = BTreeSet::new();
    let mut push = |findings: &mut Vec<Finding>, f: Finding| {
        let key = (f.rule.clone(), f.block.clone(), f.subject.clone());
        if reported.insert(key) {
            findings.push(f);
        }
    };
    for ev in &markup.events {
        let block = markup.block_of(ev);
        match &ev.event {
            Event::Start {
                name,
                attrs,
                self_closing,
            } => {
                let name = name.as_str();
                in_title = name == "title";
                in_head_raw = matches!(name, "style" | "script");
                if name == "html" && !html_seen {
                    html_seen = true;
                    if attr(attrs, "lang").is_none_or(|l| l.trim().is_empty()) {
                        push(
                            findings,
                            Finding::new(
                                "a11y:lang",
                                Category::Accessibility,
                                Level::Error,
                                "<html> has no lang: screen readers guess the language and mispronounce the email",
                            )
                            .at(None, ev.line),
                        );
                    }
                    if attr(attrs, "dir").is_none_or(|d| d.trim().is_empty()) {
                        push(
                            findings,
                            Finding::new(
                                "a11y:dir",
                                Category::Accessibility,
                                Level::Warning,
                                "<html> has no dir (ltr or rtl): right-to-left languages may display backwards",
                            )
                            .at(None, ev.line),
                        );
                    }
                }
                let parent = stack.last().cloned().unwrap_or_else(|| Frame {
                    name: String::new(),
                    classes: Vec::new(),
                    color: None,
                    bg: None,
                    dark_color: None,
                    dark_bg: None,
                    font: 16.0,
                    bold: false,
                    hidden: false,
                });
                let mut frame = Frame {
                    name: name.to_owned(),
                    classes: attr(attrs, "class")
                        .map(|c| c.split_whitespace().map(str::to_owned).collect())
                        .unwrap_or_default(),
                    bg: None,
                    dark_bg: None,
                    ..parent.clone()
                };
                if matches!(name, "b" | "strong" | "th") || (name.len() == 2 && name.starts_with('h')) {
                    frame.bold = true;
                }
                if let Some(bg) = attr(attrs, "bgcolor").and_then(color::parse) {
                    frame.bg = Some(bg);
                }
                // Repeated elements repeat their style attribute: split each one once.
                let decls: &[(String, String)] = match attr(attrs, "style") {
                    Some(style) => styles.entry(style).or_insert_with(|| declarations(style)),
                    None => &[],
                };
                let mut padding = [0.0; 4];
                let mut line_height = None;
                let mut display = String::new();
                for (p, v) in decls {
                    match p.as_str() {
                        "color" => frame.color = color::parse(v).or(frame.color),
                        "background-color" => frame.bg = color::parse(v).or(frame.bg),
                        "background" => frame.bg = color::first_color(v).or(frame.bg),
                        "font-size" => {
                            if let Some(n) = px(v, parent.font) {
                                frame.font = n;
                            }
                        }
                        "font-weight" => {
                            frame.bold = v.contains("bold") || v.trim().parse::<u32>().is_ok_and(|w| w >= 600);
                        }
                        "display" => {
                            display = v.trim().to_ascii_lowercase();
                            if display.starts_with("none") {
                                frame.hidden = true;
                            }
                        }
                        "visibility" if v.trim().starts_with("hidden") => frame.hidden = true,
                        "opacity" if v.trim().parse::<f64>().is_ok_and(|o| o == 0.0) => frame.hidden = true,
                        "max-height" if px(v, 16.0) == Some(0.0) => frame.hidden = true,
                        "mso-hide" if v.trim() == "all" => frame.hidden = true,
                        "padding" => padding = sides(v, frame.font),
                        "padding-top" => padding[0] = px(v, frame.font).unwrap_or(0.0),
                        "padding-bottom" => padding[2] = px(v, frame.font).unwrap_or(0.0),
                        "line-height" => line_height = Some(v.clone()),
                        _ => {}
                    }
                }
                if attr(attrs, "aria-hidden") == Some("true") || attr(attrs, "hidden").is_some() {
                    frame.hidden = true;
                }
                // The email's own dark-mode rules for this element.
                for rule in &dark {
                    if matches_rule(&rule.compounds, &stack, &frame) {
                        if rule.color.is_some() {
                            frame.dark_color = rule.color;
                        }
                        if rule.bg.is_some() {
                            frame.dark_bg = rule.bg;
                        }
                    }
                }
                match name {
                    "img" => {
                        image(attrs, block, ev.line, &frame, link.as_mut(), &mut |f| push(findings, f));
                    }
                    "table" => {
                        let role = attr(attrs, "role").map(str::to_ascii_lowercase);
                        let presentation = matches!(role.as_deref(), Some("presentation" | "none"));
                        tables.push((ev.line, block.map(str::to_owned), presentation, false));
                    }
                    "th" | "caption" => {
                        if let Some(t) = tables.last_mut() {
                            t.3 = true;
                        }
                    }
                    "a" => {
                        let lh = line_height
                            .as_deref()
                            .and_then(|l| {
                                px(l, frame.font).or_else(|| l.trim().parse::<f64>().ok().map(|m| m * frame.font))
                            })
                            .unwrap_or(frame.font * 1.2);
                        let padded = padding[0] + padding[2] > 0.0;
                        let boxed = display.starts_with("block") || display.starts_with("inline-block");
                        link = Some(Link {
                            line: ev.line,
                            block: block.map(str::to_owned),
                            label: attr(attrs, "aria-label").map(str::to_owned),
                            target_height: (padded || boxed).then_some(lh + padding[0] + padding[2]),
                            ..Link::default()
                        });
                    }
                    h if h.len() == 2 && h.starts_with('h') => {
                        if let Some(level) = h
                            .get(1..)
                            .and_then(|d| d.parse::<u8>().ok())
                            .filter(|l| (1..=6).contains(l))
                        {
                            if let Some(prev) = last_heading {
                                if level > prev + 1 {
                                    push(
                                        findings,
                                        Finding::new(
                                            "a11y:heading-order",
                                            Category::Accessibility,
                                            Level::Warning,
                                            format!("<h{level}> follows <h{prev}>: a heading level is skipped"),
                                        )
                                        .at(block, ev.line)
                                        .about(format!("<h{level}>")),
                                    );
                                }
                            }
                            last_heading = Some(level);
                        }
                    }
                    _ => {}
                }
                if !is_void(name) && !self_closing {
                    stack.push(frame);
                }
            }
            Event::End(name) => {
                in_title = false;
                in_head_raw = false;
                if name == "a" {
                    if let Some(l) = link.take() {
                        link_end(&l, &mut |f| push(findings, f));
                    }
                }
                if name == "table" {
                    if let Some((line, tblock, presentation, data)) = tables.pop() {
                        if !presentation && !data {
                            push(
                                findings,
                                Finding::new(
                                    "a11y:table-role",
                                    Category::Accessibility,
                                    Level::Error,
                                    "a layout table has no role=\"presentation\": screen readers announce its rows and columns",
                                )
                                .at(tblock.as_deref(), line)
                                .about("<table>"),
                            );
                        }
                    }
                }
                if let Some(pos) = stack.iter().rposition(|f| f.name == *name) {
                    if pos > 0 {
                        stack.truncate(pos);
                    }
                }
            }
            Event::Text(text) => {
                if in_title {
                    title.get_or_insert_with(String::new).push_str(text);
                    continue;
                }
                if in_head_raw || text.trim().is_empty() {
                    continue;
                }
                let Some(frame) = stack.last() else {
                    continue;
                };
                if let Some(l) = link.as_mut() {
                    l.text.push_str(text);
                }
                if frame.hidden || stack.iter().any(|f| f.hidden) {
                    continue;
                }
                text_checks(text, frame, &stack, block, ev.line, &mut |f| push(findings, f));
            }
            Event::Comment { .. } | Event::Doctype(_) => {}
        }
    }
    if title.as_deref().is_none_or(|t| t.trim().is_empty()) {
        push(
            findings,
            Finding::new(
                "a11y:title",
                Category::Accessibility,
                Level::Error,
                "the email has no <title> (or an empty one): screen readers and browsers show nothing for it",
            ),
        );
    }
}

fn image(
    attrs: &[(String, String)],
    block: Option<&str>,
    line: u32,
    frame: &Frame,
    open_link: Option<&mut Link>,
    push: &mut dyn FnMut(Finding),
) {
    let decorative =
        matches!(attr(attrs, "role"), Some("presentation" | "none")) || attr(attrs, "aria-hidden") == Some("true");
    let src = attr(attrs, "src").unwrap_or_default();
    let alt = attr(attrs, "alt");
    if let Some(l) = open_link {
        l.images += 1;
        match alt {
            Some(a) if !a.trim().is_empty() => {
                l.image_alts.push(' ');
                l.image_alts.push_str(a);
            }
            _ => l.empty_alt_images += 1,
        }
        let height = attr(attrs, "height").and_then(|h| px(&format!("{}px", h.trim_end_matches("px")), frame.font));
        if let Some(h) = height {
            l.target_height = Some(l.target_height.unwrap_or(0.0).max(h));
        }
    }
    match alt {
        None if !decorative => push(
            Finding::new(
                "a11y:img-alt",
                Category::Accessibility,
                Level::Error,
                "an image has no alt attribute: screen readers read its file name, and clients that block images show nothing (use alt=\"\" for decorative images)",
            )
            .at(block, line)
            .about(src.to_owned()),
        ),
        Some(a) if looks_like_file_name(a) => push(
            Finding::new(
                "a11y:img-alt-filename",
                Category::Accessibility,
                Level::Error,
                format!("an image's alt text is a file name (\"{a}\"): describe the image, or use alt=\"\" if it is decorative"),
            )
            .at(block, line)
            .about(a.to_owned()),
        ),
        _ => {}
    }
}

/// `hero_01.jpg`, `IMG_2034`, `banner-final.png`.
#[must_use]
pub fn looks_like_file_name(alt: &str) -> bool {
    let a = alt.trim().to_ascii_lowercase();
    if a.is_empty() || a.contains(' ') {
        return false;
    }
    let extension = [".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg", ".bmp", ".avif"]
        .iter()
        .any(|e| a.ends_with(e));
    let camera = (a.starts_with("img_") || a.starts_with("dsc") || a.starts_with("image"))
        && a.chars().any(|c| c.is_ascii_digit());
    extension || camera || (a.contains('_') && a.chars().any(|c| c.is_ascii_digit()))
}

fn link_end(l: &Link, push: &mut dyn FnMut(Finding)) {
    let text = l.text.split_whitespace().collect::<Vec<_>>().join(" ");
    let name = format!("{text}{}", l.image_alts).trim().to_owned();
    let block = l.block.as_deref();
    if name.is_empty() && l.label.as_deref().is_none_or(|s| s.trim().is_empty()) {
        let message = if l.images > 0 {
            "a link's only content is an image with empty or missing alt text: screen readers announce it as an unnamed link"
        } else {
            "a link has no text: screen readers announce it as an unnamed link"
        };
        push(Finding::new("a11y:link-name", Category::Accessibility, Level::Error, message).at(block, l.line));
        return;
    }
    let lower = name
        .to_lowercase()
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_owned();
    if GENERIC_LINK_TEXT.contains(&lower.as_str()) {
        push(
            Finding::new(
                "a11y:link-text",
                Category::Accessibility,
                Level::Warning,
                format!(
                    "link text \"{name}\" says nothing about where it goes (screen readers list links by their text)"
                ),
            )
            .at(block, l.line)
            .about(name.clone()),
        );
    }
    if let Some(h) = l.target_height {
        if h < MIN_TAP_PX {
            push(
                Finding::new(
                    "a11y:tap-target",
                    Category::Accessibility,
                    Level::Warning,
                    format!(
                        "a button or image link is {h:.0} px tall on a {PHONE_WIDTH_PX:.0} px wide phone: tap targets need {MIN_TAP_PX:.0} px"
                    ),
                )
                .at(block, l.line)
                .about(name),
            );
        }
    }
}

fn text_checks(
    text: &str,
    frame: &Frame,
    stack: &[Frame],
    block: Option<&str>,
    line: u32,
    push: &mut dyn FnMut(Finding),
) {
    let large = frame.font >= 24.0 || (frame.bold && frame.font >= 18.66);
    let need = if large { 3.0 } else { 4.5 };
    let fg = frame.color.unwrap_or(Rgb::BLACK);
    let bg = stack.iter().rev().find_map(|f| f.bg).unwrap_or(Rgb::WHITE);
    let ratio = contrast(fg, bg);
    let sample = || -> String {
        text.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .chars()
            .take(40)
            .collect()
    };
    if ratio < need {
        push(
            Finding::new(
                "a11y:contrast",
                Category::Accessibility,
                Level::Error,
                format!(
                    "text {} on {} has a contrast of {ratio:.2}:1, below WCAG AA's {need}:1 (\"{sample}\")",
                    fg.hex(),
                    bg.hex(),
                    sample = sample()
                ),
            )
            .at(block, line)
            .about(fg.hex()),
        );
    }
    // Dark mode: only where the email's own dark rules set a colour on the way.
    let text_in_dark = stack.iter().rev().find_map(|f| f.dark_color);
    let nearest_bg = stack.iter().rposition(|f| f.dark_bg.is_some() || f.bg.is_some());
    let background_in_dark = nearest_bg.and_then(|i| stack.get(i)).and_then(|f| f.dark_bg.or(f.bg));
    let touched = text_in_dark.is_some() || stack.iter().any(|f| f.dark_bg.is_some());
    if touched {
        let fg = text_in_dark.unwrap_or(fg);
        let bg = background_in_dark.unwrap_or(bg);
        let ratio = contrast(fg, bg);
        if ratio < need {
            push(
                Finding::new(
                    "a11y:contrast-dark",
                    Category::Accessibility,
                    Level::Error,
                    format!(
                        "in dark mode, text {} on {} has a contrast of {ratio:.2}:1, below WCAG AA's {need}:1 (\"{sample}\")",
                        fg.hex(),
                        bg.hex(),
                        sample = sample()
                    ),
                )
                .at(block, line)
                .about(fg.hex()),
            );
        }
    }
    if frame.font < MIN_FONT_PX {
        push(
            Finding::new(
                "a11y:font-size",
                Category::Accessibility,
                Level::Warning,
                format!(
                    "text set in {:.0} px is hard to read and iOS enlarges anything under {MIN_FONT_PX:.0} px (\"{}\")",
                    frame.font,
                    sample()
                ),
            )
            .at(block, line)
            .about(format!("{:.0}px", frame.font)),
        );
    }
}

fn dark_rules(markup: &Markup) -> Vec<DarkRule> {
    let mut out = Vec::new();
    let mut in_style = false;
    for ev in &markup.events {
        match &ev.event {
            Event::Start { name, .. } => in_style = name == "style",
            Event::Text(text) if in_style => {
                for rule in css::stylesheet(text).rules {
                    let in_dark_media = rule.media.contains("prefers-color-scheme") && rule.media.contains("dark");
                    let color = rule
                        .declarations
                        .iter()
                        .rev()
                        .find(|(p, _)| p == "color")
                        .and_then(|(_, v)| color::parse(v));
                    let bg = rule
                        .declarations
                        .iter()
                        .rev()
                        .find(|(p, _)| p == "background-color" || p == "background")
                        .and_then(|(_, v)| color::first_color(v));
                    if color.is_none() && bg.is_none() {
                        continue;
                    }
                    for selector in rule.selector.split(',') {
                        // Outlook.com's dark mode marks the elements it recolours with
                        // `data-ogsc` (text) and `data-ogsb` (background): the email's rules
                        // under those attributes are its dark colours for Outlook.com.
                        let selector = selector.trim();
                        let (selector, color, bg) = if let Some(rest) = selector.strip_prefix("[data-ogsc]") {
                            (rest, color, None)
                        } else if let Some(rest) = selector.strip_prefix("[data-ogsb]") {
                            (rest, None, bg)
                        } else if in_dark_media {
                            (selector, color, bg)
                        } else {
                            continue;
                        };
                        if color.is_none() && bg.is_none() {
                            continue;
                        }
                        let scan = scan_selector(selector);
                        if !scan.complex {
                            out.push(DarkRule {
                                compounds: scan.compounds,
                                color,
                                bg,
                            });
                        }
                    }
                }
            }
            _ => in_style = false,
        }
    }
    out
}

fn compound_matches(compound: &(Option<String>, Vec<String>), frame: &Frame) -> bool {
    compound.0.as_ref().is_none_or(|n| *n == frame.name) && compound.1.iter().all(|c| frame.classes.contains(c))
}

/// Whether a rule of compounds joined by descendant combinators matches `frame` under `stack`.
fn matches_rule(compounds: &[(Option<String>, Vec<String>)], stack: &[Frame], frame: &Frame) -> bool {
    let Some((last, ancestors)) = compounds.split_last() else {
        return false;
    };
    if !compound_matches(last, frame) {
        return false;
    }
    let mut rest = ancestors.iter().rev().peekable();
    for f in stack.iter().rev() {
        match rest.peek() {
            Some(c) if compound_matches(c, f) => {
                rest.next();
            }
            Some(_) => {}
            None => break,
        }
    }
    rest.peek().is_none()
}
