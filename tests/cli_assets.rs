//! `tessera assets` through the real binary: add (checked by content, scaled), list, check with its
//! exit code, prune, and the built-in demo.

mod common;

use common::{assert_exit, assert_mentions, repo, stdout, Dir};
use serde_json::Value;

fn demo_hero() -> std::path::PathBuf {
    std::fs::read_dir(repo().join("fixtures/demo/assets"))
        .expect("demo assets")
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("hero-ridge-"))
        })
        .expect("the demo's hero")
}

#[test]
fn add_list_check_and_prune() {
    let ws = Dir::workspace();
    let out = ws.run(&["assets", "check"]);
    assert_exit(&out, 0);
    assert_mentions(&stdout(&out), &["25 asset(s), 0 error(s), 0 warning(s)"]);

    // A copy of the hero under another name, scaled for a 300 px column.
    let photo = ws.join("Ridge Photo.png");
    std::fs::copy(demo_hero(), &photo).expect("copy");
    let out = ws.run(&["assets", "add", photo.to_str().expect("utf-8"), "--width", "300"]);
    assert_exit(&out, 0);
    let line = stdout(&out);
    assert_mentions(&line, &["-> assets/ridge-photo-", "(scaled from 1200 px wide)"]);
    let path = line
        .split("-> ")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .expect("the asset path");
    let stored = std::fs::read(ws.join(path)).expect("stored");
    assert_eq!(
        u32::from_be_bytes([stored[16], stored[17], stored[18], stored[19]]),
        600
    );

    // A text file dressed as an image is refused, named, exit 1, nothing written.
    let fake = ws.write("fake.png", "hello, not a picture");
    let out = ws.run(&["assets", "add", fake.to_str().expect("utf-8")]);
    assert_exit(&out, 1);
    assert_mentions(&common::stderr(&out), &["fake.png: not a PNG, JPEG, GIF or WebP image"]);

    let out = ws.run(&["assets", "list", "--json"]);
    assert_exit(&out, 0);
    let list: Value = serde_json::from_str(&stdout(&out)).expect("json");
    let added = list
        .as_array()
        .expect("array")
        .iter()
        .find(|a| a["path"] == path)
        .expect("listed");
    assert_eq!(
        (added["width"].as_u64(), added["height"].as_u64()),
        (Some(600), Some(300))
    );
    assert_eq!(added["used_by"], serde_json::json!([]));

    // Unused: a warning (exit 0); an email pointing at a missing asset: an error (exit 1).
    let out = ws.run(&["assets", "check"]);
    assert_exit(&out, 0);
    assert_mentions(&stdout(&out), &[&format!("warning: {path}: no email uses it")]);
    let welcome = ws
        .read("emails/welcome.email.json")
        .replace("hero-ridge-818432ed3c78", "hero-ridge-000000000000");
    ws.write("emails/welcome.email.json", &welcome);
    let out = ws.run(&["assets", "check"]);
    assert_exit(&out, 1);
    assert_mentions(
        &stdout(&out),
        &["error: emails/welcome.email.json: uses assets/hero-ridge-000000000000.png, which is not in the assets folder"],
    );

    let out = ws.run(&["assets", "prune", "--dry-run"]);
    assert_exit(&out, 0);
    assert!(ws.join(path).is_file(), "a dry run removes nothing");
    let out = ws.run(&["assets", "prune"]);
    assert_exit(&out, 0);
    let removed = stdout(&out);
    assert_mentions(
        &removed,
        &[&format!("removed {path}"), "removed assets/hero-ridge-818432ed3c78.png"],
    );
    assert!(!ws.join(path).exists());
    assert!(
        ws.join("assets/northwind-logo-b237e12d65af.png").is_file(),
        "used assets stay"
    );
}

#[test]
fn the_built_in_demo_lists_and_checks_but_does_not_take_files() {
    let dir = Dir::new();
    let out = dir.run(&["assets", "list"]);
    assert_exit(&out, 0);
    assert_mentions(
        &stdout(&out),
        &[
            "assets/northwind-logo-b237e12d65af.png  png  320×80 px",
            "used by abandoned-cart, seasonal-sale, welcome",
        ],
    );
    let out = dir.run(&["assets", "add", demo_hero().to_str().expect("utf-8")]);
    assert_exit(&out, 1);
    assert_mentions(&common::stderr(&out), &["read-only"]);
}
