//! Render-core speed on the demo's seasonal-sale email: compile, personalize one recipient, a
//! one-field edit to new preview HTML, and export to every ESP target.

#[path = "support/cpu.rs"]
mod cpu;

use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use serde_json::json;
use tessera_core::export::Target;
use tessera_core::render::{personalize_into, Output};
use tessera_workspace::Workspace;

fn benches(c: &mut Criterion) {
    let ws = Workspace::demo().expect("demo workspace");
    let entry = ws.email("seasonal-sale").expect("seasonal-sale");
    let data = ws
        .samples()
        .expect("samples")
        .into_iter()
        .find(|(n, _)| n == "ada")
        .expect("ada")
        .1;

    c.bench_function("compile seasonal-sale (compose + inline + text, cold cache)", |b| {
        b.iter(|| {
            let mut compiler = tessera_core::Compiler::new();
            compiler.compile(&ws.compose(&entry.document)).expect("compiles")
        });
    });
    c.bench_function("compile seasonal-sale on one thread (cold cache)", |b| {
        b.iter(|| {
            let mut compiler = tessera_core::Compiler::with_threads(1);
            compiler.compile(&ws.compose(&entry.document)).expect("compiles")
        });
    });
    // Threads against one thread, back to back: wall time (what a user waits) and the process's
    // CPU time (what the machine spends), with the load they ran under.
    let compile_with = |threads: usize| {
        cpu::per_call_on(Duration::from_millis(1500), 5, cpu::process_cpu_time, || {
            let mut compiler = tessera_core::Compiler::with_threads(threads);
            std::hint::black_box(compiler.compile(&ws.compose(&entry.document)).expect("compiles"));
        })
    };
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let one = compile_with(1);
    let many = compile_with(0);
    println!(
        "compile seasonal-sale, cold cache: one thread {:.2} ms wall / {:.2} ms CPU, threads {:.2} ms wall / \
         {:.2} ms CPU; threads / one = {:.2} wall (loadavg {})",
        cpu::us(one.0) / 1000.0,
        cpu::us(one.1) / 1000.0,
        cpu::us(many.0) / 1000.0,
        cpu::us(many.1) / 1000.0,
        many.0.as_secs_f64() / one.0.as_secs_f64(),
        load.trim()
    );

    let mut warm = Workspace::demo().expect("demo workspace");
    let compiled = warm.compile(&entry).expect("compiles");
    let mut out = Output::default();
    c.bench_function("personalize seasonal-sale for one recipient (HTML + text)", |b| {
        b.iter(|| personalize_into(&compiled, &data, &mut out));
    });

    for name in ["welcome", "abandoned-cart"] {
        let other = warm.email(name).expect("demo email");
        let compiled = warm.compile(&other).expect("compiles");
        personalize_into(&compiled, &data, &mut out);
        let label = format!(
            "personalize {name} for one recipient (HTML + text, {} KB)",
            out.html.len() / 1024
        );
        c.bench_function(&label, |b| b.iter(|| personalize_into(&compiled, &data, &mut out)));
    }

    let mut edited = entry.clone();
    let mut n = 0u64;
    c.bench_function("one-field edit to preview HTML (warm cache)", |b| {
        b.iter(|| {
            n += 1;
            edited.document.blocks[1]
                .fields
                .insert("headline".into(), json!(format!("Winter sale {n}")));
            let compiled = warm.compile(&edited).expect("compiles");
            personalize_into(&compiled, &data, &mut out);
        });
    });

    // Every target, the way `tessera export --all-targets` does it: one compile, then each
    // translation (Mailchimp refuses the email's product loop, which is part of the work).
    let export_all = |ws: &mut Workspace| {
        let written = ws
            .export_each(&entry, &Target::ALL, None)
            .iter()
            .filter(|(_, export)| export.is_ok())
            .count();
        assert_eq!(written, Target::ALL.len() - 1, "all but mailchimp");
    };
    c.bench_function("export seasonal-sale to all 11 targets (compile included)", |b| {
        b.iter_batched(
            || Workspace::demo().expect("demo workspace"),
            |mut ws| export_all(&mut ws),
            criterion::BatchSize::PerIteration,
        );
    });
    c.bench_function("export seasonal-sale to all 11 targets (compiled already)", |b| {
        b.iter(|| export_all(&mut warm));
    });
    // The same in CPU time of this thread (what the export costs, less disturbed by the load of
    // a shared machine than wall time).
    c.bench_function(
        "export seasonal-sale to all 11 targets (compiled already, CPU time)",
        |b| {
            b.iter_custom(|iters| {
                let start = thread_cpu_ns();
                for _ in 0..iters {
                    export_all(&mut warm);
                }
                std::time::Duration::from_nanos(thread_cpu_ns().saturating_sub(start))
            });
        },
    );
    // What the warm compile every export starts with costs.
    c.bench_function("export seasonal-sale: compile with a warm cache", |b| {
        b.iter(|| warm.compile(&entry).expect("compiles"));
    });
    // Each translation on its own, from the compiled email, to see where the total is spent.
    let demo = Workspace::demo().expect("demo workspace");
    let dictionary = demo.dictionary.clone();
    for target in Target::ALL {
        c.bench_function(&format!("export seasonal-sale to {target} (translation only)"), |b| {
            b.iter(|| {
                let input = tessera_core::export::ExportInput {
                    compiled: &compiled,
                    dictionary: &dictionary,
                    email: "seasonal-sale",
                    data: None,
                    velocity_object: None,
                    asset_base_url: None,
                    live: &[],
                };
                tessera_core::export::export(&input, target).is_ok()
            });
        });
    }
    // The ESPs whose exports carry an AMP template: the translation with the email's live blocks
    // (HTML, text and AMP template in one walk) next to the same translation without them, in CPU
    // time of this thread.
    let live: Vec<tessera_core::amp::LiveBlock> = Workspace::live_blocks(&entry)
        .into_iter()
        .map(|(id, spec)| tessera_core::amp::LiveBlock { id, spec, src: None })
        .collect();
    for target in [Target::Sendgrid, Target::Braze] {
        for (label, blocks) in [("without", &[][..]), ("with", live.as_slice())] {
            let name =
                format!("export seasonal-sale to {target} {label} its AMP template (translation only, CPU time)");
            c.bench_function(&name, |b| {
                b.iter_custom(|iters| {
                    let input = tessera_core::export::ExportInput {
                        compiled: &compiled,
                        dictionary: &dictionary,
                        email: "seasonal-sale",
                        data: None,
                        velocity_object: None,
                        asset_base_url: Some("https://images.northwind.example/email/"),
                        live: blocks,
                    };
                    let start = thread_cpu_ns();
                    for _ in 0..iters {
                        let export = tessera_core::export::export(&input, target).expect("exports");
                        assert_eq!(export.amp.is_some(), !blocks.is_empty());
                    }
                    std::time::Duration::from_nanos(thread_cpu_ns().saturating_sub(start))
                });
            });
        }
    }
}

/// Nanoseconds this thread has run on a CPU (`/proc/thread-self/schedstat`, first field).
fn thread_cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|n| n.parse().ok()))
        .expect("/proc/thread-self/schedstat (Linux)")
}

criterion_group! {
    name = render;
    config = Criterion::default().sample_size(30).measurement_time(std::time::Duration::from_secs(3));
    targets = benches
}
criterion_main!(render);
