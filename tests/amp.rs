//! The AMP for Email part (issue 16): every demo email with a live block, for every sample and
//! edge-case profile and for stored profiles, validated offline by the official AMP validator
//! (npm `amphtml-validator` on the validator file of npm `next@15.5.29`, `tests/esp/amp-check.mjs`);
//! a broken document is rejected; each live block's amp-mustache template rendered by npm `mustache`
//! with the feed's JSON shows the same text as Tessera's own render of that block.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::{assert_exit, repo, Dir};
use serde_json::{json, Value};
use tessera_workspace::amp::AmpRecipient;
use tessera_workspace::Workspace;

/// A workspace made by `tessera init` with the demo store imported and a collector address.
fn workspace_with_store() -> Dir {
    let ws = Dir::workspace();
    let store = repo().join("fixtures/demo/store");
    for (file, kind) in [
        ("profiles.csv", "profiles"),
        ("products.csv", "products"),
        ("events.jsonl", "events"),
    ] {
        let file = store.join(file);
        assert_exit(
            &ws.run(&["import", file.to_str().expect("UTF-8 path"), "--kind", kind]),
            0,
        );
    }
    let config = ws.read("tessera.toml");
    ws.write(
        "tessera.toml",
        &format!("{config}\n[live]\nbase_url = \"https://live.northwind.example\"\n"),
    );
    ws
}

/// Runs `tests/esp/amp-check.mjs MODE` with `input` on stdin; its JSON answer.
fn amp_check(mode: &str, input: &Value) -> Value {
    let script = repo().join("tests/esp/amp-check.mjs");
    let mut child = Command::new("node")
        .arg(&script)
        .arg(mode)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "node runs {} (Node.js from scripts/desktop-setup.sh): {e}",
                script.display()
            )
        });
    {
        use std::io::Write as _;
        let mut stdin = child.stdin.take().expect("stdin");
        stdin.write_all(input.to_string().as_bytes()).expect("write the input");
    }
    let out = child.wait_with_output().expect("amp-check finishes");
    assert!(
        out.status.success(),
        "amp-check {mode} failed ({}): {} (the validator and mustache come with `npm ci` at the repository root)",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("amp-check answers JSON")
}

/// Validates files; the (file, status, errors) of each.
fn validate(files: &[PathBuf]) -> Vec<(String, String, Vec<String>)> {
    let answer = amp_check("validate", &json!({"files": files}));
    answer
        .as_array()
        .expect("a list")
        .iter()
        .map(|r| {
            (
                r["file"].as_str().unwrap_or_default().to_owned(),
                r["status"].as_str().unwrap_or_default().to_owned(),
                r["errors"]
                    .as_array()
                    .map(|e| e.iter().filter_map(|x| x.as_str().map(str::to_owned)).collect())
                    .unwrap_or_default(),
            )
        })
        .collect()
}

/// The emails of the demo with at least one live block.
fn live_emails(ws: &Workspace) -> Vec<String> {
    ws.email_names()
        .into_iter()
        .filter(|name| !Workspace::live_blocks(&ws.email(name).expect("email")).is_empty())
        .collect()
}

