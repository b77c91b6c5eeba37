//! Block types: a folder with `block.json` (schema), `block.hbs` (markup) and `block.css` (styles).

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The kind of value a field holds; it decides the inspector control and how the value is escaped.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    /// One line of text; may hold placeholders.
    Text,
    /// Limited HTML (paragraphs, emphasis, links, lists); may hold placeholders.
    RichText,
    /// Email HTML (tables, images, links, inline styles) as imported emails carry it: sanitized to
    /// what email clients accept (no scripts, event handlers or unsafe URLs); may hold placeholders.
    Html,
    /// An image URL.
    Image,
    /// A link.
    Url,
    /// A colour, `#rrggbb`.
    Colour,
    /// A number.
    Number,
    /// On or off.
    Boolean,
    /// One of `options`.
    Select,
    /// A path into the recipient's data, e.g. `recommendations`.
    DataPath,
    /// A list of items with `item_fields`.
    List,
}

/// One field of a block type.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(optional_fields))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldSpec {
    /// Name used in the template (`block.NAME`) and the document.
    pub name: String,
    /// The kind of value.
    #[serde(rename = "type")]
    pub field_type: FieldType,
    /// Label in the inspector.
    #[serde(default)]
    pub label: String,
    /// Help text in the inspector.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// The value of a new block.
    #[serde(default)]
    pub default: Value,
    /// The field must not be empty.
    #[serde(default)]
    pub required: bool,
    /// Choices for `select`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "ts", ts(as = "Option<Vec<String>>", optional))]
    pub options: Vec<String>,
    /// Lowest value for `number`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// Highest value for `number`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// The fields of each item of a `list`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "ts", ts(as = "Option<Vec<FieldSpec>>", optional))]
    pub item_fields: Vec<FieldSpec>,
}

/// `block.json`.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlockSchema {
    /// Display name.
    pub name: String,
    /// One sentence on what the block is for.
    #[serde(default)]
    pub description: String,
    /// Palette group: structure, content, commerce, footer.
    #[serde(default)]
    pub category: String,
    /// The fields, in inspector order.
    #[serde(default)]
    pub fields: Vec<FieldSpec>,
    /// Data paths that must be present for the block to show.
    #[serde(default)]
    pub requires: Vec<String>,
    /// Named places for child blocks (containers only).
    #[serde(default)]
    pub slots: Vec<String>,
    /// The live feeds an instance of this type may show (`"live": {"feed": ...}`); none when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "ts", ts(as = "Option<Vec<super::Feed>>", optional))]
    pub live_feeds: Vec<super::Feed>,
}

/// Where a block type comes from.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BlockOrigin {
    /// Shipped inside Tessera.
    BuiltIn,
    /// The workspace's own `blocks/` folder (adds or overrides).
    Workspace,
}

/// A loaded block type.
#[derive(Debug, Clone)]
pub struct BlockType {
    /// The folder name, used as `type` in documents.
    pub id: String,
    /// `block.json`.
    pub schema: BlockSchema,
    /// `block.hbs`.
    pub template_source: String,
    /// `block.css`.
    pub css_source: String,
    /// Parsed `block.hbs`.
    pub(crate) template: Arc<handlebars::Template>,
    /// Parsed `block.css` when it holds tags (`{{settings.NAME}}`), so composing does not parse it
    /// again; `None` when it has none, or when it does not parse (composing reports why).
    pub(crate) css_template: Option<Arc<handlebars::Template>>,
    /// Where it was loaded from.
    pub origin: BlockOrigin,
    /// Hash of the three files, for compile caching.
    pub content_hash: [u8; 32],
}

