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
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
