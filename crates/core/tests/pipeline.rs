//! The whole pipeline (compose → compile → personalize → report) on small, hand-made block types:
//! fallbacks at every level, loops, visibility rules, escaping of hostile values, structure.

use serde_json::{json, Value};
use tessera_core::model::{BlockLibrary, BlockOrigin, BlockType, Dictionary, DictionaryField, Document};
use tessera_core::{compose, render, Compiler, ComposeInput, Rendered};

fn library() -> BlockLibrary {
    let mut lib = BlockLibrary::new();
    let add = |lib: &mut BlockLibrary, id: &str, schema: Value, hbs: &str, css: &str| {
        lib.insert(
            BlockType::from_sources(id, &schema.to_string(), hbs, css, BlockOrigin::BuiltIn).expect("valid block"),
        );
    };
    add(
        &mut lib,
        "text",
        json!({"name": "Text", "fields": [{"name": "body", "type": "text", "default": "Hello"}, {"name": "link", "type": "url", "default": "https://example.com"}]}),
        r#"<table class="t-text" role="presentation" width="100%"><tr><td class="cell"><p>{{block.body}}</p><a href="{{block.link}}">More</a></td></tr></table>"#,
        ".t-text .cell { color: #123456; }\n@media only screen and (max-width: 620px) { .t-text .cell { padding: 4px !important; } }\n@media (prefers-color-scheme: dark) { .t-text .cell { color: #ffffff !important; } }",
    );
    add(
        &mut lib,
        "rich",
        json!({"name": "Rich", "fields": [{"name": "body", "type": "rich_text", "default": "<p>Hi</p>"}]}),
        r#"<table class="t-rich" role="presentation" width="100%"><tr><td>{{block.body}}</td></tr></table>"#,
        "",
    );
    add(
        &mut lib,
        "grid",
        json!({"name": "Grid", "fields": [{"name": "source", "type": "data_path", "default": "recommendations"}, {"name": "limit", "type": "number", "default": 3}]}),
        r#"<table class="t-grid" role="presentation" width="100%">{{#each block.source limit=block.limit}}<tr><td><a href="{{this.url}}"><img src="{{this.image}}" alt="{{this.name}}"></a> {{this.name}} {{currency this.price this.currency}}</td></tr>{{else}}<tr><td>Nothing for you yet</td></tr>{{/each}}</table>"#,
        "",
    );
    lib
}

fn dictionary() -> Dictionary {
    let field = |path: &str, default: Option<Value>| DictionaryField {
        path: path.to_owned(),
        field_type: "text".to_owned(),
        label: String::new(),
        description: String::new(),
        default,
        source: None,
        example: None,
    };
    Dictionary::new(vec![
        field("profile.first_name", Some(json!("there"))),
        field("profile.city", None),
        field("profile.url", None),
        field("recommendations", None),
        field("recommendations[].name", Some(json!("A product"))),
        field("recommendations[].url", None),
        field("recommendations[].image", None),
        field("recommendations[].price", None),
        field("recommendations[].currency", None),
    ])
    .expect("unique paths")
}

fn doc(blocks: Value) -> Document {
    let mut document = json!({"schema_version": 1, "name": "Test", "subject": "Hi {{profile.first_name}}"});
    document["blocks"] = blocks;
    serde_json::from_value(document).expect("valid document")
}

fn render_doc(document: &Document, data: &Value) -> Rendered {
    let lib = library();
    let dict = dictionary();
    let brand = serde_json::Map::new();
    let composed = compose(&ComposeInput {
        document,
        library: &lib,
        dictionary: &dict,
        brand: &brand,
    });
    assert!(!composed.has_errors(), "{:#?}", composed.diagnostics);
    let compiled = Compiler::new().compile(&composed).expect("compiles");
    render(&compiled, data)
}

/// The text of the HTML body between the container and the end, for readable assertions.
fn body(html: &str) -> &str {
    let start = html.find("t-content").unwrap_or(0);
    &html[start..]
}

