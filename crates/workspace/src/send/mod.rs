//! Test sends: render an email as one or more profiles and send one message per (profile, seed
//! address) to the outbox or an SMTP server, recording every message in the store's send log.
//!
//! Everything that can be checked is checked before the first message leaves: the addresses (by
//! the store's address policy, the one used for imports), the sender settings, the SMTP profile and
//! its password, the renders and the local images. A failure of the connection itself (TLS, login,
//! timeout) stops the batch: the remaining messages are logged as not attempted.

use std::path::{Component, Path, PathBuf};

use serde::Serialize;
use serde_json::Value;
use tessera_send::{build_message, Content, DeliveryError, ImageSource, LocalImage, Recipient, Sender, Transport};
use tessera_store::send_log::{NewSend, SendOutcome};

use crate::{Workspace, WorkspaceError, CONFIG_FILE};

pub mod form;
pub mod outbox;
pub mod setup;

pub use tessera_send::SendError;

/// The outbox folder inside a workspace.
pub const OUTBOX_DIR: &str = ".tessera/outbox";
/// The largest local image embedded, in bytes.
pub const MAX_IMAGE_BYTES: u64 = 10 * 1024 * 1024;

/// Where a test send goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// `[send] smtp` if set, else the only `[smtp.*]` profile, else the outbox.
    Default,
    /// The local outbox, whatever is configured.
    Outbox,
    /// A named `[smtp.<name>]` profile.
    Profile(String),
    /// A one-off `smtp://host:port` URL.
    Url(String),
}

/// A test send.
#[derive(Debug, Clone)]
pub struct SendRequest {
    /// The email (name or path).
    pub email: String,
    /// Seed addresses; each entry may hold several separated by commas.
    pub to: Vec<String>,
    /// Store profiles to render as (email or id); empty: the first sample recipient in `data/`.
    pub profiles: Vec<String>,
    /// Where to send.
    pub route: Route,
    /// Add the AMP for Email part (`text/x-amp-html`, before the HTML part), live blocks over
    /// signed feeds for stored profiles.
    pub amp: bool,
    /// Checked before each message: once set, the messages not yet sent are reported as not
    /// attempted (the ones before stay as they went).
    pub cancel: tessera_store::Cancel,
    /// The live collector's open pixel and signed click links, added to the message of each
    /// stored profile (front ends set it from `[live] base_url`; none: the HTML as rendered).
    pub tracking: Option<std::sync::Arc<dyn Tracking>>,
}

/// Adds tracking to a test message's HTML: the live collector's open pixel and signed click links
/// (`tessera_live::tracking`, which the workspace cannot depend on, hands this in).
pub trait Tracking: std::fmt::Debug + Send + Sync {
    /// `html` of `email` as sent to the stored profile `profile_id`, with tracking added.
    ///
    /// # Errors
    /// Why tracking could not be added (then nothing is sent).
    fn decorate(&self, email: &str, profile_id: i64, html: &str) -> Result<String, String>;
}

/// How one message ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Accepted by the server or written to the outbox.
    Sent,
    /// Not delivered.
    Failed,
    /// Not attempted: an earlier failure of the connection stopped the batch.
    NotAttempted,
}

/// One message of a test send.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MessageResult {
    /// The profile rendered as.
    pub profile: String,
    /// The recipient.
    pub recipient: String,
    /// The subject as sent.
    pub subject: String,
    /// The Message-ID.
    pub message_id: String,
    /// The whole message in bytes.
    pub size_bytes: usize,
    /// The HTML part in bytes.
    pub html_bytes: usize,
    /// Gmail's clipping budget for the HTML.
    pub gmail_budget_bytes: usize,
    /// Whether Gmail would clip it.
    pub clipped_by_gmail: bool,
    /// Local images embedded inline.
    pub inline_images: usize,
    /// Remote images left as links.
    pub remote_images: usize,
    /// The outcome.
    pub status: Status,
    /// The server's reply, or where the outbox file is.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub response: Option<String>,
    /// A short code for the failure.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(as = "Option<String>", optional))]
    pub error_code: Option<&'static str>,
    /// The readable failure.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub error: Option<String>,
}

