//! Rows: validation and normalization per kind, then writing with de-duplication and merging.

use std::collections::{BTreeMap, HashMap, HashSet};

use rusqlite::{params, OptionalExtension, Transaction};
use serde_json::{json, Map, Value};

use super::report::{FuzzyMatch, ImportReport};
use super::Kind;
use crate::validate::timestamp::{parse_timestamp, Zone};
use crate::validate::{country, email, text};
use crate::StoreError;

/// The fields of one record, by store field name, and the custom attributes.
#[derive(Debug, Default)]
pub struct Fields {
    /// Store fields (raw text).
    pub known: HashMap<&'static str, String>,
    /// Custom profile attributes.
    pub attributes: Map<String, Value>,
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

/// Profile columns besides email, in table order.
const PROFILE_TEXT: &[&str] = &[
    "crm_id",
    "shop_id",
    "first_name",
    "last_name",
    "phone",
    "locale",
    "timezone",
    "country",
    "postal_code",
    "city",
    "source",
];

/// The email first, then the external ids; each branch is one unique-index lookup (a single OR
/// query is re-prepared on every call by SQLite's STAT4 planner).
const FIND_PROFILE: &str = "SELECT * FROM (
        SELECT id, email_key, crm_id, shop_id, first_name, last_name, phone, locale, timezone, country, postal_code, city, source,
               consent_email, attributes, provenance, updated_at, import_batch, 1 AS rank FROM profiles WHERE email_key = ?1
        UNION ALL
        SELECT id, email_key, crm_id, shop_id, first_name, last_name, phone, locale, timezone, country, postal_code, city, source,
               consent_email, attributes, provenance, updated_at, import_batch, 2 FROM profiles WHERE crm_id = ?2
        UNION ALL
        SELECT id, email_key, crm_id, shop_id, first_name, last_name, phone, locale, timezone, country, postal_code, city, source,
               consent_email, attributes, provenance, updated_at, import_batch, 3 FROM profiles WHERE shop_id = ?3
     ) ORDER BY rank LIMIT 1";

/// Fuzzy matches at or above this score are reported for review; none is merged automatically.
pub const FUZZY_THRESHOLD: f64 = 0.85;

pub(crate) struct Applier<'t> {
    tx: &'t Transaction<'t>,
    kind: Kind,
    batch: i64,
    now: i64,
    zone: Zone,
    /// Products written by this import, to tell a duplicate in the file from an update.
    touched: HashSet<String>,
    profile_ids: HashMap<String, Option<i64>>,
    pub(crate) assumed_zone: u64,
    rules: super::Normalization,
    pub(crate) fuzzy: Vec<FuzzyMatch>,
}

impl<'t> Applier<'t> {
    pub(crate) fn new(
        tx: &'t Transaction<'t>,
        kind: Kind,
        batch: i64,
        now: i64,
        zone: Zone,
        rules: super::Normalization,
    ) -> Self {
        Self {
            tx,
            kind,
            batch,
            now,
            zone,
            touched: HashSet::new(),
            profile_ids: HashMap::new(),
            assumed_zone: 0,
            rules,
            fuzzy: Vec::new(),
        }
    }

    fn sql(e: rusqlite::Error) -> StoreError {
        StoreError::Sqlite {
            path: std::path::PathBuf::from(crate::STORE_FILE),
            source: e,
        }
    }

