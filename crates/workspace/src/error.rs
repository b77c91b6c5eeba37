//! Errors of workspace use cases, each naming the file (and line or block) a user can fix.

use std::path::PathBuf;

use tessera_core::Diagnostic;

/// Why a workspace operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WorkspaceError {
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// `tessera.toml` is invalid.
    #[error("{}: {message}", path.display())]
    Config {
        /// The file.
        path: PathBuf,
        /// What is wrong, with line and column.
        message: String,
    },
    /// A JSON file is invalid.
    #[error("{}: line {line}, column {column}: {message}", path.display())]
    Json {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// A block type folder is invalid.
    #[error("{}: {source}", path.display())]
    BlockType {
        /// The folder.
        path: PathBuf,
        /// What is wrong.
        source: tessera_core::model::BlockTypeError,
    },
    /// No email of that name or path.
    #[error("no email \"{name}\" in {place}{}", if available.is_empty() { String::new() } else { format!(" (emails: {})", available.join(", ")) })]
    EmailNotFound {
        /// What was asked for.
        name: String,
        /// Where we looked.
        place: String,
        /// What exists.
        available: Vec<String>,
    },
    /// The email has problems that stop it rendering.
    #[error("{}: the email cannot render:\n{}", path.display(), diagnostics.iter().map(|d| format!("  - {d}")).collect::<Vec<_>>().join("\n"))]
    Invalid {
        /// The document.
        path: PathBuf,
        /// The problems.
        diagnostics: Vec<Diagnostic>,
    },
    /// Compiling failed for a reason in the markup.
    #[error("{}: {source}", path.display())]
    Compile {
        /// The document.
        path: PathBuf,
        /// Why.
        source: tessera_core::CompileError,
    },
    /// The email cannot be exported to the target.
    #[error("{}: {source}", path.display())]
    Export {
        /// The document.
        path: PathBuf,
        /// Why.
        source: tessera_core::export::ExportError,
    },
    /// The profile store failed or refused an import.
    #[error(transparent)]
    Store(#[from] tessera_store::StoreError),
    /// A segment definition file is invalid.
    #[error("{}: {message}", path.display())]
    Segment {
        /// The file (`segments/<name>.json`).
        path: PathBuf,
        /// What is wrong and where (a JSON path).
        message: String,
    },
    /// The segment definitions do not fit together (unknown reference, cycle, unknown name).
    #[error("{}: {source}", path.display())]
    Segments {
        /// The segments folder.
        path: PathBuf,
        /// What is wrong.
        source: tessera_store::segments::SegmentError,
    },
    /// The embedded demo has no folder to keep a store in.
    #[error("the demo workspace built into tessera is read-only and has no profile store; create a workspace with `tessera init DIR` and use --workspace DIR")]
    DemoHasNoStore,
    /// A test send could not start (settings, password, address, image, outbox).
    #[error(transparent)]
    Send(#[from] tessera_send::SendError),
    /// Some recipient addresses are invalid; nothing was sent.
    #[error("nothing was sent: {}", invalid.iter().map(|(a, r)| format!("\"{}\" is not a valid address ({r})", tessera_send::error::show(a))).collect::<Vec<_>>().join("; "))]
    InvalidRecipients {
        /// Each invalid address and why.
        invalid: Vec<(String, String)>,
    },
    /// `tessera send` was given no recipient.
    #[error("no recipient: give --to ADDR[,ADDR...]")]
    NoRecipients,
    /// A version-store operation failed (not a repository, unknown version, no author, ...).
    #[error(transparent)]
    History(#[from] tessera_history::HistoryError),
    /// The embedded demo has no folder to keep versions in.
    #[error("the demo workspace built into tessera has no versions; create a workspace with `tessera init DIR` and use --workspace DIR")]
    DemoHasNoHistory,
    /// An email name that cannot name a file in `emails/`.
    #[error("\"{name}\" is not an email name (lowercase letters, digits and dashes, like welcome)")]
    BadEmailName {
        /// What was given.
        name: String,
    },
    /// The email exists in neither version compared (or not in the version to restore).
    #[error("email \"{email}\" is not in version {from}{}", if from == to { String::new() } else { format!(" nor in {to}") })]
    NotInVersions {
        /// The email.
        email: String,
        /// One side.
        from: String,
        /// The other side.
        to: String,
    },
    /// A block type that is not in the library and used nowhere.
    #[error("no block type \"{name}\" in the library, the emails or their versions (types: {})", available.join(", "))]
    UnknownBlockType {
        /// What was asked for.
        name: String,
        /// The library's types.
        available: Vec<String>,
    },
    /// A folder that should be new already holds a workspace.
    #[error("{} already holds a workspace (tessera.toml exists); choose an empty folder", path.display())]
    AlreadyExists {
        /// The folder.
        path: PathBuf,
    },
}

impl WorkspaceError {
    /// True when the user's input is at fault (exit code 1), false for internal failures (exit code 2).
    #[must_use]
    pub fn is_input_error(&self) -> bool {
        match self {
            Self::Io { source, .. } => matches!(
                source.kind(),
                std::io::ErrorKind::NotFound
                    | std::io::ErrorKind::IsADirectory
                    | std::io::ErrorKind::InvalidData
                    | std::io::ErrorKind::PermissionDenied
                    | std::io::ErrorKind::AlreadyExists
            ),
            Self::Compile { .. } => false,
            Self::Store(e) => e.is_input_error(),
            Self::History(e) => e.is_input_error(),
            Self::Send(tessera_send::SendError::Io { source, .. }) => source.kind() == std::io::ErrorKind::NotFound,
            _ => true,
        }
    }

    pub(crate) fn json(path: PathBuf, e: &serde_json::Error) -> Self {
        let message = tessera_core::diagnostics::without_serde_location(e);
        Self::Json {
            path,
            line: e.line(),
            column: e.column(),
            message,
        }
    }
}
