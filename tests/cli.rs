//! End-to-end tests of the `tessera` command line: the real binary, run in temporary folders.

mod common;

use std::path::Path;

use common::{all, assert_exit, assert_mentions, repo, run, stderr, stdout, Dir};
use serde_json::Value;

/// The built-in block types every installation has.
const BUILT_IN_BLOCKS: [&str; 13] = [
    "header",
    "hero",
    "text",
    "button",
    "image",
    "columns",
    "product-grid",
    "offer",
    "social",
    "divider",
    "spacer",
    "footer",
    "html",
];

/// A valid email whose only block is `block` (a JSON object).
fn email_with(block: &str) -> String {
    // The footer gives the email its unsubscribe link, without which `check`'s QA fails it.
    format!(
        r#"{{"schema_version": 1, "name": "Test", "subject": "Test", "preheader": "A test", "blocks": [{block}, {{"id": "footer", "type": "footer", "fields": {{"links": []}}}}]}}"#
    )
}

/// An email that exists only in the test's workspace, so rendering it proves which workspace was used.
const LOCAL_EMAIL: &str = r#"{
  "schema_version": 1,
  "name": "Local",
  "subject": "Only in this workspace",
  "blocks": [
    {"id": "intro", "type": "text", "fields": {"heading": "Local heading", "body": "<p>Hello from the local workspace.</p>"}},
    {"id": "footer", "type": "footer", "fields": {"links": []}}
  ]
}"#;

/// The stems of `fixtures/demo/<dir>/*<suffix>`, sorted.
fn demo_stems(dir: &str, suffix: &str) -> Vec<String> {
    let mut stems: Vec<String> = std::fs::read_dir(repo().join("fixtures/demo").join(dir))
        .expect("the demo fixtures exist")
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.strip_suffix(suffix).map(str::to_owned))
        .collect();
    stems.sort();
    stems
}

fn parse_json(text: &str, what: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{what} is not valid JSON ({e}):\n{text}"))
}

fn help_of(args: &[&str]) -> String {
    let dir = Dir::new();
    let out = dir.run(args);
    assert_exit(&out, 0);
    stdout(&out)
}

// ---------------------------------------------------------------------------------------------
// 1. Help
// ---------------------------------------------------------------------------------------------

#[test]
fn help_lists_every_command_and_the_workspace_option() {
    let help = help_of(&["--help"]);
    assert_mentions(
        &help,
        &[
            "Usage: tessera",
            "render",
            "check",
            "init",
            "blocks",
            "serve",
            "keys",
            "--workspace <DIR>",
        ],
    );
}

#[test]
fn render_help_describes_rendering_and_its_options() {
    let help = help_of(&["render", "--help"]);
    assert_mentions(
        &help,
        &[
            "Render an email as a recipient",
            "--data <FILE.json>",
            "--out <FILE.html>",
            "--text <FILE.txt>",
            "--report <FILE.json>",
            "--batch <FILE.jsonl>",
            "--out-dir <DIR>",
            "--all",
        ],
    );
}

#[test]
fn check_help_describes_validation() {
    let help = help_of(&["check", "--help"]);
    assert_mentions(
        &help,
        &["Validate an email", "Usage: tessera check", "<EMAIL>", "--json"],
    );
}

#[test]
fn init_help_describes_creating_a_workspace() {
    let help = help_of(&["init", "--help"]);
    assert_mentions(&help, &["Create a new workspace", "Usage: tessera init", "[DIR]"]);
}

#[test]
fn blocks_help_describes_listing_block_types() {
    let help = help_of(&["blocks", "--help"]);
    assert_mentions(&help, &["List block types", "Usage: tessera blocks", "--json"]);
}

// ---------------------------------------------------------------------------------------------
// 2. Workspace discovery
// ---------------------------------------------------------------------------------------------

