//! Send settings from `tessera.toml`: the sender (`[send]`) and SMTP profiles (`[smtp.<name>]`),
//! and the one-off `--smtp-url smtp://host:port` form. Nothing here holds a password.

use std::fmt::Write as _;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::error::{show, SendError};

/// The default subject prefix of test sends.
pub const DEFAULT_SUBJECT_PREFIX: &str = "[TEST]";
/// The default SMTP timeout (connect, and each read or write), in seconds.
pub const DEFAULT_TIMEOUT_SECS: u64 = 30;
/// The environment variable holding the password for `--smtp-url`.
pub const URL_PASSWORD_ENV: &str = "TESSERA_SMTP_PASSWORD";

/// `[send]`: who test sends come from and what they carry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SendSettings {
    /// The From address (required to send).
    #[serde(default)]
    pub from: Option<String>,
    /// The From display name.
    #[serde(default)]
    pub from_name: Option<String>,
    /// The Reply-To address.
    #[serde(default)]
    pub reply_to: Option<String>,
    /// Put before every subject (default `[TEST]`; `""` for none).
    #[serde(default = "default_prefix")]
    pub subject_prefix: String,
    /// An https URL for `List-Unsubscribe` (and one-click `List-Unsubscribe-Post`); `{email}` is
    /// replaced by the recipient's address, percent-encoded.
    #[serde(default)]
    pub unsubscribe_url: Option<String>,
    /// An address for a `mailto:` `List-Unsubscribe` entry.
    #[serde(default)]
    pub unsubscribe_mailto: Option<String>,
    /// The SMTP profile used when `tessera send` names none.
    #[serde(default)]
    pub smtp: Option<String>,
}

impl Default for SendSettings {
    fn default() -> Self {
        Self {
            from: None,
            from_name: None,
            reply_to: None,
            subject_prefix: default_prefix(),
            unsubscribe_url: None,
            unsubscribe_mailto: None,
            smtp: None,
        }
    }
}

fn default_prefix() -> String {
    DEFAULT_SUBJECT_PREFIX.to_owned()
}

/// How the connection to the server is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Security {
    /// Implicit TLS from the first byte (port 465).
    Tls,
    /// STARTTLS, required: a server that does not offer it gets nothing, not even the password.
    Starttls,
    /// No encryption: only for servers on this machine (loopback addresses).
    None,
}

impl Security {
    /// The usual port.
    #[must_use]
    pub fn default_port(self) -> u16 {
        match self {
            Self::Tls => 465,
            Self::Starttls => 587,
            Self::None => 25,
        }
    }

    /// The name as written in settings.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Tls => "tls",
            Self::Starttls => "starttls",
            Self::None => "none",
        }
    }
}

/// `[smtp.<name>]`: one SMTP server.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpProfile {
    /// Host name or IP address.
    pub host: String,
    /// Port (default by security: 465, 587 or 25).
    #[serde(default)]
    pub port: Option<u16>,
    /// `tls`, `starttls` (the default) or `none` (loopback hosts only).
    #[serde(default = "default_security")]
    pub security: Security,
    /// User name for AUTH; the password comes from the keyring or the environment.
    #[serde(default)]
    pub user: Option<String>,
    /// Seconds to wait for the connection and for each answer (default 30).
    #[serde(default)]
    pub timeout: Option<u64>,
    /// A PEM file of extra root certificates to trust (a private CA), relative to the workspace.
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    /// Never accepted: present only to refuse it with a clear message (the value is never kept).
    #[serde(default, rename = "password")]
    password_given: Option<serde::de::IgnoredAny>,
}

fn default_security() -> Security {
    Security::Starttls
}

/// A server to send to, resolved from a profile or a URL and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpTarget {
    /// The profile name, or `--smtp-url`.
    pub label: String,
    /// Host name or IP address.
    pub host: String,
    /// Port.
    pub port: u16,
    /// Connection security.
    pub security: Security,
    /// User name for AUTH.
    pub user: Option<String>,
    /// Connect and read/write timeout.
    pub timeout: Duration,
    /// Extra trusted root certificates (PEM).
    pub ca_file: Option<PathBuf>,
    /// The environment variable a password is read from.
    pub password_env: String,
    /// Whether the OS keyring is asked for the password (profiles yes, URLs no).
    pub use_keyring: bool,
}