#[test]
fn placeholder_fallbacks_at_all_three_levels() {
    let d = doc(json!([
        {"id": "a", "type": "text", "fields": {"body": "Hi {{default profile.first_name \"friend\"}} / {{profile.first_name}} / [{{profile.city}}]"}},
        {"id": "b", "type": "text", "requires": ["profile.city"], "fallback": {"id": "b-fallback", "type": "text", "fields": {"body": "No city"}}},
        {"id": "c", "type": "text", "requires": ["profile.city"]}
    ]));
    let r = render_doc(&d, &json!({}));
    let html = body(&r.html);
    assert!(html.contains("Hi friend / there / []"), "{html}");
    assert!(html.contains("No city"), "block fallback shown");
    assert_eq!(r.subject, "Hi there");
    let used: Vec<(&str, &str, &str)> = r
        .report
        .fallbacks
        .iter()
        .map(|f| (f.block.as_str(), f.placeholder.as_str(), f.used))
        .collect();
    assert!(
        used.contains(&("a", "{{default profile.first_name \"friend\"}}", "explicit")),
        "{used:?}"
    );
    assert!(
        used.contains(&("a", "{{profile.first_name}}", "dictionary")),
        "{used:?}"
    );
    assert!(used.contains(&("a", "{{profile.city}}", "empty")), "{used:?}");
    assert!(
        used.contains(&("subject", "{{profile.first_name}}", "dictionary")),
        "{used:?}"
    );
    let hidden: Vec<(&str, Option<&str>)> = r
        .report
        .hidden_blocks
        .iter()
        .map(|h| (h.block.as_str(), h.replaced_by.as_deref()))
        .collect();
    assert_eq!(hidden, vec![("b", Some("b-fallback")), ("c", None)]);
    assert!(r.report.hidden_blocks[0].reason.contains("profile.city"));
    assert!(r.report.missing_paths.contains(&"profile.city".to_owned()));
    assert!(r
        .report
        .warnings
        .iter()
        .any(|w| w.message.contains("{{profile.city}}") && w.message.contains("empty")));

    let r = render_doc(&d, &json!({"profile": {"first_name": "Ada", "city": "Oslo"}}));
    assert!(body(&r.html).contains("Hi Ada / Ada / [Oslo]"));
    assert!(
        r.report.fallbacks.is_empty() && r.report.hidden_blocks.is_empty(),
        "{:?}",
        r.report
    );
}

#[test]
fn visibility_rules_show_hide_and_swap_blocks() {
    let d = doc(json!([
        {"id": "vip", "type": "text", "fields": {"body": "VIP ONLY"}, "show_if": "in_segment \"vip\"", "fallback": {"id": "std", "type": "text", "fields": {"body": "EVERYONE ELSE"}}},
        {"id": "big", "type": "text", "fields": {"body": "BIG CART"}, "hide_if": "lt cart.total 100"}
    ]));
    let r = render_doc(&d, &json!({"segments": ["vip"], "cart": {"total": 150}}));
    assert!(r.html.contains("VIP ONLY") && !r.html.contains("EVERYONE ELSE") && r.html.contains("BIG CART"));
    let r = render_doc(&d, &json!({"segments": [], "cart": {"total": 20}}));
    assert!(!r.html.contains("VIP ONLY") && r.html.contains("EVERYONE ELSE") && !r.html.contains("BIG CART"));
    assert!(r
        .report
        .hidden_blocks
        .iter()
        .any(|h| h.block == "vip" && h.reason.contains("show_if") && h.replaced_by.as_deref() == Some("std")));
    assert!(r
        .report
        .hidden_blocks
        .iter()
        .any(|h| h.block == "big" && h.reason.contains("hide_if")));
    assert!(
        r.text.contains("EVERYONE ELSE") && !r.text.contains("VIP ONLY"),
        "the text part takes the same branches: {}",
        r.text
    );
}

fn product(i: usize) -> Value {
    json!({"name": format!("Item {i}"), "url": format!("https://shop.example/p/{i}"), "image": format!("https://img.example/{i}.jpg"), "price": 10 + i, "currency": "USD"})
}