/// What a test send did.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SendReport {
    /// The email's name.
    pub email: String,
    /// Its template version.
    pub version: String,
    /// Where messages went.
    pub transport: String,
    /// The batch id in the send log.
    pub batch_id: String,
    /// Every message, in order.
    pub messages: Vec<MessageResult>,
}

impl SendReport {
    /// The messages that were not delivered (failed or not attempted).
    pub fn failures(&self) -> impl Iterator<Item = &MessageResult> {
        self.messages.iter().filter(|m| m.status != Status::Sent)
    }
}

/// Splits `--to` values on commas and validates every address with the store's policy; all invalid
/// ones are reported together. Duplicates (ignoring case) are dropped.
///
/// # Errors
/// [`WorkspaceError::InvalidRecipients`] listing each invalid address and why,
/// [`WorkspaceError::NoRecipients`] when there is none.
pub fn parse_recipients(values: &[String]) -> Result<Vec<Recipient>, WorkspaceError> {
    let mut valid: Vec<(String, Recipient)> = Vec::new();
    let mut invalid = Vec::new();
    for value in values {
        for raw in value.split(',') {
            if raw.trim().is_empty() {
                continue;
            }
            match check_address(raw).and_then(|a| Recipient::parse(&a).map_err(|e| e.to_string())) {
                Ok(r) => {
                    let key = r.as_str().to_lowercase();
                    if !valid.iter().any(|(k, _)| *k == key) {
                        valid.push((key, r));
                    }
                }
                Err(reason) => invalid.push((raw.trim().to_owned(), reason)),
            }
        }
    }
    if !invalid.is_empty() {
        return Err(WorkspaceError::InvalidRecipients { invalid });
    }
    if valid.is_empty() {
        return Err(WorkspaceError::NoRecipients);
    }
    Ok(valid.into_iter().map(|(_, r)| r).collect())
}

/// The store's address policy (`tessera_store::validate::email`), as the send crate asks for it.
fn check_address(address: &str) -> Result<String, String> {
    tessera_store::validate::email::parse_email(address)
        .map(|e| e.display)
        .map_err(|e| e.to_string())
}

/// A test send builds at most this many messages (profiles × seed addresses), all in memory before
/// the first leaves: it is a proof for a few people, not a campaign.
pub const MAX_TEST_MESSAGES: usize = 200;

impl Workspace {
    /// The outbox folder (`.tessera/outbox`).
    ///
    /// # Errors
    /// The embedded demo has no folder.
    pub fn outbox_dir(&self) -> Result<PathBuf, WorkspaceError> {
        self.root
            .as_ref()
            .map(|r| r.join(OUTBOX_DIR))
            .ok_or(WorkspaceError::DemoHasNoStore)
    }

    /// Resolves a named SMTP profile.
    ///
    /// # Errors
    /// No such profile, or an invalid one.
    pub fn smtp_target(&self, name: &str) -> Result<tessera_send::SmtpTarget, WorkspaceError> {
        let profile = self.config.smtp.get(name).ok_or_else(|| {
            let known: Vec<&str> = self.config.smtp.keys().map(String::as_str).collect();
            tessera_send::SendError::Settings {
                place: self.files().display(CONFIG_FILE).display().to_string(),
                message: if known.is_empty() {
                    format!("no SMTP profile \"{name}\": there is no [smtp.<name>] section")
                } else {
                    format!("no SMTP profile \"{name}\" (profiles: {})", known.join(", "))
                },
            }
        })?;
        Ok(profile.target(name, self.root.as_deref().unwrap_or(Path::new(".")))?)
    }

