//! Round trip: an imported email exported back to its ESP's language renders, in the independent
//! engine (npm liquidjs through tests/esp/render.js, as tests/export.rs uses it), the same text as
//! the original did with the same data. Each case names the data as the ESP holds it and as a
//! Tessera recipient; the visible words of both renders must be equal.

mod common;

use std::cell::RefCell;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use common::{assert_exit, repo, Dir};
use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts};
use serde_json::{json, Value};
use tessera_core::export::contract::{prepare_data, Manifest};

/// Renders templates with the harness of tests/esp (`engine`: liquid or braze).
fn engine_render(engine: &str, cases: &[(&str, Value)]) -> Vec<String> {
    let root = repo();
    assert!(
        root.join("node_modules/liquidjs").is_dir(),
        "the ESP engines are not installed: run `npm ci` at the repository root (scripts/test.sh does)"
    );
    let templates: serde_json::Map<String, Value> = cases
        .iter()
        .enumerate()
        .map(|(i, (t, _))| (format!("t{i}"), json!(t)))
        .collect();
    let input = json!({
        "engine": engine,
        "templates": templates,
        "cases": cases.iter().enumerate().map(|(i, (_, d))| json!({"template": format!("t{i}"), "data": d})).collect::<Vec<_>>(),
    });
    let mut child = Command::new("node")
        .arg(root.join("tests/esp/render.js"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.to_string().as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("harness finishes");
    assert!(
        out.status.success(),
        "render.js: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let results: Vec<Value> = serde_json::from_slice(&out.stdout).expect("JSON");
    results
        .into_iter()
        .map(|r| {
            r["ok"]
                .as_str()
                .map(str::to_owned)
                .unwrap_or_else(|| panic!("the engine refused a template: {r}"))
        })
        .collect()
}

struct Words {
    out: RefCell<String>,
    skip: RefCell<usize>,
}

impl TokenSink for Words {
    type Handle = ();
    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        match token {
            Token::TagToken(tag) if matches!(&*tag.name, "head" | "title" | "style" | "script") => {
                let mut skip = self.skip.borrow_mut();
                match tag.kind {
                    TagKind::StartTag => *skip += 1,
                    TagKind::EndTag => *skip = skip.saturating_sub(1),
                }
            }
            Token::TagToken(_) => self.out.borrow_mut().push(' '),
            Token::CharacterTokens(t) if *self.skip.borrow() == 0 => self.out.borrow_mut().push_str(&t),
            _ => {}
        }
        TokenSinkResult::Continue
    }
}

/// The words a reader sees, in order (invisible spacer characters dropped).
fn visible_words(html: &str) -> String {
    let sink = Words {
        out: RefCell::new(String::new()),
        skip: RefCell::new(0),
    };
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    let tok = Tokenizer::new(sink, TokenizerOpts::default());
    let _ = tok.feed(&input);
    tok.end();
    let text = tok.sink.out.take();
    text.split_whitespace()
        .map(|w| {
            w.chars()
                .filter(|c| !matches!(c, '\u{200c}' | '\u{34f}' | '\u{200b}' | '\u{feff}'))
                .collect::<String>()
        })
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

struct Case {
    file: &'static str,
    engine: &'static str,
    target: &'static str,
    map: &'static str,
    /// (data as the ESP holds it for the original, Tessera recipient context)
    data: Vec<(Value, Value)>,
}

fn original_source(file: &str) -> String {
    let path: PathBuf = repo().join("tests/import/corpus").join(file);
    let text = std::fs::read_to_string(&path).expect("corpus");
    if file.ends_with(".mjml") {
        let parsed = mrml::parse(&text).expect("parses");
        parsed
            .element
            .render(&mrml::prelude::render::RenderOptions::default())
            .expect("renders")
    } else {
        text
    }
}

#[test]
fn imported_emails_exported_back_render_the_same_text_as_the_originals() {
    let cases = vec![
        Case {
            file: "liquid-shopify.html",
            engine: "liquid",
            target: "liquid",
            map: "[fields]\ncart_total = \"cart.total\"\n",
            data: vec![
                (
                    json!({"customer": {"first_name": "Ada"}, "cart_total": 120}),
                    json!({"profile": {"first_name": "Ada"}, "cart": {"total": 120}}),
                ),
                (json!({"cart_total": 40}), json!({"cart": {"total": 40}})),
            ],
        },
        Case {
            file: "mjml-liquid-merge.mjml",
            engine: "liquid",
            target: "liquid",
            map: "[fields]\ntier = \"profile.loyalty_tier\"\nnickname = \"profile.last_name\"\n",
            data: vec![
                (
                    json!({"first_name": "Ben", "tier": "gold", "loyalty_points": 1200, "nickname": "Benny"}),
                    json!({"profile": {"first_name": "Ben", "loyalty_tier": "gold", "loyalty_points": 1200, "last_name": "Benny"}}),
                ),
                (
                    json!({"tier": "silver", "loyalty_points": 0, "nickname": "Cee"}),
                    json!({"profile": {"loyalty_tier": "silver", "loyalty_points": 0, "last_name": "Cee"}}),
                ),
            ],
        },
        Case {
            file: "braze-liquid.html",
            engine: "braze",
            target: "braze",
            map: "",
            data: vec![
                (
                    json!({"first_name": "Chloe", "city": "Lyon"}),
                    json!({"profile": {"first_name": "Chloe", "city": "Lyon"}}),
                ),
                (json!({"city": "Oslo"}), json!({"profile": {"city": "Oslo"}})),
            ],
        },
    ];
    let ws = Dir::workspace();
    let mut compared = 0;
    for case in &cases {
        let name = case.file.replace('.', "-");
        let mut args = vec![
            "import-email".to_owned(),
            repo().join("tests/import/corpus").join(case.file).display().to_string(),
            "--name".to_owned(),
            name.clone(),
        ];
        if !case.map.is_empty() {
            let map = ws.write(&format!("{name}.toml"), case.map);
            args.extend(["--map".to_owned(), map.display().to_string()]);
        }
        let out = ws.run(&args.iter().map(String::as_str).collect::<Vec<_>>());
        assert_exit(&out, 0);
        let out = ws.run(&["export", &name, "--target", case.target]);
        assert_exit(&out, 0);
        let folder = ws.join(&format!("exports/{name}/{}", case.target));
        let template = std::fs::read_to_string(folder.join("template.html")).expect("exported template");
        let manifest: Manifest =
            serde_json::from_str(&std::fs::read_to_string(folder.join("manifest.json")).expect("manifest"))
                .expect("manifest JSON");
        let original = original_source(case.file);
        let mut jobs = Vec::new();
        for (esp_data, context) in &case.data {
            jobs.push((original.as_str(), esp_data.clone()));
            jobs.push((template.as_str(), prepare_data(&manifest, context)));
        }
        let rendered = engine_render(case.engine, &jobs);
        for (i, pair) in rendered.chunks(2).enumerate() {
            let (a, b) = (visible_words(&pair[0]), visible_words(&pair[1]));
            assert_eq!(
                a, b,
                "{} with data #{i}: the original and the round trip read differently",
                case.file
            );
            compared += 1;
        }
    }
    assert_eq!(compared, 6);
}