#[test]
fn workspace_flag_opens_that_folder() {
    let ws = Dir::workspace();
    ws.write("emails/local.email.json", LOCAL_EMAIL);
    let elsewhere = Dir::new();
    let out = elsewhere.run(&["--workspace", &ws.arg(""), "render", "local"]);
    assert_exit(&out, 0);
    assert_mentions(&stdout(&out), &["Local heading"]);
    assert_mentions(&stderr(&out), &["subject \"Only in this workspace\""]);
}

#[test]
fn workspace_is_found_from_a_subfolder() {
    let ws = Dir::workspace();
    ws.write("emails/local.email.json", LOCAL_EMAIL);
    let out = run(&["render", "local"], &ws.join("emails"));
    assert_exit(&out, 0);
    assert_mentions(&stdout(&out), &["Local heading"]);

    let out = run(&["check", "local"], &ws.join("emails"));
    assert_exit(&out, 0);
    assert_mentions(&stdout(&out), &["emails/local.email.json: no problems found."]);
    assert!(!stdout(&out).contains("<built-in>"), "{}", stdout(&out));
}

#[test]
fn without_a_workspace_the_embedded_demo_is_used() {
    let dir = Dir::new();
    for ancestor in dir.path().ancestors() {
        assert!(
            !ancestor.join("tessera.toml").exists(),
            "precondition: {} must not hold tessera.toml",
            ancestor.display()
        );
    }
    let out = dir.run(&["render", "welcome"]);
    assert_exit(&out, 0);
    assert!(stdout(&out).starts_with("<!DOCTYPE html>"), "{}", stdout(&out));
    assert_mentions(&stderr(&out), &["welcome: subject \"Welcome to Northwind, friend\""]);

    let out = dir.run(&["check", "welcome"]);
    assert_exit(&out, 0);
    assert_mentions(
        &stdout(&out),
        &["<built-in>/demo/emails/welcome.email.json: no problems found."],
    );
}

#[test]
fn workspace_flag_on_a_folder_without_tessera_toml_is_refused() {
    let dir = Dir::new();
    let out = dir.run(&["--workspace", &dir.arg(""), "check", "welcome"]);
    assert_exit(&out, 1);
    assert_mentions(
        &stderr(&out),
        &["not a Tessera workspace (no tessera.toml)", "tessera init"],
    );
}

// ---------------------------------------------------------------------------------------------
// 3. init
// ---------------------------------------------------------------------------------------------

#[test]
fn init_creates_a_workspace_that_renders() {
    let dir = Dir::new();
    let out = dir.run(&["init", &dir.arg("ws")]);
    assert_exit(&out, 0);
    assert_mentions(&stdout(&out), &["Created a Tessera workspace in", "ws"]);
    for rel in [
        "ws/tessera.toml",
        "ws/emails/welcome.email.json",
        "ws/data/ada.json",
        "ws/blocks/testimonial/block.json",
        "ws/blocks/testimonial/block.hbs",
    ] {
        assert!(dir.join(rel).is_file(), "init did not create {rel}");
    }
    let out = dir.run(&[
        "--workspace",
        &dir.arg("ws"),
        "render",
        "welcome",
        "--data",
        &dir.arg("ws/data/ada.json"),
    ]);
    assert_exit(&out, 0);
    assert_mentions(&stdout(&out), &["Ada"]);
}

#[test]
fn init_without_a_folder_uses_the_current_one() {
    let dir = Dir::new();
    let out = dir.run(&["init"]);
    assert_exit(&out, 0);
    assert!(dir.join("tessera.toml").is_file());
    assert!(dir.join("emails/welcome.email.json").is_file());
}

#[test]
fn init_twice_refuses_and_overwrites_nothing() {
    let ws = Dir::workspace();
    let config = format!("{}\n# edited by hand\n", ws.read("tessera.toml"));
    ws.write("tessera.toml", &config);
    ws.write("emails/welcome.email.json", LOCAL_EMAIL);

    let out = ws.run(&["init", &ws.arg("")]);
    assert_exit(&out, 1);
    assert_mentions(
        &stderr(&out),
        &[&ws.path().display().to_string(), "already holds a workspace"],
    );
    assert_eq!(ws.read("tessera.toml"), config);
    assert_eq!(ws.read("emails/welcome.email.json"), LOCAL_EMAIL);
}

