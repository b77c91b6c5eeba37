//! Errors of the profile store.

use std::path::PathBuf;

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// SQLite failed.
    #[error("{}: {source}", path.display())]
    Sqlite {
        /// The database file.
        path: PathBuf,
        /// SQLite's error.
        source: rusqlite::Error,
    },
    /// The database was opened, but without the durability settings Tessera requires.
    #[error("{}: {setting} is {actual}, expected {expected}", path.display())]
    Settings {
        /// The database file.
        path: PathBuf,
        /// The pragma.
        setting: &'static str,
        /// What SQLite reports.
        actual: String,
        /// What Tessera needs.
        expected: &'static str,
    },
    /// The database was written by a newer Tessera.
    #[error("{}: the store has schema version {found}, this Tessera knows up to {known}; update Tessera", path.display())]
    NewerSchema {
        /// The database file.
        path: PathBuf,
        /// Its version.
        found: i64,
        /// The newest this build knows.
        known: i64,
    },
    /// A file could not be read.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The whole import file was refused; nothing was written.
    #[error("{}: {reason}; nothing was imported", path.display())]
    Refused {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// A mapping file is invalid.
    #[error("{}: {message}", path.display())]
    Mapping {
        /// The mapping file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// An option is invalid (e.g. `--timezone`).
    #[error("{0}")]
    Option(String),
    /// No profile matches.
    #[error("no profile matches \"{0}\"")]
    ProfileNotFound(String),
    /// Segment definitions that cannot be used.
    #[error(transparent)]
    Segment(#[from] crate::segments::SegmentError),
    /// The work was cancelled before it finished; nothing of it was written.
    #[error("cancelled: nothing was written")]
    Cancelled,
    /// The system gave no random bytes for a signing key.
    #[error("no random bytes for a signing key: {0}")]
    Random(String),
}

impl StoreError {
    /// A SQLite error on the store at `path`.
    pub(crate) fn sql(path: &std::path::Path, source: rusqlite::Error) -> Self {
        Self::Sqlite {
            path: path.to_path_buf(),
            source,
        }
    }

    /// A SQLite error where the store's path is not at hand (see [`StoreError::with_path`]).
    pub(crate) fn sql_unknown(source: rusqlite::Error) -> Self {
        Self::sql(std::path::Path::new(crate::STORE_FILE), source)
    }

    /// The error with the store's real path.
    #[must_use]
    pub(crate) fn with_path(self, path: &std::path::Path) -> Self {
        match self {
            Self::Sqlite { source, .. } => Self::sql(path, source),
            other => other,
        }
    }

    /// True when the user's input is at fault (exit code 1).
    #[must_use]
    pub fn is_input_error(&self) -> bool {
        !matches!(
            self,
            Self::Sqlite { .. } | Self::Settings { .. } | Self::Cancelled | Self::Random(_)
        )
    }
}
