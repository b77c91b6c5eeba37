//! Progress of long work other than the import (which reports bytes read): a test send counts
//! messages, coverage the segments it finds a recipient for, saving a version the changed emails
//! it re-exports. The desktop app sends it to
//! the UI as the `work-progress` event; cancelling goes through [`crate::Cancel`].

use serde::Serialize;

/// How far a piece of long work is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct WorkProgress {
    /// What runs: `send`, `coverage` or `save` (a version).
    pub work: String,
    /// Steps done.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub done: u64,
    /// Steps in all.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub total: u64,
}
