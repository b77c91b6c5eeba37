//! What in the markup each caniemail feature is about, derived from the feature titles (the data
//! has no other key: `display:flex`, `<video> element`, `px unit`, `@media (prefers-color-scheme)`,
//! `:hover`, `target attribute`...), indexed for lookups by property, tag, unit and so on.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::data::data;

/// The index of a feature in the data file.
pub type FeatureId = usize;

/// Kinds of selectors caniemail tests on their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SelectorKind {
    /// `a + b`.
    Adjacent,
    /// `[href]` (not `id`/`class`).
    Attribute,
    /// `.a.b`: two classes on one element.
    Chaining,
    /// `a > b`.
    Child,
    /// `.a`.
    Class,
    /// `a b`.
    Descendant,
    /// `a ~ b`.
    Sibling,
    /// `a, b`.
    Grouping,
    /// `#a`.
    Id,
    /// `td`.
    Type,
    /// `*`.
    Universal,
}

/// The lookups from markup to features.
#[derive(Debug, Default)]
pub struct Index {
    /// Property name → features (exact names and listed longhands).
    pub properties: HashMap<String, Vec<FeatureId>>,
    /// (property, first value keyword) → features (`display:flex`).
    pub property_values: HashMap<(String, String), Vec<FeatureId>>,
    /// Value keyword → features (`fit-content`, `system-ui`, `initial`).
    pub keywords: HashMap<String, Vec<FeatureId>>,
    /// Function name → features (`calc`, `var`, `rgba`).
    pub functions: HashMap<String, Vec<FeatureId>>,
    /// Unit (lower case, `%` for percentages) → features.
    pub units: HashMap<String, Vec<FeatureId>>,
    /// `!important`.
    pub important: Vec<FeatureId>,
    /// At-rule name (`media`, `font-face`) → features.
    pub at_rules: HashMap<String, Vec<FeatureId>>,
    /// Media feature (`prefers-color-scheme`, `hover`) → features.
    pub media_features: HashMap<String, Vec<FeatureId>>,
    /// Pseudo-class or pseudo-element name without colons (`hover`, `before`, `has`) → features.
    pub pseudos: HashMap<String, Vec<FeatureId>>,
    /// Selector kinds.
    pub selectors: HashMap<SelectorKind, Vec<FeatureId>>,
    /// `&` in a selector.
    pub nesting: Vec<FeatureId>,
    /// `/* ... */` in CSS.
    pub css_comments: Vec<FeatureId>,
    /// Element name → features.
    pub elements: HashMap<String, Vec<FeatureId>>,
    /// Attribute name → features.
    pub attributes: HashMap<String, Vec<FeatureId>>,
    /// Element with an attribute (and value test).
    pub element_attributes: Vec<(ElementAttribute, FeatureId)>,
    /// `<!-- -->` that is not an Outlook conditional comment.
    pub html_comments: Vec<FeatureId>,
    /// `<!DOCTYPE html>`.
    pub doctype: Vec<FeatureId>,
    /// Image format by file extension or MIME subtype (`png`, `svg+xml`).
    pub image_formats: HashMap<String, Vec<FeatureId>>,
    /// `data:...;base64,` images.
    pub base64_images: Vec<FeatureId>,
}

/// An element-and-attribute feature (`<input type="checkbox"> element`, `mailto: links`).
#[derive(Debug, Clone)]
pub struct ElementAttribute {
    /// The element.
    pub element: &'static str,
    /// The attribute.
    pub attribute: String,
    /// How its value must look.
    pub value: ValueTest,
}

