//! Live images on a real `tessera serve` process: the PNG of each demo block that opts in
//! (seasonal-sale's countdown and rewards balance, abandoned-cart's recommendations) decoded by
//! Debian's Pillow (size at twice the SVG's, not blank), the SVG the server draws rendered again
//! by librsvg (`rsvg-convert`, given only the shipped font) and compared with the server's PNG pixel
//! by pixel (and an altered SVG shown to differ), the drawn values the store's at request time;
//! the HTML part referencing the image with the send-time render as alt text; the tokens; the
//! per-minute cache; a store that cannot answer in time, which still gets an image; and the values
//! a real test send kept, which the feed answers and the image draws when the store cannot.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

#[path = "support/serve.rs"]
mod serve;
#[path = "smtp/mod.rs"]
mod smtp;
use serve::Server;
#[path = "support/feeds.rs"]
mod feeds;
use feeds::{request, run, workspace, UWE};

/// A Summit member with 3,450 points.
const ROISIN: &str = "r.oconnor@example.com";
const BASE: &str = "https://live.northwind.example";
/// Debian's Python, where python3-pil is (scripts/live-setup.sh installs it).
const PYTHON: &str = "/usr/bin/python3";

/// The HTML part rendered for the stored profile `who`.
fn html_part(ws: &Path, email: &str, who: &str) -> String {
    let out = ws.join(format!("{email}.{}.html", who.replace('@', "_")));
    run(
        ws,
        &["render", email, "--profile", who, "--out", out.to_str().expect("utf-8")],
    );
    std::fs::read_to_string(out).expect("HTML part")
}