    /// Opens the transport a route names, with its password (checked before anything is sent).
    ///
    /// # Errors
    /// Unknown or invalid profile, no password, no keyring, an unreadable `ca_file`.
    pub fn transport(&self, route: &Route) -> Result<Transport, WorkspaceError> {
        let target = match route {
            Route::Outbox => None,
            Route::Profile(name) => Some(self.smtp_target(name)?),
            Route::Url(url) => Some(tessera_send::parse_smtp_url(
                url,
                self.root.as_deref().unwrap_or(Path::new(".")),
            )?),
            Route::Default => match (&self.config.send.smtp, self.config.smtp.len()) {
                (Some(name), _) => Some(self.smtp_target(name)?),
                (None, 0) => None,
                (None, 1) => {
                    let name = self.config.smtp.keys().next().cloned().unwrap_or_default();
                    Some(self.smtp_target(&name)?)
                }
                (None, _) => {
                    return Err(tessera_send::SendError::Settings {
                        place: "[send]".to_owned(),
                        message: format!(
                            "several SMTP profiles ({}): choose one with --smtp NAME or set smtp = \"NAME\" in [send]",
                            self.config.smtp.keys().cloned().collect::<Vec<_>>().join(", ")
                        ),
                    }
                    .into())
                }
            },
        };
        match target {
            None => Ok(Transport::outbox(&self.outbox_dir()?)?),
            Some(target) => {
                let password = tessera_send::password::lookup(&target)?;
                Ok(Transport::smtp(&target, password.as_ref().map(|(p, _)| p))?)
            }
        }
    }

