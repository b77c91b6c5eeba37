//! Value formatting for personalization helpers: money, dates and case.
//!
//! Locale data (separators, symbol placement, currency symbols, month names
//! and date patterns) follows CLDR for the locales the engine supports:
//! en-US, en-GB, en-IE, en-CA, en-AU, de-DE, de-AT, de-CH, fr-FR, fr-CA,
//! fr-CH, es-ES, es-MX, it-IT, nl-NL, pt-BR, pt-PT, sv-SE, da-DK, nb-NO,
//! fi-FI, pl-PL, cs-CZ and ja-JP.
//!
//! Locale tags are matched case-insensitively and accept `_` for `-`. An
//! unknown region falls back to the language's first locale in that list
//! (`de-LU` → de-DE, `pt` → pt-BR), an unknown language to en-US. `no` and
//! `nn` are read as `nb`.

use std::fmt::Write as _;
use std::str::FromStr;

use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime};

use locales::{resolve_locale, Piece};
use money::{format_money, Decimal};

mod locales;
mod money;

/// How a date is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DateStyle {
    /// All numeric with a four-digit year: `11/28/2026`, `28.11.2026`.
    Short,
    /// Abbreviated month name where the locale uses one: `Nov 28, 2026`.
    Medium,
    /// Full month name: `November 28, 2026`, `28. November 2026`.
    Long,
    /// ISO 8601 calendar date, whatever the locale: `2026-11-28`.
    Iso,
}

impl FromStr for DateStyle {
    type Err = FormatError;

    /// Parses `short`, `medium`, `long` or `iso` (ASCII case-insensitive,
    /// surrounding whitespace ignored).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let name = s.trim();
        [
            ("short", DateStyle::Short),
            ("medium", DateStyle::Medium),
            ("long", DateStyle::Long),
            ("iso", DateStyle::Iso),
        ]
        .into_iter()
        .find(|(known, _)| name.eq_ignore_ascii_case(known))
        .map(|(_, style)| style)
        .ok_or_else(|| FormatError::UnknownDateStyle(s.to_owned()))
    }
}

/// Why a value could not be formatted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormatError {
    /// The amount is not a finite decimal number.
    #[error("not a number: {0:?} (expected a decimal number such as 12.50 or 1e3)")]
    NotANumber(String),
    /// The input is neither an RFC 3339 timestamp nor a `YYYY-MM-DD` date.
    #[error("not a date: {0:?} (expected an RFC 3339 timestamp or YYYY-MM-DD)")]
    NotADate(String),
    /// The date style name is not one of the known ones.
    #[error("unknown date style {0:?} (expected one of: short, medium, long, iso)")]
    UnknownDateStyle(String),
    /// The currency code is not three ASCII letters.
    #[error("invalid currency code {0:?} (expected three letters such as USD)")]
    InvalidCurrencyCode(String),
}

/// Formats `amount` as money in `currency_code` for `locale`.
///
/// The amount is rounded half away from zero to the currency's minor digits
/// (0 for JPY, 2 otherwise). Rounding works on the shortest decimal that
/// round-trips to the `f64` (what `{}` prints), not on its binary value, so
/// `1.005` gives `1.01`. An amount that rounds to zero is written without a
/// minus sign. Unknown (but well-formed) currency codes are written with the
/// code as their symbol.
///
/// For example `1234.5` in `USD` for `en-US` is `$1,234.50`, and `-5` in
/// `EUR` for `de-DE` is `-5,00 €` (with U+00A0 before the symbol).
///
/// # Errors
///
/// [`FormatError::NotANumber`] for NaN and infinities,
/// [`FormatError::InvalidCurrencyCode`] if the code is not three letters.
pub fn currency(amount: f64, currency_code: &str, locale: &str) -> Result<String, FormatError> {
    if !amount.is_finite() {
        return Err(FormatError::NotANumber(amount.to_string()));
    }
    // `Display` for f64 is the shortest round-trip decimal, never exponential.
    let text = amount.to_string();
    let decimal = Decimal::parse(&text).ok_or(FormatError::NotANumber(text))?;
    format_money(&decimal, currency_code, locale)
}

/// Like [`currency`], for an amount given as text.
///
/// Accepts an optional sign, digits with an optional decimal point and an
/// optional exponent (`12.5`, `" 12.50 "`, `-3`, `.5`, `1e3`), surrounded
/// by optional whitespace. Rounding is done on the decimal digits as
/// written, so `"1.005"` gives `1.01`.
///
/// # Errors
///
/// [`FormatError::NotANumber`] for anything else (`""`, `"abc"`, `"1,5"`,
/// `"NaN"`, `"inf"`) and for values too large for an `f64`;
/// [`FormatError::InvalidCurrencyCode`] if the code is not three letters.
pub fn currency_from_str(amount: &str, currency_code: &str, locale: &str) -> Result<String, FormatError> {
    let not_a_number = || FormatError::NotANumber(amount.to_owned());
    let trimmed = amount.trim();
    let decimal = Decimal::parse(trimmed).ok_or_else(not_a_number)?;
    // Bounds the digits written for absurd exponents such as "1e999999".
    if !trimmed.parse::<f64>().is_ok_and(f64::is_finite) {
        return Err(not_a_number());
    }
    format_money(&decimal, currency_code, locale)
}

/// Formats a date for `locale` in the given style.
///
/// `input` is an RFC 3339 timestamp (`2026-11-28T14:30:00Z`,
/// `2026-11-28T23:30:00-05:00`) or a plain `YYYY-MM-DD` date. A timestamp's
/// date is taken as written in its own offset; it is not converted to UTC.
///
/// For example `2026-11-28` in [`DateStyle::Long`] for `de-DE` is
/// `28. November 2026`.
///
/// # Errors
///
/// [`FormatError::NotADate`] for any other input.
pub fn date(input: &str, style: DateStyle, locale: &str) -> Result<String, FormatError> {
    let day = parse_date(input)?;
    let loc = resolve_locale(locale);
    let pattern = match style {
        DateStyle::Iso => {
            return Ok(format!(
                "{:04}-{:02}-{:02}",
                day.year(),
                u8::from(day.month()),
                day.day()
            ))
        }
        DateStyle::Short => loc.short,
        DateStyle::Medium => loc.medium,
        DateStyle::Long => loc.long,
    };
    let month = usize::from(u8::from(day.month()));
    let mut out = String::with_capacity(24);
    for piece in pattern {
        match piece {
            Piece::Day => out.push_str(&day.day().to_string()),
            Piece::Day2 => {
                let _ = write!(out, "{:02}", day.day());
            }
            Piece::Month => out.push_str(&month.to_string()),
            Piece::Month2 => {
                let _ = write!(out, "{month:02}");
            }
            Piece::Year => out.push_str(&day.year().to_string()),
            Piece::Abbr => out.push_str(month_name(loc.abbr, month)),
            Piece::Wide => out.push_str(month_name(loc.wide, month)),
            Piece::Lit(text) => out.push_str(text),
        }
    }
    Ok(out)
}

/// Uppercases `s` (Unicode full case mapping: `ß` → `SS`).
#[must_use]
pub fn upper(s: &str) -> String {
    s.to_uppercase()
}

/// Lowercases `s` (Unicode full case mapping: `İ` → `i̇`).
#[must_use]
pub fn lower(s: &str) -> String {
    s.to_lowercase()
}

/// Liquid's `capitalize`: the first character in title case, the rest
/// lowercased (`"mARY ann"` → `"Mary ann"`, `"ßa"` → `"Ssa"`).
#[must_use]
pub fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    let Some(first) = chars.next() else {
        return String::new();
    };
    let mut out = String::with_capacity(s.len());
    push_titlecase(&mut out, first);
    // Lowercase the whole string so context-dependent mappings (final
    // sigma) see the first character, then drop that character's part.
    let lowered = s.to_lowercase();
    let skip = first.to_lowercase().count();
    out.extend(lowered.chars().skip(skip));
    out
}

/// Appends the title-case form of `c` (where it differs from uppercase).
fn push_titlecase(out: &mut String, c: char) {
    let title = match c {
        'ß' => "Ss",
        'Ǆ' | 'ǅ' | 'ǆ' => "ǅ",
        'Ǉ' | 'ǈ' | 'ǉ' => "ǈ",
        'Ǌ' | 'ǋ' | 'ǌ' => "ǋ",
        'Ǳ' | 'ǲ' | 'ǳ' => "ǲ",
        'ﬀ' => "Ff",
        'ﬁ' => "Fi",
        'ﬂ' => "Fl",
        'ﬃ' => "Ffi",
        'ﬄ' => "Ffl",
        'ﬅ' | 'ﬆ' => "St",
        'և' => "Եւ",
        _ => {
            out.extend(c.to_uppercase());
            return;
        }
    };
    out.push_str(title);
}

fn parse_date(input: &str) -> Result<Date, FormatError> {
    let s = input.trim();
    if let Ok(timestamp) = OffsetDateTime::parse(s, &Rfc3339) {
        return Ok(timestamp.date());
    }
    Date::parse(s, format_description!("[year]-[month]-[day]")).map_err(|_| FormatError::NotADate(input.to_owned()))
}

