//! Email addresses: validation and normalization of imported addresses.
//!
//! # Policy
//!
//! Addresses are checked against a practical subset of RFC 5321/5322:
//!
//! - Surrounding whitespace is trimmed (spaces, tabs, no-break spaces, and a line break at the very
//!   start or end).
//! - Line breaks (CR, LF) and other control characters inside the address are rejected.
//! - At most 254 characters in total and at most 64 before the `@`.
//! - Exactly one `@`.
//! - The part before the `@` (the local part) is a dot-atom only: ASCII letters, digits,
//!   ``!#$%&'*+/=?^_`{|}~-`` and dots, with no leading, trailing or consecutive dots. Spaces are
//!   not allowed anywhere in the address.
//! - Quoted local parts (`"john doe"@example.com`) are rejected: quoted local parts are not
//!   accepted.
//! - A local part with non-ASCII characters (SMTPUTF8, `jürgen@example.com`) is rejected.
//! - The domain has at least two labels separated by dots. Each label is 1–63 ASCII letters,
//!   digits and hyphens and does not start or end with a hyphen; the last label (the top-level
//!   domain) is not all digits. A trailing dot (`example.com.`) is rejected.
//! - IP-literal domains (`[192.0.2.1]`) are rejected.
//! - International domains: a domain already in punycode (`xn--mller-kva.de`) is accepted as is;
//!   a domain with non-ASCII characters (`müller.de`) is rejected: international domain names must
//!   be given in punycode (xn--...).
//! - The address is stored with its local part as given and its domain lower-cased
//!   (`John.Doe@Example.COM` is stored as `John.Doe@example.com`). Matching and de-duplication
//!   ignore case entirely (`john.doe@example.com`); nothing else is folded (dots and `+tags` in
//!   the local part are significant).
#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::fmt;

/// The longest accepted address, in characters.
const MAX_LEN: usize = 254;
/// The longest accepted local part (before the `@`), in characters.
const MAX_LOCAL_LEN: usize = 64;
/// The longest accepted domain label, in characters.
const MAX_LABEL_LEN: usize = 63;

/// A valid email address.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email {
    /// The address as stored: trimmed, local part as given, domain lower-cased.
    pub display: String,
    /// The address for matching and de-duplication: `display` with the local part lower-cased too.
    pub key: String,
}

/// Why an email address was rejected. `Display` gives a short reason for import reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
pub enum EmailError {
    /// Nothing but whitespace.
    #[error("empty")]
    Empty,
    /// More than 254 characters.
    #[error("longer than 254 characters")]
    TooLong,
    /// More than 64 characters before the `@`.
    #[error("more than 64 characters before the @")]
    LocalTooLong,
    /// No `@`.
    #[error("no @")]
    NoAt,
    /// More than one `@`.
    #[error("more than one @")]
    MultipleAt,
    /// Nothing before the `@`.
    #[error("nothing before the @")]
    EmptyLocal,
    /// Nothing after the `@`.
    #[error("nothing after the @")]
    EmptyDomain,
    /// A carriage return or line feed inside the address.
    #[error("contains a line break")]
    LineBreak,
    /// A control character other than a line break or whitespace.
    #[error("contains a control character")]
    ControlCharacter,
    /// Whitespace inside the address.
    #[error("contains a space")]
    Whitespace,
    /// Two dots in a row.
    #[error("consecutive dots")]
    ConsecutiveDots,
    /// A dot at the start or end of the local part or of the domain.
    #[error("a dot at the start, at the end or next to the @")]
    LeadingOrTrailingDot,
    /// The domain has a single label.
    #[error("the domain has no dot")]
    DomainWithoutDot,
    /// A domain label that is too long, starts or ends with a hyphen, has characters other than
    /// letters, digits and hyphens, an all-digit top-level domain, or an IP-literal domain.
    #[error("the domain is not valid")]
    InvalidDomainLabel,
    /// A quoted local part such as `"john doe"@example.com`.
    #[error("quoted local parts are not accepted")]
    QuotedLocalPart,
    /// A character that is not allowed before the `@`.
    #[error("the character {} is not allowed before the @", ShowChar(*.0))]
    InvalidCharacter(char),
    /// A domain with non-ASCII characters.
    #[error("the domain has non-ASCII characters: international domain names must be given in punycode (xn--...)")]
    InternationalDomain,
}

