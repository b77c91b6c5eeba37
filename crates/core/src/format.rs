//! Formatting helpers of the personalization language: currency and dates by locale, and case.
//! The locale data covers the locales Tessera's users send in most; an unknown region falls back to
//! its language, an unknown language to `en-US`.

use std::str::FromStr;

/// How a date is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DateStyle {
    /// Numeric: `11/28/2026`, `28.11.2026`.
    Short,
    /// Abbreviated month: `Nov 28, 2026`.
    Medium,
    /// Full month: `November 28, 2026`.
    Long,
    /// `2026-11-28`.
    Iso,
}

/// Why a value could not be formatted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FormatError {
    /// Not a number.
    #[error("\"{0}\" is not a number")]
    NotANumber(String),
    /// Not an ISO 8601 date.
    #[error("\"{0}\" is not a date like 2026-11-28 or 2026-11-28T14:30:00Z")]
    NotADate(String),
    /// Not a date style.
    #[error("unknown date style \"{0}\": use \"short\", \"medium\", \"long\" or \"iso\"")]
    UnknownDateStyle(String),
}

impl FromStr for DateStyle {
    type Err = FormatError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "short" => Self::Short,
            "medium" => Self::Medium,
            "long" => Self::Long,
            "iso" => Self::Iso,
            other => return Err(FormatError::UnknownDateStyle(other.to_owned())),
        })
    }
}

struct Locale {
    tag: &'static str,
    decimal: char,
    group: &'static str,
    /// Symbol after the amount, separated by a no-break space.
    suffix: bool,
    short: fn(u32, u32, i32) -> String,
    medium: fn(&str, u32, i32) -> String,
    long: fn(&str, u32, i32) -> String,
    months: [&'static str; 12],
}

const EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DE: [&str; 12] = [
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
];
const FR: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];
const ES: [&str; 12] = [
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
];
const IT: [&str; 12] = [
    "gennaio",
    "febbraio",
    "marzo",
    "aprile",
    "maggio",
    "giugno",
    "luglio",
    "agosto",
    "settembre",
    "ottobre",
    "novembre",
    "dicembre",
];
const NL: [&str; 12] = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
];
const SV: [&str; 12] = [
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
];
const PT: [&str; 12] = [
    "janeiro",
    "fevereiro",
    "março",
    "abril",
    "maio",
    "junho",
    "julho",
    "agosto",
    "setembro",
    "outubro",
    "novembro",
    "dezembro",
];
const JA: [&str; 12] = [
    "1月", "2月", "3月", "4月", "5月", "6月", "7月", "8月", "9月", "10月", "11月", "12月",
];

fn abbr(month: &str) -> String {
    month.chars().take(3).collect()
}

