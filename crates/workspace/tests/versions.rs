//! The version use cases through the library API the desktop app calls, and the determinism of
//! every text file Tessera writes (two saves of the same design are byte-identical).

use serde_json::Value;
use tessera_core::export::Target;
use tessera_workspace::editor::EditorSession;
use tessera_workspace::export::write_export;
use tessera_workspace::history::{init_versioned, FIRST_MESSAGE, WORKING};
use tessera_workspace::{Workspace, WorkspaceError};

const AUTHOR: &str = "Ada Lovelace <ada@example.com>";

#[test]
fn documents_are_written_with_sorted_keys_and_identical_bytes_every_time() {
    let data = tempfile::tempdir().expect("temp dir");
    let mut session = EditorSession::start(data.path()).expect("start");
    let email = session.load("welcome").expect("load");
    let path = session.save("welcome", &email.document).expect("save").path;
    // The file rewritten with every object's keys in reverse order (a map in memory may keep
    // sorted keys whatever the order of edits, so the disorder is made in the file itself):
    // loading and saving must give sorted keys back.
    let written: Value = serde_json::from_slice(&std::fs::read(&path).expect("read")).expect("json");
    let reversed = reversed_json(&written);
    let fields_at = |text: &str| -> Vec<usize> {
        written["blocks"][1]["fields"]
            .as_object()
            .expect("fields")
            .keys()
            // From the header's dark logo on (the header's dark look has an `image` key too).
            .map(|k| {
                let from = text.find("northwind-logo-dark").expect("the header's dark logo");
                from + text[from..].find(&format!("\"{k}\":")).expect("key in text")
            })
            .collect()
    };
    let unsorted = fields_at(&reversed);
    assert!(
        unsorted.len() > 1 && unsorted.windows(2).all(|w| w[0] > w[1]),
        "the test's input has its keys in reverse order"
    );
    std::fs::write(&path, &reversed).expect("write reversed");
    let email = session.load("welcome").expect("load reversed");
    session.save("welcome", &email.document).expect("save");
    let first = std::fs::read(&path).expect("read");
    session.save("welcome", &email.document).expect("save again");
    assert_eq!(std::fs::read(&path).expect("read"), first, "two saves, same bytes");
    let text = String::from_utf8(first).expect("utf-8");
    assert!(text.ends_with("}\n"));
    let doc: Value = serde_json::from_str(&text).expect("json");
    let keys: Vec<&String> = doc["blocks"][1]["fields"].as_object().expect("fields").keys().collect();
    let positions: Vec<usize> = keys
        .iter()
        .map(|k| {
            let from = text.find("northwind-logo-dark").expect("the header's dark logo");
            from + text[from..].find(&format!("\"{k}\":")).expect("key in text")
        })
        .collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "keys not in sorted order: {keys:?}"
    );
}

/// `value` as JSON text with the keys of every object in reverse order.
fn reversed_json(value: &Value) -> String {
    match value {
        Value::Object(map) => {
            let items: Vec<String> = map
                .iter()
                .rev()
                .map(|(k, v)| format!("{}:{}", Value::from(k.as_str()), reversed_json(v)))
                .collect();
            format!("{{{}}}", items.join(","))
        }
        Value::Array(items) => format!("[{}]", items.iter().map(reversed_json).collect::<Vec<_>>().join(",")),
        scalar => scalar.to_string(),
    }
}

#[test]
fn exports_are_identical_bytes_every_time() {
    let ws = Workspace::demo().expect("demo");
    let mut ws = ws;
    let entry = ws.email("seasonal-sale").expect("email");
    let out = tempfile::tempdir().expect("temp dir");
    let mut ran = Vec::new();
    for target in Target::ALL {
        let Ok(export) = ws.export(&entry, target, None) else {
            continue; // Some targets cannot express every email; the export tests cover those.
        };
        ran.push(target);
        let dir = write_export(&export, out.path()).expect("write");
        let before: Vec<Vec<u8>> = ["template.html", "template.txt", "manifest.json"]
            .iter()
            .map(|f| std::fs::read(dir.join(f)).expect("read"))
            .collect();
        let again = ws.export(&entry, target, None).expect("export again");
        write_export(&again, out.path()).expect("write again");
        for (i, f) in ["template.html", "template.txt", "manifest.json"].iter().enumerate() {
            assert_eq!(
                std::fs::read(dir.join(f)).expect("read"),
                before[i],
                "{target} {f} changed"
            );
        }
        let manifest = String::from_utf8(before[2].clone()).expect("utf-8");
        assert!(
            !manifest.contains("\"created") && !manifest.contains("\"time"),
            "no timestamps: {manifest}"
        );
    }
    // Refused targets are skipped above; those that express this email must have been checked.
    for target in [Target::Liquid, Target::Braze, Target::Sendgrid, Target::Html] {
        assert!(ran.contains(&target), "{target} was not checked (ran: {ran:?})");
    }
}

#[test]
fn the_desktop_api_saves_lists_compares_and_restores() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("ws");
    let done = init_versioned(&dir, Some(AUTHOR)).expect("init");
    assert!(done.made_repository);
    let first = done.first_version.expect("first version");
    assert_eq!(first.message, FIRST_MESSAGE);
    let mut ws = Workspace::open(&dir).expect("open");
    assert!(ws.is_repository());
    assert!(matches!(
        ws.save_version("Nothing", Some(AUTHOR)),
        Err(WorkspaceError::History(
            tessera_history::HistoryError::NothingToSave { .. }
        ))
    ));
    let path = dir.join("emails/welcome.email.json");
    let original = std::fs::read_to_string(&path).expect("read");
    std::fs::write(&path, original.replace("\"subject\": \"", "\"subject\": \"NEW ")).expect("write");
    let diff = ws.diff("welcome", None, None, Some(Target::Liquid)).expect("diff");
    assert_eq!(diff.changes.email.len(), 1);
    assert_eq!(diff.changes.email[0].name, "subject");
    assert_eq!(
        diff.export.as_ref().map(|e| e.generated.clone()),
        Some(vec![first.short_id.clone(), "working copy".to_owned()])
    );
    assert!(diff.export.as_ref().is_some_and(|e| e.unified.contains("+<title>NEW ")));
    let json = serde_json::to_value(&diff).expect("serialize");
    assert_eq!(json["changes"]["email"][0]["old"], Value::from(ws_subject(&original)));
    let saved = ws.save_version("New subject", Some(AUTHOR)).expect("save");
    assert_eq!(saved.changed_emails, ["welcome"]);
    let history = ws.history(Some("welcome")).expect("history");
    assert_eq!(history.len(), 2);
    assert_eq!(history[0].id, saved.version.id);
    let back = ws
        .diff("welcome", Some(&saved.version.id), Some(WORKING), None)
        .expect("diff");
    assert!(back.changes.is_empty());
    let restored = ws.restore("welcome", &first.id).expect("restore");
    assert_eq!(restored.version, first.id);
    assert_eq!(std::fs::read_to_string(&path).expect("read"), original);
    let usage = ws.block_usage("testimonial").expect("usage");
    assert_eq!(usage.working.len(), 1);
    assert_eq!(usage.versions.len(), 2);
    assert!(matches!(
        ws.restore("Bad Name!", "HEAD"),
        Err(WorkspaceError::BadEmailName { .. })
    ));
    assert!(matches!(
        Workspace::demo().expect("demo").history(None),
        Err(WorkspaceError::DemoHasNoHistory)
    ));
}

fn ws_subject(document: &str) -> String {
    let doc: Value = serde_json::from_str(document).expect("json");
    doc["subject"].as_str().expect("subject").to_owned()
}
