//! Segments on real SQLite files: each rule type against hand-computed members, window edges,
//! membership history, hostile definitions, incremental updates against full re-evaluation, and
//! recommendations.

use std::collections::BTreeMap;
use std::path::Path;

use tessera_store::import::{import, ImportOptions, Kind};
use tessera_store::segments::{NewEvent, Segment, SegmentSet};
use tessera_store::Store;

/// 2026-11-28T00:00:00Z, the evaluation instant of these tests.
const T: i64 = 1_795_824_000_000;
const H: i64 = 3_600_000;
const D: i64 = 24 * H;

const PROFILES: &str = "email,first_name,last_name,country,phone,loyalty_tier,loyalty_points,note,updated_at
ada@example.com,Ada,Lovelace,DE,+4930123456,Summit,1500,likes 100% wool,2026-11-01T10:00:00Z
ben@example.com,Ben,Okafor,US,,Member,3,' OR 1=1 --,2026-11-01T10:00:00Z
chloe@example.com,Chloé,Martin,FR,+33123456,,,,2026-11-01T10:00:00Z
dmitri@example.com,Dmitri,Ivanov,DE,,Trail,700,\"\"\"); DROP TABLE profiles; --\",2026-11-01T10:00:00Z
eve@example.com,Eve,Smith,GB,+4477000,Member,,a_b,2026-11-01T10:00:00Z
";

/// An event to import: who, type, SKU, category, value, when (epoch ms).
type Ev<'a> = (&'a str, &'a str, Option<&'a str>, Option<&'a str>, Option<f64>, i64);

struct Fixture {
    _dir: tempfile::TempDir,
    store: Store,
    ids: BTreeMap<String, i64>,
}

fn rfc(ms: i64) -> String {
    tessera_store::ms_to_rfc3339(ms)
}

