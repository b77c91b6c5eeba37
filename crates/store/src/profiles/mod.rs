//! Reading profiles: search, one profile with its recent events and data ages, and the render
//! context a stored profile gives an email (profile attributes and the open cart).

pub(crate) mod columns;

use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::{ms_to_rfc3339, Store, StoreError};
use columns::StoredProfile;

/// A profile as listed.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ProfileSummary {
    /// Store id.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub id: i64,
    /// Email address.
    pub email: String,
    /// First name.
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: Option<String>,
    /// Country (ISO 3166-1 alpha-2).
    pub country: Option<String>,
    /// Last update (RFC 3339 UTC).
    pub updated_at: String,
}

/// One event, as shown with a profile.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct EventSummary {
    /// Event type.
    #[serde(rename = "type")]
    pub kind: String,
    /// Product SKU.
    pub sku: Option<String>,
    /// Category.
    pub category: Option<String>,
    /// Value.
    pub value: Option<f64>,
    /// Currency.
    pub currency: Option<String>,
    /// When (RFC 3339 UTC).
    pub occurred_at: String,
    /// Where it came from.
    pub source: Option<String>,
}

/// A profile with everything known about it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ProfileDetail {
    /// Store id.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub id: i64,
    /// The profile as templates see it (`profile.*`): fields and custom attributes.
    pub profile: Map<String, Value>,
    /// When each field was last set (RFC 3339 UTC) and by which import batch.
    pub data_ages: Map<String, Value>,
    /// The most recent events, newest first.
    pub recent_events: Vec<EventSummary>,
}

/// A stored profile's render context and the ages of its fields.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredContext {
    /// `{"profile": {...}, "cart": {...}}`.
    pub data: Value,
    /// Per field: `{"at": RFC 3339, "batch": id}`.
    pub data_ages: Map<String, Value>,
}

const SUMMARY: &str = "SELECT id, email, first_name, last_name, country, updated_at FROM profiles";

fn summary(r: &rusqlite::Row<'_>) -> rusqlite::Result<ProfileSummary> {
    Ok(ProfileSummary {
        id: r.get(0)?,
        email: r.get(1)?,
        first_name: r.get(2)?,
        last_name: r.get(3)?,
        country: r.get(4)?,
        updated_at: ms_to_rfc3339(r.get(5)?),
    })
}

