//! Signed tokens for open-time URLs (`/feeds/...?t=`, `/live/...png?t=`, `/r/<token>`).
//!
//! A token is `base64url(version | key id | expiry | fields | tag)` where the tag is HMAC-SHA256,
//! under one of the workspace's signing keys (kept in the store, table `signing_keys`), over a
//! domain prefix, the *purpose* (`"feed"`, `"image"`, `"click"`, ...), the key id, the expiry and
//! the fields. The purpose is not carried: the verifier names it, so a token made for one purpose
//! never passes for another. The fields are carried (the verifier gets them back) and must hold no
//! personal data: store ids, email and block names, never an address or a name.
//!
//! Verification recomputes the tag and compares it in constant time (`hmac`'s `verify_slice`)
//! before anything in the token is trusted, then checks the key (known, not revoked) and the
//! expiry. Every failure is a [`TokenError`]; servers answer all of them with the same 403.
//!
//! Rotation (`tessera keys rotate-signing`) adds a new signing key; older keys keep verifying
//! until revoked, so tokens already sent stay valid until their own expiry.

use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use time::OffsetDateTime;

use crate::live::SigningKeyRow;
use crate::{Store, StoreError};

type HmacSha256 = Hmac<Sha256>;

/// The format version, first byte of every token.
const VERSION: u8 = 1;
/// What every tag covers first, so these tags can never be confused with another HMAC use.
const DOMAIN: &[u8] = b"tessera-token\0";
/// Bytes of the HMAC-SHA256 tag.
const TAG_LEN: usize = 32;
/// Version, key id (u32) and expiry (i64 seconds).
const HEADER_LEN: usize = 1 + 4 + 8;
/// Longest token text accepted (a URL parameter, not a payload).
pub const MAX_TOKEN_LEN: usize = 1024;

/// Why a token was refused. Servers answer every kind with the same 403 and no detail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Not base64url, too short or too long, or fields that do not decode.
    #[error("malformed token")]
    Malformed,
    /// Signed with a key this workspace does not have.
    #[error("unknown signing key")]
    UnknownKey,
    /// The tag does not match: forged, altered, or made for another purpose.
    #[error("bad signature")]
    Forged,
    /// Past its expiry.
    #[error("expired")]
    Expired,
    /// Its key was revoked.
    #[error("revoked signing key")]
    Revoked,
}

/// Why a token could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignError {
    /// There is no signing key in force (all revoked).
    #[error("no signing key in force: rotate to make one")]
    NoKey,
    /// A field longer than 65,535 bytes, or a token over the length limit.
    #[error("the fields are too long for a token")]
    TooLong,
}

/// The workspace's signing keys, read from the store. `Debug` never prints a secret.
#[derive(Clone)]
pub struct SigningKeys {
    keys: Vec<SigningKeyRow>,
}

impl std::fmt::Debug for SigningKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(&self.keys).finish()
    }
}

/// 32 random bytes for a new key.
fn new_secret() -> Result<[u8; 32], StoreError> {
    let mut secret = [0u8; 32];
    getrandom::fill(&mut secret).map_err(|e| StoreError::Random(e.to_string()))?;
    Ok(secret)
}

/// Makes a new signing key the one that signs; the previous ones keep verifying. Returns its id.
///
/// # Errors
/// No randomness, or the store failed.
pub fn rotate(store: &mut Store) -> Result<i64, StoreError> {
    let secret = new_secret()?;
    store.rotate_signing_key(&secret, crate::now_ms())
}

impl SigningKeys {
    /// The keys in `store`; the first key is made when the workspace has none yet.
    ///
    /// # Errors
    /// No randomness, or the store failed.
    pub fn load(store: &mut Store) -> Result<Self, StoreError> {
        let mut keys = store.signing_keys()?;
        if keys.is_empty() {
            rotate(store)?;
            keys = store.signing_keys()?;
        }
        Ok(Self { keys })
    }

    /// The keys in `store` as they are, none made (for readers that must not write).
    ///
    /// # Errors
    /// The store failed.
    pub fn read(store: &Store) -> Result<Self, StoreError> {
        Ok(Self {
            keys: store.signing_keys()?,
        })
    }

