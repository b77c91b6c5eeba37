//! Progress of long work other than the import (which reports bytes read): a test send counts
//! messages, coverage counts the segments it finds a recipient for. The desktop app sends it to
//! the UI as the `work-progress` event; cancelling goes through [`crate::Cancel`].

use serde::Serialize;

/// How far a piece of long work is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct WorkProgress {
    /// What runs: `send` or `coverage`.
    pub work: String,
    /// Steps done.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub done: u64,
    /// Steps in all.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub total: u64,
}
