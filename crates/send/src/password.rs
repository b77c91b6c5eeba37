//! SMTP passwords: from an environment variable (automation) or the OS keyring (Secret Service on
//! Linux, Keychain on macOS, Credential Manager on Windows). Never from a file; with no keyring the
//! answer is a clear error, never a plaintext fallback.

use std::fmt;

use crate::error::SendError;
use crate::settings::SmtpTarget;

/// The keyring service name under which Tessera keeps SMTP passwords (account: `user@host`).
pub const KEYRING_SERVICE: &str = "tessera-smtp";

/// A password. `Debug` hides it and there is no `Display`, so it cannot end up in a message.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    /// Wraps a password.
    #[must_use]
    pub fn new(secret: String) -> Self {
        Self(secret)
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<hidden>)")
    }
}

/// Where a password was found (for messages; never the password).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PasswordOrigin {
    /// The named environment variable.
    Environment(String),
    /// The OS keyring.
    Keyring,
}

/// Finds the password of `target`: `None` when it has no user (no login), else from its
/// environment variable, else (profiles only) from the OS keyring.
///
/// # Errors
/// No password anywhere ([`SendError::PasswordMissing`]), no keyring to ask
/// ([`SendError::KeyringUnavailable`]), or another keyring failure.
pub fn lookup(target: &SmtpTarget) -> Result<Option<(Password, PasswordOrigin)>, SendError> {
    let Some(user) = &target.user else {
        return Ok(None);
    };
    if let Some(value) = std::env::var_os(&target.password_env).filter(|v| !v.is_empty()) {
        let value = value.into_string().map_err(|_| SendError::Settings {
            place: target.password_env.clone(),
            message: "the password is not valid UTF-8".to_owned(),
        })?;
        return Ok(Some((
            Password(value),
            PasswordOrigin::Environment(target.password_env.clone()),
        )));
    }
    let missing = || SendError::PasswordMissing {
        profile: target.label.clone(),
        account: target.account(),
        env_var: target.password_env.clone(),
    };
    if !target.use_keyring {
        return Err(missing());
    }
    let entry = entry(target, user)?;
    match entry.get_password() {
        Ok(secret) => Ok(Some((Password(secret), PasswordOrigin::Keyring))),
        Err(keyring::Error::NoEntry) => Err(missing()),
        Err(e) => Err(keyring_error(target, &e)),
    }
}

/// Stores the password of `target` in the OS keyring.
///
/// # Errors
/// No user in the profile, no keyring, or the keyring refused.
pub fn store(target: &SmtpTarget, password: &Password) -> Result<(), SendError> {
    let Some(user) = &target.user else {
        return Err(SendError::Settings {
            place: format!("[smtp.{}]", target.label),
            message: "has no user, so it needs no password".to_owned(),
        });
    };
    entry(target, user)?
        .set_password(password.expose())
        .map_err(|e| keyring_error(target, &e))
}

fn entry(target: &SmtpTarget, user: &str) -> Result<keyring::Entry, SendError> {
    keyring::Entry::new(KEYRING_SERVICE, &format!("{user}@{}", target.host)).map_err(|e| keyring_error(target, &e))
}

fn keyring_error(target: &SmtpTarget, e: &keyring::Error) -> SendError {
    match e {
        keyring::Error::PlatformFailure(inner) | keyring::Error::NoStorageAccess(inner) => {
            SendError::KeyringUnavailable {
                account: target.account(),
                reason: one_line(&inner.to_string()),
                env_var: target.password_env.clone(),
            }
        }
        other => SendError::Keyring {
            account: target.account(),
            reason: one_line(&other.to_string()),
        },
    }
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn debug_output_hides_the_password() {
        let p = super::Password::new("hunter2".to_owned());
        assert!(!format!("{p:?}").contains("hunter2"));
    }
}
