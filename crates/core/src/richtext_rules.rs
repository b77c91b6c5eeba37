//! The rich-text subset as data: which tags and attributes rich text keeps and which URL schemes
//! are safe. It is read from `crates/core/richtext.json`, the one definition shared with the
//! designer's rich-text editor (`ui/src/lib/richtext.ts`), so the sanitizer and the editor cannot
//! drift apart.

use std::collections::HashMap;
use std::sync::LazyLock;

use serde::Deserialize;

/// The shared file, embedded at build time.
const SOURCE: &str = include_str!("../richtext.json");

/// The rich-text subset (see `richtext.json` for what each list means).
#[derive(Debug, Default, Deserialize)]
pub(crate) struct RichTextRules {
    /// Tags kept with their allowed attributes.
    pub tags: Vec<String>,
    /// Kept tags that have no end tag.
    pub void_tags: Vec<String>,
    /// Tags dropped together with their content.
    pub dropped_with_content: Vec<String>,
    /// Attributes kept per tag; `*` applies to every kept tag.
    pub attributes: HashMap<String, Vec<String>>,
    /// The attribute of a tag that holds a URL (kept only when the URL is safe).
    pub url_attributes: HashMap<String, String>,
    /// URL schemes that are safe in `href`/`src` (a relative URL always is).
    pub url_schemes: Vec<String>,
}

/// The subset, parsed once. A file that does not parse (a test guards against it) leaves an empty
/// subset: every tag dropped and every URL with a scheme refused, never more than the file allows.
pub(crate) static RULES: LazyLock<RichTextRules> = LazyLock::new(|| serde_json::from_str(SOURCE).unwrap_or_default());

impl RichTextRules {
    /// Whether `tag` is kept.
    pub fn keeps_tag(&self, tag: &str) -> bool {
        self.tags.iter().any(|t| t == tag)
    }

    /// Whether `tag` is dropped with its content.
    pub fn drops_content(&self, tag: &str) -> bool {
        self.dropped_with_content.iter().any(|t| t == tag)
    }

    /// Whether `tag` has no end tag.
    pub fn is_void(&self, tag: &str) -> bool {
        self.void_tags.iter().any(|t| t == tag)
    }

    /// Whether attribute `attr` is kept on `tag`.
    pub fn keeps_attribute(&self, tag: &str, attr: &str) -> bool {
        [tag, "*"]
            .iter()
            .filter_map(|t| self.attributes.get(*t))
            .any(|list| list.iter().any(|a| a == attr))
    }

    /// Whether `attr` on `tag` holds a URL.
    pub fn is_url_attribute(&self, tag: &str, attr: &str) -> bool {
        self.url_attributes.get(tag).is_some_and(|a| a == attr)
    }

    /// Whether `scheme` (lower case) is a safe URL scheme.
    pub fn is_safe_scheme(&self, scheme: &[u8]) -> bool {
        self.url_schemes.iter().any(|s| s.as_bytes() == scheme)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shared_file_parses_and_is_not_empty() {
        let rules: RichTextRules = serde_json::from_str(SOURCE).expect("crates/core/richtext.json parses");
        assert!(rules.keeps_tag("p") && rules.keeps_tag("a"));
        assert!(rules.drops_content("script"));
        assert!(rules.keeps_attribute("a", "href") && rules.keeps_attribute("p", "title"));
        assert!(!rules.keeps_attribute("p", "style"));
        assert!(rules.is_safe_scheme(b"https") && !rules.is_safe_scheme(b"javascript"));
        assert_eq!(RULES.tags, rules.tags);
    }
}
