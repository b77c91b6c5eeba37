//! Send screen: the SMTP profiles and sender of the workspace, storing a profile's password in the
//! OS keyring, test sends with a result per recipient, and the local outbox when no SMTP is set.

use serde::{Deserialize, Serialize};
use tessera_send::{password, Password};

use crate::send::{Route, SendReport, SendRequest};
use crate::{Workspace, WorkspaceError};

/// The largest part of an outbox message shown (its source is cut after this many bytes).
pub const MAX_SHOWN_BYTES: usize = 256 * 1024;

/// An `[smtp.<name>]` profile as the send dialog shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SmtpInfo {
    /// The profile name.
    pub name: String,
    /// `host:port`.
    pub server: String,
    /// `tls`, `starttls` or `none`.
    pub security: String,
    /// The login, when the server needs one (its password is in the keyring or the environment).
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// The environment variable that may hold the password instead of the keyring.
    pub password_env: String,
}

/// What the send dialog needs to know about the workspace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SendSetup {
    /// The SMTP profiles (`[smtp.*]`); a profile that does not check out is left out and named in
    /// `problems`.
    pub smtp: Vec<SmtpInfo>,
    /// Where a send goes by default: a profile name, or `None` for the outbox.
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_smtp: Option<String>,
    /// The sender (`[send] from`), when set.
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// The outbox folder.
    pub outbox: String,
    /// Profiles that could not be read, with why.
    pub problems: Vec<String>,
}

/// Where a test send goes, as chosen in the dialog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum RouteChoice {
    /// The configured default (`[send] smtp`, the only profile, or the outbox).
    Default,
    /// The local outbox.
    Outbox,
    /// A named SMTP profile.
    Profile(String),
    /// A one-off `smtp://host:port` (loopback) or `smtps://` URL.
    Url(String),
}

/// A test send as the dialog asks for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SendForm {
    /// The saved email to send.
    pub email: String,
    /// Seed addresses (each entry may hold several, separated by commas).
    pub to: Vec<String>,
    /// Stored profiles to render as; none: the first sample recipient.
    pub profiles: Vec<String>,
    /// Where to send.
    pub route: RouteChoice,
}

/// A message of the local outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct OutboxItem {
    /// Its id (file name without `.eml`).
    pub id: String,
    /// Decoded subject.
    pub subject: String,
    /// Recipient.
    pub to: String,
    /// Date header.
    pub date: String,
    /// Size in bytes.
    pub size_bytes: u32,
}

/// One outbox message opened: its headers and its source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct OutboxMessage {
    /// The file.
    pub path: String,
    /// Header fields, decoded, in order.
    pub headers: Vec<(String, String)>,
    /// The message source (cut after [`MAX_SHOWN_BYTES`]).
    pub source: String,
}

/// The workspace's SMTP profiles, default route and sender.
///
/// # Errors
/// The demo has no outbox.
pub fn setup(ws: &Workspace) -> Result<SendSetup, WorkspaceError> {
    let mut smtp = Vec::new();
    let mut problems = Vec::new();
    for name in ws.config.smtp.keys() {
        match ws.smtp_target(name) {
            Ok(t) => smtp.push(SmtpInfo {
                name: name.clone(),
                server: t.server(),
                security: t.security.name().to_owned(),
                user: t.user.clone(),
                password_env: t.password_env.clone(),
            }),
            Err(e) => problems.push(e.to_string()),
        }
    }
    let default_smtp = ws
        .config
        .send
        .smtp
        .clone()
        .or_else(|| (smtp.len() == 1).then(|| smtp[0].name.clone()));
    Ok(SendSetup {
        smtp,
        default_smtp,
        from: ws.config.send.from.clone(),
        outbox: ws.outbox_dir()?.display().to_string(),
        problems,
    })
}