#[test]
fn loops_with_zero_one_and_many_items() {
    let d = doc(json!([{"id": "g", "type": "grid"}]));
    let r = render_doc(&d, &json!({"recommendations": []}));
    assert!(r.html.contains("Nothing for you yet") && !r.html.contains("Item"));
    let r = render_doc(&d, &json!({}));
    assert!(r.html.contains("Nothing for you yet"));
    assert!(r.report.missing_paths.contains(&"recommendations".to_owned()));
    let r = render_doc(&d, &json!({"recommendations": [product(1)]}));
    assert!(
        r.html.contains("Item 1 $11.00") && !r.html.contains("Nothing for you yet"),
        "{}",
        body(&r.html)
    );
    let many: Vec<Value> = (1..=8).map(product).collect();
    let r = render_doc(&d, &json!({"recommendations": many}));
    assert_eq!(r.html.matches("<img").count(), 3, "limit=3 from the field");
    let grid = &r.html[r.html.find("t-grid").expect("grid")..];
    let grid = &grid[..grid.find("</table>").expect("grid table ends")];
    assert_eq!(
        grid.matches("<tbody>").count(),
        1,
        "loop rows stay in one table body: {grid}"
    );
    assert_eq!(grid.matches("<tr>").count(), 3, "{grid}");
    assert!(r.html.contains("Item 3") && !r.html.contains("Item 4"));
    assert!(
        r.text.contains("Item 1") && r.text.contains("(https://shop.example/p/1)"),
        "links kept as text (url): {}",
        r.text
    );
}

const HOSTILE: &[&str] = &[
    "{{7*7}}",
    "{{{x}}}",
    "{{> p}}",
    "%%[SET @a = 1]%%",
    "%%=v(@x)=%%",
    "{% raw %}",
    "{% endraw %}",
    "*|FNAME|*",
    "${x}",
    "<script>alert(1)</script>",
    "\"><img src=x onerror=alert(1)>",
    "javascript:alert(1)",
    "line\r\nBcc: victim@example.com",
];

#[test]
fn hostile_profile_values_come_out_inert_everywhere() {
    let d = doc(json!([
        {"id": "t", "type": "text", "fields": {"body": "Hi {{profile.first_name}}", "link": "{{profile.url}}"}},
        {"id": "g", "type": "grid"}
    ]));
    for value in HOSTILE {
        let item = json!({"name": value, "url": value, "image": value, "price": value, "currency": value});
        let data = json!({"profile": {"first_name": value, "url": value, "city": value}, "recommendations": [item]});
        let r = render_doc(&d, &data);
        let html = body(&r.html);
        assert!(!html.contains("<script"), "{value}: {html}");
        assert!(!html.contains("<img src=x"), "{value}");
        assert!(!html.contains("onerror=alert"), "{value}");
        assert!(
            !html.contains("href=\"javascript:") && !html.contains("src=\"javascript:"),
            "{value}"
        );
        assert!(!html.contains("{{"), "{value}: a raw {{{{ reached the output");
        assert!(
            !r.subject.contains('\n') && !r.subject.contains('\r'),
            "{value}: subject must stay one line"
        );
        let escaped = tessera_core::render::escape::html_escape(value);
        if !value.starts_with("javascript:") && !value.contains('\n') {
            assert!(
                html.contains(&format!("Hi {escaped}")),
                "{value}: the value prints as escaped text: {html}"
            );
        }
    }
}

#[test]
fn hostile_designer_text_is_literal() {
    for value in HOSTILE.iter().filter(|v| !v.contains('\n')) {
        let d = doc(json!([{"id": "t", "type": "text", "fields": {"body": format!("A {value} B")}}]));
        let r = render_doc(&d, &json!({"profile": {"x": 7}}));
        let html = body(&r.html);
        assert!(
            !html.contains("<script") && !html.contains("<img src=x"),
            "{value}: {html}"
        );
        assert!(!html.contains("{{"), "{value}: {html}");
        assert!(
            r.text.contains(&format!("A {value} B")),
            "{value} prints literally in the text part: {}",
            r.text
        );
    }
}

#[test]
fn unsafe_designer_urls_are_refused_with_the_block_and_field() {
    let lib = library();
    let dict = dictionary();
    let d = doc(json!([{"id": "t", "type": "text", "fields": {"link": "javascript:alert(1)"}}]));
    let composed = compose(&ComposeInput {
        document: &d,
        library: &lib,
        dictionary: &dict,
        brand: &serde_json::Map::new(),
    });
    let e = composed
        .diagnostics
        .iter()
        .find(|d| d.block.as_deref() == Some("t"))
        .expect("diagnostic");
    assert_eq!(e.field.as_deref(), Some("link"));
    assert!(e.message.contains("javascript:alert(1)"));
}

