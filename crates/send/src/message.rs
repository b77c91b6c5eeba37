//! Builds one test message from a render: multipart/alternative with the text and HTML parts, local
//! images as inline CID parts (multipart/related), the sender's From/Reply-To, a subject prefix,
//! `List-Unsubscribe` headers and a Message-ID of our own (kept in the send log).
//!
//! Header values are cleaned before lettre sees them (control characters, CR and LF become spaces)
//! and lettre encodes what remains (RFC 2047), so no value can start a header of its own.

use std::sync::atomic::{AtomicU64, Ordering};

use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::{Address, Message};

use crate::error::{show, SendError};
use crate::images::{embed_local_images, ImageSource};
use crate::settings::SendSettings;

/// A validated recipient address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient(Address);

impl Recipient {
    /// Checks an address that the caller's own policy already accepted; lettre's parser is the
    /// second check (it refuses anything that could not go into an SMTP envelope).
    ///
    /// # Errors
    /// [`SendError::Address`] with lettre's reason.
    pub fn parse(address: &str) -> Result<Self, SendError> {
        address
            .trim()
            .parse::<Address>()
            .map(Self)
            .map_err(|e| SendError::Address {
                what: "recipient".to_owned(),
                address: show(address),
                reason: e.to_string(),
            })
    }

    /// The address.
    #[must_use]
    pub fn as_str(&self) -> &str {
        self.0.as_ref()
    }
}

/// The sender side of every message: From, Reply-To, subject prefix and unsubscribe headers.
#[derive(Debug, Clone)]
pub struct Sender {
    from: Mailbox,
    reply_to: Option<Mailbox>,
    subject_prefix: String,
    unsubscribe_url: Option<String>,
    unsubscribe_mailto: Option<String>,
}

impl Sender {
    /// Checks `[send]`. `check_address` is the caller's address policy (the store's validator), so
    /// every address in Tessera is judged by one set of rules.
    ///
    /// # Errors
    /// No From, an invalid address, or an unsubscribe URL that is not https.
    pub fn from_settings(
        settings: &SendSettings,
        check_address: &dyn Fn(&str) -> Result<String, String>,
    ) -> Result<Self, SendError> {
        let address = |what: &str, value: &str| -> Result<Address, SendError> {
            let bad = |reason: String| SendError::Address {
                what: what.to_owned(),
                address: show(value),
                reason,
            };
            let checked = check_address(value).map_err(bad)?;
            checked.parse::<Address>().map_err(|e| bad(e.to_string()))
        };
        let from = settings.from.as_deref().ok_or_else(|| SendError::Settings {
            place: "[send]".to_owned(),
            message: "from is not set: add from = \"you@example.com\" to [send] in tessera.toml".to_owned(),
        })?;
        let from = Mailbox::new(
            settings
                .from_name
                .as_deref()
                .map(clean_header)
                .filter(|n| !n.is_empty()),
            address("[send] from", from)?,
        );
        let reply_to = settings
            .reply_to
            .as_deref()
            .map(|r| address("[send] reply_to", r).map(|a| Mailbox::new(None, a)))
            .transpose()?;
        let unsubscribe_url = settings
            .unsubscribe_url
            .as_deref()
            .map(|url| {
                let url = url.trim();
                let ok = url.len() > "https://".len()
                    && url.get(..8).is_some_and(|s| s.eq_ignore_ascii_case("https://"))
                    && url.chars().all(|c| c.is_ascii_graphic() && !matches!(c, '<' | '>' | ',' | '"'));
                if ok {
                    Ok(url.to_owned())
                } else {
                    Err(SendError::Settings {
                        place: "[send]".to_owned(),
                        message: format!(
                            "unsubscribe_url must be an https:// URL without spaces, <, >, commas or quotes, not \"{}\"",
                            show(url)
                        ),
                    })
                }
            })
            .transpose()?;
        let unsubscribe_mailto = settings
            .unsubscribe_mailto
            .as_deref()
            .map(|m| address("[send] unsubscribe_mailto", m).map(|a| a.to_string()))
            .transpose()?;
        Ok(Self {
            from,
            reply_to,
            subject_prefix: clean_header(&settings.subject_prefix),
            unsubscribe_url,
            unsubscribe_mailto,
        })
    }

    /// The From address.
    #[must_use]
    pub fn from_address(&self) -> &str {
        self.from.email.as_ref()
    }
}