/// The sample and edge-case recipients of the demo (`data/*.json`).
fn sample_data(ws_dir: &Path) -> Vec<(String, Value)> {
    let mut out: Vec<(String, Value)> = std::fs::read_dir(ws_dir.join("data"))
        .expect("data folder")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| {
            let data = serde_json::from_str(&std::fs::read_to_string(&p).expect("read")).expect("JSON");
            (p.file_stem().expect("stem").to_string_lossy().into_owned(), data)
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

#[test]
fn every_live_demo_email_is_valid_amp_for_every_sample_edge_case_and_stored_profile() {
    let dir = workspace_with_store();
    let mut ws = Workspace::discover(Some(dir.path()), dir.path()).expect("workspace");
    let emails = live_emails(&ws);
    assert_eq!(emails, ["abandoned-cart", "seasonal-sale"], "the demo's live emails");
    let samples = sample_data(dir.path());
    assert!(samples.len() >= 5, "ada, ben and the edge cases: {samples:?}");
    let mut files = Vec::new();
    let mut lists = 0;
    for email in &emails {
        let entry = ws.email(email).expect("email");
        for (who, data) in &samples {
            let recipient = AmpRecipient {
                profile_id: Some(1),
                now: time::OffsetDateTime::now_utc(),
            };
            let amp = ws.render_amp(&entry, data, &recipient).expect("AMP part");
            assert!(
                !amp.report.over_size_budget,
                "{email} for {who}: {} bytes",
                amp.report.bytes
            );
            lists += amp.report.live_blocks.len();
            assert_eq!(amp.html.matches("<amp-list").count(), amp.report.live_blocks.len());
            files.push(dir.write(&format!("amp/{email}-{who}.html"), &amp.html));
        }
        // Stored profiles through the CLI: `render --profile --amp` signs with the store's key.
        for profile in ["uwejaeger@webmail.example", "lemaire-dubois.lea@webmail.example"] {
            let out_file = format!("amp/{email}-{profile}.html");
            let out = dir.run(&[
                "render",
                email,
                "--profile",
                profile,
                "--out",
                &dir.arg("ignored.html"),
                "--amp",
                &dir.arg(&out_file),
            ]);
            assert_exit(&out, 0);
            let html = dir.read(&out_file);
            assert!(
                html.contains("https://live.northwind.example/feeds/"),
                "{email} for {profile}: a signed feed URL"
            );
            files.push(dir.join(&out_file));
        }
    }
    assert!(lists >= 10, "live blocks became amp-list: {lists}");
    let results = validate(&files);
    assert_eq!(results.len(), files.len());
    for (file, status, errors) in &results {
        assert_eq!(status, "PASS", "{file}: {errors:#?}");
    }
    // The validator checked these files: a broken copy of each kind fails (the check can fail).
    let valid = std::fs::read_to_string(&files[0]).expect("read");
    let broken = [
        ("img", valid.replacen("<amp-img", "<img", 1)),
        (
            "important",
            valid.replacen("<style amp-custom>", "<style amp-custom>.x{color:red !important}", 1),
        ),
        (
            "no boilerplate",
            valid.replacen("<style amp4email-boilerplate>body{visibility:hidden}</style>", "", 1),
        ),
        (
            "relative feed",
            valid.replacen("https://live.northwind.example/feeds/", "/feeds/", 1),
        ),
    ];
    let broken_files: Vec<PathBuf> = broken
        .iter()
        .map(|(name, html)| {
            assert_ne!(html, &valid, "{name}: the document was changed");
            dir.write(&format!("broken/{}.html", name.replace(' ', "-")), html)
        })
        .collect();
    for ((name, _), (file, status, errors)) in broken.iter().zip(validate(&broken_files)) {
        assert_eq!(status, "FAIL", "{name} ({file}) must be rejected");
        assert!(!errors.is_empty(), "{name}");
    }
}

#[test]
fn the_live_template_rendered_by_npm_mustache_shows_what_tessera_renders_for_each_profile() {
    let dir = workspace_with_store();
    let mut ws = Workspace::discover(Some(dir.path()), dir.path()).expect("workspace");
    let mut cases = Vec::new();
    let mut names = Vec::new();
    let mut recipients = sample_data(dir.path());
    for key in ["uwejaeger@webmail.example", "lemaire-dubois.lea@webmail.example"] {
        let stored = ws
            .stored_recipient(key, tessera_workspace::clock::now_ms())
            .expect("stored");
        recipients.push((key.to_owned(), stored.data));
    }
    for email in live_emails(&ws) {
        let entry = ws.email(&email).expect("email");
        let compiled = ws.compile(&entry).expect("compiles");
        for (block, _) in Workspace::live_blocks(&entry) {
            let template = ws.live_template(&entry, &block).expect("template");
            for (who, data) in &recipients {
                // Tessera's own render of the block for this recipient, in AMP markup.
                let mut region = String::new();
                let mut inside = false;
                let rendered = tessera_core::render::render_marked(&compiled, data, &mut |edge, html| match edge {
                    tessera_core::render::BlockEdge::Start(id) if id == block => {
                        inside = true;
                        html.push_str("<!--tsr-amp-start:x-->");
                    }
                    tessera_core::render::BlockEdge::End(id) if id == block && inside => {
                        html.push_str("<!--tsr-amp-end:x-->");
                    }
                    _ => {}
                });
                region.push_str(
                    tessera_core::amp::markup::rewrite(&rendered.html, false)
                        .regions
                        .get("x")
                        .map_or("", String::as_str),
                );
                let feed = template.feed(data);
                assert!(feed["items"].as_array().is_some_and(|i| i.len() == 1), "{feed}");
                cases.push(json!({"template": template.template, "data": feed["items"][0], "expected": region}));
                names.push(format!("{email}/{block} for {who}"));
            }
        }
    }
    assert!(cases.len() >= 30, "{} cases", cases.len());
    let answer = amp_check("mustache", &json!({"cases": cases}));
    let mut nonempty = 0;
    for (name, result) in names.iter().zip(answer.as_array().expect("a list")) {
        assert_eq!(result["actual"], result["expected"], "{name}");
        if result["expected"].as_str().is_some_and(|t| !t.is_empty()) {
            nonempty += 1;
        }
    }
    assert!(
        nonempty * 2 > names.len(),
        "most cases show something: {nonempty} of {}",
        names.len()
    );
}

#[test]
fn literal_braces_in_designer_text_never_become_mustache_tags() {
    let dir = workspace_with_store();
    let path = dir.join("emails/abandoned-cart.email.json");
    let text = std::fs::read_to_string(&path).expect("read");
    // A heading with template-looking text in the live cart block.
    let text = text.replacen("\"Still in your cart\"", "\"Still {{{cart}}} {{#x}} {\"", 1);
    std::fs::write(&path, text).expect("write");
    let mut ws = Workspace::discover(Some(dir.path()), dir.path()).expect("workspace");
    let entry = ws.email("abandoned-cart").expect("email");
    let template = ws.live_template(&entry, "cart-items").expect("template");
    let data: Value = serde_json::from_str(&dir.read("data/ada.json")).expect("JSON");
    let case = json!({"template": template.template, "data": template.feed(&data)["items"][0], "expected": ""});
    let answer = amp_check("mustache", &json!({"cases": [case]}));
    let actual = answer[0]["actual"].as_str().expect("text");
    assert!(actual.starts_with("Still {{{cart}}} {{#x}} { Switchback"), "{actual}");
    let out = dir.run(&[
        "render",
        "abandoned-cart",
        "--data",
        &dir.arg("data/ada.json"),
        "--amp",
        &dir.arg("a.html"),
        "--out",
        &dir.arg("b.html"),
    ]);
    assert_exit(&out, 0);
    assert!(
        dir.read("a.html").contains("Still {{{cart}}} {{#x}} {<"),
        "static text as written"
    );
}

/// Renders templates with an ESP's engine through `tests/esp/render.js` (the harness of the export
/// matrix): one answer per case, the rendered text or the engine's error.
fn esp_render(engine: &str, templates: &Value, cases: &[Value]) -> Vec<Result<String, String>> {
    let script = repo().join("tests/esp/render.js");
    let mut child = Command::new("node")
        .arg(&script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("node runs {}: {e}", script.display()));
    let input = json!({"engine": engine, "templates": templates, "cases": cases});
    let mut stdin = child.stdin.take().expect("stdin");
    let payload = input.to_string().into_bytes();
    let writer = std::thread::spawn(move || {
        use std::io::Write as _;
        stdin.write_all(&payload)
    });
    let out = child.wait_with_output().expect("render.js finishes");
    writer.join().expect("writer").expect("write to render.js");
    assert!(
        out.status.success(),
        "render.js {engine} failed: {} (the engines come with `npm ci` at the repository root)",
        String::from_utf8_lossy(&out.stderr)
    );
    let answers: Vec<Value> = serde_json::from_slice(&out.stdout).expect("render.js answers JSON");
    answers
        .into_iter()
        .map(|a| match (a.get("ok"), a.get("error")) {
            (Some(Value::String(s)), _) => Ok(s.clone()),
            (_, Some(e)) => Err(e.to_string()),
            _ => Err(format!("unexpected answer {a}")),
        })
        .collect()
}

/// The visible text of each document (`amp-check.mjs visible`).
fn visible(documents: &[String]) -> Vec<String> {
    let answer = amp_check("visible", &json!({ "documents": documents }));
    answer
        .as_array()
        .expect("a list")
        .iter()
        .map(|t| t.as_str().expect("text").to_owned())
        .collect()
}

#[test]
fn esp_amp_templates_rendered_by_the_esp_engines_are_valid_amp_showing_what_tessera_renders() {
    use tessera_workspace::export::Target;
    let dir = workspace_with_store();
    let mut ws = Workspace::discover(Some(dir.path()), dir.path()).expect("workspace");
    let emails = live_emails(&ws);
    assert_eq!(emails, ["abandoned-cart", "seasonal-sale"], "the demo's live emails");
    let mut recipients = sample_data(dir.path());
    for key in ["uwejaeger@webmail.example", "lemaire-dubois.lea@webmail.example"] {
        let stored = ws
            .stored_recipient(key, tessera_workspace::clock::now_ms())
            .expect("stored");
        recipients.push((key.to_owned(), stored.data));
    }
    let recipient = AmpRecipient {
        profile_id: Some(1),
        now: time::OffsetDateTime::now_utc(),
    };
    let mut files = Vec::new();
    let mut rendered_docs = Vec::new();
    let mut expected_docs = Vec::new();
    let mut names = Vec::new();
    let mut lists = 0;
    let mut broken_source = None;
    let mut broken_data = None;
    for target in [Target::Sendgrid, Target::Braze] {
        let mut templates = serde_json::Map::new();
        let mut cases = Vec::new();
        let mut expected = Vec::new();
        for email in &emails {
            let entry = ws.email(email).expect("email");
            let export = ws.export(&entry, target, None).expect("exports");
            let amp = export
                .amp
                .clone()
                .unwrap_or_else(|| panic!("{target} {email}: an AMP template ({:?})", export.manifest.amp_refused));
            assert_eq!(
                export.manifest.files.get("amp").map(String::as_str),
                Some("template.amp.html")
            );
            assert_eq!(
                export.manifest.live_feeds.len(),
                Workspace::live_blocks(&entry).len(),
                "{target} {email}: every live block's feed field is declared"
            );
            templates.insert(email.clone(), Value::String(amp.clone()));
            if target == Target::Sendgrid && broken_source.is_none() {
                broken_source = Some((email.clone(), amp));
            }
            let plan = ws.amp_plan(&entry).expect("plan");
            let live = ws.signed_live_blocks(&entry, &recipient).expect("signed");
            assert!(live.iter().all(|b| b.src.is_some()), "signed feed URLs");
            for (who, data) in &recipients {
                let own = plan.render(data, &live).expect("Tessera's AMP render");
                lists += own.report.live_blocks.len();
                expected.push(own.html);
                let esp_data = ws
                    .prepare_esp_data(&entry, &export, data, &recipient)
                    .expect("ESP data");
                if target == Target::Sendgrid && broken_data.is_none() {
                    broken_data = Some(esp_data.clone());
                }
                cases.push(json!({"template": email, "data": esp_data}));
                names.push(format!("{target} {email} for {who}"));
            }
        }
        let answers = esp_render(target.name(), &Value::Object(templates), &cases);
        assert_eq!(answers.len(), expected.len());
        for (answer, own) in answers.into_iter().zip(expected) {
            let name = &names[rendered_docs.len()];
            let html = answer.unwrap_or_else(|e| panic!("{name}: the engine refused the AMP template: {e}"));
            files.push(dir.write(&format!("esp-amp/{}.html", rendered_docs.len()), &html));
            rendered_docs.push(html);
            expected_docs.push(own);
        }
    }
    assert!(lists >= 20, "live blocks became amp-list in Tessera's renders: {lists}");
    let amp_lists: usize = rendered_docs.iter().map(|d| d.matches("<amp-list").count()).sum();
    assert_eq!(
        amp_lists, lists,
        "the ESPs' renders list the same live blocks as Tessera's"
    );
    let mut hostile = 0;
    for ((file, status, errors), name) in validate(&files).iter().zip(&names) {
        if name.ends_with("eve-hostile") {
            // Known limit: her URLs are unsafe, so the ESP writes preview's `#`, which AMP refuses
            // as a relative URL (Tessera's own render leaves such a link or picture out).
            hostile += 1;
            assert_eq!(status, "FAIL", "{name} ({file})");
            assert!(
                errors
                    .iter()
                    .all(|e| e.contains("DISALLOWED_RELATIVE_URL") && e.contains("'#'")),
                "{name}: only preview's # is refused: {errors:#?}"
            );
            continue;
        }
        assert_eq!(status, "PASS", "{name} ({file}): {errors:#?}");
    }
    assert_eq!(hostile, 4, "eve-hostile: both emails, both ESPs");
    let actual = visible(&rendered_docs);
    let wanted = visible(&expected_docs);
    for ((a, w), name) in actual.iter().zip(&wanted).zip(&names) {
        assert!(!w.is_empty(), "{name}: Tessera's render shows text");
        assert_eq!(a, w, "{name}: visible text");
    }

    // The check can fail: a template whose mustache reaches the engine unescaped, and a rendered
    // document with a forbidden <img>.
    let (email, source) = broken_source.expect("a SendGrid template");
    let unescaped = source.replace("\\{{", "{{");
    assert_ne!(unescaped, source);
    let data = broken_data.expect("ada's SendGrid data, with her feed URLs");
    let broken = esp_render(
        "sendgrid",
        &json!({ email.clone(): unescaped }),
        &[json!({"template": email, "data": data})],
    );
    let broken_text = broken
        .into_iter()
        .next()
        .expect("one answer")
        .map(|html| visible(&[html]).remove(0));
    let fine_text = esp_render(
        "sendgrid",
        &json!({ email.clone(): source }),
        &[json!({"template": email, "data": data})],
    )
    .into_iter()
    .next()
    .expect("one answer")
    .map(|html| visible(&[html]).remove(0));
    assert!(fine_text.is_ok(), "the template renders: {fine_text:?}");
    assert!(
        broken_text.is_err() || broken_text != fine_text,
        "mustache left to the engine changes the document"
    );
    let with_img = rendered_docs[0].replacen("<amp-img", "<img", 1);
    assert_ne!(with_img, rendered_docs[0]);
    let broken_file = dir.write("esp-amp/broken-img.html", &with_img);
    let result = validate(&[broken_file]);
    assert_eq!(result[0].1, "FAIL", "an <img> is rejected");
}

#[test]
fn export_target_amp_writes_the_esp_amp_templates_and_live_urls_writes_each_profiles_feed_urls() {
    let dir = workspace_with_store();
    let out = dir.run(&[
        "export",
        "abandoned-cart",
        "--target",
        "amp",
        "--out",
        &dir.arg("out"),
        "--live-urls",
        &dir.arg("live.csv"),
    ]);
    assert_exit(&out, 0);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    for target in ["amp", "sendgrid", "braze"] {
        assert!(stdout.contains(&format!("{target}: ")), "{target} listed: {stdout}");
    }
    for esp in ["sendgrid", "braze"] {
        let amp = dir.read(&format!("out/abandoned-cart/{esp}/template.amp.html"));
        assert!(amp.contains("<amp-list"), "{esp}: the live blocks are amp-lists");
        let manifest: Value =
            serde_json::from_str(&dir.read(&format!("out/abandoned-cart/{esp}/manifest.json"))).expect("manifest");
        assert_eq!(manifest["files"]["amp"], "template.amp.html");
        let feeds: Vec<&str> = manifest["live_feeds"]
            .as_array()
            .expect("live_feeds")
            .iter()
            .filter_map(|f| f["path"].as_str())
            .collect();
        assert_eq!(feeds, ["tessera_live.cart_items", "tessera_live.recommendations"]);
    }
    // The static AMP part has no per-ESP template of its own.
    assert!(!dir.join("out/abandoned-cart/amp/template.amp.html").exists());

    let csv = dir.read("live.csv");
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("email,tessera_live.cart_items,tessera_live.recommendations")
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert!(rows.len() >= 100, "every stored profile: {}", rows.len());
    let mut tokens = std::collections::BTreeSet::new();
    for row in &rows {
        assert_eq!(row.len(), 3, "{row:?}");
        assert!(row[0].contains('@'), "an email address: {row:?}");
        for (url, block) in row[1..].iter().zip(["cart-items", "recommendations"]) {
            let prefix = format!("https://live.northwind.example/feeds/abandoned-cart/{block}?t=");
            assert!(url.starts_with(&prefix), "{url}");
            assert!(!url.contains(row[0]), "no personal data in the URL: {url}");
            tokens.insert((*url).to_owned());
        }
    }
    assert_eq!(tokens.len(), rows.len() * 2, "a token per recipient and block");

    // Without an https collector address nothing is signed, and the CSV is not written.
    let config = dir
        .read("tessera.toml")
        .replace("https://live.northwind.example", "http://x.example");
    dir.write("tessera.toml", &config);
    let refused = dir.run(&[
        "export",
        "abandoned-cart",
        "--target",
        "sendgrid",
        "--out",
        &dir.arg("out2"),
        "--live-urls",
        &dir.arg("other.csv"),
    ]);
    assert_exit(&refused, 1);
    assert!(String::from_utf8_lossy(&refused.stderr).contains("[live] base_url"));
    assert!(!dir.join("other.csv").exists());
    assert!(!dir.join("out2").exists(), "nothing written");
}