/// An attribute value as the HTML parser reads it (the references Tessera's escaper writes).
fn unescape(value: &str) -> String {
    value
        .replace("&#x3D;", "=")
        .replace("&#x27;", "'")
        .replace("&#x60;", "`")
        .replace("&#123;", "{")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The `src` path (without the collector address) and the alt text of `block`'s live image.
fn live_image(html: &str, email: &str, block: &str) -> (String, String) {
    let prefix = format!("<img src=\"{BASE}/live/{email}/{block}.png?t");
    let at = html
        .find(&prefix)
        .unwrap_or_else(|| panic!("no live image for {block}"));
    let tag = &html[at..at + html[at..].find('>').expect("end of the tag")];
    let attr = |name: &str| {
        let start = tag.find(&format!(" {name}=\"")).expect(name) + name.len() + 3;
        unescape(&tag[start..start + tag[start..].find('"').expect("quote")])
    };
    let src = attr("src");
    (src[BASE.len()..].to_owned(), attr("alt"))
}

fn python(args: &[&str]) -> Value {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/live/png_check.py");
    let out = Command::new(PYTHON)
        .arg(script)
        .args(args)
        .output()
        .expect("Debian's python3 (scripts/live-setup.sh)");
    assert!(
        out.status.success(),
        "png_check.py {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON")
}

/// Draws `svg` with librsvg at twice its size, with fontconfig limited to the shipped fonts.
fn rsvg(dir: &Path, svg: &Path, png: &Path) {
    let fonts = Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/live/fonts");
    let config = dir.join("fonts.conf");
    std::fs::write(
        &config,
        format!(
            "<?xml version=\"1.0\"?>\n<!DOCTYPE fontconfig SYSTEM \"fonts.dtd\">\n<fontconfig><dir>{}</dir><cachedir>{}</cachedir></fontconfig>\n",
            fonts.display(),
            dir.join("fc-cache").display()
        ),
    )
    .expect("fonts.conf");
    let out = Command::new("rsvg-convert")
        .env("FONTCONFIG_FILE", &config)
        .args(["--zoom", "2", "--format", "png", "--output"])
        .arg(png)
        .arg(svg)
        .output()
        .expect("rsvg-convert (librsvg2-bin, scripts/live-setup.sh)");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// The SVG's height attribute.
fn svg_height(svg: &str) -> u64 {
    let at = svg.find(" height=\"").expect("height") + 9;
    svg[at..at + svg[at..].find('"').expect("quote")]
        .parse()
        .expect("a number")
}

fn texts(svg: &str) -> Vec<String> {
    svg.split("<text ")
        .skip(1)
        .map(|t| unescape(&t[t.find('>').expect(">") + 1..t.find("</text>").expect("</text>")]))
        .collect()
}

struct Drawn {
    png: PathBuf,
    svg: String,
}

/// Fetches the PNG and the SVG of `path` (a `.png` path) into `dir`.
fn fetch(server: &Server, dir: &Path, name: &str, path: &str) -> Drawn {
    let png = request(server.addr, "GET", path, &[], "");
    assert_eq!(png.status, 200, "{path}: {}", png.body);
    assert_eq!(png.header("content-type"), Some("image/png"));
    assert_eq!(png.header("cache-control"), Some("private, max-age=60"));
    let file = dir.join(format!("{name}.png"));
    std::fs::write(&file, &png.bytes).expect("write");
    let svg = request(server.addr, "GET", &path.replacen(".png?", ".svg?", 1), &[], "");
    assert_eq!(svg.status, 200);
    assert_eq!(svg.header("content-type"), Some("image/svg+xml"));
    Drawn {
        png: file,
        svg: svg.body,
    }
}

/// Pillow decodes it at twice the SVG's size, and it is not blank; librsvg draws the same SVG
/// with the same pixels (within anti-aliasing), and an altered SVG differently.
fn check_drawing(dir: &Path, name: &str, drawn: &Drawn, altered: (&str, &str)) {
    let info = python(&["info", drawn.png.to_str().expect("utf-8")]);
    assert_eq!(info["format"], "PNG");
    assert_eq!(info["width"], 1200, "{name}: 2x of 600 CSS pixels");
    assert_eq!(info["height"].as_u64(), Some(2 * svg_height(&drawn.svg)), "{name}");
    assert!(info["colours"].as_u64().unwrap_or(0) > 16, "{name} is blank: {info}");
    assert!(info["ink"].as_f64().unwrap_or(0.0) > 0.01, "{name} has no text: {info}");

    let svg_file = dir.join(format!("{name}.svg"));
    std::fs::write(&svg_file, &drawn.svg).expect("write");
    let reference = dir.join(format!("{name}.rsvg.png"));
    rsvg(dir, &svg_file, &reference);
    let same = python(&[
        "compare",
        drawn.png.to_str().expect("utf-8"),
        reference.to_str().expect("utf-8"),
    ]);
    assert_eq!(same["same_size"], true, "{name}: {same}");
    assert!(
        same["differing"].as_f64().unwrap_or(1.0) < 0.01 && same["mean"].as_f64().unwrap_or(255.0) < 2.0,
        "{name}: the server's PNG is not the drawing of its SVG: {same}"
    );
    assert!(drawn.svg.contains(altered.0), "{name}: {}", drawn.svg);
    let other_file = dir.join(format!("{name}.altered.svg"));
    std::fs::write(&other_file, drawn.svg.replacen(altered.0, altered.1, 1)).expect("write");
    let other = dir.join(format!("{name}.altered.png"));
    rsvg(dir, &other_file, &other);
    let differs = python(&[
        "compare",
        drawn.png.to_str().expect("utf-8"),
        other.to_str().expect("utf-8"),
    ]);
    let noise = same["differing"].as_f64().unwrap_or(1.0);
    assert!(
        differs["differing"].as_f64().unwrap_or(0.0) > (3.0 * noise).max(0.003),
        "{name}: the comparison cannot tell other text apart: {differs} vs {same}"
    );
}

#[test]
fn live_images_draw_the_stores_values_at_open_time_and_match_librsvg() {
    let (dir, ws) = workspace();
    let sale = html_part(&ws, "seasonal-sale", ROISIN);
    let cart = html_part(&ws, "abandoned-cart", UWE);
    let server = Server::spawn(&ws, &[], &[]);
    let (countdown, _) = live_image(&sale, "seasonal-sale", "vip-offer");
    let (rewards, _) = live_image(&sale, "seasonal-sale", "rewards");
    let (picks, _) = live_image(&cart, "abandoned-cart", "recommendations");

    // The countdown: the time left until the block's ends_at, now.
    let before = time::OffsetDateTime::now_utc().unix_timestamp();
    let drawn = fetch(&server, dir.path(), "countdown", &countdown);
    let after = time::OffsetDateTime::now_utc().unix_timestamp();
    let end = time::OffsetDateTime::parse(
        "2027-01-17T23:59:00-08:00",
        &time::format_description::well_known::Rfc3339,
    )
    .expect("RFC 3339")
    .unix_timestamp();
    let expected: Vec<String> = [end - before, end - after]
        .iter()
        .map(|&left| tessera_core::live::shape::time_left(left))
        .collect();
    let lines = texts(&drawn.svg);
    assert!(expected.contains(&lines[1]), "{lines:?} vs {expected:?}");
    assert_eq!(lines[0], "Summit members only");
    check_drawing(dir.path(), "countdown", &drawn, ("left", "right"));

    // The points balance as the store holds it.
    let drawn = fetch(&server, dir.path(), "rewards", &rewards);
    assert_eq!(texts(&drawn.svg)[1], "3,450 points");
    check_drawing(dir.path(), "rewards", &drawn, ("3,450 points", "0 points"));

    // Recommendations: names, prices and stock of what the store recommends now.
    let drawn = fetch(&server, dir.path(), "picks", &picks);
    let workspace = tessera_workspace::Workspace::discover(Some(&ws), &ws).expect("workspace");
    let stored = workspace
        .stored_recipient(UWE, tessera_workspace::clock::now_ms())
        .expect("stored");
    let names: Vec<String> = stored.data["recommendations"]
        .as_array()
        .expect("recommendations")
        .iter()
        .take(4)
        .map(|r| r["name"].as_str().expect("name").to_owned())
        .collect();
    assert_eq!(names.len(), 4, "Uwe has recommendations");
    let lines = texts(&drawn.svg);
    assert_eq!(lines[0], "You might also like");
    for name in &names {
        assert!(lines.contains(name), "{name} not drawn: {lines:?}");
    }
    assert_eq!(lines.iter().filter(|l| *l == "In stock").count(), 4, "{lines:?}");
    assert!(
        lines.iter().any(|l| l.contains("109,95")),
        "prices in Uwe's locale: {lines:?}"
    );
    check_drawing(
        dir.path(),
        "picks",
        &drawn,
        ("You might also like", "Nothing to see here now"),
    );

    // Cached per (token, minute): the same bytes again.
    let again = request(server.addr, "GET", &picks, &[], "");
    assert_eq!(again.bytes, std::fs::read(&drawn.png).expect("read"));
}

#[test]
fn the_html_part_references_the_live_image_with_the_send_time_render_as_alt_text() {
    let (_dir, ws) = workspace();
    let sale = html_part(&ws, "seasonal-sale", ROISIN);
    let (_, alt) = live_image(&sale, "seasonal-sale", "rewards");
    assert!(
        alt.contains("Northwind Rewards You have 3450 points to spend"),
        "the send-time render as text: {alt}"
    );
    assert!(!alt.contains("https://"), "no link addresses in the alt text: {alt}");
    let (_, alt) = live_image(&sale, "seasonal-sale", "vip-offer");
    assert!(alt.contains("Róisín, an extra 25% is yours"), "{alt}");
    // The image replaces the block (its markup is only in the alt text), linked where it linked.
    assert_eq!(sale.matches("You have 3450 points to spend").count(), 1, "only in alt");
    assert!(sale.contains(
        "<a href=\"https://northwind.example/account/rewards?utm_source=email&amp;utm_medium=crm&amp;utm_campaign=winter-sale-2025&amp;utm_content=rewards\" target=\"_blank\""
    ));
    // Styled alt text is what a client that blocks images shows.
    assert!(sale.contains("alt=\"Northwind Rewards") && sale.contains("font-size:16px;line-height:1.5;color:#1f2933"));
    // Blocks that do not opt in keep their markup: the picks are live (AMP) but not an image.
    assert!(!sale.contains("/live/seasonal-sale/picks.png"));
    assert!(sale.contains("Sale picks for you, Róisín"));
    // The text part is the send-time render.
    let text_out = ws.join("sale.txt");
    run(
        &ws,
        &[
            "render",
            "seasonal-sale",
            "--profile",
            ROISIN,
            "--out",
            ws.join("again.html").to_str().expect("utf-8"),
            "--text",
            text_out.to_str().expect("utf-8"),
        ],
    );
    let text = std::fs::read_to_string(text_out).expect("text part");
    assert!(text.contains("You have 3450 points to spend"), "{text}");

    // A VIP offer replaced by its fallback for someone outside the segment stays the fallback.
    let cart = html_part(&ws, "seasonal-sale", UWE);
    if !cart.contains("/live/seasonal-sale/vip-offer.png") {
        assert!(cart.contains("take an extra 10% off"), "the fallback offer shows");
    }
    // A sample recipient (no stored profile to sign for) gets no live image at all.
    let sample = ws.join("sample.html");
    run(
        &ws,
        &[
            "render",
            "seasonal-sale",
            "--data",
            ws.join("data/ada.json").to_str().expect("utf-8"),
            "--out",
            sample.to_str().expect("utf-8"),
        ],
    );
    let sample = std::fs::read_to_string(sample).expect("sample");
    assert!(!sample.contains("/live/"), "no signed image without a stored profile");
}

#[test]
fn image_tokens_forged_misplaced_expired_other_purpose_rotated_and_revoked() {
    let (_dir, ws) = workspace();
    let sale = html_part(&ws, "seasonal-sale", ROISIN);
    let (rewards, _) = live_image(&sale, "seasonal-sale", "rewards");
    let server = Server::spawn(&ws, &[], &[]);
    let get = |path: &str| request(server.addr, "GET", path, &[], "");
    assert_eq!(get(&rewards).status, 200);
    let token = rewards.split("?t=").nth(1).expect("token").to_owned();
    let mut forged = token.clone().into_bytes();
    let last = forged.len() - 5;
    forged[last] = if forged[last] == b'A' { b'B' } else { b'A' };
    let forged = String::from_utf8(forged).expect("ASCII");
    let mut store = tessera_store::Store::open(&ws.join(".tessera/store.db")).expect("store");
    let keys = tessera_store::signing::SigningKeys::load(&mut store).expect("keys");
    let now = time::OffsetDateTime::now_utc();
    let fields = keys.verify("live-image", &token, now).expect("a valid token");
    let refs: Vec<&str> = fields.iter().map(String::as_str).collect();
    let expired = keys
        .sign("live-image", &refs, now - time::Duration::seconds(1))
        .expect("signs");
    let feed = keys.sign("feed", &refs, now + time::Duration::days(1)).expect("signs");
    let other_recipient = keys
        .sign(
            "live-image",
            &["1", "seasonal-sale", "rewards"],
            now + time::Duration::days(1),
        )
        .expect("signs");
    assert_eq!(
        get(&format!("/live/seasonal-sale/rewards.png?t={other_recipient}")).status,
        200,
        "another recipient's own token draws that recipient"
    );
    for path in [
        format!("/live/seasonal-sale/rewards.png?t={forged}"),
        format!("/live/seasonal-sale/vip-offer.png?t={token}"),
        format!("/live/abandoned-cart/recommendations.png?t={token}"),
        format!("/live/seasonal-sale/picks.png?t={token}"),
        format!("/live/seasonal-sale/rewards.png?t={expired}"),
        format!("/live/seasonal-sale/rewards.png?t={feed}"),
        format!("/feeds/seasonal-sale/rewards?t={token}"),
        "/live/seasonal-sale/rewards.png".to_owned(),
        "/live/seasonal-sale/rewards.png?t=".to_owned(),
    ] {
        let answer = get(&path);
        assert_eq!(answer.status, 403, "{path}");
        assert!(answer.bytes.is_empty(), "no body: {path}");
    }
    // Rotation keeps the old token working; revoking its key ends it while serving.
    run(&ws, &["keys", "rotate-signing"]);
    std::thread::sleep(Duration::from_millis(1100));
    let fresh_minute = format!("{rewards}&x=1");
    assert_eq!(get(&fresh_minute).status, 200, "an older key still verifies");
    run(&ws, &["keys", "revoke-signing", "1"]);
    let deadline = Instant::now() + Duration::from_secs(5);
    while get(&rewards).status != 403 {
        assert!(Instant::now() < deadline, "the revoked key still verifies");
        std::thread::sleep(Duration::from_millis(200));
    }
    let (signed_after, _) = live_image(&html_part(&ws, "seasonal-sale", ROISIN), "seasonal-sale", "rewards");
    assert_eq!(get(&signed_after).status, 200, "a URL signed after the rotation works");
}

#[test]
fn a_store_that_cannot_answer_in_time_still_gets_an_image_never_a_broken_one() {
    let (dir, ws) = workspace();
    let sale = html_part(&ws, "seasonal-sale", ROISIN);
    let (rewards, _) = live_image(&sale, "seasonal-sale", "rewards");
    let (countdown, _) = live_image(&sale, "seasonal-sale", "vip-offer");
    let server = Server::spawn(&ws, &[], &[]);
    let first = request(server.addr, "GET", &rewards, &[], "");
    assert_eq!(first.status, 200);
    // Signed again: a token the per-minute cache has not seen.
    std::thread::sleep(Duration::from_millis(1100));
    let (rewards_again, _) = live_image(&html_part(&ws, "seasonal-sale", ROISIN), "seasonal-sale", "rewards");
    assert_ne!(rewards_again, rewards);

    // Another process holds the store's read locks: the server's reads wait past the budget.
    let lock = feeds::StoreLock::hold(&ws.join(".tessera/store.db"));
    let started = Instant::now();
    let last = request(server.addr, "GET", &rewards_again, &[], "");
    assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
    assert_eq!(last.status, 200);
    assert_eq!(last.header("content-type"), Some("image/png"));
    assert_eq!(last.header("cache-control"), Some("no-store"));
    assert_eq!(
        last.bytes, first.bytes,
        "the last image drawn for this recipient and block"
    );
    // Never drawn for this recipient: the block drawn from its send-time defaults (the countdown
    // still counts from the block's own end time).
    let default = request(server.addr, "GET", &countdown, &[], "");
    assert_eq!(default.status, 200);
    assert_eq!(default.header("cache-control"), Some("no-store"));
    let file = dir.path().join("default.png");
    std::fs::write(&file, &default.bytes).expect("write");
    let info = python(&["info", file.to_str().expect("utf-8")]);
    assert_eq!(
        (info["width"].as_u64(), info["height"].as_u64()),
        (Some(1200), Some(336))
    );
    assert!(info["ink"].as_f64().unwrap_or(0.0) > 0.01, "{info}");
    drop(lock);
}

/// The values of Róisín's seasonal sale as a real test send (to the SMTP server process) rendered
/// them, kept in `.tessera/sent-values.db`: with the store held by another process and the blocks
/// never answered before, the rewards feed answers them marked stale and the live image is drawn
/// from them (Pillow, librsvg); a balance changed in the store after the send shows in the fresh
/// answers, never in the stale ones. A recipient never sent to still gets the older fallbacks.
#[test]
fn a_test_sends_values_answer_the_feed_and_draw_the_image_when_the_store_cannot() {
    let (dir, ws) = workspace();
    let smtp = smtp::Server::start(&smtp::Options::default());
    let mut config = std::fs::read_to_string(ws.join("tessera.toml")).expect("config");
    config.push_str(&format!(
        "\n[smtp.local]\nhost = \"127.0.0.1\"\nport = {}\nsecurity = \"none\"\ntimeout = 5\n",
        smtp.port
    ));
    std::fs::write(ws.join("tessera.toml"), config).expect("config");
    let server = Server::spawn(&ws, &[], &[]);
    // Uwe is never sent the sale: his URLs are signed by a render, which keeps no values.
    let (uwe_rewards, _) = live_image(&html_part(&ws, "seasonal-sale", UWE), "seasonal-sale", "rewards");

    let before = tessera_workspace::clock::now_ms();
    run(
        &ws,
        &[
            "send",
            "seasonal-sale",
            "--to",
            "seed@example.com",
            "--profile",
            ROISIN,
            "--amp",
        ],
    );
    let after = tessera_workspace::clock::now_ms();
    let received = smtp.received();
    assert_eq!(received.len(), 1);
    let message = smtp::inspect(&received[0].0);
    let part = |kind: &str| -> String {
        fn find(part: &Value, kind: &str) -> Option<String> {
            match part["parts"].as_array() {
                Some(children) => children.iter().find_map(|c| find(c, kind)),
                None => (part["content_type"] == kind).then(|| part["text"].as_str().unwrap_or_default().to_owned()),
            }
        }
        find(&message["tree"], kind).unwrap_or_else(|| panic!("no {kind} part"))
    };
    let (html, amp) = (part("text/html"), part("text/x-amp-html"));
    let (rewards_png, alt) = live_image(&html, "seasonal-sale", "rewards");
    assert!(alt.contains("You have 3450 points"), "the send's render: {alt}");
    let prefix = format!("{BASE}/feeds/seasonal-sale/rewards?t=");
    let at = amp.find(&prefix).expect("the rewards feed in the AMP part") + BASE.len();
    let rewards_feed = amp[at..at + amp[at..].find('"').expect("end of the URL")].to_owned();

    // The file holds each live block's values for Róisín, as the send computed them.
    let file = rusqlite::Connection::open(ws.join(".tessera/sent-values.db")).expect("sent values");
    let rows: Vec<(String, i64, String, String)> = file
        .prepare("SELECT block, sent_at, feed, shape FROM sent_values ORDER BY block")
        .expect("prepare")
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    let blocks: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(
        blocks,
        ["picks", "rewards", "vip-offer"],
        "every live block of the sale"
    );
    let rewards_row = rows.iter().find(|r| r.0 == "rewards").expect("rewards");
    assert!((before..=after).contains(&rewards_row.1), "sent at {}", rewards_row.1);
    let sent_feed: Value = serde_json::from_str(&rewards_row.2).expect("JSON");
    let sent_shape: Value = serde_json::from_str(&rewards_row.3).expect("JSON");
    assert_eq!(sent_shape["points"], "3,450", "{sent_shape}");

    // The balance changes in the store after the send.
    let update = dir.path().join("points.csv");
    std::fs::write(&update, format!("email,loyalty_points\n{ROISIN},9100\n")).expect("csv");
    run(&ws, &["import", update.to_str().expect("utf-8"), "--kind", "profiles"]);

    // The store held by another process; neither block was answered before by this server.
    let lock = feeds::StoreLock::hold(&ws.join(".tessera/store.db"));
    let sender = [("AMP-Email-Sender", feeds::SENDER)];
    let stale = request(server.addr, "GET", &rewards_feed, &sender, "");
    assert_eq!(stale.status, 200, "{}", stale.body);
    assert_eq!(stale.header("cache-control"), Some("no-store"));
    assert_eq!(stale.header("amp-email-allow-sender"), Some(feeds::SENDER));
    let mut body = stale.json();
    assert_eq!(body["stale"], true);
    assert!(body["sent_at"].as_str().is_some_and(|s| s.ends_with('Z')), "{body}");
    let live = body["items"][0]
        .as_object_mut()
        .and_then(|i| i.remove("live"))
        .expect("the shape");
    assert_eq!(live, sent_shape, "the send-time shape");
    assert_eq!(live["points"], "3,450");
    assert_eq!(json!({"items": body["items"].clone()}), sent_feed, "the send-time data");
    assert!(
        !stale.body.contains("9100") && !stale.body.contains("9,100"),
        "{}",
        stale.body
    );

    // The live image: drawn from the same values, PNG and SVG alike.
    let png = request(server.addr, "GET", &rewards_png, &[], "");
    assert_eq!(png.status, 200);
    assert_eq!(png.header("content-type"), Some("image/png"));
    assert_eq!(png.header("cache-control"), Some("no-store"));
    let svg = request(server.addr, "GET", &rewards_png.replacen(".png?", ".svg?", 1), &[], "");
    assert_eq!(svg.status, 200);
    assert_eq!(svg.header("content-type"), Some("image/svg+xml"));
    assert_eq!(texts(&svg.body)[1], "3,450 points");
    let stale_png = dir.path().join("stale-rewards.png");
    std::fs::write(&stale_png, &png.bytes).expect("write");
    check_drawing(
        dir.path(),
        "stale-rewards",
        &Drawn {
            png: stale_png,
            svg: svg.body.clone(),
        },
        ("3,450 points", "9,100 points"),
    );
    // Never sent to Uwe, never drawn for him: the block without recipient data, as before.
    let uwe = request(server.addr, "GET", &uwe_rewards, &[], "");
    assert_eq!(uwe.status, 200);
    assert_ne!(uwe.bytes, png.bytes);
    let uwe_svg = request(server.addr, "GET", &uwe_rewards.replacen(".png?", ".svg?", 1), &[], "");
    assert!(!uwe_svg.body.contains("points"), "{}", uwe_svg.body);
    drop(lock);

    // The store answers again: the balance it holds now, never the send's.
    let deadline = Instant::now() + Duration::from_secs(10);
    let fresh = loop {
        let answer = request(server.addr, "GET", &rewards_feed, &sender, "");
        if answer.status == 200 && answer.json().get("stale").is_none() {
            break answer.json();
        }
        assert!(Instant::now() < deadline, "the feed did not recover");
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(fresh["items"][0]["live"]["points"], "9,100", "{fresh}");
    assert!(fresh.get("sent_at").is_none());
    let svg = request(server.addr, "GET", &rewards_png.replacen(".png?", ".svg?", 1), &[], "");
    assert_eq!(svg.header("cache-control"), Some("private, max-age=60"));
    assert_eq!(texts(&svg.body)[1], "9,100 points");

    // Held again: the last answer this server gave comes before the send-time values.
    let lock = feeds::StoreLock::hold(&ws.join(".tessera/store.db"));
    let stale = request(server.addr, "GET", &rewards_feed, &sender, "").json();
    assert_eq!(stale["stale"], true);
    assert_eq!(stale["items"][0]["live"]["points"], "9,100", "{stale}");
    assert!(stale.get("sent_at").is_none(), "{stale}");
    drop(lock);
}
