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
    /// The folder holds no `tessera.toml`.
    #[error("{}: this folder is not a Tessera workspace (no {})", path.display(), crate::CONFIG_FILE)]
    NotAWorkspace {
        /// The folder.
        path: PathBuf,
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
        /// Why (boxed: the refusal it carries is large, and every result of the crate pays for
        /// the largest error).
        source: Box<tessera_core::export::ExportError>,
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
    #[error("the demo workspace built into tessera is read-only and has no profile store")]
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
    #[error("no recipient: give at least one seed address")]
    NoRecipients,
    /// A test send would build more messages than a test send may hold.
    #[error("nothing was sent: {profiles} profile(s) to {addresses} address(es) is {count} messages, and a test send holds at most {max}; send to fewer addresses or as fewer profiles")]
    TooManyMessages {
        /// Profiles (or the one sample).
        profiles: usize,
        /// Seed addresses.
        addresses: usize,
        /// Their product.
        count: usize,
        /// The bound.
        max: usize,
    },
    /// The open pixel or click links of a test send could not be added (`[live] base_url`).
    #[error("nothing was sent: {0}")]
    Tracking(String),
    /// An email's name cannot be the folder that holds its exports.
    #[error(
        "\"{0}\" cannot name a folder under exports/: an email name is one file name that does not start with a dot"
    )]
    BadExportFolder(String),
    /// A version-store operation failed (not a repository, unknown version, no author, ...).
    #[error(transparent)]
    History(#[from] tessera_history::HistoryError),
    /// The embedded demo has no folder to keep versions in.
    #[error("the demo workspace built into tessera has no versions")]
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
    /// The open workspace is the read-only demo built into the binary.
    #[error("the built-in demo is read-only: open a workspace folder to save your work")]
    ReadOnly,
    /// A new email's name is not usable as a file name.
    #[error("\"{0}\" cannot be an email name: use lowercase letters, digits and dashes, starting with a letter")]
    BadNewEmailName(String),
    /// A new email's name is taken.
    #[error("an email named \"{0}\" already exists in this workspace")]
    EmailExists(String),
    /// No sample recipient of that name.
    #[error("there is no sample recipient \"{0}\" in this workspace's data folder")]
    NoSample(String),
    /// A file refused as an asset (type by content, weight, dimensions).
    #[error("{file}: {reason}")]
    AssetRefused {
        /// The file as the user named it.
        file: String,
        /// Why.
        reason: String,
    },
    /// The workspace has no profile store yet.
    #[error("this workspace has no profile store yet: import profiles first")]
    NoStore,
    /// An email to import was refused as a whole (the message names the file, line and reason).
    #[error(transparent)]
    ImportEmail(#[from] tessera_import::ImportError),
    /// The browser a visual comparison draws with is not installed.
    #[error(
        "{}: Chromium is not installed, so the import cannot be compared visually (on Debian: \
         `apt-get install chromium`; elsewhere set {} to a Chromium or Chrome binary)",
        path.display(),
        crate::import_visual::CHROMIUM_VAR
    )]
    NoBrowser {
        /// Where it was looked for.
        path: PathBuf,
    },
    /// Drawing an email for the visual comparison failed.
    #[error("the visual comparison failed: {reason}")]
    VisualCompare {
        /// Why.
        reason: String,
    },
}

/// What kind of failure a [`WorkspaceError`] is: the one classification both front ends use. The
/// CLI turns it into an exit code ([`ErrorKind::is_input`]), the desktop shell into the `code` of
/// the error it sends the UI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The folder is not a Tessera workspace, or an invalid `tessera.toml`.
    NotAWorkspace,
    /// The email does not exist.
    EmailNotFound,
    /// The email file, a block type or the document has a mistake.
    InvalidDocument,
    /// A name was refused or names nothing (an email name, a block type).
    BadName,
    /// The workspace cannot be written to (the built-in demo).
    ReadOnly,
    /// A profile or sample recipient does not exist, or the store is missing.
    ProfileNotFound,
    /// A file the user named could not be read or written (missing, a folder, no permission).
    Io,
    /// A file to import was refused as a whole (format, encoding, columns, mapping, options).
    ImportRefused,
    /// A segment definition has a mistake (the message names its JSON path).
    InvalidSegment,
    /// An export target cannot express something the email uses, or is unknown.
    CannotExport,
    /// A test send could not start (addresses, sender, SMTP profile, password, keyring).
    SendRefused,
    /// A version could not be saved, compared or restored (no author, nothing changed, unknown
    /// version, not a repository).
    History,
    /// Long work was cancelled by the user before it finished (an import writes nothing).
    Cancelled,
    /// A failure that is not the user's to fix: SQLite, git, the disk, a bug.
    Internal,
}