#[test]
fn rich_text_is_sanitized_but_keeps_placeholders_in_links() {
    let d = doc(
        json!([{"id": "r", "type": "rich", "fields": {"body": "<p onclick=\"x()\">Hi <b>{{profile.first_name}}</b> <a href=\"{{profile.url}}\">go</a><script>bad()</script></p>"}}]),
    );
    let r = render_doc(
        &d,
        &json!({"profile": {"first_name": "Ada", "url": "javascript:alert(1)"}}),
    );
    let html = body(&r.html);
    assert!(html.contains(">Hi <b>Ada</b> <a href=\"#\""), "{html}");
    assert!(!html.contains("onclick"), "{html}");
    assert!(!html.contains("bad()"));
    assert!(r.report.warnings.iter().any(|w| w.message.contains("unsafe scheme")));
}

#[test]
fn output_is_outlook_safe_and_keeps_media_queries() {
    let d = doc(json!([{"id": "t", "type": "text"}, {"id": "g", "type": "grid"}]));
    let r = render_doc(&d, &json!({"recommendations": [product(1), product(2)]}));
    let html = &r.html;
    assert!(
        html.contains("@media only screen and (max-width: 620px)"),
        "responsive rules kept in a <style>"
    );
    assert!(html.contains("prefers-color-scheme: dark"), "dark-mode rules kept");
    assert!(
        html.contains("color: #123456;\""),
        "plain rules inlined: {}",
        body(html)
    );
    for banned in ["display:flex", "display: flex", "display:grid", "display: grid"] {
        assert!(!html.contains(banned), "{banned}");
    }
    assert!(html.contains("role=\"presentation\""));
    assert!(html.contains("<!--[if mso]>"), "the skeleton has Outlook conditionals");
    assert!(
        !html.contains("tsr:") && !html.contains('\u{E000}'),
        "no marker leaks into the output"
    );
}

#[test]
fn one_field_edit_recompiles_only_that_block() {
    let lib = library();
    let dict = dictionary();
    let brand = serde_json::Map::new();
    let mut compiler = Compiler::new();
    let mut d = doc(json!([{"id": "a", "type": "text"}, {"id": "b", "type": "text"}, {"id": "c", "type": "grid"}]));
    let composed = compose(&ComposeInput {
        document: &d,
        library: &lib,
        dictionary: &dict,
        brand: &brand,
    });
    let first = compiler.compile(&composed).expect("compiles");
    assert_eq!(compiler.stats().misses, 3);
    d.blocks[1].fields.insert("body".into(), json!("Changed"));
    let composed = compose(&ComposeInput {
        document: &d,
        library: &lib,
        dictionary: &dict,
        brand: &brand,
    });
    let second = compiler.compile(&composed).expect("compiles");
    assert_eq!(compiler.stats().misses, 4, "only block b recompiled");
    assert_eq!(compiler.stats().hits, 2);
    assert_ne!(first.version, second.version);
    assert!(render(&second, &json!({})).html.contains("Changed"));
}

#[test]
fn text_links_without_a_usable_url_show_only_their_label() {
    let d = doc(json!([{"id": "t", "type": "text", "fields": {"link": "{{profile.url}}"}}]));
    for data in [json!({}), json!({"profile": {"url": "javascript:alert(1)"}})] {
        let r = render_doc(&d, &data);
        assert!(
            r.text.contains("More\n") && !r.text.contains("()"),
            "{data}: {}",
            r.text
        );
    }
    let r = render_doc(&d, &json!({"profile": {"url": "https://x.example/a"}}));
    assert!(r.text.contains("More (https://x.example/a)"), "{}", r.text);
}

#[test]
fn emails_over_the_gmail_clipping_budget_are_reported() {
    let long = "Lorem ipsum dolor sit amet. ".repeat(200);
    let blocks: Vec<Value> = (0..25)
        .map(|i| json!({"id": format!("b{i}"), "type": "text", "fields": {"body": long}}))
        .collect();
    let r = render_doc(&doc(json!(blocks)), &json!({}));
    assert!(r.report.html_bytes > tessera_core::render::GMAIL_CLIP_BYTES);
    assert!(
        r.report.warnings.iter().any(|w| w.message.contains("Gmail clips")),
        "{:?}",
        r.report.warnings
    );
    let r = render_doc(&doc(json!([{"id": "a", "type": "text"}])), &json!({}));
    assert!(!r.report.warnings.iter().any(|w| w.message.contains("Gmail clips")));
}

