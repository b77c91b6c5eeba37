//! The data model: documents, block types, settings and the data dictionary.

mod block_type;
mod dictionary;
mod document;
mod live;
mod settings;

pub use block_type::{BlockLibrary, BlockOrigin, BlockSchema, BlockType, BlockTypeError, FieldSpec, FieldType};
pub use dictionary::{Dictionary, DictionaryError, DictionaryField};
pub use document::{BlockDark, BlockInstance, Device, Document, Fallback, SCHEMA_VERSION};
pub use live::{Feed, LiveSpec, MaxAge, MAX_AGE_MAX, MAX_AGE_MIN};
pub use settings::{Settings, SettingsError};

/// Block ids and type names: lowercase ASCII letters, digits and dashes, starting with a letter.
#[must_use]
pub fn is_valid_id(id: &str) -> bool {
    id.len() <= 64
        && id.starts_with(|c: char| c.is_ascii_lowercase())
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

/// `#rgb`, `#rrggbb` or `transparent`.
#[must_use]
pub(crate) fn is_colour(s: &str) -> bool {
    if s == "transparent" {
        return true;
    }
    s.strip_prefix('#')
        .is_some_and(|hex| matches!(hex.len(), 3 | 6) && hex.chars().all(|c| c.is_ascii_hexdigit()))
}
