//! Signed tokens on a real `SQLite` store: round trip, forged, expired, another recipient's, another
//! block's, another purpose's, rotated and revoked keys, and what the token text holds.

use base64::Engine as _;
use tessera_store::signing::{SigningKeys, TokenError};
use tessera_store::Store;
use time::{Duration, OffsetDateTime};

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(&dir.path().join("store.db")).expect("store opens");
    (dir, store)
}

fn now() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_780_000_000).expect("valid time")
}

#[test]
fn a_token_carries_its_fields_back_for_its_purpose_only() {
    let (_dir, mut store) = store();
    let keys = SigningKeys::load(&mut store).expect("keys");
    let token = keys
        .sign(
            "feed",
            &["42", "abandoned-cart", "cart-items"],
            now() + Duration::hours(1),
        )
        .expect("signs");
    assert_eq!(
        keys.verify("feed", &token, now()).expect("valid"),
        ["42", "abandoned-cart", "cart-items"]
    );
    assert_eq!(keys.verify("click", &token, now()), Err(TokenError::Forged));
    assert!(
        token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
        "{token}"
    );
    // The same key is read back from the store by another handle: the secret is the store's.
    let again = SigningKeys::read(&store).expect("keys");
    assert!(again.verify("feed", &token, now()).is_ok());
    assert!(!format!("{keys:?}").contains("secret: ["), "{keys:?}");
}

#[test]
fn forged_altered_truncated_and_garbage_tokens_are_refused() {
    let (_dir, mut store) = store();
    let keys = SigningKeys::load(&mut store).expect("keys");
    let token = keys
        .sign("feed", &["42", "e", "b"], now() + Duration::hours(1))
        .expect("signs");
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let bytes = b64.decode(&token).expect("base64url");
    // Flip each byte in turn: the version byte makes it malformed, the key id unknown, anything
    // else a bad signature.
    for i in 0..bytes.len() {
        let mut altered = bytes.clone();
        altered[i] ^= 0x01;
        let result = keys.verify("feed", &b64.encode(&altered), now());
        let expected = match i {
            0 => TokenError::Malformed,
            1..=4 => TokenError::UnknownKey,
            _ => TokenError::Forged,
        };
        assert_eq!(result, Err(expected), "byte {i}");
    }
    // Another recipient's fields under the original tag.
    let mut other = bytes.clone();
    let at = bytes
        .windows(2)
        .position(|w| w == b"42")
        .expect("recipient id in the body");
    other[at + 1] = b'3';
    assert_eq!(keys.verify("feed", &b64.encode(&other), now()), Err(TokenError::Forged));
    // A token made by another workspace (another secret) with the same key id.
    let (_dir2, mut elsewhere) = self::store();
    let foreign = SigningKeys::load(&mut elsewhere).expect("keys");
    let forged = foreign
        .sign("feed", &["42", "e", "b"], now() + Duration::hours(1))
        .expect("signs");
    assert_eq!(keys.verify("feed", &forged, now()), Err(TokenError::Forged));
    for garbage in ["", "not a token!", "AAAA", &"A".repeat(5000), &token[..token.len() - 3]] {
        assert!(keys.verify("feed", garbage, now()).is_err(), "{garbage:.40}");
    }
}

#[test]
fn a_token_for_another_recipient_or_block_does_not_verify_as_this_one() {
    let (_dir, mut store) = store();
    let keys = SigningKeys::load(&mut store).expect("keys");
    let ada = keys
        .sign(
            "feed",
            &["1", "abandoned-cart", "cart-items"],
            now() + Duration::hours(1),
        )
        .expect("signs");
    let fields = keys.verify("feed", &ada, now()).expect("valid");
    // The server compares the fields with the request's path: Ben's URL with Ada's token fails.
    assert_ne!(fields, ["2", "abandoned-cart", "cart-items"]);
    assert_ne!(fields, ["1", "abandoned-cart", "recommendations"]);
    // Field boundaries are part of what is signed: ("1a", "b") is not ("1", "ab").
    let a = keys
        .sign("feed", &["1a", "b"], now() + Duration::hours(1))
        .expect("signs");
    assert_eq!(keys.verify("feed", &a, now()).expect("valid"), ["1a", "b"]);
}

#[test]
fn expiry_is_checked_to_the_second() {
    let (_dir, mut store) = store();
    let keys = SigningKeys::load(&mut store).expect("keys");
    let expires = now() + Duration::minutes(15);
    let token = keys.sign("image", &["7"], expires).expect("signs");
    assert!(keys.verify("image", &token, expires - Duration::seconds(1)).is_ok());
    assert_eq!(keys.verify("image", &token, expires), Err(TokenError::Expired));
    assert_eq!(
        keys.verify("image", &token, expires + Duration::days(1)),
        Err(TokenError::Expired)
    );
}

#[test]
fn rotation_keeps_old_tokens_valid_until_they_expire_and_revocation_ends_them() {
    let (_dir, mut store) = store();
    let before = SigningKeys::load(&mut store).expect("keys");
    let first_id = before.current_id().expect("a key");
    let old = before.sign("feed", &["1"], now() + Duration::hours(2)).expect("signs");
    let new_id = tessera_store::signing::rotate(&mut store).expect("rotates");
    assert!(new_id > first_id);
    let after = SigningKeys::load(&mut store).expect("keys");
    assert_eq!(after.current_id(), Some(new_id), "the new key signs");
    assert_eq!(after.verify("feed", &old, now()).expect("old token still valid"), ["1"]);
    assert_eq!(
        after.verify("feed", &old, now() + Duration::hours(2)),
        Err(TokenError::Expired)
    );
    let fresh = after.sign("feed", &["1"], now() + Duration::hours(2)).expect("signs");
    assert_ne!(fresh, old);
    assert!(after.verify("feed", &fresh, now()).is_ok());
    // Revoking the old key ends its tokens; the new key's are untouched.
    assert!(store.revoke_signing_key(first_id, 0).expect("revokes"));
    let revoked = SigningKeys::read(&store).expect("keys");
    assert_eq!(revoked.verify("feed", &old, now()), Err(TokenError::Revoked));
    assert!(revoked.verify("feed", &fresh, now()).is_ok());
    // Loading does not make another key while one is in force.
    assert_eq!(SigningKeys::load(&mut store).expect("keys").current_id(), Some(new_id));
}

#[test]
fn the_token_holds_no_personal_data_and_the_secret_stays_in_the_store() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("store.db");
    let mut store = Store::open(&path).expect("store opens");
    let keys = SigningKeys::load(&mut store).expect("keys");
    let token = keys
        .sign("feed", &["42", "welcome", "hero"], now() + Duration::hours(1))
        .expect("signs");
    let decoded = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(&token)
        .expect("base64url");
    // The token is the signed ids (recipient id, email and block names) and a 32-byte HMAC, whose
    // random bytes may be anything: only the part before it is readable data.
    let data = &decoded[..decoded.len() - 32];
    assert!(!data.contains(&b'@'), "no address in the token");
    // The secret is a 32-byte BLOB of the signing_keys table, read here behind the store's back.
    let conn = rusqlite::Connection::open(&path).expect("opens");
    let (count, len): (i64, i64) = conn
        .query_row("SELECT count(*), length(secret) FROM signing_keys", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .expect("reads");
    assert_eq!((count, len), (1, 32));
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).expect("reads");
    assert!(
        version >= 7,
        "the signing keys' migration (0007) is applied: user_version {version}"
    );
}
