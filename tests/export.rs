//! Exports proven by engines we did not write: every demo email is exported to every templating
//! target, the export is rendered by that target's engine (npm `liquidjs` for Liquid and Braze, npm
//! `handlebars` with SendGrid's helpers for SendGrid, run by `tests/esp/render.js`; for Mailchimp
//! the merge-tag evaluator of `tests/support/mailchimp.rs`, written from Mailchimp's documentation;
//! for AMPscript the evaluator of `tests/support/ampscript.rs`, written from Salesforce's guide)
//! for a matrix of recipients, and the result must equal Tessera's own
//! preview: HTML compared structurally (`tests/support/html_compare.rs`), text, subject and
//! preheader with whitespace runs collapsed.
//!
//! The matrix: the sample recipients, the 20 batch recipients, and for every field of the data
//! dictionary each hostile or edge value (absent, null, "", " ", 0, false, long text, HTML
//! specials, every ESP's template syntax, unsafe URLs), lists absent, null, empty, with one item and
//! with 13. Node and the harness's packages are required: `scripts/test.sh` installs them; without
//! them this test fails, it does not skip.

#[path = "support/ampscript.rs"]
mod ampscript;
#[path = "support/html_compare.rs"]
mod html_compare;
#[path = "support/mailchimp.rs"]
mod mailchimp;

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use serde_json::{json, Value};
use tessera_core::export::contract::prepare_data;
use tessera_core::export::{Export, Target};
use tessera_workspace::Workspace;

fn harness() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/esp")
}

/// Renders `cases` (template name, data) with the independent engine.
fn engine_render(
    engine: &str,
    templates: &BTreeMap<&str, &str>,
    cases: &[(&str, Value)],
) -> Vec<Result<String, String>> {
    if engine == "mailchimp" {
        return cases
            .iter()
            .map(|(t, data)| mailchimp::render(templates.get(t).copied().unwrap_or_default(), data))
            .collect();
    }
    if engine == "ampscript" {
        return cases
            .iter()
            .map(|(t, data)| ampscript::render(templates.get(t).copied().unwrap_or_default(), data))
            .collect();
    }
    let input = json!({
        "engine": engine,
        "templates": templates,
        "cases": cases.iter().map(|(t, d)| json!({"template": t, "data": d})).collect::<Vec<_>>(),
    });
    let dir = harness();
    let mut command = match engine {
        "klaviyo" | "hubl" => {
            let mut c = Command::new(esp_python());
            c.arg(dir.join("render.py"));
            c
        }
        "velocity" => {
            let mut c = Command::new("java");
            c.arg("-cp").arg(velocity_classpath()).arg("Render");
            c
        }
        _ => {
            // tests/esp is an npm workspace of the repository's package.json: its packages are
            // hoisted to the root's node_modules, where Node finds them from render.js by walking up.
            let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
            assert!(
                [dir.as_path(), root.as_path()]
                    .iter()
                    .any(|d| ["liquidjs", "handlebars", "velocityjs"]
                        .iter()
                        .all(|p| d.join("node_modules").join(p).is_dir())),
                "the ESP engines are not installed: run scripts/test.sh (or `npm ci` in {})",
                root.display()
            );
            let mut c = Command::new("node");
            c.arg(dir.join("render.js"));
            c
        }
    };
    run_harness(&mut command, &input)
}

/// Runs one harness process: `input` as JSON on stdin, one JSON answer per case on stdout.
fn run_harness(command: &mut Command, input: &Value) -> Vec<Result<String, String>> {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{command:?} runs (scripts/esp-engines.sh installs the ESP engines): {e}"));
    let mut stdin = child.stdin.take().expect("stdin");
    let payload = serde_json::to_vec(input).expect("json");
    let writer = std::thread::spawn(move || stdin.write_all(&payload));
    let out = child.wait_with_output().expect("the harness finishes");
    writer.join().expect("writer").expect("write to the harness");
    assert!(
        out.status.success(),
        "{command:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let results: Vec<Value> = serde_json::from_slice(&out.stdout).expect("harness prints JSON");
    results
        .into_iter()
        .map(|r| match (r.get("ok"), r.get("error")) {
            (Some(Value::String(s)), _) => Ok(s.clone()),
            (_, Some(e)) => Err(e.to_string()),
            _ => Err(format!("unexpected harness answer {r}")),
        })
        .collect()
}

/// The build folder (`CARGO_TARGET_DIR`), found from this test binary's place in it
/// (`<target>/debug/deps/export-...`): the ESP engines that are not npm packages live there.
fn build_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    exe.ancestors()
        .nth(3)
        .map(PathBuf::from)
        .expect("the test binary sits in <target>/<profile>/deps")
}

/// The Python of the virtual environment scripts/esp-engines.sh makes (Django and Jinja2 pinned by
/// tests/esp/requirements.txt), or `TESSERA_ESP_PYTHON`.
fn esp_python() -> PathBuf {
    let python =
        std::env::var_os("TESSERA_ESP_PYTHON").map_or_else(|| build_dir().join("esp-venv/bin/python3"), PathBuf::from);
    assert!(
        python.is_file(),
        "{} is missing: run scripts/esp-engines.sh (scripts/test.sh does), which installs Django and Jinja2",
        python.display()
    );
    python
}