impl Store {
    /// Profiles whose email or name contains `search` (case-insensitive), by email.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn list_profiles(&self, search: Option<&str>, limit: usize) -> Result<Vec<ProfileSummary>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let result = match search.map(str::trim).filter(|s| !s.is_empty()) {
            None => self
                .conn()
                .prepare_cached(&format!("{SUMMARY} ORDER BY email_key LIMIT ?1"))
                .and_then(|mut st| st.query_map([limit], summary)?.collect()),
            Some(text) => {
                let pattern = format!(
                    "%{}%",
                    text.to_lowercase()
                        .replace('\\', "\\\\")
                        .replace('%', "\\%")
                        .replace('_', "\\_")
                );
                self.conn()
                    .prepare_cached(&format!(
                        "{SUMMARY} WHERE email_key LIKE ?1 ESCAPE '\\' OR lower(coalesce(first_name, '') || ' ' || coalesce(last_name, '')) LIKE ?1 ESCAPE '\\'
                         ORDER BY email_key LIMIT ?2"
                    ))
                    .and_then(|mut st| st.query_map(params![pattern, limit], summary)?.collect())
            }
        };
        result.map_err(|e| self.sql_error(e))
    }

    /// The profiles with these store ids, in the order given (unknown ids are left out).
    ///
    /// # Errors
    /// SQLite errors.
    pub fn profiles_by_id(&self, ids: &[i64]) -> Result<Vec<ProfileSummary>, StoreError> {
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let found = self
                .conn()
                .prepare_cached(&format!("{SUMMARY} WHERE id = ?1"))
                .and_then(|mut st| st.query_row([id], summary).optional())
                .map_err(|e| self.sql_error(e))?;
            out.extend(found);
        }
        Ok(out)
    }

    /// Finds a profile by store id, email, CRM id or shop id.
    ///
    /// # Errors
    /// [`StoreError::ProfileNotFound`] or SQLite errors.
    pub fn find_profile_id(&self, key: &str) -> Result<i64, StoreError> {
        let key = key.trim();
        let email_key = crate::validate::email::parse_email(key).map(|e| e.key).ok();
        let id: Option<i64> = self
            .conn()
            .prepare_cached(
                "SELECT id FROM profiles WHERE email_key = ?1
                 UNION ALL SELECT id FROM profiles WHERE crm_id = ?2
                 UNION ALL SELECT id FROM profiles WHERE shop_id = ?2
                 UNION ALL SELECT id FROM profiles WHERE id = ?3
                 LIMIT 1",
            )
            .and_then(|mut st| {
                st.query_row(params![email_key, key, key.parse::<i64>().ok()], |r| r.get(0))
                    .optional()
            })
            .map_err(|e| self.sql_error(e))?;
        id.ok_or_else(|| StoreError::ProfileNotFound(key.to_owned()))
    }

    /// A profile with its attributes, data ages and last `events` events.
    ///
    /// # Errors
    /// [`StoreError::ProfileNotFound`] or SQLite errors.
    pub fn profile_detail(&self, key: &str, events: usize) -> Result<ProfileDetail, StoreError> {
        let id = self.find_profile_id(key)?;
        let sql = |e| self.sql_error(e);
        let stored = self
            .conn()
            .prepare_cached(&format!("SELECT {} FROM profiles WHERE id = ?1", columns::select()))
            .and_then(|mut st| st.query_row([id], StoredProfile::from_row))
            .map_err(sql)?;
        let mut profile = Map::new();
        profile.insert("email".into(), Value::String(stored.email));
        // `source` (where the row came from) is not part of the profile a template sees.
        for (name, value) in columns::TEXT
            .iter()
            .zip(stored.text)
            .filter(|(name, _)| **name != "source")
        {
            if let Some(v) = value {
                profile.insert((*name).to_owned(), Value::String(v));
            }
        }
        if let Some(c) = stored.consent {
            profile.insert("consent_email".into(), Value::Bool(c));
        }
        for (k, v) in stored.attributes {
            profile.entry(k).or_insert(v);
        }
        profile.insert("created_at".into(), Value::String(ms_to_rfc3339(stored.created_at)));
        profile.insert("updated_at".into(), Value::String(ms_to_rfc3339(stored.updated_at)));
        let default_age = json!({"at": ms_to_rfc3339(stored.updated_at), "batch": stored.import_batch});
        // A field's age is in the provenance when it differs from the profile's own update.
        let recorded = stored.provenance;
        let mut data_ages = Map::new();
        for field in profile
            .keys()
            .filter(|k| !matches!(k.as_str(), "created_at" | "updated_at"))
        {
            let age = match recorded.get(field) {
                Some(p) => {
                    json!({"at": p.get("at").and_then(Value::as_i64).map(ms_to_rfc3339), "batch": p.get("batch")})
                }
                None => default_age.clone(),
            };
            data_ages.insert(field.clone(), age);
        }
        let recent_events = self
            .conn()
            .prepare_cached("SELECT type, sku, category, value, currency, occurred_at, source FROM events WHERE profile_id = ?1 ORDER BY occurred_at DESC, id DESC LIMIT ?2")
            .and_then(|mut st| {
                st.query_map(params![id, i64::try_from(events).unwrap_or(i64::MAX)], |r| {
                    Ok(EventSummary {
                        kind: r.get(0)?,
                        sku: r.get(1)?,
                        category: r.get(2)?,
                        value: r.get(3)?,
                        currency: r.get(4)?,
                        occurred_at: ms_to_rfc3339(r.get(5)?),
                        source: r.get(6)?,
                    })
                })?
                .collect()
            })
            .map_err(sql)?;
        Ok(ProfileDetail {
            id,
            profile,
            data_ages,
            recent_events,
        })
    }

    /// The render context of a stored profile: `{"profile": {...}, "cart": {...}}`, where the cart is
    /// what the profile added since its last purchase, priced from the product catalogue.
    ///
    /// # Errors
    /// [`StoreError::ProfileNotFound`] or SQLite errors.
    pub fn render_context(&self, key: &str) -> Result<Value, StoreError> {
        self.stored_context(key).map(|c| c.data)
    }

    /// The render context of a stored profile together with the age of each of its fields, read
    /// in one pass (a render as a stored profile needs both).
    ///
    /// # Errors
    /// [`StoreError::ProfileNotFound`] or SQLite errors.
    pub fn stored_context(&self, key: &str) -> Result<StoredContext, StoreError> {
        let detail = self.profile_detail(key, 0)?;
        let sql = |e| self.sql_error(e);
        let items: Vec<Value> = self
            .conn()
            .prepare_cached(
                "SELECT e.sku, count(*) AS quantity, p.name, p.price, p.currency, p.image_url, p.url, max(e.occurred_at) AS added
                 FROM events e INDEXED BY events_profile_type_time LEFT JOIN products p ON p.sku = e.sku
                 WHERE e.profile_id = ?1 AND e.type = 'add_to_cart' AND e.sku IS NOT NULL
                   AND e.occurred_at > (SELECT coalesce(max(occurred_at), 0) FROM events WHERE profile_id = ?1 AND type = 'purchase')
                 GROUP BY e.sku ORDER BY added DESC",
            )
            .and_then(|mut st| {
                st.query_map([detail.id], |r| {
                    let mut item = Map::new();
                    item.insert("sku".into(), Value::String(r.get(0)?));
                    item.insert("quantity".into(), Value::from(r.get::<_, i64>(1)?));
                    for (i, name) in [(2, "name"), (4, "currency"), (5, "image_url"), (6, "url")] {
                        if let Some(v) = r.get::<_, Option<String>>(i)? {
                            item.insert(name.into(), Value::String(v));
                        }
                    }
                    if let Some(price) = r.get::<_, Option<f64>>(3)? {
                        item.insert("price".into(), json!(price));
                    }
                    Ok(Value::Object(item))
                })?
                .collect()
            })
            .map_err(sql)?;
        let mut context = Map::new();
        context.insert("profile".into(), Value::Object(detail.profile));
        if !items.is_empty() {
            let total: f64 = items
                .iter()
                .map(|i| i["price"].as_f64().unwrap_or(0.0) * i["quantity"].as_f64().unwrap_or(1.0))
                .sum();
            let currency = items.iter().find_map(|i| i["currency"].as_str().map(str::to_owned));
            context.insert(
                "cart".into(),
                json!({"items": items, "total": (total * 100.0).round() / 100.0, "currency": currency}),
            );
        }
        Ok(StoredContext {
            data: Value::Object(context),
            data_ages: detail.data_ages,
        })
    }
}
