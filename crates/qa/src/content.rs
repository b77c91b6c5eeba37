//! Content and size: placeholders left unresolved or fallen back, the preheader, image-only emails,
//! Gmail's clipping and the weight of local images.

use crate::markup::{attr, Event, Markup};
use crate::{Category, Finding, Input, Level, Options};

/// Gmail clips messages whose HTML is larger than about 102 KB.
pub const GMAIL_CLIP_BYTES: usize = 102 * 1024;
/// Warn from here on, before Gmail clips.
pub const GMAIL_WARN_BYTES: usize = 90 * 1024;
/// Clients do not show an AMP part larger than this (they show the HTML part instead).
pub const AMP_MAX_BYTES: usize = 200 * 1024;
/// A single image heavier than this loads slowly on phones.
pub const IMAGE_WARN_BYTES: u64 = 200 * 1024;
/// All images together.
pub const IMAGES_TOTAL_WARN_BYTES: u64 = 1024 * 1024;
/// An email with images and less visible text than this (characters) is image-only.
pub const IMAGE_ONLY_TEXT_CHARS: usize = 100;

/// Runs the content checks.
pub fn check(markup: &Markup, input: &Input<'_>, options: &Options<'_>, findings: &mut Vec<Finding>) {
    for fb in &input.fallbacks {
        let block = (fb.block != "subject" && fb.block != "preheader").then_some(fb.block.as_str());
        let mut f = Finding::new(
            "content:fallback",
            Category::Content,
            Level::Warning,
            format!(
                "{} took its fallback \"{}\" for this recipient{}",
                fb.placeholder,
                fb.value,
                fb.field
                    .as_deref()
                    .map(|p| format!(" ({p} is missing)"))
                    .unwrap_or_default()
            ),
        )
        .at(block, 0)
        .about(fb.placeholder.clone());
        if block.is_none() {
            f.field = Some(fb.block.clone());
        }
        findings.push(f);
    }
    let mut text_chars = 0usize;
    let mut images = 0usize;
    let mut total = 0u64;
    let mut in_raw = false;
    for ev in &markup.events {
        let block = markup.block_of(ev);
        match &ev.event {
            Event::Start { name, attrs, .. } => {
                in_raw = matches!(name.as_str(), "style" | "script" | "title");
                if name == "img" {
                    images += 1;
                    let src = attr(attrs, "src").unwrap_or_default();
                    if let Some(size) = options.image_size.and_then(|f| f(src)) {
                        total += size;
                        if size > IMAGE_WARN_BYTES {
                            findings.push(
                                Finding::new(
                                    "content:image-weight",
                                    Category::Content,
                                    Level::Warning,
                                    format!(
                                        "the image {src} weighs {} KB: over {} KB loads slowly on phones",
                                        size / 1024,
                                        IMAGE_WARN_BYTES / 1024
                                    ),
                                )
                                .at(block, ev.line)
                                .about(src.to_owned()),
                            );
                        }
                    }
                }
            }
            Event::Text(t) if !in_raw => {
                text_chars += t.split_whitespace().map(|w| w.chars().count()).sum::<usize>();
                if t.contains("{{") || t.contains("}}") {
                    findings.push(
                        Finding::new(
                            "content:unresolved",
                            Category::Content,
                            Level::Error,
                            "a placeholder was left in the text as written ({{...}}): recipients would see it",
                        )
                        .at(block, ev.line)
                        .about(t.trim().chars().take(60).collect::<String>()),
                    );
                }
            }
            _ => in_raw = false,
        }
    }
    if total > IMAGES_TOTAL_WARN_BYTES {
        findings.push(Finding::new(
            "content:image-weight",
            Category::Content,
            Level::Warning,
            format!(
                "the email's local images weigh {} KB together: over {} KB loads slowly on phones",
                total / 1024,
                IMAGES_TOTAL_WARN_BYTES / 1024
            ),
        ));
    }
    if images > 0 && text_chars < IMAGE_ONLY_TEXT_CHARS {
        findings.push(Finding::new(
            "content:image-only",
            Category::Content,
            Level::Warning,
            format!("the email is almost only images ({text_chars} characters of text): clients that block images show nothing, and spam filters distrust it"),
        ));
    }
    let preheader = input.preheader.trim();
    if preheader.is_empty() {
        let mut f = Finding::new(
            "content:preheader",
            Category::Content,
            Level::Warning,
            "the email has no preheader: inboxes show the first text of the body instead",
        );
        f.field = Some("preheader".to_owned());
        findings.push(f);
    } else if preheader.eq_ignore_ascii_case(input.subject.trim()) {
        let mut f = Finding::new(
            "content:preheader",
            Category::Content,
            Level::Warning,
            "the preheader repeats the subject: the inbox shows the same words twice",
        );
        f.field = Some("preheader".to_owned());
        findings.push(f);
    }
    let bytes = if input.html_bytes > 0 {
        input.html_bytes
    } else {
        input.html.len()
    };
    if let Some(amp) = input.amp_bytes.filter(|b| *b > AMP_MAX_BYTES) {
        findings.push(Finding::new(
            "content:amp-size",
            Category::Content,
            Level::Warning,
            format!(
                "the AMP part is {} KB: clients do not show an AMP part over 200 KB and show the HTML part instead",
                amp.div_ceil(1024)
            ),
        ));
    }
    if bytes > GMAIL_CLIP_BYTES {
        findings.push(Finding::new(
            "content:gmail-clip",
            Category::Content,
            Level::Error,
            format!(
                "the HTML is {} KB: Gmail clips messages over 102 KB and hides the rest (the unsubscribe link with it)",
                bytes / 1024
            ),
        ));
    } else if bytes > GMAIL_WARN_BYTES {
        findings.push(Finding::new(
            "content:gmail-clip",
            Category::Content,
            Level::Warning,
            format!(
                "the HTML is {} KB, close to the 102 KB at which Gmail clips messages",
                bytes / 1024
            ),
        ));
    }
}
