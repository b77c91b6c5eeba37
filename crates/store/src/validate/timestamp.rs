//! Timestamps: parsing of imported date-times, normalized to UTC.
//!
//! # Accepted
//!
//! - RFC 3339 / ISO 8601 extended format: `2026-11-28T14:30:00Z`, `2026-11-28T14:30:00+01:00`,
//!   with fractional seconds (`14:30:00.250Z`, a dot or a comma, any number of digits, kept to the
//!   nanosecond).
//! - A space instead of the `T`, lower-case `t` and `z`, seconds left out (`2026-11-28 14:30`).
//! - Offsets `Z`, `+01:00`, `+0100` and `+01`, optionally after one space
//!   (`2026-11-28 14:30:00 +0100`), and ` UTC` / ` GMT` as a spelled-out `Z`.
//! - A date-time without an offset: the import's time zone (`--timezone`, UTC by default)
//!   applies and the value is counted as having an assumed zone.
//! - A date alone (`2026-11-28`): midnight in the import's time zone, also counted as assumed.
//! - Unix time as a plain integer: 9–10 digits are seconds, 12–13 digits are milliseconds (always UTC); 11 or 14 digits would
//!   be past the year 2286, and a compact `20261128143000` is not Unix time.
//!
//! # Rejected
//!
//! Week dates (`2026-W48-6`), ordinal dates (`2026-332`), leap seconds (`23:59:60`), dates and
//! times that do not exist (month 13, February 30, hour 24), other ways of writing dates
//! (`28.11.2026`, `11/28/2026`, `20261128`) and free text (`yesterday`).
//!
//! # Time zones
//!
//! The import's zone is a fixed offset ([`parse_zone`]): `UTC`, `Z`, `+02:00`, `-0530`, `+01`.
//! Named zones such as `Europe/Berlin` are refused, because their offset changes with daylight
//! saving time.
#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::fmt::Write as _;

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

/// A parsed timestamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Timestamp {
    /// The instant, always with the UTC offset.
    pub utc: OffsetDateTime,
    /// True when the input had no offset and the import's time zone was applied.
    pub assumed_zone: bool,
}

/// The import's declared time zone (`--timezone`): where values without an offset are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Zone {
    /// UTC.
    Utc,
    /// A fixed offset from UTC. [`parse_zone`] never returns a zero offset here: it gives
    /// [`Zone::Utc`] for `+00:00`.
    Fixed(UtcOffset),
}

impl Zone {
    /// The zone's offset from UTC.
    #[must_use]
    pub fn offset(&self) -> UtcOffset {
        match self {
            Zone::Utc => UtcOffset::UTC,
            Zone::Fixed(offset) => *offset,
        }
    }
}

/// Why a timestamp or a time zone was rejected. `Display` gives a short reason for import reports.
#[derive(Debug, Clone, PartialEq, Eq, Hash, thiserror::Error)]
pub enum TimestampError {
    /// Nothing but whitespace.
    #[error("empty")]
    Empty,
    /// Not a date-time in an accepted format; holds the value (shortened when long).
    #[error("{0:?} is not an ISO 8601 date-time")]
    Invalid(String),
    /// A leap second (`23:59:60`).
    #[error("leap seconds (23:59:60) are not accepted")]
    LeapSecond,
    /// An ISO 8601 week date such as `2026-W48-6`.
    #[error("week dates (2026-W48-6) are not accepted; give a calendar date like 2026-11-28")]
    WeekDate,
    /// An ISO 8601 ordinal date such as `2026-332`.
    #[error("ordinal dates (2026-332) are not accepted; give a calendar date like 2026-11-28")]
    OrdinalDate,
    /// A date, time or offset that does not exist (month 13, February 30, hour 24, offset
    /// +25:00), or an instant outside years -9999 to 9999 once converted to UTC.
    #[error("no such date or time")]
    OutOfRange,
    /// A time zone that is not UTC or a fixed offset; holds the zone as given.
    #[error("unsupported time zone {0:?}: give a fixed offset like +01:00, or UTC")]
    BadZone(String),
}

/// The longest part of a rejected value quoted in [`TimestampError::Invalid`], in characters.
const QUOTE_LIMIT: usize = 40;

