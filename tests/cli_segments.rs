//! The segment commands of the CLI: list, show, count, members, refresh, render with live
//! segments and recommendations, preview-matrix, and clear errors for bad definitions.

mod common;

use common::{all, assert_exit, assert_mentions, stdout, Dir};

const PROFILES: &str = "email,first_name,last_name,loyalty_tier,updated_at
ada@example.com,Ada,Lovelace,Summit,2026-11-01T10:00:00Z
ben@example.com,Ben,Okafor,Member,2026-11-01T10:00:00Z
";

const HOUR: i64 = 3_600_000;

/// The events happen hours before the test runs: renders evaluate segments and recommendations
/// at the wall clock's now.
fn events(now: i64) -> String {
    let at = |hours: i64| tessera_store::ms_to_rfc3339(now - hours * HOUR);
    format!(
        r#"{{"email":"ben@example.com","type":"add_to_cart","sku":"NW-1001","value":189,"currency":"USD","occurred_at":"{}"}}
{{"email":"ada@example.com","type":"product_view","sku":"NW-1001","category":"jackets/insulated","occurred_at":"{}"}}
"#,
        at(4),
        at(14)
    )
}

/// A workspace with a store, refreshed as of the returned instant (RFC 3339).
fn store() -> (Dir, i64) {
    let now = tessera_store::now_ms();
    let ws = Dir::workspace();
    ws.write("p.csv", PROFILES);
    ws.write("e.jsonl", &events(now));
    assert_exit(&ws.run(&["import", "p.csv", "--kind", "profiles"]), 0);
    let import = ws.run(&["import", "e.jsonl", "--kind", "events"]);
    assert_exit(&import, 0);
    // The import itself put Ben in the cart abandoners.
    assert_mentions(&stdout(&import), &["segment cart-abandoners: 1 entered, 0 left"]);
    assert_exit(
        &ws.run(&["segments", "refresh", "--as-of", &tessera_store::ms_to_rfc3339(now)]),
        0,
    );
    (ws, now)
}

#[test]
fn segments_list_show_count_members_and_refresh() {
    let (ws, now) = store();
    let list = ws.run(&["segments", "list"]);
    assert_exit(&list, 0);
    assert_mentions(&stdout(&list), &["cart-abandoners", "vip", "high-value"]);
    let members = ws.run(&["segments", "members", "cart-abandoners", "--json"]);
    assert_exit(&members, 0);
    let members: serde_json::Value = serde_json::from_str(&stdout(&members)).expect("JSON");
    assert_eq!(members.as_array().map(Vec::len), Some(1));
    assert_eq!(members[0]["email"], "ben@example.com");
    let vip = ws.run(&["segments", "members", "vip", "--limit", "5"]);
    assert_mentions(&stdout(&vip), &["ada@example.com"]);
    let count = ws.run(&["segments", "count", "viewed-not-bought", "--json"]);
    let count: serde_json::Value = serde_json::from_str(&stdout(&count)).expect("JSON");
    assert_eq!(count[0]["members"], 1);
    let show = ws.run(&["segments", "show", "cart-abandoners"]);
    assert_exit(&show, 0);
    assert_mentions(
        &stdout(&show),
        &[
            "1+ add_to_cart in the last 24h with no purchase since",
            "add_to_cart events",
            "members: 1",
            "sql: EXISTS",
        ],
    );
    // A day later the cart is too old.
    let later = ws.run(&[
        "segments",
        "refresh",
        "--as-of",
        &tessera_store::ms_to_rfc3339(now + 24 * HOUR),
    ]);
    assert_mentions(&stdout(&later), &["cart-abandoners", "(+0 −1)"]);
}

