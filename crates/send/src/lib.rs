//! # tessera-send
//!
//! Test sends of rendered emails. [`build_message`] turns a render into a MIME message
//! (multipart/alternative text + HTML, local images as inline CID parts, From/Reply-To, a `[TEST]`
//! subject prefix, `List-Unsubscribe` headers, sizes against Gmail's clipping budget);
//! [`Transport`] delivers it to the local outbox (`.eml` files) or an SMTP server described by an
//! [`SmtpTarget`] (a `[smtp.<name>]` profile or `--smtp-url`), and turns failures into
//! [`DeliveryError`]s a person can act on. Passwords come from the OS keyring or an environment
//! variable ([`password`]), never from a file.
//!
//! This crate does no rendering and keeps no log: `tessera-workspace` renders, validates
//! recipients with the store's address policy and records every send in the store.
#![deny(missing_docs)]
#![warn(clippy::unwrap_used)]

pub mod error;
pub mod images;
pub mod message;
pub mod outbox;
pub mod password;
pub mod settings;
pub mod transport;

pub use error::{DeliveryError, SendError};
pub use images::{ImageSource, LocalImage};
pub use message::{build_message, BuiltMessage, Content, Recipient, Sender};
pub use password::Password;
pub use settings::{parse_smtp_url, Security, SendSettings, SmtpProfile, SmtpTarget};
pub use transport::{Delivered, Transport};
