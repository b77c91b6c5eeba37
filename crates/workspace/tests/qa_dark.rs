//! The QA's contrast check in dark mode reads the dark colours the designer authors (per email in
//! the settings, per block in its `dark` look), as the theme emits them into the rendered email:
//! a dark text colour on a dark background fails, the same pair fixed passes.

use serde_json::json;
use tessera_workspace::qa::QaAs;
use tessera_workspace::Workspace;

/// A workspace made by `tessera init` with one more email, `dark`, whose text block carries
/// `block_dark` and whose settings carry `settings`.
fn workspace_with(settings: &serde_json::Value, block_dark: &serde_json::Value) -> (tempfile::TempDir, Workspace) {
    let dir = tempfile::tempdir().expect("temp dir");
    tessera_workspace::init(dir.path()).expect("init");
    let email = json!({
        "schema_version": 1,
        "name": "Dark check",
        "subject": "Winter sale",
        "preheader": "Forty percent off jackets and boots",
        "settings": settings,
        "blocks": [
            {
                "id": "story",
                "type": "text",
                "fields": {
                    "heading": "Our winter sale",
                    "body": "<p>Jackets, boots, hats and gloves for the whole season, all forty percent off until Sunday.</p>"
                },
                "dark": block_dark
            },
            {
                "id": "footer",
                "type": "footer",
                "fields": {}
            }
        ]
    });
    std::fs::write(
        dir.path().join("emails").join("dark.email.json"),
        serde_json::to_vec_pretty(&email).expect("json"),
    )
    .expect("write the email");
    let ws = Workspace::open(dir.path()).expect("open");
    (dir, ws)
}

/// The dark-mode contrast findings of the email, with their block.
fn dark_findings(settings: &serde_json::Value, block_dark: &serde_json::Value) -> Vec<(Option<String>, String)> {
    let (_dir, mut ws) = workspace_with(settings, block_dark);
    let entry = ws.email("dark").expect("the email");
    let result = ws.qa(&entry, &QaAs::Empty, None, 0).expect("qa");
    result
        .cases
        .iter()
        .flat_map(|c| c.report.findings.iter())
        .filter(|f| f.rule == "a11y:contrast-dark")
        .map(|f| (f.block.clone(), f.message.clone()))
        .collect()
}

#[test]
fn a_blocks_dark_text_on_its_dark_background_fails_and_the_fixed_pair_passes() {
    let no_settings = json!({});
    let bad = dark_findings(&no_settings, &json!({"background": "#111111", "text": "#222222"}));
    assert!(
        bad.iter()
            .any(|(block, message)| block.as_deref() == Some("story") && message.contains("#222222 on #111111")),
        "{bad:#?}"
    );
    let good = dark_findings(&no_settings, &json!({"background": "#111111", "text": "#eeeeee"}));
    assert!(good.is_empty(), "{good:#?}");
}

#[test]
fn the_emails_dark_colours_are_read_too() {
    // The email's dark text colour, on the dark backgrounds of the email and the block types.
    let bad = json!({"dark_content_background_color": "#141a17", "dark_text_color": "#2a2f2c"});
    let found = dark_findings(&bad, &json!({}));
    assert!(
        found
            .iter()
            .any(|(block, message)| block.as_deref() == Some("story") && message.contains("text #2a2f2c on")),
        "{found:#?}"
    );
    let good = json!({"dark_content_background_color": "#141a17", "dark_text_color": "#e8ece9"});
    let found = dark_findings(&good, &json!({}));
    assert!(found.is_empty(), "{found:#?}");
}
