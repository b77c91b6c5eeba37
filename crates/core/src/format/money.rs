//! Money: decimal amounts rounded to the currency's minor digits and written with a locale's
//! separators, minus sign and symbol placement.

use super::locales::{resolve_locale, Layout, Locale, BASE_SYMBOLS, NBSP, ZERO_DECIMAL_CURRENCIES};
use super::FormatError;

pub(super) fn format_money(amount: &Decimal, currency_code: &str, locale: &str) -> Result<String, FormatError> {
    let code = currency_code.trim();
    if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Err(FormatError::InvalidCurrencyCode(currency_code.to_owned()));
    }
    // Upper-cased on the stack: a price is formatted per recipient, often many times.
    let mut upper = [0u8; 3];
    for (to, from) in upper.iter_mut().zip(code.bytes()) {
        *to = from.to_ascii_uppercase();
    }
    let code = std::str::from_utf8(&upper).map_err(|_| FormatError::InvalidCurrencyCode(currency_code.to_owned()))?;
    let loc = resolve_locale(locale);
    let minor = if ZERO_DECIMAL_CURRENCIES.contains(&code) { 0 } else { 2 };

    let rounded = amount.round(minor);
    let minus = if amount.negative && !rounded.is_zero() {
        loc.minus
    } else {
        ""
    };
    let symbol = currency_symbol(loc, code);
    let push_number = |out: &mut String| {
        push_grouped(out, rounded.integer(), loc.group, loc.min_grouping);
        if minor > 0 {
            out.push_str(loc.decimal);
            out.extend(rounded.fraction().iter().map(|&d| char::from(b'0' + d)));
        }
    };
    let mut out = String::with_capacity(rounded.digits.len() * 2 + symbol.len() + minus.len() + 8);
    match loc.layout {
        Layout::Prefix => {
            // CLDR currency spacing: a symbol ending in a letter ("CHF",
            // "元") is kept apart from the digits.
            let gap = if symbol.chars().last().is_some_and(char::is_alphabetic) {
                NBSP
            } else {
                ""
            };
            out.push_str(minus);
            out.push_str(symbol);
            out.push_str(gap);
            push_number(&mut out);
        }
        Layout::PrefixSpaced => {
            out.push_str(minus);
            out.push_str(symbol);
            out.push_str(NBSP);
            push_number(&mut out);
        }
        Layout::PrefixSpacedTightMinus if minus.is_empty() => {
            out.push_str(symbol);
            out.push_str(NBSP);
            push_number(&mut out);
        }
        Layout::PrefixSpacedTightMinus => {
            out.push_str(symbol);
            out.push_str(minus);
            push_number(&mut out);
        }
        Layout::PrefixSpacedInnerMinus => {
            out.push_str(symbol);
            out.push_str(NBSP);
            out.push_str(minus);
            push_number(&mut out);
        }
        Layout::Suffix => {
            out.push_str(minus);
            push_number(&mut out);
            out.push_str(NBSP);
            out.push_str(symbol);
        }
    }
    Ok(out)
}

/// Appends the digits `integer` (0-9 each) with `separator` every three digits from the right,
/// if there are at least `3 + min_grouping` of them (as [`group_digits`]).
fn push_grouped(out: &mut String, integer: &[u8], separator: &str, min_grouping: usize) {
    let len = integer.len();
    let digit = |d: u8| char::from(b'0' + d);
    if len < 3 + min_grouping {
        out.extend(integer.iter().map(|&d| digit(d)));
        return;
    }
    let mut run = match len % 3 {
        0 => 3,
        r => r,
    };
    for &d in integer {
        if run == 0 {
            out.push_str(separator);
            run = 3;
        }
        out.push(digit(d));
        run -= 1;
    }
}

fn currency_symbol<'a>(loc: &'static Locale, code: &'a str) -> &'a str {
    loc.symbols
        .iter()
        .chain(BASE_SYMBOLS)
        .find(|(known, _)| *known == code)
        .map_or(code, |(_, symbol)| *symbol)
}

/// Inserts `separator` every three digits from the right, if the number
/// has at least `3 + min_grouping` digits.
#[cfg(test)]
pub(super) fn group_digits(integer: &str, separator: &str, min_grouping: usize) -> String {
    let digits: Vec<u8> = integer.bytes().map(|b| b.wrapping_sub(b'0')).collect();
    let mut out = String::new();
    push_grouped(&mut out, &digits, separator, min_grouping);
    out
}

/// A decimal number as written: `0.d₁d₂d₃… × 10^point`.
#[derive(Debug)]
pub(super) struct Decimal {
    negative: bool,
    /// Significant digits (0–9), no leading zeros.
    digits: Vec<u8>,
    /// Position of the decimal point relative to the first digit.
    point: i64,
}