/// Parses the import's time zone: `UTC`, `GMT`, `Z`, `Etc/UTC`, `Etc/GMT` (any case), or a fixed
/// offset `+02:00`, `-0530`, `+01` or `+1` between -12:00 and +14:00. A zero offset is
/// [`Zone::Utc`].
///
/// # Errors
/// [`TimestampError::BadZone`] for named zones (`Europe/Berlin`, `CET`), offsets out of range and
/// anything else.
pub fn parse_zone(s: &str) -> Result<Zone, TimestampError> {
    let t = s.trim();
    let bad = || TimestampError::BadZone(t.to_owned());
    if ["utc", "gmt", "z", "etc/utc", "etc/gmt"]
        .iter()
        .any(|n| t.eq_ignore_ascii_case(n))
    {
        return Ok(Zone::Utc);
    }
    let b = t.as_bytes();
    let (sign, rest): (i8, _) = match b.split_first() {
        Some((b'+', rest)) => (1, rest),
        Some((b'-', rest)) => (-1, rest),
        _ => return Err(bad()),
    };
    // One or two digits of hours, then nothing, `:mm` or `mm`.
    let (hours, minutes) = match rest {
        [h] => (digit(*h).ok_or_else(bad)?, 0),
        [h1, h2] => (two_digits(*h1, *h2).ok_or_else(bad)?, 0),
        [h, b':', m1, m2] => (digit(*h).ok_or_else(bad)?, two_digits(*m1, *m2).ok_or_else(bad)?),
        [h1, h2, b':', m1, m2] | [h1, h2, m1, m2] => (
            two_digits(*h1, *h2).ok_or_else(bad)?,
            two_digits(*m1, *m2).ok_or_else(bad)?,
        ),
        _ => return Err(bad()),
    };
    let total = i32::from(sign) * (i32::from(hours) * 60 + i32::from(minutes));
    if minutes > 59 || !(-12 * 60..=14 * 60).contains(&total) {
        return Err(bad());
    }
    let offset = offset_from(sign, hours, minutes).ok_or_else(bad)?;
    Ok(if offset.is_utc() {
        Zone::Utc
    } else {
        Zone::Fixed(offset)
    })
}

/// Parses an imported timestamp by the rules in the [module docs](self) and converts it to UTC.
///
/// # Errors
/// The reason the value was rejected, as a [`TimestampError`].
pub fn parse_timestamp(input: &str, zone: &Zone) -> Result<Timestamp, TimestampError> {
    let s = input.trim();
    if s.is_empty() {
        return Err(TimestampError::Empty);
    }
    let b = s.as_bytes();
    let parsed = if b.iter().all(u8::is_ascii_digit) {
        parse_epoch(b)
    } else {
        parse_iso(b, zone.offset())
    };
    parsed.map_err(|fail| match fail {
        Fail::Invalid => TimestampError::Invalid(shorten(s)),
        Fail::LeapSecond => TimestampError::LeapSecond,
        Fail::WeekDate => TimestampError::WeekDate,
        Fail::OrdinalDate => TimestampError::OrdinalDate,
        Fail::OutOfRange => TimestampError::OutOfRange,
    })
}

/// Formats an instant as RFC 3339 in UTC with a `Z`: seconds precision, plus as many fractional
/// digits as needed when the nanoseconds are not zero (`2026-11-28T14:30:00Z`,
/// `2026-11-28T14:30:00.25Z`).
///
/// An instant that cannot be expressed in UTC within years -9999 to 9999 keeps its own offset
/// (`9999-12-31T20:00:00-05:00`).
#[must_use]
pub fn format_utc(t: &OffsetDateTime) -> String {
    let t = t.checked_to_offset(UtcOffset::UTC).unwrap_or(*t);
    let mut out = String::with_capacity(32);
    let year = t.year();
    if year < 0 {
        out.push('-');
    }
    let _ = write!(
        out,
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        year.unsigned_abs(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    );
    let nanos = t.nanosecond();
    if nanos != 0 {
        let (mut digits, mut width) = (nanos, 9);
        while digits % 10 == 0 {
            digits /= 10;
            width -= 1;
        }
        let _ = write!(out, ".{digits:0width$}");
    }
    let offset = t.offset();
    if offset.is_utc() {
        out.push('Z');
    } else {
        let (h, m, _) = offset.as_hms();
        let sign = if offset.is_negative() { '-' } else { '+' };
        let _ = write!(out, "{sign}{:02}:{:02}", h.unsigned_abs(), m.unsigned_abs());
    }
    out
}

/// Why parsing failed, before the input is copied into an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fail {
    Invalid,
    LeapSecond,
    WeekDate,
    OrdinalDate,
    OutOfRange,
}

/// The value of an ASCII digit.
fn digit(b: u8) -> Option<u8> {
    b.is_ascii_digit().then(|| b - b'0')
}

/// The value of two ASCII digits.
fn two_digits(a: u8, b: u8) -> Option<u8> {
    Some(digit(a)? * 10 + digit(b)?)
}