#[test]
fn images_without_alt_and_empty_links_are_reported_by_block() {
    let mut lib = library();
    lib.insert(
        BlockType::from_sources(
            "bare",
            &json!({"name": "Bare"}).to_string(),
            r#"<table role="presentation"><tr><td><img src="https://x.example/a.png"><a href="">x</a></td></tr></table>"#,
            "",
            BlockOrigin::Workspace,
        )
        .expect("valid block"),
    );
    let d = doc(json!([{"id": "oops", "type": "bare"}]));
    let dict = dictionary();
    let composed = compose(&ComposeInput {
        document: &d,
        library: &lib,
        dictionary: &dict,
        brand: &serde_json::Map::new(),
    });
    let r = render(&Compiler::new().compile(&composed).expect("compiles"), &json!({}));
    let messages: Vec<_> = r
        .report
        .warnings
        .iter()
        .filter(|w| w.block.as_deref() == Some("oops"))
        .map(|w| w.message.as_str())
        .collect();
    assert!(messages.iter().any(|m| m.contains("alt text")), "{messages:?}");
    assert!(messages.iter().any(|m| m.contains("empty href")), "{messages:?}");
}

/// Composes and compiles `document`; the error messages when either refuses it, else the render
/// for `data`.
fn try_render(document: &Document, data: &Value) -> Result<Rendered, String> {
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
        return Err(composed
            .diagnostics
            .iter()
            .map(|d| d.message.clone())
            .collect::<Vec<_>>()
            .join("\n"));
    }
    let compiled = Compiler::new().compile(&composed).map_err(|e| e.to_string())?;
    Ok(render(&compiled, data))
}

#[test]
fn url_text_after_a_placeholder_or_tag_cannot_supply_an_unsafe_scheme() {
    let cases = [
        json!([{"id": "r", "type": "rich", "fields": {"body": "<p><a href=\"{{profile.nickname}}javascript:alert(1)\">x</a></p>"}}]),
        json!([{"id": "r", "type": "rich", "fields": {"body": "<p><a href=\"{{profile.nickname}}javascript&#58;alert(1)\">x</a></p>"}}]),
        json!([{"id": "t", "type": "text", "fields": {"link": "{{#if profile.vip}}{{/if}}javascript:alert(2)"}}]),
        json!([{"id": "t", "type": "text", "fields": {"link": "{{profile.city}}:alert(3)"}}]),
        json!([{"id": "t", "type": "text", "fields": {"link": "{{#if profile.vip}}java{{/if}}script:alert(4)"}}]),
    ];
    for blocks in cases {
        let d = doc(blocks.clone());
        match try_render(&d, &json!({"profile": {}})) {
            Err(message) => assert!(message.contains("scheme"), "{blocks}: {message}"),
            Ok(r) => panic!("{blocks} was accepted and rendered:\n{}", body(&r.html)),
        }
    }
    // Text after a placeholder that cannot start a scheme, and schemes written before the first tag, pass.
    for link in [
        "{{profile.url}}?utm=1",
        "{{profile.url}}/path",
        "https://example.com/{{profile.city}}:x",
        "{{#if profile.vip}}https://vip.example{{else}}https://example.com{{/if}}",
    ] {
        let d = doc(json!([{"id": "t", "type": "text", "fields": {"link": link}}]));
        let r = try_render(&d, &json!({"profile": {"url": "https://a.example", "vip": true}})).expect(link);
        assert!(!r.html.contains("javascript"), "{link}");
    }
}

