//! The field mapping: which Tessera data path each ESP field name stands for. From the user's
//! mapping file (`--map FILE.toml`, a `[fields]` table of `"ESP name" = "data.path"`), else matched
//! by name against the data dictionary; anything else stays unmapped (kept as literal text).

use std::collections::BTreeMap;

use crate::error::{line_of, ImportError};

/// ESP field names mapped to Tessera data paths, as the user confirmed them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldMapping {
    /// ESP name (as written in the email, e.g. `FNAME`, `customer.first_name`) to data path.
    pub fields: BTreeMap<String, String>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct MappingFile {
    #[serde(default)]
    fields: BTreeMap<String, String>,
}

impl FieldMapping {
    /// Reads a mapping file's text (`file` names it in errors).
    ///
    /// # Errors
    /// [`ImportError::Mapping`] with the line and reason: TOML that does not parse, unknown tables,
    /// or a value that is not a data path like `profile.first_name`.
    pub fn from_toml(file: &str, text: &str) -> Result<Self, ImportError> {
        let parsed: MappingFile = toml::from_str(text).map_err(|e| ImportError::Mapping {
            file: file.to_owned(),
            line: e.span().map_or(0, |s| line_of(text, s.start)),
            reason: e.message().to_owned(),
        })?;
        for (name, path) in &parsed.fields {
            if !is_data_path(path) {
                let at = text.find(path.as_str()).map_or(0, |o| line_of(text, o));
                return Err(ImportError::Mapping {
                    file: file.to_owned(),
                    line: at,
                    reason: format!("\"{name}\" maps to \"{path}\", which is not a data path like profile.first_name"),
                });
            }
        }
        Ok(Self { fields: parsed.fields })
    }
}

/// A data path: letters, digits, `_` and `-` in dot-separated segments, starting with a letter.
#[must_use]
pub(crate) fn is_data_path(s: &str) -> bool {
    !s.is_empty()
        && s.starts_with(|c: char| c.is_ascii_alphabetic())
        && s.split('.')
            .all(|seg| !seg.is_empty() && seg.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'))
}

/// Where a resolved name came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    Map,
    Dictionary,
}

/// Resolves ESP names: the mapping file first, then the dictionary by name.
pub(crate) struct Resolver<'a> {
    mapping: &'a FieldMapping,
    dictionary: &'a [String],
}

/// Mailchimp's conventional audience fields and the names dictionaries use for them.
const ALIASES: &[(&str, &str)] = &[
    ("fname", "firstname"),
    ("lname", "lastname"),
    ("email", "email"),
    ("phone", "phone"),
];
/// Prefixes ESPs put before a profile field (`customer.`, `lead.` in Marketo, `contact.` in `HubSpot`).
const PREFIXES: &[&str] = &["customer.", "contact.", "lead.", "subscriber.", "profile.", "user."];

fn normalized(name: &str) -> String {
    name.chars()
        .filter(|c| *c != '_' && *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

impl<'a> Resolver<'a> {
    pub(crate) fn new(mapping: &'a FieldMapping, dictionary: &'a [String]) -> Self {
        Self { mapping, dictionary }
    }

    /// The data path an ESP name stands for, and where that came from.
    pub(crate) fn resolve(&self, esp_name: &str) -> Option<(String, Source)> {
        if let Some(path) = self.mapping.fields.get(esp_name) {
            return Some((path.clone(), Source::Map));
        }
        if self.dictionary.iter().any(|p| p == esp_name) {
            return Some((esp_name.to_owned(), Source::Dictionary));
        }
        let lower = esp_name.to_ascii_lowercase();
        let bare = PREFIXES.iter().find_map(|p| lower.strip_prefix(p)).unwrap_or(&lower);
        if bare.contains('.') {
            return None;
        }
        let mut wanted = normalized(bare);
        if let Some((_, alias)) = ALIASES.iter().find(|(a, _)| *a == wanted) {
            (*alias).clone_into(&mut wanted);
        }
        let mut matches = self
            .dictionary
            .iter()
            .filter(|p| !p.contains("[]"))
            .filter(|p| p.rsplit('.').next().is_some_and(|last| normalized(last) == wanted));
        match (matches.next(), matches.next()) {
            (Some(one), None) => Some((one.clone(), Source::Dictionary)),
            _ => None,
        }
    }
}