/// A UTC offset from a sign (1 or -1) and hours and minutes (each at most 99).
fn offset_from(sign: i8, hours: u8, minutes: u8) -> Option<UtcOffset> {
    let h = i8::try_from(hours).ok()? * sign;
    let m = i8::try_from(minutes).ok()? * sign;
    UtcOffset::from_hms(h, m, 0).ok()
}

/// The value quoted in an [`TimestampError::Invalid`]: at most [`QUOTE_LIMIT`] characters.
fn shorten(s: &str) -> String {
    match s.char_indices().nth(QUOTE_LIMIT) {
        Some((at, _)) => {
            let mut short = s.get(..at).unwrap_or_default().to_owned();
            short.push('…');
            short
        }
        None => s.to_owned(),
    }
}

/// A Unix timestamp: 9–10 digits of seconds or 12–13 digits of milliseconds (all ASCII digits).
fn parse_epoch(b: &[u8]) -> Result<Timestamp, Fail> {
    let value = b
        .iter()
        .try_fold(0i64, |acc, &d| acc.checked_mul(10)?.checked_add(i64::from(d - b'0')))
        .ok_or(Fail::Invalid)?;
    let utc = match b.len() {
        9..=10 => OffsetDateTime::from_unix_timestamp(value),
        12..=13 => OffsetDateTime::from_unix_timestamp_nanos(i128::from(value) * 1_000_000),
        _ => return Err(Fail::Invalid),
    }
    .map_err(|_| Fail::OutOfRange)?;
    Ok(Timestamp {
        utc,
        assumed_zone: false,
    })
}

/// A byte cursor over the input.
struct Cursor<'a> {
    rest: &'a [u8],
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.rest.first().copied()
    }

    fn is_at_end(&self) -> bool {
        self.rest.is_empty()
    }

    fn bump(&mut self) {
        self.rest = self.rest.get(1..).unwrap_or_default();
    }

    /// Consumes `b` when it comes next.
    fn eat(&mut self, b: u8) -> bool {
        if self.peek() == Some(b) {
            self.bump();
            true
        } else {
            false
        }
    }

    /// Consumes exactly two digits.
    fn two_digits(&mut self) -> Option<u8> {
        match self.rest {
            [a, b, rest @ ..] => {
                let v = two_digits(*a, *b)?;
                self.rest = rest;
                Some(v)
            }
            _ => None,
        }
    }

    /// Consumes exactly four digits.
    fn four_digits(&mut self) -> Option<i32> {
        match self.rest {
            [a, b, c, d, rest @ ..] => {
                let v = i32::from(two_digits(*a, *b)?) * 100 + i32::from(two_digits(*c, *d)?);
                self.rest = rest;
                Some(v)
            }
            _ => None,
        }
    }

    /// How many digits come next.
    fn digit_run(&self) -> usize {
        self.rest.iter().take_while(|b| b.is_ascii_digit()).count()
    }

    /// Consumes `s` (ASCII, compared case-insensitively) when it is all that is left.
    fn eat_rest_ignore_case(&mut self, s: &str) -> bool {
        if self.rest.eq_ignore_ascii_case(s.as_bytes()) {
            self.rest = &[];
            true
        } else {
            false
        }
    }

    /// Consumes what is left as `+hh:mm`, `+hhmm` or `+hh` (or with `-`).
    fn offset_to_end(&mut self) -> Result<UtcOffset, Fail> {
        let sign = match self.peek() {
            Some(b'+') => 1,
            Some(b'-') => -1,
            _ => return Err(Fail::Invalid),
        };
        self.bump();
        let hours = self.two_digits().ok_or(Fail::Invalid)?;
        let minutes = if self.is_at_end() {
            0
        } else {
            self.eat(b':');
            self.two_digits().ok_or(Fail::Invalid)?
        };
        if !self.is_at_end() {
            return Err(Fail::Invalid);
        }
        if hours > 23 || minutes > 59 {
            return Err(Fail::OutOfRange);
        }
        offset_from(sign, hours, minutes).ok_or(Fail::OutOfRange)
    }
}

/// Whether `b` separates the date from the time.
fn is_date_time_separator(b: Option<u8>) -> bool {
    matches!(b, Some(b'T' | b't' | b' '))
}