    /// Renders `request.email` as each profile and sends one message per (profile, address).
    /// `on_message` sees each result as it happens, `progress(messages done, messages)` follows. Delivery failures are in the report, not errors.
    ///
    /// # Errors
    /// Anything found before the first message leaves: invalid addresses, settings, password,
    /// a missing profile, a render or image problem, the store.
    pub fn send_test(
        &mut self,
        request: &SendRequest,
        on_message: &mut dyn FnMut(&MessageResult),
        progress: &dyn Fn(u64, u64),
    ) -> Result<SendReport, WorkspaceError> {
        let recipients = parse_recipients(&request.to)?;
        let profiles = request.profiles.len().max(1);
        let count = profiles.saturating_mul(recipients.len());
        if count > MAX_TEST_MESSAGES {
            return Err(WorkspaceError::TooManyMessages {
                profiles,
                addresses: recipients.len(),
                count,
                max: MAX_TEST_MESSAGES,
            });
        }
        let sender = Sender::from_settings(&self.config.send, &check_address)?;
        let entry = self.email(&request.email)?;
        let transport = self.transport(&request.route)?;
        let store = self.open_store()?;
        let root = self.root.clone().ok_or(WorkspaceError::DemoHasNoStore)?;
        let images = WorkspaceImages { root };

        // Render every profile first: a missing profile stops the send before anything leaves.
        let mut renders = Vec::new();
        let mut amps = Vec::new();
        // What each live block shows each stored profile now: kept for `tessera serve`'s
        // fallbacks once the batch is under way (see `crate::sent_values`).
        let mut sent_values = Vec::new();
        let sent_feeds = if request.profiles.is_empty() {
            Vec::new()
        } else {
            self.sent_feeds(&entry)?
        };
        let now = time::OffsetDateTime::now_utc();
        if request.profiles.is_empty() {
            let (label, data) = self.samples()?.into_iter().next().map_or_else(
                || ("(no data)".to_owned(), Value::Object(serde_json::Map::new())),
                |(n, d)| (format!("sample:{n}"), d),
            );
            if request.amp {
                let recipient = crate::amp::AmpRecipient { profile_id: None, now };
                amps.push(self.render_amp(&entry, &data, &recipient)?.html);
            }
            renders.push((label, self.render(&entry, &data)?));
        } else {
            for profile in &request.profiles {
                let stored = self.stored_recipient(profile, tessera_store::now_ms())?;
                if request.amp {
                    let recipient = crate::amp::AmpRecipient {
                        profile_id: Some(stored.id),
                        now,
                    };
                    amps.push(self.render_amp(&entry, &stored.data, &recipient)?.html);
                }
                let profile_id = stored.id;
                sent_values.extend(Self::sent_values(
                    &sent_feeds,
                    &stored,
                    &store,
                    tessera_store::now_ms(),
                )?);
                let mut rendered = stored.render(self, &entry)?;
                if let Some(tracking) = &request.tracking {
                    rendered.html = tracking
                        .decorate(&entry.name, profile_id, &rendered.html)
                        .map_err(WorkspaceError::Tracking)?;
                }
                renders.push((profile.clone(), rendered));
            }
        }
        let version = renders
            .first()
            .map(|(_, r)| r.report.version.clone())
            .unwrap_or_default();
        let email_label = format!("{} (version {})", entry.name, version.get(..12).unwrap_or(&version));

        // Build every message: a bad local image stops the send before anything leaves.
        let mut messages = Vec::new();
        for (index, (profile, rendered)) in renders.iter().enumerate() {
            let content = Content {
                subject: &rendered.subject,
                html: &rendered.html,
                text: &rendered.text,
                amp: amps.get(index).map(String::as_str),
                gmail_budget_bytes: rendered.report.gmail_budget_bytes,
                email_label: &email_label,
                profile_label: profile,
            };
            let hash = blake3::hash(
                [
                    rendered.subject.as_bytes(),
                    rendered.html.as_bytes(),
                    rendered.text.as_bytes(),
                    amps.get(index).map_or(&b""[..], |a| a.as_bytes()),
                ]
                .join(&0u8)
                .as_slice(),
            )
            .to_hex()
            .to_string();
            for to in &recipients {
                messages.push((
                    profile.clone(),
                    hash.clone(),
                    build_message(&sender, &content, to, &images)?,
                ));
            }
        }

        let now = tessera_store::now_ms();
        let batch_id = blake3::hash(format!("{now}\n{}\n{}", std::process::id(), entry.name).as_bytes())
            .to_hex()
            .get(..16)
            .unwrap_or_default()
            .to_owned();
        // Before the first message leaves: an email opened at once finds its send-time values.
        self.record_sent_values(&batch_id, &sent_values)?;
        let log_name = transport.log_name();
        let mut stopped: Option<DeliveryError> = None;
        let mut results = Vec::new();
        for (profile, hash, built) in &messages {
            let row = store.log_send_start(
                &NewSend {
                    batch_id: &batch_id,
                    email: &entry.name,
                    email_version: &version,
                    content_hash: hash,
                    profile,
                    recipient: &built.recipient,
                    transport: &log_name,
                    message_id: &built.message_id,
                    size_bytes: built.size_bytes,
                },
                tessera_store::now_ms(),
            )?;
            if stopped.is_none() && request.cancel.is_cancelled() {
                stopped = Some(DeliveryError::NotAttempted {
                    reason: "the send was cancelled".to_owned(),
                });
            }
            let outcome = match &stopped {
                Some(first) => Err(DeliveryError::NotAttempted {
                    reason: first.to_string(),
                }),
                None => transport.deliver(built),
            };
            let (status, response, error_code, error) = match &outcome {
                Ok(delivered) => (Status::Sent, Some(delivered.response.clone()), None, None),
                Err(e @ DeliveryError::NotAttempted { .. }) => {
                    (Status::NotAttempted, None, Some(e.code()), Some(e.to_string()))
                }
                Err(e) => (Status::Failed, None, Some(e.code()), Some(e.to_string())),
            };
            let logged = match (&status, &response, &error) {
                (Status::Sent, Some(r), _) => SendOutcome::Sent { response: r },
                (Status::NotAttempted, _, Some(e)) => SendOutcome::NotAttempted {
                    code: stopped.as_ref().map_or("not_attempted", DeliveryError::code),
                    error: e,
                },
                (_, _, e) => SendOutcome::Failed {
                    code: error_code.unwrap_or("unknown"),
                    error: e.as_deref().unwrap_or_default(),
                },
            };
            store.log_send_outcome(row, logged, tessera_store::now_ms())?;
            if let Err(e) = outcome {
                if stopped.is_none() && e.stops_batch() {
                    stopped = Some(e);
                }
            }
            let result = MessageResult {
                profile: profile.clone(),
                recipient: built.recipient.clone(),
                subject: built.subject.clone(),
                message_id: built.message_id.clone(),
                size_bytes: built.size_bytes,
                html_bytes: built.html_bytes,
                gmail_budget_bytes: built.gmail_budget_bytes,
                clipped_by_gmail: built.clipped_by_gmail(),
                inline_images: built.inline_images,
                remote_images: built.remote_images,
                status,
                response,
                error_code,
                error,
            };
            on_message(&result);
            results.push(result);
            progress(results.len() as u64, messages.len() as u64);
        }
        Ok(SendReport {
            email: entry.name,
            version,
            transport: transport.describe().to_owned(),
            batch_id,
            messages: results,
        })
    }
}

