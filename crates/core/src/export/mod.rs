//! Export: a compiled email becomes a template in an ESP's own language (or static HTML), with a
//! manifest that states the data contract the ESP must meet.
//!
//! The exporters translate the compiled plan ([`crate::compile::Compiled`]), not the source: CSS is
//! already inlined exactly as in preview, `@media` rules stay in the head, and every value already
//! knows where it lands (text, URL, style), so each target escapes it the way preview does.
//!
//! - `walk` walks the plan once for every templating target and keeps what they share: loop
//!   scopes, the innermost block (for error messages), the fields the template reads.
//! - `cond` turns `if` conditions and block gates into one small condition tree.
//! - [`contract`] is the data contract: the fields of the manifest, the derived (pre-formatted)
//!   fields, and [`contract::prepare_data`], which builds the data an ESP would hold from a recipient
//!   context.
//! - `neutralize` keeps literal text that looks like template syntax inert in each target.
//! - `textual` is shared by the targets whose ESP fields hold text (Velocity, Klaviyo, `HubL`,
//!   Iterable): one translation over a small [`textual::Dialect`] per language, and the data those
//!   ESPs hold; the dialects are `velocity`, `klaviyo`, `hubl` and `iterable`.
//! - one file per target: `liquid` (Liquid, Braze and Customer.io), `handlebars` (SendGrid),
//!   `mailchimp` (merge tags), `ampscript` (Salesforce Marketing Cloud), `static_html`.

pub mod amp_template;
mod ampscript;
mod cond;
pub mod contract;
mod error;
mod handlebars;
mod hubl;
mod iterable;
mod klaviyo;
mod liquid;
mod mailchimp;
mod neutralize;
mod static_html;
pub(crate) mod textual;
mod velocity;
mod walk;

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use amp_template::{accepts_amp, live_field, AMP_FILE};
pub use contract::{AssetUpload, DerivedField, FieldContract, LiveFeedField, Manifest};
pub use error::{ExportError, Refusal};

use crate::compile::Compiled;
use crate::model::Dictionary;

/// A language an email can be exported to.
///
/// Serialized as its [`Target::name`] (`"liquid"`, `"braze"`, ...), as in `manifest.json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum Target {
    /// Shopify/core Liquid.
    Liquid,
    /// Braze's Liquid (`${first_name}`, `custom_attribute.${...}`).
    Braze,
    /// SendGrid dynamic templates (Handlebars with SendGrid's helpers).
    Sendgrid,
    /// Mailchimp merge tags (`*|FNAME|*`, `*|IF:...|*`); no loops.
    Mailchimp,
    /// Salesforce Marketing Cloud's AMPscript (`%%=v(@x)=%%`, `%%[ IF ... ]%%`).
    Ampscript,
    /// Apache Velocity as Marketo's email script tokens read it (`${lead.first_name}`, `#if`).
    Velocity,
    /// Klaviyo's Django-style template language (`{{ person.first_name }}`, `{% if %}`).
    Klaviyo,
    /// `HubSpot`'s `HubL`, based on Jinja (`{{ contact.first_name }}`, `{% if %}`).
    Hubl,
    /// Iterable's Handlebars dialect (`{{defaultIfEmpty first_name "there"}}`, `#ifEq`).
    Iterable,
    /// Customer.io's Liquid (`{{ customer.first_name }}`, `{{ event.cart.total }}`).
    Customerio,
    /// Static HTML rendered for one recipient (for ESPs without a template language).
    Html,
    /// The AMP for Email part rendered for one recipient, live blocks as `amp-list` over their
    /// feed (see [`crate::amp`]).
    Amp,
}

impl Target {
    /// Every target, in a stable order.
    pub const ALL: [Target; 12] = [
        Target::Liquid,
        Target::Braze,
        Target::Sendgrid,
        Target::Mailchimp,
        Target::Ampscript,
        Target::Velocity,
        Target::Klaviyo,
        Target::Hubl,
        Target::Iterable,
        Target::Customerio,
        Target::Html,
        Target::Amp,
    ];

