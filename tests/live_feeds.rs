//! The signed feeds of AMP live blocks on a real `tessera serve` process: the JSON `amp-list`
//! reads, computed at request time from the store (it moves when an event arrives), the same as
//! the workspace's own computation for that profile; AMP CORS versions 1 and 2 and a refused
//! sender; forged, expired, other-block, other-purpose, rotated and revoked tokens; each feed
//! kind's shape; and a store that cannot answer within the budget (stale answers).

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

#[path = "support/serve.rs"]
mod serve;
use serve::Server;
#[path = "support/feeds.rs"]
mod feeds;
use feeds::{request, run, workspace, SENDER, UWE};

/// The feed path (without the collector address) of `block` in the AMP part rendered for `who`.
fn feed_path(ws: &Path, email: &str, block: &str, who: &str) -> String {
    let out = ws.join(format!("{email}-{block}.amp.html"));
    run(
        ws,
        &[
            "render",
            email,
            "--profile",
            who,
            "--out",
            ws.join("x.html").to_str().expect("utf-8"),
            "--amp",
            out.to_str().expect("utf-8"),
        ],
    );
    let html = std::fs::read_to_string(out).expect("AMP part");
    let prefix = format!("https://live.northwind.example/feeds/{email}/{block}?t=");
    let start = html.find(&prefix).unwrap_or_else(|| panic!("no feed URL for {block}"));
    let rest = &html[start + "https://live.northwind.example".len()..];
    rest[..rest.find('"').expect("end of the URL")].to_owned()
}

fn v2(sender: &str) -> [(&str, &str); 1] {
    [("AMP-Email-Sender", sender)]
}

#[test]
fn a_feed_answers_what_the_store_holds_at_request_time_for_an_allowed_sender() {
    let (_dir, ws) = workspace();
    let cart = feed_path(&ws, "abandoned-cart", "cart-items", UWE);
    let key: Value = serde_json::from_str(&run(&ws, &["keys", "create", "--write", "--json"])).expect("key");
    let server = Server::spawn(&ws, &[], &[]);

    let answer = request(server.addr, "GET", &cart, &v2(SENDER), "");
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.header("amp-email-allow-sender"), Some(SENDER));
    assert_eq!(
        answer.header("cache-control"),
        Some("private, max-age=900"),
        "max_age 15m"
    );
    assert_eq!(answer.header("content-type"), Some("application/json"));
    let body = answer.json();
    let items = body["items"].as_array().expect("items");
    assert_eq!(items.len(), 1);
    assert!(body.get("stale").is_none());

    // The same as the workspace's own computation for this stored profile, now.
    let mut workspace = tessera_workspace::Workspace::discover(Some(&ws), &ws).expect("workspace");
    let entry = workspace.email("abandoned-cart").expect("email");
    let template = workspace.live_template(&entry, "cart-items").expect("template");
    let stored = workspace
        .stored_recipient(UWE, tessera_workspace::clock::now_ms())
        .expect("stored");
    // The item is the block's template data, with the cart's feed shape under `live`.
    let mut item = body["items"][0].clone();
    let live = item
        .as_object_mut()
        .and_then(|i| i.remove("live"))
        .expect("the feed's shape");
    assert_eq!(json!({"items": [item]}), template.feed(&stored.data));
    assert_eq!(live["feed"], "cart");
    let shaped: Vec<&str> = live["products"]
        .as_array()
        .expect("products")
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    let stored_names: Vec<&str> = stored.data["cart"]["items"]
        .as_array()
        .expect("items")
        .iter()
        .take(6)
        .filter_map(|i| i["name"].as_str())
        .collect();
    assert_eq!(shaped, stored_names);
    assert!(live["total"].as_str().is_some_and(|t| !t.is_empty()), "{live}");
    let names = |b: &Value| -> Vec<String> {
        b["items"][0]["root"]["cart"]["items"]
            .as_array()
            .map(|a| a.iter().filter_map(|i| i["name"].as_str().map(str::to_owned)).collect())
            .unwrap_or_default()
    };
    let before = names(&body);
    assert!(!before.is_empty(), "Uwe has a cart: {body}");

    // An item added to the cart through the collector shows in the next answer.
    let secret = key["secret"].as_str().expect("secret");
    use base64::Engine as _;
    let auth = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{secret}:"))
    );
    let track = json!({"userId": "uwe-1", "event": "Product Added", "properties": {"sku": "NW-1001", "price": 10, "quantity": 1},
        "context": {"traits": {"email": UWE}}});
    let identify = json!({"userId": "uwe-1", "traits": {"email": UWE}});
    assert_eq!(
        request(
            server.addr,
            "POST",
            "/v1/identify",
            &[("Authorization", &auth), ("Content-Type", "application/json")],
            &identify.to_string()
        )
        .status,
        200
    );
    let tracked = request(
        server.addr,
        "POST",
        "/v1/track",
        &[("Authorization", &auth), ("Content-Type", "application/json")],
        &track.to_string(),
    );
    assert_eq!(tracked.status, 200, "{}", tracked.body);
    let after = request(server.addr, "GET", &cart, &v2(SENDER), "").json();
    assert_ne!(body, after, "the cart moved at request time");
    assert!(names(&after).len() >= before.len());
}

