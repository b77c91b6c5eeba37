//! `tessera import-email` through the real binary: every email of the corpus written for these tests
//! (`tests/import/corpus/`), the blocks and placeholders each becomes, the report, bad input (malformed,
//! too deep, 5 MB, scripts), the field mapping file and the refusal to overwrite.

mod common;

use std::path::{Path, PathBuf};

use common::{all, assert_exit, assert_mentions, repo, stdout, Dir};
use serde_json::Value;

fn corpus(name: &str) -> PathBuf {
    repo().join("tests/import/corpus").join(name)
}

/// Imports `file` into the workspace with `--json` and extra arguments; the result as JSON.
fn import(ws: &Dir, file: &Path, extra: &[&str]) -> Value {
    let path = file.to_str().expect("UTF-8 path");
    let mut args = vec!["import-email", path, "--json"];
    args.extend_from_slice(extra);
    let out = ws.run(&args);
    assert_exit(&out, 0);
    serde_json::from_str(&stdout(&out)).unwrap_or_else(|e| panic!("JSON from import-email: {e}\n{}", all(&out)))
}

fn document(ws: &Dir, email: &str) -> Value {
    serde_json::from_str(&ws.read(&format!("emails/{email}.email.json"))).expect("the document is JSON")
}

fn block_types(doc: &Value) -> Vec<String> {
    fn walk(blocks: &[Value], out: &mut Vec<String>) {
        for b in blocks {
            out.push(b["type"].as_str().unwrap_or_default().to_owned());
            if let Some(slots) = b["slots"].as_object() {
                for children in slots.values() {
                    walk(children.as_array().map_or(&[][..], Vec::as_slice), out);
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(doc["blocks"].as_array().map_or(&[][..], Vec::as_slice), &mut out);
    out
}

/// Renders an imported email as the sample recipient ada; the HTML.
fn render(ws: &Dir, email: &str) -> String {
    let out = ws.run(&["render", email, "--data", &ws.arg("data/ada.json")]);
    assert_exit(&out, 0);
    stdout(&out)
}

/// Every corpus email that imports, with the block types it must hold.
const IMPORTS: &[(&str, &[&str])] = &[
    (
        "mjml-columns-hero.mjml",
        &[
            "hero", "text", "columns", "image", "button", "divider", "spacer", "social",
        ],
    ),
    ("mjml-newsletter-three-columns.mjml", &["image", "text", "html"]),
    ("mjml-liquid-merge.mjml", &["text", "button"]),
    ("mjml-navbar-raw.mjml", &["html", "text"]),
    ("mjml-minimal.mjml", &["text"]),
    ("mailchimp-merge-tags.html", &["image", "text"]),
    ("liquid-shopify.html", &["image", "text", "button"]),
    ("braze-liquid.html", &["text", "image"]),
    ("ampscript-sfmc.html", &["text", "button"]),
    ("sendgrid-handlebars.html", &["text", "divider"]),
    ("marketo-dollar.html", &["image", "text", "button"]),
    ("hand-coded-mso.html", &["image", "text", "columns", "button"]),
    ("modern-tableless.html", &["image", "html", "button"]),
    ("transactional-receipt.html", &["text", "html"]),
    (
        "promo-images-buttons.html",
        &["image", "text", "button", "spacer", "columns"],
    ),
    ("newsletter-two-column.html", &["text", "columns", "image"]),
    ("plain-paragraphs.html", &["text"]),
    ("malformed-unclosed.html", &["text"]),
    ("malformed-attributes.html", &["html"]),
    ("script-javascript.html", &["text", "image", "html"]),
    ("deeply-nested.html", &["text"]),
];

#[test]
fn every_corpus_email_imports_as_blocks_that_render() {
    let ws = Dir::workspace();
    for (file, types) in IMPORTS {
        let result = import(&ws, &corpus(file), &[]);
        let email = result["email"].as_str().expect("email name").to_owned();
        let doc = document(&ws, &email);
        let found = block_types(&doc);
        for t in *types {
            assert!(found.iter().any(|f| f == t), "{file}: no {t} block in {found:?}");
        }
        assert!(
            result["problems"].as_array().is_some_and(Vec::is_empty),
            "{file}: {}",
            result["problems"]
        );
        let html = render(&ws, &email);
        assert!(!html.contains("<script"), "{file}: a script survived");
        // The report lists every block made.
        let listed = result["report"]["elements"]
            .as_array()
            .expect("elements")
            .iter()
            .filter(|e| matches!(e["went_to"]["kind"].as_str(), Some("block" | "html_block")))
            .count();
        assert!(
            listed >= found.len(),
            "{file}: {listed} report entries for {} blocks",
            found.len()
        );
    }
}

#[test]
fn the_mjml_report_lists_every_element_of_the_source() {
    let ws = Dir::workspace();
    for file in [
        "mjml-columns-hero.mjml",
        "mjml-newsletter-three-columns.mjml",
        "mjml-navbar-raw.mjml",
    ] {
        let source = std::fs::read_to_string(corpus(file)).expect("corpus file");
        let result = import(&ws, &corpus(file), &[]);
        let entries = result["report"]["elements"].as_array().expect("elements");
        let mut counted = 0usize;
        for e in entries {
            if e["element"].as_str().is_some_and(|t| t.starts_with("mj-")) {
                counted += 1 + e["went_to"]["descendants"]
                    .as_u64()
                    .map_or(0, |d| usize::try_from(d).unwrap_or(0));
            }
        }
        // Every `<mj-...` opening tag, `mj-attributes` children and the elements kept inside HTML blocks.
        let in_source = source.matches("<mj-").count();
        assert_eq!(
            counted, in_source,
            "{file}: the report accounts for {counted} of {in_source} MJML elements"
        );
        for e in entries {
            assert!(
                e["line"].as_u64().is_some_and(|l| l > 0),
                "{file}: an entry without a line: {e}"
            );
        }
    }
}

#[test]
fn mjml_maps_its_structure_attributes_and_head() {
    let ws = Dir::workspace();
    import(&ws, &corpus("mjml-columns-hero.mjml"), &["--name", "Spring launch"]);
    let doc = document(&ws, "spring-launch");
    assert_eq!(doc["name"], "Spring launch");
    assert_eq!(doc["subject"], "Spring collection is here");
    assert_eq!(doc["preheader"], "New jackets, new trails, 20% off this week");
    assert_eq!(doc["settings"]["background_color"], "#eef1ec");
    assert_eq!(doc["settings"]["font_family"], "Helvetica, Arial, sans-serif");
    let blocks = doc["blocks"].as_array().expect("blocks");
    let hero = &blocks[0];
    assert_eq!(hero["type"], "hero");
    assert_eq!(hero["fields"]["image"], "images/hero.png");
    assert_eq!(hero["fields"]["headline"], "Made for the season ahead");
    assert_eq!(hero["fields"]["cta_url"], "https://shop.example/spring");
    let columns = blocks.iter().find(|b| b["type"] == "columns").expect("columns");
    assert_eq!(columns["fields"]["ratio"], "50-50");
    assert_eq!(columns["slots"]["left"][0]["fields"]["src"], "images/product-a.png");
    assert_eq!(columns["slots"]["right"][0]["fields"]["alt"], "Merino beanie");
    // mj-class "cta" gives the button its colours.
    let button = blocks.iter().find(|b| b["type"] == "button").expect("button");
    assert_eq!(button["fields"]["background"], "#1f6f50");
    assert_eq!(button["fields"]["text_color"], "#ffffff");
    assert_eq!(button["fields"]["radius"], 6);
    let social = blocks.iter().find(|b| b["type"] == "social").expect("social");
    assert_eq!(social["fields"]["networks"][1]["url"], "https://facebook.com/northwind");
    // The Liquid greeting in the text became a placeholder with its fallback.
    let text = blocks.iter().find(|b| b["type"] == "text").expect("text");
    let body = text["fields"]["body"].as_str().expect("body");
    assert!(body.contains("{{default profile.first_name \"there\"}}"), "{body}");
    assert_eq!(text["fields"]["heading"], Value::Null);
}

#[test]
fn merge_syntax_becomes_placeholders_and_the_rest_stays_inert_text() {
    let ws = Dir::workspace();
    let mc = import(&ws, &corpus("mailchimp-merge-tags.html"), &[]);
    let doc = document(&ws, "mailchimp-merge-tags");
    let text = serde_json::to_string(&doc).expect("JSON");
    assert!(text.contains(r#"{{default profile.first_name \"member\"}}"#), "{text}");
    assert_eq!(
        doc["preheader"],
        "A note for {{profile.first_name}} about your membership"
    );
    // TIER and MEMBER_ID are not in the dictionary: literal, listed.
    assert!(text.contains("*|IF:TIER=gold|*"));
    let unmapped: Vec<&str> = mc["report"]["mapping"]
        .as_array()
        .expect("mapping")
        .iter()
        .filter(|m| m["path"].is_null())
        .filter_map(|m| m["esp_name"].as_str())
        .collect();
    assert!(
        unmapped.contains(&"TIER") && unmapped.contains(&"MEMBER_ID"),
        "{unmapped:?}"
    );
    let html = render(&ws, "mailchimp-merge-tags");
    assert!(html.contains("Hello Ada,"), "the placeholder renders as ada");
    assert!(html.contains("*|MEMBER_ID|*"), "unmapped tags print as written");

    // With a mapping file, TIER and MEMBER_ID convert too.
    let map = ws.write(
        "map.toml",
        "[fields]\nTIER = \"profile.loyalty_tier\"\nMEMBER_ID = \"profile.email\"\n",
    );
    import(
        &ws,
        &corpus("mailchimp-merge-tags.html"),
        &["--name", "mapped", "--map", map.to_str().expect("path")],
    );
    let mapped = serde_json::to_string(&document(&ws, "mapped")).expect("JSON");
    assert!(
        mapped.contains(r#"{{#if (eq profile.loyalty_tier \"gold\")}}Thank you for being a Gold member.{{else}}"#),
        "{mapped}"
    );
    assert!(mapped.contains("{{profile.email}}"));

    // Liquid (customer.first_name matched by name), AMPscript, Braze, ${x}, Handlebars.
    for (file, email, wanted) in [
        (
            "liquid-shopify.html",
            "liquid-shopify",
            r#"{{default profile.first_name \"there\"}}"#,
        ),
        (
            "liquid-shopify.html",
            "liquid-shopify",
            "{{#if profile.first_name}}{{upper profile.first_name}}{{/if}}",
        ),
        (
            "ampscript-sfmc.html",
            "ampscript-sfmc",
            r#"{{default profile.first_name \"customer\"}}"#,
        ),
        (
            "braze-liquid.html",
            "braze-liquid",
            r#"{{default profile.first_name \"traveller\"}}"#,
        ),
        ("braze-liquid.html", "braze-liquid", r#"{{default profile.city \"\"}}"#),
        (
            "marketo-dollar.html",
            "marketo-dollar",
            r#"Dear {{default profile.first_name \"\"}},"#,
        ),
        (
            "sendgrid-handlebars.html",
            "sendgrid-handlebars",
            r#"{{default profile.first_name \"Customer\"}}"#,
        ),
        (
            "sendgrid-handlebars.html",
            "sendgrid-handlebars",
            r#"{{#if profile.first_name}}We emailed your receipt to you, {{default profile.first_name \"\"}}."#,
        ),
    ] {
        if !ws.join(&format!("emails/{email}.email.json")).exists() {
            import(&ws, &corpus(file), &[]);
        }
        let text = serde_json::to_string(&document(&ws, email)).expect("JSON");
        assert!(text.contains(wanted), "{file}: no {wanted} in {text}");
    }
    // Unmapped Handlebars stays literal and can never run: escaped for the engine, printed as written.
    let sg = serde_json::to_string(&document(&ws, "sendgrid-handlebars")).expect("JSON");
    assert!(sg.contains(r"\\{{order_ref}}"), "{sg}");
    let html = render(&ws, "sendgrid-handlebars");
    assert!(
        html.contains("{&#123;order_ref}}") || html.contains("{{order_ref}}"),
        "{html}"
    );
    assert!(html.contains("We emailed your receipt to you, Ada."));
    let amp = render(&ws, "ampscript-sfmc");
    assert!(amp.contains("Hello Ada,") && !amp.contains("SET @fn"), "{amp}");
}

#[test]
fn scripts_handlers_and_dangerous_links_are_removed_and_listed() {
    let ws = Dir::workspace();
    let result = import(&ws, &corpus("script-javascript.html"), &[]);
    let doc = ws.read("emails/script-javascript.email.json").to_ascii_lowercase();
    for bad in [
        "<script",
        "onclick",
        "onerror",
        "onload",
        "javascript:",
        "vbscript:",
        "expression(",
        "<iframe",
        "<object",
        "<form",
        "data:text",
        "document.cookie",
    ] {
        assert!(!doc.contains(bad), "{bad} kept in {doc}");
    }
    let removed: Vec<String> = result["report"]["removed"]
        .as_array()
        .expect("removed")
        .iter()
        .map(|r| format!("{}:{}", r["line"], r["what"].as_str().unwrap_or_default()))
        .collect();
    for wanted in [
        "2:<script>",
        "3:onload",
        "5:onclick",
        "5:href=\"javascript:",
        "6:onerror",
        "7:<iframe>",
        "7:<object>",
        "7:<form>",
        "8:href=\"vbscript:",
        "8:src=\"data:",
    ] {
        assert!(
            removed.iter().any(|r| r.starts_with(wanted)),
            "{wanted} not in {removed:?}"
        );
    }
    let html = render(&ws, "script-javascript");
    assert!(
        html.contains("Styled") && html.contains("Pay"),
        "the text around dangerous parts is kept"
    );
}

#[test]
fn malformed_input_is_imported_with_a_report_or_refused_with_file_line_and_reason() {
    let ws = Dir::workspace();
    let out = ws.run(&["import-email", corpus("malformed-broken.mjml").to_str().expect("path")]);
    assert_exit(&out, 1);
    assert_mentions(&all(&out), &["malformed-broken.mjml:9", "not valid MJML"]);
    let out = ws.run(&["import-email", corpus("empty-body.html").to_str().expect("path")]);
    assert_exit(&out, 1);
    assert_mentions(&all(&out), &["empty-body.html", "holds no content"]);
    assert!(!ws.join("emails/malformed-broken.email.json").exists());
    assert!(!ws.join("emails/empty-body.email.json").exists());

    let result = import(&ws, &corpus("malformed-unclosed.html"), &[]);
    let warnings = result["report"]["warnings"].as_array().expect("warnings");
    assert!(warnings
        .iter()
        .any(|w| w["message"].as_str().is_some_and(|m| m.starts_with("malformed HTML"))));
    let html = render(&ws, "malformed-unclosed");
    assert!(html.contains("This cell never closes") && html.contains("bold text"));

    // A bad mapping file names its line.
    let map = ws.write(
        "bad-map.toml",
        "[fields]\nFNAME = \"profile.first_name\"\nTIER = \"not a path\"\n",
    );
    let out = ws.run(&[
        "import-email",
        corpus("mailchimp-merge-tags.html").to_str().expect("path"),
        "--map",
        map.to_str().expect("path"),
    ]);
    assert_exit(&out, 1);
    assert_mentions(&all(&out), &["bad-map.toml:3", "not a data path"]);
}

#[test]
fn deep_and_large_emails_import_without_hanging() {
    let ws = Dir::workspace();
    // 600 levels: imported, the levels past 200 attached at that depth and reported.
    let result = import(&ws, &corpus("deeply-nested.html"), &[]);
    assert!(result["report"]["warnings"]
        .as_array()
        .expect("warnings")
        .iter()
        .any(|w| w["message"]
            .as_str()
            .is_some_and(|m| m.contains("nested deeper than 200"))));
    assert!(render(&ws, "deeply-nested").contains("Deep inside."));
    // 100 000 levels: refused with the line of the element past the limit.
    let deep = format!("<html><body>\n{}</body></html>", "<div>".repeat(100_000));
    ws.write("very-deep.html", &deep);
    let out = ws.run(&["import-email", &ws.arg("very-deep.html")]);
    assert_exit(&out, 1);
    assert_mentions(&all(&out), &["very-deep.html:2", "nested more than 2000 levels"]);
    let mjml = format!("<mjml><mj-body>\n{}</mj-body></mjml>", "<mj-wrapper>".repeat(5_000));
    ws.write("very-deep.mjml", &mjml);
    let out = ws.run(&["import-email", &ws.arg("very-deep.mjml")]);
    assert_exit(&out, 1);
    assert_mentions(&all(&out), &["very-deep.mjml:2", "nested more than 150 levels"]);

    // A 5 MB email: a table of 12 000 rows of text, images and buttons.
    let mut big = String::from("<html><head><title>Big</title></head><body><table width=\"600\">\n");
    let mut i = 0;
    while big.len() < 5 * 1024 * 1024 {
        big.push_str(&format!(
            "<tr><td style=\"padding:8px;font-size:14px\"><p>Row {i}: *|FNAME|*, a line of text long enough to look like a real paragraph.</p></td></tr>\n\
             <tr><td align=\"center\"><a href=\"https://big.example/{i}\"><img src=\"images/banner.png\" width=\"600\" alt=\"Row {i}\"></a></td></tr>\n"
        ));
        i += 1;
    }
    big.push_str("</table></body></html>\n");
    ws.write("big.html", &big);
    let result = import(&ws, &ws.join("big.html"), &[]);
    assert_eq!(result["blocks"].as_u64(), Some(u64::try_from(2 * i).expect("count")));
    let too_big = "x".repeat(17 * 1024 * 1024);
    ws.write("too-big.html", &too_big);
    let out = ws.run(&["import-email", &ws.arg("too-big.html")]);
    assert_exit(&out, 1);
    assert_mentions(&all(&out), &["too-big.html", "more than the 16777216 bytes"]);
}

#[test]
fn an_existing_email_is_kept_unless_overwriting_is_asked_for() {
    let ws = Dir::workspace();
    import(&ws, &corpus("plain-paragraphs.html"), &["--name", "welcome-back"]);
    let before = ws.read("emails/welcome-back.email.json");
    let out = ws.run(&[
        "import-email",
        corpus("mjml-minimal.mjml").to_str().expect("path"),
        "--name",
        "welcome-back",
    ]);
    assert_exit(&out, 1);
    assert_mentions(&all(&out), &["welcome-back", "already exists"]);
    assert_eq!(
        ws.read("emails/welcome-back.email.json"),
        before,
        "nothing half-written"
    );
    import(
        &ws,
        &corpus("mjml-minimal.mjml"),
        &["--name", "welcome-back", "--overwrite"],
    );
    assert_ne!(ws.read("emails/welcome-back.email.json"), before);
    // The text output names where each element went.
    let out = ws.run(&["import-email", corpus("hand-coded-mso.html").to_str().expect("path")]);
    assert_exit(&out, 0);
    assert_mentions(
        &stdout(&out),
        &[
            "hand-coded-mso.email.json",
            "columns block",
            "button block",
            "<style> -> not kept",
            "@media",
        ],
    );
}