/// Why a block type could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BlockTypeError {
    /// `block.json` is not valid.
    #[error("{id}/block.json: {message}")]
    Schema {
        /// The block type.
        id: String,
        /// What is wrong.
        message: String,
    },
    /// `block.hbs` does not parse.
    #[error("{id}/block.hbs: {source}")]
    Template {
        /// The block type.
        id: String,
        /// The parse error.
        source: crate::lang::LangError,
    },
    /// The folder name cannot be a block type id.
    #[error("`{0}` is not a valid block type name: use lowercase letters, digits and dashes")]
    BadId(String),
}

impl BlockType {
    /// Builds a block type from its three files.
    ///
    /// # Errors
    /// An invalid `block.json`, an unparsable `block.hbs`, or a bad folder name.
    pub fn from_sources(
        id: &str,
        schema_json: &str,
        template: &str,
        css: &str,
        origin: BlockOrigin,
    ) -> Result<Self, BlockTypeError> {
        if !crate::model::is_valid_id(id) {
            return Err(BlockTypeError::BadId(id.to_owned()));
        }
        let schema: BlockSchema = serde_json::from_str(schema_json).map_err(|e| BlockTypeError::Schema {
            id: id.to_owned(),
            message: format!(
                "line {}, column {}: {}",
                e.line(),
                e.column(),
                crate::diagnostics::without_serde_location(&e)
            ),
        })?;
        let mut seen = std::collections::HashSet::new();
        for f in &schema.fields {
            if !seen.insert(f.name.as_str()) {
                return Err(BlockTypeError::Schema {
                    id: id.to_owned(),
                    message: format!("field `{}` is declared twice", f.name),
                });
            }
            if f.field_type == FieldType::Select && f.options.is_empty() {
                return Err(BlockTypeError::Schema {
                    id: id.to_owned(),
                    message: format!("select field `{}` has no options", f.name),
                });
            }
        }
        let parsed = handlebars::Template::compile(template).map_err(|e| BlockTypeError::Template {
            id: id.to_owned(),
            source: crate::lang::LangError::from_template_error(&e),
        })?;
        let mut hasher = blake3::Hasher::new();
        for part in [id, schema_json, template, css] {
            hasher.update(&(part.len() as u64).to_le_bytes());
            hasher.update(part.as_bytes());
        }
        Ok(Self {
            id: id.to_owned(),
            schema,
            template_source: template.to_owned(),
            css_source: css.to_owned(),
            template: Arc::new(parsed),
            css_template: parse_css_template(css),
            origin,
            content_hash: *hasher.finalize().as_bytes(),
        })
    }

    /// The field named `name`.
    #[must_use]
    pub fn field(&self, name: &str) -> Option<&FieldSpec> {
        self.schema.fields.iter().find(|f| f.name == name)
    }
}

/// The block types available to a document: built-in ones, overridden or extended by the workspace.
#[derive(Debug, Clone, Default)]
pub struct BlockLibrary {
    types: BTreeMap<String, Arc<BlockType>>,
}

impl BlockLibrary {
    /// An empty library.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a type, replacing one of the same id (workspace blocks override built-in ones).
    pub fn insert(&mut self, block: BlockType) {
        self.types.insert(block.id.clone(), Arc::new(block));
    }

    /// The type with this id.
    #[must_use]
    pub fn get(&self, id: &str) -> Option<&Arc<BlockType>> {
        self.types.get(id)
    }

    /// All types, by id.
    pub fn iter(&self) -> impl Iterator<Item = &Arc<BlockType>> {
        self.types.values()
    }

    /// All type ids.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.types.keys().map(String::as_str)
    }
}

/// `block.css` parsed once, when it holds tags and nothing the lowering refuses before parsing (the
/// markers' private-use characters); otherwise composing lowers the source and reports its errors.
fn parse_css_template(css: &str) -> Option<Arc<handlebars::Template>> {
    let plain = !css.contains("{{");
    let reserved = css.contains(|c| matches!(c, '\u{E000}'..='\u{E002}'));
    if plain || reserved {
        return None;
    }
    handlebars::Template::compile(css).ok().map(Arc::new)
}
