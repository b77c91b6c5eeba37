//! Free text: whitespace and control-character clean-up of imported values.
//!
//! [`clean_text`] trims a value, turns every run of whitespace inside it (spaces, tabs, line
//! breaks, no-break and other Unicode spaces) into a single space, and removes control characters
//! and byte-order marks (U+FEFF). Letters, punctuation, emoji and their joiners are kept as they
//! are; nothing is re-cased or Unicode-normalized.
#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::borrow::Cow;

/// Whether `c` is removed outright: a control character that is not whitespace, or a byte-order
/// mark.
fn is_removed(c: char) -> bool {
    (c.is_control() && !c.is_whitespace()) || c == '\u{feff}'
}

/// Whether the (already trimmed) text needs no further change: no removed characters, no
/// whitespace other than single ASCII spaces.
fn is_clean(trimmed: &str) -> bool {
    if trimmed.is_ascii() {
        let mut prev_space = false;
        for b in trimmed.bytes() {
            match b {
                b' ' if prev_space => return false,
                b' ' => prev_space = true,
                0x00..=0x1f | 0x7f => return false,
                _ => prev_space = false,
            }
        }
        return true;
    }
    let mut prev_space = false;
    for c in trimmed.chars() {
        if c == ' ' {
            if prev_space {
                return false;
            }
            prev_space = true;
        } else if c.is_whitespace() || is_removed(c) {
            return false;
        } else {
            prev_space = false;
        }
    }
    true
}

/// Trims `input`, collapses every inner run of whitespace (tabs, line breaks, no-break spaces and
/// other Unicode spaces included) to one space and removes control characters and byte-order
/// marks.
///
/// Borrows from `input` when nothing but trimming was needed.
#[must_use]
pub fn clean_text(input: &str) -> Cow<'_, str> {
    let trimmed = input.trim();
    if is_clean(trimmed) {
        return Cow::Borrowed(trimmed);
    }
    let mut out = String::with_capacity(trimmed.len());
    let mut pending_space = false;
    for c in trimmed.chars() {
        if c.is_whitespace() {
            pending_space = true;
        } else if !is_removed(c) {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Whether `input` contains a NUL character (U+0000).
#[must_use]
pub fn has_nul(input: &str) -> bool {
    input.as_bytes().contains(&0)
}

#[cfg(test)]
#[allow(clippy::panic, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn cleaned() {
        let table: &[(&str, &str)] = &[
            ("", ""),
            ("   ", ""),
            ("Anna", "Anna"),
            ("  Anna  ", "Anna"),
            ("Anna   Maria", "Anna Maria"),
            ("Anna\tMaria", "Anna Maria"),
            ("Anna\r\nMaria\n", "Anna Maria"),
            ("Anna\u{a0}Maria", "Anna Maria"),
            ("Anna \u{a0} \t Maria", "Anna Maria"),
            ("\u{3000}東京\u{3000}都\u{3000}", "東京 都"),
            ("Anna\u{202f}Maria\u{2028}Ruiz", "Anna Maria Ruiz"),
            ("An\u{0}na", "Anna"),
            ("Anna \u{7} Maria", "Anna Maria"),
            ("\u{1b}[1mBold\u{1b}[0m", "[1mBold[0m"),
            ("\u{feff}Anna", "Anna"),
            ("\u{0} Anna \u{0}", "Anna"),
            ("Anna\u{85}Maria", "Anna Maria"),
            ("Anna\u{9f}", "Anna"),
            ("Zoë  Ångström", "Zoë Ångström"),
            ("👩‍👩‍👧 family", "👩‍👩‍👧 family"),
            ("=HYPERLINK(\"x\")", "=HYPERLINK(\"x\")"),
            ("\u{0}", ""),
        ];
        for &(input, expected) in table {
            assert_eq!(clean_text(input), expected, "input {input:?}");
        }
    }

    #[test]
    fn borrows_when_clean_or_only_trimmed() {
        for input in [
            "",
            "Anna",
            "Anna Maria",
            "  Anna Maria \t\n",
            "Zoë Ångström",
            "東京 都",
            "\u{a0}x\u{a0}",
        ] {
            assert!(matches!(clean_text(input), Cow::Borrowed(_)), "input {input:?}");
        }
        for input in ["Anna  Maria", "Anna\tMaria", "An\u{0}na", "Zoë\u{a0}Å", "\u{feff}x"] {
            assert!(matches!(clean_text(input), Cow::Owned(_)), "input {input:?}");
        }
    }

    #[test]
    fn nul() {
        assert!(has_nul("a\u{0}b"));
        assert!(has_nul("\u{0}"));
        assert!(!has_nul("ab"));
        assert!(!has_nul(""));
        assert!(!has_nul("\u{100}"));
    }

    #[test]
    fn generated_inputs_are_clean_and_idempotent() {
        let alphabet: &[char] = &[
            'a', 'Z', ' ', ' ', '\t', '\n', '\r', '\u{a0}', '\u{3000}', '\u{0}', '\u{7}', '\u{7f}', '\u{85}', '\u{9f}',
            '\u{feff}', '\u{200d}', 'é', '日', '👩', '.',
        ];
        let mut rng = crate::validate::test_rng::Lcg(42);
        let mut next = |n: usize| rng.below(n);
        for _ in 0..5000 {
            let len = next(24);
            let s: String = (0..len).map(|_| alphabet[next(alphabet.len())]).collect();
            let once = clean_text(&s);
            assert!(!once.starts_with(char::is_whitespace) && !once.ends_with(char::is_whitespace));
            assert!(!once.contains("  "));
            assert!(!once.chars().any(|c| (c.is_whitespace() && c != ' ') || is_removed(c)));
            assert!(!has_nul(&once));
            let twice = clean_text(&once);
            assert!(matches!(twice, Cow::Borrowed(_)), "input {s:?}");
            assert_eq!(twice, once);
        }
    }
}
