//! Creating keys: a random secret shown once, stored as its hash (`tessera keys create`).

use base64::Engine as _;
use tessera_store::live::KeyKind;
use tessera_store::Store;

use crate::LiveError;

/// A new key: its id and the secret (shown once; the store keeps only its hash).
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct NewKey {
    /// The key's id.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub id: i64,
    /// What it may do.
    pub kind: KeyKind,
    /// The secret.
    pub secret: String,
}

/// Creates a key of `kind` in `store`.
///
/// # Errors
/// No randomness, or the store failed.
pub fn create(store: &Store, kind: KeyKind) -> Result<NewKey, LiveError> {
    let mut bytes = [0u8; 24];
    getrandom::fill(&mut bytes).map_err(|e| LiveError::Random(e.to_string()))?;
    let prefix = match kind {
        KeyKind::Write => "tsw_",
        KeyKind::Read => "tsr_",
    };
    let secret = format!(
        "{prefix}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    );
    let id = store.add_live_key(kind, &secret, tessera_store::now_ms())?;
    Ok(NewKey { id, kind, secret })
}

/// The keys of `store`, revoked ones too (never the secrets).
///
/// # Errors
/// The store failed.
pub fn list(store: &Store) -> Result<Vec<tessera_store::live::KeyInfo>, LiveError> {
    Ok(store.live_keys()?)
}

/// Revokes key `id`: it stops working within a second, also for a running collector. Returns
/// whether a key in force was revoked.
///
/// # Errors
/// The store failed.
pub fn revoke(store: &Store, id: i64) -> Result<bool, LiveError> {
    Ok(store.revoke_live_key(id, tessera_store::now_ms())?)
}