#[test]
fn cors_versions_one_and_two_and_a_refused_sender() {
    let (_dir, ws) = workspace();
    let cart = feed_path(&ws, "abandoned-cart", "cart-items", UWE);
    let server = Server::spawn(&ws, &[], &[]);
    // Version 1: Origin and __amp_source_origin.
    let v1 = format!("{cart}&__amp_source_origin=news%40northwind.example");
    let answer = request(server.addr, "GET", &v1, &[("Origin", "https://mail.google.com")], "");
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(
        answer.header("access-control-allow-origin"),
        Some("https://mail.google.com")
    );
    assert_eq!(answer.header("amp-access-control-allow-source-origin"), Some(SENDER));
    assert_eq!(
        answer.header("access-control-expose-headers"),
        Some("AMP-Access-Control-Allow-Source-Origin")
    );
    // Refused: another sender (both versions), an origin without a source.
    let other = format!("{cart}&__amp_source_origin=evil%40attacker.example");
    for answer in [
        request(server.addr, "GET", &cart, &v2("evil@attacker.example"), ""),
        request(server.addr, "GET", &other, &[("Origin", "https://mail.google.com")], ""),
        request(server.addr, "GET", &cart, &[("Origin", "https://attacker.example")], ""),
    ] {
        assert_eq!(answer.status, 403);
        assert!(answer.body.is_empty(), "no detail: {}", answer.body);
        assert!(answer.header("amp-email-allow-sender").is_none());
        assert!(answer.header("access-control-allow-origin").is_none());
    }
}

#[test]
fn forged_expired_misplaced_rotated_and_revoked_tokens() {
    let (_dir, ws) = workspace();
    let cart = feed_path(&ws, "abandoned-cart", "cart-items", UWE);
    let recs = feed_path(&ws, "abandoned-cart", "recommendations", UWE);
    let server = Server::spawn(&ws, &[], &[]);
    let token = cart.split("?t=").nth(1).expect("token").to_owned();
    let get = |path: &str| request(server.addr, "GET", path, &v2(SENDER), "");
    assert_eq!(get(&cart).status, 200);
    assert_eq!(get(&recs).status, 200);
    // Forged: one character changed; another block's or email's path; no token.
    let mut forged = token.clone().into_bytes();
    let last = forged.len() - 5;
    forged[last] = if forged[last] == b'A' { b'B' } else { b'A' };
    let forged = String::from_utf8(forged).expect("ASCII");
    for path in [
        format!("/feeds/abandoned-cart/cart-items?t={forged}"),
        format!("/feeds/abandoned-cart/recommendations?t={token}"),
        format!("/feeds/seasonal-sale/picks?t={token}"),
        "/feeds/abandoned-cart/cart-items".to_owned(),
        "/feeds/abandoned-cart/cart-items?t=".to_owned(),
    ] {
        let answer = get(&path);
        assert_eq!(answer.status, 403, "{path}");
        assert!(answer.body.is_empty());
    }
    // Expired, and made for another purpose, with the workspace's own key.
    let mut store = tessera_store::Store::open(&ws.join(".tessera/store.db")).expect("store");
    let keys = tessera_store::signing::SigningKeys::load(&mut store).expect("keys");
    let fields = keys
        .verify("feed", &token, time::OffsetDateTime::now_utc())
        .expect("valid token");
    let refs: Vec<&str> = fields.iter().map(String::as_str).collect();
    let past = time::OffsetDateTime::now_utc() - time::Duration::seconds(1);
    let expired = keys.sign("feed", &refs, past).expect("signs");
    let click = keys
        .sign("click", &refs, past + time::Duration::days(1))
        .expect("signs");
    for t in [expired, click] {
        assert_eq!(get(&format!("/feeds/abandoned-cart/cart-items?t={t}")).status, 403);
    }
    // Rotation keeps the old token working; revoking its key ends it while serving.
    run(&ws, &["keys", "rotate-signing"]);
    std::thread::sleep(Duration::from_millis(1100));
    assert_eq!(get(&cart).status, 200, "an older key still verifies after a rotation");
    run(&ws, &["keys", "revoke-signing", "1"]);
    let deadline = Instant::now() + Duration::from_secs(5);
    while get(&cart).status != 403 {
        assert!(Instant::now() < deadline, "the revoked key still verifies");
        std::thread::sleep(Duration::from_millis(200));
    }
    // A URL signed after the rotation works.
    let fresh = feed_path(&ws, "abandoned-cart", "cart-items", UWE);
    assert_ne!(fresh, cart);
    assert_eq!(get(&fresh).status, 200);
}