/// What one message carries from the render.
#[derive(Debug, Clone, Copy)]
pub struct Content<'a> {
    /// The personalized subject.
    pub subject: &'a str,
    /// The HTML part (the preheader is its first, hidden text).
    pub html: &'a str,
    /// The plain-text part.
    pub text: &'a str,
    /// The AMP for Email part (`text/x-amp-html`), placed before the HTML part.
    pub amp: Option<&'a str>,
    /// The Gmail clipping budget for the HTML, in bytes.
    pub gmail_budget_bytes: usize,
    /// Labels for `X-Tessera-*` headers: the email and version, the profile rendered as.
    pub email_label: &'a str,
    /// The profile the render used.
    pub profile_label: &'a str,
}

/// A message ready to deliver, with its measurements.
#[derive(Debug, Clone)]
pub struct BuiltMessage {
    /// The message.
    pub message: Message,
    /// The Message-ID, without angle brackets.
    pub message_id: String,
    /// The recipient.
    pub recipient: String,
    /// The subject as sent (prefix added, control characters removed).
    pub subject: String,
    /// The whole message as sent, in bytes.
    pub size_bytes: usize,
    /// The HTML part after image rewriting, in bytes (what Gmail's clipping counts).
    pub html_bytes: usize,
    /// Gmail's clipping budget.
    pub gmail_budget_bytes: usize,
    /// Local images embedded as inline parts.
    pub inline_images: usize,
    /// Size of the embedded images in bytes.
    pub inline_image_bytes: usize,
    /// Remote images left as links.
    pub remote_images: usize,
}

impl BuiltMessage {
    /// Whether Gmail would clip the HTML.
    #[must_use]
    pub fn clipped_by_gmail(&self) -> bool {
        self.html_bytes > self.gmail_budget_bytes
    }
}

/// Builds the message for one recipient.
///
/// # Errors
/// A local image that cannot be embedded, or a message lettre refuses to build.
pub fn build_message(
    sender: &Sender,
    content: &Content<'_>,
    to: &Recipient,
    images: &dyn ImageSource,
) -> Result<BuiltMessage, SendError> {
    let message_id = new_message_id(sender.from_address(), to.as_str());
    let rewritten = embed_local_images(content.html, images, content.html)?;
    let subject = clean_header(&match (sender.subject_prefix.as_str(), clean_header(content.subject)) {
        ("", s) => s,
        (p, s) => format!("{p} {s}"),
    });
    let mut builder = Message::builder()
        .from(sender.from.clone())
        .to(Mailbox::new(None, to.0.clone()))
        .subject(subject.clone())
        .message_id(Some(format!("<{message_id}>")))
        .date_now();
    if let Some(reply_to) = &sender.reply_to {
        builder = builder.reply_to(reply_to.clone());
    }
    let mut unsubscribe = Vec::new();
    if let Some(mailto) = &sender.unsubscribe_mailto {
        unsubscribe.push(format!("<mailto:{mailto}?subject=unsubscribe>"));
    }
    if let Some(url) = &sender.unsubscribe_url {
        unsubscribe.push(format!("<{}>", url.replace("{email}", &percent_encode(to.as_str()))));
    }
    if !unsubscribe.is_empty() {
        builder = builder.raw_header(header("List-Unsubscribe", unsubscribe.join(", ")));
    }
    if sender.unsubscribe_url.is_some() {
        // RFC 8058 one-click unsubscribe: only meaningful with an https URL.
        builder = builder.raw_header(header("List-Unsubscribe-Post", "List-Unsubscribe=One-Click".to_owned()));
    }
    builder = builder
        .raw_header(header("X-Tessera-Email", clean_header(content.email_label)))
        .raw_header(header("X-Tessera-Profile", clean_header(content.profile_label)));

    let html_bytes = rewritten.html.len();
    let inline_images = rewritten.embedded.len();
    let inline_image_bytes = rewritten.embedded.iter().map(|e| e.image.bytes.len()).sum();
    let text_part = SinglePart::plain(content.text.to_owned());
    let html_part = SinglePart::html(rewritten.html);
    // Text, then AMP, then HTML: clients show the last part they can, and some show only the last.
    let mut alternative = MultiPart::alternative().singlepart(text_part);
    if let Some(amp) = content.amp {
        let amp_type = ContentType::parse("text/x-amp-html; charset=utf-8")
            .map_err(|err| SendError::Build(format!("content type text/x-amp-html: {err}")))?;
        alternative = alternative.singlepart(SinglePart::builder().header(amp_type).body(amp.to_owned()));
    }
    let body = if rewritten.embedded.is_empty() {
        alternative.singlepart(html_part)
    } else {
        let mut related = MultiPart::related().singlepart(html_part);
        for e in rewritten.embedded {
            let content_type = ContentType::parse(&e.image.content_type)
                .map_err(|err| SendError::Build(format!("content type {}: {err}", e.image.content_type)))?;
            related = related.singlepart(
                Attachment::new_inline_with_name(e.cid, clean_header(&e.image.file_name))
                    .body(e.image.bytes, content_type),
            );
        }
        alternative.multipart(related)
    };
    let message = builder.multipart(body).map_err(|e| SendError::Build(e.to_string()))?;
    let size_bytes = message.formatted().len();
    Ok(BuiltMessage {
        message,
        message_id,
        recipient: to.as_str().to_owned(),
        subject,
        size_bytes,
        html_bytes,
        gmail_budget_bytes: content.gmail_budget_bytes,
        inline_images,
        inline_image_bytes,
        remote_images: rewritten.remote,
    })
}

