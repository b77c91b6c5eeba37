//! The store on a real SQLite file: settings, migrations, imports that commit whole or not at
//! all, de-duplication and merging, idempotent re-imports, and the render context.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde_json::json;
use tessera_store::import::{import, ImportOptions, ImportReport, Kind};
use tessera_store::{Store, StoreError};

struct Fixture {
    dir: tempfile::TempDir,
    store: Store,
}

impl Fixture {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(&dir.path().join(".tessera/store.db")).expect("store opens");
        Self { dir, store }
    }

    fn file(&self, name: &str, contents: &[u8]) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::File::create(&path)
            .and_then(|mut f| f.write_all(contents))
            .expect("write file");
        path
    }

    fn import(&mut self, path: &Path, kind: Kind) -> Result<ImportReport, StoreError> {
        self.import_with(path, kind, false)
    }

    fn import_with(&mut self, path: &Path, kind: Kind, dry_run: bool) -> Result<ImportReport, StoreError> {
        import(
            &mut self.store,
            path,
            &ImportOptions {
                dry_run,
                ..ImportOptions::new(kind)
            },
            &|_| {},
        )
    }

    fn count(&self, table: &str) -> i64 {
        rusqlite::Connection::open(self.store.path())
            .and_then(|c| c.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0)))
            .expect("count")
    }
}

#[test]
fn opening_applies_migrations_and_durability_settings() {
    let f = Fixture::new();
    let conn = rusqlite::Connection::open(f.store.path()).expect("open");
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .expect("version");
    assert_eq!(version, 9);
    let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).expect("mode");
    assert_eq!(mode, "wal");
    assert_eq!(f.store.integrity_check().expect("check"), "ok");
    drop(conn);
    // Opening again is a no-op for migrations.
    let again = Store::open(f.store.path()).expect("reopens");
    assert_eq!(again.integrity_check().expect("check"), "ok");
}

#[test]
fn events_stored_under_the_first_schema_stay_unique_after_the_key_change() {
    let mut f = Fixture::new();
    let p = f.file("p.csv", PROFILES.as_bytes());
    f.import(&p, Kind::Profiles).expect("profiles");
    let events = f.file(
        "e.jsonl",
        br#"{"email": "ada@example.com", "type": "purchase", "sku": "NW-1001", "value": 149.9, "occurred_at": "2026-11-20T10:00:00Z"}
"#,
    );
    f.import(&events, Kind::Events).expect("events");
    let key = |path: &Path| -> Vec<u8> {
        rusqlite::Connection::open(path)
            .and_then(|c| c.query_row("SELECT dedup_key FROM events", [], |r| r.get(0)))
            .expect("key")
    };
    let path = f.store.path().to_path_buf();
    let current = key(&path);
    // Turn the events back into what the first schema wrote (the profile id before the time,
    // and the index the second migration drops), then apply that migration's script.
    let Fixture { dir, store } = f;
    drop(store);
    let conn = rusqlite::Connection::open(&path).expect("open");
    conn.execute_batch(
        "UPDATE events SET dedup_key = CAST(substr(dedup_key, 9, 8) || substr(dedup_key, 1, 8) || substr(dedup_key, 17) AS BLOB);
         CREATE INDEX events_type_time ON events (type, occurred_at);",
    )
    .expect("downgrade");
    assert_ne!(key(&path), current, "the first schema's layout differs");
    conn.execute_batch(include_str!("../migrations/0002_event_keys.sql"))
        .expect("migration 0002");
    drop(conn);
    assert_eq!(key(&path), current, "the migration rewrites the key");
    let mut f = Fixture {
        dir,
        store: Store::open(&path).expect("reopens"),
    };
    let again = f.file(
        "e2.jsonl",
        br#"{"email": "ada@example.com", "type": "purchase", "sku": "nw-1001", "value": 149.9, "occurred_at": "2026-11-20T11:00:00+01:00"}
"#,
    );
    let r = f.import(&again, Kind::Events).expect("events again");
    assert_eq!((r.inserted, r.unchanged), (0, 1), "{r:#?}");
    assert_eq!(f.count("events"), 1);
}

