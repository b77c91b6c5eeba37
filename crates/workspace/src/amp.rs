//! The AMP part of an email for one recipient (`tessera render --amp`, `tessera export --target
//! amp`, test sends with `--amp`): live blocks get a feed URL signed with the workspace's signing
//! keys (`tessera_store::signing`) when the recipient is a stored profile and `[live] base_url` is
//! an `https` address; otherwise they stay static, and the report says why.

use serde_json::Value;
use std::collections::HashMap;

use tessera_core::amp::{self, AmpPlan, AmpRendered, LiveBlock, LiveTemplate};
use tessera_core::compose::live_image::LiveImageRef;
use tessera_core::live::{LiveSvg, Shape, ShapeInput};
use tessera_core::model::{BlockInstance, LiveSpec};
use tessera_store::signing::SigningKeys;
use tessera_store::Store;
use time::OffsetDateTime;

use crate::{EmailEntry, Workspace, WorkspaceError};

/// How long a feed URL in a sent email keeps working: AMP clients stop refreshing an email after
/// about 30 days.
pub const FEED_TOKEN_DAYS: i64 = 30;

/// The purpose tag of feed tokens (see `tessera_store::signing`).
pub const FEED_PURPOSE: &str = "feed";

/// The purpose tag of live image tokens: an image URL is no feed URL, and the other way round.
pub const IMAGE_PURPOSE: &str = "live-image";

/// The recipient the AMP part is for: a stored profile's id, when it is one.
#[derive(Debug, Clone, Copy)]
pub struct AmpRecipient {
    /// The store id (feeds are computed for it at open time).
    pub profile_id: Option<i64>,
    /// Now, for the tokens' expiry.
    pub now: OffsetDateTime,
}

/// The feed URL of a live block: `<base>/feeds/<email>/<block>?t=<token>`, the token carrying the
/// profile id, the email and the block.
#[must_use]
pub fn feed_url(base: &str, email: &str, block: &str, token: &str) -> String {
    format!("{}/feeds/{email}/{block}?t={token}", base.trim_end_matches('/'))
}

/// The live image URL of a live block: `<base>/live/<email>/<block>.png?t=<token>`, the token
/// (purpose [`IMAGE_PURPOSE`]) carrying the profile id, the email and the block.
#[must_use]
pub fn live_image_url(base: &str, email: &str, block: &str, token: &str) -> String {
    format!("{}/live/{email}/{block}.png?t={token}", base.trim_end_matches('/'))
}

impl Workspace {
    /// `[live] base_url` when it is an `https://` address: the only base signed feed and live-image
    /// URLs are written under.
    pub(crate) fn live_https_base(&self) -> Option<&str> {
        self.config
            .live
            .base_url
            .as_deref()
            .filter(|b| b.starts_with("https://"))
    }

    /// The signed live images of `entry`'s live blocks that opt in (`"image": true`) for the stored
    /// profile `profile_id`; none without an `https` `[live] base_url`.
    ///
    /// # Errors
    /// The store (where the signing keys are, made on first use) cannot be opened.
    pub fn live_images(
        &self,
        entry: &EmailEntry,
        profile_id: i64,
        now: OffsetDateTime,
    ) -> Result<Vec<LiveImageRef>, WorkspaceError> {
        let blocks: Vec<String> = Self::live_blocks(entry)
            .into_iter()
            .filter(|(_, spec)| spec.image)
            .map(|(id, _)| id)
            .collect();
        let base = self.live_https_base();
        let Some(base) = base.filter(|_| !blocks.is_empty()) else {
            return Ok(Vec::new());
        };
        let keys = SigningKeys::load(&mut self.open_store()?)?;
        let profile = profile_id.to_string();
        let expires = now + time::Duration::days(FEED_TOKEN_DAYS);
        Ok(blocks
            .into_iter()
            .filter_map(|block| {
                let token = keys
                    .sign(IMAGE_PURPOSE, &[&profile, &entry.name, &block], expires)
                    .ok()?;
                Some(LiveImageRef {
                    src: live_image_url(base, &entry.name, &block, &token),
                    block,
                })
            })
            .collect())
    }

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

    /// The live blocks with their signed feed URLs for `recipient` (none when it cannot be signed:
    /// no stored recipient or no `https` collector address).
    ///
    /// # Errors
    /// The store (where the signing keys are, made on first use) cannot be opened.
    pub fn signed_live_blocks(
        &self,
        entry: &EmailEntry,
        recipient: &AmpRecipient,
    ) -> Result<Vec<LiveBlock>, WorkspaceError> {
        let live = Self::live_blocks(entry);
        let base = self.live_https_base();
        let keys = match (base, recipient.profile_id) {
            (Some(_), Some(_)) if !live.is_empty() => {
                let mut store = self.open_store()?;
                Some(SigningKeys::load(&mut store)?)
            }
            _ => None,
        };
        Ok(live
            .into_iter()
            .map(|(id, spec)| {
                let src = match (base, recipient.profile_id, &keys) {
                    (Some(base), Some(profile), Some(keys)) => {
                        let profile = profile.to_string();
                        let expires = recipient.now + time::Duration::days(FEED_TOKEN_DAYS);
                        keys.sign(FEED_PURPOSE, &[&profile, &entry.name, &id], expires)
                            .ok()
                            .map(|token| feed_url(base, &entry.name, &id, &token))
                    }
                    _ => None,
                };
                LiveBlock { id, spec, src }
            })
            .collect())
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
        recipient: &AmpRecipient,
    ) -> Result<AmpRendered, WorkspaceError> {
        let plan = self.amp_plan(entry)?;
        let live = self.signed_live_blocks(entry, recipient)?;
        plan.render(data, &live).map_err(|e| {
            WorkspaceError::export(
                entry.path.clone(),
                tessera_core::export::ExportError::Amp(e.to_string()),
            )
        })
    }

