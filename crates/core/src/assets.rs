//! Image and font assets of a workspace, as the engine sees them: a field value (or a setting)
//! `assets/<name>` names a file of the workspace's `assets/` folder. Names are content-hashed
//! (`hero-ridge-3f9a0c1b2d4e.png`), so a changed file is a new name and caches never go stale.
//!
//! The engine renders asset paths as written; each consumer maps them to what it can load: the
//! designer's preview to its read-only app protocol, exports to `[assets] base_url`, test sends to
//! CID parts. [`rewrite_asset_urls`] is that one mapping, over finished HTML.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::model::Document;

/// The folder of a workspace that holds assets, and the prefix of an asset path.
pub const ASSETS_DIR: &str = "assets";

/// The file extensions an asset may have: images email clients show, and web fonts.
pub const ASSET_EXTENSIONS: [&str; 8] = ["png", "jpg", "gif", "webp", "woff2", "woff", "ttf", "otf"];

/// Whether `name` is an asset file name: lowercase letters, digits, `-` and `_`, starting with a
/// letter or digit, at most 100 characters, and one of [`ASSET_EXTENSIONS`].
#[must_use]
pub fn is_asset_name(name: &str) -> bool {
    let Some((stem, ext)) = name.rsplit_once('.') else {
        return false;
    };
    name.len() <= 100
        && ASSET_EXTENSIONS.contains(&ext)
        && stem
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && stem
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

/// The asset name of a value such as `assets/logo-0a1b2c3d4e5f.png`, or `None` when the value
/// is not an asset path.
#[must_use]
pub fn asset_name(value: &str) -> Option<&str> {
    let name = value.trim().strip_prefix(ASSETS_DIR)?.strip_prefix('/')?;
    is_asset_name(name).then_some(name)
}

/// The asset path a field holds for an asset name: `assets/<name>`.
#[must_use]
pub fn asset_path(name: &str) -> String {
    format!("{ASSETS_DIR}/{name}")
}

/// Every asset a document refers to: field values (in lists and slots too), fallback blocks,
/// per-block dark images and the document's settings.
#[must_use]
pub fn referenced_assets(doc: &Document) -> BTreeSet<String> {
    fn collect(value: &Value, out: &mut BTreeSet<String>) {
        match value {
            Value::String(s) => {
                if let Some(name) = asset_name(s) {
                    out.insert(name.to_owned());
                }
            }
            Value::Array(items) => items.iter().for_each(|v| collect(v, out)),
            Value::Object(map) => map.values().for_each(|v| collect(v, out)),
            Value::Null | Value::Bool(_) | Value::Number(_) => {}
        }
    }
    let mut out = BTreeSet::new();
    for block in doc.all_blocks() {
        block.fields.values().for_each(|v| collect(v, &mut out));
        if let Some(name) = block.dark.as_ref().and_then(|d| asset_name(&d.image)) {
            out.insert(name.to_owned());
        }
    }
    doc.settings.values().for_each(|v| collect(v, &mut out));
    out
}

/// Every asset the brand settings (`[brand]` in `tessera.toml`) refer to, e.g. a font file.
#[must_use]
pub fn referenced_by_settings(settings: &serde_json::Map<String, Value>) -> BTreeSet<String> {
    settings
        .values()
        .filter_map(Value::as_str)
        .filter_map(asset_name)
        .map(str::to_owned)
        .collect()
}

/// Replaces every asset path in `html` that stands at the start of an attribute value or a CSS
/// `url(...)` (after `"`, `'`, `(` or `=`) with `map(name)`; a path `map` returns `None` for stays
/// as written. Returns the new HTML and the names replaced, in order of first use.
///
/// Asset names are restricted to `[a-z0-9_-]` and one extension, so a path ends at the first
/// other character and the replacement needs no escaping beyond what `map` returns.
pub fn rewrite_asset_urls(html: &str, map: impl Fn(&str) -> Option<String>) -> (String, Vec<String>) {
    let prefix = "assets/";
    let mut out = String::with_capacity(html.len());
    let mut used: Vec<String> = Vec::new();
    let mut last = 0;
    let mut search = 0;
    while let Some(found) = html.get(search..).and_then(|rest| rest.find(prefix)) {
        let start = search + found;
        search = start + prefix.len();
        let opens_value = html
            .get(..start)
            .and_then(|before| before.chars().next_back())
            .is_some_and(|c| matches!(c, '"' | '\'' | '(' | '='));
        if !opens_value {
            continue;
        }
        let rest = html.get(search..).unwrap_or_default();
        let len = rest
            .find(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.')))
            .unwrap_or(rest.len());
        let name = rest.get(..len).unwrap_or_default();
        if !is_asset_name(name) {
            continue;
        }
        let Some(url) = map(name) else { continue };
        out.push_str(html.get(last..start).unwrap_or_default());
        out.push_str(&url);
        last = search + len;
        search = last;
        if !used.iter().any(|u| u == name) {
            used.push(name.to_owned());
        }
    }
    out.push_str(html.get(last..).unwrap_or_default());
    (out, used)
}

/// The URL of an asset under a base URL (`https://cdn.example.com/email/` + name): exactly one
/// `/` between them.
#[must_use]
pub fn join_base_url(base: &str, name: &str) -> String {
    format!("{}/{name}", base.trim_end_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_lowercase_hashed_files_with_known_extensions() {
        for good in ["logo-0a1b2c3d4e5f.png", "a.jpg", "brand_font-1.woff2", "9.gif"] {
            assert!(is_asset_name(good), "{good}");
        }
        for bad in [
            "Logo.png",
            ".png",
            "x.svg",
            "x.jpeg",
            "../x.png",
            "a/b.png",
            "x.png.exe",
            "-x.png",
            "x y.png",
        ] {
            assert!(!is_asset_name(bad), "{bad}");
        }
        assert_eq!(asset_name("assets/logo-1.png"), Some("logo-1.png"));
        assert_eq!(asset_name("https://x.example/assets/logo-1.png"), None);
        assert_eq!(asset_name("assets/../x.png"), None);
        assert_eq!(asset_name("images/logo.png"), None);
    }

    #[test]
    fn rewrites_attribute_values_and_css_urls_only() {
        let html = r#"<img src="assets/a-1.png"><p>see assets/a-1.png</p><style>@font-face{src:url(assets/f-2.woff2)}</style><img src='assets/a-1.png'><img src="assets/Bad.png"><a href="https://x.example/assets/a-1.png">"#;
        let (out, used) = rewrite_asset_urls(html, |n| Some(join_base_url("https://cdn.example/e/", n)));
        assert_eq!(
            out,
            r#"<img src="https://cdn.example/e/a-1.png"><p>see assets/a-1.png</p><style>@font-face{src:url(https://cdn.example/e/f-2.woff2)}</style><img src='https://cdn.example/e/a-1.png'><img src="assets/Bad.png"><a href="https://x.example/assets/a-1.png">"#
        );
        assert_eq!(used, ["a-1.png", "f-2.woff2"]);
        let (same, none) = rewrite_asset_urls(html, |_| None);
        assert_eq!(same, html);
        assert!(none.is_empty());
    }
}