// ---------------------------------------------------------------------------------------------
// 4. render
// ---------------------------------------------------------------------------------------------

#[test]
fn render_writes_html_text_and_report() {
    let ws = Dir::workspace();
    let out = ws.run(&[
        "render",
        "welcome",
        "--data",
        &ws.arg("data/ada.json"),
        "--out",
        "o.html",
        "--text",
        "o.txt",
        "--report",
        "r.json",
    ]);
    assert_exit(&out, 0);
    assert!(
        stdout(&out).is_empty(),
        "HTML went to --out, not stdout:\n{}",
        stdout(&out)
    );

    let html = ws.read("o.html");
    assert!(html.starts_with("<!DOCTYPE html>"), "{html}");
    assert!(!html.contains("{{"), "unrendered placeholder in the HTML");
    assert!(html.contains("Welcome to Northwind, Ada"));

    let text = ws.read("o.txt");
    assert!(!text.trim().is_empty(), "the text part is empty");
    assert!(text.contains("Ada"), "{text}");

    let report = parse_json(&ws.read("r.json"), "the report");
    for key in ["fallbacks", "hidden_blocks", "missing_paths", "warnings", "html_bytes"] {
        assert!(report.get(key).is_some(), "the report has no {key:?}: {report}");
    }
    assert_eq!(report["html_bytes"].as_u64(), Some(html.len() as u64));
}

#[test]
fn render_without_out_prints_html_on_stdout() {
    let ws = Dir::workspace();
    let out = ws.run(&["render", "welcome", "--data", &ws.arg("data/ada.json")]);
    assert_exit(&out, 0);
    let html = stdout(&out);
    assert!(html.starts_with("<!DOCTYPE html>"), "{html}");
    assert!(html.contains("Welcome to Northwind, Ada"));
    assert_mentions(&stderr(&out), &["welcome: subject \"Welcome to Northwind, Ada\""]);
}

// ---------------------------------------------------------------------------------------------
// 5. Bad input
// ---------------------------------------------------------------------------------------------

#[test]
fn unknown_email_name_lists_the_available_emails() {
    let dir = Dir::new();
    let out = dir.run(&["render", "nope"]);
    assert_exit(&out, 1);
    assert_mentions(
        &stderr(&out),
        &["no email \"nope\"", "abandoned-cart", "seasonal-sale", "welcome"],
    );
}

#[test]
fn malformed_email_json_names_file_line_and_column() {
    let dir = Dir::new();
    let path = dir.write(
        "bad.email.json",
        "{\n  \"schema_version\": 1,\n  \"name\": \"x\",\n  \"blocks\": [\n    {\"id\": \"a\" \"type\": \"hero\"}\n  ]\n}\n",
    );
    let out = dir.run(&["render", path.to_str().expect("UTF-8 path")]);
    assert_exit(&out, 1);
    assert_mentions(&stderr(&out), &[&path.display().to_string(), "line 5, column 16"]);
}