fn month_name(names: &'static [&'static str; 12], month: usize) -> &'static str {
    month.checked_sub(1).and_then(|i| names.get(i)).copied().unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::money::group_digits;
    use super::*;

    const CODES: [&str; 18] = [
        "USD", "EUR", "GBP", "JPY", "CHF", "SEK", "NOK", "DKK", "PLN", "CZK", "CAD", "AUD", "NZD", "BRL", "MXN", "INR",
        "CNY", "XYZ",
    ];

    /// Expands `{NB}` (no-break space), `{NN}` (narrow no-break space) and
    /// `{MS}` (minus sign) so the tables stay readable.
    fn x(s: &str) -> String {
        s.replace("{NB}", "\u{a0}")
            .replace("{NN}", "\u{202f}")
            .replace("{MS}", "\u{2212}")
    }

    fn money(amount: f64, code: &str, locale: &str) -> String {
        match currency(amount, code, locale) {
            Ok(s) => s,
            Err(e) => panic!("{amount} {code} {locale}: {e}"),
        }
    }

    fn money_str(amount: &str, code: &str, locale: &str) -> String {
        match currency_from_str(amount, code, locale) {
            Ok(s) => s,
            Err(e) => panic!("{amount:?} {code} {locale}: {e}"),
        }
    }

    fn day(input: &str, style: DateStyle, locale: &str) -> String {
        match date(input, style, locale) {
            Ok(s) => s,
            Err(e) => panic!("{input:?} {style:?} {locale}: {e}"),
        }
    }

    // ---- currency ----------------------------------------------------------

    #[test]
    fn currency_examples_from_the_spec() {
        let cases: &[(f64, &str, &str, &str)] = &[
            (1234.5, "USD", "en-US", "$1,234.50"),
            (1234.5, "USD", "en-CA", "US$1,234.50"),
            (1234.5, "CAD", "en-CA", "$1,234.50"),
            (1234.5, "CAD", "en-US", "CA$1,234.50"),
            (1234.5, "EUR", "de-DE", "1.234,50{NB}€"),
            (1234.5, "EUR", "fr-FR", "1{NN}234,50{NB}€"),
            (1234.5, "CHF", "de-CH", "CHF{NB}1’234.50"),
            (1234.5, "EUR", "nl-NL", "€{NB}1.234,50"),
            (1234.5, "JPY", "ja-JP", "￥1,235"),
            (1234.5, "SEK", "sv-SE", "1{NB}234,50{NB}kr"),
            (12.5, "XYZ", "en-US", "XYZ{NB}12.50"),
            (12.5, "XYZ", "de-DE", "12,50{NB}XYZ"),
            (-5.0, "USD", "en-US", "-$5.00"),
            (-5.0, "EUR", "de-DE", "-5,00{NB}€"),
        ];
        for &(amount, code, locale, expected) in cases {
            assert_eq!(money(amount, code, locale), x(expected), "{amount} {code} {locale}");
        }
    }

    #[test]
    fn currency_table() {
        let cases: &[(f64, &str, &str, &str)] = &[
            (0.0, "USD", "en-US", "$0.00"),
            (-0.0, "USD", "en-US", "$0.00"),
            (-0.001, "USD", "en-US", "$0.00"),
            (0.0, "EUR", "de-DE", "0,00{NB}€"),
            (0.0, "JPY", "ja-JP", "￥0"),
            (7.0, "GBP", "en-GB", "£7.00"),
            (19.99, "EUR", "en-IE", "€19.99"),
            (49.95, "AUD", "en-AU", "$49.95"),
            (49.95, "USD", "en-AU", "USD{NB}49.95"),
            (1234.5, "EUR", "de-AT", "€{NB}1.234,50"),
            (-1234.5, "EUR", "de-AT", "-€{NB}1.234,50"),
            (-1234.5, "CHF", "de-CH", "CHF-1’234.50"),
            (1234.5, "EUR", "de-CH", "EUR{NB}1’234.50"),
            (1234.5, "CAD", "fr-CA", "1{NB}234,50{NB}$"),
            (1234.5, "USD", "fr-CA", "1{NB}234,50{NB}${NB}US"),
            (1234.5, "CHF", "fr-CH", "1{NN}234.50{NB}CHF"),
            (1234.5, "EUR", "es-ES", "1234,50{NB}€"),
            (12345.5, "EUR", "es-ES", "12.345,50{NB}€"),
            (1234.5, "MXN", "es-MX", "$1,234.50"),
            (1234.5, "EUR", "it-IT", "1234,50{NB}€"),
            (-1234.5, "EUR", "nl-NL", "€{NB}-1.234,50"),
            (1234.5, "BRL", "pt-BR", "R${NB}1.234,50"),
            (-1234.5, "BRL", "pt-BR", "-R${NB}1.234,50"),
            (1234.5, "EUR", "pt-PT", "1234,50{NB}€"),
            (12345.5, "EUR", "pt-PT", "12{NB}345,50{NB}€"),
            (-1234.5, "SEK", "sv-SE", "{MS}1{NB}234,50{NB}kr"),
            (1234.5, "DKK", "da-DK", "1.234,50{NB}kr."),
            (1234.5, "NOK", "nb-NO", "1{NB}234,50{NB}kr"),
            (-0.5, "EUR", "fi-FI", "{MS}0,50{NB}€"),
            (1234.5, "PLN", "pl-PL", "1234,50{NB}zł"),
            (12345.5, "PLN", "pl-PL", "12{NB}345,50{NB}zł"),
            (1234.5, "CZK", "cs-CZ", "1{NB}234,50{NB}Kč"),
            (1234.5, "CNY", "ja-JP", "元{NB}1,234.50"),
            (1234.5, "USD", "ja-JP", "$1,234.50"),
            (1e21, "USD", "en-US", "$1,000,000,000,000,000,000,000.00"),
            (1_234_567.891, "INR", "en-GB", "₹1,234,567.89"),
            (999.999, "USD", "en-US", "$1,000.00"),
            (-999.995, "USD", "en-US", "-$1,000.00"),
        ];
        for &(amount, code, locale, expected) in cases {
            assert_eq!(money(amount, code, locale), x(expected), "{amount} {code} {locale}");
        }
    }

    /// Every locale × currency, checked against ICU 78 / CLDR 48 output
    /// (except de-CH's group separator, see `LOCALES`).
    #[test]
    fn currency_matrix_negative_amount() {
        #[rustfmt::skip]
        let table: &[(&str, [&str; 18])] = &[
            ("en-US", ["-$1,234.50", "-€1,234.50", "-£1,234.50", "-¥1,235", "-CHF{NB}1,234.50", "-SEK{NB}1,234.50", "-NOK{NB}1,234.50", "-DKK{NB}1,234.50", "-PLN{NB}1,234.50", "-CZK{NB}1,234.50", "-CA$1,234.50", "-A$1,234.50", "-NZ$1,234.50", "-R$1,234.50", "-MX$1,234.50", "-₹1,234.50", "-CN¥1,234.50", "-XYZ{NB}1,234.50"]),
            ("en-GB", ["-US$1,234.50", "-€1,234.50", "-£1,234.50", "-JP¥1,235", "-CHF{NB}1,234.50", "-SEK{NB}1,234.50", "-NOK{NB}1,234.50", "-DKK{NB}1,234.50", "-PLN{NB}1,234.50", "-CZK{NB}1,234.50", "-CA$1,234.50", "-A$1,234.50", "-NZ$1,234.50", "-R$1,234.50", "-MX$1,234.50", "-₹1,234.50", "-CN¥1,234.50", "-XYZ{NB}1,234.50"]),
            ("en-IE", ["-US$1,234.50", "-€1,234.50", "-£1,234.50", "-JP¥1,235", "-CHF{NB}1,234.50", "-SEK{NB}1,234.50", "-NOK{NB}1,234.50", "-DKK{NB}1,234.50", "-PLN{NB}1,234.50", "-CZK{NB}1,234.50", "-CA$1,234.50", "-A$1,234.50", "-NZ$1,234.50", "-R$1,234.50", "-MX$1,234.50", "-₹1,234.50", "-CN¥1,234.50", "-XYZ{NB}1,234.50"]),
            ("en-CA", ["-US$1,234.50", "-€1,234.50", "-£1,234.50", "-JP¥1,235", "-CHF{NB}1,234.50", "-SEK{NB}1,234.50", "-NOK{NB}1,234.50", "-DKK{NB}1,234.50", "-PLN{NB}1,234.50", "-CZK{NB}1,234.50", "-$1,234.50", "-A$1,234.50", "-NZ$1,234.50", "-R$1,234.50", "-MX$1,234.50", "-₹1,234.50", "-CN¥1,234.50", "-XYZ{NB}1,234.50"]),
            ("en-AU", ["-USD{NB}1,234.50", "-EUR{NB}1,234.50", "-GBP{NB}1,234.50", "-JPY{NB}1,235", "-CHF{NB}1,234.50", "-SEK{NB}1,234.50", "-NOK{NB}1,234.50", "-DKK{NB}1,234.50", "-PLN{NB}1,234.50", "-CZK{NB}1,234.50", "-CAD{NB}1,234.50", "-$1,234.50", "-NZD{NB}1,234.50", "-BRL{NB}1,234.50", "-MXN{NB}1,234.50", "-INR{NB}1,234.50", "-CNY{NB}1,234.50", "-XYZ{NB}1,234.50"]),
            ("de-DE", ["-1.234,50{NB}$", "-1.234,50{NB}€", "-1.234,50{NB}£", "-1.235{NB}¥", "-1.234,50{NB}CHF", "-1.234,50{NB}SEK", "-1.234,50{NB}NOK", "-1.234,50{NB}DKK", "-1.234,50{NB}PLN", "-1.234,50{NB}CZK", "-1.234,50{NB}CA$", "-1.234,50{NB}AU$", "-1.234,50{NB}NZ$", "-1.234,50{NB}R$", "-1.234,50{NB}MX$", "-1.234,50{NB}₹", "-1.234,50{NB}CN¥", "-1.234,50{NB}XYZ"]),
            ("de-AT", ["-${NB}1.234,50", "-€{NB}1.234,50", "-£{NB}1.234,50", "-¥{NB}1.235", "-CHF{NB}1.234,50", "-SEK{NB}1.234,50", "-NOK{NB}1.234,50", "-DKK{NB}1.234,50", "-PLN{NB}1.234,50", "-CZK{NB}1.234,50", "-CA${NB}1.234,50", "-AU${NB}1.234,50", "-NZ${NB}1.234,50", "-R${NB}1.234,50", "-MX${NB}1.234,50", "-₹{NB}1.234,50", "-CN¥{NB}1.234,50", "-XYZ{NB}1.234,50"]),
            ("de-CH", ["$-1’234.50", "EUR-1’234.50", "£-1’234.50", "¥-1’235", "CHF-1’234.50", "SEK-1’234.50", "NOK-1’234.50", "DKK-1’234.50", "PLN-1’234.50", "CZK-1’234.50", "CA$-1’234.50", "AU$-1’234.50", "NZ$-1’234.50", "R$-1’234.50", "MX$-1’234.50", "₹-1’234.50", "CN¥-1’234.50", "XYZ-1’234.50"]),
            ("fr-FR", ["-1{NN}234,50{NB}$US", "-1{NN}234,50{NB}€", "-1{NN}234,50{NB}£GB", "-1{NN}235{NB}JPY", "-1{NN}234,50{NB}CHF", "-1{NN}234,50{NB}SEK", "-1{NN}234,50{NB}NOK", "-1{NN}234,50{NB}DKK", "-1{NN}234,50{NB}PLN", "-1{NN}234,50{NB}CZK", "-1{NN}234,50{NB}$CA", "-1{NN}234,50{NB}$AU", "-1{NN}234,50{NB}$NZ", "-1{NN}234,50{NB}R$", "-1{NN}234,50{NB}$MX", "-1{NN}234,50{NB}₹", "-1{NN}234,50{NB}CNY", "-1{NN}234,50{NB}XYZ"]),
            ("fr-CA", ["-1{NB}234,50{NB}${NB}US", "-1{NB}234,50{NB}€", "-1{NB}234,50{NB}£", "-1{NB}235{NB}¥", "-1{NB}234,50{NB}CHF", "-1{NB}234,50{NB}SEK", "-1{NB}234,50{NB}NOK", "-1{NB}234,50{NB}DKK", "-1{NB}234,50{NB}PLN", "-1{NB}234,50{NB}CZK", "-1{NB}234,50{NB}$", "-1{NB}234,50{NB}${NB}AU", "-1{NB}234,50{NB}${NB}NZ", "-1{NB}234,50{NB}R$", "-1{NB}234,50{NB}MXN", "-1{NB}234,50{NB}INR", "-1{NB}234,50{NB}CN¥", "-1{NB}234,50{NB}XYZ"]),
            ("fr-CH", ["-1{NN}234.50{NB}$US", "-1{NN}234.50{NB}€", "-1{NN}234.50{NB}£GB", "-1{NN}235{NB}JPY", "-1{NN}234.50{NB}CHF", "-1{NN}234.50{NB}SEK", "-1{NN}234.50{NB}NOK", "-1{NN}234.50{NB}DKK", "-1{NN}234.50{NB}PLN", "-1{NN}234.50{NB}CZK", "-1{NN}234.50{NB}$CA", "-1{NN}234.50{NB}$AU", "-1{NN}234.50{NB}$NZ", "-1{NN}234.50{NB}R$", "-1{NN}234.50{NB}$MX", "-1{NN}234.50{NB}₹", "-1{NN}234.50{NB}CNY", "-1{NN}234.50{NB}XYZ"]),
            ("es-ES", ["-1234,50{NB}US$", "-1234,50{NB}€", "-1234,50{NB}GBP", "-1235{NB}JPY", "-1234,50{NB}CHF", "-1234,50{NB}SEK", "-1234,50{NB}NOK", "-1234,50{NB}DKK", "-1234,50{NB}PLN", "-1234,50{NB}CZK", "-1234,50{NB}CAD", "-1234,50{NB}AUD", "-1234,50{NB}NZD", "-1234,50{NB}BRL", "-1234,50{NB}MXN", "-1234,50{NB}INR", "-1234,50{NB}CNY", "-1234,50{NB}XYZ"]),
            ("es-MX", ["-USD{NB}1,234.50", "-EUR{NB}1,234.50", "-GBP{NB}1,234.50", "-JPY{NB}1,235", "-CHF{NB}1,234.50", "-SEK{NB}1,234.50", "-NOK{NB}1,234.50", "-DKK{NB}1,234.50", "-PLN{NB}1,234.50", "-CZK{NB}1,234.50", "-CAD{NB}1,234.50", "-AUD{NB}1,234.50", "-NZD{NB}1,234.50", "-BRL{NB}1,234.50", "-$1,234.50", "-INR{NB}1,234.50", "-CNY{NB}1,234.50", "-XYZ{NB}1,234.50"]),
            ("it-IT", ["-1234,50{NB}USD", "-1234,50{NB}€", "-1234,50{NB}£", "-1235{NB}JPY", "-1234,50{NB}CHF", "-1234,50{NB}SEK", "-1234,50{NB}NOK", "-1234,50{NB}DKK", "-1234,50{NB}PLN", "-1234,50{NB}CZK", "-1234,50{NB}CA$", "-1234,50{NB}A$", "-1234,50{NB}NZ$", "-1234,50{NB}BRL", "-1234,50{NB}MXN", "-1234,50{NB}INR", "-1234,50{NB}CN¥", "-1234,50{NB}XYZ"]),
            ("nl-NL", ["US${NB}-1.234,50", "€{NB}-1.234,50", "£{NB}-1.234,50", "JP¥{NB}-1.235", "CHF{NB}-1.234,50", "SEK{NB}-1.234,50", "NOK{NB}-1.234,50", "DKK{NB}-1.234,50", "PLN{NB}-1.234,50", "CZK{NB}-1.234,50", "C${NB}-1.234,50", "AU${NB}-1.234,50", "NZ${NB}-1.234,50", "R${NB}-1.234,50", "MX${NB}-1.234,50", "₹{NB}-1.234,50", "CN¥{NB}-1.234,50", "XYZ{NB}-1.234,50"]),
            ("pt-BR", ["-US${NB}1.234,50", "-€{NB}1.234,50", "-£{NB}1.234,50", "-JP¥{NB}1.235", "-CHF{NB}1.234,50", "-SEK{NB}1.234,50", "-NOK{NB}1.234,50", "-DKK{NB}1.234,50", "-PLN{NB}1.234,50", "-CZK{NB}1.234,50", "-CA${NB}1.234,50", "-AU${NB}1.234,50", "-NZ${NB}1.234,50", "-R${NB}1.234,50", "-MX${NB}1.234,50", "-₹{NB}1.234,50", "-CN¥{NB}1.234,50", "-XYZ{NB}1.234,50"]),
            ("pt-PT", ["-1234,50{NB}US$", "-1234,50{NB}€", "-1234,50{NB}£", "-1235{NB}JP¥", "-1234,50{NB}CHF", "-1234,50{NB}SEK", "-1234,50{NB}NOK", "-1234,50{NB}DKK", "-1234,50{NB}PLN", "-1234,50{NB}CZK", "-1234,50{NB}CA$", "-1234,50{NB}AU$", "-1234,50{NB}NZ$", "-1234,50{NB}R$", "-1234,50{NB}MX$", "-1234,50{NB}₹", "-1234,50{NB}CN¥", "-1234,50{NB}XYZ"]),
            ("sv-SE", ["{MS}1{NB}234,50{NB}US$", "{MS}1{NB}234,50{NB}€", "{MS}1{NB}234,50{NB}GBP", "{MS}1{NB}235{NB}JPY", "{MS}1{NB}234,50{NB}CHF", "{MS}1{NB}234,50{NB}kr", "{MS}1{NB}234,50{NB}Nkr", "{MS}1{NB}234,50{NB}Dkr", "{MS}1{NB}234,50{NB}PLN", "{MS}1{NB}234,50{NB}CZK", "{MS}1{NB}234,50{NB}CA$", "{MS}1{NB}234,50{NB}AUD", "{MS}1{NB}234,50{NB}NZD", "{MS}1{NB}234,50{NB}BR$", "{MS}1{NB}234,50{NB}MX$", "{MS}1{NB}234,50{NB}INR", "{MS}1{NB}234,50{NB}CNY", "{MS}1{NB}234,50{NB}XYZ"]),
            ("da-DK", ["-1.234,50{NB}US$", "-1.234,50{NB}€", "-1.234,50{NB}£", "-1.235{NB}JP¥", "-1.234,50{NB}CHF", "-1.234,50{NB}SEK", "-1.234,50{NB}NOK", "-1.234,50{NB}kr.", "-1.234,50{NB}PLN", "-1.234,50{NB}CZK", "-1.234,50{NB}CA$", "-1.234,50{NB}AU$", "-1.234,50{NB}NZ$", "-1.234,50{NB}R$", "-1.234,50{NB}MX$", "-1.234,50{NB}₹", "-1.234,50{NB}CN¥", "-1.234,50{NB}XYZ"]),
            ("nb-NO", ["{MS}1{NB}234,50{NB}USD", "{MS}1{NB}234,50{NB}€", "{MS}1{NB}234,50{NB}£", "{MS}1{NB}235{NB}JPY", "{MS}1{NB}234,50{NB}CHF", "{MS}1{NB}234,50{NB}SEK", "{MS}1{NB}234,50{NB}kr", "{MS}1{NB}234,50{NB}DKK", "{MS}1{NB}234,50{NB}PLN", "{MS}1{NB}234,50{NB}CZK", "{MS}1{NB}234,50{NB}CAD", "{MS}1{NB}234,50{NB}AUD", "{MS}1{NB}234,50{NB}NZD", "{MS}1{NB}234,50{NB}BRL", "{MS}1{NB}234,50{NB}MXN", "{MS}1{NB}234,50{NB}INR", "{MS}1{NB}234,50{NB}CNY", "{MS}1{NB}234,50{NB}XYZ"]),
            ("fi-FI", ["{MS}1{NB}234,50{NB}$", "{MS}1{NB}234,50{NB}€", "{MS}1{NB}234,50{NB}£", "{MS}1{NB}235{NB}¥", "{MS}1{NB}234,50{NB}CHF", "{MS}1{NB}234,50{NB}SEK", "{MS}1{NB}234,50{NB}NOK", "{MS}1{NB}234,50{NB}DKK", "{MS}1{NB}234,50{NB}PLN", "{MS}1{NB}234,50{NB}CZK", "{MS}1{NB}234,50{NB}CAD", "{MS}1{NB}234,50{NB}AUD", "{MS}1{NB}234,50{NB}NZD", "{MS}1{NB}234,50{NB}BRL", "{MS}1{NB}234,50{NB}MXN", "{MS}1{NB}234,50{NB}INR", "{MS}1{NB}234,50{NB}CNY", "{MS}1{NB}234,50{NB}XYZ"]),
            ("pl-PL", ["-1234,50{NB}USD", "-1234,50{NB}€", "-1234,50{NB}GBP", "-1235{NB}JPY", "-1234,50{NB}CHF", "-1234,50{NB}SEK", "-1234,50{NB}NOK", "-1234,50{NB}DKK", "-1234,50{NB}zł", "-1234,50{NB}CZK", "-1234,50{NB}CAD", "-1234,50{NB}AUD", "-1234,50{NB}NZD", "-1234,50{NB}R$", "-1234,50{NB}MXN", "-1234,50{NB}INR", "-1234,50{NB}CNY", "-1234,50{NB}XYZ"]),
            ("cs-CZ", ["-1{NB}234,50{NB}US$", "-1{NB}234,50{NB}€", "-1{NB}234,50{NB}£", "-1{NB}235{NB}JP¥", "-1{NB}234,50{NB}CHF", "-1{NB}234,50{NB}SEK", "-1{NB}234,50{NB}NOK", "-1{NB}234,50{NB}DKK", "-1{NB}234,50{NB}PLN", "-1{NB}234,50{NB}Kč", "-1{NB}234,50{NB}CA$", "-1{NB}234,50{NB}AU$", "-1{NB}234,50{NB}NZ$", "-1{NB}234,50{NB}R$", "-1{NB}234,50{NB}MX$", "-1{NB}234,50{NB}INR", "-1{NB}234,50{NB}CN¥", "-1{NB}234,50{NB}XYZ"]),
            ("ja-JP", ["-$1,234.50", "-€1,234.50", "-£1,234.50", "-￥1,235", "-CHF{NB}1,234.50", "-SEK{NB}1,234.50", "-NOK{NB}1,234.50", "-DKK{NB}1,234.50", "-PLN{NB}1,234.50", "-CZK{NB}1,234.50", "-CA$1,234.50", "-A$1,234.50", "-NZ$1,234.50", "-R$1,234.50", "-MX$1,234.50", "-₹1,234.50", "-元{NB}1,234.50", "-XYZ{NB}1,234.50"]),
        ];
        for (locale, row) in table {
            for (code, expected) in CODES.iter().zip(row) {
                assert_eq!(money(-1234.5, code, locale), x(expected), "{code} {locale}");
            }
        }
    }

    #[test]
    fn currency_matrix_large_amount() {
        #[rustfmt::skip]
        let table: &[(&str, [&str; 18])] = &[
            ("en-US", ["$1,234,567.89", "€1,234,567.89", "£1,234,567.89", "¥1,234,568", "CHF{NB}1,234,567.89", "SEK{NB}1,234,567.89", "NOK{NB}1,234,567.89", "DKK{NB}1,234,567.89", "PLN{NB}1,234,567.89", "CZK{NB}1,234,567.89", "CA$1,234,567.89", "A$1,234,567.89", "NZ$1,234,567.89", "R$1,234,567.89", "MX$1,234,567.89", "₹1,234,567.89", "CN¥1,234,567.89", "XYZ{NB}1,234,567.89"]),
            ("en-GB", ["US$1,234,567.89", "€1,234,567.89", "£1,234,567.89", "JP¥1,234,568", "CHF{NB}1,234,567.89", "SEK{NB}1,234,567.89", "NOK{NB}1,234,567.89", "DKK{NB}1,234,567.89", "PLN{NB}1,234,567.89", "CZK{NB}1,234,567.89", "CA$1,234,567.89", "A$1,234,567.89", "NZ$1,234,567.89", "R$1,234,567.89", "MX$1,234,567.89", "₹1,234,567.89", "CN¥1,234,567.89", "XYZ{NB}1,234,567.89"]),
            ("en-IE", ["US$1,234,567.89", "€1,234,567.89", "£1,234,567.89", "JP¥1,234,568", "CHF{NB}1,234,567.89", "SEK{NB}1,234,567.89", "NOK{NB}1,234,567.89", "DKK{NB}1,234,567.89", "PLN{NB}1,234,567.89", "CZK{NB}1,234,567.89", "CA$1,234,567.89", "A$1,234,567.89", "NZ$1,234,567.89", "R$1,234,567.89", "MX$1,234,567.89", "₹1,234,567.89", "CN¥1,234,567.89", "XYZ{NB}1,234,567.89"]),
            ("en-CA", ["US$1,234,567.89", "€1,234,567.89", "£1,234,567.89", "JP¥1,234,568", "CHF{NB}1,234,567.89", "SEK{NB}1,234,567.89", "NOK{NB}1,234,567.89", "DKK{NB}1,234,567.89", "PLN{NB}1,234,567.89", "CZK{NB}1,234,567.89", "$1,234,567.89", "A$1,234,567.89", "NZ$1,234,567.89", "R$1,234,567.89", "MX$1,234,567.89", "₹1,234,567.89", "CN¥1,234,567.89", "XYZ{NB}1,234,567.89"]),
            ("en-AU", ["USD{NB}1,234,567.89", "EUR{NB}1,234,567.89", "GBP{NB}1,234,567.89", "JPY{NB}1,234,568", "CHF{NB}1,234,567.89", "SEK{NB}1,234,567.89", "NOK{NB}1,234,567.89", "DKK{NB}1,234,567.89", "PLN{NB}1,234,567.89", "CZK{NB}1,234,567.89", "CAD{NB}1,234,567.89", "$1,234,567.89", "NZD{NB}1,234,567.89", "BRL{NB}1,234,567.89", "MXN{NB}1,234,567.89", "INR{NB}1,234,567.89", "CNY{NB}1,234,567.89", "XYZ{NB}1,234,567.89"]),
            ("de-DE", ["1.234.567,89{NB}$", "1.234.567,89{NB}€", "1.234.567,89{NB}£", "1.234.568{NB}¥", "1.234.567,89{NB}CHF", "1.234.567,89{NB}SEK", "1.234.567,89{NB}NOK", "1.234.567,89{NB}DKK", "1.234.567,89{NB}PLN", "1.234.567,89{NB}CZK", "1.234.567,89{NB}CA$", "1.234.567,89{NB}AU$", "1.234.567,89{NB}NZ$", "1.234.567,89{NB}R$", "1.234.567,89{NB}MX$", "1.234.567,89{NB}₹", "1.234.567,89{NB}CN¥", "1.234.567,89{NB}XYZ"]),
            ("de-AT", ["${NB}1.234.567,89", "€{NB}1.234.567,89", "£{NB}1.234.567,89", "¥{NB}1.234.568", "CHF{NB}1.234.567,89", "SEK{NB}1.234.567,89", "NOK{NB}1.234.567,89", "DKK{NB}1.234.567,89", "PLN{NB}1.234.567,89", "CZK{NB}1.234.567,89", "CA${NB}1.234.567,89", "AU${NB}1.234.567,89", "NZ${NB}1.234.567,89", "R${NB}1.234.567,89", "MX${NB}1.234.567,89", "₹{NB}1.234.567,89", "CN¥{NB}1.234.567,89", "XYZ{NB}1.234.567,89"]),
            ("de-CH", ["${NB}1’234’567.89", "EUR{NB}1’234’567.89", "£{NB}1’234’567.89", "¥{NB}1’234’568", "CHF{NB}1’234’567.89", "SEK{NB}1’234’567.89", "NOK{NB}1’234’567.89", "DKK{NB}1’234’567.89", "PLN{NB}1’234’567.89", "CZK{NB}1’234’567.89", "CA${NB}1’234’567.89", "AU${NB}1’234’567.89", "NZ${NB}1’234’567.89", "R${NB}1’234’567.89", "MX${NB}1’234’567.89", "₹{NB}1’234’567.89", "CN¥{NB}1’234’567.89", "XYZ{NB}1’234’567.89"]),
            ("fr-FR", ["1{NN}234{NN}567,89{NB}$US", "1{NN}234{NN}567,89{NB}€", "1{NN}234{NN}567,89{NB}£GB", "1{NN}234{NN}568{NB}JPY", "1{NN}234{NN}567,89{NB}CHF", "1{NN}234{NN}567,89{NB}SEK", "1{NN}234{NN}567,89{NB}NOK", "1{NN}234{NN}567,89{NB}DKK", "1{NN}234{NN}567,89{NB}PLN", "1{NN}234{NN}567,89{NB}CZK", "1{NN}234{NN}567,89{NB}$CA", "1{NN}234{NN}567,89{NB}$AU", "1{NN}234{NN}567,89{NB}$NZ", "1{NN}234{NN}567,89{NB}R$", "1{NN}234{NN}567,89{NB}$MX", "1{NN}234{NN}567,89{NB}₹", "1{NN}234{NN}567,89{NB}CNY", "1{NN}234{NN}567,89{NB}XYZ"]),
            ("fr-CA", ["1{NB}234{NB}567,89{NB}${NB}US", "1{NB}234{NB}567,89{NB}€", "1{NB}234{NB}567,89{NB}£", "1{NB}234{NB}568{NB}¥", "1{NB}234{NB}567,89{NB}CHF", "1{NB}234{NB}567,89{NB}SEK", "1{NB}234{NB}567,89{NB}NOK", "1{NB}234{NB}567,89{NB}DKK", "1{NB}234{NB}567,89{NB}PLN", "1{NB}234{NB}567,89{NB}CZK", "1{NB}234{NB}567,89{NB}$", "1{NB}234{NB}567,89{NB}${NB}AU", "1{NB}234{NB}567,89{NB}${NB}NZ", "1{NB}234{NB}567,89{NB}R$", "1{NB}234{NB}567,89{NB}MXN", "1{NB}234{NB}567,89{NB}INR", "1{NB}234{NB}567,89{NB}CN¥", "1{NB}234{NB}567,89{NB}XYZ"]),
            ("fr-CH", ["1{NN}234{NN}567.89{NB}$US", "1{NN}234{NN}567.89{NB}€", "1{NN}234{NN}567.89{NB}£GB", "1{NN}234{NN}568{NB}JPY", "1{NN}234{NN}567.89{NB}CHF", "1{NN}234{NN}567.89{NB}SEK", "1{NN}234{NN}567.89{NB}NOK", "1{NN}234{NN}567.89{NB}DKK", "1{NN}234{NN}567.89{NB}PLN", "1{NN}234{NN}567.89{NB}CZK", "1{NN}234{NN}567.89{NB}$CA", "1{NN}234{NN}567.89{NB}$AU", "1{NN}234{NN}567.89{NB}$NZ", "1{NN}234{NN}567.89{NB}R$", "1{NN}234{NN}567.89{NB}$MX", "1{NN}234{NN}567.89{NB}₹", "1{NN}234{NN}567.89{NB}CNY", "1{NN}234{NN}567.89{NB}XYZ"]),
            ("es-ES", ["1.234.567,89{NB}US$", "1.234.567,89{NB}€", "1.234.567,89{NB}GBP", "1.234.568{NB}JPY", "1.234.567,89{NB}CHF", "1.234.567,89{NB}SEK", "1.234.567,89{NB}NOK", "1.234.567,89{NB}DKK", "1.234.567,89{NB}PLN", "1.234.567,89{NB}CZK", "1.234.567,89{NB}CAD", "1.234.567,89{NB}AUD", "1.234.567,89{NB}NZD", "1.234.567,89{NB}BRL", "1.234.567,89{NB}MXN", "1.234.567,89{NB}INR", "1.234.567,89{NB}CNY", "1.234.567,89{NB}XYZ"]),
            ("es-MX", ["USD{NB}1,234,567.89", "EUR{NB}1,234,567.89", "GBP{NB}1,234,567.89", "JPY{NB}1,234,568", "CHF{NB}1,234,567.89", "SEK{NB}1,234,567.89", "NOK{NB}1,234,567.89", "DKK{NB}1,234,567.89", "PLN{NB}1,234,567.89", "CZK{NB}1,234,567.89", "CAD{NB}1,234,567.89", "AUD{NB}1,234,567.89", "NZD{NB}1,234,567.89", "BRL{NB}1,234,567.89", "$1,234,567.89", "INR{NB}1,234,567.89", "CNY{NB}1,234,567.89", "XYZ{NB}1,234,567.89"]),
            ("it-IT", ["1.234.567,89{NB}USD", "1.234.567,89{NB}€", "1.234.567,89{NB}£", "1.234.568{NB}JPY", "1.234.567,89{NB}CHF", "1.234.567,89{NB}SEK", "1.234.567,89{NB}NOK", "1.234.567,89{NB}DKK", "1.234.567,89{NB}PLN", "1.234.567,89{NB}CZK", "1.234.567,89{NB}CA$", "1.234.567,89{NB}A$", "1.234.567,89{NB}NZ$", "1.234.567,89{NB}BRL", "1.234.567,89{NB}MXN", "1.234.567,89{NB}INR", "1.234.567,89{NB}CN¥", "1.234.567,89{NB}XYZ"]),
            ("nl-NL", ["US${NB}1.234.567,89", "€{NB}1.234.567,89", "£{NB}1.234.567,89", "JP¥{NB}1.234.568", "CHF{NB}1.234.567,89", "SEK{NB}1.234.567,89", "NOK{NB}1.234.567,89", "DKK{NB}1.234.567,89", "PLN{NB}1.234.567,89", "CZK{NB}1.234.567,89", "C${NB}1.234.567,89", "AU${NB}1.234.567,89", "NZ${NB}1.234.567,89", "R${NB}1.234.567,89", "MX${NB}1.234.567,89", "₹{NB}1.234.567,89", "CN¥{NB}1.234.567,89", "XYZ{NB}1.234.567,89"]),
            ("pt-BR", ["US${NB}1.234.567,89", "€{NB}1.234.567,89", "£{NB}1.234.567,89", "JP¥{NB}1.234.568", "CHF{NB}1.234.567,89", "SEK{NB}1.234.567,89", "NOK{NB}1.234.567,89", "DKK{NB}1.234.567,89", "PLN{NB}1.234.567,89", "CZK{NB}1.234.567,89", "CA${NB}1.234.567,89", "AU${NB}1.234.567,89", "NZ${NB}1.234.567,89", "R${NB}1.234.567,89", "MX${NB}1.234.567,89", "₹{NB}1.234.567,89", "CN¥{NB}1.234.567,89", "XYZ{NB}1.234.567,89"]),
            ("pt-PT", ["1{NB}234{NB}567,89{NB}US$", "1{NB}234{NB}567,89{NB}€", "1{NB}234{NB}567,89{NB}£", "1{NB}234{NB}568{NB}JP¥", "1{NB}234{NB}567,89{NB}CHF", "1{NB}234{NB}567,89{NB}SEK", "1{NB}234{NB}567,89{NB}NOK", "1{NB}234{NB}567,89{NB}DKK", "1{NB}234{NB}567,89{NB}PLN", "1{NB}234{NB}567,89{NB}CZK", "1{NB}234{NB}567,89{NB}CA$", "1{NB}234{NB}567,89{NB}AU$", "1{NB}234{NB}567,89{NB}NZ$", "1{NB}234{NB}567,89{NB}R$", "1{NB}234{NB}567,89{NB}MX$", "1{NB}234{NB}567,89{NB}₹", "1{NB}234{NB}567,89{NB}CN¥", "1{NB}234{NB}567,89{NB}XYZ"]),
            ("sv-SE", ["1{NB}234{NB}567,89{NB}US$", "1{NB}234{NB}567,89{NB}€", "1{NB}234{NB}567,89{NB}GBP", "1{NB}234{NB}568{NB}JPY", "1{NB}234{NB}567,89{NB}CHF", "1{NB}234{NB}567,89{NB}kr", "1{NB}234{NB}567,89{NB}Nkr", "1{NB}234{NB}567,89{NB}Dkr", "1{NB}234{NB}567,89{NB}PLN", "1{NB}234{NB}567,89{NB}CZK", "1{NB}234{NB}567,89{NB}CA$", "1{NB}234{NB}567,89{NB}AUD", "1{NB}234{NB}567,89{NB}NZD", "1{NB}234{NB}567,89{NB}BR$", "1{NB}234{NB}567,89{NB}MX$", "1{NB}234{NB}567,89{NB}INR", "1{NB}234{NB}567,89{NB}CNY", "1{NB}234{NB}567,89{NB}XYZ"]),
            ("da-DK", ["1.234.567,89{NB}US$", "1.234.567,89{NB}€", "1.234.567,89{NB}£", "1.234.568{NB}JP¥", "1.234.567,89{NB}CHF", "1.234.567,89{NB}SEK", "1.234.567,89{NB}NOK", "1.234.567,89{NB}kr.", "1.234.567,89{NB}PLN", "1.234.567,89{NB}CZK", "1.234.567,89{NB}CA$", "1.234.567,89{NB}AU$", "1.234.567,89{NB}NZ$", "1.234.567,89{NB}R$", "1.234.567,89{NB}MX$", "1.234.567,89{NB}₹", "1.234.567,89{NB}CN¥", "1.234.567,89{NB}XYZ"]),
            ("nb-NO", ["1{NB}234{NB}567,89{NB}USD", "1{NB}234{NB}567,89{NB}€", "1{NB}234{NB}567,89{NB}£", "1{NB}234{NB}568{NB}JPY", "1{NB}234{NB}567,89{NB}CHF", "1{NB}234{NB}567,89{NB}SEK", "1{NB}234{NB}567,89{NB}kr", "1{NB}234{NB}567,89{NB}DKK", "1{NB}234{NB}567,89{NB}PLN", "1{NB}234{NB}567,89{NB}CZK", "1{NB}234{NB}567,89{NB}CAD", "1{NB}234{NB}567,89{NB}AUD", "1{NB}234{NB}567,89{NB}NZD", "1{NB}234{NB}567,89{NB}BRL", "1{NB}234{NB}567,89{NB}MXN", "1{NB}234{NB}567,89{NB}INR", "1{NB}234{NB}567,89{NB}CNY", "1{NB}234{NB}567,89{NB}XYZ"]),
            ("fi-FI", ["1{NB}234{NB}567,89{NB}$", "1{NB}234{NB}567,89{NB}€", "1{NB}234{NB}567,89{NB}£", "1{NB}234{NB}568{NB}¥", "1{NB}234{NB}567,89{NB}CHF", "1{NB}234{NB}567,89{NB}SEK", "1{NB}234{NB}567,89{NB}NOK", "1{NB}234{NB}567,89{NB}DKK", "1{NB}234{NB}567,89{NB}PLN", "1{NB}234{NB}567,89{NB}CZK", "1{NB}234{NB}567,89{NB}CAD", "1{NB}234{NB}567,89{NB}AUD", "1{NB}234{NB}567,89{NB}NZD", "1{NB}234{NB}567,89{NB}BRL", "1{NB}234{NB}567,89{NB}MXN", "1{NB}234{NB}567,89{NB}INR", "1{NB}234{NB}567,89{NB}CNY", "1{NB}234{NB}567,89{NB}XYZ"]),
            ("pl-PL", ["1{NB}234{NB}567,89{NB}USD", "1{NB}234{NB}567,89{NB}€", "1{NB}234{NB}567,89{NB}GBP", "1{NB}234{NB}568{NB}JPY", "1{NB}234{NB}567,89{NB}CHF", "1{NB}234{NB}567,89{NB}SEK", "1{NB}234{NB}567,89{NB}NOK", "1{NB}234{NB}567,89{NB}DKK", "1{NB}234{NB}567,89{NB}zł", "1{NB}234{NB}567,89{NB}CZK", "1{NB}234{NB}567,89{NB}CAD", "1{NB}234{NB}567,89{NB}AUD", "1{NB}234{NB}567,89{NB}NZD", "1{NB}234{NB}567,89{NB}R$", "1{NB}234{NB}567,89{NB}MXN", "1{NB}234{NB}567,89{NB}INR", "1{NB}234{NB}567,89{NB}CNY", "1{NB}234{NB}567,89{NB}XYZ"]),
            ("cs-CZ", ["1{NB}234{NB}567,89{NB}US$", "1{NB}234{NB}567,89{NB}€", "1{NB}234{NB}567,89{NB}£", "1{NB}234{NB}568{NB}JP¥", "1{NB}234{NB}567,89{NB}CHF", "1{NB}234{NB}567,89{NB}SEK", "1{NB}234{NB}567,89{NB}NOK", "1{NB}234{NB}567,89{NB}DKK", "1{NB}234{NB}567,89{NB}PLN", "1{NB}234{NB}567,89{NB}Kč", "1{NB}234{NB}567,89{NB}CA$", "1{NB}234{NB}567,89{NB}AU$", "1{NB}234{NB}567,89{NB}NZ$", "1{NB}234{NB}567,89{NB}R$", "1{NB}234{NB}567,89{NB}MX$", "1{NB}234{NB}567,89{NB}INR", "1{NB}234{NB}567,89{NB}CN¥", "1{NB}234{NB}567,89{NB}XYZ"]),
            ("ja-JP", ["$1,234,567.89", "€1,234,567.89", "£1,234,567.89", "￥1,234,568", "CHF{NB}1,234,567.89", "SEK{NB}1,234,567.89", "NOK{NB}1,234,567.89", "DKK{NB}1,234,567.89", "PLN{NB}1,234,567.89", "CZK{NB}1,234,567.89", "CA$1,234,567.89", "A$1,234,567.89", "NZ$1,234,567.89", "R$1,234,567.89", "MX$1,234,567.89", "₹1,234,567.89", "元{NB}1,234,567.89", "XYZ{NB}1,234,567.89"]),
        ];
        for (locale, row) in table {
            for (code, expected) in CODES.iter().zip(row) {
                assert_eq!(money(1_234_567.891, code, locale), x(expected), "{code} {locale}");
            }
        }
    }

    #[test]
    fn rounding_is_half_away_from_zero_on_the_decimal_digits() {
        let cases: &[(&str, &str)] = &[
            ("1.005", "$1.01"),
            ("-1.005", "-$1.01"),
            ("1.004999", "$1.00"),
            ("2.675", "$2.68"),
            ("0.125", "$0.13"),
            ("0.005", "$0.01"),
            ("0.0049", "$0.00"),
            ("-0.004", "$0.00"),
            ("0.995", "$1.00"),
            ("999.995", "$1,000.00"),
            ("99999.999", "$100,000.00"),
            ("12345678901234567890.125", "$12,345,678,901,234,567,890.13"),
            ("1e3", "$1,000.00"),
            ("1.5E-1", "$0.15"),
            ("125e-3", "$0.13"),
            ("0.000000000000000000001", "$0.00"),
        ];
        for (amount, expected) in cases {
            assert_eq!(money_str(amount, "USD", "en-US"), *expected, "{amount}");
        }
        // The f64 entry point rounds what `{}` prints, not the binary value
        // (1.005 is 1.00499999999999989… in binary).
        assert_eq!(money(1.005, "USD", "en-US"), "$1.01");
        assert_eq!(money(2.675, "USD", "en-US"), "$2.68");
        assert_eq!(money(1.015, "EUR", "de-DE"), x("1,02{NB}€"));
        assert_eq!(money(0.1 + 0.2, "USD", "en-US"), "$0.30");
        // Zero minor digits.
        let jpy: &[(&str, &str)] = &[
            ("0.5", "￥1"),
            ("0.49", "￥0"),
            ("-0.5", "-￥1"),
            ("1234.4", "￥1,234"),
            ("9.5", "￥10"),
            ("999999.5", "￥1,000,000"),
        ];
        for (amount, expected) in jpy {
            assert_eq!(money_str(amount, "JPY", "ja-JP"), *expected, "{amount}");
        }
    }

    #[test]
    fn currency_from_str_accepts_decimal_syntax() {
        let cases: &[(&str, &str)] = &[
            ("12.5", "$12.50"),
            (" 12.50 ", "$12.50"),
            ("\t-3\n", "-$3.00"),
            ("+3", "$3.00"),
            (".5", "$0.50"),
            ("5.", "$5.00"),
            ("-0", "$0.00"),
            ("007", "$7.00"),
            ("1e3", "$1,000.00"),
            ("1E+3", "$1,000.00"),
            ("2.5e-0", "$2.50"),
        ];
        for (amount, expected) in cases {
            assert_eq!(money_str(amount, "USD", "en-US"), *expected, "{amount:?}");
        }
    }

    #[test]
    fn currency_from_str_rejects_non_numbers() {
        for amount in [
            "",
            " ",
            "abc",
            "NaN",
            "nan",
            "inf",
            "-inf",
            "infinity",
            "1,5",
            "1.2.3",
            "e5",
            "1e",
            "1e+",
            "--1",
            "+-1",
            "0x10",
            "1 000",
            "$5",
            "5$",
            ".",
            "-",
            "1e400",
            "-1e999999999999",
        ] {
            assert_eq!(
                currency_from_str(amount, "USD", "en-US"),
                Err(FormatError::NotANumber(amount.to_owned())),
                "{amount:?}"
            );
        }
    }

    #[test]
    fn currency_rejects_nan_and_infinity() {
        for amount in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            assert!(matches!(
                currency(amount, "USD", "en-US"),
                Err(FormatError::NotANumber(_))
            ));
        }
        assert_eq!(
            currency(f64::MAX, "USD", "en-US").map(|s| s.len()),
            Ok(1 + 309 + 102 + 3)
        );
    }

    #[test]
    fn currency_codes() {
        assert_eq!(money(5.0, "usd", "en-US"), "$5.00");
        assert_eq!(money(5.0, " eur ", "en-US"), "€5.00");
        assert_eq!(money(5.0, "xyz", "en-US"), x("XYZ{NB}5.00"));
        for code in ["", "US", "USDX", "U$D", "12A", "€", "ÜSD"] {
            assert_eq!(
                currency(5.0, code, "en-US"),
                Err(FormatError::InvalidCurrencyCode(code.to_owned())),
                "{code:?}"
            );
        }
    }

    #[test]
    fn locale_matching_and_fallback() {
        let cases: &[(&str, &str)] = &[
            ("en-US", "€1,234.50"),
            ("de-DE", "1.234,50{NB}€"),
            ("DE-de", "1.234,50{NB}€"),
            ("de_DE", "1.234,50{NB}€"),
            ("de_at", "€{NB}1.234,50"),
            ("de-LU", "1.234,50{NB}€"),
            ("de", "1.234,50{NB}€"),
            ("pt", "€{NB}1.234,50"),
            ("pt-AO", "€{NB}1.234,50"),
            ("pt_pt", "1234,50{NB}€"),
            ("fr-Latn-CA", "1{NB}234,50{NB}€"),
            ("fr-BE", "1{NN}234,50{NB}€"),
            ("es-419", "1234,50{NB}€"),
            ("no", "1{NB}234,50{NB}€"),
            ("nn-NO", "1{NB}234,50{NB}€"),
            ("zh-CN", "€1,234.50"),
            ("", "€1,234.50"),
            ("garbage!!", "€1,234.50"),
            ("  en-GB  ", "€1,234.50"),
        ];
        for (locale, expected) in cases {
            assert_eq!(money(1234.5, "EUR", locale), x(expected), "{locale:?}");
        }
        assert_eq!(money(1234.5, "USD", "en_gb"), "US$1,234.50");
        assert_eq!(money(1234.5, "USD", "EN-us"), "$1,234.50");
    }

    #[test]
    fn grouping_respects_minimum_grouping_digits() {
        assert_eq!(group_digits("1", ",", 1), "1");
        assert_eq!(group_digits("123", ",", 1), "123");
        assert_eq!(group_digits("1234", ",", 1), "1,234");
        assert_eq!(group_digits("1234", ".", 2), "1234");
        assert_eq!(group_digits("12345", ".", 2), "12.345");
        assert_eq!(group_digits("1234567", ",", 1), "1,234,567");
        assert_eq!(group_digits("123456", "\u{202f}", 1), "123\u{202f}456");
    }

    // ---- dates ---------------------------------------------------------------

    #[test]
    fn date_examples_from_the_spec() {
        let cases: &[(&str, DateStyle, &str, &str)] = &[
            ("2026-11-28", DateStyle::Iso, "de-DE", "2026-11-28"),
            ("2026-11-28", DateStyle::Short, "en-US", "11/28/2026"),
            ("2026-11-28", DateStyle::Short, "en-GB", "28/11/2026"),
            ("2026-11-28", DateStyle::Short, "fr-FR", "28/11/2026"),
            ("2026-11-28", DateStyle::Short, "de-DE", "28.11.2026"),
            ("2026-11-28", DateStyle::Short, "nl-NL", "28-11-2026"),
            ("2026-11-28", DateStyle::Short, "sv-SE", "2026-11-28"),
            ("2026-11-28", DateStyle::Short, "ja-JP", "2026/11/28"),
            ("2026-11-28", DateStyle::Short, "en-CA", "2026-11-28"),
            ("2026-11-28", DateStyle::Medium, "en-US", "Nov 28, 2026"),
            ("2026-11-28", DateStyle::Medium, "en-GB", "28 Nov 2026"),
            ("2026-11-28", DateStyle::Medium, "de-DE", "28.11.2026"),
            ("2026-11-28", DateStyle::Medium, "fr-FR", "28 nov. 2026"),
            ("2026-11-28", DateStyle::Medium, "es-ES", "28 nov 2026"),
            ("2026-11-28", DateStyle::Long, "en-US", "November 28, 2026"),
            ("2026-11-28", DateStyle::Long, "en-GB", "28 November 2026"),
            ("2026-11-28", DateStyle::Long, "de-DE", "28. November 2026"),
            ("2026-11-28", DateStyle::Long, "fr-FR", "28 novembre 2026"),
            ("2026-11-28", DateStyle::Long, "es-ES", "28 de noviembre de 2026"),
            ("2026-11-28", DateStyle::Long, "it-IT", "28 novembre 2026"),
            ("2026-11-28", DateStyle::Long, "nl-NL", "28 november 2026"),
            ("2026-11-28", DateStyle::Long, "pt-BR", "28 de novembro de 2026"),
            ("2026-11-28", DateStyle::Long, "sv-SE", "28 november 2026"),
            ("2026-11-28", DateStyle::Long, "da-DK", "28. november 2026"),
            ("2026-11-28", DateStyle::Long, "nb-NO", "28. november 2026"),
            ("2026-11-28", DateStyle::Long, "fi-FI", "28. marraskuuta 2026"),
            ("2026-11-28", DateStyle::Long, "pl-PL", "28 listopada 2026"),
            ("2026-11-28", DateStyle::Long, "cs-CZ", "28. listopadu 2026"),
            ("2026-11-28", DateStyle::Long, "ja-JP", "2026年11月28日"),
        ];
        for &(input, style, locale, expected) in cases {
            assert_eq!(day(input, style, locale), expected, "{style:?} {locale}");
        }
    }

    /// Short, medium and long for every locale (medium and long as in
    /// CLDR 48; short is CLDR's short pattern with a four-digit year).
    #[test]
    fn date_styles_for_every_locale() {
        #[rustfmt::skip]
        let table: &[(&str, [&str; 3])] = &[
            ("en-US", ["11/28/2026", "Nov 28, 2026", "November 28, 2026"]),
            ("en-GB", ["28/11/2026", "28 Nov 2026", "28 November 2026"]),
            ("en-IE", ["28/11/2026", "28 Nov 2026", "28 November 2026"]),
            ("en-CA", ["2026-11-28", "Nov 28, 2026", "November 28, 2026"]),
            ("en-AU", ["28/11/2026", "28 Nov 2026", "28 November 2026"]),
            ("de-DE", ["28.11.2026", "28.11.2026", "28. November 2026"]),
            ("de-AT", ["28.11.2026", "28.11.2026", "28. November 2026"]),
            ("de-CH", ["28.11.2026", "28.11.2026", "28. November 2026"]),
            ("fr-FR", ["28/11/2026", "28 nov. 2026", "28 novembre 2026"]),
            ("fr-CA", ["2026-11-28", "28 nov. 2026", "28 novembre 2026"]),
            ("fr-CH", ["28.11.2026", "28 nov. 2026", "28 novembre 2026"]),
            ("es-ES", ["28/11/2026", "28 nov 2026", "28 de noviembre de 2026"]),
            ("es-MX", ["28/11/2026", "28 nov 2026", "28 de noviembre de 2026"]),
            ("it-IT", ["28/11/2026", "28 nov 2026", "28 novembre 2026"]),
            ("nl-NL", ["28-11-2026", "28 nov 2026", "28 november 2026"]),
            ("pt-BR", ["28/11/2026", "28 de nov. de 2026", "28 de novembro de 2026"]),
            ("pt-PT", ["28/11/2026", "28/11/2026", "28 de novembro de 2026"]),
            ("sv-SE", ["2026-11-28", "28 nov. 2026", "28 november 2026"]),
            ("da-DK", ["28.11.2026", "28. nov. 2026", "28. november 2026"]),
            ("nb-NO", ["28.11.2026", "28. nov. 2026", "28. november 2026"]),
            ("fi-FI", ["28.11.2026", "28.11.2026", "28. marraskuuta 2026"]),
            ("pl-PL", ["28.11.2026", "28 lis 2026", "28 listopada 2026"]),
            ("cs-CZ", ["28.11.2026", "28. 11. 2026", "28. listopadu 2026"]),
            ("ja-JP", ["2026/11/28", "2026/11/28", "2026年11月28日"]),
        ];
        for (locale, [short, medium, long]) in table {
            assert_eq!(day("2026-11-28", DateStyle::Short, locale), *short, "{locale}");
            assert_eq!(day("2026-11-28", DateStyle::Medium, locale), *medium, "{locale}");
            assert_eq!(day("2026-11-28", DateStyle::Long, locale), *long, "{locale}");
            assert_eq!(day("2026-11-28", DateStyle::Iso, locale), "2026-11-28", "{locale}");
        }
    }

    #[test]
    fn short_dates_pad_like_cldr() {
        let table: &[(&str, &str)] = &[
            ("en-US", "1/5/2026"),
            ("en-GB", "05/01/2026"),
            ("en-IE", "05/01/2026"),
            ("en-CA", "2026-01-05"),
            ("en-AU", "5/1/2026"),
            ("de-DE", "05.01.2026"),
            ("de-AT", "05.01.2026"),
            ("de-CH", "05.01.2026"),
            ("fr-FR", "05/01/2026"),
            ("fr-CA", "2026-01-05"),
            ("fr-CH", "05.01.2026"),
            ("es-ES", "5/1/2026"),
            ("es-MX", "05/01/2026"),
            ("it-IT", "05/01/2026"),
            ("nl-NL", "05-01-2026"),
            ("pt-BR", "05/01/2026"),
            ("pt-PT", "05/01/2026"),
            ("sv-SE", "2026-01-05"),
            ("da-DK", "05.01.2026"),
            ("nb-NO", "05.01.2026"),
            ("fi-FI", "5.1.2026"),
            ("pl-PL", "5.01.2026"),
            ("cs-CZ", "05.01.2026"),
            ("ja-JP", "2026/01/05"),
        ];
        for (locale, expected) in table {
            assert_eq!(day("2026-01-05", DateStyle::Short, locale), *expected, "{locale}");
        }
    }

    #[test]
    fn month_names_for_every_locale() {
        #[rustfmt::skip]
        let medium: &[(&str, [&str; 12])] = &[
            ("en-US", ["Jan 5, 2026", "Feb 5, 2026", "Mar 5, 2026", "Apr 5, 2026", "May 5, 2026", "Jun 5, 2026", "Jul 5, 2026", "Aug 5, 2026", "Sep 5, 2026", "Oct 5, 2026", "Nov 5, 2026", "Dec 5, 2026"]),
            ("en-GB", ["5 Jan 2026", "5 Feb 2026", "5 Mar 2026", "5 Apr 2026", "5 May 2026", "5 Jun 2026", "5 Jul 2026", "5 Aug 2026", "5 Sept 2026", "5 Oct 2026", "5 Nov 2026", "5 Dec 2026"]),
            ("en-IE", ["5 Jan 2026", "5 Feb 2026", "5 Mar 2026", "5 Apr 2026", "5 May 2026", "5 Jun 2026", "5 Jul 2026", "5 Aug 2026", "5 Sept 2026", "5 Oct 2026", "5 Nov 2026", "5 Dec 2026"]),
            ("en-CA", ["Jan 5, 2026", "Feb 5, 2026", "Mar 5, 2026", "Apr 5, 2026", "May 5, 2026", "Jun 5, 2026", "Jul 5, 2026", "Aug 5, 2026", "Sep 5, 2026", "Oct 5, 2026", "Nov 5, 2026", "Dec 5, 2026"]),
            ("en-AU", ["5 Jan 2026", "5 Feb 2026", "5 Mar 2026", "5 Apr 2026", "5 May 2026", "5 June 2026", "5 July 2026", "5 Aug 2026", "5 Sept 2026", "5 Oct 2026", "5 Nov 2026", "5 Dec 2026"]),
            ("de-DE", ["05.01.2026", "05.02.2026", "05.03.2026", "05.04.2026", "05.05.2026", "05.06.2026", "05.07.2026", "05.08.2026", "05.09.2026", "05.10.2026", "05.11.2026", "05.12.2026"]),
            ("de-AT", ["05.01.2026", "05.02.2026", "05.03.2026", "05.04.2026", "05.05.2026", "05.06.2026", "05.07.2026", "05.08.2026", "05.09.2026", "05.10.2026", "05.11.2026", "05.12.2026"]),
            ("de-CH", ["05.01.2026", "05.02.2026", "05.03.2026", "05.04.2026", "05.05.2026", "05.06.2026", "05.07.2026", "05.08.2026", "05.09.2026", "05.10.2026", "05.11.2026", "05.12.2026"]),
            ("fr-FR", ["5 janv. 2026", "5 févr. 2026", "5 mars 2026", "5 avr. 2026", "5 mai 2026", "5 juin 2026", "5 juil. 2026", "5 août 2026", "5 sept. 2026", "5 oct. 2026", "5 nov. 2026", "5 déc. 2026"]),
            ("fr-CA", ["5 janv. 2026", "5 févr. 2026", "5 mars 2026", "5 avr. 2026", "5 mai 2026", "5 juin 2026", "5 juill. 2026", "5 août 2026", "5 sept. 2026", "5 oct. 2026", "5 nov. 2026", "5 déc. 2026"]),
            ("fr-CH", ["5 janv. 2026", "5 févr. 2026", "5 mars 2026", "5 avr. 2026", "5 mai 2026", "5 juin 2026", "5 juil. 2026", "5 août 2026", "5 sept. 2026", "5 oct. 2026", "5 nov. 2026", "5 déc. 2026"]),
            ("es-ES", ["5 ene 2026", "5 feb 2026", "5 mar 2026", "5 abr 2026", "5 may 2026", "5 jun 2026", "5 jul 2026", "5 ago 2026", "5 sept 2026", "5 oct 2026", "5 nov 2026", "5 dic 2026"]),
            ("es-MX", ["5 ene 2026", "5 feb 2026", "5 mar 2026", "5 abr 2026", "5 may 2026", "5 jun 2026", "5 jul 2026", "5 ago 2026", "5 sep 2026", "5 oct 2026", "5 nov 2026", "5 dic 2026"]),
            ("it-IT", ["5 gen 2026", "5 feb 2026", "5 mar 2026", "5 apr 2026", "5 mag 2026", "5 giu 2026", "5 lug 2026", "5 ago 2026", "5 set 2026", "5 ott 2026", "5 nov 2026", "5 dic 2026"]),
            ("nl-NL", ["5 jan 2026", "5 feb 2026", "5 mrt 2026", "5 apr 2026", "5 mei 2026", "5 jun 2026", "5 jul 2026", "5 aug 2026", "5 sep 2026", "5 okt 2026", "5 nov 2026", "5 dec 2026"]),
            ("pt-BR", ["5 de jan. de 2026", "5 de fev. de 2026", "5 de mar. de 2026", "5 de abr. de 2026", "5 de mai. de 2026", "5 de jun. de 2026", "5 de jul. de 2026", "5 de ago. de 2026", "5 de set. de 2026", "5 de out. de 2026", "5 de nov. de 2026", "5 de dez. de 2026"]),
            ("pt-PT", ["05/01/2026", "05/02/2026", "05/03/2026", "05/04/2026", "05/05/2026", "05/06/2026", "05/07/2026", "05/08/2026", "05/09/2026", "05/10/2026", "05/11/2026", "05/12/2026"]),
            ("sv-SE", ["5 jan. 2026", "5 feb. 2026", "5 mars 2026", "5 apr. 2026", "5 maj 2026", "5 juni 2026", "5 juli 2026", "5 aug. 2026", "5 sep. 2026", "5 okt. 2026", "5 nov. 2026", "5 dec. 2026"]),
            ("da-DK", ["5. jan. 2026", "5. feb. 2026", "5. mar. 2026", "5. apr. 2026", "5. maj 2026", "5. jun. 2026", "5. jul. 2026", "5. aug. 2026", "5. sep. 2026", "5. okt. 2026", "5. nov. 2026", "5. dec. 2026"]),
            ("nb-NO", ["5. jan. 2026", "5. feb. 2026", "5. mars 2026", "5. apr. 2026", "5. mai 2026", "5. juni 2026", "5. juli 2026", "5. aug. 2026", "5. sep. 2026", "5. okt. 2026", "5. nov. 2026", "5. des. 2026"]),
            ("fi-FI", ["5.1.2026", "5.2.2026", "5.3.2026", "5.4.2026", "5.5.2026", "5.6.2026", "5.7.2026", "5.8.2026", "5.9.2026", "5.10.2026", "5.11.2026", "5.12.2026"]),
            ("pl-PL", ["5 sty 2026", "5 lut 2026", "5 mar 2026", "5 kwi 2026", "5 maj 2026", "5 cze 2026", "5 lip 2026", "5 sie 2026", "5 wrz 2026", "5 paź 2026", "5 lis 2026", "5 gru 2026"]),
            ("cs-CZ", ["5. 1. 2026", "5. 2. 2026", "5. 3. 2026", "5. 4. 2026", "5. 5. 2026", "5. 6. 2026", "5. 7. 2026", "5. 8. 2026", "5. 9. 2026", "5. 10. 2026", "5. 11. 2026", "5. 12. 2026"]),
            ("ja-JP", ["2026/01/05", "2026/02/05", "2026/03/05", "2026/04/05", "2026/05/05", "2026/06/05", "2026/07/05", "2026/08/05", "2026/09/05", "2026/10/05", "2026/11/05", "2026/12/05"]),
        ];
        #[rustfmt::skip]
        let long: &[(&str, [&str; 12])] = &[
            ("en-US", ["January 5, 2026", "February 5, 2026", "March 5, 2026", "April 5, 2026", "May 5, 2026", "June 5, 2026", "July 5, 2026", "August 5, 2026", "September 5, 2026", "October 5, 2026", "November 5, 2026", "December 5, 2026"]),
            ("en-GB", ["5 January 2026", "5 February 2026", "5 March 2026", "5 April 2026", "5 May 2026", "5 June 2026", "5 July 2026", "5 August 2026", "5 September 2026", "5 October 2026", "5 November 2026", "5 December 2026"]),
            ("en-IE", ["5 January 2026", "5 February 2026", "5 March 2026", "5 April 2026", "5 May 2026", "5 June 2026", "5 July 2026", "5 August 2026", "5 September 2026", "5 October 2026", "5 November 2026", "5 December 2026"]),
            ("en-CA", ["January 5, 2026", "February 5, 2026", "March 5, 2026", "April 5, 2026", "May 5, 2026", "June 5, 2026", "July 5, 2026", "August 5, 2026", "September 5, 2026", "October 5, 2026", "November 5, 2026", "December 5, 2026"]),
            ("en-AU", ["5 January 2026", "5 February 2026", "5 March 2026", "5 April 2026", "5 May 2026", "5 June 2026", "5 July 2026", "5 August 2026", "5 September 2026", "5 October 2026", "5 November 2026", "5 December 2026"]),
            ("de-DE", ["5. Januar 2026", "5. Februar 2026", "5. März 2026", "5. April 2026", "5. Mai 2026", "5. Juni 2026", "5. Juli 2026", "5. August 2026", "5. September 2026", "5. Oktober 2026", "5. November 2026", "5. Dezember 2026"]),
            ("de-AT", ["5. Jänner 2026", "5. Februar 2026", "5. März 2026", "5. April 2026", "5. Mai 2026", "5. Juni 2026", "5. Juli 2026", "5. August 2026", "5. September 2026", "5. Oktober 2026", "5. November 2026", "5. Dezember 2026"]),
            ("de-CH", ["5. Januar 2026", "5. Februar 2026", "5. März 2026", "5. April 2026", "5. Mai 2026", "5. Juni 2026", "5. Juli 2026", "5. August 2026", "5. September 2026", "5. Oktober 2026", "5. November 2026", "5. Dezember 2026"]),
            ("fr-FR", ["5 janvier 2026", "5 février 2026", "5 mars 2026", "5 avril 2026", "5 mai 2026", "5 juin 2026", "5 juillet 2026", "5 août 2026", "5 septembre 2026", "5 octobre 2026", "5 novembre 2026", "5 décembre 2026"]),
            ("fr-CA", ["5 janvier 2026", "5 février 2026", "5 mars 2026", "5 avril 2026", "5 mai 2026", "5 juin 2026", "5 juillet 2026", "5 août 2026", "5 septembre 2026", "5 octobre 2026", "5 novembre 2026", "5 décembre 2026"]),
            ("fr-CH", ["5 janvier 2026", "5 février 2026", "5 mars 2026", "5 avril 2026", "5 mai 2026", "5 juin 2026", "5 juillet 2026", "5 août 2026", "5 septembre 2026", "5 octobre 2026", "5 novembre 2026", "5 décembre 2026"]),
            ("es-ES", ["5 de enero de 2026", "5 de febrero de 2026", "5 de marzo de 2026", "5 de abril de 2026", "5 de mayo de 2026", "5 de junio de 2026", "5 de julio de 2026", "5 de agosto de 2026", "5 de septiembre de 2026", "5 de octubre de 2026", "5 de noviembre de 2026", "5 de diciembre de 2026"]),
            ("es-MX", ["5 de enero de 2026", "5 de febrero de 2026", "5 de marzo de 2026", "5 de abril de 2026", "5 de mayo de 2026", "5 de junio de 2026", "5 de julio de 2026", "5 de agosto de 2026", "5 de septiembre de 2026", "5 de octubre de 2026", "5 de noviembre de 2026", "5 de diciembre de 2026"]),
            ("it-IT", ["5 gennaio 2026", "5 febbraio 2026", "5 marzo 2026", "5 aprile 2026", "5 maggio 2026", "5 giugno 2026", "5 luglio 2026", "5 agosto 2026", "5 settembre 2026", "5 ottobre 2026", "5 novembre 2026", "5 dicembre 2026"]),
            ("nl-NL", ["5 januari 2026", "5 februari 2026", "5 maart 2026", "5 april 2026", "5 mei 2026", "5 juni 2026", "5 juli 2026", "5 augustus 2026", "5 september 2026", "5 oktober 2026", "5 november 2026", "5 december 2026"]),
            ("pt-BR", ["5 de janeiro de 2026", "5 de fevereiro de 2026", "5 de março de 2026", "5 de abril de 2026", "5 de maio de 2026", "5 de junho de 2026", "5 de julho de 2026", "5 de agosto de 2026", "5 de setembro de 2026", "5 de outubro de 2026", "5 de novembro de 2026", "5 de dezembro de 2026"]),
            ("pt-PT", ["5 de janeiro de 2026", "5 de fevereiro de 2026", "5 de março de 2026", "5 de abril de 2026", "5 de maio de 2026", "5 de junho de 2026", "5 de julho de 2026", "5 de agosto de 2026", "5 de setembro de 2026", "5 de outubro de 2026", "5 de novembro de 2026", "5 de dezembro de 2026"]),
            ("sv-SE", ["5 januari 2026", "5 februari 2026", "5 mars 2026", "5 april 2026", "5 maj 2026", "5 juni 2026", "5 juli 2026", "5 augusti 2026", "5 september 2026", "5 oktober 2026", "5 november 2026", "5 december 2026"]),
            ("da-DK", ["5. januar 2026", "5. februar 2026", "5. marts 2026", "5. april 2026", "5. maj 2026", "5. juni 2026", "5. juli 2026", "5. august 2026", "5. september 2026", "5. oktober 2026", "5. november 2026", "5. december 2026"]),
            ("nb-NO", ["5. januar 2026", "5. februar 2026", "5. mars 2026", "5. april 2026", "5. mai 2026", "5. juni 2026", "5. juli 2026", "5. august 2026", "5. september 2026", "5. oktober 2026", "5. november 2026", "5. desember 2026"]),
            ("fi-FI", ["5. tammikuuta 2026", "5. helmikuuta 2026", "5. maaliskuuta 2026", "5. huhtikuuta 2026", "5. toukokuuta 2026", "5. kesäkuuta 2026", "5. heinäkuuta 2026", "5. elokuuta 2026", "5. syyskuuta 2026", "5. lokakuuta 2026", "5. marraskuuta 2026", "5. joulukuuta 2026"]),
            ("pl-PL", ["5 stycznia 2026", "5 lutego 2026", "5 marca 2026", "5 kwietnia 2026", "5 maja 2026", "5 czerwca 2026", "5 lipca 2026", "5 sierpnia 2026", "5 września 2026", "5 października 2026", "5 listopada 2026", "5 grudnia 2026"]),
            ("cs-CZ", ["5. ledna 2026", "5. února 2026", "5. března 2026", "5. dubna 2026", "5. května 2026", "5. června 2026", "5. července 2026", "5. srpna 2026", "5. září 2026", "5. října 2026", "5. listopadu 2026", "5. prosince 2026"]),
            ("ja-JP", ["2026年1月5日", "2026年2月5日", "2026年3月5日", "2026年4月5日", "2026年5月5日", "2026年6月5日", "2026年7月5日", "2026年8月5日", "2026年9月5日", "2026年10月5日", "2026年11月5日", "2026年12月5日"]),
        ];
        for (table, style) in [(medium, DateStyle::Medium), (long, DateStyle::Long)] {
            for (locale, months) in table {
                for (i, expected) in months.iter().enumerate() {
                    let input = format!("2026-{:02}-05", i + 1);
                    assert_eq!(day(&input, style, locale), *expected, "{style:?} {locale}");
                }
            }
        }
    }

    #[test]
    fn timestamps_use_their_own_offset() {
        assert_eq!(day("2026-11-28T14:30:00Z", DateStyle::Iso, "en-US"), "2026-11-28");
        assert_eq!(day("2026-11-28T14:30:00+01:00", DateStyle::Iso, "en-US"), "2026-11-28");
        // 23:30 at -05:00 is already Nov 29 in UTC: the written date wins.
        assert_eq!(
            day("2026-11-28T23:30:00-05:00", DateStyle::Long, "en-US"),
            "November 28, 2026"
        );
        assert_eq!(
            day("2026-11-28T00:30:00+09:00", DateStyle::Short, "ja-JP"),
            "2026/11/28"
        );
        assert_eq!(
            day("2026-11-28T14:30:00.123456Z", DateStyle::Long, "de-DE"),
            "28. November 2026"
        );
        assert_eq!(day("2026-11-28t14:30:00z", DateStyle::Iso, "en-US"), "2026-11-28");
        assert_eq!(day(" 2026-11-28 ", DateStyle::Iso, "en-US"), "2026-11-28");
        // RFC 3339 (section 5.6, note) allows a space instead of the `T`.
        assert_eq!(day("2026-11-28 14:30:00Z", DateStyle::Iso, "en-US"), "2026-11-28");
        assert_eq!(day("2024-02-29", DateStyle::Long, "en-US"), "February 29, 2024");
        assert_eq!(day("0999-01-05", DateStyle::Iso, "en-US"), "0999-01-05");
    }

    #[test]
    fn invalid_dates_are_rejected() {
        for input in [
            "",
            "tomorrow",
            "2026-11-31",
            "2025-02-29",
            "2026-13-01",
            "2026-1-5",
            "28.11.2026",
            "11/28/2026",
            "2026-11-28T14:30",
            "2026-11-28T14:30:00",
            "2026-11-28T25:00:00Z",
            "2026-11-28Z",
            "20261128",
            "2026-11-28x",
        ] {
            assert_eq!(
                date(input, DateStyle::Iso, "en-US"),
                Err(FormatError::NotADate(input.to_owned())),
                "{input:?}"
            );
        }
    }

    #[test]
    fn date_style_from_str() {
        assert_eq!("short".parse(), Ok(DateStyle::Short));
        assert_eq!("medium".parse(), Ok(DateStyle::Medium));
        assert_eq!("long".parse(), Ok(DateStyle::Long));
        assert_eq!("iso".parse(), Ok(DateStyle::Iso));
        assert_eq!(" LONG ".parse(), Ok(DateStyle::Long));
        let err = "full".parse::<DateStyle>();
        assert_eq!(err, Err(FormatError::UnknownDateStyle("full".to_owned())));
        let message = err.map_err(|e| e.to_string()).err().unwrap_or_default();
        for allowed in ["short", "medium", "long", "iso"] {
            assert!(message.contains(allowed), "{message}");
        }
    }

    #[test]
    fn error_messages_name_the_input() {
        let not_a_date = FormatError::NotADate("soon".into()).to_string();
        assert!(not_a_date.contains("\"soon\"") && not_a_date.contains("YYYY-MM-DD"));
        let nan = FormatError::NotANumber("abc".into()).to_string();
        assert!(nan.contains("\"abc\""));
        let code = FormatError::InvalidCurrencyCode("US".into()).to_string();
        assert!(code.contains("\"US\""));
    }

    // ---- case --------------------------------------------------------------

    #[test]
    fn upper_and_lower_are_unicode_aware() {
        assert_eq!(upper("straße"), "STRASSE");
        assert_eq!(upper("élan ça"), "ÉLAN ÇA");
        assert_eq!(upper("i"), "I");
        assert_eq!(lower("ÉCOLE"), "école");
        assert_eq!(lower("İstanbul"), "i\u{307}stanbul");
        assert_eq!(lower("ΟΔΟΣ"), "οδος");
        assert_eq!(upper(""), "");
        assert_eq!(lower(""), "");
        assert_eq!(upper("\u{E000}1\u{E001}"), "\u{E000}1\u{E001}");
    }

    #[test]
    fn capitalize_follows_liquid() {
        let cases: &[(&str, &str)] = &[
            ("mARY ann", "Mary ann"),
            ("mary", "Mary"),
            ("MARY", "Mary"),
            ("", ""),
            ("a", "A"),
            (" mary", " mary"),
            ("1st place", "1st place"),
            ("élodie", "Élodie"),
            ("ÉLODIE", "Élodie"),
            ("ßa", "Ssa"),
            ("straße", "Straße"),
            ("STRASSE", "Strasse"),
            ("İSTANBUL", "İstanbul"),
            ("istanbul", "Istanbul"),
            ("ǆungla", "ǅungla"),
            ("ﬁne", "Fine"),
            ("ΟΔΟΣ", "Οδος"),
            ("ΑΣ", "Ας"),
            ("日本", "日本"),
        ];
        for (input, expected) in cases {
            assert_eq!(capitalize(input), *expected, "{input:?}");
        }
    }
}
