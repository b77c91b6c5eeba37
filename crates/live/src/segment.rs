//! The Segment HTTP Tracking API's calls, parsed into the store's live calls: typed checks that
//! name the field at fault, the event-name mapping and the clock-skew correction.

use std::collections::BTreeMap;

use serde_json::{Map, Value};
use tessera_store::live::{Call, Identity, LiveEvent, Message};
use tessera_store::validate::timestamp::{parse_timestamp, Zone};

/// Why a call was refused (HTTP 400): the field and the reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct CallError {
    /// The field at fault (`userId`, `properties.revenue`, `batch[3].event`).
    pub field: String,
    /// Why.
    pub reason: String,
}

fn bad(field: &str, reason: impl Into<String>) -> CallError {
    CallError {
        field: field.to_owned(),
        reason: reason.into(),
    }
}

/// The call types of the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// `identify`.
    Identify,
    /// `track`.
    Track,
    /// `page`.
    Page,
    /// `screen`.
    Screen,
    /// `alias`.
    Alias,
    /// `group`.
    Group,
}

impl Method {
    /// The method of a path segment or a batch item's `type`.
    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "identify" => Self::Identify,
            "track" => Self::Track,
            "page" => Self::Page,
            "screen" => Self::Screen,
            "alias" => Self::Alias,
            "group" => Self::Group,
            _ => return None,
        })
    }
}

/// Tracked event names → store event types: Segment's e-commerce and email spec names, then
/// `[live.events]` from `tessera.toml` (which wins).
#[derive(Debug, Clone)]
pub struct EventMap {
    names: BTreeMap<String, &'static str>,
}

/// The default mapping of Segment's spec names.
const DEFAULT_EVENTS: &[(&str, &str)] = &[
    ("Product Viewed", "product_view"),
    ("Product Added", "add_to_cart"),
    ("Order Completed", "purchase"),
    ("Email Opened", "email_open"),
    ("Email Link Clicked", "click"),
];

impl EventMap {
    /// The defaults with `configured` on top.
    ///
    /// # Errors
    /// A configured target that is not a store event type (naming the entry).
    pub fn new(configured: &BTreeMap<String, String>) -> Result<Self, String> {
        let known = |t: &str| tessera_store::events::EVENT_TYPES.iter().copied().find(|k| *k == t);
        let mut names: BTreeMap<String, &'static str> = DEFAULT_EVENTS
            .iter()
            .filter_map(|(name, kind)| Some(((*name).to_owned(), known(kind)?)))
            .collect();
        for (name, kind) in configured {
            let Some(kind) = known(kind) else {
                return Err(format!(
                    "[live.events] \"{name}\" = \"{kind}\": not an event type (known: {})",
                    tessera_store::events::EVENT_TYPES.join(", ")
                ));
            };
            names.insert(name.clone(), kind);
        }
        Ok(Self { names })
    }

    fn get(&self, name: &str) -> Option<&'static str> {
        self.names.get(name).copied()
    }
}

/// What every call of a request shares: the time it was received, and the batch's `sentAt` and
/// `context` when it came in a batch.
#[derive(Debug, Clone, Default)]
pub struct Envelope {
    /// When the request was received (epoch ms).
    pub received_at: i64,
    /// The batch's `sentAt`.
    pub sent_at: Option<Value>,
}

/// Parses one call. `path` names the call in errors (empty for a single call, `batch[3].` in a
/// batch).
///
/// # Errors
/// The first field that is missing, of the wrong type, or invalid.
pub fn parse_call(
    method: Method,
    body: &Map<String, Value>,
    envelope: &Envelope,
    events: &EventMap,
    path: &str,
) -> Result<Message, CallError> {
    let field = |name: &str| format!("{path}{name}");
    let message_id = optional_text(body, "messageId", &field("messageId"))?;
    let call = match method {
        Method::Alias => {
            let user_id = optional_text(body, "userId", &field("userId"))?
                .ok_or_else(|| bad(&field("userId"), "required for alias"))?;
            let previous_id = optional_text(body, "previousId", &field("previousId"))?
                .ok_or_else(|| bad(&field("previousId"), "required for alias"))?;
            Call::Alias { previous_id, user_id }
        }
        Method::Group => {
            identity(body, &field)?;
            Call::Nothing
        }
        Method::Identify => {
            let identity = identity(body, &field)?;
            let traits = match body.get("traits") {
                None | Some(Value::Null) => context_traits(body),
                Some(Value::Object(t)) => t.clone(),
                Some(_) => return Err(bad(&field("traits"), "must be an object")),
            };
            Call::Identify {
                identity,
                traits,
                at: occurred_at(body, envelope, &field)?,
            }
        }
        Method::Track | Method::Page | Method::Screen => {
            let identity = identity(body, &field)?;
            let at = occurred_at(body, envelope, &field)?;
            let properties = match body.get("properties") {
                None | Some(Value::Null) => Map::new(),
                Some(Value::Object(p)) => p.clone(),
                Some(_) => return Err(bad(&field("properties"), "must be an object")),
            };
            let name = if method == Method::Track {
                optional_text(body, "event", &field("event"))?
                    .ok_or_else(|| bad(&field("event"), "required for track"))?
            } else {
                String::new()
            };
            let kind = if method == Method::Track {
                events.get(&name)
            } else {
                Some("page_view")
            };
            Call::Track {
                identity,
                events: to_events(kind, &name, &properties, at, &field)?,
            }
        }
    };
    Ok(Message { message_id, call })
}

