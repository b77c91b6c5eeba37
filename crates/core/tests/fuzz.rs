//! Fuzz targets on stable Rust: proptest drives the engine's real entry points with designer text
//! built from template, markup and foreign-syntax tokens and with arbitrary recipient data.
//!
//! Targets: `template_parse_and_compile` (parse, compose, compile designer text in every field kind),
//! `personalize_arbitrary_data` (fixed templates covering every escape site, arbitrary data),
//! `export_every_target` (random templates exported to every target, twice). Invariants: nothing
//! panics; the preview's and the static export's HTML hold no raw `{{`; every `href`/`src` they
//! hold has a safe scheme as a browser reads it (character references decoded); every export is
//! deterministic.
//!
//! `cargo test` runs a short pass (`TESSERA_FUZZ_CASES`, default 48 cases per target);
//! `scripts/fuzz.sh` runs long passes. A failing case is shrunk and saved by proptest in
//! `tests/fuzz.proptest-regressions`, replayed first on every later run; inputs worth keeping by
//! hand live in `fuzz/corpus/core/` and are replayed by `corpus_replays`.

use proptest::prelude::*;
use serde_json::{json, Value};
use tessera_core::export::{export, ExportInput, Target};
use tessera_core::model::{BlockLibrary, BlockOrigin, BlockType, Dictionary, DictionaryField, Document};
use tessera_core::{compose, render, Compiled, Compiler, ComposeInput};

fn cases() -> u32 {
    std::env::var("TESSERA_FUZZ_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(48)
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: cases(),
        max_shrink_iters: 2_000,
        ..ProptestConfig::default()
    }
}

fn library() -> BlockLibrary {
    let mut lib = BlockLibrary::new();
    let add = |lib: &mut BlockLibrary, id: &str, schema: Value, hbs: &str| {
        lib.insert(
            BlockType::from_sources(id, &schema.to_string(), hbs, "", BlockOrigin::BuiltIn).expect("valid block"),
        );
    };
    add(
        &mut lib,
        "text",
        json!({"name": "Text", "fields": [
            {"name": "body", "type": "text", "default": "Hello"},
            {"name": "link", "type": "url", "default": "https://example.com"},
            {"name": "image", "type": "image", "default": "https://example.com/a.png"}
        ]}),
        r#"<table role="presentation" width="100%"><tr><td><p>{{block.body}}</p><a href="{{block.link}}">More</a><img src="{{block.image}}" alt="{{block.body}}"></td></tr></table>"#,
    );
    add(
        &mut lib,
        "rich",
        json!({"name": "Rich", "fields": [{"name": "body", "type": "rich_text", "default": "<p>Hi</p>"}]}),
        r#"<table role="presentation" width="100%"><tr><td>{{block.body}}</td></tr></table>"#,
    );
    add(
        &mut lib,
        "grid",
        json!({"name": "Grid", "fields": []}),
        r#"<table role="presentation" width="100%">{{#each recommendations limit=3}}<tr><td><a href="{{this.url}}"><img src="{{this.image}}" alt="{{this.name}}"></a> <a href="https://shop.example/p?sku={{this.sku}}&amp;u={{@root.profile.first_name}}">{{this.name}}</a> {{currency this.price this.currency}}</td></tr>{{else}}<tr><td>Nothing yet</td></tr>{{/each}}</table>"#,
    );
    lib
}

fn dictionary() -> Dictionary {
    let field = |path: &str| DictionaryField {
        path: path.to_owned(),
        field_type: "text".to_owned(),
        label: String::new(),
        description: String::new(),
        default: None,
        source: None,
        example: None,
    };
    Dictionary::new(
        [
            "profile.first_name",
            "profile.city",
            "profile.url",
            "profile.vip",
            "profile.nickname",
            "recommendations",
            "recommendations[].name",
            "recommendations[].url",
            "recommendations[].image",
            "recommendations[].sku",
            "recommendations[].price",
            "recommendations[].currency",
        ]
        .into_iter()
        .map(field)
        .collect(),
    )
    .expect("unique paths")
}

