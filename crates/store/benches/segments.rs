//! Segment speed on a store of 20,000 profiles and 200,000 events with the demo segments: one new
//! event to updated membership, recommendations for one profile, and a full evaluation.
//! (The 1,000,000-profile figures come from `benches/segments.sh`.)

use std::io::Write as _;

use criterion::{criterion_group, criterion_main, Criterion};
use tessera_store::import::{import, ImportOptions, Kind, EVENT_TYPES};
use tessera_store::recommend::RecommendOptions;
use tessera_store::segments::{NewEvent, Segment, SegmentSet};
use tessera_store::Store;

/// 2026-11-28T00:00:00Z.
const AS_OF: i64 = 1_795_824_000_000;
const PROFILES: usize = 20_000;
const EVENTS: usize = 200_000;
const CATEGORIES: [&str; 4] = ["jackets", "boots", "packs", "socks"];

fn demo_segments() -> SegmentSet {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/demo/segments");
    let mut segments = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("demo segments") {
        let path = entry.expect("entry").path();
        let name = path.file_stem().and_then(|s| s.to_str()).expect("name").to_owned();
        let text = std::fs::read_to_string(&path).expect("read");
        segments.push(Segment::parse(&name, &text).expect("valid"));
    }
    SegmentSet::new(segments).expect("valid set")
}

fn store(dir: &std::path::Path) -> Store {
    let mut store = Store::open(&dir.join("store.db")).expect("store");
    let products = dir.join("products.csv");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&products).expect("create"));
    writeln!(f, "sku,name,price,currency,category,stock").expect("write");
    for i in 0..200 {
        writeln!(f, "NW-{i},Product {i},{},EUR,{},{}", 10 + i, CATEGORIES[i % 4], i % 10).expect("write");
    }
    drop(f);
    let profiles = dir.join("profiles.csv");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&profiles).expect("create"));
    writeln!(f, "email,first_name,loyalty_tier,updated_at").expect("write");
    for i in 0..PROFILES {
        let tier = ["Member", "Trail", "Summit"][i % 3];
        writeln!(f, "user{i}@example.com,Name{i},{tier},2026-11-01T10:00:00Z").expect("write");
    }
    drop(f);
    let events = dir.join("events.jsonl");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&events).expect("create"));
    for i in 0..EVENTS {
        let who = (i * 7919) % PROFILES;
        let kind = EVENT_TYPES[(i * 31) % EVENT_TYPES.len()];
        let sku = (i * 13) % 200;
        let at = tessera_store::ms_to_rfc3339(AS_OF - 1 - ((i as i64 * 7_777_777) % (90 * 86_400_000)));
        writeln!(
            f,
            r#"{{"email":"user{who}@example.com","type":"{kind}","sku":"NW-{sku}","category":"{}","value":{},"currency":"EUR","occurred_at":"{at}"}}"#,
            CATEGORIES[sku % 4],
            10 + sku
        )
        .expect("write");
    }
    drop(f);
    for (path, kind) in [
        (&products, Kind::Products),
        (&profiles, Kind::Profiles),
        (&events, Kind::Events),
    ] {
        let options = ImportOptions {
            as_of: Some(AS_OF),
            ..ImportOptions::new(kind)
        };
        import(&mut store, path, &options, &|_| {}).expect("import");
    }
    store.sync_segments(&demo_segments(), AS_OF).expect("sync");
    store.refresh_segments(AS_OF).expect("refresh");
    store
}

/// The `n`th new event: carts and purchases in turn, spread over the profiles.
fn new_event(n: i64) -> NewEvent {
    NewEvent {
        profile_id: 1 + n % PROFILES as i64,
        kind: if n % 2 == 0 { "add_to_cart" } else { "purchase" },
        sku: Some(format!("NW-{}", n % 200)),
        category: Some("jackets".into()),
        value: Some(42.0),
        currency: Some("EUR".into()),
        occurred_at: AS_OF - 1000 - n,
        source: None,
    }
}

fn segments(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut store = store(dir.path());
    let mut group = c.benchmark_group("segments");
    let mut n = 0i64;
    group.bench_function("one new event to updated membership", |b| {
        b.iter(|| {
            n += 1;
            store.add_event(&new_event(n), AS_OF).expect("event")
        });
    });
    // The same work without a durable commit per event: a burst of events shares one commit, so
    // this is the evaluation's own cost per event (the commit's fsync is the disk's).
    const BURST: usize = 100;
    group.throughput(criterion::Throughput::Elements(BURST as u64));
    group.bench_function("burst of 100 new events to updated membership", |b| {
        b.iter(|| {
            let events: Vec<NewEvent> = (0..BURST)
                .map(|_| {
                    n += 1;
                    new_event(n)
                })
                .collect();
            store.add_events(&events, AS_OF).expect("events")
        });
    });
    group.throughput(criterion::Throughput::Elements(1));
    group.bench_function("recommendations for one profile", |b| {
        let options = RecommendOptions::default();
        let mut i = 0i64;
        b.iter(|| {
            i += 1;
            store
                .recommendations(1 + (i * 7) % PROFILES as i64, AS_OF, &options)
                .expect("recs")
        });
    });
    group.sample_size(10);
    group.bench_function(
        "full evaluation of the demo segments (20k profiles, 200k events)",
        |b| {
            b.iter(|| store.reevaluate_segments(AS_OF).expect("full"));
        },
    );
    group.finish();
}

criterion_group!(benches, segments);
criterion_main!(benches);