#[test]
fn each_feed_answers_its_kinds_shape() {
    let (_dir, ws) = workspace();
    let server = Server::spawn(&ws, &[], &[]);
    let get = |email: &str, block: &str, who: &str| {
        let path = feed_path(&ws, email, block, who);
        let answer = request(server.addr, "GET", &path, &v2(SENDER), "");
        assert_eq!(answer.status, 200, "{block}: {}", answer.body);
        answer.json()["items"][0]["live"].clone()
    };
    let countdown = get("seasonal-sale", "vip-offer", "r.oconnor@example.com");
    assert_eq!(countdown["feed"], "countdown");
    assert_eq!(countdown["ends_at"], "2027-01-17T23:59:00-08:00");
    let left = countdown["seconds_left"].as_i64().expect("seconds");
    let end = time::OffsetDateTime::parse(
        "2027-01-17T23:59:00-08:00",
        &time::format_description::well_known::Rfc3339,
    )
    .expect("RFC 3339")
    .unix_timestamp();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    assert!((end - now - left).abs() <= 5, "computed at request time: {left}");
    assert_eq!(countdown["ended"], false);
    let profile = get("seasonal-sale", "rewards", "r.oconnor@example.com");
    assert_eq!(
        (profile["feed"].as_str(), profile["points"].as_str()),
        (Some("profile"), Some("3,450"))
    );
    assert_eq!(profile["fields"]["loyalty_tier"], "Summit");
    let picks = get("abandoned-cart", "recommendations", UWE);
    assert_eq!(picks["feed"], "recommendations");
    let products = picks["products"].as_array().expect("products");
    assert_eq!(products.len(), 4, "the block's limit: {picks}");
    assert!(products
        .iter()
        .all(|p| p["available"] == true && p["price"].as_str().is_some()));
}

#[test]
fn a_feed_that_cannot_answer_within_its_budget_answers_stale() {
    let (_dir, ws) = workspace();
    let cart = feed_path(&ws, "abandoned-cart", "cart-items", UWE);
    let recs = feed_path(&ws, "abandoned-cart", "recommendations", UWE);
    let server = Server::spawn(&ws, &[], &[]);
    let fresh = request(server.addr, "GET", &cart, &v2(SENDER), "");
    assert_eq!(fresh.status, 200);
    assert_eq!(fresh.header("cache-control"), Some("private, max-age=900"));

    // Another process holds the store's read locks: the feed's reads wait past the 250 ms budget.
    let lock = feeds::StoreLock::hold(&ws.join(".tessera/store.db"));
    let started = Instant::now();
    let stale = request(server.addr, "GET", &cart, &v2(SENDER), "");
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(200) && took < Duration::from_secs(3),
        "{took:?}"
    );
    assert_eq!(stale.status, 200, "{}", stale.body);
    assert_eq!(stale.header("cache-control"), Some("no-store"));
    assert_eq!(stale.header("amp-email-allow-sender"), Some(SENDER), "CORS as ever");
    let mut body = stale.json();
    assert_eq!(body["stale"], true);
    body.as_object_mut().map(|b| b.remove("stale"));
    assert_eq!(body, fresh.json(), "the last values given, marked stale");
    // A block never answered: 503 {"stale": true}, on which amp-list shows the send-time render.
    let none = request(server.addr, "GET", &recs, &v2(SENDER), "");
    assert_eq!(none.status, 503);
    assert_eq!(none.json(), json!({"stale": true}));
    assert_eq!(none.header("cache-control"), Some("no-store"));
    drop(lock);
    // Once the store answers again, so does the feed.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let answer = request(server.addr, "GET", &recs, &v2(SENDER), "");
        if answer.status == 200 && answer.json().get("stale").is_none() {
            break;
        }
        assert!(Instant::now() < deadline, "the feed did not recover");
        std::thread::sleep(Duration::from_millis(200));
    }
}