/// An ISO 8601 date, date-time or RFC 3339 timestamp; `zone` applies when there is no offset.
fn parse_iso(b: &[u8], zone: UtcOffset) -> Result<Timestamp, Fail> {
    let mut c = Cursor { rest: b };
    let year = c.four_digits().ok_or(Fail::Invalid)?;
    let dash = c.eat(b'-');
    if matches!(c.peek(), Some(b'W' | b'w')) && c.rest.get(1).is_some_and(u8::is_ascii_digit) {
        return Err(Fail::WeekDate);
    }
    if !dash {
        return Err(Fail::Invalid);
    }
    if c.digit_run() == 3 && (c.rest.len() == 3 || is_date_time_separator(c.rest.get(3).copied())) {
        return Err(Fail::OrdinalDate);
    }
    let month = c.two_digits().ok_or(Fail::Invalid)?;
    if !c.eat(b'-') {
        return Err(Fail::Invalid);
    }
    let day = c.two_digits().ok_or(Fail::Invalid)?;

    if c.is_at_end() {
        let date = calendar_date(year, month, day)?;
        return finish(PrimitiveDateTime::new(date, Time::MIDNIGHT), zone, true);
    }
    if !is_date_time_separator(c.peek()) {
        return Err(Fail::Invalid);
    }
    c.bump();

    let hour = c.two_digits().ok_or(Fail::Invalid)?;
    if !c.eat(b':') {
        return Err(Fail::Invalid);
    }
    let minute = c.two_digits().ok_or(Fail::Invalid)?;
    let mut second = 0;
    let mut nanos = 0;
    if c.eat(b':') {
        second = c.two_digits().ok_or(Fail::Invalid)?;
        if c.eat(b'.') || c.eat(b',') {
            let run = c.digit_run();
            if run == 0 {
                return Err(Fail::Invalid);
            }
            let mut scale = 100_000_000;
            for &d in c.rest.iter().take(run) {
                nanos += u32::from(d - b'0') * scale;
                scale /= 10;
            }
            c.rest = c.rest.get(run..).unwrap_or_default();
        }
    }

    // The offset: none, `Z`, a numeric offset, or ` UTC`; one space may come before it.
    let mut offset = None;
    if !c.is_at_end() {
        let spaced = c.eat(b' ');
        if c.eat(b'Z') || c.eat(b'z') || c.eat_rest_ignore_case("utc") || c.eat_rest_ignore_case("gmt") {
            if !c.is_at_end() {
                return Err(Fail::Invalid);
            }
            offset = Some(UtcOffset::UTC);
        } else if spaced && c.is_at_end() {
            return Err(Fail::Invalid);
        } else {
            offset = Some(c.offset_to_end()?);
        }
    }

    let date = calendar_date(year, month, day)?;
    if hour > 23 || minute > 59 {
        return Err(Fail::OutOfRange);
    }
    if second == 60 {
        return Err(Fail::LeapSecond);
    }
    let time = Time::from_hms_nano(hour, minute, second, nanos).map_err(|_| Fail::OutOfRange)?;
    let local = PrimitiveDateTime::new(date, time);
    match offset {
        Some(offset) => finish(local, offset, false),
        None => finish(local, zone, true),
    }
}

/// A calendar date, or [`Fail::OutOfRange`] when it does not exist.
fn calendar_date(year: i32, month: u8, day: u8) -> Result<Date, Fail> {
    let month = Month::try_from(month).map_err(|_| Fail::OutOfRange)?;
    Date::from_calendar_date(year, month, day).map_err(|_| Fail::OutOfRange)
}

/// Places a local date-time at `offset` and converts it to UTC.
fn finish(local: PrimitiveDateTime, offset: UtcOffset, assumed_zone: bool) -> Result<Timestamp, Fail> {
    let utc = local
        .assume_offset(offset)
        .checked_to_offset(UtcOffset::UTC)
        .ok_or(Fail::OutOfRange)?;
    Ok(Timestamp { utc, assumed_zone })
}

