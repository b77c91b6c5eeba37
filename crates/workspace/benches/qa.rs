//! Pre-send QA speed on the demo's seasonal-sale email rendered for ada: client support (every
//! feature against 21 clients), accessibility, links and content, no network, with the `[qa]`
//! settings applied. `scripts/qa-bench.sh` runs it beside the caniemail npm checker on the same
//! HTML (written to `$TESSERA_QA_BENCH_HTML` when set).

use criterion::{criterion_group, criterion_main, Criterion};
use tessera_workspace::qa::render_for_qa;
use tessera_workspace::Workspace;

fn qa(c: &mut Criterion) {
    let mut ws = Workspace::demo().expect("demo workspace");
    let entry = ws.email("seasonal-sale").expect("seasonal-sale");
    let data = ws
        .samples()
        .expect("samples")
        .into_iter()
        .find(|(n, _)| n == "ada")
        .expect("ada")
        .1;
    let compiled = ws.compile(&entry).expect("compiles");
    let rendered = render_for_qa(&compiled, &data);
    if let Ok(path) = std::env::var("TESSERA_QA_BENCH_HTML") {
        // The HTML as sent (without the block comments), for the npm checker.
        let plain = tessera_core::render(&compiled, &data).html;
        std::fs::write(&path, plain).expect("write the benchmark's HTML");
        std::fs::write(format!("{path}.marked"), &rendered.html).expect("write the marked HTML");
    }
    // The data and its index are built once per process, as the npm checker loads its JSON once.
    let report = ws.qa_rendered(&rendered, &entry.document, None).expect("qa");
    assert!(!report.findings.is_empty());
    c.bench_function(
        "qa seasonal-sale (client support + accessibility + links + content)",
        |b| {
            b.iter(|| ws.qa_rendered(&rendered, &entry.document, None).expect("qa"));
        },
    );
    // The same in CPU time of this thread: what the QA costs, less disturbed by the load of a
    // shared machine than wall time.
    c.bench_function("qa seasonal-sale (CPU time)", |b| {
        b.iter_custom(|iters| {
            let start = thread_cpu_ns();
            for _ in 0..iters {
                ws.qa_rendered(&rendered, &entry.document, None).expect("qa");
            }
            std::time::Duration::from_nanos(thread_cpu_ns().saturating_sub(start))
        });
    });
}

/// Nanoseconds this thread has run on a CPU (`/proc/thread-self/schedstat`, first field).
fn thread_cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|n| n.parse().ok()))
        .expect("/proc/thread-self/schedstat (Linux)")
}

criterion_group!(benches, qa);
criterion_main!(benches);