/// Segment allows traits in `context.traits` too.
fn context_traits(body: &Map<String, Value>) -> Map<String, Value> {
    body.get("context")
        .and_then(|c| c.get("traits"))
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default()
}

fn identity(body: &Map<String, Value>, field: &dyn Fn(&str) -> String) -> Result<Identity, CallError> {
    let user_id = optional_id(body, "userId", &field("userId"))?;
    let anonymous_id = optional_id(body, "anonymousId", &field("anonymousId"))?;
    if user_id.is_none() && anonymous_id.is_none() {
        return Err(bad(&field("userId"), "userId or anonymousId is required"));
    }
    Ok(Identity { user_id, anonymous_id })
}

/// Longest id or name accepted.
const MAX_ID: usize = 1024;

/// An id: text, or a number (Segment accepts both); empty counts as absent.
fn optional_id(body: &Map<String, Value>, key: &str, field: &str) -> Result<Option<String>, CallError> {
    match body.get(key) {
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        _ => optional_text(body, key, field),
    }
}

fn optional_text(body: &Map<String, Value>, key: &str, field: &str) -> Result<Option<String>, CallError> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) if s.len() > MAX_ID => Err(bad(field, format!("longer than {MAX_ID} bytes"))),
        Some(Value::String(s)) if s.contains('\0') => Err(bad(field, "holds a NUL character")),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(bad(field, format!("must be a string, not {}", kind_of(other)))),
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn time_of(value: Option<&Value>, field: &str) -> Result<Option<i64>, CallError> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => parse_timestamp(s, &Zone::Utc)
            .map(|t| Some(i64::try_from(t.utc.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)))
            .map_err(|e| bad(field, e.to_string())),
        Some(other) => Err(bad(
            field,
            format!("must be an ISO 8601 string, not {}", kind_of(other)),
        )),
    }
}

/// When the call happened: `receivedAt - (sentAt - originalTimestamp)` when the client said when
/// it sent it (correcting its clock), the client's time as given otherwise, or the receipt.
/// A time older than the freshness window is kept as a historical event.
fn occurred_at(
    body: &Map<String, Value>,
    envelope: &Envelope,
    field: &dyn Fn(&str) -> String,
) -> Result<i64, CallError> {
    let original = match time_of(body.get("originalTimestamp"), &field("originalTimestamp"))? {
        Some(t) => Some(t),
        None => time_of(body.get("timestamp"), &field("timestamp"))?,
    };
    let sent = match time_of(body.get("sentAt"), &field("sentAt"))? {
        Some(t) => Some(t),
        None => time_of(envelope.sent_at.as_ref(), "sentAt")?,
    };
    Ok(match (original, sent) {
        (Some(original), Some(sent)) => envelope.received_at.saturating_sub(sent.saturating_sub(original)),
        (Some(original), None) => original,
        (None, _) => envelope.received_at,
    })
}

fn number(props: &Map<String, Value>, key: &str, field: &str) -> Result<Option<f64>, CallError> {
    match props.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_f64()
            .filter(|f| f.is_finite())
            .map(Some)
            .ok_or_else(|| bad(field, "not a finite number")),
        Some(Value::String(s)) => s
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .map(Some)
            .ok_or_else(|| bad(field, format!("\"{s}\" is not a number"))),
        Some(other) => Err(bad(field, format!("must be a number, not {}", kind_of(other)))),
    }
}

fn text(props: &Map<String, Value>, keys: &[&str], field: &str) -> Result<Option<String>, CallError> {
    for key in keys {
        match props.get(*key) {
            None | Some(Value::Null) => {}
            Some(Value::String(s)) if s.trim().is_empty() => {}
            Some(Value::String(s)) if s.len() > MAX_ID || s.contains('\0') => {
                return Err(bad(&format!("{field}{key}"), "too long or holds a NUL character"))
            }
            Some(Value::String(s)) => return Ok(Some(s.trim().to_owned())),
            Some(Value::Number(n)) => return Ok(Some(n.to_string())),
            Some(other) => {
                return Err(bad(
                    &format!("{field}{key}"),
                    format!("must be a string, not {}", kind_of(other)),
                ))
            }
        }
    }
    Ok(None)
}

fn currency(props: &Map<String, Value>, field: &str) -> Result<Option<String>, CallError> {
    match text(props, &["currency"], field)? {
        None => Ok(None),
        Some(c) if c.len() == 3 && c.chars().all(|ch| ch.is_ascii_alphabetic()) => Ok(Some(c.to_ascii_uppercase())),
        Some(c) => Err(bad(
            &format!("{field}currency"),
            format!("\"{c}\" is not a three-letter currency code"),
        )),
    }
}