/// A test on an attribute's value.
#[derive(Debug, Clone)]
pub enum ValueTest {
    /// Present, any value.
    Any,
    /// Exactly this value (ASCII case-insensitive).
    Equals(String),
    /// Starting with this (ASCII case-insensitive).
    Prefix(&'static str),
}

impl ValueTest {
    /// Whether `value` passes.
    #[must_use]
    pub fn matches(&self, value: &str) -> bool {
        match self {
            Self::Any => true,
            Self::Equals(v) => value.trim().eq_ignore_ascii_case(v),
            Self::Prefix(p) => value
                .trim()
                .get(..p.len())
                .is_some_and(|head| head.eq_ignore_ascii_case(p)),
        }
    }
}

/// Properties that several titles list by name (caniemail groups them under one feature).
const LISTED_PROPERTIES: &[(&str, &[&str])] = &[
    ("block-size & inline-size", &["block-size", "inline-size"]),
    ("border-inline & border-block", &["border-inline", "border-block"]),
    (
        "border-inline & border-block individual logical properties",
        &[
            "border-block-end",
            "border-block-start",
            "border-inline-end",
            "border-inline-start",
        ],
    ),
    (
        "border-inline & border-block longhand properties",
        &[
            "border-block-color",
            "border-block-style",
            "border-block-width",
            "border-inline-color",
            "border-inline-style",
            "border-inline-width",
        ],
    ),
    (
        "border-radius logical properties",
        &[
            "border-end-end-radius",
            "border-end-start-radius",
            "border-start-end-radius",
            "border-start-start-radius",
        ],
    ),
    ("color-scheme CSS property", &["color-scheme"]),
    (
        "css column properties",
        &[
            "column-count",
            "column-fill",
            "column-gap",
            "column-rule",
            "column-rule-color",
            "column-rule-style",
            "column-rule-width",
            "column-span",
            "column-width",
            "columns",
        ],
    ),
    ("gap, column-gap, row-gap", &["column-gap", "gap", "row-gap"]),
    (
        "grid-template-* properties",
        &[
            "grid-template",
            "grid-template-areas",
            "grid-template-columns",
            "grid-template-rows",
        ],
    ),
    (
        "margin-block-start & margin-block-end",
        &["margin-block-end", "margin-block-start"],
    ),
    ("margin-inline & margin-block", &["margin-block", "margin-inline"]),
    (
        "margin-inline-start & margin-inline-end",
        &["margin-inline-end", "margin-inline-start"],
    ),
    (
        "padding-block-start & padding-block-end",
        &["padding-block-end", "padding-block-start"],
    ),
    ("padding-inline & padding-block", &["padding-block", "padding-inline"]),
    (
        "padding-inline-start & padding-inline-end",
        &["padding-inline-end", "padding-inline-start"],
    ),
    ("left, right, top, bottom", &["left", "right", "top", "bottom"]),
];

/// Value keywords titles list.
const LISTED_KEYWORDS: &[(&str, &[&str])] = &[
    (
        "fit-content, min-content, max-content",
        &["fit-content", "max-content", "min-content"],
    ),
    (
        "system-ui, ui-serif, ui-sans-serif, ui-rounded, ui-monospace",
        &["system-ui", "ui-monospace", "ui-rounded", "ui-sans-serif", "ui-serif"],
    ),
    ("initial unit", &["initial"]),
];

/// Elements whose title does not name them as `<x>`.
const LISTED_ELEMENTS: &[(&str, &[&str])] = &[
    ("address", &["address"]),
    (
        "HTML5 semantics",
        &[
            "article",
            "aside",
            "details",
            "figcaption",
            "figure",
            "footer",
            "header",
            "main",
            "mark",
            "nav",
            "section",
            "summary",
            "time",
        ],
    ),
    ("Image maps", &["map"]),
    ("Embedded <svg> image", &["svg"]),
    ("<h1> to <h6> elements", &["h1", "h2", "h3", "h4", "h5", "h6"]),
    ("<ul>, <ol> and <dl>", &["ul", "ol", "dl"]),
];

/// Selector kinds by title.
const SELECTOR_TITLES: &[(&str, SelectorKind)] = &[
    ("Adjacent sibling combinator", SelectorKind::Adjacent),
    ("Attribute selector", SelectorKind::Attribute),
    ("Chaining selectors", SelectorKind::Chaining),
    ("Child combinator", SelectorKind::Child),
    ("Class selector", SelectorKind::Class),
    ("Descendant combinator", SelectorKind::Descendant),
    ("General sibling combinator", SelectorKind::Sibling),
    ("Grouping selectors", SelectorKind::Grouping),
    ("ID selector", SelectorKind::Id),
    ("Type selector", SelectorKind::Type),
    ("Universal selector *", SelectorKind::Universal),
];

/// Image formats by title: extensions and MIME subtypes.
const IMAGE_FORMATS: &[(&str, &[&str])] = &[
    ("Animated PNG image format", &["apng"]),
    ("AVIF image format", &["avif"]),
    ("BMP image format", &["bmp"]),
    ("GIF image format", &["gif"]),
    ("HEIF image format", &["heic", "heif"]),
    ("ICO image format", &["ico", "vnd.microsoft.icon"]),
    ("JPG image format", &["jpg", "jpeg"]),
    ("PNG image format", &["png"]),
    ("SVG image format", &["svg", "svg+xml"]),
    ("TIFF image format", &["tif", "tiff"]),
    ("webP image format", &["webp"]),
];

fn push<K: std::hash::Hash + Eq>(map: &mut HashMap<K, Vec<FeatureId>>, key: K, id: FeatureId) {
    map.entry(key).or_default().push(id);
}

fn is_property_name(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')
}

/// `display:flex` → (`display`, `flex`).
fn property_value(title: &str) -> Option<(String, String)> {
    let (p, v) = title.split_once(':')?;
    let (p, v) = (p.trim(), v.trim());
    (is_property_name(p) && is_property_name(v)).then(|| (p.to_owned(), v.to_owned()))
}

/// The function names in a title: `lch(), oklch()` → `lch`, `oklch`.
fn function_names(title: &str) -> Vec<String> {
    title
        .split("()")
        .filter_map(|part| {
            let name: String = part
                .chars()
                .rev()
                .take_while(|c| c.is_ascii_lowercase() || *c == '-')
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            (!name.is_empty()).then_some(name)
        })
        .collect()
}

/// `<input type="checkbox"> element` → (`input`, `type`, `checkbox`).
fn element_attribute_pair(title: &str) -> Option<(String, String, String)> {
    let rest = title.strip_prefix('<')?.strip_suffix("> element")?;
    let (element, attr) = rest.split_once(' ')?;
    let (name, value) = attr.split_once('=')?;
    Some((element.to_owned(), name.to_owned(), value.trim_matches('"').to_owned()))
}

/// `<video> element` → `video`.
fn element_name(title: &str) -> Option<String> {
    let start = title.find('<')?;
    let rest = title.get(start + 1..)?;
    let end = rest.find('>')?;
    let name = rest.get(..end)?;
    (!name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric())).then(|| name.to_owned())
}