#[test]
fn a_store_from_a_newer_tessera_is_refused() {
    let f = Fixture::new();
    rusqlite::Connection::open(f.store.path())
        .and_then(|c| c.execute_batch("PRAGMA user_version = 99"))
        .expect("bump");
    let err = Store::open(f.store.path()).expect_err("newer schema");
    assert!(err.to_string().contains("schema version 99"), "{err}");
}

const PROFILES: &str = "email,first_name,last_name,country,phone,postal_code,loyalty_points,updated_at
ada@Example.com,Ada,Lovelace,Deutschland,+49 30 1234567,10115,1200,2026-11-01T10:00:00Z
ben@example.com,Ben,  Okafor ,usa,,,5,2026-11-01T10:00:00Z
not-an-email,Bad,Row,DE,,,1,2026-11-01T10:00:00Z
ADA@example.com,Ada,King,DE,,,1300,2026-11-02T10:00:00Z
";

#[test]
fn profiles_are_validated_normalized_and_merged_newest_first() {
    let mut f = Fixture::new();
    let path = f.file("p.csv", PROFILES.as_bytes());
    let r = f.import(&path, Kind::Profiles).expect("imports");
    assert_eq!((r.rows_read, r.inserted, r.merged, r.rejected), (4, 2, 1, 1), "{r:#?}");
    assert_eq!(r.rejections[0].line, 4);
    assert_eq!(r.rejections[0].field.as_deref(), Some("email"));
    assert!(r.rejections[0].reason.contains("no @"));
    assert_eq!(r.encoding, "UTF-8");

    let ada = f.store.profile_detail("ada@example.com", 10).expect("ada");
    assert_eq!(
        ada.profile["email"],
        json!("ada@example.com"),
        "domain lower-cased, local part as given"
    );
    assert_eq!(ada.profile["last_name"], json!("King"), "the newer row wins");
    assert_eq!(ada.profile["first_name"], json!("Ada"));
    assert_eq!(ada.profile["country"], json!("DE"));
    assert_eq!(
        ada.profile["phone"],
        json!("+49301234567"),
        "kept from the older row: the newer one had none"
    );
    assert_eq!(ada.profile["loyalty_points"], json!(1300));
    assert_eq!(
        ada.data_ages["last_name"]["at"],
        json!("2026-11-02T10:00:00Z"),
        "provenance of the kept value"
    );
    assert_eq!(ada.data_ages["phone"]["at"], json!("2026-11-01T10:00:00Z"));
    let ben = f.store.profile_detail("BEN@example.com", 10).expect("ben by any case");
    assert_eq!(ben.profile["last_name"], json!("Okafor"), "whitespace trimmed");
    assert_eq!(ben.profile["country"], json!("US"));

    let older = f.file(
        "older.csv",
        b"email,last_name,updated_at\nada@example.com,Byron,2026-10-01T00:00:00Z\n",
    );
    let r = f.import(&older, Kind::Profiles).expect("imports");
    assert_eq!(
        (r.updated, r.unchanged),
        (0, 1),
        "an older value does not overwrite a newer one"
    );
    assert_eq!(
        f.store.profile_detail("ada@example.com", 0).expect("ada").profile["last_name"],
        json!("King")
    );
}

#[test]
fn reimporting_the_same_file_changes_nothing() {
    let mut f = Fixture::new();
    let path = f.file("p.csv", PROFILES.as_bytes());
    f.import(&path, Kind::Profiles).expect("first");
    let batches = f.count("import_batches");
    let before = f.store.profile_detail("ada@example.com", 0).expect("ada");
    let r = f.import(&path, Kind::Profiles).expect("again");
    assert_eq!(r.inserted + r.updated, 0, "{r:#?}");
    assert!(r.warnings.iter().any(|w| w.contains("already imported")));
    assert_eq!(f.count("import_batches"), batches);
    assert_eq!(f.store.profile_detail("ada@example.com", 0).expect("ada"), before);
    // The same rows under another name are recognized row by row.
    let copy = f.file("copy.csv", format!("{PROFILES}\n").as_bytes());
    let r = f.import(&copy, Kind::Profiles).expect("copy");
    assert_eq!((r.inserted, r.updated, r.merged, r.unchanged), (0, 0, 0, 3), "{r:#?}");
    assert_eq!(f.store.profile_detail("ada@example.com", 0).expect("ada"), before);
}