    pub(crate) fn apply(&mut self, line: u64, fields: Fields, report: &mut ImportReport) -> Result<(), StoreError> {
        match self.kind {
            Kind::Profiles => self.profile(line, fields, report),
            Kind::Events => self.event(line, &fields, report),
            Kind::Products => self.product(line, &fields, report),
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

    fn profile(&mut self, line: u64, mut fields: Fields, report: &mut ImportReport) -> Result<(), StoreError> {
        let raw_email = fields.known.remove("email").unwrap_or_default();
        let address = match email::parse_email(&raw_email) {
            Ok(a) => a,
            Err(e) => {
                report.reject(line, Some("email"), format!("invalid email: {e}"));
                return Ok(());
            }
        };
        let mut values: BTreeMap<&'static str, Value> = BTreeMap::new();
        values.insert("email", Value::String(address.display.clone()));
        for (field, raw) in &fields.known {
            let cleaned = text::clean_text(raw);
            if cleaned.is_empty() {
                continue;
            }
            let value = match self.profile_value(field, &cleaned) {
                Ok(value) => value,
                Err(reason) => {
                    report.reject(line, Some(field), reason);
                    return Ok(());
                }
            };
            values.insert(field, value);
        }
        let row_at = values.get("updated_at").and_then(Value::as_i64).unwrap_or(self.now);
        // New profiles are the common case in large imports: try the insert first and let the
        // unique indexes (email, CRM id, shop id) say whether the profile already exists.
        let created = values.get("created_at").and_then(Value::as_i64).unwrap_or(row_at);
        let attributes: Map<String, Value> = fields
            .attributes
            .iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let text = |f: &str| values.get(f).and_then(|v| v.as_str().map(str::to_owned));
        // Every field of a new profile dates from the profile's own updated_at and batch;
        // provenance only records fields whose age differs from that (none yet).
        let inserted = self
            .tx
            .prepare_cached(
                "INSERT INTO profiles (email, email_key, crm_id, shop_id, first_name, last_name, phone, locale, timezone, country, postal_code, city, source,
                                       consent_email, attributes, provenance, created_at, updated_at, import_batch)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, '{}', ?16, ?17, ?18)
                 ON CONFLICT DO NOTHING",
            )
            .and_then(|mut st| {
                st.execute(params![
                    address.display,
                    address.key,
                    text("crm_id"),
                    text("shop_id"),
                    text("first_name"),
                    text("last_name"),
                    text("phone"),
                    text("locale"),
                    text("timezone"),
                    text("country"),
                    text("postal_code"),
                    text("city"),
                    text("source"),
                    values.get("consent_email").and_then(Value::as_bool),
                    Value::Object(attributes).to_string(),
                    created,
                    row_at,
                    self.batch
                ])
            })
            .map_err(Self::sql)?;
        if inserted == 1 {
            self.fuzzy_check(line, &address.display, &address.key, &values)?;
            report.inserted += 1;
            return Ok(());
        }
        let Some(profile) = self.find_profile(&address.key, &values)? else {
            report.reject(line, Some("email"), "the profile could not be stored");
            return Ok(());
        };
        let changed = self.merge_profile(&profile, &values, fields.attributes, row_at)?;
        // Written earlier by this very import: a duplicate row of the file.
        if profile.import_batch == Some(self.batch) {
            report.merged += 1;
        } else if changed {
            report.updated += 1;
        } else {
            report.unchanged += 1;
        }
        Ok(())
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

    fn find_profile(
        &self,
        key: &str,
        values: &BTreeMap<&'static str, Value>,
    ) -> Result<Option<StoredProfile>, StoreError> {
        let crm = values.get("crm_id").and_then(Value::as_str);
        let shop = values.get("shop_id").and_then(Value::as_str);
        // One lookup: the email first, then the external ids (each has its own unique index).
        self.tx
            .prepare_cached(FIND_PROFILE)
            .and_then(|mut st| {
                st.query_row(params![key, crm, shop], StoredProfile::from_row)
                    .optional()
            })
            .map_err(Self::sql)
    }

    /// Newest value per field wins; provenance records the time and batch of each value kept.
    fn merge_profile(
        &self,
        profile: &StoredProfile,
        values: &BTreeMap<&'static str, Value>,
        attributes: Map<String, Value>,
        row_at: i64,
    ) -> Result<bool, StoreError> {
        let mut provenance = profile.provenance.clone();
        let mut text = profile.text.clone();
        let mut consent = profile.consent;
        let mut attrs = profile.attributes.clone();
        let mut changed = false;
        let field_at = |provenance: &Map<String, Value>, field: &str| {
            provenance
                .get(field)
                .and_then(|p| p.get("at"))
                .and_then(Value::as_i64)
                .unwrap_or(profile.updated_at)
        };
        let take = |field: &str, provenance: &mut Map<String, Value>| -> bool {
            if row_at >= field_at(provenance, field) {
                provenance.insert(field.to_owned(), json!({"at": row_at, "batch": self.batch}));
                true
            } else {
                false
            }
        };
        for (field, value) in values {
            match *field {
                "email" | "created_at" | "updated_at" => {}
                "consent_email" => {
                    if consent != value.as_bool() && take(field, &mut provenance) {
                        consent = value.as_bool();
                        changed = true;
                    }
                }
                f => {
                    let new = value.as_str().map(str::to_owned);
                    if let Some(slot) = PROFILE_TEXT.iter().position(|c| *c == f) {
                        if text[slot] != new && take(f, &mut provenance) {
                            text[slot] = new;
                            changed = true;
                        }
                    }
                }
            }
        }
        for (name, value) in attributes {
            if value.is_null() || attrs.get(&name) == Some(&value) {
                continue;
            }
            if take(&name, &mut provenance) {
                attrs.insert(name, value);
                changed = true;
            }
        }
        if changed {
            let updated_at = profile.updated_at.max(row_at);
            if updated_at != profile.updated_at {
                // Fields that keep their value keep their age, which no longer equals the profile's.
                let pinned = json!({"at": profile.updated_at, "batch": profile.import_batch});
                let present: Vec<String> = PROFILE_TEXT
                    .iter()
                    .zip(&profile.text)
                    .filter(|(_, v)| v.is_some())
                    .map(|(f, _)| (*f).to_owned())
                    .chain(profile.consent.map(|_| "consent_email".to_owned()))
                    .chain(profile.attributes.keys().cloned())
                    .chain(std::iter::once("email".to_owned()))
                    .collect();
                for field in present {
                    provenance.entry(field).or_insert_with(|| pinned.clone());
                }
            }
            let mut st = self
                .tx
                .prepare_cached(
                    "UPDATE profiles SET crm_id = ?2, shop_id = ?3, first_name = ?4, last_name = ?5, phone = ?6, locale = ?7, timezone = ?8, country = ?9,
                     postal_code = ?10, city = ?11, source = ?12, consent_email = ?13, attributes = ?14, provenance = ?15, updated_at = ?16, import_batch = ?17
                     WHERE id = ?1",
                )
                .map_err(Self::sql)?;
            st.execute(params![
                profile.id,
                text[0],
                text[1],
                text[2],
                text[3],
                text[4],
                text[5],
                text[6],
                text[7],
                text[8],
                text[9],
                text[10],
                consent,
                Value::Object(attrs).to_string(),
                Value::Object(provenance).to_string(),
                updated_at,
                self.batch
            ])
            .map_err(Self::sql)?;
        }
        Ok(changed)
    }

    /// Looks for a different profile with the same postal code and a similar name or phone.
    fn fuzzy_check(
        &mut self,
        line: u64,
        email: &str,
        key: &str,
        values: &BTreeMap<&'static str, Value>,
    ) -> Result<(), StoreError> {
        let get = |f: &str| values.get(f).and_then(Value::as_str).unwrap_or_default();
        let (postal, first, last, phone) = (get("postal_code"), get("first_name"), get("last_name"), get("phone"));
        if postal.is_empty() || last.is_empty() {
            return Ok(());
        }
        let mut st = self
            .tx
            .prepare_cached("SELECT email, first_name, last_name, phone FROM profiles WHERE postal_code = ?1 AND last_name = ?2 COLLATE NOCASE AND email_key != ?3 LIMIT 50")
            .map_err(Self::sql)?;
        let candidates = st
            .query_map([postal, last, key], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, Option<String>>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, Option<String>>(3)?,
                ))
            })
            .and_then(Iterator::collect::<Result<Vec<_>, _>>)
            .map_err(Self::sql)?;
        for (other_email, f, l, p) in candidates {
            let name_a = format!("{first} {last}").to_lowercase();
            let name_b = format!("{} {}", f.unwrap_or_default(), l.unwrap_or_default()).to_lowercase();
            let name = strsim::jaro_winkler(name_a.trim(), name_b.trim());
            let phone_score = match (phone, p.as_deref()) {
                ("", _) | (_, None) => None,
                (a, Some(b)) => Some(strsim::normalized_levenshtein(a, b)),
            };
            let score = phone_score.map_or(name * 0.9, |ps| name * 0.6 + ps * 0.4);
            if score >= FUZZY_THRESHOLD {
                let evidence = match phone_score {
                    Some(ps) => format!(
                        "same postal code, name {:.0}% alike, phone {:.0}% alike",
                        name * 100.0,
                        ps * 100.0
                    ),
                    None => format!("same postal code, name {:.0}% alike", name * 100.0),
                };
                self.fuzzy.push(FuzzyMatch {
                    line,
                    email: email.to_owned(),
                    candidate: other_email,
                    score: (score * 100.0).round() / 100.0,
                    evidence,
                });
            }
        }
        Ok(())
    }

    fn profile_id(&mut self, fields: &Fields) -> Result<Option<i64>, StoreError> {
        let (column, key) = match fields.known.get("email").filter(|e| !e.trim().is_empty()) {
            Some(e) => match email::parse_email(e) {
                Ok(a) => ("email_key", a.key),
                Err(_) => return Ok(None),
            },
            None => (
                "crm_id",
                fields
                    .known
                    .get("crm_id")
                    .map(|c| c.trim().to_owned())
                    .unwrap_or_default(),
            ),
        };
        let cache_key = format!("{column}\u{0}{key}");
        if let Some(id) = self.profile_ids.get(&cache_key) {
            return Ok(*id);
        }
        let id = self
            .tx
            .prepare_cached(&format!("SELECT id FROM profiles WHERE {column} = ?1"))
            .and_then(|mut st| st.query_row([&key], |r| r.get(0)).optional())
            .map_err(Self::sql)?;
        self.profile_ids.insert(cache_key, id);
        Ok(id)
    }

    fn event(&mut self, line: u64, fields: &Fields, report: &mut ImportReport) -> Result<(), StoreError> {
        let get = |f: &str| {
            fields
                .known
                .get(f)
                .map(|v| text::clean_text(v).into_owned())
                .filter(|v| !v.is_empty())
        };
        let kind = get("type")
            .unwrap_or_default()
            .to_ascii_lowercase()
            .replace(['-', ' '], "_");
        if !super::EVENT_TYPES.contains(&kind.as_str()) {
            report.reject(
                line,
                Some("type"),
                format!(
                    "unknown event type \"{kind}\" (known: {})",
                    super::EVENT_TYPES.join(", ")
                ),
            );
            return Ok(());
        }
        let occurred = match self.time(&get("occurred_at").unwrap_or_default()) {
            Ok(ms) => ms,
            Err(reason) => {
                report.reject(line, Some("occurred_at"), reason);
                return Ok(());
            }
        };
        let value = match get("value") {
            None => None,
            Some(v) => match v.parse::<f64>().ok().filter(|f| f.is_finite()) {
                Some(f) => Some(f),
                None => {
                    report.reject(line, Some("value"), format!("\"{v}\" is not a number"));
                    return Ok(());
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
                return Ok(());
            }
        };
        let Some(profile_id) = self.profile_id(fields)? else {
            let who = get("email").or_else(|| get("crm_id")).unwrap_or_default();
            report.reject(
                line,
                Some("email"),
                format!("no profile \"{who}\" in the store (import profiles first)"),
            );
            return Ok(());
        };
        let sku = get("sku").map(|s| self.rules.sku(&s));
        let category = get("category").map(|c| self.category(&c, report));
        let source = get("source");
        let mut hash = blake3::Hasher::new();
        hash.update(kind.as_bytes());
        for part in [
            sku.as_deref(),
            category.as_deref(),
            currency.as_deref(),
            source.as_deref(),
        ] {
            hash.update(&[0xFF]);
            hash.update(part.unwrap_or_default().as_bytes());
        }
        hash.update(&value.unwrap_or(f64::NAN).to_le_bytes());
        let mut key = Vec::with_capacity(32);
        key.extend_from_slice(&profile_id.to_be_bytes());
        key.extend_from_slice(&occurred.to_be_bytes());
        key.extend_from_slice(&hash.finalize().as_bytes()[..16]);
        let inserted = self
            .tx
            .prepare_cached(
                "INSERT OR IGNORE INTO events (profile_id, type, sku, category, value, currency, occurred_at, source, import_batch, dedup_key)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )
            .and_then(|mut st| st.execute(params![profile_id, kind, sku, category, value, currency, occurred, source, self.batch, key]))
            .map_err(Self::sql)?;
        if inserted == 1 {
            report.inserted += 1;
        } else {
            report.unchanged += 1;
        }
        Ok(())
    }

    fn product(&mut self, line: u64, fields: &Fields, report: &mut ImportReport) -> Result<(), StoreError> {
        let get = |f: &str| {
            fields
                .known
                .get(f)
                .map(|v| text::clean_text(v).into_owned())
                .filter(|v| !v.is_empty())
        };
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
        let Ok(price) = number("price", report) else {
            return Ok(());
        };
        let Ok(stock) = number("stock", report) else {
            return Ok(());
        };
        let stock = stock.map(|s| s.round() as i64);
        let row = (
            get("name"),
            price,
            get("currency").map(|c| c.to_ascii_uppercase()),
            get("category").map(|c| self.category(&c, report)),
            get("image_url"),
            get("url"),
            stock,
        );
        let existing: Option<ProductRow> = self
            .tx
            .prepare_cached(
                "SELECT name, price, currency, category, image_url, url, stock FROM products WHERE sku = ?1",
            )
            .and_then(|mut st| {
                st.query_row([&sku], |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                        r.get(6)?,
                    ))
                })
                .optional()
            })
            .map_err(Self::sql)?;
        let duplicate_in_file = !self.touched.insert(sku.clone());
        if existing.as_ref() == Some(&row) {
            if duplicate_in_file {
                report.merged += 1;
            } else {
                report.unchanged += 1;
            }
            return Ok(());
        }
        self.tx
            .prepare_cached(
                "INSERT INTO products (sku, name, price, currency, category, image_url, url, stock, updated_at, import_batch) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
                 ON CONFLICT (sku) DO UPDATE SET name = excluded.name, price = excluded.price, currency = excluded.currency, category = excluded.category,
                 image_url = excluded.image_url, url = excluded.url, stock = excluded.stock, updated_at = excluded.updated_at, import_batch = excluded.import_batch",
            )
            .and_then(|mut st| st.execute(params![sku, row.0, row.1, row.2, row.3, row.4, row.5, row.6, self.now, self.batch]))
            .map_err(Self::sql)?;
        match (existing, duplicate_in_file) {
            (_, true) => report.merged += 1,
            (None, false) => report.inserted += 1,
            (Some(_), false) => report.updated += 1,
        }
        Ok(())
    }
}

/// A product's stored columns: name, price, currency, category, image URL, page URL, stock.
type ProductRow = (
    Option<String>,
    Option<f64>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
);

struct StoredProfile {
    id: i64,
    text: Vec<Option<String>>,
    consent: Option<bool>,
    attributes: Map<String, Value>,
    provenance: Map<String, Value>,
    updated_at: i64,
    import_batch: Option<i64>,
}

impl StoredProfile {
    fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        let n = PROFILE_TEXT.len();
        let mut text = Vec::with_capacity(n);
        for i in 0..n {
            text.push(r.get(2 + i)?);
        }
        let json = |s: String| match serde_json::from_str(&s) {
            Ok(Value::Object(m)) => m,
            _ => Map::new(),
        };
        Ok(Self {
            id: r.get(0)?,
            text,
            consent: r.get(2 + n)?,
            attributes: json(r.get(3 + n)?),
            provenance: json(r.get(4 + n)?),
            updated_at: r.get(5 + n)?,
            import_batch: r.get(6 + n)?,
        })
    }
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