impl Index {
    fn add(&mut self, id: FeatureId, title: &str, category: &str) {
        let listed =
            |table: &[(&str, &'static [&'static str])]| table.iter().find(|(t, _)| *t == title).map(|(_, v)| *v);
        match category {
            "css" => self.add_css(id, title, listed(LISTED_PROPERTIES), listed(LISTED_KEYWORDS)),
            "html" | "others" => self.add_html(id, title, listed(LISTED_ELEMENTS)),
            "image" => {
                if title == "Base 64 image format" {
                    self.base64_images.push(id);
                }
                for ext in listed(IMAGE_FORMATS).unwrap_or_default() {
                    push(&mut self.image_formats, (*ext).to_owned(), id);
                }
            }
            _ => {}
        }
    }

    fn add_css(&mut self, id: FeatureId, title: &str, properties: Option<&[&str]>, keywords: Option<&[&str]>) {
        if let Some(names) = properties {
            for name in names {
                push(&mut self.properties, (*name).to_owned(), id);
            }
        } else if let Some(names) = keywords {
            for name in names {
                push(&mut self.keywords, (*name).to_owned(), id);
            }
        } else if let Some(media) = title.strip_prefix('@') {
            if let Some((_, features)) = media.split_once(' ') {
                for feature in features.split(',') {
                    let feature = feature.trim().trim_start_matches("@media").trim();
                    let feature = feature.trim_start_matches('(').trim_end_matches(')');
                    push(&mut self.media_features, feature.to_owned(), id);
                }
            } else {
                push(&mut self.at_rules, media.to_owned(), id);
            }
        } else if let Some(kind) = SELECTOR_TITLES.iter().find(|(t, _)| *t == title) {
            push(&mut self.selectors, kind.1, id);
        } else if title == "CSS Nesting" {
            self.nesting.push(id);
        } else if title == "CSS comments" {
            self.css_comments.push(id);
        } else if title == "!important keyword" {
            self.important.push(id);
        } else if title == "CSS Variables (Custom Properties)" {
            push(&mut self.functions, "var".to_owned(), id);
            push(&mut self.properties, "--".to_owned(), id);
        } else if title.starts_with(':') || title == "lang()" {
            let name = title.trim_start_matches(':').trim_end_matches("()");
            push(&mut self.pseudos, name.to_owned(), id);
        } else if title.contains("()") {
            for name in function_names(title) {
                push(&mut self.functions, name, id);
            }
        } else if let Some(unit) = title.strip_suffix(" unit") {
            push(&mut self.units, unit.to_ascii_lowercase(), id);
        } else if let Some(pair) = property_value(title) {
            push(&mut self.property_values, pair, id);
        } else {
            let name = title
                .trim()
                .trim_end_matches(" shorthand")
                .trim_end_matches(" property");
            if is_property_name(name) {
                push(&mut self.properties, name.to_owned(), id);
            }
        }
    }

    fn add_html(&mut self, id: FeatureId, title: &str, elements: Option<&[&str]>) {
        let pair = |element: &'static str, attribute: &str, value: ValueTest| {
            (
                ElementAttribute {
                    element,
                    attribute: attribute.to_owned(),
                    value,
                },
                id,
            )
        };
        if let Some(names) = elements {
            for name in names {
                push(&mut self.elements, (*name).to_owned(), id);
            }
        } else if title == "srcset and sizes attributes" {
            push(&mut self.attributes, "srcset".to_owned(), id);
            push(&mut self.attributes, "sizes".to_owned(), id);
        } else if let Some(name) = title.strip_suffix(" attribute") {
            push(&mut self.attributes, name.to_owned(), id);
        } else if title == "Local anchors" {
            self.element_attributes.push(pair("a", "href", ValueTest::Prefix("#")));
            self.element_attributes.push(pair("a", "name", ValueTest::Any));
        } else if title == "mailto: links" {
            self.element_attributes
                .push(pair("a", "href", ValueTest::Prefix("mailto:")));
        } else if title == "color-scheme meta tag" {
            self.element_attributes
                .push(pair("meta", "name", ValueTest::Equals("color-scheme".to_owned())));
        } else if title == "AMP for Email" {
            self.element_attributes
                .push(pair("html", "\u{26a1}4email", ValueTest::Any));
            self.element_attributes.push(pair("html", "amp4email", ValueTest::Any));
        } else if title == "HTML comments" {
            self.html_comments.push(id);
        } else if title == "HTML5 doctype" {
            self.doctype.push(id);
        } else if let Some((element, attribute, value)) = element_attribute_pair(title) {
            let element: &'static str = match element.as_str() {
                "input" => "input",
                "button" => "button",
                _ => return,
            };
            self.element_attributes
                .push(pair(element, &attribute, ValueTest::Equals(value)));
        } else if let Some(name) = element_name(title) {
            push(&mut self.elements, name, id);
        }
    }

    /// The features a declaration's property name is about: its own title, or else the nearest
    /// shorthand's (`margin-top` → `margin`, `border-top-left-radius` → `border-radius`), and a
    /// custom property (`--x`) → CSS variables.
    pub fn property(&self, name: &str) -> &[FeatureId] {
        if name.starts_with("--") {
            return self.properties.get("--").map_or(&[], Vec::as_slice);
        }
        if let Some(ids) = self.properties.get(name) {
            return ids;
        }
        if let Some(radius) = name.strip_suffix("-radius") {
            if radius.starts_with("border-") {
                return self.properties.get("border-radius").map_or(&[], Vec::as_slice);
            }
        }
        let mut prefix = name;
        while let Some((head, _)) = prefix.rsplit_once('-') {
            if let Some(ids) = self.properties.get(head) {
                return ids;
            }
            prefix = head;
        }
        &[]
    }
}

