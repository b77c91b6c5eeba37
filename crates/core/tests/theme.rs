//! Contract tests of the head styles that come from settings and per-block options: the brand web
//! font with its Outlook fallback, dark colours and images in `prefers-color-scheme` and Outlook.com
//! forms, device visibility. The emitted head is compared with a reviewed golden file
//! (`tests/golden/theme-head.html`, `TESSERA_BLESS=1` rewrites it for review); the body's wrappers
//! are checked by what each client family relies on.

use serde_json::{json, Value};
use tessera_core::model::{BlockLibrary, BlockOrigin, BlockType, Dictionary, Document};
use tessera_core::{compose, render, Compiler, ComposeInput};

fn library() -> BlockLibrary {
    let mut lib = BlockLibrary::new();
    let add = |lib: &mut BlockLibrary, id: &str, schema: Value, hbs: &str, css: &str| {
        lib.insert(
            BlockType::from_sources(id, &schema.to_string(), hbs, css, BlockOrigin::BuiltIn).expect("valid block"),
        );
    };
    add(
        &mut lib,
        "logo",
        json!({"name": "Logo", "fields": [{"name": "src", "type": "image", "default": "https://example.com/logo.png"}, {"name": "alt", "type": "text", "default": "Brand"}]}),
        r#"<table class="t-logo" role="presentation" width="100%"><tr><td class="t-logo__cell"><img src="{{block.src}}" alt="{{block.alt}}" width="160"></td></tr></table>"#,
        "@media (prefers-color-scheme: dark) { .t-logo .t-logo__cell { background-color: #111111 !important; } }",
    );
    add(
        &mut lib,
        "text",
        json!({"name": "Text", "fields": [{"name": "body", "type": "text", "default": "Hello"}]}),
        r#"<table class="t-text" role="presentation" width="100%"><tr><td><p>{{block.body}}</p></td></tr></table>"#,
        "",
    );
    add(
        &mut lib,
        "pair",
        json!({"name": "Pair", "fields": [], "slots": ["left"]}),
        r#"<table class="t-pair" role="presentation" width="100%"><tr><td>{{slot "left"}}</td></tr></table>"#,
        "",
    );
    lib
}

fn compose_doc(document: Value, brand: &Value) -> tessera_core::Composed {
    let document: Document = serde_json::from_value(document).expect("valid document");
    let lib = library();
    let dict = Dictionary::new(Vec::new()).expect("empty dictionary");
    let brand = brand.as_object().cloned().unwrap_or_default();
    compose(&ComposeInput {
        document: &document,
        library: &lib,
        dictionary: &dict,
        brand: &brand,
    })
}

fn render_html(document: Value, brand: &Value) -> String {
    let composed = compose_doc(document, brand);
    assert!(!composed.has_errors(), "{:#?}", composed.diagnostics);
    let compiled = Compiler::new().compile(&composed).expect("compiles");
    render(&compiled, &json!({})).html
}

fn themed_email() -> (Value, Value) {
    let brand = json!({
        "font_family": "Helvetica, Arial, sans-serif",
        "web_font_name": "Fraunces",
        "web_font_url": "assets/fraunces-0a1b2c3d4e5f.woff2",
        "dark_background_color": "#0b0f0d",
        "dark_content_background_color": "#141a17",
        "dark_text_color": "#e8ece9",
        "dark_link_color": "#8fd3b0"
    });
    let doc = json!({
        "schema_version": 1,
        "name": "Themed",
        "blocks": [
            {"id": "logo", "type": "logo", "fields": {"src": "assets/logo-111111111111.png"},
             "dark": {"background": "#000000", "text": "#fafafa", "image": "assets/logo-dark-222222222222.png"}},
            {"id": "wide", "type": "text", "fields": {"body": "Desktop words"}, "device": "desktop"},
            {"id": "narrow", "type": "text", "fields": {"body": "Mobile words"}, "device": "mobile"},
            {"id": "plain", "type": "text", "fields": {"body": "Everyone"}}
        ]
    });
    (doc, brand)
}

