//! The send-time values file (`.tessera/sent-values.db`): a real SQLite file, written per send
//! batch in one transaction, the newest values kept per (profile, email, block), read back by
//! another connection (the server's) while a writer holds the file.

use serde_json::json;
use tessera_store::sent_values::{SentValue, SentValues};

fn value(profile_id: i64, block: &str, sent_at_ms: i64, points: &str) -> SentValue {
    SentValue {
        profile_id,
        email: "seasonal-sale".to_owned(),
        block: block.to_owned(),
        sent_at_ms,
        feed: json!({"items": [{"root": {"points": points}}]}),
        shape: json!({"feed": "profile", "fields": {}, "points": points}),
    }
}

#[test]
fn a_batch_is_kept_whole_and_only_the_newest_values_per_block_stay() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(".tessera/sent-values.db");
    let mut file = SentValues::open(&path).expect("open");
    file.record(
        "b1",
        &[value(7, "rewards", 1_000, "3,450"), value(7, "vip-offer", 1_000, "")],
    )
    .expect("record");
    file.record("b2", &[value(7, "rewards", 2_000, "3,500")])
        .expect("record");
    // An older batch arriving late does not replace newer values.
    file.record("b0", &[value(7, "rewards", 500, "1")]).expect("record");

    let reader = SentValues::open(&path).expect("a second connection");
    let rewards = reader.get(7, "seasonal-sale", "rewards").expect("read").expect("a row");
    assert_eq!(rewards, value(7, "rewards", 2_000, "3,500"));
    assert!(reader.get(7, "seasonal-sale", "vip-offer").expect("read").is_some());
    assert_eq!(reader.get(8, "seasonal-sale", "rewards").expect("read"), None);
    assert_eq!(reader.get(7, "abandoned-cart", "rewards").expect("read"), None);
    let rows: i64 = rusqlite::Connection::open(&path)
        .expect("sqlite")
        .query_row("SELECT count(*) FROM sent_values", [], |r| r.get(0))
        .expect("count");
    assert_eq!(rows, 2, "one row per (profile, email, block)");
}

#[test]
fn a_reader_is_not_held_up_by_a_writer_in_a_transaction() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("sent-values.db");
    let mut file = SentValues::open(&path).expect("open");
    file.record("b1", &[value(1, "rewards", 1_000, "10")]).expect("record");
    let writer = rusqlite::Connection::open(&path).expect("sqlite");
    writer
        .execute_batch("BEGIN IMMEDIATE; DELETE FROM sent_values;")
        .expect("a write transaction left open");
    let reader = SentValues::open(&path).expect("open");
    reader
        .set_busy_timeout(std::time::Duration::from_millis(50))
        .expect("timeout");
    assert_eq!(
        reader.get(1, "seasonal-sale", "rewards").expect("read"),
        Some(value(1, "rewards", 1_000, "10")),
        "WAL: the last committed values"
    );
    writer.execute_batch("ROLLBACK").expect("rollback");
}
