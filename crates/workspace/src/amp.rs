//! The AMP part of an email for one recipient (`tessera render --amp`, `tessera export --target
//! amp`, test sends with `--amp`): live blocks get a signed feed URL when the recipient is a stored
//! profile and `[live] base_url` is an `https` address; otherwise they stay static, and the report
//! says why.

use serde_json::Value;
use tessera_core::amp::{self, AmpRendered, LiveBlock, LiveTemplate};
use tessera_core::model::LiveSpec;
use time::OffsetDateTime;

use crate::{EmailEntry, Workspace, WorkspaceError};

/// How long a feed URL in a sent email keeps working: AMP clients stop refreshing an email after
/// about 30 days.
pub const FEED_TOKEN_DAYS: i64 = 30;

/// The purpose tag of feed tokens (see `tessera_live::token`).
pub const FEED_PURPOSE: &str = "feed";

/// Signs the fields of a feed URL (the collector's signing keys, handed in by the front end so the
/// workspace does not depend on the collector).
pub trait FeedSigner {
    /// A token for `purpose` carrying `fields`, valid until `expires`; `None` when no key signs.
    fn sign(&self, purpose: &str, fields: &[&str], expires: OffsetDateTime) -> Option<String>;
}

/// The recipient the AMP part is for: a stored profile's id, when it is one.
#[derive(Clone, Copy)]
pub struct AmpRecipient<'a> {
    /// The store id (feeds are computed for it at open time).
    pub profile_id: Option<i64>,
    /// The signer of feed URLs.
    pub signer: Option<&'a dyn FeedSigner>,
    /// Now, for the tokens' expiry.
    pub now: OffsetDateTime,
}

/// The feed URL of a live block: `<base>/feeds/<email>/<block>?t=<token>`, the token carrying the
/// profile id, the email and the block.
#[must_use]
pub fn feed_url(base: &str, email: &str, block: &str, token: &str) -> String {
    format!("{}/feeds/{email}/{block}?t={token}", base.trim_end_matches('/'))
}

impl Workspace {
    /// The email's live blocks: top-level block ids with their `live` settings.
    #[must_use]
    pub fn live_blocks(entry: &EmailEntry) -> Vec<(String, LiveSpec)> {
        entry
            .document
            .blocks
            .iter()
            .filter_map(|b| b.live.map(|spec| (b.id.clone(), spec)))
            .collect()
    }

    /// The live blocks with their signed feed URLs for `recipient` (none when it cannot be signed).
    fn signed_live_blocks(&self, entry: &EmailEntry, recipient: &AmpRecipient<'_>) -> Vec<LiveBlock> {
        let base = self
            .config
            .live
            .base_url
            .as_deref()
            .filter(|b| b.starts_with("https://"));
        Self::live_blocks(entry)
            .into_iter()
            .map(|(id, spec)| {
                let src = match (base, recipient.profile_id, recipient.signer) {
                    (Some(base), Some(profile), Some(signer)) => {
                        let profile = profile.to_string();
                        let expires = recipient.now + time::Duration::days(FEED_TOKEN_DAYS);
                        signer
                            .sign(FEED_PURPOSE, &[&profile, &entry.name, &id], expires)
                            .map(|token| feed_url(base, &entry.name, &id, &token))
                    }
                    _ => None,
                };
                LiveBlock { id, spec, src }
            })
            .collect()
    }

    /// Renders the AMP part of `entry` for `data`.
    ///
    /// # Errors
    /// The email does not compile, its style sheet is over AMP's limit, or a live block cannot be
    /// written as an amp-mustache template.
    pub fn render_amp(
        &mut self,
        entry: &EmailEntry,
        data: &Value,
        recipient: &AmpRecipient<'_>,
    ) -> Result<AmpRendered, WorkspaceError> {
        let compiled = self.compile(entry)?;
        let live = self.signed_live_blocks(entry, recipient);
        amp::render(&compiled, &self.dictionary, &entry.name, data, &live).map_err(|e| {
            WorkspaceError::export(
                entry.path.clone(),
                tessera_core::export::ExportError::Amp(e.to_string()),
            )
        })
    }

    /// The template and data contract of one live block (what its feed answers with).
    ///
    /// # Errors
    /// The email does not compile, the block is not a live top-level block, or its content cannot
    /// be written as an amp-mustache template.
    pub fn live_template(&mut self, entry: &EmailEntry, block: &str) -> Result<LiveTemplate, WorkspaceError> {
        let compiled = self.compile(entry)?;
        let amp_error = |e: amp::AmpError| {
            WorkspaceError::export(
                entry.path.clone(),
                tessera_core::export::ExportError::Amp(e.to_string()),
            )
        };
        if !Self::live_blocks(entry).iter().any(|(id, _)| id == block) {
            return Err(amp_error(amp::AmpError::UnknownBlock(block.to_owned())));
        }
        LiveTemplate::new(&compiled, &self.dictionary, &entry.name, block).map_err(amp_error)
    }
}
