//! The data dictionary: every data field an email may use, its type, and its default fallback.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One entry of the data dictionary (`[[field]]` in `tessera.toml`).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(optional_fields))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DictionaryField {
    /// The data path, e.g. `profile.first_name` or `cart.items[].price`.
    pub path: String,
    /// text, number, boolean, date, `currency_code`, url, email, list or object.
    #[serde(rename = "type")]
    pub field_type: String,
    /// Short name for pickers.
    #[serde(default)]
    pub label: String,
    /// What the field means.
    #[serde(default)]
    pub description: String,
    /// The fallback used when a placeholder has none of its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<Value>,
    /// Where the data comes from (crm, web, commerce, esp).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// An example value for previews and docs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub example: Option<Value>,
}

/// Why a data dictionary could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DictionaryError {
    /// A path is listed twice.
    #[error("the data dictionary lists `{0}` twice")]
    Duplicate(String),
}

/// The data dictionary, by path.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Dictionary {
    fields: BTreeMap<String, DictionaryField>,
}

impl Dictionary {
    /// Builds a dictionary; a path listed twice is an error naming it.
    ///
    /// # Errors
    /// [`DictionaryError::Duplicate`] naming a path listed twice.
    pub fn new(fields: Vec<DictionaryField>) -> Result<Self, DictionaryError> {
        let mut map = BTreeMap::new();
        for f in fields {
            if let Some(previous) = map.insert(f.path.clone(), f) {
                return Err(DictionaryError::Duplicate(previous.path));
            }
        }
        Ok(Self { fields: map })
    }

    /// The entry for a path.
    #[must_use]
    pub fn get(&self, path: &str) -> Option<&DictionaryField> {
        self.fields.get(path)
    }

    /// All entries, by path.
    pub fn iter(&self) -> impl Iterator<Item = &DictionaryField> {
        self.fields.values()
    }

    /// A fingerprint of the defaults, part of the compile cache key.
    #[must_use]
    pub fn fingerprint(&self) -> [u8; 32] {
        let mut h = blake3::Hasher::new();
        for f in self.fields.values() {
            h.update(f.path.as_bytes());
            h.update(&[0]);
            if let Some(d) = &f.default {
                h.update(d.to_string().as_bytes());
            }
            h.update(&[1]);
        }
        *h.finalize().as_bytes()
    }
}