/// Debian's Apache Velocity 1.7 and Velocity Tools 2.0 (packages `velocity`, `libvelocity-tools-java`).
const VELOCITY_JARS: [&str; 4] = [
    "/usr/share/java/velocity.jar",
    "/usr/share/java/commons-collections3.jar",
    "/usr/share/java/commons-lang.jar",
    "/usr/share/java/velocity-tools.jar",
];

/// The class path of tests/esp/velocity/Render.java, compiled once per test run with javac.
fn velocity_classpath() -> String {
    static CLASSES: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    let jars = VELOCITY_JARS.join(":");
    let classes = CLASSES.get_or_init(|| {
        for jar in VELOCITY_JARS {
            assert!(
                std::path::Path::new(jar).is_file(),
                "{jar} is missing: run scripts/esp-engines.sh (scripts/test.sh does), which installs Debian's velocity and libvelocity-tools-java"
            );
        }
        let out = build_dir().join("esp-java");
        std::fs::create_dir_all(&out).expect("a folder for the Velocity harness");
        let status = Command::new("javac")
            .args(["-encoding", "UTF-8", "-cp", &jars, "-d"])
            .arg(&out)
            .arg(harness().join("velocity/Render.java"))
            .status()
            .expect("javac runs (scripts/esp-engines.sh installs default-jdk-headless)");
        assert!(status.success(), "javac compiles tests/esp/velocity/Render.java");
        out
    });
    format!("{}:{jars}", classes.display())
}

/// Every target whose export is a template an ESP renders (all but static `html`).
const TEMPLATING: [Target; 10] = [
    Target::Liquid,
    Target::Braze,
    Target::Sendgrid,
    Target::Mailchimp,
    Target::Ampscript,
    Target::Velocity,
    Target::Klaviyo,
    Target::Hubl,
    Target::Iterable,
    Target::Customerio,
];

/// The engines that render a target's export in these tests: its own, and for Velocity also
/// velocityjs.
fn engines(target: Target) -> Vec<&'static str> {
    match target {
        Target::Velocity => vec!["velocity", "velocityjs"],
        other => vec![other.name()],
    }
}

fn set(data: &mut Value, segs: &[&str], value: Option<Value>) {
    let Some((last, parents)) = segs.split_last() else {
        return;
    };
    let mut v = data;
    for seg in parents {
        if !v.get(*seg).is_some_and(Value::is_object) {
            if let Value::Object(map) = v {
                map.insert((*seg).to_owned(), json!({}));
            } else {
                return;
            }
        }
        v = v.get_mut(*seg).expect("just made");
    }
    if let Value::Object(map) = v {
        match value {
            Some(x) => map.insert((*last).to_owned(), x),
            None => map.remove(*last),
        };
    }
}

fn hostile_scalars() -> Vec<(&'static str, Option<Value>)> {
    vec![
        ("absent", None),
        ("null", Some(Value::Null)),
        ("empty", Some(json!(""))),
        ("space", Some(json!(" "))),
        ("zero", Some(json!(0))),
        ("false", Some(json!(false))),
        ("long", Some(json!("Ådalsvägen ".repeat(40)))),
        ("html", Some(json!("<b>Tom & \"Jerry\"</b> 'x' `y` a=b {z}"))),
        (
            "syntax",
            Some(json!(
                "{{7*7}} {{{x}}} {% raw %}{% endraw %} *|FNAME|* %%=v(@x)=%% %%[SET @a=1]%% ${x} {{> p}}"
            )),
        ),
        ("js-url", Some(json!(" JavaScript:alert(1)"))),
        ("number-text", Some(json!("1200"))),
        ("big", Some(json!(1500))),
    ]
}

/// The recipients of the matrix, named.
fn matrix(ws: &Workspace) -> Vec<(String, Value)> {
    let mut out: Vec<(String, Value)> = ws.samples().expect("samples");
    let batch =
        std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo/data/recipients.jsonl"))
            .expect("recipients.jsonl");
    for (i, line) in batch.lines().enumerate() {
        out.push((
            format!("recipients.jsonl:{}", i + 1),
            serde_json::from_str(line).expect("JSON line"),
        ));
    }
    let base = out
        .iter()
        .find(|(n, _)| n.contains("ada"))
        .map(|(_, d)| d.clone())
        .expect("ada.json");
    for field in ws.dictionary.iter() {
        let path = field.path.as_str();
        if let Some((list, item_field)) = path.split_once("[].") {
            for (label, value) in hostile_scalars() {
                let mut d = base.clone();
                let segs: Vec<&str> = list.split('.').collect();
                let mut v = &mut d;
                for s in &segs {
                    v = v.get_mut(*s).expect("the base recipient has every list");
                }
                if let Value::Array(items) = v {
                    for item in items {
                        set(item, &[item_field], value.clone());
                    }
                }
                out.push((format!("{path}={label}"), d));
            }
        } else if field.field_type == "list" {
            let segs: Vec<&str> = path.split('.').collect();
            let first = base
                .pointer(&format!("/{}", segs.join("/")))
                .and_then(|l| l.get(0))
                .cloned();
            let mut cases = vec![
                ("absent", None),
                ("null", Some(Value::Null)),
                ("empty", Some(json!([]))),
            ];
            if let Some(item) = first {
                cases.push(("one", Some(json!([item.clone()]))));
                cases.push(("thirteen", Some(Value::Array(vec![item; 13]))));
            }
            for (label, value) in cases {
                let mut d = base.clone();
                set(&mut d, &segs, value);
                out.push((format!("{path}={label}"), d));
            }
        } else {
            for (label, value) in hostile_scalars() {
                let mut d = base.clone();
                set(&mut d, &path.split('.').collect::<Vec<_>>(), value);
                out.push((format!("{path}={label}"), d));
            }
        }
    }
    for (label, segments) in [
        ("absent", None),
        ("empty", Some(json!([]))),
        ("not-vip", Some(json!(["engaged"]))),
        ("hostile", Some(json!(["{{7*7}}", "<vip>", "vip "]))),
    ] {
        let mut d = base.clone();
        set(&mut d, &["segments"], segments);
        out.push((format!("segments={label}"), d));
    }
    out.push(("empty context".to_owned(), json!({})));
    out
}

