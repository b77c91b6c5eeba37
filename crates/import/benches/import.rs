//! Import speed: a 100 KB HTML email (goal: 50 ms or less) and an MJML email against mrml parsing and
//! rendering it alone (goal: within 2x). Inputs are the corpus emails of `tests/import/corpus/`,
//! the HTML one repeated to 100 KB.

use criterion::{criterion_group, criterion_main, Criterion};
use tessera_import::{import_email, FieldMapping, ImportInput};

fn corpus(name: &str) -> String {
    let path = format!("{}/../../tests/import/corpus/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The hand-coded newsletter's rows repeated until the email is 100 KB.
fn html_100kb() -> String {
    let source = corpus("hand-coded-mso.html");
    let start = source.find("<tr>").expect("rows");
    let end = source.rfind("</table>").expect("table end");
    let rows = &source[start..end];
    let mut body = String::new();
    while body.len() + source.len() < 100 * 1024 {
        body.push_str(rows);
    }
    format!("{}{body}{}", &source[..start], &source[start..])
}

fn dictionary() -> Vec<String> {
    [
        "profile.first_name",
        "profile.last_name",
        "profile.email",
        "profile.city",
    ]
    .map(str::to_owned)
    .to_vec()
}

/// This thread's time on a CPU so far (`/proc/thread-self/schedstat`), which other processes'
/// load disturbs far less than wall time.
fn thread_cpu() -> std::time::Duration {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").unwrap_or_default();
    let ns = stat.split_whitespace().next().and_then(|n| n.parse().ok()).unwrap_or(0);
    std::time::Duration::from_nanos(ns)
}

/// CPU time per run of `f`, over `runs` runs (after a few to warm up).
fn cpu_per_run(runs: u32, mut f: impl FnMut()) -> std::time::Duration {
    for _ in 0..runs / 10 {
        f();
    }
    let start = thread_cpu();
    for _ in 0..runs {
        f();
    }
    thread_cpu().saturating_sub(start) / runs
}

fn bench(c: &mut Criterion) {
    eprintln!(
        "loadavg: {}",
        std::fs::read_to_string("/proc/loadavg").unwrap_or_default().trim()
    );
    let mapping = FieldMapping::default();
    let dictionary = dictionary();
    let html = html_100kb();
    eprintln!("HTML input: {} bytes", html.len());
    c.bench_function("import 100 KB HTML email", |b| {
        b.iter(|| {
            import_email(&ImportInput {
                file: "newsletter.html",
                source: &html,
                name: None,
                mapping: &mapping,
                dictionary: &dictionary,
            })
            .expect("imports")
        });
    });
    for (label, file) in [
        (
            "MJML with HTML blocks (3 columns, mj-table)",
            "mjml-newsletter-three-columns.mjml",
        ),
        (
            "MJML of mapped blocks (hero, columns, social)",
            "mjml-columns-hero.mjml",
        ),
    ] {
        let mjml = corpus(file);
        let mut group = c.benchmark_group(label);
        group.bench_function("tessera import", |b| {
            b.iter(|| {
                import_email(&ImportInput {
                    file: "email.mjml",
                    source: &mjml,
                    name: None,
                    mapping: &mapping,
                    dictionary: &dictionary,
                })
                .expect("imports")
            });
        });
        group.bench_function("mrml parse + render alone", |b| {
            b.iter(|| {
                let parsed = mrml::parse(&mjml).expect("parses");
                parsed
                    .element
                    .render(&mrml::prelude::render::RenderOptions::default())
                    .expect("renders")
            });
        });
        group.finish();
        // The same two, back to back, in CPU time per run: the ratio the goal is about.
        let import = || {
            import_email(&ImportInput {
                file: "email.mjml",
                source: &mjml,
                name: None,
                mapping: &mapping,
                dictionary: &dictionary,
            })
            .expect("imports");
        };
        let alone = || {
            let parsed = mrml::parse(&mjml).expect("parses");
            parsed
                .element
                .render(&mrml::prelude::render::RenderOptions::default())
                .expect("renders");
        };
        let tessera = cpu_per_run(2000, import);
        let peer = cpu_per_run(2000, alone);
        eprintln!(
            "ratio {label}: tessera import {:.1} us CPU, mrml alone {:.1} us CPU, import / mrml = {:.2}x (loadavg {})",
            tessera.as_secs_f64() * 1e6,
            peer.as_secs_f64() * 1e6,
            tessera.as_secs_f64() / peer.as_secs_f64(),
            std::fs::read_to_string("/proc/loadavg").unwrap_or_default().trim()
        );
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
