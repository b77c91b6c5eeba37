//! Locale data after CLDR for the supported locales: separators, currency symbol placement and
//! symbols, month names and date patterns, and how a locale tag finds its entry (see the
//! fallbacks in [`super`]).

/// One field or literal of a date pattern.
#[derive(Clone, Copy)]
pub(super) enum Piece {
    /// Day of month, no padding.
    Day,
    /// Day of month, two digits.
    Day2,
    /// Month number, no padding.
    Month,
    /// Month number, two digits.
    Month2,
    /// Full year.
    Year,
    /// Abbreviated month name.
    Abbr,
    /// Full month name (in the form used with a day number).
    Wide,
    /// Literal text.
    Lit(&'static str),
}

use Piece::{Abbr, Day, Day2, Lit, Month, Month2, Wide, Year};

const M_D_Y_SLASH: &[Piece] = &[Month, Lit("/"), Day, Lit("/"), Year];
const D_M_Y_SLASH: &[Piece] = &[Day, Lit("/"), Month, Lit("/"), Year];
const DD_MM_Y_SLASH: &[Piece] = &[Day2, Lit("/"), Month2, Lit("/"), Year];
const DD_MM_Y_DOT: &[Piece] = &[Day2, Lit("."), Month2, Lit("."), Year];
const D_M_Y_DOT: &[Piece] = &[Day, Lit("."), Month, Lit("."), Year];
const D_MM_Y_DOT: &[Piece] = &[Day, Lit("."), Month2, Lit("."), Year];
const DD_MM_Y_DASH: &[Piece] = &[Day2, Lit("-"), Month2, Lit("-"), Year];
const Y_MM_DD_DASH: &[Piece] = &[Year, Lit("-"), Month2, Lit("-"), Day2];
const Y_MM_DD_SLASH: &[Piece] = &[Year, Lit("/"), Month2, Lit("/"), Day2];
const D_M_Y_DOT_SPACED: &[Piece] = &[Day, Lit(". "), Month, Lit(". "), Year];

const MMM_D_Y: &[Piece] = &[Abbr, Lit(" "), Day, Lit(", "), Year];
const D_MMM_Y: &[Piece] = &[Day, Lit(" "), Abbr, Lit(" "), Year];
const D_DOT_MMM_Y: &[Piece] = &[Day, Lit(". "), Abbr, Lit(" "), Year];
const D_DE_MMM_DE_Y: &[Piece] = &[Day, Lit(" de "), Abbr, Lit(" de "), Year];

const MMMM_D_Y: &[Piece] = &[Wide, Lit(" "), Day, Lit(", "), Year];
const D_MMMM_Y: &[Piece] = &[Day, Lit(" "), Wide, Lit(" "), Year];
const D_DOT_MMMM_Y: &[Piece] = &[Day, Lit(". "), Wide, Lit(" "), Year];
const D_DE_MMMM_DE_Y: &[Piece] = &[Day, Lit(" de "), Wide, Lit(" de "), Year];
const JA_LONG: &[Piece] = &[Year, Lit("年"), Month, Lit("月"), Day, Lit("日")];

pub(super) type Months = [&'static str; 12];

const EN_WIDE: Months = [
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
const EN_ABBR: Months = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const EN_GB_ABBR: Months = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sept", "Oct", "Nov", "Dec",
];
const EN_AU_ABBR: Months = [
    "Jan", "Feb", "Mar", "Apr", "May", "June", "July", "Aug", "Sept", "Oct", "Nov", "Dec",
];
const DE_WIDE: Months = [
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
const DE_AT_WIDE: Months = [
    "Jänner",
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
const DE_ABBR: Months = [
    "Jan.", "Feb.", "März", "Apr.", "Mai", "Juni", "Juli", "Aug.", "Sept.", "Okt.", "Nov.", "Dez.",
];
const DE_AT_ABBR: Months = [
    "Jän.", "Feb.", "März", "Apr.", "Mai", "Juni", "Juli", "Aug.", "Sep.", "Okt.", "Nov.", "Dez.",
];
const FR_WIDE: Months = [
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
const FR_ABBR: Months = [
    "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc.",
];
const FR_CA_ABBR: Months = [
    "janv.", "févr.", "mars", "avr.", "mai", "juin", "juill.", "août", "sept.", "oct.", "nov.", "déc.",
];
const ES_WIDE: Months = [
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
const ES_ABBR: Months = [
    "ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic",
];
const ES_MX_ABBR: Months = [
    "ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic",
];
const IT_WIDE: Months = [
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
const IT_ABBR: Months = [
    "gen", "feb", "mar", "apr", "mag", "giu", "lug", "ago", "set", "ott", "nov", "dic",
];
const NL_WIDE: Months = [
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
const NL_ABBR: Months = [
    "jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec",
];
const PT_WIDE: Months = [
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
const PT_ABBR: Months = [
    "jan.", "fev.", "mar.", "abr.", "mai.", "jun.", "jul.", "ago.", "set.", "out.", "nov.", "dez.",
];
const SV_WIDE: Months = [
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
const SV_ABBR: Months = [
    "jan.", "feb.", "mars", "apr.", "maj", "juni", "juli", "aug.", "sep.", "okt.", "nov.", "dec.",
];
const DA_WIDE: Months = [
    "januar",
    "februar",
    "marts",
    "april",
    "maj",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "december",
];
const DA_ABBR: Months = [
    "jan.", "feb.", "mar.", "apr.", "maj", "jun.", "jul.", "aug.", "sep.", "okt.", "nov.", "dec.",
];
const NB_WIDE: Months = [
    "januar",
    "februar",
    "mars",
    "april",
    "mai",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "desember",
];
const NB_ABBR: Months = [
    "jan.", "feb.", "mars", "apr.", "mai", "juni", "juli", "aug.", "sep.", "okt.", "nov.", "des.",
];
/// Finnish month names in the partitive case used after a day number.
const FI_WIDE: Months = [
    "tammikuuta",
    "helmikuuta",
    "maaliskuuta",
    "huhtikuuta",
    "toukokuuta",
    "kesäkuuta",
    "heinäkuuta",
    "elokuuta",
    "syyskuuta",
    "lokakuuta",
    "marraskuuta",
    "joulukuuta",
];
const FI_ABBR: Months = [
    "tammik.", "helmik.", "maalisk.", "huhtik.", "toukok.", "kesäk.", "heinäk.", "elok.", "syysk.", "lokak.",
    "marrask.", "jouluk.",
];
/// Polish month names in the genitive case used after a day number.
const PL_WIDE: Months = [
    "stycznia",
    "lutego",
    "marca",
    "kwietnia",
    "maja",
    "czerwca",
    "lipca",
    "sierpnia",
    "września",
    "października",
    "listopada",
    "grudnia",
];
const PL_ABBR: Months = [
    "sty", "lut", "mar", "kwi", "maj", "cze", "lip", "sie", "wrz", "paź", "lis", "gru",
];
/// Czech month names in the genitive case used after a day number.
const CS_WIDE: Months = [
    "ledna",
    "února",
    "března",
    "dubna",
    "května",
    "června",
    "července",
    "srpna",
    "září",
    "října",
    "listopadu",
    "prosince",
];
const CS_ABBR: Months = [
    "led", "úno", "bře", "dub", "kvě", "čvn", "čvc", "srp", "zář", "říj", "lis", "pro",
];
const JA_MONTHS: Months = [
    "1月", "2月", "3月", "4月", "5月", "6月", "7月", "8月", "9月", "10月", "11月", "12月",
];

/// Where the currency symbol and the minus sign go.
#[derive(Clone, Copy)]
pub(super) enum Layout {
    /// `¤1,234.50`, `-¤1,234.50`; a space only after a letter symbol
    /// (`CHF 1,234.50`).
    Prefix,
    /// `¤ 1.234,50`, `-¤ 1.234,50`.
    PrefixSpaced,
    /// `¤ 1’234.50`, `¤-1’234.50` (de-CH).
    PrefixSpacedTightMinus,
    /// `¤ 1.234,50`, `¤ -1.234,50` (nl).
    PrefixSpacedInnerMinus,
    /// `1.234,50 ¤`, `-1.234,50 ¤`.
    Suffix,
}

pub(super) struct Locale {
    pub(super) language: &'static str,
    pub(super) region: &'static str,
    pub(super) decimal: &'static str,
    pub(super) group: &'static str,
    /// Grouping starts at `3 + min_grouping` integer digits.
    pub(super) min_grouping: usize,
    pub(super) minus: &'static str,
    pub(super) layout: Layout,
    /// Currency symbols that differ from [`BASE_SYMBOLS`].
    pub(super) symbols: &'static [(&'static str, &'static str)],
    pub(super) short: &'static [Piece],
    pub(super) medium: &'static [Piece],
    pub(super) long: &'static [Piece],
    pub(super) abbr: &'static Months,
    pub(super) wide: &'static Months,
}

pub(super) const NBSP: &str = "\u{a0}";
const NNBSP: &str = "\u{202f}";
const MINUS_SIGN: &str = "\u{2212}";

/// Symbols used unless the locale overrides them.
pub(super) const BASE_SYMBOLS: &[(&str, &str)] = &[
    ("USD", "US$"),
    ("EUR", "€"),
    ("GBP", "£"),
    ("JPY", "JP¥"),
    ("CHF", "CHF"),
    ("SEK", "SEK"),
    ("NOK", "NOK"),
    ("DKK", "DKK"),
    ("PLN", "PLN"),
    ("CZK", "CZK"),
    ("CAD", "CA$"),
    ("AUD", "A$"),
    ("NZD", "NZ$"),
    ("BRL", "R$"),
    ("MXN", "MX$"),
    ("INR", "₹"),
    ("CNY", "CN¥"),
];

/// Currencies without minor units among the supported ones.
pub(super) const ZERO_DECIMAL_CURRENCIES: &[&str] = &["JPY"];

const EN_US: Locale = Locale {
    language: "en",
    region: "US",
    decimal: ".",
    group: ",",
    min_grouping: 1,
    minus: "-",
    layout: Layout::Prefix,
    symbols: &[("USD", "$"), ("JPY", "¥")],
    short: M_D_Y_SLASH,
    medium: MMM_D_Y,
    long: MMMM_D_Y,
    abbr: &EN_ABBR,
    wide: &EN_WIDE,
};

const EN_GB: Locale = Locale {
    region: "GB",
    symbols: &[],
    short: DD_MM_Y_SLASH,
    medium: D_MMM_Y,
    long: D_MMMM_Y,
    abbr: &EN_GB_ABBR,
    ..EN_US
};

const DE_DE: Locale = Locale {
    language: "de",
    region: "DE",
    decimal: ",",
    group: ".",
    min_grouping: 1,
    minus: "-",
    layout: Layout::Suffix,
    symbols: &[("USD", "$"), ("JPY", "¥"), ("AUD", "AU$")],
    short: DD_MM_Y_DOT,
    medium: DD_MM_Y_DOT,
    long: D_DOT_MMMM_Y,
    abbr: &DE_ABBR,
    wide: &DE_WIDE,
};

const FR_FR: Locale = Locale {
    language: "fr",
    region: "FR",
    decimal: ",",
    group: NNBSP,
    min_grouping: 1,
    minus: "-",
    layout: Layout::Suffix,
    symbols: &[
        ("USD", "$US"),
        ("GBP", "£GB"),
        ("JPY", "JPY"),
        ("CAD", "$CA"),
        ("AUD", "$AU"),
        ("NZD", "$NZ"),
        ("MXN", "$MX"),
        ("CNY", "CNY"),
    ],
    short: DD_MM_Y_SLASH,
    medium: D_MMM_Y,
    long: D_MMMM_Y,
    abbr: &FR_ABBR,
    wide: &FR_WIDE,
};

const ES_ES: Locale = Locale {
    language: "es",
    region: "ES",
    decimal: ",",
    group: ".",
    min_grouping: 2,
    minus: "-",
    layout: Layout::Suffix,
    symbols: &[
        ("GBP", "GBP"),
        ("JPY", "JPY"),
        ("CAD", "CAD"),
        ("AUD", "AUD"),
        ("NZD", "NZD"),
        ("BRL", "BRL"),
        ("MXN", "MXN"),
        ("INR", "INR"),
        ("CNY", "CNY"),
    ],
    short: D_M_Y_SLASH,
    medium: D_MMM_Y,
    long: D_DE_MMMM_DE_Y,
    abbr: &ES_ABBR,
    wide: &ES_WIDE,
};

const PT_BR: Locale = Locale {
    language: "pt",
    region: "BR",
    decimal: ",",
    group: ".",
    min_grouping: 1,
    minus: "-",
    layout: Layout::PrefixSpaced,
    symbols: &[("AUD", "AU$")],
    short: DD_MM_Y_SLASH,
    medium: D_DE_MMM_DE_Y,
    long: D_DE_MMMM_DE_Y,
    abbr: &PT_ABBR,
    wide: &PT_WIDE,
};

/// Supported locales; the first one of each language is its fallback.
pub(super) const LOCALES: &[Locale] = &[
    EN_US,
    EN_GB,
    Locale { region: "IE", ..EN_GB },
    Locale {
        region: "CA",
        symbols: &[("CAD", "$")],
        short: Y_MM_DD_DASH,
        ..EN_US
    },
    Locale {
        region: "AU",
        symbols: &[
            ("USD", "USD"),
            ("EUR", "EUR"),
            ("GBP", "GBP"),
            ("JPY", "JPY"),
            ("CAD", "CAD"),
            ("AUD", "$"),
            ("NZD", "NZD"),
            ("BRL", "BRL"),
            ("MXN", "MXN"),
            ("INR", "INR"),
            ("CNY", "CNY"),
        ],
        short: D_M_Y_SLASH,
        abbr: &EN_AU_ABBR,
        ..EN_GB
    },
    DE_DE,
    Locale {
        region: "AT",
        layout: Layout::PrefixSpaced,
        abbr: &DE_AT_ABBR,
        wide: &DE_AT_WIDE,
        ..DE_DE
    },
    Locale {
        region: "CH",
        decimal: ".",
        // CLDR 48 has U+0027; the engine's spec asks for U+2019.
        group: "\u{2019}",
        layout: Layout::PrefixSpacedTightMinus,
        symbols: &[("USD", "$"), ("EUR", "EUR"), ("JPY", "¥"), ("AUD", "AU$")],
        ..DE_DE
    },
    FR_FR,
    Locale {
        region: "CA",
        group: NBSP,
        symbols: &[
            ("USD", "$\u{a0}US"),
            ("JPY", "¥"),
            ("CAD", "$"),
            ("AUD", "$\u{a0}AU"),
            ("NZD", "$\u{a0}NZ"),
            ("MXN", "MXN"),
            ("INR", "INR"),
        ],
        short: Y_MM_DD_DASH,
        abbr: &FR_CA_ABBR,
        ..FR_FR
    },
    Locale {
        region: "CH",
        decimal: ".",
        short: DD_MM_Y_DOT,
        ..FR_FR
    },
    ES_ES,
    Locale {
        region: "MX",
        decimal: ".",
        group: ",",
        min_grouping: 1,
        layout: Layout::Prefix,
        symbols: &[
            ("USD", "USD"),
            ("EUR", "EUR"),
            ("GBP", "GBP"),
            ("JPY", "JPY"),
            ("CAD", "CAD"),
            ("AUD", "AUD"),
            ("NZD", "NZD"),
            ("BRL", "BRL"),
            ("MXN", "$"),
            ("INR", "INR"),
            ("CNY", "CNY"),
        ],
        short: DD_MM_Y_SLASH,
        abbr: &ES_MX_ABBR,
        ..ES_ES
    },
    Locale {
        language: "it",
        region: "IT",
        decimal: ",",
        group: ".",
        min_grouping: 2,
        minus: "-",
        layout: Layout::Suffix,
        symbols: &[
            ("USD", "USD"),
            ("JPY", "JPY"),
            ("BRL", "BRL"),
            ("MXN", "MXN"),
            ("INR", "INR"),
        ],
        short: DD_MM_Y_SLASH,
        medium: D_MMM_Y,
        long: D_MMMM_Y,
        abbr: &IT_ABBR,
        wide: &IT_WIDE,
    },
    Locale {
        language: "nl",
        region: "NL",
        decimal: ",",
        group: ".",
        min_grouping: 1,
        minus: "-",
        layout: Layout::PrefixSpacedInnerMinus,
        symbols: &[("CAD", "C$"), ("AUD", "AU$")],
        short: DD_MM_Y_DASH,
        medium: D_MMM_Y,
        long: D_MMMM_Y,
        abbr: &NL_ABBR,
        wide: &NL_WIDE,
    },
    PT_BR,
    Locale {
        region: "PT",
        group: NBSP,
        min_grouping: 2,
        layout: Layout::Suffix,
        medium: DD_MM_Y_SLASH,
        ..PT_BR
    },
    Locale {
        language: "sv",
        region: "SE",
        decimal: ",",
        group: NBSP,
        min_grouping: 1,
        minus: MINUS_SIGN,
        layout: Layout::Suffix,
        symbols: &[
            ("GBP", "GBP"),
            ("JPY", "JPY"),
            ("SEK", "kr"),
            ("NOK", "Nkr"),
            ("DKK", "Dkr"),
            ("AUD", "AUD"),
            ("NZD", "NZD"),
            ("BRL", "BR$"),
            ("INR", "INR"),
            ("CNY", "CNY"),
        ],
        short: Y_MM_DD_DASH,
        medium: D_MMM_Y,
        long: D_MMMM_Y,
        abbr: &SV_ABBR,
        wide: &SV_WIDE,
    },
    Locale {
        language: "da",
        region: "DK",
        decimal: ",",
        group: ".",
        min_grouping: 1,
        minus: "-",
        layout: Layout::Suffix,
        symbols: &[("DKK", "kr."), ("AUD", "AU$")],
        short: DD_MM_Y_DOT,
        medium: D_DOT_MMM_Y,
        long: D_DOT_MMMM_Y,
        abbr: &DA_ABBR,
        wide: &DA_WIDE,
    },
    Locale {
        language: "nb",
        region: "NO",
        decimal: ",",
        group: NBSP,
        min_grouping: 1,
        minus: MINUS_SIGN,
        layout: Layout::Suffix,
        symbols: &[
            ("USD", "USD"),
            ("JPY", "JPY"),
            ("NOK", "kr"),
            ("CAD", "CAD"),
            ("AUD", "AUD"),
            ("NZD", "NZD"),
            ("BRL", "BRL"),
            ("MXN", "MXN"),
            ("INR", "INR"),
            ("CNY", "CNY"),
        ],
        short: DD_MM_Y_DOT,
        medium: D_DOT_MMM_Y,
        long: D_DOT_MMMM_Y,
        abbr: &NB_ABBR,
        wide: &NB_WIDE,
    },
    Locale {
        language: "fi",
        region: "FI",
        decimal: ",",
        group: NBSP,
        min_grouping: 1,
        minus: MINUS_SIGN,
        layout: Layout::Suffix,
        symbols: &[
            ("USD", "$"),
            ("JPY", "¥"),
            ("CAD", "CAD"),
            ("AUD", "AUD"),
            ("NZD", "NZD"),
            ("BRL", "BRL"),
            ("MXN", "MXN"),
            ("INR", "INR"),
            ("CNY", "CNY"),
        ],
        short: D_M_Y_DOT,
        medium: D_M_Y_DOT,
        long: D_DOT_MMMM_Y,
        abbr: &FI_ABBR,
        wide: &FI_WIDE,
    },
    Locale {
        language: "pl",
        region: "PL",
        decimal: ",",
        group: NBSP,
        min_grouping: 2,
        minus: "-",
        layout: Layout::Suffix,
        symbols: &[
            ("USD", "USD"),
            ("GBP", "GBP"),
            ("JPY", "JPY"),
            ("PLN", "zł"),
            ("CAD", "CAD"),
            ("AUD", "AUD"),
            ("NZD", "NZD"),
            ("MXN", "MXN"),
            ("INR", "INR"),
            ("CNY", "CNY"),
        ],
        short: D_MM_Y_DOT,
        medium: D_MMM_Y,
        long: D_MMMM_Y,
        abbr: &PL_ABBR,
        wide: &PL_WIDE,
    },
    Locale {
        language: "cs",
        region: "CZ",
        decimal: ",",
        group: NBSP,
        min_grouping: 1,
        minus: "-",
        layout: Layout::Suffix,
        symbols: &[("CZK", "Kč"), ("AUD", "AU$"), ("INR", "INR")],
        short: DD_MM_Y_DOT,
        medium: D_M_Y_DOT_SPACED,
        long: D_DOT_MMMM_Y,
        abbr: &CS_ABBR,
        wide: &CS_WIDE,
    },
    Locale {
        language: "ja",
        region: "JP",
        decimal: ".",
        group: ",",
        min_grouping: 1,
        minus: "-",
        layout: Layout::Prefix,
        symbols: &[("USD", "$"), ("JPY", "￥"), ("CNY", "元")],
        short: Y_MM_DD_SLASH,
        medium: Y_MM_DD_SLASH,
        long: JA_LONG,
        abbr: &JA_MONTHS,
        wide: &JA_MONTHS,
    },
];

/// Finds the locale for a BCP 47-ish tag (`en-US`, `de_at`, `pt`,
/// `zh-Hant-TW`), with the fallbacks described in the module docs.
pub(super) fn resolve_locale(tag: &str) -> &'static Locale {
    let mut subtags = tag.trim().split(['-', '_']).filter(|s| !s.is_empty());
    let language = subtags.next().unwrap_or("");
    let language = if language.eq_ignore_ascii_case("no") || language.eq_ignore_ascii_case("nn") {
        "nb"
    } else {
        language
    };
    // The region is the first two-letter or three-digit subtag after the
    // language (a four-letter script subtag may come in between).
    let region = subtags.find(|s| {
        (s.len() == 2 && s.bytes().all(|b| b.is_ascii_alphabetic()))
            || (s.len() == 3 && s.bytes().all(|b| b.is_ascii_digit()))
    });
    let same_language = |l: &&Locale| l.language.eq_ignore_ascii_case(language);
    region
        .and_then(|region| {
            LOCALES
                .iter()
                .filter(same_language)
                .find(|l| l.region.eq_ignore_ascii_case(region))
        })
        .or_else(|| LOCALES.iter().find(same_language))
        .unwrap_or(&EN_US)
}
