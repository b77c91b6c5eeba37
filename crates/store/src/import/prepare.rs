//! Preparing rows: each record validated and normalized into a typed row, with no database access,
//! so that it can run on its own thread ahead of the writer.

use std::collections::{BTreeMap, HashMap};

use serde_json::{Map, Value};

use super::report::ImportReport;
use super::{Kind, Normalization};
use crate::validate::timestamp::{parse_timestamp, Zone};
use crate::validate::{country, email, text};

/// The fields of one record, by store field name, and the custom attributes.
#[derive(Debug, Default)]
pub struct Fields {
    /// Store fields (raw text).
    pub known: HashMap<&'static str, String>,
    /// Custom profile attributes.
    pub attributes: Map<String, Value>,
}

impl Fields {
    /// A store field's value with whitespace trimmed and collapsed; `None` when absent or empty.
    pub fn cleaned(&self, field: &str) -> Option<String> {
        self.known
            .get(field)
            .map(|v| text::clean_text(v).into_owned())
            .filter(|v| !v.is_empty())
    }
}

/// A CSV attribute: a plain number becomes a number, `true`/`false` a boolean, the rest text.
pub fn infer_attribute(raw: &str) -> Value {
    let t = raw.trim();
    if t.is_empty() {
        return Value::Null;
    }
    let leading_zero = t.len() > 1 && t.starts_with('0') && !t.starts_with("0.");
    let plain_number = !(t.starts_with('+') || leading_zero);
    if plain_number {
        if let Ok(i) = t.parse::<i64>() {
            return Value::from(i);
        }
        if let Ok(f) = t.parse::<f64>() {
            if f.is_finite() && t.contains('.') {
                return Value::from(f);
            }
        }
    }
    match t {
        "true" => Value::Bool(true),
        "false" => Value::Bool(false),
        _ => Value::String(text::clean_text(t).into_owned()),
    }
}

/// A validated row, ready to be written.
pub(crate) enum Prepared {
    Profile(ProfileRow),
    Event(EventRow),
    Product(ProductRow),
}

/// A profile row: its address and its normalized fields and attributes.
pub(crate) struct ProfileRow {
    pub line: u64,
    pub email: email::Email,
    /// Normalized store fields (text, booleans, times in UTC milliseconds), email included.
    pub values: BTreeMap<&'static str, Value>,
    /// Custom attributes as found (nulls included: they never overwrite).
    pub attributes: Map<String, Value>,
    /// The attributes a new profile starts with (nulls left out), as stored JSON.
    pub new_attributes: String,
    /// The fuzzy matching key, when the row has a postal code and a last name.
    pub match_key: Option<u64>,
}

impl ProfileRow {
    /// A text field's normalized value.
    pub fn text(&self, field: &str) -> Option<&str> {
        self.values.get(field).and_then(Value::as_str)
    }
}

/// Whose event it is.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Person {
    /// By normalized email key, with its hash (see [`super::email_ids::email_hash`]).
    Email(String, u128),
    /// By CRM id.
    Crm(String),
}

/// An event row; the profile is looked up by the writer.
pub(crate) struct EventRow {
    pub line: u64,
    pub person: Person,
    /// The person as written, for the message when no profile matches.
    pub shown: String,
    pub kind: &'static str,
    pub sku: Option<String>,
    pub category: Option<String>,
    pub value: Option<f64>,
    pub currency: Option<String>,
    pub occurred: i64,
    pub source: Option<String>,
    /// Hash of everything but the profile and time: with them, the event's identity.
    pub digest: [u8; 16],
}

/// A product's stored columns: name, price, currency, category, image URL, page URL, stock.
pub(crate) type ProductColumns = (
    Option<String>,
    Option<f64>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
);

/// A product row.
pub(crate) struct ProductRow {
    pub sku: String,
    pub columns: ProductColumns,
}

/// Validates and normalizes records of one kind.
pub(crate) struct Preparer {
    kind: Kind,
    zone: Zone,
    rules: Normalization,
    /// Timestamps that had no offset (the import's zone was assumed).
    pub assumed_zone: u64,
}

impl Preparer {
    pub(crate) fn new(kind: Kind, zone: Zone, rules: Normalization) -> Self {
        Self {
            kind,
            zone,
            rules,
            assumed_zone: 0,
        }
    }

    /// The kind of records this preparer takes.
    pub(crate) fn kind(&self) -> Kind {
        self.kind
    }

    /// The row ready to write, or `None` when it was rejected (the reason is in the report).
    pub(crate) fn prepare(&mut self, line: u64, fields: Fields, report: &mut ImportReport) -> Option<Prepared> {
        match self.kind {
            Kind::Profiles => self.profile(line, fields, report).map(Prepared::Profile),
            Kind::Events => self.event(line, &fields, report).map(Prepared::Event),
            Kind::Products => self.product(line, &fields, report).map(Prepared::Product),
        }
    }