    /// The name used on the command line and in folder names.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Liquid => "liquid",
            Self::Braze => "braze",
            Self::Sendgrid => "sendgrid",
            Self::Mailchimp => "mailchimp",
            Self::Ampscript => "ampscript",
            Self::Velocity => "velocity",
            Self::Klaviyo => "klaviyo",
            Self::Hubl => "hubl",
            Self::Iterable => "iterable",
            Self::Customerio => "customerio",
            Self::Html => "html",
            Self::Amp => "amp",
        }
    }

    /// The names of every target, for messages.
    #[must_use]
    pub fn names() -> String {
        Self::ALL.iter().map(|t| t.name()).collect::<Vec<_>>().join(", ")
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Target {
    type Err = ExportError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|t| t.name().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| ExportError::UnknownTarget(s.to_owned()))
    }
}

/// What an export needs besides the compiled email.
#[derive(Debug, Clone, Copy)]
pub struct ExportInput<'a> {
    /// The compiled email.
    pub compiled: &'a Compiled,
    /// The workspace's data dictionary (types and defaults of the fields in the manifest).
    pub dictionary: &'a Dictionary,
    /// The email's name in the workspace (e.g. `welcome`).
    pub email: &'a str,
    /// Recipient data for the static `html` target (`None`: an empty context, every fallback).
    pub data: Option<&'a Value>,
    /// The Velocity object profile fields are read from (`None`: Marketo's `lead`).
    pub velocity_object: Option<&'a str>,
    /// `[assets] base_url`: the https address the workspace's `assets/` files are uploaded to.
    pub asset_base_url: Option<&'a str>,
    /// The live blocks and their feed URLs for the `amp` target (empty: every block static).
    pub live: &'a [crate::amp::LiveBlock],
}

/// One exported email: the files of `exports/<email>/<target>/`.
#[derive(Debug, Clone, PartialEq)]
pub struct Export {
    /// The target.
    pub target: Target,
    /// The HTML template (`template.html`).
    pub html: String,
    /// The plain-text template (`template.txt`).
    pub text: String,
    /// The AMP template (`template.amp.html`), for ESPs that accept an AMP part and emails with
    /// live blocks (see [`amp_template`]); `None` otherwise or when it was refused (the manifest's
    /// `amp_refused` says why).
    pub amp: Option<String>,
    /// The manifest (`manifest.json`).
    pub manifest: Manifest,
}

/// File name of the HTML template in an export folder.
pub const HTML_FILE: &str = "template.html";
/// File name of the plain-text template in an export folder.
pub const TEXT_FILE: &str = "template.txt";
/// File name of the manifest in an export folder.
pub const MANIFEST_FILE: &str = "manifest.json";

impl Export {
    /// The files to write, by name, in a stable order; the same input always gives the same bytes.
    ///
    /// # Errors
    /// Never in practice: the manifest is plain data.
    pub fn files(&self) -> Result<Vec<(&'static str, Vec<u8>)>, ExportError> {
        let mut manifest =
            serde_json::to_vec_pretty(&self.manifest).map_err(|e| ExportError::Manifest(e.to_string()))?;
        manifest.push(b'\n');
        let mut files = vec![
            (HTML_FILE, self.html.clone().into_bytes()),
            (TEXT_FILE, self.text.clone().into_bytes()),
        ];
        if let Some(amp) = &self.amp {
            files.push((AMP_FILE, amp.clone().into_bytes()));
        }
        files.push((MANIFEST_FILE, manifest));
        Ok(files)
    }
}

/// Exports a compiled email to `target`.
///
/// # Errors
/// [`ExportError::Unsupported`] naming the block and the expression when the target cannot express
/// something the email uses; never a silently different template.
pub fn export(input: &ExportInput<'_>, target: Target) -> Result<Export, ExportError> {
    // The AMP template's shape; a refusal of it refuses only the AMP template.
    let shape = (accepts_amp(target) && !input.live.is_empty()).then(|| amp_template::shape(input, target));
    let (shape, amp_refused) = match shape {
        Some(Ok(shape)) => (Some(shape), None),
        Some(Err(e)) => (None, Some(e.to_string())),
        None => (None, None),
    };
    let shape = shape.as_ref();
    let parts = match target {
        Target::Liquid => liquid::export(input, liquid::Flavor::Liquid, None)?,
        Target::Braze => liquid::export(input, liquid::Flavor::Braze, shape)?,
        Target::Sendgrid => handlebars::export(input, shape)?,
        Target::Mailchimp => mailchimp::export(input)?,
        Target::Ampscript => ampscript::export(input)?,
        Target::Velocity => textual::export(input, velocity::Velocity::new(input.velocity_object))?,
        Target::Klaviyo => textual::export(input, klaviyo::Klaviyo)?,
        Target::Hubl => textual::export(input, hubl::Hubl)?,
        Target::Iterable => textual::export(input, iterable::Iterable)?,
        Target::Customerio => liquid::export(input, liquid::Flavor::Customerio, None)?,
        Target::Html => static_html::export(input),
        Target::Amp => amp_export(input)?,
    };
    let mut parts = parts;
    if let Some(reason) = amp_refused {
        parts.amp = Some(Err(reason));
    }
    host_assets(&mut parts, input.asset_base_url)?;
    let manifest = Manifest::new(input, target, &parts);
    Ok(Export {
        target,
        html: parts.html,
        text: parts.text,
        amp: parts.amp.and_then(Result::ok),
        manifest,
    })
}