    /// The id of the key that signs now, if any is in force.
    #[must_use]
    pub fn current_id(&self) -> Option<i64> {
        self.current().map(|k| k.id)
    }

    fn current(&self) -> Option<&SigningKeyRow> {
        self.keys.iter().rev().find(|k| k.revoked_at.is_none())
    }

    /// A token for `purpose` carrying `fields`, valid until `expires` (whole seconds).
    ///
    /// # Errors
    /// No key in force, or fields too long.
    pub fn sign(&self, purpose: &str, fields: &[&str], expires: OffsetDateTime) -> Result<String, SignError> {
        let key = self.current().ok_or(SignError::NoKey)?;
        let key_id = u32::try_from(key.id).map_err(|_| SignError::NoKey)?;
        let mut body = Vec::with_capacity(HEADER_LEN + fields.iter().map(|f| f.len() + 2).sum::<usize>() + TAG_LEN);
        body.push(VERSION);
        body.extend_from_slice(&key_id.to_be_bytes());
        body.extend_from_slice(&expires.unix_timestamp().to_be_bytes());
        for field in fields {
            let len = u16::try_from(field.len()).map_err(|_| SignError::TooLong)?;
            body.extend_from_slice(&len.to_be_bytes());
            body.extend_from_slice(field.as_bytes());
        }
        let tag = mac(&key.secret, purpose, &body).finalize().into_bytes();
        body.extend_from_slice(&tag);
        let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&body);
        if token.len() > MAX_TOKEN_LEN {
            return Err(SignError::TooLong);
        }
        Ok(token)
    }

    /// The fields of `token` if it was signed for `purpose` by a key in force and is not expired
    /// at `now`.
    ///
    /// # Errors
    /// See [`TokenError`]; the signature is checked (in constant time) before the expiry.
    pub fn verify(&self, purpose: &str, token: &str, now: OffsetDateTime) -> Result<Vec<String>, TokenError> {
        if token.len() > MAX_TOKEN_LEN {
            return Err(TokenError::Malformed);
        }
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(token)
            .map_err(|_| TokenError::Malformed)?;
        if bytes.len() < HEADER_LEN + TAG_LEN || bytes[0] != VERSION {
            return Err(TokenError::Malformed);
        }
        let (body, tag) = bytes.split_at(bytes.len() - TAG_LEN);
        let key_id = i64::from(u32::from_be_bytes([body[1], body[2], body[3], body[4]]));
        let key = self
            .keys
            .iter()
            .find(|k| k.id == key_id)
            .ok_or(TokenError::UnknownKey)?;
        mac(&key.secret, purpose, body)
            .verify_slice(tag)
            .map_err(|_| TokenError::Forged)?;
        if key.revoked_at.is_some() {
            return Err(TokenError::Revoked);
        }
        let mut expiry = [0u8; 8];
        expiry.copy_from_slice(&body[5..HEADER_LEN]);
        if now.unix_timestamp() >= i64::from_be_bytes(expiry) {
            return Err(TokenError::Expired);
        }
        decode_fields(&body[HEADER_LEN..])
    }
}

/// The HMAC over the domain, the purpose (length-prefixed) and the token body.
fn mac(secret: &[u8; 32], purpose: &str, body: &[u8]) -> HmacSha256 {
    // A 32-byte key is always accepted by HMAC.
    let mut mac = <HmacSha256 as Mac>::new_from_slice(secret).expect("HMAC takes a key of any length");
    mac.update(DOMAIN);
    mac.update(&(purpose.len() as u64).to_be_bytes());
    mac.update(purpose.as_bytes());
    mac.update(body);
    mac
}

fn decode_fields(mut rest: &[u8]) -> Result<Vec<String>, TokenError> {
    let mut fields = Vec::new();
    while !rest.is_empty() {
        let [hi, lo, tail @ ..] = rest else {
            return Err(TokenError::Malformed);
        };
        let len = usize::from(u16::from_be_bytes([*hi, *lo]));
        if tail.len() < len {
            return Err(TokenError::Malformed);
        }
        let (field, after) = tail.split_at(len);
        fields.push(String::from_utf8(field.to_vec()).map_err(|_| TokenError::Malformed)?);
        rest = after;
    }
    Ok(fields)
}