    /// The master category; an unknown one is kept as found and reported once.
    fn category(&self, raw: &str, report: &mut ImportReport) -> String {
        self.rules.category(raw).unwrap_or_else(|unknown| {
            report.warn_once(format!(
                "category \"{unknown}\" is not in the workspace taxonomy; kept as is"
            ));
            unknown
        })
    }

    fn time(&mut self, raw: &str) -> Result<i64, String> {
        let t = parse_timestamp(raw, &self.zone).map_err(|e| e.to_string())?;
        if t.assumed_zone {
            self.assumed_zone += 1;
        }
        Ok(i64::try_from(t.utc.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX))
    }

    fn profile(&mut self, line: u64, mut fields: Fields, report: &mut ImportReport) -> Option<ProfileRow> {
        let raw_email = fields.known.remove("email").unwrap_or_default();
        let address = match email::parse_email(&raw_email) {
            Ok(a) => a,
            Err(e) => {
                report.reject(line, Some("email"), format!("invalid email: {e}"));
                return None;
            }
        };
        let mut values: BTreeMap<&'static str, Value> = BTreeMap::new();
        values.insert("email", Value::String(address.display.clone()));
        for (field, raw) in &fields.known {
            let cleaned = text::clean_text(raw);
            if cleaned.is_empty() {
                continue;
            }
            match self.profile_value(field, &cleaned) {
                Ok(value) => values.insert(field, value),
                Err(reason) => {
                    report.reject(line, Some(field), reason);
                    return None;
                }
            };
        }
        let new_attributes = Value::Object(
            fields
                .attributes
                .iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        )
        .to_string();
        let text = |f: &str| values.get(f).and_then(Value::as_str);
        let match_key = text("postal_code").zip(text("last_name")).map(|(p, l)| match_key(p, l));
        Some(ProfileRow {
            line,
            email: address,
            values,
            attributes: fields.attributes,
            new_attributes,
            match_key,
        })
    }

    /// A profile field's value, normalized; the reason when it is not valid.
    fn profile_value(&mut self, field: &str, cleaned: &str) -> Result<Value, String> {
        let invalid = |what: &str| format!("\"{cleaned}\" is not {what}");
        Ok(match field {
            "country" => Value::String(
                country::country_code(cleaned)
                    .ok_or_else(|| format!("unknown country \"{cleaned}\""))?
                    .to_owned(),
            ),
            "phone" => Value::String(normalize_phone(cleaned).ok_or_else(|| invalid("a phone number"))?),
            "locale" => Value::String(normalize_locale(cleaned).ok_or_else(|| invalid("a locale like en-US"))?),
            "consent_email" => Value::Bool(parse_consent(cleaned).ok_or_else(|| invalid("yes or no"))?),
            "created_at" | "updated_at" => Value::from(self.time(cleaned)?),
            _ => Value::String(cleaned.to_owned()),
        })
    }

    fn event(&mut self, line: u64, fields: &Fields, report: &mut ImportReport) -> Option<EventRow> {
        let get = |f: &str| fields.cleaned(f);
        let written = get("type")
            .unwrap_or_default()
            .to_ascii_lowercase()
            .replace(['-', ' '], "_");
        let Some(kind) = crate::events::known_type(&written) else {
            report.reject(
                line,
                Some("type"),
                format!(
                    "unknown event type \"{written}\" (known: {})",
                    crate::events::EVENT_TYPES.join(", ")
                ),
            );
            return None;
        };
        let occurred = match self.time(&get("occurred_at").unwrap_or_default()) {
            Ok(ms) => ms,
            Err(reason) => {
                report.reject(line, Some("occurred_at"), reason);
                return None;
            }
        };
        let value = match get("value") {
            None => None,
            Some(v) => match v.parse::<f64>().ok().filter(|f| f.is_finite()) {
                Some(f) => Some(f),
                None => {
                    report.reject(line, Some("value"), format!("\"{v}\" is not a number"));
                    return None;
                }
            },
        };
        let currency = match get("currency") {
            None => None,
            Some(c) if c.len() == 3 && c.chars().all(|ch| ch.is_ascii_alphabetic()) => Some(c.to_ascii_uppercase()),
            Some(c) => {
                report.reject(
                    line,
                    Some("currency"),
                    format!("\"{c}\" is not a three-letter currency code"),
                );
                return None;
            }
        };
        let shown = get("email").or_else(|| get("crm_id")).unwrap_or_default();
        let person = match fields.known.get("email").filter(|e| !e.trim().is_empty()) {
            Some(e) => match email::parse_email(e) {
                Ok(a) => {
                    let hash = super::email_ids::email_hash(&a.key);
                    Person::Email(a.key, hash)
                }
                Err(_) => {
                    report.reject(line, Some("email"), no_profile(&shown));
                    return None;
                }
            },
            None => Person::Crm(
                fields
                    .known
                    .get("crm_id")
                    .map(|c| c.trim().to_owned())
                    .unwrap_or_default(),
            ),
        };
        let sku = get("sku").map(|s| self.rules.sku(&s));
        let category = get("category").map(|c| self.category(&c, report));
        let source = get("source");
        let digest = crate::events::digest(
            kind,
            sku.as_deref(),
            category.as_deref(),
            currency.as_deref(),
            source.as_deref(),
            value,
        );
        Some(EventRow {
            line,
            person,
            shown,
            kind,
            sku,
            category,
            value,
            currency,
            occurred,
            source,
            digest,
        })
    }

