//! What the converter knows about HTML elements: raw-text elements, hidden and skipped ones, void
//! elements, block breaks, and the scopes the HTML parsing rules close elements in.

use html5ever::tokenizer::states::RawKind;
use html5ever::{local_name, LocalName};

pub(super) enum Raw {
    Kind(RawKind),
    Plaintext,
}

/// Elements whose content the tokenizer must read as raw text.
pub(super) fn raw_text_kind(name: &LocalName) -> Option<Raw> {
    match *name {
        local_name!("title") | local_name!("textarea") => Some(Raw::Kind(RawKind::Rcdata)),
        local_name!("style")
        | local_name!("xmp")
        | local_name!("iframe")
        | local_name!("noembed")
        | local_name!("noframes") => Some(Raw::Kind(RawKind::Rawtext)),
        local_name!("script") => Some(Raw::Kind(RawKind::ScriptData)),
        local_name!("plaintext") => Some(Raw::Plaintext),
        _ => None,
    }
}

/// Elements whose content never appears in the text.
pub(super) fn is_skipped(name: &LocalName) -> bool {
    matches!(
        *name,
        local_name!("head")
            | local_name!("style")
            | local_name!("script")
            | local_name!("title")
            | local_name!("template")
            | local_name!("iframe")
            | local_name!("noembed")
            | local_name!("noframes")
            | local_name!("svg")
            | local_name!("math")
    )
}

/// Elements that may stay inside `<head>` without closing it.
pub(super) fn is_head_content(name: &LocalName) -> bool {
    matches!(
        *name,
        local_name!("base")
            | local_name!("basefont")
            | local_name!("bgsound")
            | local_name!("link")
            | local_name!("meta")
            | local_name!("title")
            | local_name!("style")
            | local_name!("script")
            | local_name!("noscript")
            | local_name!("template")
            | local_name!("head")
    )
}

pub(super) fn is_void(name: &LocalName) -> bool {
    matches!(
        *name,
        local_name!("area")
            | local_name!("base")
            | local_name!("basefont")
            | local_name!("bgsound")
            | local_name!("br")
            | local_name!("col")
            | local_name!("embed")
            | local_name!("frame")
            | local_name!("hr")
            | local_name!("img")
            | local_name!("image")
            | local_name!("input")
            | local_name!("keygen")
            | local_name!("link")
            | local_name!("meta")
            | local_name!("param")
            | local_name!("source")
            | local_name!("track")
            | local_name!("wbr")
    )
}

pub(super) fn is_heading(name: &LocalName) -> bool {
    matches!(
        *name,
        local_name!("h1")
            | local_name!("h2")
            | local_name!("h3")
            | local_name!("h4")
            | local_name!("h5")
            | local_name!("h6")
    )
}

pub(super) fn is_list(name: &LocalName) -> bool {
    matches!(*name, local_name!("ul") | local_name!("ol"))
}

pub(super) fn is_preformatted(name: &LocalName) -> bool {
    matches!(
        *name,
        local_name!("pre") | local_name!("xmp") | local_name!("listing") | local_name!("plaintext")
    )
}

pub(super) fn is_table_part(name: &LocalName) -> bool {
    matches!(
        *name,
        local_name!("td")
            | local_name!("th")
            | local_name!("tr")
            | local_name!("tbody")
            | local_name!("thead")
            | local_name!("tfoot")
            | local_name!("caption")
    )
}

/// Break requested at the start and end of an element: 2 for a blank line,
/// 1 for a line break, 0 for inline elements.
pub(super) fn block_break(name: &LocalName) -> u8 {
    if is_heading(name) {
        return 2;
    }
    match *name {
        local_name!("p")
        | local_name!("table")
        | local_name!("ul")
        | local_name!("ol")
        | local_name!("blockquote")
        | local_name!("dl") => 2,
        local_name!("div")
        | local_name!("tr")
        | local_name!("td")
        | local_name!("th")
        | local_name!("li")
        | local_name!("center")
        | local_name!("section")
        | local_name!("header")
        | local_name!("footer")
        | local_name!("article")
        | local_name!("pre")
        | local_name!("xmp")
        | local_name!("listing")
        | local_name!("plaintext")
        | local_name!("nav")
        | local_name!("aside")
        | local_name!("main")
        | local_name!("address")
        | local_name!("figure")
        | local_name!("figcaption")
        | local_name!("caption")
        | local_name!("form")
        | local_name!("fieldset")
        | local_name!("legend")
        | local_name!("details")
        | local_name!("summary")
        | local_name!("dt")
        | local_name!("dd")
        | local_name!("hgroup")
        | local_name!("textarea") => 1,
        _ => 0,
    }
}

/// Start tags that close an open `<p>`.
pub(super) fn closes_p(name: &LocalName) -> bool {
    matches!(
        *name,
        local_name!("address")
            | local_name!("article")
            | local_name!("aside")
            | local_name!("blockquote")
            | local_name!("center")
            | local_name!("details")
            | local_name!("dialog")
            | local_name!("dir")
            | local_name!("div")
            | local_name!("dl")
            | local_name!("fieldset")
            | local_name!("figcaption")
            | local_name!("figure")
            | local_name!("footer")
            | local_name!("form")
            | local_name!("header")
            | local_name!("hgroup")
            | local_name!("hr")
            | local_name!("listing")
            | local_name!("main")
            | local_name!("menu")
            | local_name!("nav")
            | local_name!("ol")
            | local_name!("p")
            | local_name!("pre")
            | local_name!("section")
            | local_name!("summary")
            | local_name!("ul")
            | local_name!("xmp")
            | local_name!("plaintext")
    )
}

/// Elements that bound the search for an end tag's element.
pub(super) fn is_scope_boundary(name: &LocalName) -> bool {
    matches!(
        *name,
        local_name!("html")
            | local_name!("table")
            | local_name!("td")
            | local_name!("th")
            | local_name!("caption")
            | local_name!("template")
            | local_name!("marquee")
            | local_name!("object")
            | local_name!("applet")
    )
}

pub(super) fn is_button_scope_boundary(name: &LocalName) -> bool {
    is_scope_boundary(name) || *name == local_name!("button")
}

/// Formatting elements: their end tag closes anything opened inside them.
pub(super) fn is_formatting(name: &LocalName) -> bool {
    matches!(
        *name,
        local_name!("a")
            | local_name!("b")
            | local_name!("big")
            | local_name!("code")
            | local_name!("em")
            | local_name!("font")
            | local_name!("i")
            | local_name!("nobr")
            | local_name!("s")
            | local_name!("small")
            | local_name!("strike")
            | local_name!("strong")
            | local_name!("tt")
            | local_name!("u")
    )
}

/// The HTML spec's "special" category (the parts that matter here).
pub(super) fn is_special(name: &LocalName) -> bool {
    is_heading(name)
        || is_table_part(name)
        || is_scope_boundary(name)
        || closes_p(name)
        || matches!(
            *name,
            local_name!("body")
                | local_name!("button")
                | local_name!("dd")
                | local_name!("dt")
                | local_name!("head")
                | local_name!("iframe")
                | local_name!("li")
                | local_name!("noembed")
                | local_name!("noframes")
                | local_name!("noscript")
                | local_name!("script")
                | local_name!("select")
                | local_name!("style")
                | local_name!("textarea")
                | local_name!("title")
        )
}
