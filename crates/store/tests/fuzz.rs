//! Fuzz targets on stable Rust for what the store reads from outside: CSV and JSON imports and
//! segment definitions (proptest; see `crates/core/tests/fuzz.rs` for the engine's).
//!
//! `csv_and_json_readers`: bytes built from CSV and JSON tokens (quotes, separators, line ends,
//! BOMs, NUL, invalid UTF-8) through the streaming readers; `import_files`: the same through the
//! whole import into a real SQLite file, every kind; `segment_definitions`: definitions built from
//! the rule grammar's keys with arbitrary values, parsed, checked as a set with references,
//! synchronized and evaluated on a real store. Invariant: no panic; a refusal is a message; an
//! import that is refused writes nothing. `TESSERA_FUZZ_CASES` sets the cases per target (48 by
//! default, `scripts/fuzz.sh` runs more); failures are saved in `tests/fuzz.proptest-regressions`.

use proptest::prelude::*;
use tessera_store::import::records::{read_csv, read_json_array, read_jsonl};
use tessera_store::import::{import, ImportOptions, Kind};
use tessera_store::segments::{Segment, SegmentSet};
use tessera_store::Store;

const T: i64 = 1_795_824_000_000;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: std::env::var("TESSERA_FUZZ_CASES")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(48),
        max_shrink_iters: 1_000,
        ..ProptestConfig::default()
    }
}

const CSV_TOKENS: &[&[u8]] = &[
    b"email",
    b"first_name",
    b"last_name",
    b"country",
    b"updated_at",
    b"loyalty_points",
    b"sku",
    b"type",
    b"occurred_at",
    b"ada@example.com",
    b"ben@example.com",
    b"2026-11-01T10:00:00Z",
    b"2026-13-45",
    b"DE",
    b"1e308",
    b"-0",
    b",",
    b";",
    b"\t",
    b"\"",
    b"\"\"",
    b"\n",
    b"\r\n",
    b"\r",
    b"\xEF\xBB\xBF",
    b"\xFF\xFE",
    b"\x00",
    b"\xC3",
    b"\xE9",
    b"=cmd()",
    b"{",
    b"}",
    b"[",
    b"]",
    b":",
    b"{\"email\": \"ada@example.com\"}",
    b"null",
    b"true",
    b" ",
];

fn file_bytes() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        5 => proptest::sample::select(CSV_TOKENS).prop_map(<[u8]>::to_vec),
        1 => proptest::collection::vec(any::<u8>(), 0..6),
    ];
    proptest::collection::vec(piece, 0..40).prop_map(|p| p.concat())
}

fn kind() -> impl Strategy<Value = Kind> {
    prop_oneof![Just(Kind::Profiles), Just(Kind::Events), Just(Kind::Products)]
}

fn extension() -> impl Strategy<Value = &'static str> {
    prop_oneof![Just("csv"), Just("json"), Just("jsonl")]
}

const RULE_KEYS: &[&str] = &[
    "all",
    "any",
    "none",
    "attribute",
    "eq",
    "ne",
    "gt",
    "lt",
    "contains",
    "in",
    "is_empty",
    "segment",
    "event",
    "within",
    "count",
    "at_least",
    "without",
    "since",
    "sessions",
    "sum",
    "score",
    "value",
    "sku",
    "category",
];

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        proptest::sample::select(RULE_KEYS).prop_map(serde_json::Value::from),
        proptest::sample::select(
            &[
                "a",
                "b",
                "country",
                "purchase",
                "7d",
                "30d",
                "P1D",
                "-1d",
                "loyalty_points",
                "recency",
                "x') OR 1=1 --",
                "{{7*7}}",
                "%}",
                ""
            ][..]
        )
        .prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<bool>().prop_map(serde_json::Value::from),
        Just(serde_json::Value::Null),
    ];
    leaf.prop_recursive(4, 32, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::Array),
            proptest::collection::vec((proptest::sample::select(RULE_KEYS), inner), 0..3).prop_map(|pairs| {
                serde_json::Value::Object(pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
            }),
        ]
    })
}

