//! The AMP part against the HTML part, per recipient, on the demo's live emails: the HTML render
//! (`tessera_core::render`, HTML + text + report) and the AMP render from the plan made once per
//! compiled version (`AmpPlan::render`, live blocks as amp-list with their templates), the one-shot
//! `amp::render` (plan made per call, as a single `tessera render --amp` does), and one feed
//! answer's data (`LiveTemplate::feed`). The ratio AMP/HTML (wall and CPU time per recipient) is
//! printed after the runs with the load average.

#[path = "support/cpu.rs"]
mod cpu;

use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use tessera_core::amp::{self, AmpPlan, LiveBlock};
use tessera_workspace::Workspace;

fn benches(c: &mut Criterion) {
    println!(
        "load average: {}",
        std::fs::read_to_string("/proc/loadavg").unwrap_or_default().trim()
    );
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
        let plan = AmpPlan::new(&compiled, &ws.dictionary, name);
        assert!(plan.is_planned(), "{name}: the markup can be planned");
        c.bench_function(&format!("{name}: HTML part for one recipient"), |b| {
            b.iter(|| tessera_core::render(&compiled, &data));
        });
        c.bench_function(
            &format!("{name}: AMP part for one recipient ({} live blocks)", live.len()),
            |b| {
                b.iter(|| plan.render(&data, &live).expect("AMP"));
            },
        );
        c.bench_function(&format!("{name}: AMP plan made and used once"), |b| {
            b.iter(|| amp::render(&compiled, &ws.dictionary, name, &data, &live).expect("AMP"));
        });
        let (block, _) = Workspace::live_blocks(&entry).into_iter().next().expect("a live block");
        let template = amp::LiveTemplate::new(&compiled, &ws.dictionary, name, &block).expect("template");
        c.bench_function(&format!("{name}: feed data of {block} for one recipient"), |b| {
            b.iter(|| template.feed(&data));
        });
        // A plain measurement of the ratio, beside criterion's figures: the two back to back.
        let budget = Duration::from_millis(600);
        let html = cpu::per_call(budget, || {
            std::hint::black_box(tessera_core::render(&compiled, &data));
        });
        let amp_time = cpu::per_call(budget, || {
            std::hint::black_box(plan.render(&data, &live).expect("AMP"));
        });
        ratios.push(format!(
            "{name}: HTML {:.1} us wall / {:.1} us CPU, AMP {:.1} us wall / {:.1} us CPU per recipient: \
             AMP/HTML = {:.2} wall, {:.2} CPU",
            cpu::us(html.0),
            cpu::us(html.1),
            cpu::us(amp_time.0),
            cpu::us(amp_time.1),
            amp_time.0.as_secs_f64() / html.0.as_secs_f64(),
            amp_time.1.as_secs_f64() / html.1.as_secs_f64().max(1e-12),
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