/// The store events of one track/page call.
fn to_events(
    kind: Option<&'static str>,
    name: &str,
    props: &Map<String, Value>,
    at: i64,
    field: &dyn Fn(&str) -> String,
) -> Result<Vec<LiveEvent>, CallError> {
    let p = field("properties.");
    let Some(kind) = kind else {
        return Ok(vec![LiveEvent {
            name: name.to_owned(),
            custom: true,
            sku: None,
            category: None,
            value: None,
            currency: None,
            occurred_at: at,
            properties: Value::Object(props.clone()),
        }]);
    };
    let currency = currency(props, &p)?;
    let base = |sku, category, value| LiveEvent {
        name: kind.to_owned(),
        custom: false,
        sku,
        category,
        value,
        currency: currency.clone(),
        occurred_at: at,
        properties: Value::Null,
    };
    if kind == "purchase" {
        // One purchase per product line (price × quantity); without lines, one with the revenue.
        if let Some(products) = props.get("products") {
            let Value::Array(lines) = products else {
                return Err(bad(&format!("{p}products"), "must be an array"));
            };
            let mut out = Vec::with_capacity(lines.len());
            for (i, line) in lines.iter().enumerate() {
                let lf = format!("{p}products[{i}].");
                let Value::Object(line) = line else {
                    return Err(bad(&format!("{p}products[{i}]"), "must be an object"));
                };
                let price = number(line, "price", &format!("{lf}price"))?;
                let quantity = number(line, "quantity", &format!("{lf}quantity"))?.unwrap_or(1.0);
                out.push(base(
                    text(line, &["sku", "product_id"], &lf)?,
                    text(line, &["category"], &lf)?,
                    price.map(|v| v * quantity),
                ));
            }
            if !out.is_empty() {
                return Ok(out);
            }
        }
        let value = match number(props, "revenue", &format!("{p}revenue"))? {
            Some(v) => Some(v),
            None => number(props, "total", &format!("{p}total"))?,
        };
        return Ok(vec![base(None, None, value)]);
    }
    let value = if kind == "page_view" || kind == "email_open" || kind == "click" {
        None
    } else {
        number(props, "price", &format!("{p}price"))?
    };
    Ok(vec![base(
        text(props, &["sku", "product_id"], &p)?,
        text(props, &["category"], &p)?,
        value,
    )])
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn call(method: Method, body: Value) -> Result<Message, CallError> {
        let Value::Object(body) = body else { panic!("object") };
        let envelope = Envelope {
            received_at: 1_000_000,
            sent_at: None,
        };
        parse_call(
            method,
            &body,
            &envelope,
            &EventMap::new(&BTreeMap::new()).expect("map"),
            "",
        )
    }

    #[test]
    fn the_clock_skew_of_the_client_is_corrected() {
        // The client's clock is 10 s ahead: it says it sent at 1 010 000 what it recorded at 1 005 000.
        let m = call(
            Method::Track,
            json!({"userId":"u","event":"Product Viewed","timestamp":"1970-01-01T00:16:45Z","sentAt":"1970-01-01T00:16:50Z"}),
        )
        .expect("ok");
        let Call::Track { events, .. } = m.call else {
            panic!("track")
        };
        assert_eq!(events[0].occurred_at, 1_000_000 - 5_000);
        assert_eq!(events[0].name, "product_view");
    }

    #[test]
    fn orders_become_one_purchase_per_line_and_unknown_names_stay_custom() {
        let m = call(
            Method::Track,
            json!({"userId":"u","event":"Order Completed","properties":{"revenue":30,"currency":"eur","products":[{"sku":"a","price":10,"quantity":2},{"sku":"b","price":10}]}}),
        )
        .expect("ok");
        let Call::Track { events, .. } = m.call else {
            panic!("track")
        };
        assert_eq!(events.len(), 2);
        assert_eq!(events[0].value, Some(20.0));
        assert_eq!(events[1].currency.as_deref(), Some("EUR"));
        let m = call(Method::Track, json!({"anonymousId":"a","event":"Trial Started"})).expect("ok");
        let Call::Track { events, .. } = m.call else {
            panic!("track")
        };
        assert!(events[0].custom);
    }

    #[test]
    fn errors_name_the_field() {
        let e = call(Method::Track, json!({"event":"x"})).expect_err("no id");
        assert_eq!(e.field, "userId");
        let e = call(Method::Track, json!({"userId":5,"event":["x"]})).expect_err("type");
        assert_eq!(e.field, "event");
        let e = call(
            Method::Track,
            json!({"userId":"u","event":"Order Completed","properties":{"revenue":"lots"}}),
        )
        .expect_err("revenue");
        assert_eq!(e.field, "properties.revenue");
        let e = call(Method::Identify, json!({"userId":"u","timestamp":"yesterday"})).expect_err("time");
        assert_eq!(e.field, "timestamp");
    }
}