#[test]
fn render_as_a_profile_uses_live_segments_and_recommendations() {
    let (ws, _) = store();
    ws.write(
        "products.csv",
        "sku,name,price,currency,category,stock\nNW-1001,Ridgeline Jacket,189,USD,jackets/insulated,5\nNW-1002,Summit Parka,329,USD,jackets/insulated,5\n",
    );
    assert_exit(&ws.run(&["import", "products.csv", "--kind", "products"]), 0);
    let out = ws.run(&[
        "render",
        "seasonal-sale",
        "--profile",
        "ada@example.com",
        "--out",
        "s.html",
        "--report",
        "r.json",
    ]);
    assert_exit(&out, 0);
    let report: serde_json::Value = serde_json::from_str(&ws.read("r.json")).expect("JSON");
    assert_eq!(report["shown_blocks"][0]["block"], "vip-offer", "{report:#}");
    assert_mentions(&report["shown_blocks"][0]["reason"].to_string(), &["in_segment"]);
    // Ben is not VIP: the block is hidden and the report says which rule hid it.
    assert_exit(
        &ws.run(&[
            "render",
            "seasonal-sale",
            "--profile",
            "ben@example.com",
            "--report",
            "b.json",
            "--out",
            "b.html",
        ]),
        0,
    );
    let report: serde_json::Value = serde_json::from_str(&ws.read("b.json")).expect("JSON");
    let hidden = report["hidden_blocks"].to_string();
    assert_mentions(&hidden, &["vip-offer", "show_if `in_segment \\\"vip\\\"` is false"]);
    // Ada viewed a jacket: the parka is recommended (the jacket too: she did not buy it).
    assert_exit(
        &ws.run(&[
            "render",
            "abandoned-cart",
            "--profile",
            "ada@example.com",
            "--out",
            "a.html",
        ]),
        0,
    );
    assert_mentions(&ws.read("a.html"), &["You might also like", "Summit Parka"]);
}

#[test]
fn preview_matrix_writes_cases_and_an_index() {
    let (ws, now) = store();
    let out = ws.run(&[
        "preview-matrix",
        "seasonal-sale",
        "--out",
        "pm",
        "--as-of",
        &tessera_store::ms_to_rfc3339(now),
    ]);
    assert_exit(&out, 0);
    assert_mentions(
        &stdout(&out),
        &[
            "segments referred to: vip",
            "segment-vip",
            "edge-missing-fields",
            "edge-right-to-left",
            "edge-html-special",
        ],
    );
    let index = ws.read("pm/index.html");
    assert_mentions(&index, &["segment-vip.html", "edge-empty-cart.html", "<iframe sandbox"]);
    let matrix: serde_json::Value = serde_json::from_str(&ws.read("pm/matrix.json")).expect("JSON");
    let vip = &matrix["cases"][0];
    assert_eq!(vip["profile"], "ada@example.com");
    assert!(vip["visible_blocks"].to_string().contains("vip-offer"));
    let missing = matrix["cases"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["name"] == "edge-missing-fields"))
        .expect("edge case");
    assert!(!missing["visible_blocks"].to_string().contains("vip-offer"));
    // The HTML-special names are escaped in the render.
    let special = ws.read("pm/edge-html-special.html");
    assert!(!special.contains("<script>alert(1)"), "escaped");
}

#[test]
fn bad_definitions_name_the_file_and_json_path() {
    let ws = Dir::workspace();
    ws.write(
        "segments/broken.json",
        r#"{"rule": {"all": [{"event": "purchase", "within": "2 weeks"}]}}"#,
    );
    let out = ws.run(&["segments", "list"]);
    assert_exit(&out, 1);
    assert_mentions(
        &all(&out),
        &["segments/broken.json", "rule.all[0].within", "not a duration"],
    );
    ws.write("segments/broken.json", r#"{"rule": {"segment": "broken"}}"#);
    let out = ws.run(&["segments", "list"]);
    assert_exit(&out, 1);
    assert_mentions(&all(&out), &["cycle", "broken → broken"]);
    std::fs::remove_file(ws.join("segments/broken.json")).expect("remove");
    let out = ws.run(&["segments", "members", "nope"]);
    assert_exit(&out, 1);
    assert_mentions(&all(&out), &["no segment \"nope\"", "cart-abandoners"]);
}