static LOCALES: &[Locale] = &[
    Locale {
        tag: "en-US",
        decimal: '.',
        group: ",",
        suffix: false,
        short: |d, m, y| format!("{m}/{d}/{y}"),
        medium: |m, d, y| format!("{} {d}, {y}", abbr(m)),
        long: |m, d, y| format!("{m} {d}, {y}"),
        months: EN,
    },
    Locale {
        tag: "en-GB",
        decimal: '.',
        group: ",",
        suffix: false,
        short: |d, m, y| format!("{d:02}/{m:02}/{y}"),
        medium: |m, d, y| format!("{d} {} {y}", abbr(m)),
        long: |m, d, y| format!("{d} {m} {y}"),
        months: EN,
    },
    Locale {
        tag: "de-DE",
        decimal: ',',
        group: ".",
        suffix: true,
        short: |d, m, y| format!("{d:02}.{m:02}.{y}"),
        medium: |_, _, _| String::new(),
        long: |m, d, y| format!("{d}. {m} {y}"),
        months: DE,
    },
    Locale {
        tag: "fr-FR",
        decimal: ',',
        group: "\u{202f}",
        suffix: true,
        short: |d, m, y| format!("{d:02}/{m:02}/{y}"),
        medium: |m, d, y| format!("{d} {}. {y}", abbr(m)),
        long: |m, d, y| format!("{d} {m} {y}"),
        months: FR,
    },
    Locale {
        tag: "es-ES",
        decimal: ',',
        group: ".",
        suffix: true,
        short: |d, m, y| format!("{d}/{m}/{y}"),
        medium: |m, d, y| format!("{d} {} {y}", abbr(m)),
        long: |m, d, y| format!("{d} de {m} de {y}"),
        months: ES,
    },
    Locale {
        tag: "it-IT",
        decimal: ',',
        group: ".",
        suffix: true,
        short: |d, m, y| format!("{d:02}/{m:02}/{y}"),
        medium: |m, d, y| format!("{d} {} {y}", abbr(m)),
        long: |m, d, y| format!("{d} {m} {y}"),
        months: IT,
    },
    Locale {
        tag: "nl-NL",
        decimal: ',',
        group: ".",
        suffix: false,
        short: |d, m, y| format!("{d:02}-{m:02}-{y}"),
        medium: |m, d, y| format!("{d} {} {y}", abbr(m)),
        long: |m, d, y| format!("{d} {m} {y}"),
        months: NL,
    },
    Locale {
        tag: "sv-SE",
        decimal: ',',
        group: "\u{a0}",
        suffix: true,
        short: |d, m, y| format!("{y}-{m:02}-{d:02}"),
        medium: |m, d, y| format!("{d} {} {y}", abbr(m)),
        long: |m, d, y| format!("{d} {m} {y}"),
        months: SV,
    },
    Locale {
        tag: "pt-BR",
        decimal: ',',
        group: ".",
        suffix: false,
        short: |d, m, y| format!("{d:02}/{m:02}/{y}"),
        medium: |m, d, y| format!("{d} de {} de {y}", abbr(m)),
        long: |m, d, y| format!("{d} de {m} de {y}"),
        months: PT,
    },
    Locale {
        tag: "ja-JP",
        decimal: '.',
        group: ",",
        suffix: false,
        short: |d, m, y| format!("{y}/{m:02}/{d:02}"),
        medium: |_, _, _| String::new(),
        long: |_, _, _| String::new(),
        months: JA,
    },
];

fn locale(tag: &str) -> &'static Locale {
    let tag = tag.trim().replace('_', "-");
    let lang = tag.split('-').next().unwrap_or_default().to_ascii_lowercase();
    LOCALES
        .iter()
        .find(|l| l.tag.eq_ignore_ascii_case(&tag))
        .or_else(|| LOCALES.iter().find(|l| l.tag.split('-').next() == Some(lang.as_str())))
        .unwrap_or(&LOCALES[0])
}

fn currency_info(code: &str, locale_tag: &str) -> (String, usize) {
    let code = code.trim().to_ascii_uppercase();
    let us = locale_tag == "en-US";
    let symbol = match code.as_str() {
        "USD" if us => "$",
        "USD" => "US$",
        "EUR" => "€",
        "GBP" => "£",
        "JPY" if locale_tag == "ja-JP" => "￥",
        "JPY" => "¥",
        "SEK" | "NOK" | "DKK" if locale_tag.starts_with("sv") => "kr",
        "CAD" => "CA$",
        "AUD" => "A$",
        "BRL" => "R$",
        "INR" => "₹",
        _ => code.as_str(),
    }
    .to_owned();
    let digits = if matches!(code.as_str(), "JPY" | "KRW" | "CLP" | "ISK") {
        0
    } else {
        2
    };
    (symbol, digits)
}

/// Formats an amount given as text (`"12.5"`, `"1e3"`) in a currency for a locale.
///
/// # Errors
/// [`FormatError::NotANumber`] for text that is not a finite number.
pub fn currency_from_str(amount: &str, currency_code: &str, locale_tag: &str) -> Result<String, FormatError> {
    let trimmed = amount.trim();
    let value: f64 = trimmed
        .parse()
        .map_err(|_| FormatError::NotANumber(amount.to_owned()))?;
    if !value.is_finite() || trimmed.is_empty() {
        return Err(FormatError::NotANumber(amount.to_owned()));
    }
    let loc = locale(locale_tag);
    let (symbol, digits) = currency_info(currency_code, loc.tag);
    let (negative, int_part, frac_part) = round_decimal(trimmed, value, digits);
    let mut grouped = String::new();
    for (i, c) in int_part.chars().enumerate() {
        if i > 0 && (int_part.len() - i) % 3 == 0 {
            grouped.push_str(loc.group);
        }
        grouped.push(c);
    }
    let number = if digits > 0 {
        format!("{grouped}{}{frac_part}", loc.decimal)
    } else {
        grouped
    };
    let sign = if negative { "-" } else { "" };
    Ok(if loc.suffix {
        format!("{sign}{number}\u{a0}{symbol}")
    } else if loc.tag == "nl-NL" || (symbol.len() > 1 && symbol.chars().all(|c| c.is_ascii_uppercase())) {
        format!("{symbol}\u{a0}{sign}{number}")
    } else {
        format!("{sign}{symbol}{number}")
    })
}