/// Shows a character in an error message: quoted, with its code point when it is not ASCII.
struct ShowChar(char);

impl fmt::Display for ShowChar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_ascii() {
            write!(f, "\"{}\"", self.0)
        } else {
            write!(f, "\"{}\" (U+{:04X})", self.0, u32::from(self.0))
        }
    }
}

/// Validates and normalizes an email address by the policy in the [module docs](self).
///
/// # Errors
/// The first rule the address breaks, as an [`EmailError`].
pub fn parse_email(input: &str) -> Result<Email, EmailError> {
    let s = input.trim();
    if s.is_empty() {
        return Err(EmailError::Empty);
    }
    if s.bytes().any(|b| b == b'\r' || b == b'\n') {
        return Err(EmailError::LineBreak);
    }
    if s.chars().any(|c| c.is_control() && !c.is_whitespace()) {
        return Err(EmailError::ControlCharacter);
    }
    if char_len_exceeds(s, MAX_LEN) {
        return Err(EmailError::TooLong);
    }
    if s.starts_with('"') {
        return Err(EmailError::QuotedLocalPart);
    }
    let Some((local, domain)) = s.split_once('@') else {
        return Err(EmailError::NoAt);
    };
    if local.contains('"') {
        return Err(EmailError::QuotedLocalPart);
    }
    if domain.contains('@') {
        return Err(EmailError::MultipleAt);
    }
    if s.chars().any(char::is_whitespace) {
        return Err(EmailError::Whitespace);
    }
    if char_len_exceeds(local, MAX_LOCAL_LEN) {
        return Err(EmailError::LocalTooLong);
    }
    if local.is_empty() {
        return Err(EmailError::EmptyLocal);
    }
    if domain.is_empty() {
        return Err(EmailError::EmptyDomain);
    }
    check_local(local)?;
    check_domain(domain)?;

    let mut display = String::with_capacity(s.len());
    display.push_str(local);
    display.push('@');
    display.push_str(domain);
    if let Some(d) = display.get_mut(local.len() + 1..) {
        d.make_ascii_lowercase();
    }
    let mut key = display.clone();
    key.make_ascii_lowercase();
    Ok(Email { display, key })
}

/// Whether `s` has more than `max` characters (counting only when the byte length says it might).
fn char_len_exceeds(s: &str, max: usize) -> bool {
    s.len() > max && s.chars().count() > max
}

/// Whether `c` may appear in a dot-atom local part besides the dot (RFC 5322 `atext`, ASCII only).
fn is_atext(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(
            c,
            '!' | '#'
                | '$'
                | '%'
                | '&'
                | '\''
                | '*'
                | '+'
                | '/'
                | '='
                | '?'
                | '^'
                | '_'
                | '`'
                | '{'
                | '|'
                | '}'
                | '~'
                | '-'
        )
}

/// Checks that a dot-separated string does not start or end with a dot or have two in a row.
fn check_dots(s: &str) -> Result<(), EmailError> {
    if s.starts_with('.') || s.ends_with('.') {
        return Err(EmailError::LeadingOrTrailingDot);
    }
    if s.contains("..") {
        return Err(EmailError::ConsecutiveDots);
    }
    Ok(())
}

/// Checks the (non-empty, quote-free) local part.
fn check_local(local: &str) -> Result<(), EmailError> {
    if let Some(c) = local.chars().find(|&c| c != '.' && !is_atext(c)) {
        return Err(EmailError::InvalidCharacter(c));
    }
    check_dots(local)
}

