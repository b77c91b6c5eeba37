//! `tessera.toml`: workspace name, brand defaults and the data dictionary.

use serde::Deserialize;
use serde_json::{Map, Value};
use tessera_core::model::DictionaryField;

/// The parsed `tessera.toml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// `[workspace]`.
    #[serde(default)]
    pub workspace: WorkspaceMeta,
    /// `[brand]`: default settings for every email.
    #[serde(default)]
    pub brand: Map<String, Value>,
    /// `[[field]]`: the data dictionary.
    #[serde(default, rename = "field")]
    pub fields: Vec<DictionaryField>,
}

/// `[workspace]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkspaceMeta {
    /// A display name.
    #[serde(default)]
    pub name: String,
}

/// The file name that marks a workspace folder.
pub const CONFIG_FILE: &str = "tessera.toml";
