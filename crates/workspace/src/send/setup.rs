//! What the send dialog and `tessera smtp` show of the workspace's sending: its SMTP profiles,
//! default route and sender; and storing a profile's password in the OS keyring.

use serde::Serialize;
use tessera_send::{password, Password};

use crate::{Workspace, WorkspaceError};

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
