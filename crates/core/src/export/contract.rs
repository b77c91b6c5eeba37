//! The data contract of an export: which fields the ESP must hold (with types and fallbacks), which
//! of them are pre-formatted ("derived") because the target cannot format money or dates as preview
//! does, and [`prepare_data`], which builds that data from a recipient context.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{ExportInput, Parts, Target};
use crate::lang::CmpOp;
use crate::value::{compare, is_missing, is_truthy, lookup};

/// One field the exported template reads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FieldContract {
    /// The data path in Tessera's terms (`profile.first_name`, `cart.items[].name`).
    pub path: String,
    /// How the template reads it in the target's language.
    pub esp_name: String,
    /// The data dictionary's type (`unknown` when the dictionary does not list it).
    #[serde(rename = "type")]
    pub field_type: String,
    /// The texts the template prints when the field is missing, in order of first use.
    pub fallbacks: Vec<String>,
    /// Computed from other fields (see `derived`), not read from the CRM as is.
    pub derived: bool,
}

/// Where a derived field's input comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// A field from the root of the recipient context.
    Field(String),
    /// A field of the list item the derived field sits on.
    ItemField(String),
    /// A constant.
    Value(Value),
}

/// A field the ESP must hold already computed: `currency` and `date` as preview formats them, and for
/// targets that cannot test them, a whole URL as preview writes it (`href`, `link`), membership
/// of a segment (`segment`), and for targets without typed values the outcome of a condition
/// (`truthy`, `present`, `compare`) or a constant (`constant`); for targets whose lists arrive
/// pre-sliced, the number of items a list keeps (`slice`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DerivedField {
    /// The field's path (`cart.total_currency`, `cart.items[].price_currency`).
    pub path: String,
    /// The list whose items carry it, if any (`cart.items`).
    pub list: Option<String>,
    /// `currency`, `date`, `href` (a URL in HTML: the trimmed URL when its scheme is safe, else
    /// `#`), `link` (a URL in text: the trimmed URL when safe, else empty), `segment` (`true` when
    /// the recipient's `segments` hold the name in `value`, else `false`), `truthy` (`value` is
    /// truthy by preview's rules), `present` (`value` is not missing), `compare` (`value op
    /// operand` by preview's rules; an absent side is null), `constant` (`value` itself) or
    /// `slice` (the list at `path` keeps its first `limit` items).
    pub helper: String,
    /// The value formatted.
    pub value: Source,
    /// The currency code (currency only).
    pub code: Option<Source>,
    /// The date style (date only): short, medium, long or iso.
    pub style: Option<String>,
    /// The locale; `default_locale` when absent or blank.
    pub locale: Option<Source>,
    /// The email's locale.
    pub default_locale: String,
    /// Formatted instead when the value is missing or cannot be formatted (the data dictionary's
    /// default; only where the placeholder has no fallback of its own).
    pub dictionary_default: Option<Value>,
    /// `href`/`link`: the placeholder's own fallback, used when the value is missing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fallback: Option<String>,
    /// `compare`: the comparison (`eq`, `ne`, `gt`, `gte`, `lt`, `lte`) of `value` with `operand`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub op: Option<String>,
    /// `compare`: the right-hand side.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operand: Option<Source>,
    /// `slice`: the list keeps its first `limit` items (for targets whose lists arrive pre-sliced).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<usize>,
}

impl DerivedField {
    /// A derived field with its helper, value and the email's locale, and nothing else set: the
    /// options of one helper (`code`, `style`, `fallback`, `op`, `limit` ...) are added with
    /// struct-update syntax.
    #[must_use]
    pub fn new(path: String, helper: &str, value: Source, default_locale: String) -> Self {
        Self {
            path,
            list: None,
            helper: helper.to_owned(),
            value,
            code: None,
            style: None,
            locale: None,
            default_locale,
            dictionary_default: None,
            fallback: None,
            op: None,
            operand: None,
            limit: None,
        }
    }
}

/// The helpers of derived fields that hold the outcome of a condition (`true`/`false`).
pub(crate) const FLAG_HELPERS: [&str; 4] = ["truthy", "present", "compare", "segment"];

