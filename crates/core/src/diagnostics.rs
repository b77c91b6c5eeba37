//! Problems found in a document, each tied to the block and field a designer can fix.

use serde::Serialize;

/// How serious a problem is.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The email renders, but something is likely wrong (e.g. a field missing from the dictionary).
    Warning,
    /// The email cannot render as designed.
    Error,
}

/// One problem, located.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(optional_fields))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// The block instance id, when the problem is in a block.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub block: Option<String>,
    /// The field (or `show_if`, `subject`, ...), when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// What is wrong, in a designer's words.
    pub message: String,
}

impl Diagnostic {
    /// An error.
    #[must_use]
    pub fn error(block: Option<&str>, field: Option<&str>, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Error,
            block: block.map(str::to_owned),
            field: field.map(str::to_owned),
            message: message.into(),
        }
    }

    /// A warning.
    #[must_use]
    pub fn warning(block: Option<&str>, field: Option<&str>, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Warning,
            ..Self::error(block, field, message)
        }
    }
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.block, &self.field) {
            (Some(b), Some(field)) => write!(f, "block \"{b}\", field \"{field}\": {}", self.message),
            (Some(b), None) => write!(f, "block \"{b}\": {}", self.message),
            (None, Some(field)) => write!(f, "{field}: {}", self.message),
            (None, None) => f.write_str(&self.message),
        }
    }
}

/// A `serde_json` error's message without its trailing `at line N column M`, for messages that
/// state the location themselves.
#[must_use]
pub fn without_serde_location(e: &serde_json::Error) -> String {
    let message = e.to_string();
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message,
    }
}
