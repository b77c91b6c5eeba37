//! Colours as CSS writes them and WCAG 2.1 contrast.

/// An sRGB colour, 0-255 per channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// White.
    pub const WHITE: Self = Self(255, 255, 255);
    /// Black.
    pub const BLACK: Self = Self(0, 0, 0);

    /// WCAG 2.1 relative luminance.
    #[must_use]
    pub fn luminance(self) -> f64 {
        let lin = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.040_45 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * lin(self.0) + 0.7152 * lin(self.1) + 0.0722 * lin(self.2)
    }

    /// `#rrggbb`.
    #[must_use]
    pub fn hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }
}

/// WCAG 2.1 contrast ratio of two colours (1 to 21).
#[must_use]
pub fn contrast(a: Rgb, b: Rgb) -> f64 {
    let (la, lb) = (a.luminance(), b.luminance());
    let (hi, lo) = if la > lb { (la, lb) } else { (lb, la) };
    (hi + 0.05) / (lo + 0.05)
}

const NAMED: &[(&str, Rgb)] = &[
    ("black", Rgb(0, 0, 0)),
    ("white", Rgb(255, 255, 255)),
    ("red", Rgb(255, 0, 0)),
    ("green", Rgb(0, 128, 0)),
    ("blue", Rgb(0, 0, 255)),
    ("yellow", Rgb(255, 255, 0)),
    ("gray", Rgb(128, 128, 128)),
    ("grey", Rgb(128, 128, 128)),
    ("silver", Rgb(192, 192, 192)),
    ("navy", Rgb(0, 0, 128)),
    ("orange", Rgb(255, 165, 0)),
    ("purple", Rgb(128, 0, 128)),
    ("maroon", Rgb(128, 0, 0)),
    ("teal", Rgb(0, 128, 128)),
    ("lightgray", Rgb(211, 211, 211)),
    ("lightgrey", Rgb(211, 211, 211)),
    ("darkgray", Rgb(169, 169, 169)),
    ("darkgrey", Rgb(169, 169, 169)),
];

/// Parses `#rgb`, `#rrggbb`, `rgb(r, g, b)`, `rgba(...)` (alpha ignored unless 0) and a few
/// named colours; `None` for anything else (`transparent`, `inherit`, gradients).
#[must_use]
pub fn parse(value: &str) -> Option<Rgb> {
    let v = value.trim().trim_end_matches("!important").trim().to_ascii_lowercase();
    if let Some(hex) = v.strip_prefix('#') {
        let digit = |i: usize| hex.get(i..=i).and_then(|d| u8::from_str_radix(d, 16).ok());
        let pair = |i: usize| hex.get(i..i + 2).and_then(|d| u8::from_str_radix(d, 16).ok());
        return match hex.len() {
            3 | 4 => Some(Rgb(digit(0)? * 17, digit(1)? * 17, digit(2)? * 17)),
            6 | 8 => Some(Rgb(pair(0)?, pair(2)?, pair(4)?)),
            _ => None,
        };
    }
    if let Some(args) = v.strip_prefix("rgba(").or_else(|| v.strip_prefix("rgb(")) {
        let parts: Vec<&str> = args
            .trim_end_matches(')')
            .split([',', ' ', '/'])
            .filter(|p| !p.is_empty())
            .collect();
        let channel = |i: usize| -> Option<u8> {
            let p = parts.get(i)?;
            if let Some(pct) = p.strip_suffix('%') {
                let n: f64 = pct.parse().ok()?;
                return Some(to_u8(n * 2.55));
            }
            let n: f64 = p.parse().ok()?;
            Some(to_u8(n))
        };
        if parts.get(3).is_some_and(|a| a.parse::<f64>().is_ok_and(|a| a == 0.0)) {
            return None;
        }
        return Some(Rgb(channel(0)?, channel(1)?, channel(2)?));
    }
    NAMED.iter().find(|(n, _)| *n == v).map(|(_, c)| *c)
}

fn to_u8(n: f64) -> u8 {
    // Clamped to 0..=255 first, so the cast cannot truncate.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let c = n.round().clamp(0.0, 255.0) as u8;
    c
}

/// The first colour in a `background` shorthand (`#fff url(x.png) no-repeat`).
#[must_use]
pub fn first_color(value: &str) -> Option<Rgb> {
    if let Some(c) = parse(value) {
        return Some(c);
    }
    let lower = value.to_ascii_lowercase();
    if let Some(start) = lower.find("rgb") {
        let rest = lower.get(start..)?;
        let end = rest.find(')')?;
        return parse(rest.get(..=end)?);
    }
    lower.split_whitespace().find_map(parse)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ratio(a: &str, b: &str) -> f64 {
        let (Some(a), Some(b)) = (parse(a), parse(b)) else {
            panic!("colours {a} {b}");
        };
        (contrast(a, b) * 100.0).round() / 100.0
    }

    /// Pairs and ratios published with WCAG's contrast examples and the `WebAIM` checker.
    #[test]
    fn contrast_matches_published_wcag_pairs() {
        assert!((ratio("#000000", "#ffffff") - 21.0).abs() < f64::EPSILON);
        assert!((ratio("#ffffff", "#ffffff") - 1.0).abs() < f64::EPSILON);
        // #767676 on white is the lightest grey that passes AA for normal text: 4.54:1.
        assert!((ratio("#767676", "#ffffff") - 4.54).abs() < 0.01);
        // #777777 on white fails it: 4.48:1.
        assert!((ratio("#777777", "#fff") - 4.48).abs() < 0.01);
        // #949494 on white: 3.03:1, enough for large text only.
        assert!((ratio("#949494", "#ffffff") - 3.03).abs() < 0.01);
        // WebAIM's default example, #0000ff on white: 8.59:1.
        assert!((ratio("#0000FF", "#FFFFFF") - 8.59).abs() < 0.01);
        assert!((ratio("rgb(255, 0, 0)", "white") - 4.0).abs() < 0.01);
    }

    #[test]
    fn colours_parse_in_their_css_forms() {
        assert_eq!(parse("#1f6f50"), Some(Rgb(0x1f, 0x6f, 0x50)));
        assert_eq!(parse("#FFF !important"), Some(Rgb::WHITE));
        assert_eq!(parse("rgba(0,0,0,0)"), None);
        assert_eq!(parse("transparent"), None);
        assert_eq!(
            first_color("#eef1ec url(bg.png) no-repeat"),
            Some(Rgb(0xee, 0xf1, 0xec))
        );
    }
}