/// `manifest.json`: what was exported and what the ESP must provide.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// The target (serialized as its name).
    pub target: Target,
    /// The email's name in the workspace.
    pub email: String,
    /// The document's name.
    pub name: String,
    /// The compiled template version (content hash of the source), as in render reports.
    pub source_version: String,
    /// The engine that exported it.
    pub engine: String,
    /// BLAKE3 of the exported HTML, text, subject and preheader.
    pub content_hash: String,
    /// The template files.
    pub files: BTreeMap<String, String>,
    /// Subject line template.
    pub subject: String,
    /// Preheader template.
    pub preheader: String,
    /// How lists arrive.
    pub arrays: String,
    /// Every field the templates read, by path.
    pub fields: Vec<FieldContract>,
    /// How each derived field is computed.
    pub derived: Vec<DerivedField>,
    /// For the `amp` target: the ESPs that accept an AMP part (`text/x-amp-html`) and how.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub amp_accepted_by: Vec<String>,
    /// The live blocks of the AMP template (`template.amp.html`) and the data field each reads its
    /// signed feed URL from (`tessera_live.<block>`): the ESP must hold one per recipient
    /// (`tessera export --live-urls` writes them for the stored profiles).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub live_feeds: Vec<LiveFeedField>,
    /// Why this ESP's AMP template was not written, when it was refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amp_refused: Option<String>,
    /// Where the workspace's assets are hosted (`[assets] base_url`), when set: `prepare_data`
    /// names recipient values that are asset paths (`assets/<name>`, e.g. a catalogue's product
    /// pictures) there, as the ESP's data must.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asset_base_url: Option<String>,
    /// The files of the workspace's `assets/` folder the HTML refers to, each with the address
    /// the HTML now names (`[assets] base_url` + name): upload them there.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub assets: Vec<AssetUpload>,
}

/// A file to upload for an export: the HTML names `url`, the file is `file` in the workspace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssetUpload {
    /// The file, e.g. `assets/logo-0a1b2c3d4e5f.png`.
    pub file: String,
    /// Where it must be reachable.
    pub url: String,
}

/// A live block of an AMP template and the data field holding its signed feed URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveFeedField {
    /// The top-level block id.
    pub block: String,
    /// Its feed (`cart`, `recommendations`, ...).
    pub feed: String,
    /// The data path holding the URL (`tessera_live.cart_items`).
    pub path: String,
    /// How the AMP template reads the URL (for targets that read URLs from derived `href` fields,
    /// that field: `tessera_live_cart_items_href`, which `prepare_data` computes).
    pub esp_name: String,
}

/// The ESPs that accept an AMP for Email part, as LIVE.md gathered from their documentation.
/// Gmail shows it only for senders registered with Google.
pub const AMP_ESPS: [&str; 7] = [
    "SendGrid (v3 Mail Send API: content type text/x-amp-html)",
    "Amazon SES (raw MIME: a text/x-amp-html part before text/html)",
    "Mailgun (the amp-html parameter)",
    "SparkPost (content.amp_html)",
    "Salesforce Marketing Cloud (AMP content blocks)",
    "Klaviyo (after approval)",
    "Braze (through SparkPost or SendGrid)",
];

