//! Instants as the use cases take them: epoch milliseconds, read from the clock or from RFC 3339
//! text the user typed, and written back as RFC 3339. One place, so the CLI and the desktop app
//! measure segments, recommendations and data ages the same way.

pub use tessera_store::validate::timestamp::TimestampError;

/// Now, in epoch milliseconds.
#[must_use]
pub fn now_ms() -> i64 {
    tessera_store::now_ms()
}

/// An instant typed by the user (RFC 3339, or a date and time without an offset, read as UTC), in
/// epoch milliseconds.
///
/// # Errors
/// Text that is not a timestamp.
pub fn parse_instant(text: &str) -> Result<i64, TimestampError> {
    let zone = tessera_store::validate::timestamp::Zone::Utc;
    tessera_store::validate::timestamp::parse_timestamp(text, &zone)
        .map(|t| i64::try_from(t.utc.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX))
}

/// Epoch milliseconds as RFC 3339 (UTC).
#[must_use]
pub fn rfc3339(ms: i64) -> String {
    tessera_store::ms_to_rfc3339(ms)
}