#[test]
fn unknown_block_type_names_the_block_and_suggests_hero() {
    let dir = Dir::new();
    let path = dir.write(
        "heor.email.json",
        &email_with(r#"{"id": "top", "type": "heor", "fields": {}}"#),
    );
    let out = dir.run(&["render", path.to_str().expect("UTF-8 path")]);
    assert_exit(&out, 1);
    assert_mentions(
        &stderr(&out),
        &[
            "heor.email.json",
            "block \"top\"",
            "unknown block type \"heor\"",
            "did you mean \"hero\"?",
        ],
    );
}

#[test]
fn unknown_field_names_the_block_and_the_field() {
    let dir = Dir::new();
    let path = dir.write(
        "field.email.json",
        &email_with(r#"{"id": "intro", "type": "text", "fields": {"bodyy": "<p>Hi</p>"}}"#),
    );
    let out = dir.run(&["render", path.to_str().expect("UTF-8 path")]);
    assert_exit(&out, 1);
    assert_mentions(
        &stderr(&out),
        &[
            "block \"intro\", field \"bodyy\"",
            "block type \"text\" has no field \"bodyy\"",
            "did you mean \"body\"?",
        ],
    );
}

#[test]
fn invalid_show_if_names_the_block_and_show_if() {
    let dir = Dir::new();
    let path = dir.write(
        "rule.email.json",
        &email_with(r#"{"id": "intro", "type": "text", "fields": {}, "show_if": "in_segmnet \"vip\""}"#),
    );
    let out = dir.run(&["render", path.to_str().expect("UTF-8 path")]);
    assert_exit(&out, 1);
    assert_mentions(
        &stderr(&out),
        &[
            "block \"intro\", field \"show_if\"",
            "unknown condition `in_segmnet`",
            "did you mean `in_segment`?",
        ],
    );
}

#[test]
fn show_if_syntax_error_points_into_the_rule() {
    let rule = "in_segment ((";
    let dir = Dir::new();
    let path = dir.write(
        "rule.email.json",
        &email_with(&format!(
            r#"{{"id": "intro", "type": "text", "fields": {{}}, "show_if": "{rule}"}}"#
        )),
    );
    let out = dir.run(&["check", path.to_str().expect("UTF-8 path")]);
    assert_exit(&out, 1);
    let text = stdout(&out);
    assert_mentions(&text, &["block \"intro\", field \"show_if\"", "syntax error"]);
    let column: usize = text
        .split("column ")
        .nth(1)
        .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no column in:\n{text}"));
    assert!(
        column <= rule.chars().count() + 1,
        "the column ({column}) should point into the rule {rule:?} ({} characters):\n{text}",
        rule.chars().count()
    );
}

#[test]
fn missing_data_file_is_named() {
    let dir = Dir::new();
    let missing = dir.arg("nobody.json");
    let out = dir.run(&["render", "welcome", "--data", &missing]);
    assert_exit(&out, 1);
    assert_mentions(&stderr(&out), &[&missing, "No such file or directory"]);
}

#[test]
fn missing_data_file_reason_is_given_once() {
    let dir = Dir::new();
    let out = dir.run(&["render", "welcome", "--data", &dir.arg("nobody.json")]);
    assert_exit(&out, 1);
    let err = stderr(&out);
    assert_eq!(err.matches("No such file or directory").count(), 1, "{err}");
}

#[test]
fn malformed_data_json_names_the_file_and_line() {
    let dir = Dir::new();
    let path = dir.write(
        "bad-data.json",
        "{\n  \"profile\": {\n    \"first_name\": \"Ada\",,\n  }\n}\n",
    );
    let out = dir.run(&["render", "welcome", "--data", path.to_str().expect("UTF-8 path")]);
    assert_exit(&out, 1);
    assert_mentions(&stderr(&out), &[&path.display().to_string(), "line 3, column"]);
}

#[test]
fn data_that_is_not_an_object_is_refused() {
    let dir = Dir::new();
    let path = dir.write("list.json", "[1, 2]\n");
    let out = dir.run(&["render", "welcome", "--data", path.to_str().expect("UTF-8 path")]);
    assert_exit(&out, 1);
    assert_mentions(
        &stderr(&out),
        &[&path.display().to_string(), "recipient data must be an object"],
    );
}

#[test]
fn toml_syntax_error_names_tessera_toml_and_the_line() {
    let ws = Dir::workspace();
    ws.write("tessera.toml", "[workspace]\nname = \"Broken\"\n[brand\nwidth = 600\n");
    let out = run(&["render", "welcome"], &ws.join("emails"));
    assert_exit(&out, 1);
    assert_mentions(&stderr(&out), &["tessera.toml", "line 3, column 7"]);
}

fn workspace_with_broken_block_json() -> Dir {
    let ws = Dir::workspace();
    ws.write("blocks/testimonial/block.json", "{\"name\": \"Testimonial\",, }\n");
    ws
}

#[test]
fn invalid_block_json_names_the_block_file_and_line() {
    let ws = workspace_with_broken_block_json();
    let out = ws.run(&["blocks"]);
    assert_exit(&out, 1);
    assert_mentions(&stderr(&out), &["testimonial/block.json", "line 1, column 24"]);
}

#[test]
fn invalid_block_json_error_is_given_once() {
    let ws = workspace_with_broken_block_json();
    let out = ws.run(&["blocks"]);
    assert_exit(&out, 1);
    let err = stderr(&out);
    assert_eq!(err.matches("key must be a string").count(), 1, "{err}");
    assert_eq!(err.matches("column 24").count(), 1, "{err}");
}

// ---------------------------------------------------------------------------------------------
// 6. check
// ---------------------------------------------------------------------------------------------

fn assert_demo_email_checks_clean(name: &str) {
    let dir = Dir::new();
    let out = dir.run(&["check", name]);
    assert_exit(&out, 0);
    assert_mentions(
        &stdout(&out),
        &[&format!("<built-in>/demo/emails/{name}.email.json: no problems found.")],
    );
}

#[test]
fn check_passes_on_demo_welcome() {
    assert_demo_email_checks_clean("welcome");
}

#[test]
fn check_passes_on_demo_abandoned_cart() {
    assert_demo_email_checks_clean("abandoned-cart");
}

#[test]
fn check_passes_on_demo_seasonal_sale() {
    assert_demo_email_checks_clean("seasonal-sale");
}

#[test]
fn check_passes_on_every_email_of_an_initialized_workspace() {
    let ws = Dir::workspace();
    let names = demo_stems("emails", ".email.json");
    assert!(names.len() >= 3, "{names:?}");
    for name in names {
        let out = ws.run(&["check", &name]);
        assert_exit(&out, 0);
    }
}

#[test]
fn check_finds_a_misspelt_placeholder_and_suggests_the_field() {
    let dir = Dir::new();
    let path = dir.write(
        "typo.email.json",
        &email_with(r#"{"id": "intro", "type": "text", "fields": {"heading": "Hi {{profile.frist_name}}"}}"#),
    );
    let out = dir.run(&["check", path.to_str().expect("UTF-8 path")]);
    assert_exit(&out, 1);
    assert_mentions(
        &stdout(&out),
        &[
            "typo.email.json",
            "block \"intro\"",
            "profile.frist_name",
            "did you mean `profile.first_name`?",
        ],
    );
}

#[test]
fn check_json_locates_the_problem() {
    let dir = Dir::new();
    let path = dir.write(
        "typo.email.json",
        &email_with(r#"{"id": "intro", "type": "text", "fields": {"heading": "Hi {{profile.frist_name}}"}}"#),
    );
    let out = dir.run(&["check", "--json", path.to_str().expect("UTF-8 path")]);
    assert_exit(&out, 1);
    let problems = parse_json(&stdout(&out), "check --json");
    let problems = problems.as_array().expect("a list of problems");
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0]["block"], "intro");
    assert_eq!(problems[0]["severity"], "warning");
    assert_mentions(
        problems[0]["message"].as_str().unwrap_or_default(),
        &["profile.first_name"],
    );
}

// ---------------------------------------------------------------------------------------------
// 7. blocks
// ---------------------------------------------------------------------------------------------

/// `tessera blocks` text output, as (heading line, indented lines) per block type.
fn block_sections(listing: &str) -> Vec<(String, Vec<String>)> {
    let mut sections: Vec<(String, Vec<String>)> = Vec::new();
    for line in listing.lines() {
        if line.starts_with(' ') {
            if let Some((_, body)) = sections.last_mut() {
                body.push(line.trim().to_owned());
            }
        } else if !line.is_empty() {
            sections.push((line.to_owned(), Vec::new()));
        }
    }
    sections
}

fn block_list_json(dir: &Dir) -> Vec<Value> {
    let out = dir.run(&["blocks", "--json"]);
    assert_exit(&out, 0);
    parse_json(&stdout(&out), "blocks --json")
        .as_array()
        .expect("blocks --json prints a list")
        .clone()
}

#[test]
fn blocks_lists_every_built_in_type_with_its_fields() {
    let dir = Dir::new();
    let out = dir.run(&["blocks"]);
    assert_exit(&out, 0);
    let sections = block_sections(&stdout(&out));
    for id in BUILT_IN_BLOCKS {
        let (heading, body) = sections
            .iter()
            .find(|(heading, _)| heading.starts_with(&format!("{id} \"")))
            .unwrap_or_else(|| panic!("`tessera blocks` does not list {id}:\n{}", stdout(&out)));
        assert!(heading.contains("built-in"), "{heading}");
        let schema = parse_json(
            &std::fs::read_to_string(repo().join("blocks").join(id).join("block.json")).expect("block.json"),
            "block.json",
        );
        let fields = schema["fields"].as_array().expect("fields");
        assert!(!fields.is_empty(), "{id} has no fields");
        for field in fields {
            let name = field["name"].as_str().expect("field name");
            assert!(
                body.iter().any(|line| line.split_whitespace().next() == Some(name)),
                "{id}: field {name} not listed in {body:?}"
            );
        }
    }
}

#[test]
fn blocks_json_is_valid_and_lists_every_built_in_type() {
    let dir = Dir::new();
    let list = block_list_json(&dir);
    for id in BUILT_IN_BLOCKS {
        let entry = list
            .iter()
            .find(|b| b["type"] == id)
            .unwrap_or_else(|| panic!("{id} missing from blocks --json"));
        assert_eq!(entry["origin"], "built_in", "{entry}");
        assert!(
            entry["schema"]["fields"].as_array().is_some_and(|f| !f.is_empty()),
            "{id} has no fields: {entry}"
        );
    }
}

#[test]
fn workspace_block_is_listed_as_workspace_origin() {
    let ws = Dir::workspace();
    let out = ws.run(&["blocks"]);
    assert_exit(&out, 0);
    let listing = stdout(&out);
    assert!(
        listing
            .lines()
            .any(|l| l.starts_with("testimonial \"Testimonial\" (content, workspace)")),
        "{listing}"
    );
    let list = block_list_json(&ws);
    let testimonial = list
        .iter()
        .find(|b| b["type"] == "testimonial")
        .expect("testimonial listed");
    assert_eq!(testimonial["origin"], "workspace");
}

#[test]
fn workspace_block_overrides_a_built_in_one() {
    let ws = Dir::workspace();
    for file in ["block.json", "block.hbs", "block.css"] {
        let source = std::fs::read_to_string(repo().join("blocks/divider").join(file)).expect("built-in divider");
        let source = if file == "block.json" {
            assert!(source.contains("\"name\": \"Divider\""), "{source}");
            source.replace("\"name\": \"Divider\"", "\"name\": \"Rule line\"")
        } else {
            source
        };
        ws.write(&format!("blocks/divider/{file}"), &source);
    }
    let list = block_list_json(&ws);
    let dividers: Vec<&Value> = list.iter().filter(|b| b["type"] == "divider").collect();
    assert_eq!(dividers.len(), 1, "{dividers:?}");
    assert_eq!(dividers[0]["origin"], "workspace");
    assert_eq!(dividers[0]["schema"]["name"], "Rule line");

    let out = ws.run(&["blocks"]);
    assert_exit(&out, 0);
    assert!(
        stdout(&out)
            .lines()
            .any(|l| l.starts_with("divider \"Rule line\" (structure, workspace)")),
        "{}",
        stdout(&out)
    );
}

// ---------------------------------------------------------------------------------------------
// 8. Batch
// ---------------------------------------------------------------------------------------------

fn recipient(name: &str) -> String {
    format!(r#"{{"profile": {{"first_name": "{name}"}}}}"#)
}

#[test]
fn batch_renders_good_lines_and_reports_bad_ones() {
    let dir = Dir::new();
    let lines = [
        recipient("Alba"),
        recipient("Bruno"),
        recipient("Cleo"),
        r#"{"profile": {"first_name": "Dora",}"#.to_owned(),
        recipient("Emil"),
        "[1, 2, 3]".to_owned(),
        recipient("Fenna"),
    ];
    dir.write("f.jsonl", &format!("{}\n", lines.join("\n")));
    let out = dir.run(&["render", "welcome", "--batch", "f.jsonl", "--out-dir", "out"]);
    assert_exit(&out, 1);

    for (line, name) in [(1, "Alba"), (2, "Bruno"), (3, "Cleo"), (5, "Emil"), (7, "Fenna")] {
        let html = dir.read(&format!("out/{line:06}.html"));
        assert!(html.contains(&format!("Welcome to Northwind, {name}")), "line {line}");
        assert!(
            !dir.read(&format!("out/{line:06}.txt")).trim().is_empty(),
            "line {line}"
        );
    }
    for line in [4, 6] {
        assert!(!dir.join(&format!("out/{line:06}.html")).exists(), "line {line} is bad");
    }
    let text = all(&out);
    assert_mentions(
        &text,
        &[
            "Rendered 5 recipient(s) of welcome",
            "2 line(s) skipped",
            "f.jsonl:4: invalid JSON",
            "f.jsonl:6: a line must hold one JSON object",
        ],
    );

    let summary = parse_json(&dir.read("out/summary.json"), "summary.json");
    assert_eq!(summary["rendered"], 5);
    let failed: Vec<u64> = summary["failures"]
        .as_array()
        .expect("failures")
        .iter()
        .filter_map(|f| f["line"].as_u64())
        .collect();
    assert_eq!(failed, [4, 6]);
}

#[test]
fn batch_of_good_lines_exits_zero() {
    let dir = Dir::new();
    dir.write(
        "good.jsonl",
        &format!(
            "{}\n{}\n\n{}\n",
            recipient("Alba"),
            recipient("Bruno"),
            recipient("Cleo")
        ),
    );
    let out = dir.run(&["render", "welcome", "--batch", "good.jsonl", "--out-dir", "out"]);
    assert_exit(&out, 0);
    assert_mentions(&stdout(&out), &["Rendered 3 recipient(s) of welcome"]);
    assert!(!stdout(&out).contains("skipped"), "{}", stdout(&out));
    let summary = parse_json(&dir.read("out/summary.json"), "summary.json");
    assert_eq!(summary["rendered"], 3);
    assert_eq!(summary["failures"], Value::Array(Vec::new()));
    for stem in ["000001", "000002", "000004"] {
        assert!(dir.join(&format!("out/{stem}.html")).is_file(), "{stem}.html");
    }
}

// ---------------------------------------------------------------------------------------------
// 9. render --all
// ---------------------------------------------------------------------------------------------

#[test]
fn render_all_renders_every_email_for_every_sample_with_an_index() {
    let dir = Dir::new();
    let out = dir.run(&["render", "--all", "--out-dir", "out"]);
    assert_exit(&out, 0);
    let emails = demo_stems("emails", ".email.json");
    let samples = demo_stems("data", ".json");
    assert!(emails.len() >= 3 && samples.len() >= 2, "{emails:?} {samples:?}");
    let index = dir.read("out/index.html");
    for email in &emails {
        for sample in &samples {
            for ext in ["html", "txt", "report.json"] {
                let rel = format!("{email}/{sample}.{ext}");
                assert!(dir.join(&format!("out/{rel}")).is_file(), "missing out/{rel}");
                assert!(
                    index.contains(&format!("href=\"{rel}\"")),
                    "index.html does not link {rel}"
                );
            }
        }
    }
    assert_mentions(
        &stdout(&out),
        &[&Path::new("out").join("index.html").display().to_string()],
    );
}