impl Manifest {
    /// Builds the manifest for translated parts.
    #[must_use]
    pub(crate) fn new(input: &ExportInput<'_>, target: Target, parts: &Parts) -> Self {
        let mut h = blake3::Hasher::new();
        let amp = parts.amp.as_ref().and_then(|a| a.as_ref().ok());
        for s in [&parts.html, &parts.text, &parts.subject, &parts.preheader]
            .into_iter()
            .chain(amp)
        {
            h.update(&(s.len() as u64).to_le_bytes());
            h.update(s.as_bytes());
        }
        let mut files: BTreeMap<String, String> = [
            ("html".to_owned(), super::HTML_FILE.to_owned()),
            ("text".to_owned(), super::TEXT_FILE.to_owned()),
        ]
        .into_iter()
        .collect();
        let mut live_feeds = Vec::new();
        if amp.is_some() {
            files.insert("amp".to_owned(), super::AMP_FILE.to_owned());
            for block in input.live {
                let path = super::live_field(&block.id);
                let flat = format!("{}_href", path.replace('.', "_"));
                let esp_name = parts
                    .fields
                    .iter()
                    .find(|f| f.path == flat)
                    .or_else(|| parts.fields.iter().find(|f| f.path == path))
                    .map_or_else(|| path.clone(), |f| f.esp_name.clone());
                live_feeds.push(LiveFeedField {
                    block: block.id.clone(),
                    feed: block.spec.feed.to_string(),
                    path,
                    esp_name,
                });
            }
        }
        Self {
            target,
            email: input.email.to_owned(),
            name: input.compiled.name.clone(),
            source_version: input.compiled.version_hex(),
            engine: crate::ENGINE_VERSION.to_owned(),
            content_hash: h.finalize().to_hex().to_string(),
            files,
            subject: parts.subject.clone(),
            preheader: parts.preheader.clone(),
            arrays: parts.arrays.to_owned(),
            fields: parts.fields.clone(),
            derived: parts.derived.clone(),
            assets: parts.assets.clone(),
            asset_base_url: super::hosting_base(input.asset_base_url).map(str::to_owned),
            amp_accepted_by: if target == Target::Amp {
                AMP_ESPS.iter().map(|s| (*s).to_owned()).collect()
            } else {
                Vec::new()
            },
            live_feeds,
            amp_refused: parts.amp.as_ref().and_then(|a| a.as_ref().err().cloned()),
        }
    }
}

/// Builds the data an ESP would hold for this export from a recipient context: derived fields are
/// added (formatted exactly as preview formats them) and, for Braze, profile fields become standard
/// attributes and everything else custom attributes; for Mailchimp and AMPscript the data becomes
/// the merge fields / attributes (text) the template reads. Tests render exports with it; teams can use it
/// to fill their ESP.
#[must_use]
pub fn prepare_data(manifest: &Manifest, data: &Value) -> Value {
    let hosted;
    let data = match manifest.asset_base_url.as_deref() {
        Some(base) => {
            hosted = host_asset_values(data, base);
            &hosted
        }
        None => data,
    };
    let mut out = data.clone();
    for d in manifest.derived.iter().filter(|d| d.helper != "slice") {
        add_derived(d, data, &mut out);
    }
    // Lists that arrive pre-sliced keep their first items once the items' own fields are added.
    for d in manifest.derived.iter().filter(|d| d.helper == "slice") {
        if let (Some(Value::Array(items)), Some(limit)) = (lookup_mut(&mut out, &segments(&d.path)), d.limit) {
            items.truncate(limit);
        }
    }
    match manifest.target {
        Target::Braze => super::liquid::braze_data(&out),
        Target::Customerio => super::liquid::customerio_data(&out),
        Target::Mailchimp => super::mailchimp::merge_data(manifest, &out),
        Target::Ampscript => super::ampscript::attribute_data(manifest, &out),
        Target::Velocity | Target::Klaviyo | Target::Hubl | Target::Iterable => {
            super::textual::text_data(manifest, &out)
        }
        Target::Liquid | Target::Sendgrid | Target::Html | Target::Amp => out,
    }
}

/// `data` with every string that is an asset path (`assets/<name>`) named under `base`, at any
/// depth (lists of products included).
fn host_asset_values(data: &Value, base: &str) -> Value {
    match data {
        Value::String(s) => match crate::assets::asset_name(s) {
            Some(name) => Value::String(crate::assets::join_base_url(base, name)),
            None => data.clone(),
        },
        Value::Array(items) => Value::Array(items.iter().map(|v| host_asset_values(v, base)).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), host_asset_values(v, base)))
                .collect(),
        ),
        _ => data.clone(),
    }
}

fn segments(dotted: &str) -> Vec<String> {
    dotted.split('.').map(str::to_owned).collect()
}