    fn product(&mut self, line: u64, fields: &Fields, report: &mut ImportReport) -> Option<ProductRow> {
        let get = |f: &str| fields.cleaned(f);
        let sku = self.rules.sku(&get("sku").unwrap_or_default());
        let number = |f: &str, report: &mut ImportReport| -> Result<Option<f64>, ()> {
            match get(f) {
                None => Ok(None),
                Some(v) => match v.parse::<f64>().ok().filter(|n| n.is_finite()) {
                    Some(n) if n < 0.0 => {
                        report.reject(line, Some(f), format!("{v} is negative"));
                        Err(())
                    }
                    Some(n) => Ok(Some(n)),
                    None => {
                        report.reject(line, Some(f), format!("\"{v}\" is not a number"));
                        Err(())
                    }
                },
            }
        };
        let price = number("price", report).ok()?;
        let stock = number("stock", report).ok()?.map(|s| s.round() as i64);
        let columns = (
            get("name"),
            price,
            get("currency").map(|c| c.to_ascii_uppercase()),
            get("category").map(|c| self.category(&c, report)),
            get("image_url"),
            get("url"),
            stock,
        );
        Some(ProductRow { sku, columns })
    }
}

/// Profiles can only be fuzzy matches when they share this key: the postal code and the last name
/// compared as the `profiles_match` index compares them (ASCII case folded, like `NOCASE`).
pub(crate) fn match_key(postal_code: &str, last_name: &str) -> u64 {
    use std::hash::{Hash as _, Hasher as _};
    let mut h = std::hash::DefaultHasher::new();
    postal_code.hash(&mut h);
    last_name.to_ascii_lowercase().hash(&mut h);
    h.finish()
}

/// Why an event was refused when its person is not in the store.
pub(crate) fn no_profile(who: &str) -> String {
    format!("no profile \"{who}\" in the store (import profiles first)")
}

/// E.164-like: a leading `+` kept, digits only, at least 6 of them.
fn normalize_phone(raw: &str) -> Option<String> {
    let plus = raw.trim_start().starts_with('+') || raw.trim_start().starts_with("00");
    let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    let digits = if raw.trim_start().starts_with("00") {
        digits.get(2..).unwrap_or_default().to_owned()
    } else {
        digits
    };
    let allowed = raw.chars().all(|c| c.is_ascii_digit() || " +-()./".contains(c));
    (allowed && digits.len() >= 6 && digits.len() <= 15).then(|| if plus { format!("+{digits}") } else { digits })
}

/// `de_de`, `DE-de` → `de-DE`; a bare language stays (`fr`).
fn normalize_locale(raw: &str) -> Option<String> {
    let mut parts = raw.split(['-', '_']);
    let lang = parts.next()?.to_ascii_lowercase();
    if !(2..=3).contains(&lang.len()) || !lang.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    match parts.next() {
        None => Some(lang),
        Some(region)
            if region.len() == 2 && region.chars().all(|c| c.is_ascii_alphabetic()) && parts.next().is_none() =>
        {
            Some(format!("{lang}-{}", region.to_ascii_uppercase()))
        }
        Some(_) => None,
    }
}

fn parse_consent(raw: &str) -> Option<bool> {
    match raw.to_ascii_lowercase().replace(['-', '_', ' '], "").as_str() {
        "yes" | "y" | "true" | "1" | "optin" | "optedin" | "subscribed" => Some(true),
        "no" | "n" | "false" | "0" | "optout" | "optedout" | "unsubscribed" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn phones_locales_and_consent_normalize() {
        assert_eq!(normalize_phone("+49 (30) 1234-567").as_deref(), Some("+49301234567"));
        assert_eq!(normalize_phone("0049 30 1234567").as_deref(), Some("+49301234567"));
        assert_eq!(normalize_phone("call me"), None);
        assert_eq!(normalize_locale("de_de").as_deref(), Some("de-DE"));
        assert_eq!(normalize_locale("FR").as_deref(), Some("fr"));
        assert_eq!(normalize_locale("english"), None);
        assert_eq!(parse_consent("Opt-in"), Some(true));
        assert_eq!(parse_consent("no"), Some(false));
        assert_eq!(parse_consent("maybe"), None);
    }

    #[test]
    fn attributes_keep_numbers_and_text_apart() {
        assert_eq!(infer_attribute("1510"), json!(1510));
        assert_eq!(infer_attribute("12.5"), json!(12.5));
        assert_eq!(
            infer_attribute("0042"),
            json!("0042"),
            "leading zeros are an identifier"
        );
        assert_eq!(infer_attribute("+1+1"), json!("+1+1"));
        assert_eq!(infer_attribute("=HYPERLINK(\"x\")"), json!("=HYPERLINK(\"x\")"));
        assert_eq!(infer_attribute(" "), Value::Null);
    }
}