/// Formats an amount in a currency for a locale.
///
/// # Errors
/// [`FormatError::NotANumber`] for NaN or infinity.
pub fn currency(amount: f64, currency_code: &str, locale_tag: &str) -> Result<String, FormatError> {
    currency_from_str(&amount.to_string(), currency_code, locale_tag)
}

/// Rounds half away from zero on the decimal digits as written; returns sign, integer digits and
/// `digits` fraction digits.
fn round_decimal(text: &str, value: f64, digits: usize) -> (bool, String, String) {
    let plain = if text.contains(['e', 'E']) {
        format!("{value}")
    } else {
        text.trim_start_matches('+').to_owned()
    };
    let negative = plain.starts_with('-');
    let unsigned = plain.trim_start_matches('-');
    let (int, frac) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let mut all: Vec<u8> = int
        .bytes()
        .chain(frac.bytes().chain(std::iter::repeat(b'0')).take(digits))
        .map(|b| b - b'0')
        .collect();
    if frac.as_bytes().get(digits).is_some_and(|d| *d >= b'5') {
        let mut i = all.len();
        loop {
            if i == 0 {
                all.insert(0, 1);
                break;
            }
            i -= 1;
            if all[i] == 9 {
                all[i] = 0;
            } else {
                all[i] += 1;
                break;
            }
        }
    }
    let split = all.len() - digits;
    let int_digits: String = all[..split].iter().map(|d| char::from(b'0' + d)).collect();
    let int_digits = int_digits.trim_start_matches('0');
    let int_digits = if int_digits.is_empty() {
        "0".to_owned()
    } else {
        int_digits.to_owned()
    };
    let frac_digits: String = all[split..].iter().map(|d| char::from(b'0' + d)).collect();
    let zero = int_digits == "0" && frac_digits.bytes().all(|b| b == b'0');
    (negative && !zero, int_digits, frac_digits)
}

/// Formats an ISO 8601 date (`2026-11-28`) or RFC 3339 timestamp (the date as written in its own
/// offset) in a style for a locale.
///
/// # Errors
/// [`FormatError::NotADate`] for anything else.
pub fn date(input: &str, style: DateStyle, locale_tag: &str) -> Result<String, FormatError> {
    let trimmed = input.trim();
    let date_part = trimmed
        .get(..10)
        .ok_or_else(|| FormatError::NotADate(input.to_owned()))?;
    let rest = &trimmed[10..];
    let valid_rest =
        rest.is_empty() || time::OffsetDateTime::parse(trimmed, &time::format_description::well_known::Rfc3339).is_ok();
    let parsed = time::Date::parse(date_part, time::macros::format_description!("[year]-[month]-[day]"));
    let (Ok(d), true) = (parsed, valid_rest) else {
        return Err(FormatError::NotADate(input.to_owned()));
    };
    let (y, m, day) = (d.year(), u32::from(u8::from(d.month())), u32::from(d.day()));
    let loc = locale(locale_tag);
    let month = loc.months[(m - 1) as usize];
    Ok(match (style, loc.tag) {
        (DateStyle::Iso, _) => format!("{y:04}-{m:02}-{day:02}"),
        (DateStyle::Short, _) | (DateStyle::Medium, "de-DE") => (loc.short)(day, m, y),
        (DateStyle::Medium | DateStyle::Long, "ja-JP") => format!("{y}年{m}月{day}日"),
        (DateStyle::Medium, _) => (loc.medium)(month, day, y),
        (DateStyle::Long, _) => (loc.long)(month, day, y),
    })
}

/// Upper case (Unicode).
#[must_use]
pub fn upper(s: &str) -> String {
    s.to_uppercase()
}

/// Lower case (Unicode).
#[must_use]
pub fn lower(s: &str) -> String {
    s.to_lowercase()
}

