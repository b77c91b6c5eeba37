//! Signed tokens for open-time URLs (`/feeds/...?t=`, `/live/...png?t=`, `/r/<token>`): the
//! primitive lives beside the keys in the store ([`tessera_store::signing`]) so the workspace's use
//! cases (AMP renders, test sends) sign with it too; the collector verifies with it.

pub use tessera_store::signing::{rotate, SignError, SigningKeys, TokenError, MAX_TOKEN_LEN};
