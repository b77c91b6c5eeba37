//! Feed shapes: what each feed kind answers for one recipient at one instant, from the recipient's
//! context (the same data every render as a stored profile starts from), the block instance's
//! fields and the product stock the caller looked up. Pure: the store and the clock are the
//! caller's.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::model::Feed;

/// The profile field shown as the live points balance.
pub const POINTS_FIELD: &str = "loyalty_points";
/// The offer field holding the end time a countdown counts down to (RFC 3339).
pub const ENDS_AT_FIELD: &str = "ends_at";
/// Products shown when the block does not say (`limit`).
const DEFAULT_LIMIT: usize = 4;

/// What a shape is computed from.
#[derive(Debug, Clone, Copy)]
pub struct ShapeInput<'a> {
    /// The feed kind.
    pub feed: Feed,
    /// The block instance's fields as written in the document.
    pub fields: &'a Map<String, Value>,
    /// The recipient's context (`profile`, `cart`, `segments`, `recommendations`).
    pub data: &'a Value,
    /// Stock by SKU, for the products the block lists (unknown stock counts as in stock).
    pub stock: &'a HashMap<String, i64>,
    /// Now, in Unix seconds.
    pub now: i64,
}

/// One product of a list-shaped feed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Product {
    /// The product's name.
    pub name: String,
    /// The price formatted for the recipient's locale (empty when unknown).
    pub price: String,
    /// In stock now.
    pub available: bool,
    /// The quantity in the cart, for cart items.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quantity: Option<u64>,
}

/// A feed's answer for one recipient at one instant. It reads back from its JSON (the send-time
/// values `tessera serve` draws from when the store cannot answer).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "feed", rename_all = "snake_case")]
pub enum Shape {
    /// The recommendation rules' products now.
    Recommendations {
        /// Name, price and availability of each.
        products: Vec<Product>,
    },
    /// The cart now.
    Cart {
        /// Its items.
        products: Vec<Product>,
        /// Its total, formatted (empty when unknown).
        total: String,
    },
    /// The block's products with their stock now.
    Availability {
        /// Name, price and availability of each.
        products: Vec<Product>,
    },
    /// The profile's fields and its points balance.
    Profile {
        /// The profile's fields now.
        fields: Map<String, Value>,
        /// The points balance formatted (`1,840`), when the profile has one.
        points: Option<String>,
    },
    /// Segment membership flags.
    Segments {
        /// Each segment the profile is in now, `true`.
        segments: BTreeMap<String, bool>,
    },
    /// The time left until the offer's end.
    Countdown {
        /// The end time as written in the block (`ends_at`), if it reads as RFC 3339.
        ends_at: Option<String>,
        /// Whole seconds left (0 once ended or without an end time).
        seconds_left: i64,
        /// The offer has ended.
        ended: bool,
        /// `2 days 4 h left`, `3 h 12 min left`, `This offer has ended`.
        text: String,
    },
}

impl Shape {
    /// Computes the shape of `input.feed`.
    #[must_use]
    pub fn compute(input: &ShapeInput<'_>) -> Self {
        match input.feed {
            Feed::Recommendations => Self::Recommendations {
                products: products(input),
            },
            Feed::Cart => Self::Cart {
                products: products(input),
                total: money(
                    lookup(input.data, "cart.total"),
                    lookup(input.data, "cart.currency"),
                    locale(input.data),
                ),
            },
            Feed::Availability => Self::Availability {
                products: products(input),
            },
            Feed::Profile => {
                let fields = lookup(input.data, "profile")
                    .and_then(Value::as_object)
                    .cloned()
                    .unwrap_or_default();
                let points = fields.get(POINTS_FIELD).and_then(Value::as_f64).map(grouped);
                Self::Profile { fields, points }
            }
            Feed::Segments => Self::Segments {
                segments: lookup(input.data, "segments")
                    .and_then(Value::as_array)
                    .map(|list| {
                        list.iter()
                            .filter_map(Value::as_str)
                            .map(|s| (s.to_owned(), true))
                            .collect()
                    })
                    .unwrap_or_default(),
            },
            Feed::Countdown => countdown(input.fields, input.now),
        }
    }

    /// A one-line description in plain text (an image's alt text, a log line).
    #[must_use]
    pub fn describe(&self) -> String {
        let list = |products: &[Product]| {
            products
                .iter()
                .map(|p| {
                    let stock = if p.available { "in stock" } else { "sold out" };
                    if p.price.is_empty() {
                        format!("{}, {stock}", p.name)
                    } else {
                        format!("{}, {}, {stock}", p.name, p.price)
                    }
                })
                .collect::<Vec<_>>()
                .join("; ")
        };
        match self {
            Self::Recommendations { products } | Self::Availability { products } => list(products),
            Self::Cart { products, total } if total.is_empty() => list(products),
            Self::Cart { products, total } => format!("{}; total {total}", list(products)),
            Self::Profile {
                points: Some(points), ..
            } => format!("{points} points"),
            Self::Profile { .. } => String::new(),
            Self::Segments { segments } => segments.keys().cloned().collect::<Vec<_>>().join(", "),
            Self::Countdown { text, .. } => text.clone(),
        }
    }
}