/// Pieces designer text is made of: our tags, markup around URL sites, foreign template syntax,
/// schemes, character references, the markers' private-use characters.
const TOKENS: &[&str] = &[
    "{{",
    "}}",
    "{{{",
    "}}}",
    "{{profile.first_name}}",
    "{{profile.nickname}}",
    "{{profile.url}}",
    "{{upper profile.city}}",
    "{{default profile.first_name \"friend\"}}",
    "{{#if profile.vip}}",
    "{{#if (in_segment \"vip\")}}",
    "{{else}}",
    "{{/if}}",
    "{{#each recommendations}}",
    "{{this.name}}",
    "{{/each}}",
    "{{> partial}}",
    "{{7*7}}",
    "<a href=\"",
    "<img src=\"",
    "\">",
    "</a>",
    "<p>",
    "</p>",
    "<b>",
    "</b>",
    "<table><tr><td>",
    "</td></tr></table>",
    "<script>",
    "<!--",
    "-->",
    "javascript:",
    "java",
    "script:",
    "vbscript:",
    "data:",
    "https://example.com/",
    "&#58;",
    "&#x3A;",
    "&colon;",
    "&amp;",
    ":",
    "/",
    "?",
    "#",
    "\u{E000}",
    "\u{E001}",
    "\u{E002}",
    "{%",
    "%}",
    "%%[",
    "]%%",
    "%%=",
    "*|FNAME|*",
    "${x}",
    "\n",
    "\t",
    "\"",
    "'",
    "&",
    "<",
    ">",
    " ",
];

fn designer_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => proptest::sample::select(TOKENS).prop_map(str::to_owned),
        1 => "\\PC{0,4}",
    ];
    proptest::collection::vec(piece, 0..14).prop_map(|pieces| pieces.concat())
}

fn hostile_string() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => designer_text(),
        1 => "\\PC{0,12}",
        1 => proptest::sample::select(&["", " ", "javascript:alert(1)", "JaVaScRiPt:x", " java\tscript:x", "https://ok.example/?a=1", "cid:x", "//evil.example", "{{7*7}}", "\u{E000}0\u{E001}"][..]).prop_map(str::to_owned),
    ]
}

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => hostile_string().prop_map(Value::String),
        1 => any::<bool>().prop_map(Value::Bool),
        1 => any::<i64>().prop_map(Value::from),
        1 => any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        1 => Just(Value::Null),
    ]
}

fn any_json() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::btree_map("[a-z_]{1,6}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Recipient data shaped like the dictionary, with arbitrary values at every place.
fn recipient() -> impl Strategy<Value = Value> {
    let item = (any_json(), any_json(), any_json(), any_json(), any_json(), any_json()).prop_map(
        |(name, url, image, sku, price, currency)| {
            json!({"name": name, "url": url, "image": image, "sku": sku, "price": price, "currency": currency})
        },
    );
    (
        (any_json(), any_json(), any_json(), any_json(), any_json()),
        prop_oneof![
            3 => proptest::collection::vec(item, 0..4).prop_map(Value::Array),
            1 => any_json(),
        ],
        prop_oneof![Just(json!(["vip"])), Just(json!([])), any_json()],
    )
        .prop_map(|((first_name, city, url, vip, nickname), recommendations, segments)| {
            json!({
                "profile": {"first_name": first_name, "city": city, "url": url, "vip": vip, "nickname": nickname},
                "recommendations": recommendations,
                "segments": segments,
            })
        })
}

/// Designer input for one email: subject, text body, link, image, rich text.
#[derive(Debug, Clone)]
struct Design {
    subject: String,
    body: String,
    link: String,
    image: String,
    rich: String,
}

fn design() -> impl Strategy<Value = Design> {
    (
        designer_text(),
        designer_text(),
        designer_text(),
        designer_text(),
        designer_text(),
    )
        .prop_map(|(subject, body, link, image, rich)| Design {
            subject,
            body,
            link,
            image,
            rich,
        })
}

fn document(d: &Design) -> Option<Document> {
    serde_json::from_value(json!({
        "schema_version": 1,
        "name": "Fuzz",
        "subject": d.subject,
        "blocks": [
            {"id": "t", "type": "text", "fields": {"body": d.body, "link": d.link, "image": d.image}},
            {"id": "r", "type": "rich", "fields": {"body": d.rich}},
            {"id": "g", "type": "grid", "show_if": "in_segment \"vip\""},
        ],
    }))
    .ok()
}

/// Composes and compiles; `None` when the design is refused (a refusal is a fine outcome).
fn compile(document: &Document) -> Option<Compiled> {
    let lib = library();
    let dict = dictionary();
    let brand = serde_json::Map::new();
    let composed = compose(&ComposeInput {
        document,
        library: &lib,
        dictionary: &dict,
        brand: &brand,
    });
    if composed.has_errors() {
        return None;
    }
    Compiler::new().compile(&composed).ok()
}

/// Decodes the character references a browser decodes in an attribute (numeric, and the named
/// ones that spell URL punctuation or whitespace); written apart from the engine's own decoder.
fn decode_attribute(value: &str) -> String {
    let mut out = String::new();
    let mut rest = value;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at + 1..];
        let end = rest.find(';').filter(|&e| e <= 10);
        let decoded = end.and_then(|e| {
            let name = &rest[..e];
            let code = match name {
                "colon" => Some(58),
                "Tab" => Some(9),
                "NewLine" => Some(10),
                "amp" => Some(38),
                "quot" => Some(34),
                "sol" => Some(47),
                "num" => Some(35),
                "quest" => Some(63),
                _ => name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")).map_or_else(
                    || name.strip_prefix('#').and_then(|d| d.parse().ok()),
                    |h| u32::from_str_radix(h, 16).ok(),
                ),
            };
            code.and_then(char::from_u32).map(|c| (c, e))
        });
        match decoded {
            Some((c, e)) => {
                out.push(c);
                rest = &rest[e + 1..];
            }
            None => out.push('&'),
        }
    }
    out.push_str(rest);
    out
}

