//! Why an email cannot be imported: each error names the file, the line when there is one, and
//! the reason.

/// An import that failed as a whole (nothing is written).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ImportError {
    /// The input is larger than [`crate::MAX_INPUT_BYTES`].
    #[error("{file}: {size} bytes is more than the {limit} bytes an email can be imported from")]
    TooLarge {
        /// The file's name.
        file: String,
        /// Its size in bytes.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// MJML that does not parse.
    #[error("{file}:{line}: {reason}")]
    Mjml {
        /// The file's name.
        file: String,
        /// 1-based line.
        line: usize,
        /// What is wrong, in mrml's words.
        reason: String,
    },
    /// Markup nested deeper than [`crate::MAX_DEPTH`] where it cannot be flattened (MJML).
    #[error("{file}:{line}: elements are nested more than {limit} levels deep")]
    TooDeep {
        /// The file's name.
        file: String,
        /// 1-based line of the element past the limit.
        line: usize,
        /// The limit.
        limit: usize,
    },
    /// The input holds no email: no body, no MJML body, nothing to make blocks of.
    #[error("{file}: {reason}")]
    NotAnEmail {
        /// The file's name.
        file: String,
        /// What was missing.
        reason: String,
    },
    /// A field mapping file (`--map FILE.toml`) that cannot be used.
    #[error("{file}:{line}: {reason}")]
    Mapping {
        /// The mapping file's name.
        file: String,
        /// 1-based line (0 when the problem is not on one line).
        line: usize,
        /// What is wrong.
        reason: String,
    },
}

/// The 1-based line of a byte offset in `source`.
#[must_use]
pub(crate) fn line_of(source: &str, offset: usize) -> usize {
    let end = offset.min(source.len());
    source.as_bytes().iter().take(end).filter(|&&b| b == b'\n').count() + 1
}