/// A rule of the definition grammar, with arbitrary names and values in its slots.
fn rule() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::json;
    let name = || {
        proptest::sample::select(
            &[
                "country",
                "loyalty_points",
                "first_name",
                "tier",
                "Bad-Name",
                "a') OR 1=1 --",
            ][..],
        )
    };
    let event =
        || proptest::sample::select(&["purchase", "add_to_cart", "click", "email_open", "page_view", "nope"][..]);
    let window = || proptest::sample::select(&["24h", "7d", "30d", "90d", "0d", "-1d", "1y", "x"][..]);
    let score =
        || proptest::sample::select(&["recency", "monetary", "engagement", "churn_risk", "frequency", "magic"][..]);
    let op = || proptest::sample::select(&["eq", "ne", "gt", "lt", "gte", "lte", "contains", "in", "is_empty"][..]);
    let leaf = prop_oneof![
        (name(), op(), json_value()).prop_map(|(n, o, v)| json!({"attribute": n, o: v})),
        (event(), window(), 0i64..5).prop_map(|(e, w, n)| json!({"event": e, "within": w, "at_least": n})),
        (event(), window(), event()).prop_map(|(e, w, f)| json!({"event": e, "within": w, "not_followed_by": f})),
        (window(), 0i64..5).prop_map(|(w, n)| json!({"sessions": {"within": w, "at_least": n}})),
        (event(), window(), any::<i32>()).prop_map(|(e, w, n)| json!({"sum": e, "within": w, "gt": n})),
        (score(), 0.0f64..6.0).prop_map(|(s, v)| json!({"score": s, "gte": v})),
        (0usize..4).prop_map(|i| json!({"segment": format!("s{i}")})),
    ];
    leaf.prop_recursive(3, 16, 3, |inner| {
        let group = proptest::sample::select(&["all", "any", "none"][..]);
        (group, proptest::collection::vec(inner, 0..3)).prop_map(|(g, rules)| json!({g: rules}))
    })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn structured_segment_definitions(rules in proptest::collection::vec(rule(), 1..4)) {
        segment_definitions_case(&rules)?;
    }

    #[test]
    fn csv_and_json_readers(bytes in file_bytes()) {
        let _ = read_csv(&bytes[..], &mut |_| Ok(()));
        let _ = read_jsonl(&bytes[..], &mut |_| Ok(()));
        let _ = read_json_array(&bytes[..], &mut |_| Ok(()));
    }

    #[test]
    fn import_files(bytes in file_bytes(), kind in kind(), ext in extension()) {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut store = Store::open(&dir.path().join("store.db")).expect("store");
        let path = dir.path().join(format!("input.{ext}"));
        std::fs::write(&path, &bytes).expect("write");
        let db = dir.path().join("store.db");
        let rows = || -> i64 {
            rusqlite::Connection::open(&db)
                .and_then(|c| c.query_row("SELECT (SELECT count(*) FROM profiles) + (SELECT count(*) FROM events) + (SELECT count(*) FROM products)", [], |r| r.get(0)))
                .expect("count")
        };
        let before = rows();
        match import(&mut store, &path, &ImportOptions::new(kind), &|_| {}) {
            Ok(report) => prop_assert!(report.inserted + report.rejected <= report.rows_read + 1, "{report:?}"),
            Err(e) => {
                prop_assert!(!e.to_string().is_empty());
                prop_assert_eq!(rows(), before, "a refused import wrote nothing");
            }
        }
    }

    #[test]
    fn segment_definitions(rules in proptest::collection::vec(json_value(), 1..4)) {
        segment_definitions_case(&rules)?;
    }
}

fn segment_definitions_case(rules: &[serde_json::Value]) -> Result<(), TestCaseError> {
    {
        let mut segments = Vec::new();
        for (i, rule) in rules.iter().enumerate() {
            let text = serde_json::json!({"rule": rule}).to_string();
            if let Ok(s) = Segment::parse(&format!("s{i}"), &text) {
                segments.push(s);
            }
            let _ = Segment::parse("bad name", &text);
            let _ = Segment::parse(&format!("t{i}"), &rule.to_string());
        }
        if let Ok(set) = SegmentSet::new(segments) {
            let dir = tempfile::tempdir().expect("temp dir");
            let mut store = Store::open(&dir.path().join("store.db")).expect("store");
            let profiles = dir.path().join("p.csv");
            std::fs::write(
                &profiles,
                "email,country,loyalty_points\nada@example.com,DE,5\nben@example.com,US,\n",
            )
            .expect("write");
            import(&mut store, &profiles, &ImportOptions::new(Kind::Profiles), &|_| {}).expect("profiles");
            if store.sync_segments(&set, T).is_ok() {
                let _ = store.refresh_segments(T);
                for name in set.names() {
                    let _ = store.segment_members(&name, 10);
                    let _ = store.segment_sql(&name, T);
                }
            }
        }
    }
    Ok(())
}

/// The kept corpus: each file of `fuzz/corpus/store/` is imported as every kind.
#[test]
fn corpus_replays() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/store");
    let scratch = tempfile::tempdir().expect("temp dir");
    let mut replayed = 0;
    for entry in std::fs::read_dir(&dir).expect("the corpus folder") {
        let path = entry.expect("entry").path();
        let bytes = std::fs::read(&path).expect("read");
        let _ = read_csv(&bytes[..], &mut |_| Ok(()));
        let _ = read_jsonl(&bytes[..], &mut |_| Ok(()));
        let _ = read_json_array(&bytes[..], &mut |_| Ok(()));
        for kind in [Kind::Profiles, Kind::Events, Kind::Products] {
            let mut store = Store::open(&scratch.path().join(format!("{replayed}-{kind}.db"))).expect("store");
            let _ = import(&mut store, &path, &ImportOptions::new(kind), &|_| {});
        }
        replayed += 1;
    }
    assert!(replayed >= 5, "the corpus holds {replayed} files");
}
