//! Delivery: the local outbox (lettre's file transport, one `.eml` per message) or an SMTP server
//! (lettre's SMTP transport over rustls), with lettre's errors turned into [`DeliveryError`]s.

use std::error::Error as StdError;
use std::path::{Path, PathBuf};

use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{FileTransport, SmtpTransport, Transport as _};

use crate::error::{DeliveryError, SendError};
use crate::message::BuiltMessage;
use crate::password::Password;
use crate::settings::{Security, SmtpTarget};

/// Where messages go.
pub struct Transport {
    inner: Inner,
    description: String,
}

enum Inner {
    Outbox {
        transport: FileTransport,
        dir: PathBuf,
    },
    Smtp {
        transport: Box<SmtpTransport>,
        target: SmtpTarget,
    },
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("description", &self.description)
            .finish()
    }
}

/// A delivered message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivered {
    /// The server's final reply (`250 ...`), or where the outbox file was written.
    pub response: String,
    /// The outbox file, for outbox deliveries.
    pub file: Option<PathBuf>,
}

impl Transport {
    /// The local outbox in `dir` (created if needed).
    ///
    /// # Errors
    /// The folder cannot be created.
    pub fn outbox(dir: &Path) -> Result<Self, SendError> {
        std::fs::create_dir_all(dir).map_err(|source| SendError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        Ok(Self {
            inner: Inner::Outbox {
                transport: FileTransport::new(dir),
                dir: dir.to_path_buf(),
            },
            description: format!("the outbox {}", dir.display()),
        })
    }

    /// An SMTP server. `password` is required when the target has a user.
    ///
    /// # Errors
    /// An unreadable or invalid `ca_file`, or TLS settings lettre refuses.
    pub fn smtp(target: &SmtpTarget, password: Option<&Password>) -> Result<Self, SendError> {
        let tls_parameters = || -> Result<TlsParameters, SendError> {
            let mut builder = TlsParameters::builder(target.host.clone());
            if let Some(ca) = &target.ca_file {
                let pem = std::fs::read(ca).map_err(|source| SendError::Io {
                    path: ca.clone(),
                    source,
                })?;
                let cert = Certificate::from_pem(&pem).map_err(|e| SendError::Settings {
                    place: format!("{} ca_file {}", target.label, ca.display()),
                    message: format!("not a PEM certificate: {e}"),
                })?;
                builder = builder.add_root_certificate(cert);
            }
            builder.build().map_err(|e| SendError::Settings {
                place: target.label.clone(),
                message: format!("TLS settings: {e}"),
            })
        };
        let tls = match target.security {
            Security::None => Tls::None,
            Security::Starttls => Tls::Required(tls_parameters()?),
            Security::Tls => Tls::Wrapper(tls_parameters()?),
        };
        let mut builder = SmtpTransport::builder_dangerous(target.host.clone())
            .port(target.port)
            .tls(tls)
            .timeout(Some(target.timeout));
        if let (Some(user), Some(password)) = (&target.user, password) {
            builder = builder.credentials(Credentials::new(user.clone(), password.expose().to_owned()));
        }
        let description = format!(
            "{} ({}, {})",
            target.server(),
            if target.label == "--smtp-url" {
                "--smtp-url".to_owned()
            } else {
                format!("profile {}", target.label)
            },
            target.security.name()
        );
        Ok(Self {
            inner: Inner::Smtp {
                transport: Box::new(builder.build()),
                target: target.clone(),
            },
            description,
        })
    }

    /// Where messages go, for messages to the user.
    #[must_use]
    pub fn describe(&self) -> &str {
        &self.description
    }

    /// A short name for the send log: `outbox`, `smtp:<profile>` or `smtp-url:<host:port>`.
    #[must_use]
    pub fn log_name(&self) -> String {
        match &self.inner {
            Inner::Outbox { .. } => "outbox".to_owned(),
            Inner::Smtp { target, .. } if target.label == "--smtp-url" => format!("smtp-url:{}", target.server()),
            Inner::Smtp { target, .. } => format!("smtp:{}", target.label),
        }
    }

    /// Delivers one message.
    ///
    /// # Errors
    /// Why it was not delivered.
    pub fn deliver(&self, message: &BuiltMessage) -> Result<Delivered, DeliveryError> {
        match &self.inner {
            Inner::Outbox { transport, dir } => {
                let id = transport
                    .send(&message.message)
                    .map_err(|e| DeliveryError::Outbox { reason: chain_text(&e) })?;
                let file = dir.join(format!("{id}.eml"));
                Ok(Delivered {
                    response: format!("written to {}", file.display()),
                    file: Some(file),
                })
            }
            Inner::Smtp { transport, target } => {
                let response = transport.send(&message.message).map_err(|e| classify(&e, target))?;
                let text = response.message().collect::<Vec<_>>().join(" ");
                Ok(Delivered {
                    response: format!("{} {}", response.code(), text).trim().to_owned(),
                    file: None,
                })
            }
        }
    }
}

/// Turns a lettre SMTP error into the failure a user can act on.
fn classify(e: &lettre::transport::smtp::Error, target: &SmtpTarget) -> DeliveryError {
    let server = target.server();
    let text = chain_text(e);
    if any_in_chain(e, &mut |err| {
        err.downcast_ref::<std::io::Error>()
            .is_some_and(|io| matches!(io.kind(), std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock))
    }) {
        return DeliveryError::Timeout {
            server,
            seconds: target.timeout.as_secs(),
        };
    }
    if any_in_chain(e, &mut |err| {
        err.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::ConnectionRefused)
    }) {
        return DeliveryError::ConnectionRefused { server };
    }
    let mut certificate = None;
    any_in_chain(e, &mut |err| {
        if let Some(rustls::Error::InvalidCertificate(reason)) = err.downcast_ref::<rustls::Error>() {
            certificate = Some(format!("{reason:?}"));
            return true;
        }
        false
    });
    if let Some(reason) = certificate {
        return DeliveryError::BadCertificate {
            server,
            reason: describe_certificate_error(&reason),
        };
    }
    if e.is_tls() {
        return DeliveryError::Tls { server, reason: text };
    }
    if e.is_client() && text.contains("STARTTLS") {
        return DeliveryError::StartTlsNotOffered { server };
    }
    if e.is_client() && text.contains("authentication mechanism") {
        return DeliveryError::AuthUnavailable { server };
    }
    let reply = || e.source().map_or_else(|| text.clone(), |s| one_line(&s.to_string()));
    if let Some(code) = e.status() {
        let code = code.to_string();
        let reply = format!("{code} {}", reply());
        return match code.as_str() {
            "535" | "534" => DeliveryError::AuthFailed {
                server,
                user: target.user.clone().unwrap_or_default(),
                reply,
            },
            "530" => DeliveryError::AuthRequired { server, reply },
            _ if e.is_permanent() => DeliveryError::Rejected { reply },
            _ => DeliveryError::Deferred { reply },
        };
    }
    if any_in_chain(e, &mut |err| err.downcast_ref::<std::io::Error>().is_some()) {
        return DeliveryError::Network { server, reason: text };
    }
    DeliveryError::Protocol { reason: text }
}

