//! The AMP part against the HTML part, per recipient, on the demo's live emails: the HTML render
//! (`tessera_core::render`) and the AMP render (`tessera_core::amp::render`, live blocks as
//! amp-list with their templates), and one feed answer's data (`LiveTemplate::item`). The ratio
//! AMP/HTML is printed after the runs.

use std::time::Instant;

use criterion::{criterion_group, criterion_main, Criterion};
use tessera_core::amp::{self, LiveBlock};
use tessera_workspace::Workspace;

fn benches(c: &mut Criterion) {
    let mut ws = Workspace::demo().expect("demo workspace");
    let data = ws
        .samples()
        .expect("samples")
        .into_iter()
        .find(|(n, _)| n == "ada")
        .expect("ada")
        .1;
    let mut ratios = Vec::new();
    for name in ["abandoned-cart", "seasonal-sale"] {
        let entry = ws.email(name).expect("demo email");
        let compiled = ws.compile(&entry).expect("compiles");
        let live: Vec<LiveBlock> = Workspace::live_blocks(&entry)
            .into_iter()
            .map(|(id, spec)| LiveBlock {
                src: Some(format!(
                    "https://live.example.com/feeds/{name}/{id}?t={}",
                    "A".repeat(100)
                )),
                id,
                spec,
            })
            .collect();
        c.bench_function(&format!("{name}: HTML part for one recipient"), |b| {
            b.iter(|| tessera_core::render(&compiled, &data));
        });
        c.bench_function(
            &format!("{name}: AMP part for one recipient ({} live blocks)", live.len()),
            |b| {
                b.iter(|| amp::render(&compiled, &ws.dictionary, name, &data, &live).expect("AMP"));
            },
        );
        let (block, _) = Workspace::live_blocks(&entry).into_iter().next().expect("a live block");
        let template = amp::LiveTemplate::new(&compiled, &ws.dictionary, name, &block).expect("template");
        c.bench_function(&format!("{name}: feed data of {block} for one recipient"), |b| {
            b.iter(|| template.feed(&data));
        });
        // A plain measurement of the ratio, beside criterion's figures.
        let runs = 300;
        let t = Instant::now();
        for _ in 0..runs {
            std::hint::black_box(tessera_core::render(&compiled, &data));
        }
        let html = t.elapsed();
        let t = Instant::now();
        for _ in 0..runs {
            std::hint::black_box(amp::render(&compiled, &ws.dictionary, name, &data, &live).expect("AMP"));
        }
        let amp_time = t.elapsed();
        ratios.push(format!(
            "{name}: HTML {:.0} µs, AMP {:.0} µs per recipient: AMP/HTML = {:.2}",
            html.as_secs_f64() * 1e6 / f64::from(runs),
            amp_time.as_secs_f64() * 1e6 / f64::from(runs),
            amp_time.as_secs_f64() / html.as_secs_f64()
        ));
    }
    for r in ratios {
        println!("{r}");
    }
    println!(
        "load average: {}",
        std::fs::read_to_string("/proc/loadavg").unwrap_or_default().trim()
    );
}

criterion_group!(amp_benches, benches);
criterion_main!(amp_benches);