fn add_derived(d: &DerivedField, root: &Value, out: &mut Value) {
    let name = d.path.rsplit('.').next().unwrap_or(&d.path).to_owned();
    if let Some(list) = &d.list {
        let segs = segments(list);
        let Some(Value::Array(items)) = lookup(root, &segs) else {
            return;
        };
        let formatted: Vec<Option<Value>> = items.iter().map(|item| derive(d, root, Some(item))).collect();
        if let Some(Value::Array(out_items)) = lookup_mut(out, &segs) {
            for (item, value) in out_items.iter_mut().zip(formatted) {
                if let (Value::Object(map), Some(v)) = (item, value) {
                    map.insert(name.clone(), v);
                }
            }
        }
    } else if let Some(v) = derive(d, root, None) {
        let mut segs = segments(&d.path);
        segs.pop();
        if let Some(Value::Object(map)) = lookup_mut(out, &segs) {
            map.insert(name, v);
        }
    }
}

fn lookup_mut<'v>(mut v: &'v mut Value, segments: &[String]) -> Option<&'v mut Value> {
    for seg in segments {
        v = match v {
            Value::Object(map) => map.get_mut(seg.as_str())?,
            Value::Array(items) => items.get_mut(seg.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(v)
}

fn resolve<'v>(source: &'v Source, root: &'v Value, item: Option<&'v Value>) -> Option<&'v Value> {
    match source {
        Source::Field(p) => lookup(root, &segments(p)),
        Source::ItemField(p) if p.is_empty() => item,
        Source::ItemField(p) => item.and_then(|i| lookup(i, &segments(p))),
        Source::Value(v) => Some(v),
    }
}

/// The value of a derived field: for `currency`/`date` the formatted text preview prints before any
/// explicit fallback (absent when there is none); for `href`/`link` the URL preview writes; for
/// `segment` whether the recipient is in it.
fn derive(d: &DerivedField, root: &Value, item: Option<&Value>) -> Option<Value> {
    match d.helper.as_str() {
        "href" | "link" => return Some(Value::String(url(d, root, item))),
        "truthy" => return Some(Value::Bool(resolve(&d.value, root, item).is_some_and(is_truthy))),
        "present" => return Some(Value::Bool(!is_missing(resolve(&d.value, root, item)))),
        "constant" => return resolve(&d.value, root, item).cloned(),
        "compare" => {
            let op = [CmpOp::Eq, CmpOp::Ne, CmpOp::Gt, CmpOp::Gte, CmpOp::Lt, CmpOp::Lte]
                .into_iter()
                .find(|op| Some(op.name()) == d.op.as_deref())?;
            let null = Value::Null;
            let a = resolve(&d.value, root, item).unwrap_or(&null);
            let b = d.operand.as_ref().and_then(|o| resolve(o, root, item)).unwrap_or(&null);
            return Some(Value::Bool(compare(op, a, b)));
        }
        "segment" => {
            let name = match &d.value {
                Source::Value(Value::String(s)) => s.as_str(),
                _ => return None,
            };
            let member = matches!(root.get("segments"), Some(Value::Array(list)) if list.iter().any(|s| s.as_str() == Some(name)));
            return Some(Value::Bool(member));
        }
        _ => {}
    }
    let value = resolve(&d.value, root, item);
    let formatted = value
        .filter(|v| !is_missing(Some(v)))
        .and_then(|v| format(d, v, root, item));
    formatted
        .or_else(|| d.dictionary_default.as_ref().and_then(|v| format(d, v, root, item)))
        .map(Value::String)
}

