//! `tessera.toml`: workspace name, brand defaults, the data dictionary, import rules and the
//! settings of test sends.

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
    /// `[freshness]`: how old data of each source may be before a render calls it stale,
    /// e.g. `web = "15m"`, `crm = "24h"` (units s, m, h, d).
    #[serde(default)]
    pub freshness: std::collections::BTreeMap<String, String>,
    /// `[taxonomy]`: category as imported (lower-case) → master category.
    #[serde(default)]
    pub taxonomy: std::collections::BTreeMap<String, String>,
    /// `[import]`: import rules.
    #[serde(default)]
    pub import: ImportRules,
    /// `[send]`: sender, subject prefix and unsubscribe headers of test sends.
    #[serde(default)]
    pub send: tessera_send::SendSettings,
    /// `[smtp.<name>]`: SMTP servers for test sends (no passwords: those live in the OS keyring).
    #[serde(default)]
    pub smtp: std::collections::BTreeMap<String, tessera_send::SmtpProfile>,
    /// `[live]`: the live collector (`tessera serve`).
    #[serde(default)]
    pub live: LiveSettings,
    /// `[qa]`: the clients the pre-send QA checks, which findings fail a check, and findings
    /// ignored on purpose with their reason.
    #[serde(default)]
    pub qa: tessera_qa::QaSettings,
    /// `[export]`: settings of the export targets.
    #[serde(default)]
    pub export: ExportSettings,
    /// `[assets]`: where the files of `assets/` are hosted once uploaded.
    #[serde(default)]
    pub assets: AssetSettings,
}

/// `[assets]` in `tessera.toml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssetSettings {
    /// The https address the files of `assets/` are uploaded to (`https://cdn.example.com/email/`):
    /// exports write `<base_url>/<name>` for each asset path and list the files to upload.
    #[serde(default)]
    pub base_url: Option<String>,
}

/// `[live]` in `tessera.toml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LiveSettings {
    /// `[live.events]`: a tracked event name → one of the store's event types (`"Trial Started"
    /// = "click"`), beside the default Segment e-commerce and email names.
    #[serde(default)]
    pub events: std::collections::BTreeMap<String, String>,
    /// The collector's public address (`https://t.example.com`), for pixels and click links.
    #[serde(default)]
    pub base_url: Option<String>,
    /// The sender addresses whose AMP emails may read the feeds (`AMP-Email-Sender`, or
    /// `__amp_source_origin`); any other sender is refused.
    #[serde(default)]
    pub amp_senders: Vec<String>,
    /// `[live.hooks.<name>]`: webhooks accepted at `POST /hooks/<name>`.
    #[serde(default)]
    pub hooks: std::collections::BTreeMap<String, HookSettings>,
}

/// `[live.hooks.<name>]`: how a webhook is verified and what its JSON becomes.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HookSettings {
    /// The signature scheme: `standard` (Standard Webhooks), `shopify` or `stripe`.
    pub scheme: String,
    /// The environment variable holding the signing secret (never the secret in a file).
    pub secret_env: String,
    /// Seconds a signed timestamp may be off (standard and stripe; default 300).
    #[serde(default)]
    pub tolerance: Option<u64>,
    /// What the payload becomes: `identify` or `track`.
    pub call: String,
    /// For `track`: the event name.
    #[serde(default)]
    pub event: Option<String>,
    /// JSON pointer (`/customer/id`) to the person's id (the `userId`).
    pub user_id: String,
    /// Trait or property name → JSON pointer into the payload (`email = "/customer/email"`).
    #[serde(default)]
    pub fields: std::collections::BTreeMap<String, String>,
}

/// `[export]` in `tessera.toml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportSettings {
    /// The Velocity object profile fields are read from (default `lead`, Marketo's; e.g.
    /// `contact` for another Velocity-based ESP).
    #[serde(default)]
    pub velocity_object: Option<String>,
}

/// `[import]` in `tessera.toml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportRules {
    /// How SKUs are written: "upper" (default), "lower" or "as-is".
    #[serde(default)]
    pub sku: tessera_store::import::SkuRule,
}

/// Parses a duration like `15m`, `24h`, `7d`, `90s` into seconds.
///
/// # Errors
/// A readable message for anything else.
pub fn parse_duration(text: &str) -> Result<i64, String> {
    // One grammar for durations everywhere: freshness thresholds and segment windows.
    tessera_store::segments::model::parse_duration(text)
}

#[cfg(test)]
mod tests {
    #[test]
    fn durations_parse_with_units() {
        assert_eq!(super::parse_duration("15m"), Ok(900));
        assert_eq!(super::parse_duration("24h"), Ok(86_400));
        assert_eq!(super::parse_duration(" 7d "), Ok(604_800));
        assert!(super::parse_duration("soon").is_err());
        assert!(super::parse_duration("5 weeks").is_err());
    }
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