/// The scheme a browser reads from a URL attribute (the WHATWG URL parser: leading and trailing
/// spaces and controls trimmed, tabs and line breaks removed, then an ASCII letter followed by
/// letters, digits, `+`, `-` or `.` up to a `:`), lower-cased; `None` for a relative URL.
fn scheme(url: &str) -> Option<String> {
    let trimmed = url.trim_matches(|c: char| c <= ' ');
    let cleaned: String = trimmed.chars().filter(|c| !matches!(c, '\t' | '\n' | '\r')).collect();
    let end = cleaned.find(':')?;
    let candidate = &cleaned[..end];
    let mut chars = candidate.chars();
    let valid = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    valid.then(|| candidate.to_ascii_lowercase())
}

/// Every value of a URL attribute (`href`, `src`, ...) of the elements in `html`, as written: a
/// small tokenizer (tags start with `<` and a letter, attribute values may be quoted; the text of
/// `title`, `textarea`, `script` and `style` holds no tags), written apart from the engine's.
fn url_attributes(html: &str) -> Vec<String> {
    const URL: &[&str] = &[
        "href",
        "src",
        "background",
        "action",
        "poster",
        "formaction",
        "cite",
        "xlink:href",
    ];
    let mut out = Vec::new();
    let bytes = html.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'<' || !bytes.get(i + 1).is_some_and(u8::is_ascii_alphabetic) {
            i += 1;
            continue;
        }
        i += 1;
        let name_start = i;
        while i < bytes.len() && !bytes[i].is_ascii_whitespace() && bytes[i] != b'>' && bytes[i] != b'/' {
            i += 1;
        }
        let tag = html[name_start..i].to_ascii_lowercase();
        // Attributes up to the closing `>`.
        loop {
            while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b'/') {
                i += 1;
            }
            if i >= bytes.len() || bytes[i] == b'>' {
                i += 1;
                break;
            }
            let attr_start = i;
            while i < bytes.len() && !bytes[i].is_ascii_whitespace() && !matches!(bytes[i], b'=' | b'>' | b'/') {
                i += 1;
            }
            let attr = html[attr_start..i].to_ascii_lowercase();
            while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            if bytes.get(i) != Some(&b'=') {
                continue;
            }
            i += 1;
            while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            let value = if let Some(&q @ (b'"' | b'\'')) = bytes.get(i) {
                let start = i + 1;
                let end = html[start..].find(char::from(q)).map_or(html.len(), |e| start + e);
                i = end + 1;
                &html[start..end.min(html.len())]
            } else {
                let start = i;
                while i < bytes.len() && !bytes[i].is_ascii_whitespace() && bytes[i] != b'>' {
                    i += 1;
                }
                &html[start..i]
            };
            if URL.contains(&attr.as_str()) {
                out.push(value.to_owned());
            }
        }
        if matches!(tag.as_str(), "title" | "textarea" | "script" | "style") {
            let close = format!("</{tag}");
            i = html[i.min(html.len())..]
                .to_ascii_lowercase()
                .find(&close)
                .map_or(html.len(), |e| i + e);
        }
    }
    out
}

/// The invariants on HTML that reaches a recipient.
fn check_html(html: &str, what: &str) -> Result<(), TestCaseError> {
    prop_assert!(!html.contains("{{"), "{what} holds a raw {{{{: {html}");
    for value in url_attributes(html) {
        if let Some(s) = scheme(&decode_attribute(&value)) {
            prop_assert!(
                matches!(s.as_str(), "http" | "https" | "mailto" | "tel" | "sms" | "cid"),
                "{what} holds the URL {value:?} with scheme {s:?}:\n{html}"
            );
        }
    }
    Ok(())
}