/// Rewrites the asset paths of the HTML to their hosted addresses and lists the files to upload.
/// The `[assets] base_url` when an ESP can name assets under it: an `https://` address with a
/// host and no character that would need escaping in an attribute or a CSS `url()`.
pub(crate) fn hosting_base(base_url: Option<&str>) -> Option<&str> {
    base_url.map(str::trim).filter(|b| {
        b.get(..8).is_some_and(|s| s.eq_ignore_ascii_case("https://"))
            && b.len() > 8
            && crate::escape::is_safe_url(b)
            && !b
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || "\"'()<>\\".contains(c))
    })
}

fn host_assets(parts: &mut Parts, base_url: Option<&str>) -> Result<(), ExportError> {
    let (_, mut used) = crate::assets::rewrite_asset_urls(&parts.html, |_| Some(String::new()));
    if let Some(Ok(amp)) = &parts.amp {
        for name in crate::assets::rewrite_asset_urls(amp, |_| Some(String::new())).1 {
            if !used.contains(&name) {
                used.push(name);
            }
        }
    }
    if used.is_empty() {
        return Ok(());
    }
    let Some(base) = hosting_base(base_url) else {
        return Err(ExportError::AssetsNotHosted(
            used.iter().map(|n| crate::assets::asset_path(n)).collect(),
        ));
    };
    let (html, mut used) =
        crate::assets::rewrite_asset_urls(&parts.html, |name| Some(crate::assets::join_base_url(base, name)));
    parts.html = html;
    if let Some(Ok(amp)) = &mut parts.amp {
        let (hosted, amp_used) =
            crate::assets::rewrite_asset_urls(amp, |name| Some(crate::assets::join_base_url(base, name)));
        *amp = hosted;
        for name in amp_used {
            if !used.contains(&name) {
                used.push(name);
            }
        }
    }
    parts.assets = used
        .iter()
        .map(|name| AssetUpload {
            file: crate::assets::asset_path(name),
            url: crate::assets::join_base_url(base, name),
        })
        .collect();
    Ok(())
}

/// The `amp` target: the AMP part rendered for the recipient (an empty context: every fallback),
/// with the text part, subject and preheader of the same render.
fn amp_export(input: &ExportInput<'_>) -> Result<Parts, ExportError> {
    let empty = Value::Object(serde_json::Map::new());
    let data = input.data.unwrap_or(&empty);
    let amp = crate::amp::render(input.compiled, input.dictionary, input.email, data, input.live)
        .map_err(|e| ExportError::Amp(e.to_string()))?;
    let rendered = crate::render::render(input.compiled, data);
    Ok(Parts {
        html: amp.html,
        text: rendered.text,
        subject: rendered.subject,
        preheader: rendered.preheader,
        fields: Vec::new(),
        derived: Vec::new(),
        arrays: "none: the email is rendered for one recipient",
        assets: Vec::new(),
        amp: None,
    })
}

/// What a target's translation produces; the manifest is built around it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Parts {
    /// HTML template.
    pub html: String,
    /// Plain-text template.
    pub text: String,
    /// Subject line template.
    pub subject: String,
    /// Preheader template.
    pub preheader: String,
    /// The fields the template reads.
    pub fields: Vec<FieldContract>,
    /// Fields the ESP must hold pre-formatted.
    pub derived: Vec<DerivedField>,
    /// How lists arrive, in the target's words.
    pub arrays: &'static str,
    /// The asset files the HTML names, once hosted.
    pub assets: Vec<AssetUpload>,
    /// The AMP template, when one was asked for: the markup, or why it was refused.
    pub amp: Option<Result<String, String>>,
}
