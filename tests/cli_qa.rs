//! `tessera qa` and the QA in `tessera check`, through the real binary in workspaces made by
//! `tessera init`: the summary and findings, the exit code, --clients, --json, --all-segments,
//! the [qa] settings, and --check-links against a local HTTP server the test starts.

mod common;

use std::io::{BufRead as _, BufReader, Write as _};
use std::net::TcpListener;

use common::{all, assert_exit, assert_mentions, stdout, Dir};
use serde_json::Value;

/// A workspace block type whose markup uses display:flex, which Outlook for Windows ignores.
fn with_flex_block(ws: &Dir) {
    ws.write(
        "blocks/flexrow/block.json",
        r#"{"name": "Flex row", "description": "Two items side by side with flexbox", "category": "content",
            "fields": [{"name": "left", "type": "text", "label": "Left", "default": "Left"},
                       {"name": "right", "type": "text", "label": "Right", "default": "Right"}]}"#,
    );
    ws.write(
        "blocks/flexrow/block.hbs",
        r#"<div class="t-flexrow" style="display:flex;padding:16px 32px;"><p style="margin:0;">{{block.left}}</p><p style="margin:0;">{{block.right}}</p></div>"#,
    );
    ws.write(
        "emails/promo.email.json",
        r#"{"schema_version": 1, "name": "Promo", "subject": "Our winter promo", "preheader": "Two things side by side",
            "blocks": [{"id": "intro", "type": "text", "fields": {"heading": "Winter", "body": "<p>Jackets, boots and more for the coldest weeks of the year, tested outdoors.</p>"}},
                       {"id": "row", "type": "flexrow"},
                       {"id": "footer", "type": "footer", "fields": {"links": []}}]}"#,
    );
}

fn json(out: &std::process::Output) -> Value {
    serde_json::from_str(&stdout(out)).unwrap_or_else(|e| panic!("not JSON ({e}): {}", all(out)))
}

fn findings(result: &Value) -> Vec<Value> {
    result["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .flat_map(|c| c["report"]["findings"].as_array().cloned().unwrap_or_default())
        .collect()
}

#[test]
fn the_demo_email_passes_with_the_demo_qa_settings_and_shows_every_family() {
    let ws = Dir::workspace();
    let out = ws.run(&["qa", "seasonal-sale", "--data", "data/ada.json"]);
    assert_exit(&out, 0);
    assert_mentions(
        &stdout(&out),
        &[
            "seasonal-sale as ada: 21 clients",
            "client family",
            "Outlook",
            "Apple Mail",
            "Gmail",
            "ignored in [qa]: Outlook for Windows shows the buttons with square corners",
            "passes",
        ],
    );
    // Every built-in block of the demo is clean for accessibility and links.
    let out = ws.run(&["qa", "seasonal-sale", "--data", "data/ada.json", "--json"]);
    let result = json(&out);
    let bad: Vec<Value> = findings(&result)
        .into_iter()
        .filter(|f| f["category"] != "support" && f["level"] == "error")
        .collect();
    assert!(bad.is_empty(), "{bad:#?}");
    assert_eq!(result["fails"], false);
}

#[test]
fn display_flex_in_a_custom_block_fails_for_outlook_and_names_the_block() {
    let ws = Dir::workspace();
    with_flex_block(&ws);
    let out = ws.run(&["qa", "promo", "--data", "data/ada.json"]);
    assert_exit(&out, 1);
    assert_mentions(
        &stdout(&out),
        &[
            "block \"row\":",
            "`display:flex` is not supported by",
            "Outlook Windows",
            "[fails]",
            "fails (",
        ],
    );
    let result = json(&ws.run(&["qa", "promo", "--data", "data/ada.json", "--json"]));
    let flex: Vec<Value> = findings(&result)
        .into_iter()
        .filter(|f| f["rule"] == "support:css-display-flex" && f["level"] == "error")
        .collect();
    assert_eq!(flex.len(), 1, "{flex:#?}");
    assert_eq!(flex[0]["block"], "row");
    assert_eq!(flex[0]["fails"], true);
    assert!(flex[0]["clients"]
        .as_array()
        .expect("clients")
        .iter()
        .any(|c| c == "outlook.windows"));

    // Apple Mail supports flexbox: checked for Apple Mail only, the email passes.
    let out = ws.run(&["qa", "promo", "--data", "data/ada.json", "--clients", "apple-mail.*"]);
    assert_exit(&out, 0);
    assert_mentions(&stdout(&out), &["promo as ada: 2 clients", "Apple Mail"]);

    // `check` runs the QA with the workspace's settings and fails on it too.
    let out = ws.run(&["check", "promo"]);
    assert_exit(&out, 1);
    assert_mentions(
        &stdout(&out),
        &[
            "block \"row\"",
            "qa: `display:flex` is not supported",
            "support:css-display-flex",
        ],
    );

    // Accepting it in [qa], with a reason, makes the QA pass and shows the reason; check keeps
    // only the compiler's own lint warning about flexbox.
    let toml = ws.read("tessera.toml");
    ws.write(
        "tessera.toml",
        &format!(
            "{toml}\n[[qa.ignore]]\nrule = \"support:css-display-*\"\nblock = \"row\"\nreason = \"Outlook stacks the two items; accepted\"\n"
        ),
    );
    let out = ws.run(&["qa", "promo", "--data", "data/ada.json"]);
    assert_exit(&out, 0);
    assert_mentions(
        &stdout(&out),
        &["ignored in [qa]: Outlook stacks the two items; accepted"],
    );
    let out = ws.run(&["check", "promo"]);
    assert!(!stdout(&out).contains("qa:"), "{}", all(&out));
    assert_mentions(&stdout(&out), &["display:flex is ignored by Outlook"]);
}

#[test]
fn an_email_without_an_unsubscribe_link_fails_check() {
    let ws = Dir::workspace();
    ws.write(
        "emails/bare.email.json",
        r#"{"schema_version": 1, "name": "Bare", "subject": "Hello", "preheader": "Just text",
            "blocks": [{"id": "intro", "type": "text", "fields": {"heading": "Hi", "body": "<p>Plenty of words here so the email is not image-only, about our winter jackets.</p>"}}]}"#,
    );
    let out = ws.run(&["check", "bare"]);
    assert_exit(&out, 1);
    assert_mentions(
        &stdout(&out),
        &["qa: the email has no unsubscribe link", "link:unsubscribe"],
    );
}

