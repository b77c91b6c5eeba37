//! Live blocks: a block instance whose content is fetched again when the email is opened.
//!
//! `"live": {"feed": "cart", "max_age": "15m"}` on a block instance names the feed (a view over
//! the store computed at open time) and how long a client or cache may keep an answer. The
//! send-time render of the block stays exactly as without `live`: it is the fallback for every
//! client and every failure. A block type lists the feeds it can show in `live_feeds`.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The named views over the store a live block can show.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Feed {
    /// The recommendation rules, evaluated at request time (`recommendations`).
    Recommendations,
    /// The recipient's cart (`cart`).
    Cart,
    /// Profile fields, e.g. the points balance (`profile`).
    Profile,
    /// Segment membership flags (`in_segment`).
    Segments,
    /// Product availability of the products the block lists.
    Availability,
    /// The time left until an offer ends (`offer.expires_at`).
    Countdown,
}

impl Feed {
    /// Every feed, in declaration order.
    pub const ALL: [Self; 6] = [
        Self::Recommendations,
        Self::Cart,
        Self::Profile,
        Self::Segments,
        Self::Availability,
        Self::Countdown,
    ];

    /// The name used in documents, block types and feed URLs.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Recommendations => "recommendations",
            Self::Cart => "cart",
            Self::Profile => "profile",
            Self::Segments => "segments",
            Self::Availability => "availability",
            Self::Countdown => "countdown",
        }
    }
}

impl std::fmt::Display for Feed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How long an answer of a feed may be kept: `30s`, `15m`, `2h`, `1d`; from one minute to seven
/// days (a live image is cached per minute, so less would not be fresher).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MaxAge {
    seconds: u32,
}

/// The shortest `max_age`, in seconds.
pub const MAX_AGE_MIN: u32 = 60;
/// The longest `max_age`, in seconds.
pub const MAX_AGE_MAX: u32 = 7 * 24 * 3600;

impl MaxAge {
    /// The duration in seconds.
    #[must_use]
    pub fn seconds(self) -> u32 {
        self.seconds
    }

    /// Parses `15m` and the like.
    ///
    /// # Errors
    /// A message saying what is accepted.
    pub fn parse(text: &str) -> Result<Self, String> {
        let explain = || {
            format!(
                "max_age \"{text}\" is not a duration: write a whole number and a unit (s, m, h or d), \
                 like \"15m\", from 1m to 7d"
            )
        };
        let unit_at = text.len().checked_sub(1).ok_or_else(explain)?;
        let (number, unit) = text.split_at(unit_at);
        let scale = match unit {
            "s" => 1,
            "m" => 60,
            "h" => 3600,
            "d" => 86_400,
            _ => return Err(explain()),
        };
        if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
            return Err(explain());
        }
        let seconds = number
            .parse::<u32>()
            .ok()
            .and_then(|n| n.checked_mul(scale))
            .ok_or_else(explain)?;
        if !(MAX_AGE_MIN..=MAX_AGE_MAX).contains(&seconds) {
            return Err(format!(
                "max_age \"{text}\" is out of range: from 1m to 7d (a shorter one would not be fresher, \
                 a longer one would show stale content)"
            ));
        }
        Ok(Self { seconds })
    }
}

impl std::fmt::Display for MaxAge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = self.seconds;
        if s.is_multiple_of(86_400) {
            write!(f, "{}d", s / 86_400)
        } else if s.is_multiple_of(3600) {
            write!(f, "{}h", s / 3600)
        } else if s.is_multiple_of(60) {
            write!(f, "{}m", s / 60)
        } else {
            write!(f, "{s}s")
        }
    }
}

impl Serialize for MaxAge {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for MaxAge {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl Default for MaxAge {
    /// Fifteen minutes.
    fn default() -> Self {
        Self { seconds: 900 }
    }
}

/// `"live"` on a block instance.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(optional_fields))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LiveSpec {
    /// The feed the block shows at open time.
    pub feed: Feed,
    /// How long an answer may be kept (cache headers, image cache); 15 minutes when left out.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(as = "Option<String>", optional))]
    pub max_age: MaxAge,
    /// The HTML part shows the block as a live image (`/live/<email>/<block>.png`) drawn at open
    /// time, with the send-time render as its alt text; off when left out.
    #[serde(default, skip_serializing_if = "is_false")]
    #[cfg_attr(feature = "ts", ts(as = "Option<bool>", optional))]
    pub image: bool,
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's `skip_serializing_if` passes a reference
fn is_false(b: &bool) -> bool {
    !*b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_age_accepts_units_and_prints_them_back() {
        for (text, seconds) in [("15m", 900), ("61s", 61), ("2h", 7200), ("7d", 604_800), ("90s", 90)] {
            let age = MaxAge::parse(text).unwrap();
            assert_eq!(age.seconds(), seconds, "{text}");
            assert_eq!(age.to_string(), text);
        }
        assert_eq!(MaxAge::parse("120m").unwrap().to_string(), "2h");
        assert_eq!(MaxAge::parse("60s").unwrap().to_string(), "1m");
    }

    #[test]
    fn max_age_refuses_what_it_cannot_read_with_the_reason() {
        for bad in ["", "m", "15", "15x", "-5m", "1.5h", "15 m", "99999999999d"] {
            let e = MaxAge::parse(bad).unwrap_err();
            assert!(e.contains("is not a duration"), "{bad}: {e}");
        }
        for out in ["30s", "0m", "8d"] {
            let e = MaxAge::parse(out).unwrap_err();
            assert!(e.contains("out of range"), "{out}: {e}");
        }
    }

    #[test]
    fn live_spec_reads_the_document_shape() {
        let spec: LiveSpec = serde_json::from_str(r#"{"feed": "cart", "max_age": "15m"}"#).unwrap();
        assert_eq!(spec.feed, Feed::Cart);
        assert_eq!(spec.max_age.seconds(), 900);
        let default: LiveSpec = serde_json::from_str(r#"{"feed": "profile"}"#).unwrap();
        assert_eq!(default.max_age.seconds(), 900);
        let unknown = serde_json::from_str::<LiveSpec>(r#"{"feed": "carts"}"#).unwrap_err();
        assert!(unknown.to_string().contains("unknown variant `carts`"), "{unknown}");
        let extra = serde_json::from_str::<LiveSpec>(r#"{"feed": "cart", "ttl": 3}"#).unwrap_err();
        assert!(extra.to_string().contains("unknown field `ttl`"), "{extra}");
        assert_eq!(
            serde_json::to_string(&spec).unwrap(),
            r#"{"feed":"cart","max_age":"15m"}"#
        );
        assert!(!spec.image, "live images are opt-in");
        let image: LiveSpec = serde_json::from_str(r#"{"feed": "countdown", "image": true}"#).unwrap();
        assert!(image.image);
        assert_eq!(
            serde_json::to_string(&image).unwrap(),
            r#"{"feed":"countdown","max_age":"15m","image":true}"#
        );
        let bad = serde_json::from_str::<LiveSpec>(r#"{"feed": "cart", "image": "yes"}"#).unwrap_err();
        assert!(bad.to_string().contains("expected a boolean"), "{bad}");
    }
}