fn head_of(html: &str) -> &str {
    let start = html.find("<head>").expect("a head");
    let end = html.find("</head>").expect("a head end");
    &html[start..end + "</head>".len()]
}

#[test]
fn head_styles_match_the_reviewed_golden_file() {
    let (doc, brand) = themed_email();
    let html = render_html(doc, &brand);
    let head = head_of(&html);
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/theme-head.html");
    if std::env::var_os("TESSERA_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().expect("a folder")).expect("mkdir");
        std::fs::write(&path, head).expect("write golden");
    }
    let golden = std::fs::read_to_string(&path).expect("golden file (TESSERA_BLESS=1 writes it)");
    assert_eq!(
        head, golden,
        "the head changed: review it and bless with TESSERA_BLESS=1"
    );
}

#[test]
fn web_font_has_font_face_stack_and_outlook_fallback() {
    let (doc, brand) = themed_email();
    let html = render_html(doc, &brand);
    let head = head_of(&html);
    assert!(head.contains(
        "@font-face { font-family: 'Fraunces'; src: url(assets/fraunces-0a1b2c3d4e5f.woff2) format('woff2');"
    ));
    assert!(head.contains("mso-font-alt: 'Helvetica'"), "{head}");
    assert!(head.contains("<!--[if mso]><style>body, table, td, th, p, a, span, li, h1, h2, h3, h4 { font-family: Helvetica, Arial, sans-serif !important; }</style><![endif]-->"));
    // The container's inline font stack starts with the web font, the fallback after it.
    assert!(
        html.contains("font-family: Fraunces, Helvetica, Arial, sans-serif;"),
        "{html}"
    );
}

#[test]
fn dark_rules_come_in_media_query_and_outlook_com_forms_in_separate_styles() {
    let (doc, brand) = themed_email();
    let html = render_html(doc, &brand);
    let head = head_of(&html);
    let styles: Vec<&str> = head.split("<style>").skip(1).collect();
    let media = styles
        .iter()
        .find(|s| s.contains("@font-face"))
        .expect("the theme style");
    let outlook = styles
        .iter()
        .find(|s| s.contains("[data-ogsc]"))
        .expect("the Outlook.com style");
    assert!(
        !media.contains("[data-og"),
        "attribute selectors stay out of the media-query style"
    );
    assert!(media
        .contains("@media (prefers-color-scheme: dark) { .t-body, .t-outer { background-color: #0b0f0d !important; }"));
    assert!(media.contains(".t-content .t-b-logo td { background-color: #000000 !important; }"));
    assert!(media.contains(".t-content .t-b-logo .t-light-img { display: none !important; }"));
    for form in [
        "[data-ogsb] .t-body, [data-ogsb] .t-outer { background-color: #0b0f0d !important; }",
        "[data-ogsc] .t-content a { color: #8fd3b0 !important; }",
        "[data-ogsb] .t-content .t-b-logo td { background-color: #000000 !important; }",
        "[data-ogsc] .t-content .t-b-logo .t-dark-img { display: block !important;",
    ] {
        assert!(outlook.contains(form), "{form} in {outlook}");
    }
}