impl SmtpTarget {
    /// `host:port` for messages.
    #[must_use]
    pub fn server(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }

    /// The keyring account: `user@host`.
    #[must_use]
    pub fn account(&self) -> String {
        format!("{}@{}", self.user.as_deref().unwrap_or(""), self.host)
    }
}

/// The environment variable holding the password of the account `user@host`, keyed like the
/// keyring by the account and not by the profile's name (a `tessera.toml` from someone else could
/// otherwise point a profile name at their own host and receive the password set for it):
/// `TESSERA_SMTP_PASSWORD_` and the account with letters upper-cased, digits kept and every other
/// byte written `_XX` in hex, so that two accounts never share a variable
/// (`me@smtp.example.com` → `TESSERA_SMTP_PASSWORD_ME_40SMTP_2EEXAMPLE_2ECOM`).
#[must_use]
pub fn password_env_for(account: &str) -> String {
    let mut name = format!("{URL_PASSWORD_ENV}_");
    for b in account.to_ascii_lowercase().bytes() {
        if b.is_ascii_alphanumeric() {
            name.push(char::from(b.to_ascii_uppercase()));
        } else {
            let _ = write!(name, "_{b:02X}");
        }
    }
    name
}

impl SmtpProfile {
    /// Checks the profile `name` and resolves it; `base` is the workspace folder (for `ca_file`).
    ///
    /// # Errors
    /// A password in the file, `none` for a host that is not loopback, a bad host, user or timeout.
    pub fn target(&self, name: &str, base: &Path) -> Result<SmtpTarget, SendError> {
        let place = format!("[smtp.{name}]");
        let account = format!("{}@{}", self.user.as_deref().unwrap_or(""), self.host.trim());
        let env = password_env_for(&account);
        if self.password_given.is_some() {
            return Err(SendError::PasswordNotAllowedHere {
                place,
                hint: format!("Store it in the OS keyring, or set {env}."),
            });
        }
        let target = SmtpTarget {
            label: name.to_owned(),
            host: self.host.trim().to_owned(),
            port: self.port.unwrap_or_else(|| self.security.default_port()),
            security: self.security,
            user: self.user.clone(),
            timeout: Duration::from_secs(self.timeout.unwrap_or(DEFAULT_TIMEOUT_SECS)),
            ca_file: self.ca_file.as_ref().map(|f| base.join(f)),
            password_env: env,
            use_keyring: true,
        };
        check_target(&target, &place)?;
        Ok(target)
    }
}

/// Parses `--smtp-url`: `smtp://[user@]host[:port][?security=starttls|none|tls&timeout=S&ca_file=PATH]`
/// or `smtps://...` (implicit TLS, port 465). `smtp://` means STARTTLS required (port 587), except
/// for loopback hosts, where it means no encryption (port 25). The password, if the server needs
/// one, comes from `TESSERA_SMTP_PASSWORD`; a password in the URL is refused.
///
/// # Errors
/// Anything but the forms above, or a security level not allowed for the host.
pub fn parse_smtp_url(url: &str, base: &Path) -> Result<SmtpTarget, SendError> {
    let place = "--smtp-url".to_owned();
    let bad = |message: String| SendError::Settings {
        place: place.clone(),
        message,
    };
    let (scheme, rest) = url.split_once("://").ok_or_else(|| {
        bad(format!(
            "\"{}\" is not a URL like smtp://host:port",
            show(&without_userinfo(url))
        ))
    })?;
    let implicit_tls = match scheme.to_ascii_lowercase().as_str() {
        "smtp" => false,
        "smtps" => true,
        other => {
            return Err(bad(format!(
                "the scheme must be smtp or smtps, not \"{}\"",
                show(other)
            )))
        }
    };
    let (authority, query) = rest.split_once('?').unwrap_or((rest, ""));
    let authority = authority.trim_end_matches('/');
    let (user, hostport) = match authority.rsplit_once('@') {
        Some((userinfo, hostport)) => {
            if userinfo.contains(':') {
                // The password itself is never repeated in the message.
                return Err(SendError::PasswordNotAllowedHere {
                    place,
                    hint: format!("Give only the user (smtp://user@host:port) and set {URL_PASSWORD_ENV}."),
                });
            }
            (Some(percent_decode(userinfo)), hostport)
        }
        None => (None, authority),
    };
    let (host, port) = split_host_port(hostport).map_err(bad)?;
    let mut security = if implicit_tls {
        Security::Tls
    } else if is_loopback(&host) {
        Security::None
    } else {
        Security::Starttls
    };
    let mut timeout = DEFAULT_TIMEOUT_SECS;
    let mut ca_file = None;
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match key {
            "security" => {
                security = match value {
                    "tls" => Security::Tls,
                    "starttls" => Security::Starttls,
                    "none" => Security::None,
                    other => {
                        return Err(bad(format!(
                            "security must be tls, starttls or none, not \"{}\"",
                            show(other)
                        )))
                    }
                }
            }
            "timeout" => {
                timeout = value
                    .parse()
                    .map_err(|_| bad(format!("timeout must be a number of seconds, not \"{}\"", show(value))))?;
            }
            "ca_file" => ca_file = Some(base.join(percent_decode(value))),
            other => {
                return Err(bad(format!(
                    "unknown option \"{}\" (known: security, timeout, ca_file)",
                    show(other)
                )))
            }
        }
    }
    let target = SmtpTarget {
        label: "--smtp-url".to_owned(),
        port: port.unwrap_or_else(|| security.default_port()),
        host,
        security,
        user,
        timeout: Duration::from_secs(timeout),
        ca_file,
        password_env: URL_PASSWORD_ENV.to_owned(),
        use_keyring: false,
    };
    check_target(&target, &place)?;
    Ok(target)
}

