//! TEMPORARY stand-in until the validation module lands.
#![allow(missing_docs)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Zone {
    Utc,
    Fixed(time::UtcOffset),
}
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timestamp {
    pub utc: time::OffsetDateTime,
    pub assumed_zone: bool,
}
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimestampError {
    #[error("not an ISO 8601 date-time")]
    Invalid(String),
    #[error("bad zone {0}")]
    BadZone(String),
}
pub fn parse_zone(s: &str) -> Result<Zone, TimestampError> {
    if s.eq_ignore_ascii_case("utc") {
        Ok(Zone::Utc)
    } else {
        Err(TimestampError::BadZone(s.into()))
    }
}
pub fn parse_timestamp(input: &str, _zone: &Zone) -> Result<Timestamp, TimestampError> {
    time::OffsetDateTime::parse(input.trim(), &time::format_description::well_known::Rfc3339)
        .map(|t| Timestamp {
            utc: t.to_offset(time::UtcOffset::UTC),
            assumed_zone: false,
        })
        .map_err(|_| TimestampError::Invalid(input.into()))
}
pub fn format_utc(t: &time::OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}