fn header(name: &'static str, value: String) -> HeaderValue {
    HeaderValue::new(HeaderName::new_from_ascii_str(name), value)
}

/// Makes text safe for a header: every control character (CR and LF included) becomes a space,
/// runs of whitespace collapse, the ends are trimmed.
#[must_use]
pub fn clean_header(text: &str) -> String {
    text.split(|c: char| c.is_control() || c.is_whitespace())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn new_message_id(from: &str, to: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let seed = format!(
        "{now}\n{}\n{}\n{to}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    );
    let hash = blake3::hash(seed.as_bytes()).to_hex();
    let domain = from.rsplit_once('@').map_or("tessera.invalid", |(_, d)| d);
    format!("{}.tessera@{domain}", hash.get(..24).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::images::LocalImage;

    struct NoImages;
    impl ImageSource for NoImages {
        fn load(&self, _: &str) -> Result<LocalImage, String> {
            Err("no images here".to_owned())
        }
    }

    fn accept(a: &str) -> Result<String, String> {
        Ok(a.trim().to_owned())
    }

    fn sender() -> Sender {
        let settings = SendSettings {
            from: Some("news@northwind.example".to_owned()),
            from_name: Some("Northwind\r\nBcc: evil@attacker.example".to_owned()),
            reply_to: Some("help@northwind.example".to_owned()),
            unsubscribe_url: Some("https://northwind.example/u?e={email}".to_owned()),
            unsubscribe_mailto: Some("unsub@northwind.example".to_owned()),
            ..SendSettings::default()
        };
        Sender::from_settings(&settings, &accept).expect("valid settings")
    }

    #[test]
    fn headers_carry_no_line_breaks_from_values() {
        let content = Content {
            subject: "Hi Ada\r\nBcc: evil@attacker.example\nX-Evil: 1",
            html: "<p>Hi</p>",
            amp: None,
            text: "Hi",
            gmail_budget_bytes: 102 * 1024,
            email_label: "welcome",
            profile_label: "ada\r\nX-Evil: 2",
        };
        let to = Recipient::parse("ada@example.com").expect("valid");
        let built = build_message(&sender(), &content, &to, &NoImages).expect("builds");
        let raw = String::from_utf8(built.message.formatted()).expect("ASCII");
        let head = raw.split("\r\n\r\n").next().unwrap_or_default();
        for line in head.lines() {
            assert!(
                !line.starts_with("Bcc:") && !line.starts_with("X-Evil:"),
                "{line}\n{head}"
            );
        }
        assert_eq!(built.subject, "[TEST] Hi Ada Bcc: evil@attacker.example X-Evil: 1");
        let unfolded = head.replace("\r\n ", " ");
        assert!(unfolded.contains("List-Unsubscribe: <mailto:unsub@northwind.example?subject=unsubscribe>, <https://northwind.example/u?e=ada%40example.com>"), "{head}");
        assert!(head.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));
    }

    #[test]
    fn unsubscribe_urls_must_be_https() {
        let settings = SendSettings {
            from: Some("a@b.example".to_owned()),
            unsubscribe_url: Some("http://x.example/u".to_owned()),
            ..SendSettings::default()
        };
        assert!(Sender::from_settings(&settings, &accept).is_err());
    }
}
