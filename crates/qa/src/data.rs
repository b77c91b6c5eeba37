//! The vendored caniemail data (`data/caniemail.json`, npm `caniemail`, MIT): every feature with
//! its support per client and version, read once and kept for the life of the process.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::OnceLock;

use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

/// The data file, embedded at build time.
const DATA: &str = include_str!("../data/caniemail.json");

/// The parsed data file.
#[derive(Debug, Deserialize)]
pub struct Data {
    /// When caniemail last changed the data (`2026-05-13 14:45:41 +0000`).
    pub last_update_date: String,
    /// Display names of families and platforms.
    pub nicenames: Nicenames,
    /// Every feature.
    pub data: Vec<Feature>,
}

/// Display names.
#[derive(Debug, Deserialize)]
pub struct Nicenames {
    /// Family key → name (`outlook` → `Outlook`).
    pub family: BTreeMap<String, String>,
    /// Platform key → name (`windows` → `Windows`).
    pub platform: BTreeMap<String, String>,
}

/// One feature: a CSS property, value, at-rule, selector, unit or function, an HTML element or
/// attribute, or an image format.
#[derive(Debug, Deserialize)]
pub struct Feature {
    /// The id in caniemail's URLs.
    pub slug: String,
    /// The title the matchers are derived from (`display:flex`, `<video> element`).
    pub title: String,
    /// `css`, `html`, `image` or `others`.
    pub category: String,
    /// The feature's page.
    #[serde(default)]
    pub url: String,
    /// family → platform → versions in the file's order (oldest first).
    pub stats: BTreeMap<String, BTreeMap<String, Versions>>,
    /// Notes by number, referred to as `a #1` in the stats.
    #[serde(default)]
    pub notes_by_num: Option<BTreeMap<String, String>>,
}

/// The tested versions of one client and their result, in the file's order.
#[derive(Debug, Default)]
pub struct Versions(pub Vec<(String, String)>);

impl<'de> Deserialize<'de> for Versions {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Ordered;
        impl<'de> Visitor<'de> for Ordered {
            type Value = Versions;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map of versions to support")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Versions, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, String>()? {
                    out.push((k, v));
                }
                Ok(Versions(out))
            }
        }
        deserializer.deserialize_map(Ordered)
    }
}

/// How well a client supports a feature in its latest tested version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Support {
    /// `y`.
    Full,
    /// `a`, usually with notes (`a #1`). A `y #1` is full support with a note.
    Partial,
    /// `n`.
    None,
    /// `u`: not tested.
    Unknown,
}

/// The support of the version a status string describes, and its note numbers.
#[must_use]
pub fn parse_status(status: &str) -> (Support, Vec<String>) {
    let notes = status
        .split('#')
        .skip(1)
        .map(|n| n.chars().take_while(char::is_ascii_digit).collect::<String>())
        .filter(|n| !n.is_empty())
        .collect();
    let support = match status.chars().next() {
        Some('y') => Support::Full,
        Some('n') => Support::None,
        Some('a') => Support::Partial,
        _ => Support::Unknown,
    };
    (support, notes)
}

impl Feature {
    /// The latest tested version's support for `family.platform` (the last version in the file,
    /// which lists them oldest first), with its notes; `None` when caniemail has no result.
    #[must_use]
    pub fn support(&self, family: &str, platform: &str) -> Option<(Support, Vec<&str>)> {
        let (_, status) = self.stats.get(family)?.get(platform)?.0.last()?;
        let (support, numbers) = parse_status(status);
        let notes = numbers
            .iter()
            .filter_map(|n| self.notes_by_num.as_ref()?.get(n).map(String::as_str))
            .collect();
        Some((support, notes))
    }
}

/// The data, parsed on first use.
///
/// # Panics
/// Never at run time for a build that passed its tests: the file is embedded and a unit test
/// parses it.
#[must_use]
pub fn data() -> &'static Data {
    static PARSED: OnceLock<Data> = OnceLock::new();
    PARSED.get_or_init(|| {
        #[allow(clippy::expect_used)]
        serde_json::from_str(DATA).expect("the embedded caniemail.json parses (checked by a test)")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_data_parses_with_versions_in_file_order() {
        let d = data();
        assert!(d.data.len() > 250, "{}", d.data.len());
        assert!(d.last_update_date.starts_with("20"));
        let flex = d.data.iter().find(|f| f.title == "display:flex");
        let flex = flex.map(|f| f.support("outlook", "windows"));
        assert_eq!(flex.flatten().map(|s| s.0), Some(Support::None));
    }

    #[test]
    fn statuses_parse_with_their_notes() {
        assert_eq!(
            parse_status("a #1 #3"),
            (Support::Partial, vec!["1".into(), "3".into()])
        );
        assert_eq!(parse_status("y"), (Support::Full, vec![]));
        assert_eq!(parse_status("n #2"), (Support::None, vec!["2".into()]));
        assert_eq!(parse_status("u"), (Support::Unknown, vec![]));
    }
}
