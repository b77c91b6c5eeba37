//! TEMPORARY stand-in until the text module lands.
#![allow(missing_docs)]
pub fn html_to_text(html: &str) -> String {
    html.replace("<!--tsr:", "\u{E000}").replace("-->", "\u{E001}")
}