fn check_design(d: &Design, data: &Value) -> Result<(), TestCaseError> {
    let Some(document) = document(d) else { return Ok(()) };
    let Some(compiled) = compile(&document) else {
        return Ok(());
    };
    let r = render(&compiled, data);
    check_html(&r.html, "the preview")?;
    Ok(())
}

fn check_exports(d: &Design, data: &Value) -> Result<(), TestCaseError> {
    let Some(document) = document(d) else { return Ok(()) };
    let Some(compiled) = compile(&document) else {
        return Ok(());
    };
    let dict = dictionary();
    for target in Target::ALL {
        let input = ExportInput {
            compiled: &compiled,
            dictionary: &dict,
            email: "fuzz",
            data: Some(data),
            velocity_object: None,
            asset_base_url: None,
            live: &[],
        };
        let first = export(&input, target);
        let again = export(&input, target);
        match (&first, &again) {
            (Ok(a), Ok(b)) => {
                prop_assert_eq!(&a.html, &b.html, "{} is not deterministic", target);
                prop_assert_eq!(&a.text, &b.text);
                if target == Target::Html {
                    check_html(&a.html, "the static HTML export")?;
                }
                // Whatever the target, a literal unsafe scheme never stands at the start of a URL attribute.
                for value in url_attributes(&a.html) {
                    if let Some(s) = scheme(&decode_attribute(&value)) {
                        prop_assert!(
                            !matches!(s.as_str(), "javascript" | "vbscript" | "data"),
                            "{target} writes the URL {value:?}"
                        );
                    }
                }
            }
            (Err(a), Err(b)) => prop_assert_eq!(a.to_string(), b.to_string()),
            _ => prop_assert!(false, "{target} refused once and exported once"),
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn template_parse_and_compile(d in design()) {
        let _ = tessera_core::lang::parse_text(&d.subject);
        check_design(&d, &json!({"profile": {}}))?;
    }

    #[test]
    fn personalize_arbitrary_data(data in recipient()) {
        // Fixed designs that put a value at every escape site: text, URL start, URL part,
        // attributes, loops, gates.
        let d = Design {
            subject: "Hi {{profile.first_name}} {{upper profile.city}}".to_owned(),
            body: "Hello {{default profile.first_name \"friend\"}} from {{profile.city}}".to_owned(),
            link: "{{profile.url}}".to_owned(),
            image: "https://img.example/{{profile.nickname}}.png".to_owned(),
            rich: "<p><a href=\"{{profile.url}}\">go</a> <a href=\"https://x.example/?n={{profile.nickname}}\">{{profile.nickname}}</a></p>".to_owned(),
        };
        check_design(&d, &data)?;
        check_exports(&d, &data)?;
    }

    #[test]
    fn export_every_target(d in design(), data in recipient()) {
        check_exports(&d, &data)?;
    }

    #[test]
    fn designs_with_arbitrary_data(d in design(), data in recipient()) {
        check_design(&d, &data)?;
    }
}

/// The kept corpus: each file of `fuzz/corpus/core/` is designer text put in every field (subject,
/// text, link, image, rich text) and rendered with hostile data.
#[test]
fn corpus_replays() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/core");
    let mut replayed = 0;
    for entry in std::fs::read_dir(&dir).expect("the corpus folder") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("UTF-8 corpus file");
        let text = text.strip_suffix('\n').unwrap_or(&text).to_owned();
        let d = Design {
            subject: text.clone(),
            body: text.clone(),
            link: text.clone(),
            image: text.clone(),
            rich: text,
        };
        let data = json!({
            "profile": {"first_name": "{{7*7}}", "url": "javascript:alert(1)", "nickname": "", "vip": true, "city": "\u{E000}1\u{E001}"},
            "recommendations": [{"name": "<b>", "url": "java\tscript:x", "image": "", "sku": "a b", "price": 1, "currency": "EUR"}],
            "segments": ["vip"],
        });
        for data in [json!({"profile": {}}), data] {
            if let Err(e) = check_design(&d, &data).and_then(|()| check_exports(&d, &data)) {
                panic!("{}: {e}", path.display());
            }
        }
        replayed += 1;
    }
    assert!(replayed >= 10, "the corpus holds {replayed} files");
}
