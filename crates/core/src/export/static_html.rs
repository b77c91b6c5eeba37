//! `html`: the email rendered for one recipient (or with every fallback, for an empty context), for
//! ESPs without a template language. Values and literal text that look like any ESP's syntax are
//! broken up with character references, so an ESP that scans the HTML finds no tag in it.

use serde_json::Value;

use super::{neutralize, ExportInput, Parts};

/// Renders the static export.
#[must_use]
pub fn export(input: &ExportInput<'_>) -> Parts {
    let empty = Value::Object(serde_json::Map::new());
    let rendered = crate::render::render(input.compiled, input.data.unwrap_or(&empty));
    Parts {
        html: neutralize::html(&rendered.html),
        text: rendered.text,
        subject: rendered.subject,
        preheader: rendered.preheader,
        fields: Vec::new(),
        derived: Vec::new(),
        arrays: "none: the email is rendered for one recipient",
        assets: Vec::new(),
        amp: None,
    }
}