/// `url` with whatever precedes its last `@` replaced by `…`: the user and password of a malformed
/// URL are never repeated in a message.
fn without_userinfo(url: &str) -> String {
    match url.rsplit_once('@') {
        Some((_, host)) => format!("…@{host}"),
        None => url.to_owned(),
    }
}

fn split_host_port(hostport: &str) -> Result<(String, Option<u16>), String> {
    let (host, port) = if let Some(rest) = hostport.strip_prefix('[') {
        let (host, after) = rest
            .split_once(']')
            .ok_or_else(|| "an IPv6 address needs its closing ]".to_owned())?;
        (host, after.strip_prefix(':'))
    } else {
        match hostport.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (hostport, None),
        }
    };
    let port = port
        .map(|p| {
            p.parse::<u16>()
                .ok()
                .filter(|p| *p != 0)
                .ok_or_else(|| format!("\"{}\" is not a port number", show(p)))
        })
        .transpose()?;
    Ok((host.to_owned(), port))
}

fn check_target(target: &SmtpTarget, place: &str) -> Result<(), SendError> {
    let bad = |message: String| SendError::Settings {
        place: place.to_owned(),
        message,
    };
    let host = &target.host;
    if host.is_empty() {
        return Err(bad("host is empty".to_owned()));
    }
    if host.parse::<IpAddr>().is_err() && !host.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.') {
        return Err(bad(format!("\"{}\" is not a host name or IP address", show(host))));
    }
    if target.security == Security::None && !is_loopback(host) {
        return Err(bad(format!(
            "security = \"none\" is only allowed for servers on this machine (localhost, 127.0.0.1, ::1), not {}; use \"starttls\" or \"tls\"",
            show(host)
        )));
    }
    if let Some(user) = &target.user {
        if user.is_empty() || user.chars().any(char::is_control) {
            return Err(bad(
                "user must be a non-empty name without control characters".to_owned()
            ));
        }
    }
    let secs = target.timeout.as_secs();
    if secs == 0 || secs > 600 {
        return Err(bad(format!("timeout must be between 1 and 600 seconds, not {secs}")));
    }
    Ok(())
}