#[test]
fn all_segments_checks_every_coverage_case() {
    let ws = Dir::workspace();
    let out = ws.run(&["qa", "seasonal-sale", "--all-segments", "--json"]);
    assert_exit(&out, 0);
    let result = json(&out);
    let names: Vec<&str> = result["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert!(names.iter().any(|n| n.starts_with("segment-")), "{names:?}");
    assert!(names.contains(&"edge-missing-fields"), "{names:?}");
    // The edge case without data has no unsubscribe URL: its footer link is empty, and only there.
    let cases = result["cases"].as_array().expect("cases");
    let empty_link = |name: &str| {
        cases
            .iter()
            .find(|c| c["name"] == name)
            .and_then(|c| c["report"]["findings"].as_array())
            .is_some_and(|f| f.iter().any(|f| f["rule"] == "link:empty"))
    };
    assert!(!empty_link(
        names
            .iter()
            .find(|n| n.starts_with("segment-"))
            .copied()
            .unwrap_or_default()
    ));
}

#[test]
fn bad_clients_and_bad_qa_settings_are_named() {
    let ws = Dir::workspace();
    let out = ws.run(&["qa", "welcome", "--clients", "hotmail.*"]);
    assert_exit(&out, 1);
    assert_mentions(&all(&out), &["tessera.toml", "\"hotmail.*\" matches no email client"]);

    let toml = ws.read("tessera.toml").replace(
        "fail_on = [\"unsupported\", \"accessibility\", \"links\"]",
        "fail_on = [\"everything\"]",
    );
    ws.write("tessera.toml", &toml);
    let out = ws.run(&["qa", "welcome"]);
    assert_exit(&out, 1);
    assert_mentions(&all(&out), &["tessera.toml", "[qa] fail_on: \"everything\""]);
}

/// Serves `/ok` (200), `/gone` (404) and `/moved` (301 to `/ok`) on loopback until the test ends.
fn serve() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let port = listener.local_addr().expect("address").port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            let mut request = String::new();
            if reader.read_line(&mut request).is_err() {
                continue;
            }
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                line.clear();
            }
            let path = request.split_whitespace().nth(1).unwrap_or("/");
            let response = match path {
                "/ok" | "/unsubscribe" => {
                    "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_owned()
                }
                "/moved" => {
                    "HTTP/1.1 301 Moved Permanently\r\nLocation: /ok\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                        .to_owned()
                }
                _ => "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_owned(),
            };
            let _ = stream.write_all(response.as_bytes());
        }
    });
    port
}

