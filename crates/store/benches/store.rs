//! Store speed: loading one profile's render context (attributes, recent events, cart) from a store
//! of 2,000 profiles and 100,000 events, and importing profile and event rows.

use std::io::Write as _;

use criterion::{criterion_group, criterion_main, Criterion};
use tessera_store::import::{import, ImportOptions, Kind, EVENT_TYPES};
use tessera_store::Store;

fn write_fixture(
    dir: &std::path::Path,
    profiles: usize,
    events: usize,
    tag: &str,
) -> (std::path::PathBuf, std::path::PathBuf) {
    let p = dir.join(format!("profiles-{tag}.csv"));
    let mut f = std::io::BufWriter::new(std::fs::File::create(&p).expect("create"));
    writeln!(
        f,
        "email,first_name,last_name,country,postal_code,loyalty_points,updated_at"
    )
    .expect("write");
    for i in 0..profiles {
        writeln!(
            f,
            "user{i}-{tag}@example.com,Name{i},Family{},DE,{},{},2026-11-01T10:00:00Z",
            i % 97,
            10000 + i % 500,
            i % 5000
        )
        .expect("write");
    }
    drop(f);
    let e = dir.join(format!("events-{tag}.jsonl"));
    let mut f = std::io::BufWriter::new(std::fs::File::create(&e).expect("create"));
    for i in 0..events {
        let who = (i * 7919) % profiles;
        let day = 1 + (i % 28);
        writeln!(
            f,
            "{{\"email\": \"user{who}-{tag}@example.com\", \"type\": \"{}\", \"sku\": \"NW-{}\", \"value\": {}, \"currency\": \"EUR\", \"occurred_at\": \"2026-11-{day:02}T{:02}:{:02}:00Z\"}}",
            EVENT_TYPES[i % EVENT_TYPES.len()],
            1000 + i % 200,
            10 + i % 90,
            i % 24,
            i % 60
        )
        .expect("write");
    }
    (p, e)
}

fn benches(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut store = Store::open(&dir.path().join("store.db")).expect("store");
    let options = ImportOptions::new;
    let (profiles, events) = write_fixture(dir.path(), 2000, 100_000, "base");
    import(&mut store, &profiles, &options(Kind::Profiles), &|_| {}).expect("profiles");
    import(&mut store, &events, &options(Kind::Events), &|_| {}).expect("events");

    c.bench_function(
        "render context of one profile (attributes, cart) from 2,000 profiles / 100,000 events",
        |b| {
            let mut i = 0;
            b.iter(|| {
                i = (i + 1) % 2000;
                store
                    .render_context(&format!("user{i}-base@example.com"))
                    .expect("context")
            });
        },
    );
    c.bench_function("profile detail with the last 50 events", |b| {
        b.iter(|| store.profile_detail("user42-base@example.com", 50).expect("detail"));
    });

    let mut group = c.benchmark_group("import");
    group.sample_size(10);
    let mut n = 0;
    group.bench_function(
        "10,000 profile rows (CSV, validated, de-duplicated) into a fresh store",
        |b| {
            b.iter_batched(
                || {
                    n += 1;
                    let d = tempfile::tempdir().expect("temp dir");
                    let (p, _) = write_fixture(d.path(), 10_000, 0, &format!("run{n}"));
                    let s = Store::open(&d.path().join("store.db")).expect("store");
                    (d, p, s)
                },
                |(d, p, mut s)| {
                    import(&mut s, &p, &options(Kind::Profiles), &|_| {}).expect("import");
                    d
                },
                criterion::BatchSize::PerIteration,
            );
        },
    );
    group.finish();
}

criterion_group!(store, benches);
criterion_main!(store);
