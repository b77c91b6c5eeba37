//! Email settings: brand defaults from the workspace, overridden per document.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Why brand settings and a document's overrides do not make valid settings.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SettingsError {
    /// An unknown setting name or a value of the wrong type (serde's message).
    #[error("{0}")]
    Invalid(String),
    /// `width` is outside 200..=1200.
    #[error("width must be between 200 and 1200 pixels, not {0}")]
    Width(u32),
    /// `direction` is neither `ltr` nor `rtl`.
    #[error("direction must be \"ltr\" or \"rtl\", not \"{0}\"")]
    Direction(String),
    /// A colour setting is not a colour.
    #[error("{name} must be a colour like #1f6f50, not \"{value}\"")]
    Colour {
        /// The setting's name.
        name: &'static str,
        /// Its value.
        value: String,
    },
    /// A font setting holds characters a CSS font list cannot have.
    #[error("{name} holds characters a font list cannot have: \"{value}\"")]
    Font {
        /// The setting's name.
        name: &'static str,
        /// Its value.
        value: String,
    },
}

/// The resolved settings of one email. Block templates read them as `settings.NAME`.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// Content width in pixels (desktop).
    pub width: u32,
    /// Body font stack.
    pub font_family: String,
    /// Heading font stack.
    pub heading_font_family: String,
    /// Body text colour.
    pub text_color: String,
    /// Secondary text colour.
    pub muted_text_color: String,
    /// Colour around the email body.
    pub background_color: String,
    /// Colour of the email body.
    pub content_background_color: String,
    /// Link colour.
    pub link_color: String,
    /// Button and highlight colour.
    pub accent_color: String,
    /// Text on the accent colour.
    pub accent_text_color: String,
    /// Lines and borders.
    pub border_color: String,
    /// Locale for currency and dates, e.g. `en-US`.
    pub locale: String,
    /// Default currency code.
    pub currency: String,
    /// Text direction, `ltr` or `rtl`.
    pub direction: String,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            width: 600,
            font_family: "Helvetica, Arial, sans-serif".to_owned(),
            heading_font_family: "Helvetica, Arial, sans-serif".to_owned(),
            text_color: "#1f2933".to_owned(),
            muted_text_color: "#616e7c".to_owned(),
            background_color: "#f0f2f5".to_owned(),
            content_background_color: "#ffffff".to_owned(),
            link_color: "#1f6f50".to_owned(),
            accent_color: "#1f6f50".to_owned(),
            accent_text_color: "#ffffff".to_owned(),
            border_color: "#e4e7eb".to_owned(),
            locale: "en-US".to_owned(),
            currency: "USD".to_owned(),
            direction: "ltr".to_owned(),
        }
    }
}

impl Settings {
    /// Brand defaults overlaid with a document's overrides.
    ///
    /// # Errors
    /// A [`SettingsError`]: an unknown setting name, a value of the wrong type or out of range.
    pub fn resolve(brand: &Map<String, Value>, overrides: &Map<String, Value>) -> Result<Self, SettingsError> {
        let mut merged = match serde_json::to_value(Self::default()) {
            Ok(Value::Object(map)) => map,
            _ => Map::new(),
        };
        for (k, v) in brand.iter().chain(overrides) {
            merged.insert(k.clone(), v.clone());
        }
        let settings: Self =
            serde_json::from_value(Value::Object(merged)).map_err(|e| SettingsError::Invalid(e.to_string()))?;
        if !(200..=1200).contains(&settings.width) {
            return Err(SettingsError::Width(settings.width));
        }
        if settings.direction != "ltr" && settings.direction != "rtl" {
            return Err(SettingsError::Direction(settings.direction));
        }
        for (name, colour) in [
            ("text_color", &settings.text_color),
            ("muted_text_color", &settings.muted_text_color),
            ("background_color", &settings.background_color),
            ("content_background_color", &settings.content_background_color),
            ("link_color", &settings.link_color),
            ("accent_color", &settings.accent_color),
            ("accent_text_color", &settings.accent_text_color),
            ("border_color", &settings.border_color),
        ] {
            if !crate::model::is_colour(colour) {
                return Err(SettingsError::Colour {
                    name,
                    value: colour.clone(),
                });
            }
        }
        for (name, font) in [
            ("font_family", &settings.font_family),
            ("heading_font_family", &settings.heading_font_family),
        ] {
            if !crate::escape::is_safe_css_value(&font.replace(['"', '\''], "")) {
                return Err(SettingsError::Font {
                    name,
                    value: font.clone(),
                });
            }
        }
        Ok(settings)
    }

    /// The settings as a name → value map, as block templates see them.
    #[must_use]
    pub fn to_map(&self) -> Map<String, Value> {
        match serde_json::to_value(self) {
            Ok(Value::Object(map)) => map,
            _ => Map::new(),
        }
    }
}