impl ErrorKind {
    /// Every kind, in declaration order.
    pub const ALL: [Self; 14] = [
        Self::NotAWorkspace,
        Self::EmailNotFound,
        Self::InvalidDocument,
        Self::BadName,
        Self::ReadOnly,
        Self::ProfileNotFound,
        Self::Io,
        Self::ImportRefused,
        Self::InvalidSegment,
        Self::CannotExport,
        Self::SendRefused,
        Self::History,
        Self::Cancelled,
        Self::Internal,
    ];

    /// True when the user's input or the workspace's state is at fault (the CLI exits 1), false
    /// for internal failures (exit 2).
    #[must_use]
    pub fn is_input(self) -> bool {
        self != Self::Internal
    }
}

/// An I/O failure the user can act on (a missing file, a folder, no permission), as opposed to
/// the disk failing.
fn is_user_io(source: &std::io::Error) -> bool {
    matches!(
        source.kind(),
        std::io::ErrorKind::NotFound
            | std::io::ErrorKind::IsADirectory
            | std::io::ErrorKind::InvalidData
            | std::io::ErrorKind::PermissionDenied
            | std::io::ErrorKind::AlreadyExists
    )
}

/// The classification of a store error (also for front ends' services that use the store, such
/// as the live collector).
#[must_use]
pub fn store_kind(e: &tessera_store::StoreError) -> ErrorKind {
    use tessera_store::StoreError;
    match e {
        StoreError::Segment(_) => ErrorKind::InvalidSegment,
        StoreError::Refused { .. } | StoreError::Mapping { .. } | StoreError::Option(_) => ErrorKind::ImportRefused,
        StoreError::ProfileNotFound(_) => ErrorKind::ProfileNotFound,
        StoreError::Cancelled => ErrorKind::Cancelled,
        StoreError::Io { .. } | StoreError::NewerSchema { .. } => ErrorKind::Io,
        _ if e.is_input_error() => ErrorKind::ProfileNotFound,
        _ => ErrorKind::Internal,
    }
}

impl WorkspaceError {
    /// What kind of failure this is. Every variant is classified here, and only here.
    #[must_use]
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Io { source, .. } => {
                if is_user_io(source) {
                    ErrorKind::Io
                } else {
                    ErrorKind::Internal
                }
            }
            Self::NotAWorkspace { .. } | Self::Config { .. } | Self::AlreadyExists { .. } => ErrorKind::NotAWorkspace,
            Self::EmailNotFound { .. } => ErrorKind::EmailNotFound,
            Self::Json { .. } | Self::BlockType { .. } | Self::Invalid { .. } => ErrorKind::InvalidDocument,
            Self::Compile { .. } => ErrorKind::Internal,
            Self::Export { .. } => ErrorKind::CannotExport,
            Self::Store(e) => store_kind(e),
            Self::Segment { .. } | Self::Segments { .. } => ErrorKind::InvalidSegment,
            Self::DemoHasNoStore | Self::NoSample(_) | Self::NoStore => ErrorKind::ProfileNotFound,
            Self::Send(tessera_send::SendError::Io { source, .. }) if source.kind() != std::io::ErrorKind::NotFound => {
                ErrorKind::Internal
            }
            Self::Send(_)
            | Self::InvalidRecipients { .. }
            | Self::NoRecipients
            | Self::TooManyMessages { .. }
            | Self::Tracking(_) => ErrorKind::SendRefused,
            Self::History(e) if !e.is_input_error() => ErrorKind::Internal,
            Self::History(_) | Self::DemoHasNoHistory | Self::NotInVersions { .. } | Self::BadEmailName { .. } => {
                ErrorKind::History
            }
            Self::UnknownBlockType { .. }
            | Self::BadNewEmailName(_)
            | Self::EmailExists(_)
            | Self::BadExportFolder(_) => ErrorKind::BadName,
            Self::ReadOnly => ErrorKind::ReadOnly,
            Self::AssetRefused { .. } => ErrorKind::ImportRefused,
            Self::ImportEmail(_) => ErrorKind::ImportRefused,
            Self::NoBrowser { .. } => ErrorKind::Io,
            Self::VisualCompare { .. } => ErrorKind::Internal,
        }
    }

    /// True when the user's input is at fault (exit code 1), false for internal failures (exit code 2).
    #[must_use]
    pub fn is_input_error(&self) -> bool {
        self.kind().is_input()
    }

    pub(crate) fn export(path: PathBuf, source: tessera_core::export::ExportError) -> Self {
        Self::Export {
            path,
            source: Box::new(source),
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
