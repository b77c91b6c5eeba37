//! The author of a version: `NAME <EMAIL>`.

use std::str::FromStr;

use crate::HistoryError;

/// Who saved a version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Author {
    /// The name, e.g. `Ada Lovelace`.
    pub name: String,
    /// The email address.
    pub email: String,
}

impl FromStr for Author {
    type Err = HistoryError;

    /// Parses `NAME <EMAIL>` (as `git commit --author` takes it).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || HistoryError::BadAuthor { given: s.to_owned() };
        let s = s.trim();
        let (name, rest) = s.split_once('<').ok_or_else(bad)?;
        let email = rest.strip_suffix('>').ok_or_else(bad)?.trim();
        let name = name.trim();
        let forbidden = |t: &str| t.contains(['<', '>', '\n', '\0']);
        if name.is_empty() || email.is_empty() || !email.contains('@') || forbidden(name) || forbidden(email) {
            return Err(bad());
        }
        Ok(Self {
            name: name.to_owned(),
            email: email.to_owned(),
        })
    }
}

impl std::fmt::Display for Author {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} <{}>", self.name, self.email)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_name_and_email() {
        let a: Author = " Ada Lovelace <ada@example.com> ".parse().expect("valid");
        assert_eq!(a.name, "Ada Lovelace");
        assert_eq!(a.email, "ada@example.com");
        assert_eq!(a.to_string(), "Ada Lovelace <ada@example.com>");
    }

    #[test]
    fn refuses_what_is_not_name_and_email() {
        for bad in [
            "Ada",
            "<ada@example.com>",
            "Ada <>",
            "Ada <ada>",
            "Ada <a@b",
            "A<b> <a@b.c>",
        ] {
            assert!(bad.parse::<Author>().is_err(), "{bad} was accepted");
        }
    }
}
