//! Errors of test sends: problems found before anything is sent ([`SendError`]) and why one
//! message could not be delivered ([`DeliveryError`]). No message ever holds a password.

use std::path::PathBuf;

/// A problem found before anything was sent: settings, passwords, message content, the outbox.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SendError {
    /// A setting in `tessera.toml` (`[send]`, `[smtp.<name>]`) or in `--smtp-url` is invalid.
    #[error("{place}: {message}")]
    Settings {
        /// Where: `[smtp.work]`, `[send]` or `--smtp-url`.
        place: String,
        /// What is wrong.
        message: String,
    },
    /// A password was found in a file or URL, where Tessera never reads one from.
    #[error("{place}: a password was given here; Tessera never reads passwords from files or URLs. {hint}")]
    PasswordNotAllowedHere {
        /// Where it was found.
        place: String,
        /// Where passwords go instead.
        hint: String,
    },
    /// The profile has a user but no password was found in the environment or the keyring.
    #[error("no password for {account} (SMTP profile {profile}): none in the OS keyring, and {env_var} is not set")]
    PasswordMissing {
        /// The SMTP profile.
        profile: String,
        /// `user@host`.
        account: String,
        /// The environment variable that would be read.
        env_var: String,
    },
    /// No password in the environment, and no OS keyring to look in. Never falls back to a file.
    #[error("no OS keyring is available to read the password for {account} ({reason}); for automation set {env_var}")]
    KeyringUnavailable {
        /// `user@host`.
        account: String,
        /// What the keyring reported.
        reason: String,
        /// The environment variable that would be read.
        env_var: String,
    },
    /// The keyring refused to store or read an entry for another reason.
    #[error("the OS keyring failed for {account}: {reason}")]
    Keyring {
        /// `user@host`.
        account: String,
        /// What the keyring reported.
        reason: String,
    },
    /// A recipient, sender or reply-to address is invalid.
    #[error("{what} \"{address}\" is not a valid address: {reason}")]
    Address {
        /// Which address (recipient, `[send] from`, ...).
        what: String,
        /// The address as given (control characters shown escaped).
        address: String,
        /// Why.
        reason: String,
    },
    /// A local image of the email cannot be embedded.
    #[error("image \"{src}\": {reason}")]
    Image {
        /// The `src` as written in the email.
        src: String,
        /// Why.
        reason: String,
    },
    /// The message could not be assembled.
    #[error("the message cannot be built: {0}")]
    Build(String),
    /// A file (certificate, outbox) could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// No outbox message matches.
    #[error("no message \"{0}\" in the outbox")]
    NotInOutbox(String),
}

/// Why one message was not delivered. Each kind has its own readable message; none holds a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DeliveryError {
    /// `security = "starttls"` but the server does not offer STARTTLS. Nothing was sent, no password
    /// either.
    #[error("{server} does not offer STARTTLS, and this profile requires it (security = \"starttls\"); nothing was sent and no password was sent")]
    StartTlsNotOffered {
        /// `host:port`.
        server: String,
    },
    /// The server's certificate was refused.
    #[error("{server} presented a TLS certificate that is not trusted ({reason}); if the server uses a private CA, name its certificate in the profile's ca_file")]
    BadCertificate {
        /// `host:port`.
        server: String,
        /// What the TLS library found.
        reason: String,
    },
    /// The TLS handshake failed for another reason.
    #[error("TLS with {server} failed: {reason}")]
    Tls {
        /// `host:port`.
        server: String,
        /// What the TLS library found.
        reason: String,
    },
    /// The server refused the user name or password.
    #[error("{server} refused the login of {user} (wrong user name or password): {reply}")]
    AuthFailed {
        /// `host:port`.
        server: String,
        /// The user name.
        user: String,
        /// The server's reply.
        reply: String,
    },
    /// The server offers no login mechanism Tessera can use (or none on an unencrypted connection).
    #[error("{server} offers no way to log in (no AUTH PLAIN or LOGIN on this connection); check the profile's security and user")]
    AuthUnavailable {
        /// `host:port`.
        server: String,
    },
    /// The server wants a login and the profile has no user.
    #[error("{server} requires a login: set user in the SMTP profile ({reply})")]
    AuthRequired {
        /// `host:port`.
        server: String,
        /// The server's reply.
        reply: String,
    },
    /// The server did not answer in time.
    #[error("{server} did not answer within {seconds} s (timeout)")]
    Timeout {
        /// `host:port`.
        server: String,
        /// The timeout.
        seconds: u64,
    },
    /// Nothing listens at the address.
    #[error("{server} refused the connection (is the SMTP server running, and is the port right?)")]
    ConnectionRefused {
        /// `host:port`.
        server: String,
    },
    /// Another network failure (name resolution, reset, ...).
    #[error("cannot reach {server}: {reason}")]
    Network {
        /// `host:port`.
        server: String,
        /// The OS error.
        reason: String,
    },
    /// The server refused this message or recipient for good (5xx).
    #[error("the server rejected it: {reply}")]
    Rejected {
        /// The server's reply, with its code.
        reply: String,
    },
    /// The server refused this message or recipient for now (4xx).
    #[error("the server deferred it (temporary failure): {reply}")]
    Deferred {
        /// The server's reply, with its code.
        reply: String,
    },
    /// The outbox file could not be written.
    #[error("the outbox could not be written: {reason}")]
    Outbox {
        /// The OS error.
        reason: String,
    },
    /// Any other protocol failure.
    #[error("SMTP failed: {reason}")]
    Protocol {
        /// What lettre reported.
        reason: String,
    },
    /// Not attempted because an earlier message of the batch hit a failure of the connection
    /// itself (one that would repeat for every message).
    #[error("not attempted: {reason}")]
    NotAttempted {
        /// The earlier failure.
        reason: String,
    },
}

impl DeliveryError {
    /// True for failures of the server connection, login or TLS: they would repeat for every other
    /// message of the batch, so the batch stops and the rest are recorded as not attempted.
    #[must_use]
    pub fn stops_batch(&self) -> bool {
        !matches!(
            self,
            Self::Rejected { .. } | Self::Deferred { .. } | Self::Protocol { .. } | Self::NotAttempted { .. }
        )
    }

    /// A short stable code for logs and the desktop app (`starttls_not_offered`, `auth_failed`, ...).
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::StartTlsNotOffered { .. } => "starttls_not_offered",
            Self::BadCertificate { .. } => "bad_certificate",
            Self::Tls { .. } => "tls",
            Self::AuthFailed { .. } => "auth_failed",
            Self::AuthUnavailable { .. } => "auth_unavailable",
            Self::AuthRequired { .. } => "auth_required",
            Self::Timeout { .. } => "timeout",
            Self::ConnectionRefused { .. } => "connection_refused",
            Self::Network { .. } => "network",
            Self::Rejected { .. } => "rejected",
            Self::Deferred { .. } => "deferred",
            Self::Outbox { .. } => "outbox",
            Self::Protocol { .. } => "protocol",
            Self::NotAttempted { .. } => "not_attempted",
        }
    }
}

/// Shows text from input in a message with control characters escaped, so an error line can
/// never be split or forged by the value it quotes.
#[must_use]
pub fn show(value: &str) -> String {
    value.chars().flat_map(char::escape_debug).collect::<String>()
}
