//! Segment entries and exits as they happen, for `GET /v1/stream` (server-sent events).

use std::collections::BTreeMap;

use tessera_store::segments::Change;
use tokio::sync::broadcast;

/// One profile entering or leaving one segment.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SegmentEvent {
    /// The segment.
    pub segment: String,
    /// The profile's store id.
    pub profile_id: i64,
    /// `entered` or `left`.
    pub change: &'static str,
    /// When (epoch ms).
    pub at: i64,
}

/// Sends every change to the stream's subscribers (none listening is fine).
pub fn publish(stream: &broadcast::Sender<SegmentEvent>, changes: &BTreeMap<String, Change>, at: i64) {
    if stream.receiver_count() == 0 {
        return;
    }
    for (segment, change) in changes {
        for (ids, what) in [(&change.entered, "entered"), (&change.left, "left")] {
            for id in ids {
                let _ = stream.send(SegmentEvent {
                    segment: segment.clone(),
                    profile_id: *id,
                    change: what,
                    at,
                });
            }
        }
    }
}
