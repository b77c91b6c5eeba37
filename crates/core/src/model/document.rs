//! The email document (`*.email.json`): settings and ordered block instances.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The document format version this engine reads and writes.
pub const SCHEMA_VERSION: u32 = 1;

/// An email: subject, preheader, settings and blocks.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(optional_fields))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Document {
    /// Format version; see [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// A human name, e.g. "Winter sale".
    pub name: String,
    /// The subject line; may hold placeholders.
    #[serde(default)]
    pub subject: String,
    /// The preview text shown after the subject in inboxes; may hold placeholders.
    #[serde(default)]
    pub preheader: String,
    /// Settings that differ from the workspace's brand defaults.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    #[cfg_attr(feature = "ts", ts(as = "Option<Map<String, Value>>", optional))]
    pub settings: Map<String, Value>,
    /// The blocks, top to bottom.
    #[serde(default)]
    pub blocks: Vec<BlockInstance>,
}

/// One block placed in a document.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(optional_fields))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlockInstance {
    /// Unique in the document: lowercase letters, digits and dashes.
    pub id: String,
    /// The block type, e.g. `hero`.
    #[serde(rename = "type")]
    pub block_type: String,
    /// Content fetched again at open time (AMP and live images); the send-time render is unchanged
    /// and stays the fallback. Top-level blocks only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub live: Option<super::LiveSpec>,
    /// Field values that differ from the type's defaults.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    #[cfg_attr(feature = "ts", ts(as = "Option<Map<String, Value>>", optional))]
    pub fields: Map<String, Value>,
    /// Show the block only when this condition holds, e.g. `in_segment "vip"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub show_if: Option<String>,
    /// Hide the block when this condition holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hide_if: Option<String>,
    /// Data paths that must be present (besides the type's own) for the block to show.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "ts", ts(as = "Option<Vec<String>>", optional))]
    pub requires: Vec<String>,
    /// What shows when the block cannot: another block, or nothing.
    #[serde(default, skip_serializing_if = "Fallback::is_hide")]
    #[cfg_attr(feature = "ts", ts(as = "Option<ts_shapes::Fallback>", optional))]
    pub fallback: Fallback,
    /// Child blocks of container types (e.g. the `left` and `right` of `columns`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[cfg_attr(feature = "ts", ts(as = "Option<BTreeMap<String, Vec<BlockInstance>>>", optional))]
    pub slots: BTreeMap<String, Vec<BlockInstance>>,
    /// On which screens the block shows (every screen when absent).
    #[serde(default, skip_serializing_if = "Device::is_all")]
    #[cfg_attr(feature = "ts", ts(as = "Option<Device>", optional))]
    pub device: Device,
    /// Colours and an image for clients in dark mode (none when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dark: Option<BlockDark>,
}

/// On which screens a block shows: desktop-only blocks hide below the mobile breakpoint,
/// mobile-only blocks show only there (and never in Outlook for Windows).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Device {
    /// Every screen.
    #[default]
    All,
    /// Wider than the mobile breakpoint only.
    Desktop,
    /// The mobile breakpoint and narrower only.
    Mobile,
}

impl Device {
    /// True for [`Device::All`].
    #[must_use]
    pub fn is_all(&self) -> bool {
        matches!(self, Self::All)
    }
}

/// A block's look in dark mode: each part is optional (empty keeps the light look).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(optional_fields))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlockDark {
    /// Background colour, e.g. `#10161a`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    #[cfg_attr(feature = "ts", ts(as = "Option<String>", optional))]
    pub background: String,
    /// Text and link colour.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    #[cfg_attr(feature = "ts", ts(as = "Option<String>", optional))]
    pub text: String,
    /// An image shown instead of the block's first image field (a light logo for dark
    /// backgrounds): an asset path or an https URL.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    #[cfg_attr(feature = "ts", ts(as = "Option<String>", optional))]
    pub image: String,
}

impl BlockDark {
    /// True when nothing is set.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.background.is_empty() && self.text.is_empty() && self.image.is_empty()
    }
}

/// What a block shows when its rule fails or its data is missing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(untagged)]
pub enum Fallback {
    /// `"hide"`: nothing.
    #[default]
    #[serde(with = "hide_keyword")]
    Hide,
    /// Another block instance in its place.
    Block(Box<BlockInstance>),
}

impl Fallback {
    /// True for [`Fallback::Hide`].
    #[must_use]
    pub fn is_hide(&self) -> bool {
        matches!(self, Self::Hide)
    }
}

/// The TypeScript shape of [`Fallback`]: the word `"hide"` or a block.
#[cfg(feature = "ts")]
#[allow(dead_code)] // Only their TypeScript declarations are used.
mod ts_shapes {
    #[derive(ts_rs::TS)]
    #[ts(rename = "Hide")]
    pub enum Hide {
        #[ts(rename = "hide")]
        Hide,
    }

    #[derive(ts_rs::TS)]
    #[ts(untagged)]
    pub enum Fallback {
        Hide(Hide),
        Block(Box<super::BlockInstance>),
    }
}

mod hide_keyword {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str("hide")
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<(), D::Error> {
        let word = String::deserialize(d)?;
        if word == "hide" {
            Ok(())
        } else {
            Err(serde::de::Error::custom(format!(
                "fallback must be \"hide\" or a block, not \"{word}\""
            )))
        }
    }
}

impl Document {
    /// Every block instance, depth first: slots and fallbacks included.
    #[must_use]
    pub fn all_blocks(&self) -> Vec<&BlockInstance> {
        fn walk<'a>(blocks: &'a [BlockInstance], out: &mut Vec<&'a BlockInstance>) {
            for b in blocks {
                out.push(b);
                for children in b.slots.values() {
                    walk(children, out);
                }
                if let Fallback::Block(f) = &b.fallback {
                    walk(std::slice::from_ref(f), out);
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.blocks, &mut out);
        out
    }
}