#[test]
fn check_links_requests_each_link_and_reports_status_and_redirects() {
    let port = serve();
    let ws = Dir::workspace();
    let base = format!("http://127.0.0.1:{port}");
    ws.write(
        "emails/linky.email.json",
        &format!(
            r#"{{"schema_version": 1, "name": "Linky", "subject": "Links", "preheader": "Three links",
                "blocks": [{{"id": "intro", "type": "text", "fields": {{"heading": "Links", "body": "<p>See <a href=\"{base}/ok\">the sale</a>, <a href=\"{base}/gone\">the old page</a> and <a href=\"{base}/moved\">the moved page</a>, with enough words around them.</p>"}}}},
                           {{"id": "footer", "type": "footer", "fields": {{"unsubscribe_url": "{base}/unsubscribe", "links": []}}}}]}}"#
        ),
    );
    // Off by default: no request, no status finding.
    let result = json(&ws.run(&["qa", "linky", "--data", "data/ada.json", "--json"]));
    assert!(!findings(&result).iter().any(|f| f["rule"] == "link:status"));

    let out = ws.run(&[
        "qa",
        "linky",
        "--data",
        "data/ada.json",
        "--check-links",
        "--timeout",
        "5",
        "--json",
    ]);
    assert_exit(&out, 1);
    let status: Vec<Value> = findings(&json(&out))
        .into_iter()
        .filter(|f| f["rule"] == "link:status")
        .collect();
    let about = |path: &str| {
        status
            .iter()
            .find(|f| f["subject"] == format!("{base}{path}"))
            .cloned()
            .unwrap_or_else(|| panic!("no status finding for {path}: {status:#?}"))
    };
    let gone = about("/gone");
    assert_eq!(gone["level"], "error");
    assert_mentions(gone["message"].as_str().unwrap_or_default(), &["answers 404"]);
    assert_eq!(gone["fails"], true);
    let moved = about("/moved");
    assert_eq!(moved["level"], "warning");
    assert_mentions(
        moved["message"].as_str().unwrap_or_default(),
        &["redirects via", &format!("{base}/ok"), "final status 200"],
    );
    assert!(
        !status.iter().any(|f| f["subject"] == format!("{base}/ok")),
        "{status:#?}"
    );
}

#[test]
fn preview_matrix_shows_the_qa_of_each_segment_case() {
    let ws = Dir::workspace();
    with_flex_block(&ws);
    // Only VIPs see the flexbox block: only their case fails.
    let email = ws.read("emails/promo.email.json").replace(
        r#"{"id": "row", "type": "flexrow"}"#,
        r#"{"id": "row", "type": "flexrow", "show_if": "in_segment \"vip\""}"#,
    );
    ws.write("emails/promo.email.json", &email);
    let out = ws.run(&["preview-matrix", "promo", "--out", "matrix"]);
    assert_exit(&out, 0);
    let text = stdout(&out);
    let vip = case_section(&text, "segment-vip");
    assert_mentions(
        &vip,
        &["qa: 1 failing", "fails: block \"row\": `display:flex` is not supported"],
    );
    let edge = case_section(&text, "edge-missing-fields");
    assert_mentions(&edge, &["qa: 0 failing"]);
    assert!(!edge.contains("display:flex"), "{edge}");
    let qa: Value = serde_json::from_str(&ws.read("matrix/qa.json")).expect("qa.json");
    let cases = qa["cases"].as_array().expect("cases");
    let failing: Vec<&str> = cases
        .iter()
        .filter(|c| c["report"]["fails"] == true)
        .filter_map(|c| c["name"].as_str())
        .collect();
    // The VIP case fails; the cases outside every segment do not; whatever fails is the row's.
    assert!(failing.contains(&"segment-vip"), "{failing:?}");
    assert!(
        !failing.contains(&"edge-empty-cart") && !failing.contains(&"edge-missing-fields"),
        "{failing:?}"
    );
    for case in cases {
        for f in case["report"]["findings"].as_array().expect("findings") {
            if f["fails"] == true {
                assert_eq!(f["block"], "row", "{f:#?}");
            }
        }
    }
}

/// A case's line of `preview-matrix` and the indented lines under it.
fn case_section(text: &str, name: &str) -> String {
    let mut lines = text.lines().skip_while(|l| !l.starts_with(&format!("  {name} ")));
    let mut out: Vec<&str> = lines.next().into_iter().collect();
    out.extend(lines.take_while(|l| l.starts_with("    ")));
    assert!(!out.is_empty(), "no case {name} in:\n{text}");
    out.join("\n")
}