/// `path` (dotted) in `data`.
fn lookup<'v>(data: &'v Value, path: &str) -> Option<&'v Value> {
    path.split('.').try_fold(data, |at, seg| at.get(seg))
}

fn locale(data: &Value) -> &str {
    lookup(data, "profile.locale")
        .and_then(Value::as_str)
        .unwrap_or("en-US")
}

/// A price in the recipient's locale; empty when the amount is not a number.
fn money(amount: Option<&Value>, currency: Option<&Value>, locale: &str) -> String {
    let currency = currency.and_then(Value::as_str).unwrap_or("USD");
    let formatted = match amount {
        Some(Value::Number(n)) => n
            .as_f64()
            .and_then(|a| crate::format::currency(a, currency, locale).ok()),
        Some(Value::String(s)) => crate::format::currency_from_str(s, currency, locale).ok(),
        _ => None,
    };
    formatted.unwrap_or_default()
}

/// A whole number with thousands separators (`1,840`); fractions are dropped.
fn grouped(n: f64) -> String {
    // Points are whole; a balance beyond i64 is not a balance.
    #[allow(clippy::cast_possible_truncation)]
    let whole = n.trunc() as i64;
    let digits = whole.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if whole < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The list a list-shaped feed shows, with the block's `limit`: the block's `source` field, or the
/// feed's own list.
fn list_source(feed: Feed, fields: &Map<String, Value>) -> Option<(&str, usize)> {
    let default_source = match feed {
        Feed::Cart => "cart.items",
        Feed::Recommendations | Feed::Availability => "recommendations",
        Feed::Profile | Feed::Segments | Feed::Countdown => return None,
    };
    let source = fields
        .get("source")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .unwrap_or(default_source);
    let limit = fields
        .get("limit")
        .and_then(Value::as_u64)
        .and_then(|n| usize::try_from(n).ok())
        .unwrap_or(DEFAULT_LIMIT);
    Some((source, limit))
}

/// The SKUs of the products a list-shaped feed shows for `data` (whose stock the caller looks up
/// for [`ShapeInput::stock`]).
#[must_use]
pub fn listed_skus<'d>(feed: Feed, fields: &Map<String, Value>, data: &'d Value) -> Vec<&'d str> {
    let Some((source, limit)) = list_source(feed, fields) else {
        return Vec::new();
    };
    lookup(data, source)
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .take(limit)
                .filter_map(|i| i.get("sku").and_then(Value::as_str))
                .collect()
        })
        .unwrap_or_default()
}