impl Fixture {
    /// Profiles above, and events `(who, type, sku, category, value, at)`.
    fn new(events: &[Ev<'_>]) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut store = Store::open(&dir.path().join("store.db")).expect("store");
        let profiles = dir.path().join("p.csv");
        std::fs::write(&profiles, PROFILES).expect("write");
        import(&mut store, &profiles, &ImportOptions::new(Kind::Profiles), &|_| {}).expect("profiles");
        let mut f = Self {
            _dir: dir,
            store,
            ids: BTreeMap::new(),
        };
        for who in ["ada", "ben", "chloe", "dmitri", "eve"] {
            let id = f.store.find_profile_id(&format!("{who}@example.com")).expect("id");
            f.ids.insert(who.to_owned(), id);
        }
        f.import_events(events);
        f
    }

    fn import_events(&mut self, events: &[Ev<'_>]) {
        if events.is_empty() {
            return;
        }
        let path = self._dir.path().join(format!(
            "e{}.jsonl",
            self.ids.len() + events.len() * 7 + events[0].5 as usize % 1000
        ));
        let lines: Vec<String> = events
            .iter()
            .map(|(who, kind, sku, category, value, at)| {
                serde_json::json!({"email": format!("{who}@example.com"), "type": kind, "sku": sku, "category": category,
                    "value": value, "currency": value.map(|_| "EUR"), "occurred_at": rfc(*at), "source": "web"})
                .to_string()
            })
            .collect();
        std::fs::write(&path, lines.join("\n")).expect("write");
        let options = ImportOptions {
            as_of: Some(T),
            ..ImportOptions::new(Kind::Events)
        };
        let report = import(&mut self.store, &path, &options, &|_| {}).expect("events");
        assert_eq!(report.rejected, 0, "{report:?}");
    }

    fn define(&mut self, segments: &[(&str, &str)]) {
        let set = SegmentSet::new(
            segments
                .iter()
                .map(|(name, json)| Segment::parse(name, json).unwrap_or_else(|e| panic!("{name}: {e}"))),
        )
        .expect("valid set");
        self.store.sync_segments(&set, T).expect("sync");
        self.store.refresh_segments(T).expect("refresh");
    }

    fn members(&self, segment: &str) -> Vec<String> {
        let by_id: BTreeMap<i64, &String> = self.ids.iter().map(|(k, v)| (*v, k)).collect();
        let mut names: Vec<String> = self
            .store
            .segment_members(segment, 100)
            .expect("members")
            .into_iter()
            .map(|m| by_id[&m.id].clone())
            .collect();
        names.sort();
        names
    }

    fn id(&self, who: &str) -> i64 {
        self.ids[who]
    }
}

#[test]
fn attribute_comparisons_select_the_expected_profiles() {
    let mut f = Fixture::new(&[]);
    f.define(&[
        ("eq", r#"{"rule": {"attribute": "loyalty_tier", "eq": "Summit"}}"#),
        ("ne", r#"{"rule": {"attribute": "loyalty_tier", "ne": "Member"}}"#),
        ("gt", r#"{"rule": {"attribute": "loyalty_points", "gt": 600}}"#),
        ("lt", r#"{"rule": {"attribute": "loyalty_points", "lt": 700}}"#),
        ("contains", r#"{"rule": {"attribute": "last_name", "contains": "NOV"}}"#),
        ("in", r#"{"rule": {"attribute": "country", "in": ["DE", "FR"]}}"#),
        ("empty", r#"{"rule": {"attribute": "phone", "is_empty": true}}"#),
        ("not-empty", r#"{"rule": {"attribute": "loyalty_points", "is_empty": false}}"#),
        ("none", r#"{"rule": {"none": [{"attribute": "loyalty_tier", "eq": "Member"}, {"attribute": "country", "eq": "DE"}]}}"#),
    ]);
    assert_eq!(f.members("eq"), ["ada"]);
    // A missing tier is "not Member" too.
    assert_eq!(f.members("ne"), ["ada", "chloe", "dmitri"]);
    assert_eq!(f.members("gt"), ["ada", "dmitri"]);
    assert_eq!(f.members("lt"), ["ben"]);
    assert_eq!(f.members("contains"), ["dmitri"]);
    assert_eq!(f.members("in"), ["ada", "chloe", "dmitri"]);
    assert_eq!(f.members("empty"), ["ben", "dmitri"]);
    assert_eq!(f.members("not-empty"), ["ada", "ben", "dmitri"]);
    // Chloé has no tier: a missing value is not "Member", so none of the two holds.
    assert_eq!(f.members("none"), ["chloe"]);
}

#[test]
fn hostile_values_are_data_not_sql() {
    let mut f = Fixture::new(&[]);
    f.define(&[
        ("quote", r#"{"rule": {"attribute": "note", "eq": "' OR 1=1 --"}}"#),
        (
            "drop",
            r#"{"rule": {"attribute": "note", "contains": "); DROP TABLE profiles; --"}}"#,
        ),
        ("percent", r#"{"rule": {"attribute": "note", "contains": "100%"}}"#),
        ("underscore", r#"{"rule": {"attribute": "note", "contains": "_"}}"#),
        (
            "in-hostile",
            r#"{"rule": {"attribute": "first_name", "in": ["x') OR ('1'='1", "Eve"]}}"#,
        ),
        (
            "cat",
            r#"{"rule": {"event": "product_view", "category": "' OR 1=1 --"}}"#,
        ),
    ]);
    assert_eq!(f.members("quote"), ["ben"]);
    assert_eq!(f.members("drop"), ["dmitri"]);
    assert_eq!(f.members("percent"), ["ada"]);
    assert_eq!(f.members("underscore"), ["eve"]);
    assert_eq!(f.members("in-hostile"), ["eve"]);
    assert!(f.members("cat").is_empty());
    assert_eq!(f.store.list_profiles(None, 10).expect("profiles survive").len(), 5);
    // The values never reach the SQL text.
    let sql = f.store.segment_sql("drop", T).expect("sql");
    assert!(!sql.sql.contains("DROP"), "{}", sql.sql);
    assert!(sql
        .params
        .iter()
        .any(|p| matches!(p, rusqlite::types::Value::Text(t) if t.contains("DROP"))));
    // Hostile field and segment names are refused before any SQL exists.
    assert!(Segment::parse("x", r#"{"rule": {"attribute": "a') OR 1=1 --", "eq": 1}}"#).is_err());
    assert!(Segment::parse("x", r#"{"rule": {"attribute": "a\"]", "eq": 1}}"#).is_err());
    assert!(Segment::parse("x'; DROP TABLE profiles; --", r#"{"rule": {"all": []}}"#).is_err());
}

#[test]
fn event_windows_include_their_end_and_exclude_their_start() {
    let mut f = Fixture::new(&[
        ("ada", "product_view", Some("NW-1"), Some("jackets"), None, T - 48 * H),
        (
            "ben",
            "product_view",
            Some("NW-1"),
            Some("jackets"),
            None,
            T - 48 * H + 1,
        ),
        ("chloe", "product_view", Some("NW-1"), Some("jackets"), None, T),
        ("dmitri", "product_view", Some("NW-1"), Some("jackets"), None, T + 1),
    ]);
    f.define(&[("viewed-48h", r#"{"rule": {"event": "product_view", "within": "48h"}}"#)]);
    assert_eq!(f.members("viewed-48h"), ["ben", "chloe"]);
}

#[test]
fn viewed_not_bought_cart_abandonment_and_counts() {
    let mut f = Fixture::new(&[
        // Ada viewed and bought afterwards: not "viewed, not bought".
        ("ada", "product_view", Some("NW-1"), Some("jackets"), None, T - 30 * H),
        (
            "ada",
            "purchase",
            Some("NW-1"),
            Some("jackets"),
            Some(189.0),
            T - 29 * H,
        ),
        // Ben bought first, then viewed: viewed since his last purchase.
        ("ben", "purchase", Some("NW-2"), Some("boots"), Some(99.0), T - 40 * H),
        ("ben", "product_view", Some("NW-1"), Some("jackets"), None, T - 30 * H),
        (
            "ben",
            "add_to_cart",
            Some("NW-1"),
            Some("jackets"),
            Some(189.0),
            T - 23 * H,
        ),
        // Chloé added to cart and bought at the same instant: not abandoned.
        (
            "chloe",
            "add_to_cart",
            Some("NW-3"),
            Some("boots"),
            Some(120.0),
            T - 5 * H,
        ),
        ("chloe", "purchase", Some("NW-3"), Some("boots"), Some(120.0), T - 5 * H),
        // Dmitri's cart is older than a day.
        (
            "dmitri",
            "add_to_cart",
            Some("NW-3"),
            Some("boots"),
            Some(120.0),
            T - 25 * H,
        ),
        ("dmitri", "product_view", Some("NW-3"), Some("boots"), None, T - 26 * H),
        ("dmitri", "product_view", Some("NW-3"), Some("boots"), None, T - 27 * H),
        ("dmitri", "product_view", Some("NW-4"), Some("boots"), None, T - 28 * H),
    ]);
    f.define(&[
        (
            "viewed-not-bought",
            r#"{"rule": {"event": "product_view", "within": "48h", "not_followed_by": "purchase"}}"#,
        ),
        (
            "cart-abandoners",
            r#"{"rule": {"event": "add_to_cart", "within": "24h", "not_followed_by": "purchase"}}"#,
        ),
        (
            "three-views",
            r#"{"rule": {"event": "product_view", "within": "7d", "at_least": 3}}"#,
        ),
        (
            "one-or-two-views",
            r#"{"rule": {"event": "product_view", "within": "7d", "at_least": 1, "at_most": 2}}"#,
        ),
        (
            "boots",
            r#"{"rule": {"event": "product_view", "category": "boots", "at_least": 2}}"#,
        ),
        ("never-bought", r#"{"rule": {"event": "purchase", "at_most": 0}}"#),
    ]);
    assert_eq!(f.members("viewed-not-bought"), ["ben", "dmitri"]);
    assert_eq!(f.members("cart-abandoners"), ["ben"]);
    assert_eq!(f.members("three-views"), ["dmitri"]);
    assert_eq!(f.members("one-or-two-views"), ["ada", "ben"]);
    assert_eq!(f.members("boots"), ["dmitri"]);
    assert_eq!(f.members("never-bought"), ["dmitri", "eve"]);
}

#[test]
fn sessions_split_on_thirty_minute_gaps() {
    let m = 60_000;
    let mut f = Fixture::new(&[
        // Ada: 3 sessions (gaps of 31 min start new ones; 29 min does not).
        ("ada", "page_view", None, None, None, T - 10 * D),
        ("ada", "page_view", None, None, None, T - 10 * D + 29 * m),
        ("ada", "page_view", None, None, None, T - 10 * D + 60 * m),
        ("ada", "product_view", Some("NW-1"), Some("jackets"), None, T - 2 * D),
        // Ben: 2 sessions in the window; a third started 31 days ago.
        ("ben", "page_view", None, None, None, T - 31 * D),
        ("ben", "page_view", None, None, None, T - 5 * D),
        ("ben", "page_view", None, None, None, T - 5 * D + 20 * m),
        ("ben", "page_view", None, None, None, T - D),
        // Chloé: emails are not visits.
        ("chloe", "email_open", None, None, None, T - 3 * D),
        ("chloe", "email_open", None, None, None, T - 2 * D),
        ("chloe", "page_view", None, None, None, T - D),
    ]);
    f.define(&[("active", r#"{"rule": {"sessions": {"within": "30d", "at_least": 3}}}"#)]);
    assert_eq!(f.members("active"), ["ada"]);
}

#[test]
fn sums_groups_and_segment_references() {
    let mut f = Fixture::new(&[
        ("ada", "purchase", Some("NW-1"), None, Some(300.0), T - 10 * D),
        ("ada", "purchase", Some("NW-2"), None, Some(250.0), T - 80 * D),
        ("ben", "purchase", Some("NW-1"), None, Some(300.0), T - 10 * D),
        ("ben", "purchase", Some("NW-2"), None, Some(250.0), T - 91 * D),
        ("chloe", "purchase", Some("NW-1"), None, Some(500.0), T - D),
    ]);
    f.define(&[
        (
            "big-spenders",
            r#"{"rule": {"sum": "purchase", "within": "90d", "gt": 500}}"#,
        ),
        ("vip", r#"{"rule": {"attribute": "loyalty_tier", "eq": "Summit"}}"#),
        (
            "vip-or-big",
            r#"{"rule": {"any": [{"segment": "vip"}, {"segment": "big-spenders"}]}}"#,
        ),
        (
            "big-not-vip",
            r#"{"rule": {"all": [{"segment": "big-spenders"}, {"none": [{"segment": "vip"}]}]}}"#,
        ),
        ("everyone", r#"{"rule": {"all": []}}"#),
        ("no-one", r#"{"rule": {"any": []}}"#),
    ]);
    // Chloé's 500 is not more than 500; Ben's second purchase is 91 days old.
    assert_eq!(f.members("big-spenders"), ["ada"]);
    assert_eq!(f.members("vip-or-big"), ["ada"]);
    assert!(f.members("big-not-vip").is_empty());
    assert_eq!(f.members("everyone").len(), 5);
    assert!(f.members("no-one").is_empty());
}

#[test]
fn rfm_engagement_and_churn_scores() {
    // Five purchasers, each a different recency, frequency and value.
    let mut events = Vec::new();
    for (i, who) in ["ada", "ben", "chloe", "dmitri", "eve"].iter().enumerate() {
        let i = i as i64;
        // Ada bought last 50 days ago, Eve 10 days ago.
        for k in 0..=i {
            events.push((
                *who,
                "purchase",
                Some("NW-1"),
                None,
                Some(100.0 * (5 - i) as f64),
                T - (50 - 10 * i) * D - k * H,
            ));
        }
    }
    // Engagement: Ada opened just now (1) and clicked 14 days ago (3 × 0.5).
    events.push(("ada", "email_open", None, None, None, T));
    events.push(("ada", "click", Some("NW-1"), None, None, T - 14 * D));
    events.push(("ben", "email_open", None, None, None, T - 28 * D));
    let mut f = Fixture::new(&events);
    f.define(&[
        ("recent", r#"{"rule": {"score": "recency", "gte": 4}}"#),
        ("frequent", r#"{"rule": {"score": "frequency", "eq": 5}}"#),
        // Ada spent 500, Ben 2 × 400 = 800, Chloé 3 × 300 = 900, Dmitri 4 × 200 = 800, Eve 5 × 100 = 500.
        ("big", r#"{"rule": {"score": "monetary", "gte": 4}}"#),
        ("engaged", r#"{"rule": {"score": "engagement", "gte": 2.5}}"#),
        ("somewhat-engaged", r#"{"rule": {"score": "engagement", "gt": 0.2}}"#),
        ("churn", r#"{"rule": {"score": "churn_risk", "gte": 0.5}}"#),
    ]);
    // Last purchases: Ada -50d, Ben -40d, Chloé -30d, Dmitri -20d, Eve -10d → R 1..5.
    assert_eq!(f.members("recent"), ["dmitri", "eve"]);
    assert_eq!(f.members("frequent"), ["eve"]);
    // Monetary sorted 500, 500, 800, 800, 900: cuts at ranks 1..4 = 500, 800, 800, 900.
    // 900 → 5, 800 → 4, 500 → 2.
    assert_eq!(f.members("big"), ["ben", "chloe", "dmitri"]);
    assert_eq!(f.members("engaged"), ["ada"]);
    // Ben's open is two half-lives old: 0.25.
    assert_eq!(f.members("somewhat-engaged"), ["ada", "ben"]);
    // High value (M ≥ 4) and R ≤ 3: Ben (R 2 → 0.75), Chloé (R 3 → 0.5); Dmitri has R 4 (0.25).
    assert_eq!(f.members("churn"), ["ben", "chloe"]);
}

#[test]
fn membership_records_entering_and_leaving() {
    let mut f = Fixture::new(&[]);
    f.define(&[(
        "carts",
        r#"{"rule": {"event": "add_to_cart", "within": "24h", "not_followed_by": "purchase"}}"#,
    )]);
    assert!(f.members("carts").is_empty());
    let ben = f.id("ben");
    let event = |kind: &'static str, at: i64| NewEvent {
        profile_id: ben,
        kind,
        sku: Some("NW-1".into()),
        category: None,
        value: Some(10.0),
        currency: Some("EUR".into()),
        occurred_at: at,
        source: None,
    };
    let changes = f.store.add_event(&event("add_to_cart", T - H), T).expect("event");
    assert_eq!(changes["carts"].entered, [ben]);
    let members = f.store.segment_members("carts", 10).expect("members");
    assert_eq!(members[0].entered_at, rfc(T));
    // A page view cannot change cart abandonment: the segment is not even evaluated.
    let changes = f.store.add_event(&event("page_view", T - H), T).expect("event");
    assert!(!changes.contains_key("carts"));
    // A day later the cart is too old: a full pass closes the stay.
    let changes = f.store.reevaluate_segments(T + D).expect("full");
    assert_eq!(changes["carts"].left, [ben]);
    assert!(f.members("carts").is_empty());
    // Adding to cart again opens a new stay; buying closes it.
    f.store
        .add_event(&event("add_to_cart", T + D + H), T + D + H)
        .expect("event");
    assert_eq!(f.members("carts"), ["ben"]);
    let changes = f
        .store
        .add_event(&event("purchase", T + D + 2 * H), T + D + 2 * H)
        .expect("event");
    assert_eq!(changes["carts"].left, [ben]);
    let conn = rusqlite::Connection::open(f.store.path()).expect("open");
    let stays: Vec<(i64, Option<i64>)> = conn
        .prepare("SELECT entered_at, left_at FROM segment_membership WHERE segment = 'carts' ORDER BY entered_at")
        .expect("prepare")
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    assert_eq!(stays, [(T, Some(T + D)), (T + D + H, Some(T + D + 2 * H))]);
    assert_eq!(f.store.stored_segments(ben).expect("segments"), Vec::<String>::new());
}

#[test]
fn changed_and_removed_definitions_are_re_evaluated_on_sync() {
    let mut f = Fixture::new(&[]);
    f.define(&[("tier", r#"{"rule": {"attribute": "loyalty_tier", "eq": "Summit"}}"#)]);
    assert_eq!(f.members("tier"), ["ada"]);
    let member = Segment::parse("tier", r#"{"rule": {"attribute": "loyalty_tier", "eq": "Member"}}"#).expect("valid");
    let report = f
        .store
        .sync_segments(&SegmentSet::new([member]).expect("set"), T)
        .expect("sync");
    assert_eq!(report.changed, ["tier"]);
    assert_eq!(f.members("tier"), ["ben", "eve"]);
    let report = f.store.sync_segments(&SegmentSet::default(), T).expect("sync");
    assert_eq!(report.removed, ["tier"]);
    assert!(f.store.segment_summaries().expect("summaries").is_empty());
    assert!(f.members("tier").is_empty());
}

#[test]
fn an_unchanged_sync_does_not_wait_for_another_writer() {
    let mut f = Fixture::new(&[]);
    f.define(&[("tier", r#"{"rule": {"attribute": "loyalty_tier", "eq": "Summit"}}"#)]);
    let set = SegmentSet::new([
        Segment::parse("tier", r#"{"rule": {"attribute": "loyalty_tier", "eq": "Summit"}}"#).expect("valid"),
    ])
    .expect("set");
    // Another connection holds the write lock, as an import's transaction does.
    let writer = rusqlite::Connection::open(f.store.path()).expect("writer");
    writer.execute_batch("BEGIN IMMEDIATE").expect("write lock");
    let started = std::time::Instant::now();
    let report = f
        .store
        .sync_segments(&set, T)
        .expect("an unchanged sync needs no write");
    assert_eq!(report, tessera_store::segments::SyncReport::default());
    assert!(
        started.elapsed() < std::time::Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(f.members("tier"), ["ada"]);
    writer.execute_batch("ROLLBACK").expect("rollback");
}

/// Segments of every kind, for the incremental-versus-full checks.
const MIXED: &[(&str, &str)] = &[
    (
        "carts",
        r#"{"rule": {"event": "add_to_cart", "within": "24h", "not_followed_by": "purchase"}}"#,
    ),
    (
        "viewed",
        r#"{"rule": {"event": "product_view", "within": "48h", "not_followed_by": "purchase"}}"#,
    ),
    ("active", r#"{"rule": {"sessions": {"within": "30d", "at_least": 2}}}"#),
    (
        "spenders",
        r#"{"rule": {"sum": "purchase", "within": "90d", "gt": 150}}"#,
    ),
    (
        "rfm",
        r#"{"rule": {"all": [{"score": "recency", "gte": 3}, {"score": "monetary", "gte": 3}]}}"#,
    ),
    ("engaged", r#"{"rule": {"score": "engagement", "gte": 1}}"#),
    ("churn", r#"{"rule": {"score": "churn_risk", "gt": 0}}"#),
    ("vip", r#"{"rule": {"attribute": "loyalty_tier", "eq": "Summit"}}"#),
    (
        "mixed",
        r#"{"rule": {"any": [{"segment": "vip"}, {"none": [{"segment": "active"}, {"segment": "carts"}]}]}}"#,
    ),
];

/// The demo workspace's segments.
fn demo_segments() -> SegmentSet {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/demo/segments");
    let mut segments = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("demo segments") {
        let path = entry.expect("entry").path();
        let name = path.file_stem().and_then(|s| s.to_str()).expect("name").to_owned();
        segments.push(Segment::parse(&name, &std::fs::read_to_string(&path).expect("read")).expect("valid"));
    }
    SegmentSet::new(segments).expect("valid set")
}

#[test]
fn demo_segments_read_events_only_from_the_per_profile_index() {
    // Speed rests on this: every event read is a search in the (profile, type, time, value)
    // index, never a scan of the events table or a look-up of its rows.
    let mut f = Fixture::new(&[("ada", "purchase", Some("NW-1"), None, Some(10.0), T - D)]);
    let set = demo_segments();
    f.store.sync_segments(&set, T).expect("sync");
    f.store.refresh_segments(T).expect("refresh");
    for name in set.names() {
        let plan = f.store.segment_plan(&name, T).expect("plan");
        let reads: Vec<&String> = plan
            .iter()
            .filter(|step| step.contains(" e ") || step.ends_with(" e") || step.contains(" f "))
            .collect();
        for step in &reads {
            assert!(
                step.starts_with("SEARCH") && step.contains("USING COVERING INDEX events_profile_type_time"),
                "{name}: {step}\n{plan:#?}"
            );
        }
        let events_rules = set.deps(&name).events.len();
        assert_eq!(events_rules == 0, reads.is_empty(), "{name}: {plan:#?}");
    }
}

fn random_events(seed: u64, n: usize) -> Vec<Ev<'static>> {
    let mut state = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
    let mut next = move |m: u64| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) % m
    };
    let people = ["ada", "ben", "chloe", "dmitri", "eve"];
    let kinds = [
        "page_view",
        "product_view",
        "add_to_cart",
        "purchase",
        "email_open",
        "click",
    ];
    (0..n)
        .map(|_| {
            let who = people[next(5) as usize];
            let kind = kinds[next(6) as usize];
            let at = T - (next(40 * 24) as i64) * H - next(60) as i64 * 60_000;
            let value = matches!(kind, "purchase" | "add_to_cart").then(|| (next(200) + 1) as f64);
            (
                who,
                kind,
                Some(["NW-1", "NW-2", "NW-3"][next(3) as usize]),
                Some("jackets"),
                value,
                at,
            )
        })
        .collect()
}

#[test]
fn incremental_updates_agree_with_a_full_re_evaluation_on_random_event_streams() {
    for seed in 0..12 {
        let mut f = Fixture::new(&random_events(seed, 40));
        f.define(MIXED);
        // One event at a time through add_event, then a batch through an import.
        for (who, kind, sku, category, value, at) in random_events(seed + 100, 25) {
            let event = NewEvent {
                profile_id: f.id(who),
                kind,
                sku: sku.map(str::to_owned),
                category: category.map(str::to_owned),
                value,
                currency: value.map(|_| "EUR".to_owned()),
                occurred_at: at,
                source: None,
            };
            f.store.add_event(&event, T).expect("event");
        }
        f.import_events(&random_events(seed + 200, 30));
        let full = f.store.reevaluate_segments(T).expect("full");
        for (segment, change) in full {
            assert!(
                change.entered.is_empty() && change.left.is_empty(),
                "seed {seed}: segment {segment} differs after incremental updates: {change:?}"
            );
        }
    }
}

fn products(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("products.csv");
    std::fs::write(
        &path,
        "sku,name,price,currency,category,stock
NW-1,Ridgeline Jacket,189,EUR,jackets,5
NW-2,Cascade Shell,229,EUR,jackets,0
NW-3,Summit Parka,329,EUR,jackets,3
NW-4,Trail Boot,149,EUR,boots,10
NW-5,Alpine Boot,199,EUR,boots,10
NW-6,Merino Beanie,29,EUR,accessories,50
NW-7,Wool Socks,19,EUR,accessories,50
",
    )
    .expect("write");
    path
}

#[test]
fn recommendations_follow_viewed_categories_and_fall_back_to_bestsellers() {
    let mut f = Fixture::new(&[]);
    let path = products(f._dir.path());
    import(&mut f.store, &path, &ImportOptions::new(Kind::Products), &|_| {}).expect("products");
    f.import_events(&[
        // Ada: 3 jacket views (NW-1 twice, NW-2 out of stock), 1 boot view, bought NW-1 earlier.
        ("ada", "product_view", Some("NW-1"), Some("jackets"), None, T - 3 * D),
        ("ada", "product_view", Some("NW-1"), Some("jackets"), None, T - 2 * D),
        ("ada", "product_view", Some("NW-2"), Some("jackets"), None, T - D),
        ("ada", "product_view", Some("NW-5"), Some("boots"), None, T - D),
        (
            "ada",
            "purchase",
            Some("NW-1"),
            Some("jackets"),
            Some(189.0),
            T - 10 * D,
        ),
        // Bestsellers: socks (3 purchases), beanie (2), boots (1).
        (
            "ben",
            "purchase",
            Some("NW-7"),
            Some("accessories"),
            Some(19.0),
            T - 5 * D,
        ),
        (
            "chloe",
            "purchase",
            Some("NW-7"),
            Some("accessories"),
            Some(19.0),
            T - 5 * D,
        ),
        (
            "dmitri",
            "purchase",
            Some("NW-7"),
            Some("accessories"),
            Some(19.0),
            T - 5 * D,
        ),
        (
            "ben",
            "purchase",
            Some("NW-6"),
            Some("accessories"),
            Some(29.0),
            T - 4 * D,
        ),
        (
            "eve",
            "purchase",
            Some("NW-6"),
            Some("accessories"),
            Some(29.0),
            T - 4 * D,
        ),
        ("eve", "purchase", Some("NW-4"), Some("boots"), Some(149.0), T - 4 * D),
        // A view older than the 30-day window does not count.
        (
            "ada",
            "product_view",
            Some("NW-6"),
            Some("accessories"),
            None,
            T - 40 * D,
        ),
    ]);
    f.store.refresh_segments(T).expect("refresh");
    let options = tessera_store::recommend::RecommendOptions::default();
    let recs = f.store.recommendations(f.id("ada"), T, &options).expect("recs");
    let skus: Vec<&str> = recs.iter().map(|r| r.sku.as_str()).collect();
    // Jackets first (NW-1 bought, NW-2 out of stock → NW-3), then boots (NW-5 viewed, then NW-4
    // bought by someone), then the best-selling socks.
    assert_eq!(skus, ["NW-3", "NW-5", "NW-4", "NW-7"]);
    let context = recs[0].to_context();
    assert_eq!(context["reason"], "you viewed 3 products in jackets");
    assert_eq!(context["reason_code"], "viewed_category");
    assert_eq!(recs[3].to_context()["reason_code"], "bestseller");
    // Eve viewed nothing: bestsellers she has not bought, most bought first.
    let eve: Vec<String> = f
        .store
        .recommendations(f.id("eve"), T, &options)
        .expect("recs")
        .into_iter()
        .map(|r| r.sku)
        .collect();
    // NW-6 and NW-4 she bought herself; NW-1 (bought once, by Ada) is next.
    assert_eq!(eve, ["NW-7", "NW-1"]);
}

#[test]
fn segments_referring_to_the_same_segments_again_and_again_are_refused_quickly() {
    // a00 refers to a01 twice, a01 to a02 twice, ... a25 is an attribute rule: inlined naively this
    // is 2^25 copies of a25, which exhausted memory (and held the desktop's session lock).
    let mut segments: Vec<Segment> = (0..25)
        .map(|n| {
            let next = format!("a{:02}", n + 1);
            let json = format!(r#"{{"rule": {{"all": [{{"segment": "{next}"}}, {{"segment": "{next}"}}]}}}}"#);
            Segment::parse(&format!("a{n:02}"), &json).expect("valid")
        })
        .collect();
    segments.push(Segment::parse("a25", r#"{"rule": {"attribute": "country", "eq": "DE"}}"#).expect("valid"));
    let set = SegmentSet::new(segments).expect("valid set");
    let mut f = Fixture::new(&[]);
    let started = std::time::Instant::now();
    let error = f
        .store
        .sync_segments(&set, T)
        .and_then(|_| f.store.refresh_segments(T))
        .expect_err("too large")
        .to_string();
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert!(error.contains("too large") && error.contains("\"a"), "{error}");
    // Shallow sharing is fine: a20 holds 2^5 = 32 copies of a25.
    let shallow = SegmentSet::new(set.iter().filter(|s| s.name.as_str() >= "a20").cloned()).expect("set");
    f.store.sync_segments(&shallow, T).expect("sync");
    f.store.refresh_segments(T).expect("refresh");
    assert_eq!(f.members("a20"), ["ada", "dmitri"]);
}

#[test]
fn thousands_of_segments_stay_within_sqlites_column_and_variable_limits() {
    let mut f = Fixture::new(&[]);
    let segments = (0..3000).map(|n| {
        let country = ["DE", "US", "FR"][n % 3];
        Segment::parse(
            &format!("s{n:04}"),
            &format!(r#"{{"rule": {{"attribute": "country", "eq": "{country}"}}}}"#),
        )
        .expect("valid")
    });
    let set = SegmentSet::new(segments).expect("valid set");
    f.store.sync_segments(&set, T).expect("sync");
    f.store.refresh_segments(T).expect("refresh");
    assert_eq!(f.members("s2997"), ["ada", "dmitri"]);
    assert_eq!(f.members("s2999"), ["chloe"]);
    let live = f.store.live_segments(f.ids["ben"], T).expect("live");
    assert_eq!(live.len(), 1000);
    assert!(live.iter().all(|s| s[1..].parse::<usize>().expect("n") % 3 == 1));
}

/// A live `track` of one custom event for `who` (bound by an identify in the same group).
fn custom(who: &str, name: &str, properties: serde_json::Value, at: i64) -> tessera_store::live::Message {
    use tessera_store::live::{Call, Identity, LiveEvent, Message};
    Message {
        message_id: None,
        call: Call::Track {
            identity: Identity {
                user_id: Some(who.to_owned()),
                anonymous_id: None,
            },
            events: vec![LiveEvent {
                name: name.to_owned(),
                custom: true,
                sku: None,
                category: None,
                value: None,
                currency: None,
                occurred_at: at,
                properties,
            }],
        },
    }
}

#[test]
fn custom_events_select_by_name_count_window_and_properties() {
    use serde_json::json;
    use tessera_store::live::{Call, Identity, Message};
    let mut f = Fixture::new(&[]);
    let definitions = [
        ("trial", r#"{"rule": {"custom_event": "Trial Started"}}"#),
        (
            "trial-pro-7d",
            r#"{"rule": {"custom_event": "Trial Started", "within": "7d", "where": [{"property": "plan", "eq": "pro"}]}}"#,
        ),
        (
            "webinars-2",
            r#"{"rule": {"custom_event": "Webinar Attended", "at_least": 2}}"#,
        ),
        (
            "webinars-at-most-1",
            r#"{"rule": {"custom_event": "Webinar Attended", "at_most": 1}}"#,
        ),
        (
            "big-team",
            r#"{"rule": {"custom_event": "Trial Started", "where": [{"property": "seats", "gt": 10}, {"property": "Plan Name", "in": ["Team", "Pro"]}]}}"#,
        ),
        (
            "no-coupon",
            r#"{"rule": {"custom_event": "Trial Started", "where": [{"property": "coupon", "is_empty": true}]}}"#,
        ),
        ("hostile", r#"{"rule": {"custom_event": "' OR 1=1 --"}}"#),
        (
            "trial-vip",
            r#"{"rule": {"all": [{"segment": "trial"}, {"attribute": "loyalty_tier", "eq": "Summit"}]}}"#,
        ),
    ];
    f.define(&definitions);
    assert!(f.members("trial").is_empty());
    // Every profile has "at most one" webinar before any event arrives.
    assert_eq!(f.members("webinars-at-most-1").len(), 5);

    let batch = f.store.live_session("test", T).expect("session");
    let mut calls: Vec<Message> = ["ada", "ben", "chloe", "dmitri", "eve"]
        .iter()
        .map(|who| Message {
            message_id: None,
            call: Call::Identify {
                identity: Identity {
                    user_id: Some((*who).to_owned()),
                    anonymous_id: None,
                },
                traits: json!({"email": format!("{who}@example.com")})
                    .as_object()
                    .cloned()
                    .expect("object"),
                at: T - 30 * D,
            },
        })
        .collect();
    calls.extend([
        custom(
            "ada",
            "Trial Started",
            json!({"plan": "pro", "seats": 25, "Plan Name": "Team"}),
            T - D,
        ),
        custom(
            "ben",
            "Trial Started",
            json!({"plan": "pro", "seats": 3, "coupon": "X"}),
            T - 8 * D,
        ),
        custom("chloe", "Webinar Attended", json!({}), T - 2 * D),
        custom("chloe", "Webinar Attended", json!({}), T - D),
        custom("dmitri", "Webinar Attended", json!({}), T - D),
        custom("eve", "trial started", json!({"plan": "pro"}), T - D),
        custom(
            "eve",
            "' OR 1=1 --",
            json!({"plan": "\"); DROP TABLE profiles; --"}),
            T - D,
        ),
        // After the evaluation instant: not counted yet.
        custom("dmitri", "Trial Started", json!({"plan": "pro"}), T + H),
    ]);
    let applied = f
        .store
        .apply_live(batch, &[calls], &Default::default(), T, T)
        .expect("applied");
    assert_eq!(applied.events, 8);
    let entered: Vec<i64> = applied.changes["trial"].entered.clone();
    assert_eq!(entered, [f.id("ada"), f.id("ben")]);
    let expected: [(&str, &[&str]); 8] = [
        ("trial", &["ada", "ben"]),
        ("trial-pro-7d", &["ada"]),
        ("webinars-2", &["chloe"]),
        ("webinars-at-most-1", &["ada", "ben", "dmitri", "eve"]),
        ("big-team", &["ada"]),
        ("no-coupon", &["ada"]),
        ("hostile", &["eve"]),
        ("trial-vip", &["ada"]),
    ];
    // The incremental path (the live commit) and a full re-evaluation agree.
    for (segment, members) in expected {
        assert_eq!(f.members(segment), members, "{segment} after the live commit");
    }
    f.store.refresh_segments(T).expect("refresh");
    for (segment, members) in expected {
        assert_eq!(f.members(segment), members, "{segment} after a full pass");
    }
    assert_eq!(f.store.list_profiles(None, 10).expect("profiles survive").len(), 5);
    // Names and property keys are bound values, never SQL text.
    let sql = f.store.segment_sql("big-team", T).expect("sql");
    assert!(
        !sql.sql.contains("Plan Name") && !sql.sql.contains("Trial"),
        "{}",
        sql.sql
    );
    // The window moves: a week later Ada's trial is 8 days old, and Dmitri's has happened.
    f.store.reevaluate_segments(T + 7 * D).expect("later");
    assert_eq!(f.members("trial-pro-7d"), ["dmitri"]);
}

#[test]
fn custom_event_rules_name_their_mistakes() {
    let cases = [
        (
            r#"{"rule": {"custom_event": ""}}"#,
            "rule.custom_event",
            "not a custom event name",
        ),
        (
            r#"{"rule": {"custom_event": 3}}"#,
            "rule.custom_event",
            "must be a custom event name",
        ),
        (
            r#"{"rule": {"custom_event": "A", "where": [{"property": "a\"b", "eq": 1}]}}"#,
            "rule.where[0].property",
            "not a property key",
        ),
        (
            r#"{"rule": {"custom_event": "A", "where": [{"property": "p", "eq": 1, "ne": 2}]}}"#,
            "rule.where[0]",
            "a property test needs exactly one of",
        ),
        (
            r#"{"rule": {"custom_event": "A", "where": {"property": "p"}}}"#,
            "rule.where",
            "list",
        ),
        (
            r#"{"rule": {"custom_event": "A", "sku": "x"}}"#,
            "rule.sku",
            "unknown key",
        ),
        (
            r#"{"rule": {"custom_event": "A", "within": "soon"}}"#,
            "rule.within",
            "not a duration",
        ),
    ];
    for (json, path, message) in cases {
        let e = Segment::parse("x", json).expect_err(json);
        assert_eq!(e.path, path, "{json}: {e}");
        assert!(e.message.contains(message), "{json}: {e}");
    }
    let ok = Segment::parse(
        "x",
        r#"{"rule": {"custom_event": "Trial Started", "at_least": 2, "within": "14d", "where": [{"property": "plan", "in": ["pro", "team"]}]}}"#,
    )
    .expect("valid");
    assert_eq!(
        ok.rule.to_string(),
        "2+ \"Trial Started\" where plan in [\"pro\",\"team\"] in the last 14d"
    );
}
