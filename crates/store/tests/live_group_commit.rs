//! The live collector's group commit on a real SQLite file: many requests in one transaction,
//! one refused call among them, every other call answered and stored, nothing of the refused one
//! left behind (not even its de-duplication id), and the membership of the touched profiles
//! updated in the same commit.

use serde_json::json;
use tessera_store::import::{import, ImportOptions, Kind};
use tessera_store::live::{Call, Identity, LiveEvent, Message, Outcome};
use tessera_store::segments::{Segment, SegmentSet};
use tessera_store::Store;

/// 2026-11-28T00:00:00Z.
const T: i64 = 1_795_824_000_000;

const PROFILES: &str = "email,crm_id,first_name,updated_at
ada@example.com,CRM1,Ada,2026-11-01T10:00:00Z
ben@example.com,CRM2,Ben,2026-11-01T10:00:00Z
chloe@example.com,CRM3,Chloé,2026-11-01T10:00:00Z
";

fn user(id: &str) -> Identity {
    Identity {
        user_id: Some(id.to_owned()),
        anonymous_id: None,
    }
}

/// A `Product Viewed` track for the CRM id `who`.
fn view(message_id: &str, who: &str, sku: &str) -> Message {
    Message {
        message_id: Some(message_id.to_owned()),
        call: Call::Track {
            identity: user(who),
            events: vec![LiveEvent {
                name: "product_view".to_owned(),
                custom: false,
                sku: Some(sku.to_owned()),
                category: None,
                value: None,
                currency: None,
                occurred_at: T - 1000,
                properties: serde_json::Value::Null,
            }],
        },
    }
}

/// An identify of a new person, with an email the import's validation refuses or accepts.
fn identify(message_id: &str, who: &str, email: &str) -> Message {
    Message {
        message_id: Some(message_id.to_owned()),
        call: Call::Identify {
            identity: user(who),
            traits: json!({"email": email, "first_name": "New"})
                .as_object()
                .cloned()
                .expect("object"),
            at: T - 1000,
        },
    }
}

fn count(store_path: &std::path::Path, sql: &str) -> i64 {
    let conn = rusqlite::Connection::open(store_path).expect("open");
    conn.query_row(sql, [], |r| r.get(0)).expect(sql)
}

#[test]
fn a_group_commit_with_one_refused_call_answers_every_other_call_and_writes_nothing_of_the_refused_one() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("store.db");
    let mut store = Store::open(&path).expect("store");
    let csv = dir.path().join("p.csv");
    std::fs::write(&csv, PROFILES).expect("write");
    import(&mut store, &csv, &ImportOptions::new(Kind::Profiles), &|_| {}).expect("profiles");
    let set = SegmentSet::new([Segment::parse("viewers", r#"{"rule": {"event": "product_view"}}"#).expect("segment")])
        .expect("set");
    store.sync_segments(&set, T).expect("sync");
    store.sync_at_checkpoints_only().expect("synchronous = NORMAL");
    let id = |store: &Store, email: &str| store.find_profile_id(email).expect("id");
    let (ada, ben, chloe) = (
        id(&store, "ada@example.com"),
        id(&store, "ben@example.com"),
        id(&store, "chloe@example.com"),
    );
    let batch = store.live_session("test", T).expect("session");

    // Three requests committed together: a batch with a refused identify between two tracks, a
    // retry of an earlier call, and a single track.
    let groups = vec![
        vec![
            view("m-ada", "CRM1", "NW-1"),
            identify("m-bad", "newcomer", "not an email"),
            view("m-ben", "CRM2", "NW-2"),
        ],
        vec![view("m-ada", "CRM1", "NW-1")],
        vec![view("m-chloe", "CRM3", "NW-3")],
    ];
    let applied = store
        .apply_live(batch, &groups, &Default::default(), T, T)
        .expect("one commit");
    assert_eq!(applied.outcomes.len(), 3, "one answer per request");
    assert_eq!(applied.outcomes[0][0], Outcome::Stored { profile_id: ada });
    let Outcome::Rejected { field, reason } = &applied.outcomes[0][1] else {
        panic!("the bad identify is refused: {:?}", applied.outcomes[0][1]);
    };
    assert_eq!(field, "traits.email", "{reason}");
    assert_eq!(applied.outcomes[0][2], Outcome::Stored { profile_id: ben });
    assert_eq!(
        applied.outcomes[1],
        [Outcome::Duplicate],
        "the retry is not stored twice"
    );
    assert_eq!(applied.outcomes[2], [Outcome::Stored { profile_id: chloe }]);
    assert_eq!(applied.events, 3);

    // Membership moved in the same commit, for the touched profiles.
    let mut entered = applied.changes["viewers"].entered.clone();
    entered.sort_unstable();
    let mut expected = vec![ada, ben, chloe];
    expected.sort_unstable();
    assert_eq!(entered, expected);
    let members: Vec<i64> = store
        .segment_members("viewers", 10)
        .expect("members")
        .into_iter()
        .map(|m| m.id)
        .collect();
    assert_eq!(members.len(), 3);

    // On disk (another connection): three events, three remembered ids, no trace of the refused
    // call: no profile, no bound id, no remembered message id.
    assert_eq!(count(&path, "SELECT count(*) FROM events"), 3);
    assert_eq!(count(&path, "SELECT count(*) FROM live_messages"), 3);
    assert_eq!(
        count(&path, "SELECT count(*) FROM live_messages WHERE message_id = 'm-bad'"),
        0
    );
    assert_eq!(count(&path, "SELECT count(*) FROM profiles"), 3);
    assert_eq!(
        count(
            &path,
            "SELECT count(*) FROM live_identities WHERE external_id = 'newcomer'"
        ),
        0
    );

    // So the corrected retry of the refused call is stored, not taken for a duplicate.
    let applied = store
        .apply_live(
            batch,
            &[vec![identify("m-bad", "newcomer", "newcomer@example.com")]],
            &Default::default(),
            T,
            T,
        )
        .expect("second commit");
    let newcomer = id(&store, "newcomer@example.com");
    assert_eq!(applied.outcomes, [vec![Outcome::Stored { profile_id: newcomer }]]);
    assert_eq!(count(&path, "SELECT count(*) FROM profiles"), 4);
    assert_eq!(store.integrity_check().expect("check"), "ok");
}
