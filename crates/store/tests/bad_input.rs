//! The corpus of malformed import files in `fixtures/bad-input/`: each file's expected outcome is in
//! `expected.json` (refused whole, or imported with these rows rejected for these reasons).

use std::path::{Path, PathBuf};

use serde::Deserialize;
use tessera_store::import::{import, ImportOptions, Kind};
use tessera_store::validate::timestamp::parse_zone;
use tessera_store::Store;

#[derive(Debug, Deserialize)]
struct Case {
    file: String,
    kind: String,
    mapping: Option<String>,
    timezone: Option<String>,
    outcome: String,
    encoding: Option<String>,
    rows_read: Option<u64>,
    inserted: Option<u64>,
    #[serde(default)]
    rejected: Vec<Expected>,
    refusal_contains: Option<String>,
    #[serde(default)]
    flags: Vec<String>,
    generated_by: Option<String>,
    #[serde(default)]
    notes: String,
}

#[derive(Debug, Deserialize)]
struct Expected {
    line: u64,
    field: Option<String>,
    reason_contains: String,
}

/// Every case of the corpus: a case dropped from `expected.json` fails the test instead of passing
/// it with fewer checks.
const CORPUS: [&str; 38] = [
    "bom-utf8.csv",
    "utf16le-bom.csv",
    "utf16be-bom.csv",
    "windows-1252.csv",
    "latin1.csv",
    "quoted-newlines.csv",
    "crlf.csv",
    "lf.csv",
    "cr-only.csv",
    "ragged-rows.csv",
    "duplicate-header.csv",
    "blank-header.csv",
    "header-only.csv",
    "empty.csv",
    "whitespace-only.csv",
    "binary-png.csv",
    "nul-byte.csv",
    "large-field.csv",
    "unterminated-quote.csv",
    "json-array-bad-element.json",
    "json-not-array.json",
    "json-single-object.json",
    "json-truncated.json",
    "jsonl-malformed-line.jsonl",
    "emails-invalid.csv",
    "email-unicode-domain.csv",
    "timestamps.csv",
    "timestamps-timezone.csv",
    "no-email-column.csv",
    "missing-email-values.csv",
    "alias-headers.csv",
    "custom-mapping.csv",
    "events-profiles.csv",
    "events-bad.jsonl",
    "products-bad.csv",
    "duplicate-email.csv",
    "duplicate-email-older-later.csv",
    "formula-injection.csv",
];

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/bad-input")
}

#[test]
fn every_bad_input_file_has_its_expected_outcome() {
    let cases: Vec<Case> =
        serde_json::from_str(&std::fs::read_to_string(corpus().join("expected.json")).expect("expected.json"))
            .expect("valid expected.json");
    let files: Vec<&str> = cases.iter().map(|c| c.file.as_str()).collect();
    assert_eq!(files, CORPUS, "expected.json lists exactly the corpus, in this order");
    let scratch = tempfile::tempdir().expect("temp dir");
    let mut failures = Vec::new();
    for case in &cases {
        let path = match &case.generated_by {
            Some(script) => {
                let status = std::process::Command::new("python3")
                    .arg(corpus().join(script))
                    .arg(scratch.path())
                    .status()
                    .expect("python3 runs");
                assert!(status.success(), "{script} failed");
                scratch.path().join(&case.file)
            }
            None => corpus().join(&case.file),
        };
        let mut store = Store::open(&scratch.path().join(format!("{}.db", case.file))).expect("store");
        // Events and products need profiles to refer to: a small known set.
        if case.kind == "events" {
            let profiles = scratch.path().join("known-profiles.csv");
            std::fs::write(
                &profiles,
                "email,crm_id\nada@example.com,C1\nben@example.com,C2\nchloe@example.com,C3\n",
            )
            .expect("write");
            import(&mut store, &profiles, &ImportOptions::new(Kind::Profiles), &|_| {}).expect("profiles");
        }
        let kind: Kind = case.kind.parse().expect("kind");
        let options = ImportOptions {
            mapping: case.mapping.as_ref().map(|m| corpus().join(m)),
            timezone: case
                .timezone
                .as_deref()
                .map_or(tessera_store::validate::timestamp::Zone::Utc, |z| {
                    parse_zone(z).expect("zone")
                }),
            ..ImportOptions::new(kind)
        };
        let result = import(&mut store, &path, &options, &|_| {});
        let mut fail = |what: String| failures.push(format!("{} ({}): {what}", case.file, case.notes));
        match (case.outcome.as_str(), result) {
            ("refused", Ok(report)) => fail(format!("expected a refusal, got {report:?}")),
            ("refused", Err(e)) => {
                let want = case.refusal_contains.as_deref().unwrap_or_default();
                if !e.to_string().to_lowercase().contains(&want.to_lowercase()) {
                    fail(format!("refusal \"{e}\" does not mention \"{want}\""));
                }
            }
            ("imported", Err(e)) => fail(format!("expected an import, got {e}")),
            ("imported", Ok(r)) => {
                if let Some(enc) = &case.encoding {
                    if &r.encoding != enc {
                        fail(format!("encoding {} instead of {enc}", r.encoding));
                    }
                }
                if case.rows_read.is_some_and(|n| n != r.rows_read) {
                    fail(format!("rows_read {} instead of {:?}", r.rows_read, case.rows_read));
                }
                if case.inserted.is_some_and(|n| n != r.inserted) {
                    fail(format!(
                        "inserted {} instead of {:?} (rejections: {:?})",
                        r.inserted, case.inserted, r.rejections
                    ));
                }
                if r.rejected != case.rejected.len() as u64 {
                    fail(format!(
                        "{} rejected instead of {}: {:?}",
                        r.rejected,
                        case.rejected.len(),
                        r.rejections
                    ));
                }
                for want in &case.rejected {
                    let found = r.rejections.iter().any(|got| {
                        got.line == want.line
                            && (want.field.is_none() || got.field == want.field)
                            && got.reason.to_lowercase().contains(&want.reason_contains.to_lowercase())
                    });
                    if !found {
                        fail(format!(
                            "no rejection at line {} {:?} mentioning \"{}\": {:?}",
                            want.line, want.field, want.reason_contains, r.rejections
                        ));
                    }
                }
                for flag in &case.flags {
                    if !r
                        .warnings
                        .iter()
                        .any(|w| w.to_lowercase().contains(&flag.to_lowercase()))
                    {
                        fail(format!("no warning mentioning \"{flag}\": {:?}", r.warnings));
                    }
                }
                assert_eq!(store.integrity_check().expect("check"), "ok");
            }
            (other, _) => fail(format!("unknown outcome {other}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