/// The index, built on first use.
#[must_use]
pub fn index() -> &'static Index {
    static INDEX: OnceLock<Index> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut index = Index::default();
        for (id, f) in data().data.iter().enumerate() {
            index.add(id, &f.title, &f.category);
        }
        index
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn titles(ids: &[FeatureId]) -> Vec<&'static str> {
        ids.iter()
            .filter_map(|id| data().data.get(*id).map(|f| f.title.as_str()))
            .collect()
    }

    #[test]
    fn titles_become_lookups() {
        let ix = index();
        assert_eq!(titles(ix.property("margin-top")), ["margin"]);
        assert_eq!(titles(ix.property("font-size")), ["font-size"]);
        assert_eq!(titles(ix.property("border-top-left-radius")), ["border-radius"]);
        assert_eq!(titles(ix.property("--brand")), ["CSS Variables (Custom Properties)"]);
        assert!(titles(ix.property("column-gap")).contains(&"gap, column-gap, row-gap"));
        let flex = ix.property_values.get(&("display".to_owned(), "flex".to_owned()));
        assert_eq!(titles(flex.map_or(&[], Vec::as_slice)), ["display:flex"]);
        let lab = ix.functions.get("oklab").map_or(&[][..], Vec::as_slice);
        assert_eq!(titles(lab), ["lch(), oklch(), lab(), oklab()"]);
        let dark = ix
            .media_features
            .get("prefers-color-scheme")
            .map_or(&[][..], Vec::as_slice);
        assert_eq!(titles(dark), ["@media (prefers-color-scheme)"]);
        assert_eq!(titles(ix.units.get("px").map_or(&[][..], Vec::as_slice)), ["px unit"]);
        assert_eq!(
            titles(ix.elements.get("h3").map_or(&[][..], Vec::as_slice)),
            ["<h1> to <h6> elements"]
        );
        assert_eq!(
            titles(ix.elements.get("video").map_or(&[][..], Vec::as_slice)),
            ["<video> element"]
        );
        assert_eq!(
            titles(ix.pseudos.get("hover").map_or(&[][..], Vec::as_slice)),
            [":hover"]
        );
        assert!(ix
            .element_attributes
            .iter()
            .any(|(e, _)| e.element == "input" && e.attribute == "type" && e.value.matches("checkbox")));
    }

    #[test]
    fn every_css_and_html_title_has_a_matcher_or_is_known_to_have_none() {
        let ix = index();
        let mut used = vec![false; data().data.len()];
        let mut mark = |ids: &[FeatureId]| {
            for id in ids {
                if let Some(u) = used.get_mut(*id) {
                    *u = true;
                }
            }
        };
        for ids in ix
            .properties
            .values()
            .chain(ix.keywords.values())
            .chain(ix.functions.values())
        {
            mark(ids);
        }
        for ids in ix
            .units
            .values()
            .chain(ix.at_rules.values())
            .chain(ix.media_features.values())
        {
            mark(ids);
        }
        for ids in ix
            .pseudos
            .values()
            .chain(ix.elements.values())
            .chain(ix.attributes.values())
        {
            mark(ids);
        }
        for ids in ix.selectors.values().chain(ix.image_formats.values()) {
            mark(ids);
        }
        for ids in ix.property_values.values() {
            mark(ids);
        }
        mark(&ix.important);
        mark(&ix.nesting);
        mark(&ix.css_comments);
        mark(&ix.html_comments);
        mark(&ix.doctype);
        mark(&ix.base64_images);
        let ea: Vec<FeatureId> = ix.element_attributes.iter().map(|(_, id)| *id).collect();
        mark(&ea);
        let unmatched: Vec<&str> = data()
            .data
            .iter()
            .zip(&used)
            .filter(|(_, u)| !**u)
            .map(|(f, _)| f.title.as_str())
            .collect();
        // Neither markup nor CSS shows these: they are about the message or the image file.
        assert_eq!(
            unmatched,
            ["BIMI", "HDR image format", "Video as Image Assets"],
            "{unmatched:?}"
        );
    }
}