fn words(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Exports every demo email to `target`, renders each export for every recipient of the matrix with
/// the target's independent engine and returns the number of round trips and the mismatches.
fn round_trips(target: Target, engine: &str) -> (usize, Vec<String>) {
    let mut ws = Workspace::demo().expect("demo workspace");
    let (total, failures, refused) = round_trips_in(&mut ws, target, engine);
    assert!(refused.is_empty(), "{refused:?}");
    (total, failures)
}

/// A preview as the export names assets: each `assets/<name>` under the workspace's
/// `[assets] base_url` (the export's one departure from preview, `docs/assets.md`).
fn hosted(ws: &Workspace, mut preview: tessera_core::Rendered) -> tessera_core::Rendered {
    if let Some(base) = ws.config.assets.base_url.as_deref() {
        preview.html = tessera_core::assets::rewrite_asset_urls(&preview.html, |name| {
            Some(tessera_core::assets::join_base_url(base, name))
        })
        .0;
    }
    preview
}

/// The round trips of every email of `ws`; emails the target refuses for their loops (Mailchimp)
/// are returned with the refusal instead.
fn round_trips_in(ws: &mut Workspace, target: Target, engine: &str) -> (usize, Vec<String>, Vec<(String, String)>) {
    let recipients = matrix(ws);
    let mut total = 0usize;
    let mut failures = Vec::new();
    let mut refused = Vec::new();
    for email in ws.email_names() {
        let entry = ws.email(&email).expect("email");
        let compiled = ws.compile(&entry).expect("compiles");
        let export: Export = match ws.export(&entry, target, None) {
            Ok(export) => export,
            Err(e) if target == Target::Mailchimp && e.to_string().contains("have no loops") => {
                refused.push((email.clone(), e.to_string()));
                continue;
            }
            Err(e) => panic!("{email} → {target}: {e}"),
        };
        let templates: BTreeMap<&str, &str> = [
            ("html", export.html.as_str()),
            ("text", export.text.as_str()),
            ("subject", export.manifest.subject.as_str()),
            ("preheader", export.manifest.preheader.as_str()),
        ]
        .into_iter()
        .collect();
        let mut cases = Vec::new();
        for (_, data) in &recipients {
            let prepared = prepare_data(&export.manifest, data);
            for part in ["html", "text", "subject", "preheader"] {
                cases.push((part, prepared.clone()));
            }
        }
        let results = engine_render(engine, &templates, &cases);
        for (i, (name, data)) in recipients.iter().enumerate() {
            let preview = hosted(ws, tessera_core::render(&compiled, data));
            total += 1;
            let got = &results[i * 4..i * 4 + 4];
            let mut problems = Vec::new();
            match &got[0] {
                Ok(html) => {
                    if let Some(diff) = html_compare::difference(&preview.html, html) {
                        problems.push(format!("html: {diff}"));
                    }
                }
                Err(e) => problems.push(format!("html: engine error {e}")),
            }
            for (part, expected, got) in [
                ("text", &preview.text, &got[1]),
                ("subject", &preview.subject, &got[2]),
                ("preheader", &preview.preheader, &got[3]),
            ] {
                match got {
                    Ok(s) if words(s) == words(expected) => {}
                    Ok(s) => problems.push(format!(
                        "{part}: expected {:?}\n      got {:?}",
                        first_difference(&words(expected), &words(s)).0,
                        first_difference(&words(expected), &words(s)).1
                    )),
                    Err(e) => problems.push(format!("{part}: engine error {e}")),
                }
            }
            if !problems.is_empty() {
                failures.push(format!(
                    "{email} → {target}, recipient {name}:\n    {}",
                    problems.join("\n    ")
                ));
            }
        }
    }
    (total, failures, refused)
}

fn assert_round_trips(targets: &[Target], engine: &str) {
    assert_round_trips_through(targets, None, engine);
}

/// Round trips of `targets` through the engine `harness_engine` (default: the target's own).
fn assert_round_trips_through(targets: &[Target], harness_engine: Option<&str>, engine: &str) {
    let mut total = 0;
    let mut failures = Vec::new();
    for target in targets {
        let (n, mut f) = round_trips(*target, harness_engine.unwrap_or(target.name()));
        println!(
            "{target}: {} of {n} round trips through {engine} equal preview",
            n - f.len()
        );
        total += n;
        failures.append(&mut f);
    }
    assert!(total > 0, "no round trip ran");
    assert!(
        failures.is_empty(),
        "{} of {total} round trips differ from preview; the first ones:\n{}",
        failures.len(),
        failures.iter().take(8).cloned().collect::<Vec<_>>().join("\n")
    );
}

#[test]
fn liquid_and_braze_exports_render_as_preview_in_liquidjs() {
    assert_round_trips(&[Target::Liquid, Target::Braze], "liquidjs");
}

#[test]
fn sendgrid_exports_render_as_preview_in_handlebars_with_sendgrids_helpers() {
    assert_round_trips(&[Target::Sendgrid], "handlebars");
}

#[test]
fn ampscript_exports_render_as_preview_in_an_ampscript_evaluator() {
    assert_round_trips(&[Target::Ampscript], "the AMPscript evaluator");
}

#[test]
fn velocity_exports_render_as_preview_in_apache_velocity() {
    assert_round_trips(&[Target::Velocity], "Apache Velocity 1.7 with EscapeTool");
}

#[test]
fn velocity_exports_render_as_preview_in_velocityjs() {
    assert_round_trips_through(&[Target::Velocity], Some("velocityjs"), "velocityjs");
}

#[test]
fn klaviyo_exports_render_as_preview_in_djangos_template_engine() {
    assert_round_trips(&[Target::Klaviyo], "Django's template engine");
}

#[test]
fn hubl_exports_render_as_preview_in_jinja2_with_hubls_filters() {
    assert_round_trips(&[Target::Hubl], "Jinja2 with HubL's filters");
}

#[test]
fn iterable_exports_render_as_preview_in_handlebars_with_iterables_helpers() {
    assert_round_trips(&[Target::Iterable], "handlebars with Iterable's helpers");
}

#[test]
fn customerio_exports_render_as_preview_in_liquidjs() {
    assert_round_trips(&[Target::Customerio], "liquidjs");
}

/// Copies the demo workspace (without its store) into `dir`, with every list block (the
/// `product-grid` blocks, which loop) removed from every email.
fn demo_without_loops(dir: &std::path::Path) {
    fn copy(from: &std::path::Path, to: &std::path::Path) {
        std::fs::create_dir_all(to).expect("mkdir");
        for entry in std::fs::read_dir(from).expect("read_dir") {
            let entry = entry.expect("entry");
            let target = to.join(entry.file_name());
            if entry.file_type().expect("type").is_dir() {
                copy(&entry.path(), &target);
            } else {
                std::fs::copy(entry.path(), &target).expect("copy");
            }
        }
    }
    let demo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo");
    for part in ["blocks", "data", "emails"] {
        copy(&demo.join(part), &dir.join(part));
    }
    std::fs::copy(demo.join("tessera.toml"), dir.join("tessera.toml")).expect("copy");
    for entry in std::fs::read_dir(dir.join("emails")).expect("emails") {
        let path = entry.expect("entry").path();
        let mut email: Value = serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("JSON");
        if let Some(Value::Array(blocks)) = email.get_mut("blocks") {
            blocks.retain(|b| b["type"] != "product-grid");
        }
        std::fs::write(&path, email.to_string()).expect("write");
    }
}

#[test]
fn mailchimp_exports_render_as_preview_in_a_merge_tag_evaluator_and_loops_are_refused() {
    // The demo emails as they are: those with list blocks are refused naming the block and loop.
    let mut ws = Workspace::demo().expect("demo workspace");
    let (demo_total, mut failures, refused) = round_trips_in(&mut ws, Target::Mailchimp, "mailchimp");
    let refused_emails: Vec<&str> = refused.iter().map(|(e, _)| e.as_str()).collect();
    assert_eq!(refused_emails, ["abandoned-cart", "seasonal-sale"]);
    common::assert_mentions(
        &refused[0].1,
        &[
            "mailchimp: block \"cart-items\"",
            "{{#each @root.cart.items limit=6}}",
            "no loops",
        ],
    );
    common::assert_mentions(
        &refused[1].1,
        &[
            "mailchimp: block \"picks\"",
            "{{#each @root.recommendations",
            "no loops",
        ],
    );
    assert!(demo_total > 0, "welcome is expressible");
    // Every demo email with its list blocks removed: conditions, segments, money, URLs, fallbacks.
    let dir = tempfile::tempdir().expect("temporary folder");
    demo_without_loops(dir.path());
    let mut ws = Workspace::open(dir.path()).expect("workspace");
    let (loop_free_total, mut more, refused) = round_trips_in(&mut ws, Target::Mailchimp, "mailchimp");
    assert!(refused.is_empty(), "{refused:?}");
    failures.append(&mut more);
    let total = demo_total + loop_free_total;
    println!(
        "mailchimp: {} of {total} round trips through the merge-tag evaluator equal preview ({demo_total} demo, {loop_free_total} loop-free demo variants)",
        total - failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {total} round trips differ from preview; the first ones:\n{}",
        failures.len(),
        failures.iter().take(8).cloned().collect::<Vec<_>>().join("\n")
    );
}

/// The two strings around their first difference.
fn first_difference(a: &str, b: &str) -> (String, String) {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let i = a
        .iter()
        .zip(&b)
        .position(|(x, y)| x != y)
        .unwrap_or(a.len().min(b.len()));
    let cut = |s: &[char]| {
        s[i.saturating_sub(60).min(s.len())..(i + 80).min(s.len())]
            .iter()
            .collect()
    };
    (cut(&a), cut(&b))
}

#[test]
fn static_html_export_is_the_preview_with_every_delimiter_broken() {
    let mut ws = Workspace::demo().expect("demo workspace");
    for email in ws.email_names() {
        let entry = ws.email(&email).expect("email");
        let compiled = ws.compile(&entry).expect("compiles");
        for (name, data) in ws.samples().expect("samples") {
            let export = ws.export(&entry, Target::Html, Some(&data)).expect("exports");
            let preview = hosted(&ws, tessera_core::render(&compiled, &data));
            if let Some(diff) = html_compare::difference(&preview.html, &export.html) {
                panic!("{email} for {name}: {diff}");
            }
            assert_eq!(export.text, preview.text);
            assert_eq!(export.manifest.subject, preview.subject);
            let body = export.html.split("</style>").last().expect("a body");
            for delimiter in ["{{", "{%", "%%[", "%%=", "*|", "${"] {
                assert!(
                    !body.contains(delimiter),
                    "{email} for {name}: {delimiter} in the static HTML"
                );
            }
        }
    }
}

mod common;

/// An email whose design text looks like every ESP's syntax, and whose button links to a URL with a
/// recipient value inside it.
fn hostile_email(url: &str) -> String {
    json!({
        "schema_version": 1,
        "name": "Hostile literals",
        "subject": "{% raw %} *|FNAME|* ${x} for {{default profile.first_name \"you\"}}",
        "preheader": "%%=v(@x)=%% %%[SET @a=1]%% {{7*7}}",
        "settings": {},
        "blocks": [
            {"id": "intro", "type": "text", "fields": {
                "heading": "{{7*7}} {% endraw %} {%- raw -%} ${first_name} *|IF:X|* {",
                "body": "<p>%%[ IF 1 THEN ]%% %%=v(@x)=%% {{{x}}} {{> p}} \\{{x}} $ {</p><p>Hi {{default profile.first_name \"there\"}}</p>"
            }},
            {"id": "cta", "type": "button", "fields": {"label": "Go", "url": url}}
        ]
    })
    .to_string()
}

#[test]
fn literal_design_text_that_looks_like_template_syntax_prints_as_written() {
    let dir = common::Dir::workspace();
    dir.write(
        "emails/hostile.email.json",
        &hostile_email("https://northwind.example/go"),
    );
    let mut ws = Workspace::open(dir.path()).expect("workspace");
    let entry = ws.email("hostile").expect("email");
    let compiled = ws.compile(&entry).expect("compiles");
    for target in TEMPLATING {
        let export = ws.export(&entry, target, None).expect("exports");
        let templates: BTreeMap<&str, &str> = [
            ("html", export.html.as_str()),
            ("text", export.text.as_str()),
            ("subject", export.manifest.subject.as_str()),
            ("preheader", export.manifest.preheader.as_str()),
        ]
        .into_iter()
        .collect();
        for data in [json!({}), json!({"profile": {"first_name": "{% raw %}{{x}}"}})] {
            let preview = hosted(&ws, tessera_core::render(&compiled, &data));
            let prepared = prepare_data(&export.manifest, &data);
            let cases: Vec<(&str, Value)> = ["html", "text", "subject", "preheader"]
                .into_iter()
                .map(|t| (t, prepared.clone()))
                .collect();
            for engine in engines(target) {
                let got = engine_render(engine, &templates, &cases);
                let html = got[0].as_ref().expect("renders");
                assert_eq!(
                    html_compare::difference(&preview.html, html),
                    None,
                    "{target} in {engine}"
                );
                assert!(preview.text.contains("{% endraw %}") && preview.text.contains("*|IF:X|*"));
                assert_eq!(words(got[1].as_ref().expect("text")), words(&preview.text), "{target}");
                assert_eq!(got[2].as_ref().expect("subject"), &preview.subject, "{target}");
                assert_eq!(got[3].as_ref().expect("preheader"), &preview.preheader, "{target}");
            }
        }
        if target == Target::Velocity {
            // Every literal holding `$` or `#` is an unparsed block: no `${x}`, `#if` or `$!` of the
            // design text is live outside one.
            for part in [&export.html, &export.text, &export.manifest.subject] {
                let live: String = part
                    .split("#[[")
                    .map(|p| p.split_once("]]#").map_or(p, |(_, after)| after))
                    .collect();
                for delimiter in ["${x}", "${first_name}", "\\{{x}}"] {
                    assert!(!live.contains(delimiter), "{target}: {delimiter} left live in {part}");
                }
            }
            assert!(
                export.manifest.subject.contains("#[[{% raw %} *|FNAME|* ${x} for ]]#"),
                "{}",
                export.manifest.subject
            );
            continue;
        }
        if matches!(target, Target::Sendgrid | Target::Iterable) {
            // Handlebars reads `\{{` as literal braces: every `{{` of the design text is escaped.
            for part in [&export.html, &export.text, &export.manifest.subject] {
                for (at, _) in part.match_indices("{{7") {
                    assert!(part[..at].ends_with('\\'), "{target}: {{{{7 left live in {part}");
                }
            }
            assert!(export.text.contains("\\{{7*7}}"), "{target}: the literal is escaped");
            continue;
        }
        if target == Target::Ampscript {
            // No two `%` of the design text stay together: no AMPscript delimiter is left live.
            for part in [
                &export.html,
                &export.text,
                &export.manifest.subject,
                &export.manifest.preheader,
            ] {
                for live in ["%%[ IF 1", "%%=v(@x)=%%", "%%[SET @a=1]%%", "]%% %%=", "1]%%"] {
                    assert!(!part.contains(live), "{target}: {live} left live in {part}");
                }
            }
            assert!(export
                .manifest
                .preheader
                .contains("%%=Concat(\"%\",\"%\",\"=\")=%%v(@x)%%=Concat(\"=\",\"%\",\"%\")=%%"));
            continue;
        }
        if target == Target::Mailchimp {
            // Every `*|` of the design text prints its `|` through the LIT_PIPE merge field.
            for part in [&export.html, &export.text, &export.manifest.subject] {
                for live in ["} *|FNAME|*", "*|IF:X|*"] {
                    assert!(!part.contains(live), "{target}: {live} left live in {part}");
                }
            }
            assert!(export.manifest.subject.contains("**|HTML:LIT_PIPE|*FNAME|*"));
            assert!(export.manifest.fields.iter().any(|f| f.esp_name == "LIT_PIPE"));
            continue;
        }
        for delimiter in ["{{7", "{% endraw", "{%- raw", "{% raw %} *"] {
            assert!(!export.html.contains(delimiter), "{target}: {delimiter} left live");
            assert!(
                !export.text.contains(delimiter),
                "{target}: {delimiter} left live in text"
            );
        }
        if target == Target::Braze {
            // The literal `${first_name}` of the heading is broken up; the placeholder reads the attribute.
            assert!(!export.html.contains("${x}") && !export.manifest.subject.contains("${x}"));
            assert!(export.html.contains("{{ \"$\" }}{first_name}"));
            assert!(export.html.contains("{{ ${first_name} | escape }}"));
        }
    }
}

/// Literal text built from every target's delimiter characters, and the letters around them.
fn literal_text() -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    let pieces = prop::sample::select(vec![
        "{", "}", "{{", "}}", "{%", "%}", "%", "%%", "[", "]", "=", "*", "|", "*|", "|*", "$", "${", "\\", "<", ">",
        "&", "\"", "'", " ", "raw", "endraw", "IF:", "v(@x)", "a", "Z", "7", "-",
    ]);
    prop::collection::vec(pieces, 1..12).prop_map(|p| p.concat())
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 12, ..Default::default() })]

    /// For any literal design text, every templating target's export rendered with empty data by
    /// its independent engine prints what preview prints.
    #[test]
    fn any_literal_text_exports_to_itself(texts in proptest::collection::vec(literal_text(), 12)) {
        let dir = common::Dir::workspace();
        let mut blocks: Vec<Value> = texts
            .iter()
            .enumerate()
            .map(|(i, t)| json!({"id": format!("t{i}"), "type": "text", "fields": {"heading": t, "body": "<p>x</p>"}}))
            .collect();
        let (mut subject, mut preheader) = (texts[0].clone(), texts[1].clone());
        // A malformed tag (`{{ "x`) is refused by `check`, not printed: such texts are left out.
        let (mut ws, entry, compiled) = loop {
            let email = json!({
                "schema_version": 1, "name": "Literals", "subject": subject, "preheader": preheader,
                "settings": {}, "blocks": blocks,
            });
            dir.write("emails/literals.email.json", &email.to_string());
            let mut ws = Workspace::open(dir.path()).expect("workspace");
            let entry = ws.email("literals").expect("email");
            match ws.compile(&entry) {
                Ok(compiled) => break (ws, entry, compiled),
                Err(tessera_workspace::WorkspaceError::Invalid { diagnostics, .. }) => {
                    for d in diagnostics {
                        match (d.block.as_deref(), d.field.as_deref()) {
                            (Some(id), _) => blocks.retain(|b| b["id"] != id),
                            (None, Some("preheader")) => preheader = "x".into(),
                            _ => subject = "x".into(),
                        }
                    }
                }
                Err(e) => panic!("{e}"),
            }
        };
        let preview = hosted(&ws, tessera_core::render(&compiled, &json!({})));
        for target in TEMPLATING {
            let export = ws.export(&entry, target, None).expect("exports");
            let templates: BTreeMap<&str, &str> = [
                ("html", export.html.as_str()),
                ("subject", export.manifest.subject.as_str()),
                ("preheader", export.manifest.preheader.as_str()),
            ]
            .into_iter()
            .collect();
            let prepared = prepare_data(&export.manifest, &json!({}));
            let cases: Vec<(&str, Value)> =
                ["html", "subject", "preheader"].into_iter().map(|t| (t, prepared.clone())).collect();
            for engine in engines(target) {
                let got = engine_render(engine, &templates, &cases);
                let html = got[0].as_ref().map_err(|e| proptest::test_runner::TestCaseError::fail(format!("{target} in {engine}: {e}")))?;
                proptest::prop_assert_eq!(html_compare::difference(&preview.html, html), None, "{} in {}", target, engine);
                // Subjects and preheaders compare with whitespace runs collapsed, as in the round
                // trips: preview folds them to one line after rendering, an ESP sends them as rendered.
                let line = |r: &Result<String, String>| r.clone().map(|s| words(&s));
                proptest::prop_assert_eq!(line(&got[1]), Ok(words(&preview.subject)), "{} in {}", target, engine);
                proptest::prop_assert_eq!(line(&got[2]), Ok(words(&preview.preheader)), "{} in {}", target, engine);
            }
        }
    }
}

