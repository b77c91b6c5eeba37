//! The send-time values of live blocks: when a test send renders an email with live blocks for a
//! stored profile (the renders that carry signed feed and live-image URLs), what each live block
//! showed is kept in `.tessera/sent-values.db` (`tessera_store::sent_values`), one transaction per
//! send batch, so `tessera serve` can answer a feed or draw a live image from them when the store
//! cannot answer within its budget.

use serde_json::Value;
use tessera_store::sent_values::{SentValue, SentValues, SENT_VALUES_FILE};
use tessera_store::Store;

use crate::amp::LiveFeed;
use crate::profiles::StoredRecipient;
use crate::{EmailEntry, Workspace, WorkspaceError};

impl Workspace {
    /// The send-time values file (`.tessera/sent-values.db`).
    ///
    /// # Errors
    /// The embedded demo has no folder.
    pub fn sent_values_path(&self) -> Result<std::path::PathBuf, WorkspaceError> {
        self.root
            .as_ref()
            .map(|r| r.join(SENT_VALUES_FILE))
            .ok_or(WorkspaceError::DemoHasNoStore)
    }

    /// Opens (creating if needed) the send-time values file.
    ///
    /// # Errors
    /// The demo has no folder; SQLite errors.
    pub fn open_sent_values(&self) -> Result<SentValues, WorkspaceError> {
        Ok(SentValues::open(&self.sent_values_path()?)?)
    }

    /// The live blocks of `entry` whose values a send keeps, built once per send: none when no
    /// signed URL is written (no `https` `[live] base_url`).
    ///
    /// # Errors
    /// The email does not compile, a live block cannot be written as a template.
    pub fn sent_feeds(&mut self, entry: &EmailEntry) -> Result<Vec<LiveFeed>, WorkspaceError> {
        if self.live_https_base().is_none() {
            return Ok(Vec::new());
        }
        let mut feeds = Vec::new();
        for (block, spec) in Self::live_blocks(entry) {
            let Some(instance) = entry.document.blocks.iter().find(|b| b.id == block) else {
                continue;
            };
            let template = self.live_template(entry, &block)?;
            feeds.push(LiveFeed::new(entry, instance, block, spec, template));
        }
        Ok(feeds)
    }

    /// What each of `feeds` (see [`Workspace::sent_feeds`]) shows `recipient` at `now_ms`: the
    /// feed's data (what the block's feed would answer now) and the feed kind's shape (what its
    /// live image draws), with the stock of listed products read from `store`.
    ///
    /// # Errors
    /// The store failed.
    pub fn sent_values(
        feeds: &[LiveFeed],
        recipient: &StoredRecipient,
        store: &Store,
        now_ms: i64,
    ) -> Result<Vec<SentValue>, WorkspaceError> {
        feeds
            .iter()
            .map(|feed| {
                let shape = feed.shape(store, &recipient.data, now_ms.div_euclid(1000))?;
                Ok(SentValue {
                    profile_id: recipient.id,
                    email: feed.email.clone(),
                    feed: feed.template.feed(&recipient.data),
                    shape: serde_json::to_value(&shape).unwrap_or(Value::Null),
                    block: feed.block.clone(),
                    sent_at_ms: now_ms,
                })
            })
            .collect()
    }

    /// Keeps one send batch's values (all or none), replacing older values of the same
    /// (profile, email, block).
    ///
    /// # Errors
    /// The file cannot be opened or written.
    pub fn record_sent_values(&self, batch_id: &str, values: &[SentValue]) -> Result<(), WorkspaceError> {
        if values.is_empty() {
            return Ok(());
        }
        self.open_sent_values()?.record(batch_id, values)?;
        Ok(())
    }
}