/// A value as the plain text preview prints it (`None`: missing or not printable).
fn plain(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The URL preview writes for a whole-URL placeholder: the value (or its fallback) trimmed when its
/// scheme is safe; otherwise `#` in HTML (`href`) and nothing in text (`link`).
fn url(d: &DerivedField, root: &Value, item: Option<&Value>) -> String {
    let value = resolve(&d.value, root, item);
    let text = value
        .filter(|v| !is_missing(Some(v)))
        .and_then(plain)
        .or_else(|| d.fallback.clone())
        .or_else(|| d.dictionary_default.as_ref().and_then(plain))
        .or_else(|| match value {
            Some(Value::String(blank)) => Some(blank.clone()),
            _ => None,
        })
        .unwrap_or_default();
    let safe = crate::escape::is_safe_url(&text);
    match (d.helper.as_str(), safe) {
        (_, true) => text.trim().to_owned(),
        ("href", false) if !text.is_empty() => "#".to_owned(),
        (_, false) => String::new(),
    }
}

fn format(d: &DerivedField, v: &Value, root: &Value, item: Option<&Value>) -> Option<String> {
    let locale = match d.locale.as_ref().and_then(|l| resolve(l, root, item)) {
        Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
        _ => d.default_locale.clone(),
    };
    match d.helper.as_str() {
        "currency" => {
            let code = d.code.as_ref().and_then(|c| resolve(c, root, item))?.as_str()?;
            let amount = match v {
                Value::Number(n) => n.to_string(),
                Value::String(s) => s.clone(),
                _ => return None,
            };
            crate::format::currency_from_str(&amount, code, &locale).ok()
        }
        "date" => {
            let style = d.style.as_deref()?.parse().ok()?;
            crate::format::date(v.as_str()?, style, &locale).ok()
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn spec(helper: &str, fallback: Option<&str>) -> DerivedField {
        DerivedField {
            fallback: fallback.map(str::to_owned),
            ..DerivedField::new(
                "cart_url_x".to_owned(),
                helper,
                Source::Field("cart.url".to_owned()),
                "en-US".to_owned(),
            )
        }
    }

    #[test]
    fn urls_are_derived_as_preview_writes_them() {
        let at = |url: Value| json!({"cart": {"url": url}});
        let href = spec("href", Some("https://a.example/cart"));
        let link = spec("link", None);
        assert_eq!(
            derive(&href, &at(json!(" https://x.example ")), None),
            Some(json!("https://x.example"))
        );
        assert_eq!(derive(&href, &at(json!("javascript:alert(1)")), None), Some(json!("#")));
        assert_eq!(derive(&link, &at(json!("javascript:alert(1)")), None), Some(json!("")));
        assert_eq!(
            derive(&href, &at(json!(" ")), None),
            Some(json!("https://a.example/cart"))
        );
        assert_eq!(derive(&link, &json!({}), None), Some(json!("")));
    }

    #[test]
    fn targets_serialize_as_their_names() {
        for target in Target::ALL {
            let json = serde_json::to_value(target).expect("serializes");
            assert_eq!(json, json!(target.name()));
            assert_eq!(serde_json::from_value::<Target>(json).expect("deserializes"), target);
        }
    }

    #[test]
    fn segment_membership_is_a_boolean() {
        let mut d = spec("segment", None);
        d.value = Source::Value(json!("vip"));
        assert_eq!(derive(&d, &json!({"segments": ["a", "vip"]}), None), Some(json!(true)));
        assert_eq!(derive(&d, &json!({"segments": ["vip "]}), None), Some(json!(false)));
        assert_eq!(derive(&d, &json!({}), None), Some(json!(false)));
    }

    #[test]
    fn asset_paths_in_recipient_data_are_named_where_assets_are_hosted() {
        let data = json!({
            "recs": [{"image": "assets/boot-0a1b2c3d4e5f.png"}, {"image": "https://cdn.example/x.png"}],
            "note": "assets/ is a folder",
            "logo": " assets/logo-0a1b2c3d4e5f.png "
        });
        let hosted = host_asset_values(&data, "https://images.example/email");
        assert_eq!(
            hosted,
            json!({
                "recs": [
                    {"image": "https://images.example/email/boot-0a1b2c3d4e5f.png"},
                    {"image": "https://cdn.example/x.png"}
                ],
                "note": "assets/ is a folder",
                "logo": "https://images.example/email/logo-0a1b2c3d4e5f.png"
            })
        );
        assert_eq!(super::super::hosting_base(Some("http://images.example/")), None);
        assert_eq!(
            super::super::hosting_base(Some(" https://images.example/ ")),
            Some("https://images.example/")
        );
    }
}