/// Local images of a workspace: paths relative to its folder, never outside it, no hidden files.
struct WorkspaceImages {
    root: PathBuf,
}

impl ImageSource for WorkspaceImages {
    fn load(&self, src: &str) -> Result<LocalImage, String> {
        let path_part = src.split(['?', '#']).next().unwrap_or_default();
        let decoded = tessera_send::settings::percent_decode(path_part);
        let rel = Path::new(&decoded);
        if rel.is_absolute() || decoded.starts_with('/') || decoded.starts_with('\\') {
            return Err("local images must be paths relative to the workspace folder".to_owned());
        }
        for component in rel.components() {
            match component {
                Component::Normal(name) if name.to_string_lossy().starts_with('.') => {
                    return Err("hidden files and folders are not embedded".to_owned())
                }
                Component::Normal(_) | Component::CurDir => {}
                _ => return Err("the path leaves the workspace folder".to_owned()),
            }
        }
        let content_type = match rel
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("png") => "image/png",
            Some("jpg" | "jpeg") => "image/jpeg",
            Some("gif") => "image/gif",
            Some("webp") => "image/webp",
            _ => return Err("not an image type email clients show (png, jpg, gif, webp)".to_owned()),
        };
        let path = self.root.join(rel);
        let not_found = |e: std::io::Error| format!("{} cannot be read: {e}", path.display());
        let real = path.canonicalize().map_err(not_found)?;
        let root = self.root.canonicalize().map_err(not_found)?;
        if !real.starts_with(&root) {
            return Err("the path leads outside the workspace folder (symbolic link)".to_owned());
        }
        let meta = std::fs::metadata(&real).map_err(not_found)?;
        if !meta.is_file() {
            return Err(format!("{} is not a file", path.display()));
        }
        if meta.len() > MAX_IMAGE_BYTES {
            return Err(format!(
                "{} is {} KB; images over {} MB are not embedded",
                path.display(),
                meta.len() / 1024,
                MAX_IMAGE_BYTES / 1024 / 1024
            ));
        }
        let bytes = std::fs::read(&real).map_err(not_found)?;
        Ok(LocalImage {
            bytes,
            content_type: content_type.to_owned(),
            file_name: rel
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recipients_are_split_validated_together_and_deduplicated() {
        let ok =
            parse_recipients(&["a@example.com, B@Example.com".to_owned(), "a@EXAMPLE.com".to_owned()]).expect("valid");
        assert_eq!(
            ok.iter().map(Recipient::as_str).collect::<Vec<_>>(),
            ["a@example.com", "B@example.com"]
        );
        let err = parse_recipients(&["good@example.com,bad@,x y@example.com".to_owned()]).expect_err("invalid");
        let text = err.to_string();
        assert!(
            text.contains("\"bad@\" is not a valid address (nothing after the @)"),
            "{text}"
        );
        assert!(text.contains("\"x y@example.com\""), "{text}");
        assert!(matches!(
            parse_recipients(&[" , ".to_owned()]),
            Err(WorkspaceError::NoRecipients)
        ));
    }

    #[test]
    fn images_stay_inside_the_workspace() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir_all(dir.path().join("images")).expect("mkdir");
        std::fs::write(dir.path().join("images/logo.png"), b"\x89PNG").expect("write");
        std::fs::write(dir.path().join("images/notes.txt"), b"x").expect("write");
        let images = WorkspaceImages {
            root: dir.path().to_path_buf(),
        };
        assert_eq!(
            images.load("images/logo.png?v=2").expect("loads").content_type,
            "image/png"
        );
        for bad in [
            "../x.png",
            "/etc/x.png",
            ".tessera/x.png",
            "images/notes.txt",
            "images/none.png",
        ] {
            assert!(images.load(bad).is_err(), "{bad}");
        }
    }
}