/// Stores the password of SMTP profile `profile` in the OS keyring (as `tessera smtp
/// set-password` does).
///
/// # Errors
/// No such profile, a profile without a user, an empty password, no keyring.
pub fn store_password(ws: &Workspace, profile: &str, secret: String) -> Result<(), WorkspaceError> {
    let target = ws.smtp_target(profile)?;
    if secret.is_empty() {
        return Err(tessera_send::SendError::Settings {
            place: format!("[smtp.{profile}]"),
            message: "no password given; nothing was stored".to_owned(),
        }
        .into());
    }
    Ok(password::store(&target, &Password::new(secret))?)
}

/// Sends the test: one message per (profile, address), every result in the report (delivery
/// failures included).
///
/// # Errors
/// Anything found before the first message leaves (addresses, settings, password, a missing
/// profile, a render or image problem).
pub fn send(ws: &mut Workspace, form: &SendForm) -> Result<SendReport, WorkspaceError> {
    let request = SendRequest {
        email: form.email.clone(),
        to: form.to.clone(),
        profiles: form
            .profiles
            .iter()
            .map(|p| p.trim().to_owned())
            .filter(|p| !p.is_empty())
            .collect(),
        route: match &form.route {
            RouteChoice::Default => Route::Default,
            RouteChoice::Outbox => Route::Outbox,
            RouteChoice::Profile(name) => Route::Profile(name.clone()),
            RouteChoice::Url(url) => Route::Url(url.trim().to_owned()),
        },
    };
    ws.send_test(&request, &mut |_| {})
}

/// The outbox's messages, newest first.
///
/// # Errors
/// The demo has no outbox; an unreadable message.
pub fn outbox(ws: &Workspace) -> Result<Vec<OutboxItem>, WorkspaceError> {
    Ok(tessera_send::outbox::list(&ws.outbox_dir()?)?
        .into_iter()
        .map(|e| OutboxItem {
            id: e.id,
            subject: e.subject,
            to: e.to,
            date: e.date,
            size_bytes: u32::try_from(e.size_bytes).unwrap_or(u32::MAX),
        })
        .collect())
}

/// One outbox message, by id.
///
/// # Errors
/// No such message, an unreadable file.
pub fn outbox_message(ws: &Workspace, id: &str) -> Result<OutboxMessage, WorkspaceError> {
    let entry = tessera_send::outbox::find(&ws.outbox_dir()?, id)?;
    let bytes = std::fs::read(&entry.path).map_err(|source| WorkspaceError::Io {
        path: entry.path.clone(),
        source,
    })?;
    let shown = &bytes[..bytes.len().min(MAX_SHOWN_BYTES)];
    Ok(OutboxMessage {
        path: entry.path.display().to_string(),
        headers: tessera_send::outbox::read_headers(&bytes),
        source: String::from_utf8_lossy(shown).into_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_smtp_a_test_goes_to_the_outbox_and_can_be_read_back() {
        let dir = tempfile::tempdir().expect("temp dir");
        crate::init(dir.path()).expect("init");
        let mut ws = Workspace::open(dir.path()).expect("open");
        let s = setup(&ws).expect("setup");
        assert!(s.smtp.is_empty() && s.default_smtp.is_none());
        let form = SendForm {
            email: "welcome".into(),
            to: vec!["seed@example.com, other@example.com".into()],
            profiles: vec![],
            route: RouteChoice::Default,
        };
        let report = send(&mut ws, &form).expect("send");
        assert_eq!(report.messages.len(), 2);
        let items = outbox(&ws).expect("outbox");
        assert_eq!(items.len(), 2);
        let message = outbox_message(&ws, &items[0].id).expect("message");
        assert!(
            message
                .headers
                .iter()
                .any(|(k, v)| k == "Subject" && v.contains("[TEST]")),
            "{:?}",
            message.headers
        );
        let bad = SendForm {
            to: vec!["not an address".into()],
            ..form
        };
        assert!(send(&mut ws, &bad).is_err());
        assert_eq!(outbox(&ws).expect("outbox").len(), 2);
        assert!(store_password(&ws, "nope", "x".into()).is_err());
    }
}
