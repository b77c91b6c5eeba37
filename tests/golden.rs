//! Golden renders of every demo email for every sample recipient, compared HTML-aware (attribute
//! order, style spacing and whitespace runs do not matter; elements, attributes and text do).
//! The text part and the report (without its version hash) are compared exactly.
//!
//! After a deliberate change, write new files with `TESSERA_BLESS=1 cargo test --test golden`,
//! then review the diff (`git diff tests/golden`) before committing: a golden file is a claim
//! that its output is right.

#[path = "support/html_compare.rs"]
mod html_compare;

use std::path::{Path, PathBuf};

use tessera_workspace::Workspace;

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

fn check(path: &Path, actual: &str, compare: impl Fn(&str, &str) -> Option<String>, failures: &mut Vec<String>) {
    if std::env::var_os("TESSERA_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().expect("golden files live in folders")).expect("create folder");
        std::fs::write(path, actual).expect("write golden file");
        return;
    }
    match std::fs::read_to_string(path) {
        Err(e) => failures.push(format!(
            "{}: {e} (write it with TESSERA_BLESS=1 and review it)",
            path.display()
        )),
        Ok(expected) => {
            if let Some(diff) = compare(&expected, actual) {
                failures.push(format!("{}: {diff}", path.display()));
            }
        }
    }
}

fn exact(expected: &str, actual: &str) -> Option<String> {
    (expected != actual).then(|| {
        let line = expected
            .lines()
            .zip(actual.lines())
            .position(|(e, a)| e != a)
            .unwrap_or(0);
        format!(
            "differs at line {}:\n  expected: {:?}\n  actual:   {:?}",
            line + 1,
            expected.lines().nth(line),
            actual.lines().nth(line)
        )
    })
}

#[test]
fn demo_emails_render_as_reviewed() {
    let mut ws = Workspace::demo().expect("demo workspace");
    let samples = ws.samples().expect("samples");
    let emails = ws.email_names();
    assert_eq!(emails.len(), 3, "{emails:?}");
    let mut failures = Vec::new();
    let mut compared = 0;
    for name in &emails {
        let entry = ws.email(name).expect("email");
        for (sample, data) in &samples {
            let rendered = ws.render(&entry, data).expect("renders");
            let base = golden_dir().join(name).join(sample);
            check(
                &base.with_extension("html"),
                &rendered.html,
                html_compare::difference,
                &mut failures,
            );
            check(&base.with_extension("txt"), &rendered.text, exact, &mut failures);
            let mut report = serde_json::to_value(&rendered.report).expect("report is JSON");
            report["version"] = serde_json::Value::Null;
            let report = format!(
                "subject: {}\npreheader: {}\n{}\n",
                rendered.subject,
                rendered.preheader,
                serde_json::to_string_pretty(&report).expect("JSON")
            );
            check(&base.with_extension("report.txt"), &report, exact, &mut failures);
            compared += 1;
        }
    }
    assert!(compared >= 15, "{compared} renders compared");
    assert!(
        failures.is_empty(),
        "{} golden file(s) differ:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