#[cfg(test)]
#[allow(clippy::panic, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::validate::test_rng::Lcg;
    use time::macros::{datetime, offset};

    fn berlin_winter() -> Zone {
        Zone::Fixed(offset!(+01:00))
    }

    #[test]
    fn accepted() {
        let utc = Zone::Utc;
        let plus1 = berlin_winter();
        let minus0530 = Zone::Fixed(offset!(-05:30));
        let table: &[(&str, &Zone, &str, bool)] = &[
            ("2026-11-28T14:30:00Z", &plus1, "2026-11-28T14:30:00Z", false),
            ("2026-11-28T14:30:00+01:00", &utc, "2026-11-28T13:30:00Z", false),
            ("2026-11-28T14:30:00-05:30", &utc, "2026-11-28T20:00:00Z", false),
            ("2026-11-28T14:30:00+00:00", &plus1, "2026-11-28T14:30:00Z", false),
            ("2026-11-28T14:30:00-00:00", &plus1, "2026-11-28T14:30:00Z", false),
            ("2026-11-28T14:30:00.5Z", &utc, "2026-11-28T14:30:00.5Z", false),
            (
                "2026-11-28T14:30:00.123456789Z",
                &utc,
                "2026-11-28T14:30:00.123456789Z",
                false,
            ),
            (
                "2026-11-28T14:30:00.1234567891Z",
                &utc,
                "2026-11-28T14:30:00.123456789Z",
                false,
            ),
            ("2026-11-28T14:30:00,250+01:00", &utc, "2026-11-28T13:30:00.25Z", false),
            ("2026-11-28T14:30:00.000Z", &utc, "2026-11-28T14:30:00Z", false),
            ("2026-11-28 14:30:00Z", &utc, "2026-11-28T14:30:00Z", false),
            ("2026-11-28t14:30:00z", &utc, "2026-11-28T14:30:00Z", false),
            ("2026-11-28T14:30:00+01", &utc, "2026-11-28T13:30:00Z", false),
            ("2026-11-28T14:30:00+0100", &utc, "2026-11-28T13:30:00Z", false),
            ("2026-11-28 14:30:00 +0100", &utc, "2026-11-28T13:30:00Z", false),
            ("2026-11-28 14:30:00 -05:00", &utc, "2026-11-28T19:30:00Z", false),
            ("2026-11-28 14:30:00 UTC", &plus1, "2026-11-28T14:30:00Z", false),
            ("2026-11-28 14:30:00 gmt", &plus1, "2026-11-28T14:30:00Z", false),
            ("2026-11-28 14:30:00 Z", &plus1, "2026-11-28T14:30:00Z", false),
            ("2026-11-28T14:30Z", &utc, "2026-11-28T14:30:00Z", false),
            ("  2026-11-28T14:30:00Z\t", &utc, "2026-11-28T14:30:00Z", false),
            ("2026-11-28T00:30:00+01:00", &utc, "2026-11-27T23:30:00Z", false),
            ("2024-02-29T12:00:00Z", &utc, "2024-02-29T12:00:00Z", false),
            ("2026-12-31T23:59:59.999-01:00", &utc, "2027-01-01T00:59:59.999Z", false),
            // No offset: the import's zone applies.
            ("2026-11-28T14:30:00", &utc, "2026-11-28T14:30:00Z", true),
            ("2026-11-28T14:30:00", &plus1, "2026-11-28T13:30:00Z", true),
            ("2026-11-28 14:30", &plus1, "2026-11-28T13:30:00Z", true),
            ("2026-11-28 14:30:00.75", &minus0530, "2026-11-28T20:00:00.75Z", true),
            ("2026-11-28", &utc, "2026-11-28T00:00:00Z", true),
            ("2026-11-28", &plus1, "2026-11-27T23:00:00Z", true),
            ("2026-11-28", &minus0530, "2026-11-28T05:30:00Z", true),
            // Unix time.
            ("1795876200", &plus1, "2026-11-28T14:30:00Z", false),
            ("1795876200000", &plus1, "2026-11-28T14:30:00Z", false),
            ("1795876200123", &utc, "2026-11-28T14:30:00.123Z", false),
            ("100000000", &utc, "1973-03-03T09:46:40Z", false),
            ("100000000000", &utc, "1973-03-03T09:46:40Z", false),
        ];
        for &(input, zone, expected, assumed) in table {
            match parse_timestamp(input, zone) {
                Ok(t) => {
                    assert_eq!(format_utc(&t.utc), expected, "input {input:?}");
                    assert!(t.utc.offset().is_utc(), "input {input:?}");
                    assert_eq!(t.assumed_zone, assumed, "input {input:?}");
                }
                Err(e) => panic!("{input:?} rejected: {e}"),
            }
        }
    }

    #[test]
    fn rejected() {
        use TimestampError as E;
        let invalid = |s: &str| E::Invalid(s.to_owned());
        let table: &[(&str, E, &str)] = &[
            ("", E::Empty, "empty"),
            ("  \t", E::Empty, "empty"),
            (
                "yesterday",
                invalid("yesterday"),
                "\"yesterday\" is not an ISO 8601 date-time",
            ),
            (
                "28.11.2026",
                invalid("28.11.2026"),
                "\"28.11.2026\" is not an ISO 8601 date-time",
            ),
            (
                "11/28/2026",
                invalid("11/28/2026"),
                "\"11/28/2026\" is not an ISO 8601 date-time",
            ),
            (
                "2026/11/28",
                invalid("2026/11/28"),
                "\"2026/11/28\" is not an ISO 8601 date-time",
            ),
            (
                "20261128",
                invalid("20261128"),
                "\"20261128\" is not an ISO 8601 date-time",
            ),
            (
                "20261128143000",
                invalid("20261128143000"),
                "\"20261128143000\" is not an ISO 8601 date-time",
            ),
            (
                "99999999999",
                invalid("99999999999"),
                "\"99999999999\" is not an ISO 8601 date-time",
            ),
            (
                "12345678",
                invalid("12345678"),
                "\"12345678\" is not an ISO 8601 date-time",
            ),
            (
                "123456789012345",
                invalid("123456789012345"),
                "\"123456789012345\" is not an ISO 8601 date-time",
            ),
            (
                "1795876200.5",
                invalid("1795876200.5"),
                "\"1795876200.5\" is not an ISO 8601 date-time",
            ),
            (
                "-1795876200",
                invalid("-1795876200"),
                "\"-1795876200\" is not an ISO 8601 date-time",
            ),
            (
                "2026-11",
                invalid("2026-11"),
                "\"2026-11\" is not an ISO 8601 date-time",
            ),
            (
                "2026-11-2",
                invalid("2026-11-2"),
                "\"2026-11-2\" is not an ISO 8601 date-time",
            ),
            (
                "2026-1-28",
                invalid("2026-1-28"),
                "\"2026-1-28\" is not an ISO 8601 date-time",
            ),
            (
                "2026-11-28T",
                invalid("2026-11-28T"),
                "\"2026-11-28T\" is not an ISO 8601 date-time",
            ),
            (
                "2026-11-28T14",
                invalid("2026-11-28T14"),
                "\"2026-11-28T14\" is not an ISO 8601 date-time",
            ),
            (
                "2026-11-28T1430",
                invalid("2026-11-28T1430"),
                "\"2026-11-28T1430\" is not an ISO 8601 date-time",
            ),
            (
                "2026-11-28T14:30:00.Z",
                invalid("2026-11-28T14:30:00.Z"),
                "\"2026-11-28T14:30:00.Z\" is not an ISO 8601 date-time",
            ),
            (
                "2026-11-28T14:30:00+1",
                invalid("2026-11-28T14:30:00+1"),
                "\"2026-11-28T14:30:00+1\" is not an ISO 8601 date-time",
            ),
            (
                "2026-11-28T14:30:00  Z",
                invalid("2026-11-28T14:30:00  Z"),
                "\"2026-11-28T14:30:00  Z\" is not an ISO 8601 date-time",
            ),
            (
                "2026-11-28T14:30:00ZZ",
                invalid("2026-11-28T14:30:00ZZ"),
                "\"2026-11-28T14:30:00ZZ\" is not an ISO 8601 date-time",
            ),
            (
                "2026-11-28T14:30:00 Europe/Berlin",
                invalid("2026-11-28T14:30:00 Europe/Berlin"),
                "\"2026-11-28T14:30:00 Europe/Berlin\" is not an ISO 8601 date-time",
            ),
            (
                "2026-11-28T14:30:00Z trailing",
                invalid("2026-11-28T14:30:00Z trailing"),
                "\"2026-11-28T14:30:00Z trailing\" is not an ISO 8601 date-time",
            ),
            (
                "2026-11-28Z",
                invalid("2026-11-28Z"),
                "\"2026-11-28Z\" is not an ISO 8601 date-time",
            ),
            (
                "2026-11-28  14:30",
                invalid("2026-11-28  14:30"),
                "\"2026-11-28  14:30\" is not an ISO 8601 date-time",
            ),
            (
                "14:30:00",
                invalid("14:30:00"),
                "\"14:30:00\" is not an ISO 8601 date-time",
            ),
            (
                "+02026-11-28",
                invalid("+02026-11-28"),
                "\"+02026-11-28\" is not an ISO 8601 date-time",
            ),
            (
                "２０２６-11-28",
                invalid("２０２６-11-28"),
                "\"２０２６-11-28\" is not an ISO 8601 date-time",
            ),
            (
                "2026-W48-6",
                E::WeekDate,
                "week dates (2026-W48-6) are not accepted; give a calendar date like 2026-11-28",
            ),
            (
                "2026-W48",
                E::WeekDate,
                "week dates (2026-W48-6) are not accepted; give a calendar date like 2026-11-28",
            ),
            (
                "2026W486",
                E::WeekDate,
                "week dates (2026-W48-6) are not accepted; give a calendar date like 2026-11-28",
            ),
            (
                "2026-w48-6T10:00:00Z",
                E::WeekDate,
                "week dates (2026-W48-6) are not accepted; give a calendar date like 2026-11-28",
            ),
            (
                "2026-332",
                E::OrdinalDate,
                "ordinal dates (2026-332) are not accepted; give a calendar date like 2026-11-28",
            ),
            (
                "2026-332T10:00:00Z",
                E::OrdinalDate,
                "ordinal dates (2026-332) are not accepted; give a calendar date like 2026-11-28",
            ),
            (
                "2026-12-31T23:59:60Z",
                E::LeapSecond,
                "leap seconds (23:59:60) are not accepted",
            ),
            (
                "2016-12-31 23:59:60",
                E::LeapSecond,
                "leap seconds (23:59:60) are not accepted",
            ),
            ("2026-13-01", E::OutOfRange, "no such date or time"),
            ("2026-00-10", E::OutOfRange, "no such date or time"),
            ("2026-02-30", E::OutOfRange, "no such date or time"),
            ("2026-02-29T10:00:00Z", E::OutOfRange, "no such date or time"),
            ("2026-04-31", E::OutOfRange, "no such date or time"),
            ("2026-11-00", E::OutOfRange, "no such date or time"),
            ("2026-11-28T24:00:00Z", E::OutOfRange, "no such date or time"),
            ("2026-11-28T23:60:00Z", E::OutOfRange, "no such date or time"),
            ("2026-11-28T23:59:61Z", E::OutOfRange, "no such date or time"),
            ("2026-11-28T10:00:00+24:00", E::OutOfRange, "no such date or time"),
            ("2026-11-28T10:00:00+01:60", E::OutOfRange, "no such date or time"),
            ("9999-12-31T23:00:00-05:00", E::OutOfRange, "no such date or time"),
        ];
        for (input, err, message) in table {
            assert_eq!(parse_timestamp(input, &Zone::Utc).as_ref(), Err(err), "input {input:?}");
            assert_eq!(err.to_string(), *message, "input {input:?}");
        }
    }

    #[test]
    fn long_invalid_values_are_shortened_in_the_message() {
        let long = "x".repeat(100);
        let expected = format!("{}…", "x".repeat(40));
        assert_eq!(
            parse_timestamp(&long, &Zone::Utc),
            Err(TimestampError::Invalid(expected))
        );
        assert_eq!(
            parse_timestamp("line\nbreak", &Zone::Utc).map_err(|e| e.to_string()),
            Err("\"line\\nbreak\" is not an ISO 8601 date-time".to_owned())
        );
    }

    #[test]
    fn zones() {
        let table: &[(&str, Zone)] = &[
            ("UTC", Zone::Utc),
            ("utc", Zone::Utc),
            (" UTC ", Zone::Utc),
            ("Z", Zone::Utc),
            ("z", Zone::Utc),
            ("GMT", Zone::Utc),
            ("Etc/UTC", Zone::Utc),
            ("etc/gmt", Zone::Utc),
            ("+00:00", Zone::Utc),
            ("-00", Zone::Utc),
            ("+02:00", Zone::Fixed(offset!(+02:00))),
            ("-0530", Zone::Fixed(offset!(-05:30))),
            ("+05:45", Zone::Fixed(offset!(+05:45))),
            ("+01", Zone::Fixed(offset!(+01:00))),
            ("+1", Zone::Fixed(offset!(+01:00))),
            ("-5", Zone::Fixed(offset!(-05:00))),
            ("+5:30", Zone::Fixed(offset!(+05:30))),
            ("+14:00", Zone::Fixed(offset!(+14:00))),
            ("-12:00", Zone::Fixed(offset!(-12:00))),
        ];
        for (input, zone) in table {
            assert_eq!(parse_zone(input).as_ref(), Ok(zone), "input {input:?}");
        }
        for input in [
            "Europe/Berlin",
            "America/New_York",
            "CET",
            "EST",
            "Etc/GMT+1",
            "UTC+1",
            "",
            "+",
            "+15:00",
            "-12:30",
            "+01:60",
            "+123",
            "+01:00:00",
            "01:00",
            "+0１",
        ] {
            assert_eq!(
                parse_zone(input),
                Err(TimestampError::BadZone(input.trim().to_owned())),
                "input {input:?}"
            );
        }
        assert_eq!(
            parse_zone("Europe/Berlin").map_err(|e| e.to_string()),
            Err("unsupported time zone \"Europe/Berlin\": give a fixed offset like +01:00, or UTC".to_owned())
        );
        assert_eq!(Zone::Utc.offset(), UtcOffset::UTC);
        assert_eq!(berlin_winter().offset(), offset!(+01:00));
    }

    #[test]
    fn formats() {
        let table: &[(OffsetDateTime, &str)] = &[
            (datetime!(2026-11-28 14:30:00 UTC), "2026-11-28T14:30:00Z"),
            (datetime!(2026-11-28 15:30:00 +01:00), "2026-11-28T14:30:00Z"),
            (datetime!(2026-11-28 14:30:00.5 UTC), "2026-11-28T14:30:00.5Z"),
            (
                datetime!(2026-11-28 14:30:00.000_001 UTC),
                "2026-11-28T14:30:00.000001Z",
            ),
            (
                datetime!(2026-11-28 14:30:00.123_456_789 UTC),
                "2026-11-28T14:30:00.123456789Z",
            ),
            (datetime!(0001-01-01 00:00:00 UTC), "0001-01-01T00:00:00Z"),
            (datetime!(9999-12-31 20:00:00 -05:00), "9999-12-31T20:00:00-05:00"),
            (datetime!(-0001-06-01 00:00:00 UTC), "-0001-06-01T00:00:00Z"),
        ];
        for (t, expected) in table {
            assert_eq!(format_utc(t), *expected);
        }
    }

    #[test]
    fn generated_inputs_never_panic_and_round_trip() {
        let pieces: &[&str] = &[
            "2026",
            "-",
            "-",
            "11",
            "28",
            "T",
            " ",
            ":",
            ":",
            "14",
            "30",
            "00",
            "60",
            "24",
            "13",
            "02",
            "29",
            "30",
            "Z",
            "z",
            "+",
            "-",
            "01",
            "0100",
            ".",
            ",",
            "5",
            "W",
            "332",
            "1795876200",
            "000",
            "UTC",
            "é",
            "\0",
            "\n",
        ];
        let zones = [Zone::Utc, Zone::Fixed(offset!(+01:00)), Zone::Fixed(offset!(-09:30))];
        let mut rng = Lcg(7);
        let mut accepted = 0;
        for i in 0..6000 {
            let n = rng.below(12);
            let s: String = (0..n).map(|_| pieces[rng.below(pieces.len())]).collect();
            let zone = &zones[i % zones.len()];
            if let Ok(t) = parse_timestamp(&s, zone) {
                accepted += 1;
                assert!(t.utc.offset().is_utc());
                let again = parse_timestamp(&format_utc(&t.utc), &Zone::Fixed(offset!(+03:00)));
                assert_eq!(
                    again,
                    Ok(Timestamp {
                        utc: t.utc,
                        assumed_zone: false
                    }),
                    "input {s:?}"
                );
            }
        }
        assert!(
            accepted > 50,
            "the generator should produce valid timestamps too ({accepted})"
        );
    }

    #[test]
    fn generated_date_times_match_the_time_crate() {
        let mut rng = Lcg(99);
        for _ in 0..3000 {
            let year = i32::try_from(1900 + rng.below(200)).unwrap_or(2000);
            let month = u8::try_from(1 + rng.below(12)).unwrap_or(1);
            let day = u8::try_from(1 + rng.below(31)).unwrap_or(1);
            let hour = u8::try_from(rng.below(24)).unwrap_or(0);
            let minute = u8::try_from(rng.below(60)).unwrap_or(0);
            let second = u8::try_from(rng.below(60)).unwrap_or(0);
            let off_min = i32::try_from(rng.below(24 * 60 * 2 - 1)).unwrap_or(0) - (24 * 60 - 1);
            let sign = if off_min < 0 { '-' } else { '+' };
            let s = format!(
                "{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}{sign}{:02}:{:02}",
                off_min.abs() / 60,
                off_min.abs() % 60
            );
            let expected = Month::try_from(month)
                .ok()
                .and_then(|m| Date::from_calendar_date(year, m, day).ok())
                .and_then(|d| d.with_hms(hour, minute, second).ok())
                .and_then(|dt| {
                    let off = UtcOffset::from_whole_seconds(off_min * 60).ok()?;
                    dt.assume_offset(off).checked_to_offset(UtcOffset::UTC)
                });
            match (parse_timestamp(&s, &Zone::Utc), expected) {
                (Ok(t), Some(e)) => {
                    assert_eq!(t.utc, e, "input {s:?}");
                    assert!(!t.assumed_zone);
                }
                (Err(TimestampError::OutOfRange), None) => {}
                (got, want) => panic!("{s:?}: got {got:?}, expected {want:?}"),
            }
        }
    }
}