#[test]
fn a_subject_of_300000_open_braces_composes_in_linear_time() {
    // Timed against a tenth of the text: linear work takes about ten times as long, the old
    // re-scan from every `{{` to the end a hundred times as long.
    let time = |subject: String| {
        let mut d = doc(json!([{"id": "t", "type": "text"}]));
        d.subject = subject;
        let started = std::time::Instant::now();
        let r = try_render(&d, &json!({"profile": {}}));
        (started.elapsed(), r)
    };
    for unit in ["{{", "{{a "] {
        let (small, _) = time(unit.repeat(30_000));
        let (large, r) = time(unit.repeat(300_000));
        assert!(
            large < small * 30,
            "{unit:?}: 30,000 in {small:?}, 300,000 in {large:?}"
        );
        if let Ok(r) = r {
            assert!(r.subject.len() >= 600_000, "the braces print as written");
        }
    }
}

#[test]
fn the_markers_private_use_characters_are_refused_by_name_in_designer_text() {
    for (field, text) in [
        ("body", "Hello \u{E000}0\u{E001} there"),
        ("body", "a\u{E002}b"),
        ("link", "https://example.com/\u{E001}"),
    ] {
        let d = doc(json!([{"id": "t", "type": "text", "fields": {field: text}}]));
        let message = try_render(&d, &json!({}))
            .err()
            .unwrap_or_else(|| panic!("{text:?} was accepted"));
        assert!(message.contains("U+E00") && message.contains("reserves"), "{message}");
    }
    let mut d = doc(json!([{"id": "t", "type": "text"}]));
    d.subject = "Sale \u{E000}".to_owned();
    let message = try_render(&d, &json!({})).expect_err("refused");
    assert!(message.contains("U+E000"), "{message}");
}

#[test]
fn live_blocks_keep_their_send_time_render_and_are_checked_against_their_type() {
    let mut lib = library();
    lib.insert(
        BlockType::from_sources(
            "live-grid",
            &json!({"name": "Live grid", "fields": [{"name": "source", "type": "data_path", "default": "recommendations"}], "live_feeds": ["recommendations", "availability"]}).to_string(),
            r"<table>{{#each block.source}}<tr><td>{{this.name}}</td></tr>{{/each}}</table>",
            "",
            BlockOrigin::BuiltIn,
        )
        .expect("valid block"),
    );
    let compose_with = |document: &Document| {
        let dict = dictionary();
        let brand = serde_json::Map::new();
        compose(&ComposeInput {
            document,
            library: &lib,
            dictionary: &dict,
            brand: &brand,
        })
    };
    let data = json!({"recommendations": [product(1), product(2)]});
    let render_with = |document: &Document| {
        let composed = compose_with(document);
        assert!(!composed.has_errors(), "{:#?}", composed.diagnostics);
        let compiled = Compiler::new().compile(&composed).expect("compiles");
        render(&compiled, &data).html
    };
    let plain = doc(json!([{"id": "grid", "type": "live-grid"}]));
    let live = doc(json!([{"id": "grid", "type": "live-grid", "live": {"feed": "recommendations", "max_age": "15m"}}]));
    assert_eq!(
        render_with(&plain),
        render_with(&live),
        "marking a block live changes nothing at send time"
    );

    let wrong_feed = doc(json!([{"id": "grid", "type": "live-grid", "live": {"feed": "cart"}}]));
    let d = compose_with(&wrong_feed).diagnostics;
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_eq!(
        d[0].to_string(),
        "block \"grid\", field \"live\": block type \"live-grid\" cannot show the live feed \"cart\"; it shows recommendations, availability"
    );
    let not_live = doc(json!([{"id": "t", "type": "text", "live": {"feed": "profile"}}]));
    let d = compose_with(&not_live).diagnostics;
    assert!(
        d[0].message.contains("cannot be live: it declares no live feeds"),
        "{d:#?}"
    );
    let nested = doc(json!([{"id": "t", "type": "text", "requires": ["profile.city"],
        "fallback": {"id": "g", "type": "live-grid", "live": {"feed": "recommendations"}}}]));
    let d = compose_with(&nested).diagnostics;
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_eq!(d[0].block.as_deref(), Some("g"));
    assert!(d[0].message.contains("only a top-level block can be live"), "{d:#?}");

    let bad_age = serde_json::from_value::<Document>(json!({"schema_version": 1, "name": "x",
        "blocks": [{"id": "g", "type": "live-grid", "live": {"feed": "recommendations", "max_age": "soon"}}]}))
    .unwrap_err();
    assert!(
        bad_age.to_string().contains("max_age \"soon\" is not a duration"),
        "{bad_age}"
    );
}