#[test]
fn dark_image_is_a_hidden_copy_outlook_never_sees_and_text_skips() {
    let (doc, brand) = themed_email();
    let html = render_html(doc, &brand);
    let light = html.find(r#"<div class="t-light-img"><table"#).expect("the light copy");
    let dark = html
        .find(r#"<!--[if !mso]><!--><div class="t-dark-img" style="display:none;max-height:0;overflow:hidden;mso-hide:all;"><table"#)
        .expect("the dark copy, hidden inline, inside a not-Outlook conditional");
    assert!(light < dark);
    let dark_part = &html[dark..];
    let img = dark_part
        .find("assets/logo-dark-222222222222.png")
        .expect("the dark image");
    assert!(img < dark_part.find("<!--<![endif]-->").expect("end of the conditional"));
    assert_eq!(html.matches("assets/logo-111111111111.png").count(), 1);
    // The plain-text part does not repeat the hidden copy.
    let composed = compose_doc(themed_email().0, &themed_email().1);
    let compiled = Compiler::new().compile(&composed).expect("compiles");
    let text = render(&compiled, &json!({})).text;
    assert_eq!(text.matches("Desktop words").count(), 1, "{text}");
    assert_eq!(text.matches("Everyone").count(), 1, "{text}");
    // Hidden inline, the mobile copy is left out like every display:none element.
    assert!(!text.contains("Mobile words"), "{text}");
}

#[test]
fn device_visibility_survives_inlining_with_safe_inline_defaults() {
    let (doc, brand) = themed_email();
    let html = render_html(doc, &brand);
    let wide = html
        .find(r#"<div class="t-b-wide t-desktop-only"><table"#)
        .expect("desktop wrapper without inline hiding");
    let narrow = html
        .find(r#"<!--[if !mso]><!--><div class="t-b-narrow t-mobile-only" style="display:none;max-height:0;overflow:hidden;mso-hide:all;"><table"#)
        .expect("mobile wrapper hidden inline, out of Outlook's sight");
    assert!(wide < narrow);
    let head = head_of(&html);
    assert!(head.contains("@media only screen and (max-width: 480px) { .t-desktop-only { display: none !important; max-height: 0 !important; overflow: hidden !important; } .t-mobile-only { display: block !important; max-height: none !important; overflow: visible !important; } }"));
    assert!(!html.contains("t-b-plain"), "blocks without options keep their markup");
}

#[test]
fn an_email_without_options_has_no_theme_markup() {
    let html = render_html(
        json!({"schema_version": 1, "name": "Plain", "blocks": [{"id": "a", "type": "text"}]}),
        &json!({}),
    );
    assert!(!html.contains("tessera-head-markup"));
    assert!(!html.contains("data-ogsc"));
    assert!(!html.contains("@font-face"));
}

#[test]
fn bad_options_are_named_by_block_and_field() {
    let cases = [
        (
            json!({"id": "a", "type": "text", "dark": {"text": "red"}}),
            "dark.text",
            "\"red\" is not a colour",
        ),
        (
            json!({"id": "a", "type": "text", "dark": {"image": "assets/x-1.png"}}),
            "dark.image",
            "has no image field",
        ),
        (
            json!({"id": "a", "type": "pair", "dark": {"image": "assets/x-1.png"}}),
            "dark.image",
            "blocks without slots",
        ),
        (
            json!({"id": "a", "type": "logo", "dark": {"image": "javascript:alert(1)"}}),
            "dark.image",
            "not a link email clients can open safely",
        ),
    ];
    for (block, field, message) in cases {
        let composed = compose_doc(
            json!({"schema_version": 1, "name": "Bad", "blocks": [block]}),
            &json!({}),
        );
        let found = composed
            .diagnostics
            .iter()
            .find(|d| d.field.as_deref() == Some(field))
            .unwrap_or_else(|| panic!("no diagnostic on {field}: {:#?}", composed.diagnostics));
        assert_eq!(found.block.as_deref(), Some("a"));
        assert!(found.message.contains(message), "{}", found.message);
    }
    for (brand, message) in [
        (json!({"web_font_name": "Fraunces"}), "go together"),
        (
            json!({"web_font_name": "Fraunces", "web_font_url": "http://x.example/f.woff2"}),
            "web_font_url must be",
        ),
        (
            json!({"web_font_name": "Fraunces", "web_font_url": "https://x.example/f.woff2)"}),
            "web_font_url must be",
        ),
        (
            json!({"web_font_name": "Frau;nces", "web_font_url": "https://x.example/f.woff2"}),
            "web_font_name must be",
        ),
        (json!({"dark_text_color": "dark"}), "dark_text_color must be a colour"),
    ] {
        let composed = compose_doc(json!({"schema_version": 1, "name": "Bad", "blocks": []}), &brand);
        let found = composed
            .diagnostics
            .iter()
            .find(|d| d.field.as_deref() == Some("settings"))
            .unwrap_or_else(|| panic!("no settings diagnostic for {brand}"));
        assert!(found.message.contains(message), "{}", found.message);
    }
}