fn describe_certificate_error(debug: &str) -> String {
    match debug {
        "UnknownIssuer" => "issued by an unknown authority".to_owned(),
        "Expired" => "expired".to_owned(),
        "NotValidYet" => "not valid yet".to_owned(),
        "Revoked" => "revoked".to_owned(),
        d if d.starts_with("NotValidForName") => "not valid for this host name".to_owned(),
        d => format!("invalid: {d}"),
    }
}

/// Calls `f` on every error of the chain, looking inside `io::Error`s too (their `source()` skips
/// the error they wrap); true when `f` is.
fn any_in_chain(e: &(dyn StdError + 'static), f: &mut dyn FnMut(&(dyn StdError + 'static)) -> bool) -> bool {
    let mut current = Some(e);
    while let Some(err) = current {
        if f(err) {
            return true;
        }
        if let Some(inner) = err.downcast_ref::<std::io::Error>().and_then(std::io::Error::get_ref) {
            if any_in_chain(inner, f) {
                return true;
            }
        }
        current = err.source();
    }
    false
}

fn chain_text(e: &dyn StdError) -> String {
    let mut parts = vec![e.to_string()];
    let mut current = e.source();
    while let Some(err) = current {
        let text = err.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        current = err.source();
    }
    one_line(&parts.join(": "))
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