/// Checks the (non-empty) domain.
fn check_domain(domain: &str) -> Result<(), EmailError> {
    if !domain.is_ascii() {
        // Letters of another script mean an international domain name; anything else (an
        // invisible format character, a symbol) is simply not valid in a domain.
        if domain.chars().any(|c| !c.is_ascii() && c.is_alphanumeric()) {
            return Err(EmailError::InternationalDomain);
        }
        return Err(EmailError::InvalidDomainLabel);
    }
    if domain.starts_with('[') {
        return Err(EmailError::InvalidDomainLabel);
    }
    if !domain.contains('.') {
        return Err(EmailError::DomainWithoutDot);
    }
    check_dots(domain)?;
    for label in domain.split('.') {
        if label.len() > MAX_LABEL_LEN
            || label.starts_with('-')
            || label.ends_with('-')
            || !label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            return Err(EmailError::InvalidDomainLabel);
        }
    }
    let tld = domain.rsplit('.').next().unwrap_or_default();
    if tld.bytes().all(|b| b.is_ascii_digit()) {
        return Err(EmailError::InvalidDomainLabel);
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::panic, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::validate::test_rng::Lcg;

    fn ok(input: &str, display: &str, key: &str) {
        assert_eq!(
            parse_email(input),
            Ok(Email {
                display: display.to_owned(),
                key: key.to_owned()
            }),
            "input {input:?}"
        );
    }

    #[test]
    fn accepted() {
        let table: &[(&str, &str, &str)] = &[
            ("john@example.com", "john@example.com", "john@example.com"),
            ("John.Doe@Example.COM", "John.Doe@example.com", "john.doe@example.com"),
            ("  jane@example.org  ", "jane@example.org", "jane@example.org"),
            ("\tjane@example.org\r\n", "jane@example.org", "jane@example.org"),
            ("\u{a0}jane@example.org\u{a0}", "jane@example.org", "jane@example.org"),
            (
                "user+tag@sub.example.co.uk",
                "user+tag@sub.example.co.uk",
                "user+tag@sub.example.co.uk",
            ),
            (
                "a!#$%&'*+/=?^_`{|}~-z@example.com",
                "a!#$%&'*+/=?^_`{|}~-z@example.com",
                "a!#$%&'*+/=?^_`{|}~-z@example.com",
            ),
            (
                "first.middle.last@example.com",
                "first.middle.last@example.com",
                "first.middle.last@example.com",
            ),
            ("O'Brien@Example.ie", "O'Brien@example.ie", "o'brien@example.ie"),
            ("x@xn--mller-kva.de", "x@xn--mller-kva.de", "x@xn--mller-kva.de"),
            ("X@XN--MLLER-KVA.DE", "X@xn--mller-kva.de", "x@xn--mller-kva.de"),
            ("1234@123.example.com", "1234@123.example.com", "1234@123.example.com"),
            ("a@b.c", "a@b.c", "a@b.c"),
            ("a@b-c.d-e.com", "a@b-c.d-e.com", "a@b-c.d-e.com"),
            ("a@example.x1", "a@example.x1", "a@example.x1"),
            ("_@example.com", "_@example.com", "_@example.com"),
            ("-@example.com", "-@example.com", "-@example.com"),
            ("ABC@DEF.GHI", "ABC@def.ghi", "abc@def.ghi"),
        ];
        for &(input, display, key) in table {
            ok(input, display, key);
        }
    }

    #[test]
    fn rejected() {
        use EmailError as E;
        let long_local = format!("{}@example.com", "a".repeat(65));
        let long_label = format!("a@{}.com", "b".repeat(64));
        let table: &[(&str, EmailError, &str)] = &[
            ("", E::Empty, "empty"),
            ("   \t ", E::Empty, "empty"),
            ("john.example.com", E::NoAt, "no @"),
            ("john doe", E::NoAt, "no @"),
            ("a@b@example.com", E::MultipleAt, "more than one @"),
            ("a@@example.com", E::MultipleAt, "more than one @"),
            ("@example.com", E::EmptyLocal, "nothing before the @"),
            ("john@", E::EmptyDomain, "nothing after the @"),
            ("jo\nhn@example.com", E::LineBreak, "contains a line break"),
            ("john@exa\rmple.com", E::LineBreak, "contains a line break"),
            (
                "john@example.com\r\nBcc: x@y.com",
                E::LineBreak,
                "contains a line break",
            ),
            (
                "jo\u{0}hn@example.com",
                E::ControlCharacter,
                "contains a control character",
            ),
            (
                "john@example.com\u{7f}x",
                E::ControlCharacter,
                "contains a control character",
            ),
            (
                "jo\u{1b}[31mhn@example.com",
                E::ControlCharacter,
                "contains a control character",
            ),
            ("john doe@example.com", E::Whitespace, "contains a space"),
            ("john@exa mple.com", E::Whitespace, "contains a space"),
            ("john\t@example.com", E::Whitespace, "contains a space"),
            ("john\u{a0}doe@example.com", E::Whitespace, "contains a space"),
            ("john..doe@example.com", E::ConsecutiveDots, "consecutive dots"),
            ("john@example..com", E::ConsecutiveDots, "consecutive dots"),
            (
                ".john@example.com",
                E::LeadingOrTrailingDot,
                "a dot at the start, at the end or next to the @",
            ),
            (
                "john.@example.com",
                E::LeadingOrTrailingDot,
                "a dot at the start, at the end or next to the @",
            ),
            (
                "john@.example.com",
                E::LeadingOrTrailingDot,
                "a dot at the start, at the end or next to the @",
            ),
            (
                "john@example.com.",
                E::LeadingOrTrailingDot,
                "a dot at the start, at the end or next to the @",
            ),
            ("john@localhost", E::DomainWithoutDot, "the domain has no dot"),
            ("john@-example.com", E::InvalidDomainLabel, "the domain is not valid"),
            ("john@example-.com", E::InvalidDomainLabel, "the domain is not valid"),
            ("john@exam_ple.com", E::InvalidDomainLabel, "the domain is not valid"),
            ("john@example.c%m", E::InvalidDomainLabel, "the domain is not valid"),
            ("john@1.2.3.4", E::InvalidDomainLabel, "the domain is not valid"),
            ("john@[192.0.2.1]", E::InvalidDomainLabel, "the domain is not valid"),
            (
                "john@[IPv6:2001:db8::1]",
                E::InvalidDomainLabel,
                "the domain is not valid",
            ),
            (
                "john@example.com\u{200b}",
                E::InvalidDomainLabel,
                "the domain is not valid",
            ),
            (&long_label, E::InvalidDomainLabel, "the domain is not valid"),
            (
                "\"john doe\"@example.com",
                E::QuotedLocalPart,
                "quoted local parts are not accepted",
            ),
            (
                "\"john@doe\"@example.com",
                E::QuotedLocalPart,
                "quoted local parts are not accepted",
            ),
            (
                "john.\"doe\"@example.com",
                E::QuotedLocalPart,
                "quoted local parts are not accepted",
            ),
            (
                "john(comment)@example.com",
                E::InvalidCharacter('('),
                "the character \"(\" is not allowed before the @",
            ),
            (
                "john,doe@example.com",
                E::InvalidCharacter(','),
                "the character \",\" is not allowed before the @",
            ),
            (
                "<john@example.com>",
                E::InvalidCharacter('<'),
                "the character \"<\" is not allowed before the @",
            ),
            (
                "jürgen@example.com",
                E::InvalidCharacter('ü'),
                "the character \"ü\" (U+00FC) is not allowed before the @",
            ),
            (
                "用户@example.com",
                E::InvalidCharacter('用'),
                "the character \"用\" (U+7528) is not allowed before the @",
            ),
            (
                "john@müller.de",
                E::InternationalDomain,
                "the domain has non-ASCII characters: international domain names must be given in punycode (xn--...)",
            ),
            (
                "john@例え.jp",
                E::InternationalDomain,
                "the domain has non-ASCII characters: international domain names must be given in punycode (xn--...)",
            ),
            (&long_local, E::LocalTooLong, "more than 64 characters before the @"),
        ];
        for &(input, err, message) in table {
            assert_eq!(parse_email(input), Err(err), "input {input:?}");
            assert_eq!(err.to_string(), message, "input {input:?}");
        }
    }

    /// A domain of exactly `len` characters made of valid labels.
    fn domain_of(len: usize) -> String {
        let mut d = String::new();
        while d.len() < len {
            if !d.is_empty() {
                d.push('.');
            }
            let take = (len - d.len()).min(MAX_LABEL_LEN);
            // Never leave a single trailing character for a label of its own after a dot.
            let take = if len - d.len() - take == 1 { take - 1 } else { take };
            d.push_str(&"d".repeat(take));
        }
        d
    }

    #[test]
    fn edge_lengths() {
        let local64 = "l".repeat(64);
        let local65 = "l".repeat(65);
        assert!(parse_email(&format!("{local64}@example.com")).is_ok());
        assert_eq!(
            parse_email(&format!("{local65}@example.com")),
            Err(EmailError::LocalTooLong)
        );

        let d189 = domain_of(189);
        assert_eq!(d189.len(), 189);
        let total254 = format!("{local64}@{d189}");
        assert_eq!(total254.len(), 254);
        assert_eq!(parse_email(&total254).map(|e| e.display), Ok(total254.clone()));
        let total255 = format!("{local64}@{}", domain_of(190));
        assert_eq!(total255.len(), 255);
        assert_eq!(parse_email(&total255), Err(EmailError::TooLong));
        // Surrounding whitespace does not count.
        assert!(parse_email(&format!("  {total254}  ")).is_ok());

        let label63 = format!("a@{}.com", "b".repeat(63));
        assert!(parse_email(&label63).is_ok());

        // Characters, not bytes: 64 non-ASCII characters before the @ are rejected for the
        // character, not the length; 65 of them for the length.
        assert_eq!(
            parse_email(&format!("{}@example.com", "é".repeat(64))),
            Err(EmailError::InvalidCharacter('é'))
        );
        assert_eq!(
            parse_email(&format!("{}@example.com", "é".repeat(65))),
            Err(EmailError::LocalTooLong)
        );
    }

    #[test]
    fn borrowed_key_matches_case_insensitively() {
        let a = parse_email("John.Doe@Example.com");
        let b = parse_email("JOHN.DOE@EXAMPLE.COM");
        assert_eq!(a.map(|e| e.key), b.map(|e| e.key));
    }

    fn check_invariants(input: &str) {
        match parse_email(input) {
            Ok(e) => {
                assert_eq!(
                    parse_email(&e.display).map(|x| x.key),
                    Ok(e.key.clone()),
                    "input {input:?}"
                );
                assert_eq!(parse_email(&e.display).as_ref(), Ok(&e), "input {input:?}");
                assert_eq!(parse_email(&e.key).map(|x| x.key), Ok(e.key.clone()), "input {input:?}");
                assert_eq!(e.key, e.display.to_ascii_lowercase());
                assert!(e.display.len() <= MAX_LEN);
                assert!(e.display.is_ascii());
                assert_eq!(e.display.matches('@').count(), 1);
            }
            Err(err) => assert!(!err.to_string().is_empty()),
        }
    }

    #[test]
    fn generated_inputs_never_panic_and_are_idempotent() {
        let alphabet: &[char] = &[
            'a', 'B', 'z', 'Q', '0', '9', '@', '@', '.', '.', '-', '_', '+', '"', ' ', '\t', '\n', '\r', '\0', 'é',
            'Ü', '日', '[', ']', '(', ',', '\u{a0}', '\u{200b}', '\u{7f}', '!', '~', 'x', 'n',
        ];
        let mut rng = Lcg(0x5eed);
        let mut accepted = 0;
        for _ in 0..4000 {
            let len = rng.below(40);
            let s: String = (0..len).map(|_| *rng.pick(alphabet)).collect();
            check_invariants(&s);
        }
        // Mostly valid addresses, with occasional damage.
        let local_chars: &[char] = &['a', 'B', 'c', '1', '.', '+', '-', '_', '\'', '~', 'Z'];
        let domain_chars: &[char] = &['a', 'B', '1', '-', 'x', 'n', 'Z'];
        let tlds: &[&str] = &["com", "DE", "co.uk", "xn--p1ai", "123", "", "c0m"];
        for _ in 0..4000 {
            let mut s = String::new();
            for _ in 0..rng.below(70) + 1 {
                s.push(*rng.pick(local_chars));
            }
            s.push('@');
            for _ in 0..rng.below(3) + 1 {
                for _ in 0..rng.below(12) + 1 {
                    s.push(*rng.pick(domain_chars));
                }
                s.push('.');
            }
            let tld: &&str = rng.pick(tlds);
            s.push_str(tld);
            if rng.below(10) == 0 {
                let at = rng.below(s.len());
                if s.is_char_boundary(at) {
                    s.insert(at, *rng.pick(alphabet));
                }
            }
            if parse_email(&s).is_ok() {
                accepted += 1;
            }
            check_invariants(&s);
        }
        assert!(
            accepted > 500,
            "the generator should produce valid addresses too ({accepted})"
        );
    }
}