/// Whether `host` is this machine: `localhost` or a loopback address.
#[must_use]
pub fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host.to_ascii_lowercase().ends_with(".localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// `%XX` escapes of a URL part decoded (invalid escapes kept as written, invalid UTF-8 replaced).
#[must_use]
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (b, hex) {
            (b'%', Some(v)) => {
                out.push(v);
                i += 3;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(u: &str) -> Result<SmtpTarget, SendError> {
        parse_smtp_url(u, Path::new("/ws"))
    }

    #[test]
    fn urls_pick_security_by_scheme_and_host() {
        let t = url("smtp://mail.example.com").expect("valid");
        assert_eq!((t.security, t.port), (Security::Starttls, 587));
        let t = url("smtps://mail.example.com").expect("valid");
        assert_eq!((t.security, t.port), (Security::Tls, 465));
        let t = url("smtp://127.0.0.1:2525").expect("valid");
        assert_eq!((t.security, t.port), (Security::None, 2525));
        let t = url("smtp://me%40x.com@[::1]:1025?security=starttls&timeout=5").expect("valid");
        assert_eq!(t.host, "::1");
        assert_eq!(t.user.as_deref(), Some("me@x.com"));
        assert_eq!((t.security, t.port, t.timeout.as_secs()), (Security::Starttls, 1025, 5));
        assert_eq!(t.server(), "[::1]:1025");
    }

    #[test]
    fn urls_refuse_passwords_plaintext_to_remote_hosts_and_junk() {
        let e = url("smtp://me:hunter2@mail.example.com").expect_err("password refused");
        assert!(!e.to_string().contains("hunter2"), "{e}");
        assert!(e.to_string().contains("TESSERA_SMTP_PASSWORD"), "{e}");
        let e = url("smtp://mail.example.com?security=none").expect_err("plaintext refused");
        assert!(
            e.to_string().contains("only allowed for servers on this machine"),
            "{e}"
        );
        assert!(url("http://mail.example.com").is_err());
        assert!(url("smtp://mail.example.com:99999").is_err());
        assert!(url("smtp://mail example.com").is_err());
        assert!(url("smtp://a.com\r\nRCPT TO:<x@y.z>").is_err());
    }

    #[test]
    fn profiles_refuse_passwords_and_plaintext_to_remote_hosts() {
        let p: SmtpProfile =
            toml::from_str("host = \"smtp.example.com\"\nuser = \"me\"\npassword = \"hunter2\"").expect("parses");
        let e = p.target("work", Path::new("/ws")).expect_err("refused");
        assert!(!e.to_string().contains("hunter2"), "{e}");
        assert!(
            e.to_string()
                .contains("TESSERA_SMTP_PASSWORD_ME_40SMTP_2EEXAMPLE_2ECOM"),
            "{e}"
        );
        let p: SmtpProfile = toml::from_str("host = \"smtp.example.com\"\nsecurity = \"none\"").expect("parses");
        assert!(p.target("x", Path::new("/ws")).is_err());
        let p: SmtpProfile = toml::from_str("host = \"localhost\"\nsecurity = \"none\"\nport = 1025").expect("parses");
        assert_eq!(p.target("x", Path::new("/ws")).expect("loopback").port, 1025);
    }

    #[test]
    fn password_variables_are_keyed_by_account_not_by_profile_name() {
        assert_eq!(
            password_env_for("me@smtp.example.com"),
            "TESSERA_SMTP_PASSWORD_ME_40SMTP_2EEXAMPLE_2ECOM"
        );
        // Hosts that differ only in punctuation get different variables.
        assert_ne!(
            password_env_for("me@smtp-example.com"),
            password_env_for("me@smtp.example.com")
        );
        assert_ne!(
            password_env_for("me.smtp@example.com"),
            password_env_for("me@smtp.example.com")
        );
        // A workspace's profile named like the user's own cannot borrow its password for another host.
        let mine: SmtpProfile = toml::from_str("host = \"smtp.example.com\"\nuser = \"me\"").expect("parses");
        let theirs: SmtpProfile = toml::from_str("host = \"evil.example\"\nuser = \"me\"").expect("parses");
        let mine = mine.target("work", Path::new("/ws")).expect("valid");
        let theirs = theirs.target("work", Path::new("/ws")).expect("valid");
        assert_ne!(mine.password_env, theirs.password_env);
    }

    #[test]
    fn a_url_without_a_scheme_never_echoes_its_password() {
        let e = url("me:pw-secret-1@host").expect_err("no scheme");
        assert!(!e.to_string().contains("pw-secret-1"), "{e}");
        let e = url("me:pw-secret-1@host:25").expect_err("no scheme");
        assert!(!e.to_string().contains("pw-secret-1"), "{e}");
        let e = url("ftp:/me:pw-secret-1@host").expect_err("no scheme");
        assert!(!e.to_string().contains("pw-secret-1"), "{e}");
    }
}