/// First character upper case, the rest lower case (Liquid's `capitalize`).
#[must_use]
pub fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map_or_else(String::new, |first| {
        first
            .to_uppercase()
            .chain(chars.as_str().to_lowercase().chars())
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn currency_by_locale() {
        let cases = [
            ("1234.5", "USD", "en-US", "$1,234.50"),
            ("1234.5", "EUR", "de-DE", "1.234,50\u{a0}€"),
            ("1234.5", "EUR", "fr-FR", "1\u{202f}234,50\u{a0}€"),
            ("1234.5", "EUR", "nl-NL", "€\u{a0}1.234,50"),
            ("1234.5", "GBP", "en-GB", "£1,234.50"),
            ("1234.5", "SEK", "sv-SE", "1\u{a0}234,50\u{a0}kr"),
            ("1234.5", "JPY", "ja-JP", "￥1,235"),
            ("-5", "USD", "en-US", "-$5.00"),
            ("-5", "EUR", "de_de", "-5,00\u{a0}€"),
            ("0", "USD", "en-US", "$0.00"),
            ("1.005", "USD", "en-US", "$1.01"),
            ("999.995", "USD", "en-US", "$1,000.00"),
            ("1234567.891", "USD", "en-US", "$1,234,567.89"),
            ("12", "USD", "de-AT", "12,00\u{a0}US$"),
            ("12.5", "XYZ", "en-US", "XYZ\u{a0}12.50"),
            ("12.5", "EUR", "xx-YY", "€12.50"),
            ("1e3", "USD", "en-US", "$1,000.00"),
        ];
        for (amount, code, loc, expected) in cases {
            assert_eq!(
                currency_from_str(amount, code, loc).as_deref(),
                Ok(expected),
                "{amount} {code} {loc}"
            );
        }
        assert!(matches!(
            currency_from_str("abc", "USD", "en-US"),
            Err(FormatError::NotANumber(_))
        ));
        assert!(matches!(
            currency_from_str("", "USD", "en-US"),
            Err(FormatError::NotANumber(_))
        ));
        assert!(matches!(
            currency(f64::NAN, "USD", "en-US"),
            Err(FormatError::NotANumber(_))
        ));
        assert_eq!(currency(19.9, "USD", "en-US").as_deref(), Ok("$19.90"));
    }

    #[test]
    fn dates_by_style_and_locale() {
        let cases = [
            ("2026-11-28", DateStyle::Iso, "en-US", "2026-11-28"),
            ("2026-11-28", DateStyle::Short, "en-US", "11/28/2026"),
            ("2026-11-28", DateStyle::Medium, "en-US", "Nov 28, 2026"),
            ("2026-11-28", DateStyle::Long, "en-US", "November 28, 2026"),
            (
                "2026-11-28T23:30:00-05:00",
                DateStyle::Long,
                "en-GB",
                "28 November 2026",
            ),
            ("2026-03-01", DateStyle::Long, "de-DE", "1. März 2026"),
            ("2026-03-01", DateStyle::Short, "de-DE", "01.03.2026"),
            ("2026-11-28", DateStyle::Long, "fr-FR", "28 novembre 2026"),
            ("2026-11-28", DateStyle::Long, "es-ES", "28 de noviembre de 2026"),
            ("2026-11-28", DateStyle::Long, "ja-JP", "2026年11月28日"),
            ("2026-11-28", DateStyle::Short, "sv-SE", "2026-11-28"),
        ];
        for (input, style, loc, expected) in cases {
            assert_eq!(
                date(input, style, loc).as_deref(),
                Ok(expected),
                "{input} {style:?} {loc}"
            );
        }
        for bad in ["", "28/11/2026", "2026-13-01", "2026-11-28T25:00:00Z", "tomorrow"] {
            assert!(
                matches!(date(bad, DateStyle::Long, "en-US"), Err(FormatError::NotADate(_))),
                "{bad}"
            );
        }
        assert!(matches!(
            "weekly".parse::<DateStyle>(),
            Err(FormatError::UnknownDateStyle(_))
        ));
    }

    #[test]
    fn case_helpers_are_unicode_aware() {
        assert_eq!(capitalize("mARY ann"), "Mary ann");
        assert_eq!(capitalize("élise"), "Élise");
        assert_eq!(upper("straße"), "STRASSE");
        assert_eq!(lower("ÉCOLE"), "école");
        assert_eq!(capitalize(""), "");
    }
}
