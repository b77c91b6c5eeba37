//! Why a version-store operation failed, naming the folder, version or file involved.

use std::path::PathBuf;

/// Why a version-store operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HistoryError {
    /// The folder is not the root of a git repository.
    #[error("{} is not a git repository yet", path.display())]
    NotARepository {
        /// The folder.
        path: PathBuf,
    },
    /// The folder is already a git repository.
    #[error("{} is already a git repository", path.display())]
    AlreadyARepository {
        /// The folder.
        path: PathBuf,
    },
    /// The repository has no version yet.
    #[error("{} has no saved version yet", path.display())]
    NoVersions {
        /// The folder.
        path: PathBuf,
    },
    /// A version name that names no commit.
    #[error("no version \"{spec}\" in {}: a version is named by its id (a prefix of at least 4 characters is enough), HEAD, or HEAD~N", path.display())]
    UnknownVersion {
        /// What was asked for.
        spec: String,
        /// The repository.
        path: PathBuf,
    },
    /// No author given and git has none configured.
    #[error("no author for this version: none was given and git has no user.name and user.email configured")]
    NoAuthor,
    /// An author that is not `NAME <EMAIL>`.
    #[error("author \"{given}\" is not of the form \"NAME <EMAIL>\"")]
    BadAuthor {
        /// What was given.
        given: String,
    },
    /// An empty message.
    #[error("a version needs a message that says what changed")]
    EmptyMessage,
    /// Nothing differs from the last version.
    #[error("nothing to save: {} has no change since the last version", path.display())]
    NothingToSave {
        /// The folder.
        path: PathBuf,
    },
    /// Another process holds a git lock file and did not release it in time.
    #[error("{} is held by another git process{}; let it finish and save again (if no git is running, delete that file)", path.display(), holder.as_ref().map(|h| format!(" ({h})")).unwrap_or_default())]
    Locked {
        /// The lock file.
        path: PathBuf,
        /// The git process found running in the repository, as `pid N: git ...`.
        holder: Option<String>,
    },
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// libgit2 failed.
    #[error("{}: {what}: {}", path.display(), source.message())]
    Git {
        /// The repository.
        path: PathBuf,
        /// What was being done.
        what: String,
        /// libgit2's error.
        source: git2::Error,
    },
}

impl HistoryError {
    /// True when the user's input or the folder's state is at fault, false for internal failures.
    #[must_use]
    pub fn is_input_error(&self) -> bool {
        !matches!(self, Self::Git { .. } | Self::Io { .. })
    }
}
