//! `tessera keys rotate-signing` and `revoke-signing` through the real binary, with the store read
//! behind the CLI's back: the secret lives only in the store, never in the output.

mod common;

use common::{all, assert_exit, assert_mentions, stdout, Dir};

/// A stored signing key: id, secret, retired at, revoked at.
type KeyRow = (i64, Vec<u8>, Option<i64>, Option<i64>);

fn keys(ws: &Dir) -> Vec<KeyRow> {
    let conn = rusqlite::Connection::open(ws.join(".tessera/store.db")).expect("store opens");
    let mut st = conn
        .prepare("SELECT id, secret, retired_at, revoked_at FROM signing_keys ORDER BY id")
        .expect("prepares");
    st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .and_then(Iterator::collect)
        .expect("reads")
}

#[test]
fn rotate_signing_adds_a_key_keeps_the_old_one_verifying_and_prints_no_secret() {
    let ws = Dir::workspace();
    let first = ws.run(&["keys", "rotate-signing"]);
    assert_exit(&first, 0);
    assert_mentions(&stdout(&first), &["signing key 1 now signs"]);
    let second = ws.run(&["keys", "rotate-signing"]);
    assert_exit(&second, 0);
    assert_mentions(&stdout(&second), &["signing key 2 now signs", "still verify"]);
    let rows = keys(&ws);
    assert_eq!(rows.len(), 2);
    assert!(
        rows[0].2.is_some() && rows[0].3.is_none(),
        "the first key is retired, not revoked"
    );
    assert!(rows[1].2.is_none() && rows[1].3.is_none(), "the second key signs");
    assert_ne!(rows[0].1, rows[1].1, "each key has its own secret");
    for (_, secret, _, _) in &rows {
        assert_eq!(secret.len(), 32);
        let hex: String = secret.iter().map(|b| format!("{b:02x}")).collect();
        for out in [&first, &second] {
            assert!(!all(out).contains(&hex[..16]), "secret printed");
        }
    }
    let revoke = ws.run(&["keys", "revoke-signing", "1"]);
    assert_exit(&revoke, 0);
    assert!(keys(&ws)[0].3.is_some());
    let again = ws.run(&["keys", "revoke-signing", "1"]);
    assert_exit(&again, 1);
    assert_mentions(&all(&again), &["no signing key 1 in force"]);
}
