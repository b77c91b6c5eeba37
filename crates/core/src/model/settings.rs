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
    /// `web_font_name` is not a plain family name.
    #[error(
        "web_font_name must be a family name of letters, digits, spaces and dashes, like \"Fraunces\", not \"{0}\""
    )]
    WebFontName(String),
    /// `web_font_url` is neither an asset path nor an https URL of a font file.
    #[error("web_font_url must be an asset path (assets/NAME.woff2) or an https:// URL without quotes, spaces or parentheses, not \"{0}\"")]
    WebFontUrl(String),
    /// Only one of `web_font_name` and `web_font_url` is set.
    #[error("web_font_name and web_font_url go together: set both or neither")]
    WebFontHalf,
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
    /// The brand's web font family name, e.g. `Fraunces` (empty: none). It goes in front of both
    /// font stacks, which remain the fallback (Outlook for Windows is told to use them).
    pub web_font_name: String,
    /// Where the web font comes from: an asset path (`assets/fraunces-....woff2`) or an https URL
    /// of a font file (empty: none).
    pub web_font_url: String,
    /// Colour around the email body in dark mode (empty: the client decides).
    pub dark_background_color: String,
    /// Colour of the email body in dark mode (empty: the client decides).
    pub dark_content_background_color: String,
    /// Body text colour in dark mode (empty: the client decides).
    pub dark_text_color: String,
    /// Link colour in dark mode (empty: the client decides).
    pub dark_link_color: String,
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
            web_font_name: String::new(),
            web_font_url: String::new(),
            dark_background_color: String::new(),
            dark_content_background_color: String::new(),
            dark_text_color: String::new(),
            dark_link_color: String::new(),
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
        for (name, colour) in [
            ("dark_background_color", &settings.dark_background_color),
            ("dark_content_background_color", &settings.dark_content_background_color),
            ("dark_text_color", &settings.dark_text_color),
            ("dark_link_color", &settings.dark_link_color),
        ] {
            if !colour.is_empty() && !crate::model::is_colour(colour) {
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
        settings.check_web_font()?;
        Ok(settings)
    }

    fn check_web_font(&self) -> Result<(), SettingsError> {
        let (name, url) = (self.web_font_name.trim(), self.web_font_url.trim());
        if name.is_empty() != url.is_empty() {
            return Err(SettingsError::WebFontHalf);
        }
        if name.is_empty() {
            return Ok(());
        }
        let plain_name = name.split(' ').all(|word| {
            word.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                && word.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
        if !plain_name {
            return Err(SettingsError::WebFontName(self.web_font_name.clone()));
        }
        let asset = crate::assets::asset_name(url).is_some_and(|n| {
            std::path::Path::new(n).extension().is_some_and(|e| {
                ["woff2", "woff", "ttf", "otf"]
                    .iter()
                    .any(|f| e.eq_ignore_ascii_case(f))
            })
        });
        let https = url.get(..8).is_some_and(|s| s.eq_ignore_ascii_case("https://"))
            && url.len() > 8
            && !url
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || "\"'()\\<>;{}".contains(c));
        if asset || https {
            Ok(())
        } else {
            Err(SettingsError::WebFontUrl(self.web_font_url.clone()))
        }
    }

    /// The body font stack as blocks use it: the web font first when there is one.
    #[must_use]
    pub fn body_font(&self) -> String {
        self.with_web_font(&self.font_family)
    }

    /// The heading font stack as blocks use it: the web font first when there is one.
    #[must_use]
    pub fn heading_font(&self) -> String {
        self.with_web_font(&self.heading_font_family)
    }

    fn with_web_font(&self, stack: &str) -> String {
        let name = self.web_font_name.trim();
        if name.is_empty() {
            stack.to_owned()
        } else {
            format!("{name}, {stack}")
        }
    }

    /// The settings as a name → value map, as block templates see them: the font stacks carry the
    /// web font first (see [`Settings::body_font`]).
    #[must_use]
    pub fn to_map(&self) -> Map<String, Value> {
        let mut map = match serde_json::to_value(self) {
            Ok(Value::Object(map)) => map,
            _ => Map::new(),
        };
        map.insert("font_family".to_owned(), Value::String(self.body_font()));
        map.insert("heading_font_family".to_owned(), Value::String(self.heading_font()));
        map
    }
}
