//! The designer's preview as a stored profile and `tessera render --profile` are one use case: for
//! a VIP of the demo store, the app's preview shows the VIP-only block with the same recipient data
//! (live segments, recommendations, stale fields) the command line renders with.

mod common;

use common::{assert_exit, repo, stdout, Dir};
use tessera_workspace::clock;
use tessera_workspace::editor::{EditorSession, PreviewAs, PreviewRequest};

/// The preview's marks around each top-level block: `<div class="tsr-block" ...>` before it and
/// the pick link and `</div>` after it. Without them the preview is the email itself.
fn without_marks(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find("<div class=\"tsr-block\"") {
        out.push_str(&rest[..start]);
        let after = &rest[start..];
        let end = after.find('>').expect("a closed mark") + 1;
        rest = &after[end..];
    }
    out.push_str(rest);
    let mut cleaned = String::with_capacity(out.len());
    let mut rest = out.as_str();
    while let Some(start) = rest.find("<a class=\"tsr-pick\"") {
        cleaned.push_str(&rest[..start]);
        let after = &rest[start..];
        let end = after.find("</a></div>").expect("a closed pick link") + "</a></div>".len();
        rest = &after[end..];
    }
    cleaned.push_str(rest);
    cleaned
}

#[test]
fn the_apps_preview_of_a_stored_vip_equals_the_command_lines_render() {
    let ws = Dir::workspace();
    let store = repo().join("fixtures/demo/store");
    for (file, kind) in [
        ("profiles.csv", "profiles"),
        ("products.csv", "products"),
        ("events.jsonl", "events"),
    ] {
        let path = store.join(file).display().to_string();
        assert_exit(&ws.run(&["import", &path, "--kind", kind]), 0);
    }
    let members = ws.run(&["segments", "members", "vip", "--limit", "1", "--json"]);
    assert_exit(&members, 0);
    let members: serde_json::Value = serde_json::from_str(&stdout(&members)).expect("JSON");
    let vip = members[0]["email"]
        .as_str()
        .expect("the demo store has a VIP")
        .to_owned();

    let render = ws.run(&[
        "render",
        "seasonal-sale",
        "--profile",
        &vip,
        "--out",
        "cli.html",
        "--text",
        "cli.txt",
        "--report",
        "cli.report.json",
    ]);
    assert_exit(&render, 0);
    let cli_html = ws.read("cli.html");
    let cli_report: serde_json::Value = serde_json::from_str(&ws.read("cli.report.json")).expect("report JSON");
    assert!(
        cli_html.contains("early-access"),
        "the command line shows the VIP-only block"
    );

    let data_dir = tempfile::tempdir().expect("temp dir");
    let mut session = EditorSession::start(data_dir.path()).expect("start");
    session.open(ws.path()).expect("open the workspace");
    let document = session.load("seasonal-sale").expect("load").document;
    let preview = session
        .preview(
            &PreviewRequest {
                document,
                profile: PreviewAs::Stored(vip.clone()),
                email: None,
            },
            clock::now_ms(),
        )
        .expect("preview");
    let html = preview.html.expect("the email renders");
    assert!(
        html.contains("data-tsr-block=\"vip-offer\""),
        "the preview shows the VIP-only block"
    );
    // The preview loads the workspace's assets through the app's protocol; otherwise it is the
    // command line's render.
    let (cli_html, mapped) = tessera_core::assets::rewrite_asset_urls(&cli_html, |name| {
        Some(tessera_workspace::editor::asset_preview_url(name))
    });
    assert!(!mapped.is_empty(), "the demo email uses its own images");
    assert_eq!(
        without_marks(&html),
        cli_html,
        "the preview is the command line's render, marked"
    );
    assert_eq!(preview.text, ws.read("cli.txt"));
    let report = serde_json::to_value(preview.report.expect("report")).expect("report JSON");
    assert_eq!(report, cli_report, "same fallbacks, blocks, segments and stale fields");
    assert!(
        report["shown_blocks"].to_string().contains("vip-offer"),
        "the VIP-only block is shown by its rule: {}",
        report["shown_blocks"]
    );
}
