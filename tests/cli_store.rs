//! The store commands of the CLI: import, profiles list/show, render --profile, and their errors.

mod common;

use common::{all, assert_exit, assert_mentions, stdout, Dir};

const PROFILES: &str = "E-mail,First Name,Last Name,Country,Loyalty Points,updated_at
ada@Example.com,Ada,Lovelace,Deutschland,1500,2026-11-01T10:00:00Z
ben(at)example.com,Ben,Okafor,US,3,2026-11-01T10:00:00Z
";

#[test]
fn import_reports_counts_and_each_rejected_row_with_line_field_and_reason() {
    let ws = Dir::workspace();
    ws.write("p.csv", PROFILES);
    let out = ws.run(&["import", "p.csv", "--kind", "profiles", "--report", "r.json"]);
    assert_exit(&out, 0);
    assert_mentions(
        &stdout(&out),
        &["2 rows read: 1 inserted", "1 rejected", "p.csv:3: email: invalid email"],
    );
    let report: serde_json::Value = serde_json::from_str(&ws.read("r.json")).expect("report JSON");
    assert_eq!(report["rejections"][0]["line"], 3);
    assert!(ws.join(".tessera/store.db").is_file());
}

#[test]
fn profiles_list_show_and_render_as_a_stored_profile() {
    let ws = Dir::workspace();
    ws.write("p.csv", PROFILES);
    assert_exit(&ws.run(&["import", "p.csv", "--kind", "profiles"]), 0);
    let list = ws.run(&["profiles", "list", "--search", "love"]);
    assert_exit(&list, 0);
    assert_mentions(&stdout(&list), &["ada@example.com", "Ada Lovelace", "DE"]);
    let show = ws.run(&["profiles", "show", "ADA@example.com", "--json"]);
    assert_exit(&show, 0);
    let detail: serde_json::Value = serde_json::from_str(&stdout(&show)).expect("JSON");
    assert_eq!(detail["profile"]["loyalty_points"], 1500);
    assert_eq!(detail["data_ages"]["first_name"]["at"], "2026-11-01T10:00:00Z");
    let render = ws.run(&["render", "welcome", "--profile", "ada@example.com", "--out", "w.html"]);
    assert_exit(&render, 0);
    assert!(ws.read("w.html").contains("Ada"));
    assert_mentions(&all(&render), &["stale", "profile.first_name"]);
}

#[test]
fn dry_runs_write_nothing() {
    let ws = Dir::workspace();
    ws.write("p.csv", PROFILES);
    let out = ws.run(&["import", "p.csv", "--kind", "profiles", "--dry-run"]);
    assert_exit(&out, 0);
    assert_mentions(&stdout(&out), &["Dry run", "1 inserted"]);
    assert_mentions(&stdout(&ws.run(&["profiles", "list"])), &["No profiles"]);
}

#[test]
fn store_errors_are_clear() {
    let ws = Dir::workspace();
    ws.write("empty.csv", "");
    let out = ws.run(&["import", "empty.csv", "--kind", "profiles"]);
    assert_exit(&out, 1);
    assert_mentions(&all(&out), &["empty.csv", "empty", "nothing was imported"]);
    let out = ws.run(&["import", "p.csv", "--kind", "people"]);
    assert_exit(&out, 2);
    assert_mentions(&all(&out), &["people", "profiles"]);
    ws.write("p.csv", PROFILES);
    let out = ws.run(&["import", "p.csv", "--kind", "profiles", "--timezone", "Mars/Olympus"]);
    assert_exit(&out, 1);
    assert_mentions(&all(&out), &["--timezone"]);
    let out = ws.run(&["profiles", "show", "nobody@example.com"]);
    assert_exit(&out, 1);
    assert_mentions(&all(&out), &["no profile matches \"nobody@example.com\""]);
    let demo = Dir::new();
    let out = demo.run(&["import", "x.csv", "--kind", "profiles"]);
    assert_exit(&out, 1);
    assert_mentions(&all(&out), &["demo workspace", "read-only", "tessera init"]);
}