/// A decimal rounded to a number of fraction digits: the integer digits (no leading zeros, `0`
/// for zero) then exactly the requested number of fraction digits, each 0-9.
struct Rounded {
    digits: Vec<u8>,
    /// Where the fraction starts in `digits`.
    split: usize,
}

impl Rounded {
    fn is_zero(&self) -> bool {
        self.digits.iter().all(|&d| d == 0)
    }

    fn integer(&self) -> &[u8] {
        self.digits.get(..self.split).unwrap_or_default()
    }

    fn fraction(&self) -> &[u8] {
        self.digits.get(self.split..).unwrap_or_default()
    }
}

impl Decimal {
    /// Parses `[+-]digits[.digits][(e|E)[+-]digits]`; at least one mantissa
    /// digit is required, no surrounding whitespace is allowed.
    pub(super) fn parse(s: &str) -> Option<Decimal> {
        let bytes = s.as_bytes();
        let mut i = 0;
        let negative = match bytes.first() {
            Some(b'-') => {
                i = 1;
                true
            }
            Some(b'+') => {
                i = 1;
                false
            }
            _ => false,
        };
        let mut digits = Vec::with_capacity(bytes.len());
        let mut integer_digits: i64 = 0;
        let mut seen_point = false;
        while let Some(&b) = bytes.get(i) {
            match b {
                b'0'..=b'9' => {
                    digits.push(b - b'0');
                    if !seen_point {
                        integer_digits += 1;
                    }
                }
                b'.' if !seen_point => seen_point = true,
                _ => break,
            }
            i += 1;
        }
        if digits.is_empty() {
            return None;
        }
        let mut exponent: i64 = 0;
        if matches!(bytes.get(i), Some(b'e' | b'E')) {
            i += 1;
            let exponent_negative = match bytes.get(i) {
                Some(b'-') => {
                    i += 1;
                    true
                }
                Some(b'+') => {
                    i += 1;
                    false
                }
                _ => false,
            };
            let start = i;
            while let Some(&b) = bytes.get(i) {
                if !b.is_ascii_digit() {
                    break;
                }
                // Saturates far beyond any exponent an f64 can hold.
                exponent = (exponent * 10 + i64::from(b - b'0')).min(1_000_000_000);
                i += 1;
            }
            if i == start {
                return None;
            }
            if exponent_negative {
                exponent = -exponent;
            }
        }
        if i != bytes.len() {
            return None;
        }
        let leading_zeros = digits.iter().take_while(|&&d| d == 0).count();
        digits.drain(..leading_zeros);
        let point = integer_digits
            .saturating_sub(i64::try_from(leading_zeros).unwrap_or(i64::MAX))
            .saturating_add(exponent);
        Some(Decimal {
            negative,
            digits,
            point,
        })
    }

    /// Rounds half away from zero to `places` fraction digits.
    fn round(&self, places: usize) -> Rounded {
        let places_i = i64::try_from(places).unwrap_or(i64::MAX);
        let keep = self.point.saturating_add(places_i);
        // `kept` holds the digits of |value| × 10^places, rounded.
        let mut kept: Vec<u8> = Vec::new();
        if keep >= 0 && !self.digits.is_empty() {
            let keep = usize::try_from(keep).unwrap_or(usize::MAX);
            kept.extend(self.digits.iter().take(keep));
            // Zero padding up to the decimal point; `point` is small for any
            // value that fits an f64, which both entry points guarantee.
            let padding = keep.saturating_sub(kept.len()).min(4096);
            kept.extend(std::iter::repeat_n(0, padding));
            if self.digits.get(keep).is_some_and(|&d| d >= 5) {
                let mut carry = true;
                for digit in kept.iter_mut().rev() {
                    if *digit == 9 {
                        *digit = 0;
                    } else {
                        *digit += 1;
                        carry = false;
                        break;
                    }
                }
                if carry {
                    kept.insert(0, 1);
                }
            }
        }
        if kept.len() <= places {
            let missing = places + 1 - kept.len();
            kept.splice(0..0, std::iter::repeat_n(0, missing));
        }
        let split = kept.len() - places;
        // Leading zeros of the integer go, but one digit is always kept.
        let first_nonzero = kept
            .get(..split)
            .unwrap_or_default()
            .iter()
            .position(|&d| d != 0)
            .unwrap_or(split.saturating_sub(1));
        kept.drain(..first_nonzero);
        Rounded {
            split: split - first_nonzero,
            digits: kept,
        }
    }
}