#[test]
fn a_dry_run_reports_and_writes_nothing() {
    let mut f = Fixture::new();
    let path = f.file("p.csv", PROFILES.as_bytes());
    let r = f.import_with(&path, Kind::Profiles, true).expect("dry run");
    assert_eq!(r.inserted, 2);
    assert!(r.dry_run && r.batch.is_none());
    assert_eq!(f.count("profiles"), 0);
    assert_eq!(f.count("import_batches"), 0);
}

#[test]
fn a_file_broken_midway_writes_nothing() {
    let mut f = Fixture::new();
    let path = f.file(
        "p.json",
        br#"[{"email": "a@example.com"}, {"email": "b@example.com"}, {"email": "#,
    );
    let err = f.import(&path, Kind::Profiles).expect_err("truncated JSON");
    assert!(err.to_string().contains("nothing was imported"), "{err}");
    assert_eq!(f.count("profiles"), 0, "the valid rows before the break are not kept");
    assert_eq!(f.count("import_batches"), 0);
}

#[test]
fn events_attach_to_profiles_and_deduplicate() {
    let mut f = Fixture::new();
    let p = f.file("p.csv", PROFILES.as_bytes());
    f.import(&p, Kind::Profiles).expect("profiles");
    let products = f.file(
        "products.csv",
        b"sku,name,price,currency,url\nnw-1001,Trail Jacket,149.9,EUR,https://x.example/p/1\n",
    );
    f.import(&products, Kind::Products).expect("products");
    let events = f.file(
        "e.jsonl",
        br#"{"email": "ada@example.com", "type": "add_to_cart", "sku": "NW-1001", "occurred_at": "2026-11-20T10:00:00+01:00"}
{"email": "ada@example.com", "type": "add_to_cart", "sku": "NW-1001", "occurred_at": "2026-11-20T10:00:00+01:00"}
{"email": "ada@example.com", "type": "teleport", "occurred_at": "2026-11-20T10:00:00Z"}
{"email": "nobody@example.com", "type": "click", "occurred_at": "2026-11-20T10:00:00Z"}
{"email": "ben@example.com", "type": "purchase", "value": "lots", "occurred_at": "2026-11-20T10:00:00Z"}
"#,
    );
    let r = f.import(&events, Kind::Events).expect("events");
    assert_eq!((r.inserted, r.unchanged, r.rejected), (1, 1, 3), "{r:#?}");
    let reasons: Vec<(u64, &str)> = r.rejections.iter().map(|x| (x.line, x.reason.as_str())).collect();
    assert!(
        reasons[0].0 == 3 && reasons[0].1.contains("unknown event type"),
        "{reasons:?}"
    );
    assert!(reasons[1].0 == 4 && reasons[1].1.contains("no profile"), "{reasons:?}");
    assert!(
        reasons[2].0 == 5 && reasons[2].1.contains("not a number"),
        "{reasons:?}"
    );
    let ada = f.store.profile_detail("ada@example.com", 5).expect("ada");
    assert_eq!(ada.recent_events.len(), 1);
    assert_eq!(
        ada.recent_events[0].occurred_at, "2026-11-20T09:00:00Z",
        "normalized to UTC"
    );
    let context = f.store.render_context("ada@example.com").expect("context");
    assert_eq!(context["profile"]["first_name"], json!("Ada"));
    assert_eq!(context["cart"]["items"][0]["name"], json!("Trail Jacket"));
    assert_eq!(context["cart"]["items"][0]["quantity"], json!(1));
    assert_eq!(context["cart"]["total"], json!(149.9));
    assert!(f
        .store
        .render_context("ben@example.com")
        .expect("ben")
        .get("cart")
        .is_none());
}

