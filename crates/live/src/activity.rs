//! What the collector just did, call by call, for the desktop app's Live data screen: who, what,
//! when, what became of it, and which segments the person entered or left in that commit.
//!
//! The writer publishes after each commit, and only when someone listens (the app's screen), so
//! `tessera serve` pays nothing for it.

use std::collections::BTreeMap;

use serde::Serialize;
use tessera_store::live::{Applied, Call, Message, Outcome};
use tessera_store::Store;
use tokio::sync::broadcast;

/// One call the collector answered.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Activity {
    /// The profile it was applied to (none: waiting for the person's profile, refused, or nothing
    /// to store).
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub profile_id: Option<i64>,
    /// That profile's email address (the key the designer previews a stored profile by).
    pub email: Option<String>,
    /// Who the caller said it was about: the `userId`, else the `anonymousId`.
    pub who: String,
    /// `identify`, `track`, `alias`, `signed` (an open pixel or click link of an email Tessera
    /// sent) or `other` (group, a screen with nothing to store).
    pub call: String,
    /// The events stored, by type or custom name (`purchase`, `Trial Started`).
    pub events: Vec<String>,
    /// `stored`, `pending`, `duplicate`, `accepted` or `rejected`.
    pub status: String,
    /// Why it was refused (the field and the reason).
    pub reason: Option<String>,
    /// When it was committed (epoch ms).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub at: i64,
    /// Segments the profile entered (`+vip`) or left (`-engaged`) in that commit.
    pub segments: Vec<String>,
}

/// The sender the app listens on; none listening costs nothing.
pub type ActivitySender = broadcast::Sender<Vec<Activity>>;

/// Publishes one commit's calls with their outcomes and the segment changes of their profiles.
pub fn publish(sender: &ActivitySender, store: &Store, groups: &[Vec<Message>], applied: &Applied, at: i64) {
    if sender.receiver_count() == 0 {
        return;
    }
    let mut changes: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    for (segment, change) in &applied.changes {
        for id in &change.entered {
            changes.entry(*id).or_default().push(format!("+{segment}"));
        }
        for id in &change.left {
            changes.entry(*id).or_default().push(format!("-{segment}"));
        }
    }
    let mut rows = Vec::new();
    for (messages, outcomes) in groups.iter().zip(&applied.outcomes) {
        for (message, outcome) in messages.iter().zip(outcomes) {
            rows.push(row(message, outcome, at));
        }
    }
    let ids: Vec<i64> = {
        let mut ids: Vec<i64> = rows.iter().filter_map(|r| r.profile_id).collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    };
    let emails: BTreeMap<i64, String> = store
        .profiles_by_id(&ids)
        .map(|found| found.into_iter().map(|p| (p.id, p.email)).collect())
        .unwrap_or_default();
    for r in &mut rows {
        if let Some(id) = r.profile_id {
            r.email = emails.get(&id).cloned();
            // A profile's changes are shown once, on its first row of the commit.
            r.segments = changes.remove(&id).unwrap_or_default();
        }
    }
    let _ = sender.send(rows);
}

fn row(message: &Message, outcome: &Outcome, at: i64) -> Activity {
    let (call, who, events) = match &message.call {
        Call::Identify { identity, .. } => (
            "identify",
            identity.user_id.clone().or_else(|| identity.anonymous_id.clone()),
            Vec::new(),
        ),
        Call::Track { identity, events } => (
            "track",
            identity.user_id.clone().or_else(|| identity.anonymous_id.clone()),
            events.iter().map(|e| e.name.clone()).collect(),
        ),
        Call::Alias { user_id, .. } => ("alias", Some(user_id.clone()), Vec::new()),
        Call::Profile { profile_id, events } => (
            "signed",
            Some(format!("#{profile_id}")),
            events.iter().map(|e| e.name.clone()).collect(),
        ),
        Call::Nothing => ("other", None, Vec::new()),
    };
    let (status, profile_id, reason) = match outcome {
        Outcome::Stored { profile_id } => ("stored", Some(*profile_id), None),
        Outcome::Pending => ("pending", None, None),
        Outcome::Accepted => ("accepted", None, None),
        Outcome::Duplicate => ("duplicate", None, None),
        Outcome::Rejected { field, reason } => ("rejected", None, Some(format!("{field}: {reason}"))),
    };
    Activity {
        profile_id,
        email: None,
        who: who.unwrap_or_default(),
        call: call.to_owned(),
        events,
        status: status.to_owned(),
        reason,
        at,
        segments: Vec::new(),
    }
}
