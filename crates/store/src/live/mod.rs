//! Writing what the live collector receives: identify, track and alias calls from a
//! Segment-compatible client, many requests in one transaction (group commit).
//!
//! Identify goes through the file import's own path ([`crate::import::prepare_record`], then the
//! import's writer): the same field mapping, validation, normalization and field-by-field merge.
//! Events go in through [`crate::events`] like [`Store::add_events`]. Every call is applied inside
//! a savepoint, so a rejected call leaves nothing behind while the others of its group land; the
//! segment membership of every touched profile is then updated through the incremental path
//! (`update_profiles`) before the one commit.
//!
//! A person is known by the `userId` and `anonymousId` values bound to a profile
//! (`live_identities`). A call for an id with no profile yet (an anonymous visitor, a user not yet
//! identified with an email) waits in `live_pending` and is applied once an identify or alias binds
//! the id to a profile: that is how an anonymous history joins the known profile.

mod apply;
pub mod keys;
pub mod signing_keys;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub use keys::{key_hash, KeyInfo, KeyKind};
pub use signing_keys::SigningKeyRow;

use crate::segments::Change;

/// Who a call is about: Segment's `userId` and `anonymousId` (at least one is set).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    /// The known user's id.
    pub user_id: Option<String>,
    /// The anonymous visitor's id.
    pub anonymous_id: Option<String>,
}

/// An event as the collector maps it: one of the store's event types, or a custom name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LiveEvent {
    /// A store event type ([`crate::events::EVENT_TYPES`]) or, when `custom` is set, the event's
    /// own name.
    pub name: String,
    /// The name is not a store event type: the event is kept in `custom_events`.
    pub custom: bool,
    /// Product SKU.
    pub sku: Option<String>,
    /// Category.
    pub category: Option<String>,
    /// Value (a purchase's revenue).
    pub value: Option<f64>,
    /// Three-letter currency code.
    pub currency: Option<String>,
    /// When it happened (epoch ms, clock skew corrected).
    pub occurred_at: i64,
    /// The call's properties (kept for custom events).
    pub properties: Value,
}

/// One call to apply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Call {
    /// Create or update the person's profile from traits.
    Identify {
        /// Who.
        identity: Identity,
        /// The traits as sent (nested `address` already flattened by the caller or not).
        traits: Map<String, Value>,
        /// When (epoch ms): the time the traits are as of.
        at: i64,
    },
    /// Events for the person (a purchase may carry one event per product line).
    Track {
        /// Who.
        identity: Identity,
        /// The events.
        events: Vec<LiveEvent>,
    },
    /// `previous_id` is the same person as `user_id`.
    Alias {
        /// The earlier id (anonymous or user).
        previous_id: String,
        /// The user id.
        user_id: String,
    },
    /// Accepted and de-duplicated, but nothing to store (`group`, a `screen` with no mapping...).
    Nothing,
}

/// A call with its Segment `messageId`.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// The de-duplication id (none: the call is never de-duplicated).
    pub message_id: Option<String>,
    /// The call.
    pub call: Call,
}

/// What became of one message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Outcome {
    /// Applied to a profile.
    Stored {
        /// The profile.
        profile_id: i64,
    },
    /// Kept until the person has a profile.
    Pending,
    /// Accepted with nothing to store (`group`).
    Accepted,
    /// Its `messageId` was already stored: nothing done.
    Duplicate,
    /// Refused: nothing of it was written.
    Rejected {
        /// The field at fault, as the caller named it (`traits.email`).
        field: String,
        /// Why.
        reason: String,
    },
}

/// What one group commit did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Applied {
    /// One outcome per message, per request, in the order given.
    pub outcomes: Vec<Vec<Outcome>>,
    /// Segment membership changes of the touched profiles.
    pub changes: BTreeMap<String, Change>,
    /// Events stored (store types and custom).
    pub events: u64,
}