    /// The AMP plan of the email's current version: made once per compiled version and kept (one
    /// per email), so rendering the AMP part for many recipients rewrites the markup and translates
    /// the live blocks' templates once.
    ///
    /// # Errors
    /// The email does not compile.
    pub fn amp_plan(&mut self, entry: &EmailEntry) -> Result<std::sync::Arc<AmpPlan>, WorkspaceError> {
        let compiled = self.compile(entry)?;
        if let Some(plan) = self.amp_plans.get(&entry.name) {
            if plan.version() == compiled.version {
                return Ok(std::sync::Arc::clone(plan));
            }
        }
        let plan = std::sync::Arc::new(AmpPlan::new(&compiled, &self.dictionary, &entry.name));
        self.amp_plans.insert(entry.name.clone(), std::sync::Arc::clone(&plan));
        Ok(plan)
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

/// A live block of one of the workspace's emails, with what its feed answers.
#[derive(Debug, Clone)]
pub struct LiveFeed {
    /// The email's name.
    pub email: String,
    /// The block id.
    pub block: String,
    /// Its `live` settings (`max_age` sets the answers' cache headers).
    pub spec: LiveSpec,
    /// The template and its data contract.
    pub template: LiveTemplate,
    /// The block's type (which SVG template draws its live image).
    pub block_type: String,
    /// The block instance's fields as written (labels, colours, `limit`, the countdown's `ends_at`).
    pub fields: serde_json::Map<String, Value>,
}

impl LiveFeed {
    /// The feed of `entry`'s live block `instance` (id `block`, settings `spec`), answered through
    /// `template`.
    #[must_use]
    pub fn new(
        entry: &EmailEntry,
        instance: &BlockInstance,
        block: String,
        spec: LiveSpec,
        template: LiveTemplate,
    ) -> Self {
        Self {
            email: entry.name.clone(),
            block_type: instance.block_type.clone(),
            fields: instance.fields.clone(),
            block,
            spec,
            template,
        }
    }

    /// The block's feed shape for the recipient context `data` at `now` (Unix seconds), with the
    /// stock of the products it lists read from `store`.
    ///
    /// # Errors
    /// The store failed.
    pub fn shape(&self, store: &Store, data: &Value, now: i64) -> Result<Shape, WorkspaceError> {
        let skus = tessera_core::live::shape::listed_skus(self.spec.feed, &self.fields, data);
        let stock = if skus.is_empty() {
            HashMap::new()
        } else {
            store.stock_of(&skus)?
        };
        Ok(Shape::compute(&ShapeInput {
            feed: self.spec.feed,
            fields: &self.fields,
            data,
            stock: &stock,
            now,
        }))
    }

    /// The SVG of the block's live image for `shape`.
    #[must_use]
    pub fn draw(&self, shape: &Shape) -> LiveSvg {
        tessera_core::live::draw(&self.block_type, &self.fields, shape)
    }
}

impl Workspace {
    /// Every live block of every email, with its template (for `tessera serve`'s feeds). A live
    /// email that does not compile is left out, with its error in the second list; an email that
    /// cannot be read is skipped (`tessera check` names it; it has no feed to serve).
    #[must_use]
    pub fn live_feeds(&self) -> (Vec<LiveFeed>, Vec<WorkspaceError>) {
        let mut feeds = Vec::new();
        let mut problems = Vec::new();
        for name in self.email_names() {
            let Ok(entry) = self.email(&name) else {
                continue;
            };
            let live = Self::live_blocks(&entry);
            if live.is_empty() {
                continue;
            }
            let composed = self.compose(&entry.document);
            let compiled = match tessera_core::Compiler::new().compile(&composed) {
                Ok(c) if !composed.has_errors() => c,
                Ok(_) => {
                    problems.push(WorkspaceError::Invalid {
                        path: entry.path.clone(),
                        diagnostics: composed.diagnostics,
                    });
                    continue;
                }
                Err(source) => {
                    problems.push(WorkspaceError::Compile {
                        path: entry.path.clone(),
                        source,
                    });
                    continue;
                }
            };
            for (block, spec) in live {
                let Some(instance) = entry.document.blocks.iter().find(|b| b.id == block) else {
                    continue;
                };
                match LiveTemplate::new(&compiled, &self.dictionary, &entry.name, &block) {
                    Ok(template) => feeds.push(LiveFeed::new(&entry, instance, block, spec, template)),
                    Err(e) => problems.push(WorkspaceError::export(
                        entry.path.clone(),
                        tessera_core::export::ExportError::Amp(e.to_string()),
                    )),
                }
            }
        }
        (feeds, problems)
    }
}