/// The block's products: its `source` list, cut to its `limit`.
fn products(input: &ShapeInput<'_>) -> Vec<Product> {
    let Some((source, limit)) = list_source(input.feed, input.fields) else {
        return Vec::new();
    };
    let locale = locale(input.data);
    lookup(input.data, source)
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .take(limit)
                .filter_map(|item| {
                    let name = item.get("name").and_then(Value::as_str)?.to_owned();
                    let sku = item.get("sku").and_then(Value::as_str);
                    Some(Product {
                        name,
                        price: money(item.get("price"), item.get("currency"), locale),
                        available: sku.and_then(|s| input.stock.get(s)).is_none_or(|&n| n > 0),
                        quantity: item.get("quantity").and_then(Value::as_u64),
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The countdown to the block's `ends_at`.
fn countdown(fields: &Map<String, Value>, now: i64) -> Shape {
    let written = fields.get(ENDS_AT_FIELD).and_then(Value::as_str).map(str::trim);
    let end = written.and_then(|w| {
        time::OffsetDateTime::parse(w, &time::format_description::well_known::Rfc3339)
            .ok()
            .map(time::OffsetDateTime::unix_timestamp)
    });
    let Some(end) = end else {
        return Shape::Countdown {
            ends_at: None,
            seconds_left: 0,
            ended: false,
            text: String::new(),
        };
    };
    let left = (end - now).max(0);
    Shape::Countdown {
        ends_at: written.map(str::to_owned),
        seconds_left: left,
        ended: left == 0,
        text: time_left(left),
    }
}

/// `2 days 4 h left`, `1 day 0 h left`, `3 h 12 min left`, `12 min left`, `This offer has ended`.
#[must_use]
pub fn time_left(seconds: i64) -> String {
    if seconds <= 0 {
        return "This offer has ended".to_owned();
    }
    // Whole minutes, rounded up: one second left still shows "1 min".
    let minutes = (seconds + 59) / 60;
    let (days, hours, mins) = (minutes / 1440, minutes % 1440 / 60, minutes % 60);
    match (days, hours) {
        (1, h) => format!("1 day {h} h left"),
        (d, h) if d > 1 => format!("{d} days {h} h left"),
        (_, 0) => format!("{mins} min left"),
        (_, h) => format!("{h} h {mins} min left"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn shape(feed: Feed, fields: &Value, data: &Value, stock: &HashMap<String, i64>, now: i64) -> Shape {
        Shape::compute(&ShapeInput {
            feed,
            fields: fields.as_object().unwrap(),
            data,
            stock,
            now,
        })
    }

    #[test]
    fn countdown_counts_to_the_blocks_end_time() {
        let fields = json!({"ends_at": "2027-01-19T23:59:00Z"});
        let end = 1_800_403_140; // 2027-01-19T23:59:00Z
        let at = |left: i64| shape(Feed::Countdown, &fields, &json!({}), &HashMap::new(), end - left);
        let Shape::Countdown {
            seconds_left,
            ended,
            text,
            ..
        } = at(2 * 86_400 + 4 * 3600 + 5)
        else {
            panic!("not a countdown")
        };
        assert_eq!((seconds_left, ended), (2 * 86_400 + 4 * 3600 + 5, false));
        assert_eq!(text, "2 days 4 h left");
        assert_eq!(at(3 * 3600 + 12 * 60).describe(), "3 h 12 min left");
        assert_eq!(at(1).describe(), "1 min left");
        assert_eq!(at(-5).describe(), "This offer has ended");
        let none = shape(
            Feed::Countdown,
            &json!({"ends_at": "Sunday"}),
            &json!({}),
            &HashMap::new(),
            0,
        );
        assert_eq!(none.describe(), "");
    }

    #[test]
    fn products_carry_locale_prices_and_live_stock() {
        let data = json!({
            "profile": {"locale": "en-US", "loyalty_points": 12840.0},
            "recommendations": [
                {"sku": "A", "name": "Rain Shell", "price": 219.95, "currency": "USD"},
                {"sku": "B", "name": "Vest", "price": "124.5", "currency": "USD"},
                {"name": "No SKU", "price": "n/a"},
                {"sku": "D", "name": "Over the limit"}
            ]
        });
        let stock = HashMap::from([("B".to_owned(), 0)]);
        let got = shape(Feed::Recommendations, &json!({"limit": 3}), &data, &stock, 0);
        assert_eq!(
            got.describe(),
            "Rain Shell, $219.95, in stock; Vest, $124.50, sold out; No SKU, in stock"
        );
        let profile = shape(Feed::Profile, &json!({}), &data, &stock, 0);
        assert_eq!(profile.describe(), "12,840 points");
        let value = serde_json::to_value(&profile).unwrap();
        assert_eq!(value["feed"], "profile");
        assert_eq!(value["points"], "12,840");
    }

    #[test]
    fn every_shape_reads_back_from_its_json() {
        let data = json!({
            "profile": {"locale": "de-DE", "loyalty_points": 3450, "first_name": "Ada"},
            "cart": {"items": [{"sku": "A", "name": "Boot", "price": 10, "currency": "EUR", "quantity": 2}], "total": 20, "currency": "EUR"},
            "recommendations": [{"sku": "B", "name": "Vest", "price": 5, "currency": "EUR"}],
            "segments": ["vip"]
        });
        let fields = json!({"source": "cart.items", "ends_at": "2027-01-19T23:59:00Z"});
        let stock = HashMap::from([("B".to_owned(), 0)]);
        for feed in [
            Feed::Recommendations,
            Feed::Cart,
            Feed::Availability,
            Feed::Profile,
            Feed::Segments,
            Feed::Countdown,
        ] {
            let sent = shape(feed, &fields, &data, &stock, 1_800_000_000);
            let json = serde_json::to_value(&sent).unwrap();
            let back: Shape = serde_json::from_value(json.clone()).unwrap();
            assert_eq!(back, sent, "{json}");
        }
    }

    #[test]
    fn cart_and_segments_shapes() {
        let data = json!({
            "cart": {"items": [{"name": "Boot", "price": 10, "currency": "EUR", "quantity": 2}], "total": 20, "currency": "EUR"},
            "segments": ["vip", "winback"]
        });
        let cart = shape(Feed::Cart, &json!({"source": "cart.items"}), &data, &HashMap::new(), 0);
        assert_eq!(
            cart.describe(),
            "Boot, $10.00, in stock; total $20.00".replace('$', "€")
        );
        let segments = serde_json::to_value(shape(Feed::Segments, &json!({}), &data, &HashMap::new(), 0)).unwrap();
        assert_eq!(
            segments,
            json!({"feed": "segments", "segments": {"vip": true, "winback": true}})
        );
    }
}