#[test]
fn a_value_inside_a_url_is_refused_naming_the_block_and_expression() {
    let dir = common::Dir::workspace();
    dir.write(
        "emails/hostile.email.json",
        &hostile_email("https://northwind.example/go?e={{profile.email}}"),
    );
    let mut ws = Workspace::open(dir.path()).expect("workspace");
    let entry = ws.email("hostile").expect("email");
    for target in [Target::Liquid, Target::Braze, Target::Customerio] {
        let err = ws.export(&entry, target, None).expect_err("refused").to_string();
        common::assert_mentions(
            &err,
            &[target.name(), "block \"cta\"", "{{profile.email}}", "url_encode"],
        );
    }
    for target in [
        Target::Sendgrid,
        Target::Mailchimp,
        Target::Ampscript,
        Target::Velocity,
        Target::Klaviyo,
        Target::Hubl,
        Target::Iterable,
    ] {
        let err = ws.export(&entry, target, None).expect_err("refused").to_string();
        common::assert_mentions(
            &err,
            &[target.name(), "block \"cta\"", "{{profile.email}}", "percent-encodes"],
        );
    }
    assert!(
        ws.export(&entry, Target::Html, None).is_ok(),
        "static HTML can hold anything"
    );

    let out = dir.run(&["export", "hostile", "--all-targets", "--out", "x"]);
    common::assert_exit(&out, 1);
    common::assert_mentions(&common::stderr(&out), &["block \"cta\"", "{{profile.email}}"]);
    // The targets that can express the email are still written; each refusal is reported.
    let refused_targets: Vec<&str> = TEMPLATING.iter().map(|t| t.name()).collect();
    let refusals: Vec<String> = refused_targets.iter().map(|t| format!("{t}:")).collect();
    common::assert_mentions(
        &common::stderr(&out),
        &refusals.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    common::assert_mentions(&common::stdout(&out), &["html:"]);
    assert!(dir.join("x/hostile/html/template.html").is_file());
    for refused in refused_targets {
        assert!(!dir.join(&format!("x/hostile/{refused}")).exists(), "{refused}");
    }
}

#[test]
fn cli_writes_the_three_files_byte_identical_every_time() {
    let dir = common::Dir::new();
    let first = dir.run(&["export", "seasonal-sale", "--target", "liquid", "--out", "a"]);
    common::assert_exit(&first, 0);
    common::assert_mentions(&common::stdout(&first), &["liquid:", "seasonal-sale"]);
    let again = dir.run(&["export", "seasonal-sale", "--target", "liquid", "--out", "b"]);
    common::assert_exit(&again, 0);
    for file in ["template.html", "template.txt", "manifest.json"] {
        let a = std::fs::read(dir.join(&format!("a/seasonal-sale/liquid/{file}"))).expect("written");
        let b = std::fs::read(dir.join(&format!("b/seasonal-sale/liquid/{file}"))).expect("written");
        assert!(!a.is_empty(), "{file} is empty");
        assert_eq!(a, b, "{file} differs between two exports");
    }
    let manifest = dir.read("a/seasonal-sale/liquid/manifest.json");
    let keys: Vec<usize> = [
        "\"target\"",
        "\"email\"",
        "\"source_version\"",
        "\"content_hash\"",
        "\"fields\"",
    ]
    .iter()
    .map(|k| manifest.find(k).unwrap_or_else(|| panic!("{k} in the manifest")))
    .collect();
    assert!(keys.windows(2).all(|w| w[0] < w[1]), "stable key order: {keys:?}");
    let parsed: Value = serde_json::from_str(&manifest).expect("JSON");
    let fields = parsed["fields"].as_array().expect("fields");
    let first_name = fields
        .iter()
        .find(|f| f["path"] == "profile.first_name")
        .expect("first name");
    assert_eq!(first_name["type"], "text");
    assert!(first_name["fallbacks"]
        .as_array()
        .expect("list")
        .contains(&json!("friend")));
    let total = fields
        .iter()
        .find(|f| f["path"] == "cart.total_currency")
        .expect("derived total");
    assert_eq!(total["derived"], true);
    assert_eq!(total["fallbacks"], json!(["a few things"]));

    let all = dir.run(&["export", "welcome", "--all-targets", "--out", "c"]);
    common::assert_exit(&all, 0);
    for target in Target::ALL {
        assert!(
            dir.join(&format!("c/welcome/{}/manifest.json", target.name()))
                .is_file(),
            "{target}"
        );
    }
}

#[test]
fn cli_refuses_an_unknown_target_and_a_missing_one() {
    let dir = common::Dir::new();
    let out = dir.run(&["export", "welcome", "--target", "mjml"]);
    common::assert_exit(&out, 1);
    common::assert_mentions(
        &common::stderr(&out),
        &[
            "unknown export target \"mjml\"",
            "liquid, braze, sendgrid, mailchimp, ampscript, velocity, klaviyo, hubl, iterable, customerio, html, amp",
        ],
    );
    assert!(!dir.join("exports").exists());
    let out = dir.run(&["export", "welcome"]);
    assert_ne!(out.status.code(), Some(0));
    common::assert_mentions(&common::stderr(&out), &["--target"]);
    let out = dir.run(&["export", "nope", "--target", "liquid"]);
    common::assert_exit(&out, 1);
    common::assert_mentions(&common::stderr(&out), &["no email \"nope\""]);
}

#[test]
fn ampscript_export_reads_attributes_at_the_top_loops_over_json_rows_and_is_deterministic() {
    let mut ws = Workspace::demo().expect("demo workspace");
    let entry = ws.email("seasonal-sale").expect("email");
    let export = ws.export(&entry, Target::Ampscript, None).expect("exports");
    let again = ws.export(&entry, Target::Ampscript, None).expect("exports");
    assert_eq!(export.files().expect("files"), again.files().expect("files"));
    assert!(export
        .html
        .starts_with("%%[\nSET @bestsellers = AttributeValue(\"bestsellers\")\n"));
    for expected in [
        "BuildRowsetFromJSON(@recommendations, \"$.items[*]\", 1)",
        "IF (@tsr_n1 > 4) THEN SET @tsr_n1 = 4 ENDIF",
        "FOR @tsr_i1 = 1 TO @tsr_n1 DO SET @tsr_row1 = Row(@tsr_rows1, @tsr_i1) ]%%",
        "NEXT @tsr_i1 ]%%",
        "%%=IIF(Empty(@profile_first_name), \"friend\", Replace(Replace(Replace(Replace(Replace(@profile_first_name, \"&\", \"&amp;\")",
        "%%[ IF (NOT Empty(@cond_1)) THEN ]%%",
    ] {
        assert!(export.html.contains(expected), "{expected} in the AMPscript HTML");
    }
    // The subject reads only what it prints.
    assert!(export
        .manifest
        .subject
        .starts_with("%%[\nSET @profile_first_name = AttributeValue(\"profile_first_name\")\n]%%"));
    let recs = export
        .manifest
        .fields
        .iter()
        .find(|f| f.path == "recommendations")
        .expect("the list");
    assert_eq!(recs.field_type, "list");
    let data =
        json!({"recommendations": [{"name": "A & B", "price": 5, "currency": "EUR"}], "profile": {"first_name": 0}});
    let prepared = prepare_data(&export.manifest, &data);
    let rows: Value = serde_json::from_str(prepared["recommendations"].as_str().expect("JSON text")).expect("JSON");
    assert_eq!(rows["items"][0]["name"], "A & B");
    assert_eq!(prepared["profile_first_name"], "0");
}

#[test]
fn ampscript_refuses_case_conversion_naming_the_block() {
    let dir = common::Dir::workspace();
    let email = json!({
        "schema_version": 1, "name": "Shout", "subject": "Hi", "settings": {},
        "blocks": [{"id": "shout", "type": "text", "fields": {"heading": "{{upper profile.first_name}}", "body": "<p>x</p>"}}]
    });
    dir.write("emails/shout.email.json", &email.to_string());
    let mut ws = Workspace::open(dir.path()).expect("workspace");
    let entry = ws.email("shout").expect("email");
    let err = ws
        .export(&entry, Target::Ampscript, None)
        .expect_err("refused")
        .to_string();
    common::assert_mentions(
        &err,
        &[
            "ampscript: block \"shout\"",
            "{{upper profile.first_name}}",
            "ProperCase",
        ],
    );
}

#[test]
fn velocity_reads_profile_fields_from_the_configured_object_and_refuses_a_colliding_field() {
    let mut ws = Workspace::demo().expect("demo workspace");
    let entry = ws.email("welcome").expect("email");
    let export = ws.export(&entry, Target::Velocity, None).expect("exports");
    assert!(export.html.contains("$lead.first_name"), "Marketo's lead by default");
    let prepared = prepare_data(&export.manifest, &json!({"profile": {"first_name": "Ada"}}));
    assert_eq!(prepared["lead"]["first_name"], "Ada");

    let tmp = tempfile::tempdir().expect("temporary folder");
    demo_without_loops(tmp.path());
    let toml = tmp.path().join("tessera.toml");
    let config = std::fs::read_to_string(&toml).expect("config");
    std::fs::write(&toml, format!("{config}\n[export]\nvelocity_object = \"contact\"\n")).expect("write");
    let mut ws = Workspace::open(tmp.path()).expect("workspace");
    let entry = ws.email("welcome").expect("email");
    let export = ws.export(&entry, Target::Velocity, None).expect("exports");
    assert!(export.html.contains("$contact.first_name") && !export.html.contains("$lead."));
    let first_name = export
        .manifest
        .fields
        .iter()
        .find(|f| f.path == "profile.first_name")
        .expect("first name");
    assert_eq!(first_name.esp_name, "contact.first_name");
    let prepared = prepare_data(&export.manifest, &json!({"profile": {"first_name": "Ada"}}));
    assert_eq!(prepared["contact"]["first_name"], "Ada");

    // A top-level field named like the object would be read as a profile field: refused.
    std::fs::write(&toml, format!("{config}\n[export]\nvelocity_object = \"offer\"\n")).expect("write");
    let mut ws = Workspace::open(tmp.path()).expect("workspace");
    for email in ws.email_names() {
        let entry = ws.email(&email).expect("email");
        if let Err(e) = ws.export(&entry, Target::Velocity, None) {
            common::assert_mentions(&e.to_string(), &["velocity: block", "`offer` collides"]);
            return;
        }
    }
    panic!("no demo email reads offer.*");
}