#[test]
fn refusals_name_the_reason_and_write_nothing() {
    let mut f = Fixture::new();
    let cases: [(&str, &[u8], &str); 6] = [
        ("empty.csv", b"", "empty"),
        ("header.csv", b"email,first_name\n", "no data rows"),
        ("dup.csv", b"email,Email\na@x.io,b@x.io\n", "duplicate column"),
        ("blank.csv", b"email,,name\na@x.io,1,2\n", "blank column name"),
        ("noemail.csv", b"name,city\nA,B\n", "no email column"),
        ("image.csv", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01", "binary"),
    ];
    for (name, contents, reason) in cases {
        let path = f.file(name, contents);
        let err = f.import(&path, Kind::Profiles).expect_err(name);
        assert!(err.to_string().contains(reason), "{name}: {err}");
        assert!(
            err.to_string().contains(name),
            "{name}: the message names the file: {err}"
        );
    }
    assert_eq!(f.count("profiles") + f.count("import_batches"), 0);
}

#[test]
fn encodings_are_detected_and_reported() {
    let mut f = Fixture::new();
    let bom = f.file(
        "bom.csv",
        b"\xEF\xBB\xBFemail,first_name\na@example.com,J\xC3\xBCrgen\n",
    );
    assert_eq!(f.import(&bom, Kind::Profiles).expect("bom").encoding, "UTF-8 (BOM)");
    let cp1252 = f.file("win.csv", b"email,first_name\nb@example.com,M\xFCller \x80\n");
    let r = f.import(&cp1252, Kind::Profiles).expect("windows-1252");
    assert_eq!(r.encoding, "windows-1252");
    assert!(r.warnings.iter().any(|w| w.contains("Windows-1252")));
    assert_eq!(
        f.store.profile_detail("b@example.com", 0).expect("b").profile["first_name"],
        json!("Müller €")
    );
    let mut utf16 = vec![0xFF, 0xFE];
    for unit in "email,first_name\r\nc@example.com,Zoë\r\n".encode_utf16() {
        utf16.extend_from_slice(&unit.to_le_bytes());
    }
    let u16 = f.file("u16.csv", &utf16);
    assert_eq!(
        f.import(&u16, Kind::Profiles).expect("utf-16").encoding,
        "UTF-16LE (BOM)"
    );
    assert_eq!(
        f.store.profile_detail("c@example.com", 0).expect("c").profile["first_name"],
        json!("Zoë")
    );
    assert_eq!(
        f.store.profile_detail("a@example.com", 0).expect("a").profile["first_name"],
        json!("Jürgen")
    );
}

#[test]
fn fuzzy_duplicates_are_reported_not_merged() {
    let mut f = Fixture::new();
    let path = f.file(
        "p.csv",
        b"email,first_name,last_name,postal_code,phone\nmaria.garcia@example.com,Maria,Garcia,28001,+34600111222\nm.garcia@example.org,Maria,Garcia,28001,+34600111223\nother@example.com,Ana,Lopez,28001,+34600999888\n",
    );
    let r = f.import(&path, Kind::Profiles).expect("imports");
    assert_eq!(r.inserted, 3, "nothing merged");
    assert_eq!(r.fuzzy_matches.len(), 1, "{:#?}", r.fuzzy_matches);
    let m = &r.fuzzy_matches[0];
    assert_eq!(
        (m.line, m.email.as_str(), m.candidate.as_str()),
        (3, "m.garcia@example.org", "maria.garcia@example.com")
    );
    assert!(m.score >= 0.85 && m.score < 1.0, "{m:?}");
}

#[test]
fn fuzzy_duplicates_are_found_against_earlier_imports_and_merged_profiles() {
    let mut f = Fixture::new();
    let first = f.file(
        "first.csv",
        b"email,first_name,last_name,postal_code,updated_at\nmaria.garcia@example.com,Maria,Garcia,28001,2026-01-01T00:00:00Z\nana@example.com,Ana,Lopez,,2026-01-01T00:00:00Z\n",
    );
    f.import(&first, Kind::Profiles).expect("first");
    // Line 2: matches a profile of the earlier import (case differs, as NOCASE allows).
    // Line 3: Ana's stored profile gains a postal code by merge; line 4 then matches her.
    let second = f.file(
        "second.csv",
        b"email,first_name,last_name,postal_code,updated_at\nm.garcia@example.org,Maria,GARCIA,28001,2026-02-01T00:00:00Z\nana@example.com,Ana,Lopez,08001,2026-02-01T00:00:00Z\nana.l@example.org,Ana,Lopez,08001,2026-02-01T00:00:00Z\n",
    );
    let r = f.import(&second, Kind::Profiles).expect("second");
    assert_eq!((r.inserted, r.updated), (2, 1), "{r:#?}");
    let found: Vec<(u64, &str, &str)> = r
        .fuzzy_matches
        .iter()
        .map(|m| (m.line, m.email.as_str(), m.candidate.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            (2, "m.garcia@example.org", "maria.garcia@example.com"),
            (4, "ana.l@example.org", "ana@example.com")
        ]
    );
}

#[test]
fn skus_and_categories_follow_the_workspace_rules() {
    use tessera_store::import::{Normalization, SkuRule};
    let mut f = Fixture::new();
    let path = f.file("products.csv", b"sku,name,price,category\n nw-1001 ,Jacket,10,Down Jackets\nnw-1002,Boot,20,footwear/boots\nnw-1003,Hat,5,Hats\n");
    let mut taxonomy = std::collections::BTreeMap::new();
    taxonomy.insert("down jackets".to_owned(), "jackets/insulated".to_owned());
    taxonomy.insert("boots".to_owned(), "footwear/boots".to_owned());
    let options = ImportOptions {
        normalization: Normalization {
            sku: SkuRule::Upper,
            taxonomy,
        },
        ..ImportOptions::new(Kind::Products)
    };
    let r = import(&mut f.store, &path, &options, &|_| {}).expect("imports");
    assert_eq!(r.inserted, 3);
    assert!(
        r.warnings
            .iter()
            .any(|w| w.contains("\"hats\" is not in the workspace taxonomy")),
        "{:?}",
        r.warnings
    );
    let conn = rusqlite::Connection::open(f.store.path()).expect("open");
    let rows: Vec<(String, String)> = conn
        .prepare("SELECT sku, category FROM products ORDER BY sku")
        .and_then(|mut st| st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect())
        .expect("rows");
    assert_eq!(
        rows,
        vec![
            ("NW-1001".to_owned(), "jackets/insulated".to_owned()),
            ("NW-1002".to_owned(), "footwear/boots".to_owned()),
            ("NW-1003".to_owned(), "hats".to_owned())
        ]
    );
}

#[test]
fn the_send_log_keeps_pending_rows_and_their_outcomes() {
    use tessera_store::send_log::{NewSend, SendOutcome};
    let f = Fixture::new();
    let send = |recipient: &'static str| NewSend {
        batch_id: "b1",
        email: "welcome",
        email_version: "v1",
        content_hash: "h1",
        profile: "ada@example.com",
        recipient,
        transport: "smtp:work",
        message_id: "m1@example.com",
        size_bytes: 1234,
    };
    let a = f.store.log_send_start(&send("a@example.com"), 1_000).expect("logs");
    let b = f.store.log_send_start(&send("b@example.com"), 1_001).expect("logs");
    let c = f.store.log_send_start(&send("c@example.com"), 1_002).expect("logs");
    f.store
        .log_send_outcome(a, SendOutcome::Sent { response: "250 OK" }, 2_000)
        .expect("logs");
    f.store
        .log_send_outcome(
            b,
            SendOutcome::Failed {
                code: "rejected",
                error: "550 no such user",
            },
            2_001,
        )
        .expect("logs");
    // c stays pending, as after a crash between the two writes.
    let rows = f.store.send_log(10).expect("reads");
    let status: Vec<(&str, &str)> = rows.iter().map(|r| (r.recipient.as_str(), r.status.as_str())).collect();
    assert_eq!(
        status,
        [
            ("c@example.com", "pending"),
            ("b@example.com", "failed"),
            ("a@example.com", "sent")
        ]
    );
    assert_eq!(rows[1].error.as_deref(), Some("550 no such user"));
    assert_eq!(rows[2].response.as_deref(), Some("250 OK"));
    assert_eq!(rows[0].id, c);
    assert_eq!(f.count("send_log"), 3);
}
