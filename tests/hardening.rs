//! Regression tests for the holes an outside review found (issue 19), through the real `tessera`
//! binary: each failed before its fix.

mod common;

use common::{assert_exit, assert_mentions, Dir};

const AUTHOR: &str = "Ada <ada@example.com>";

fn git(dir: &Dir, args: &[&str]) -> String {
    let out = std::process::Command::new("git")
        .args(args)
        .current_dir(dir.path())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("git runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Every file under `root`, relative, sorted.
fn files_under(root: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(rel) = path.strip_prefix(root) {
                out.push(rel.to_string_lossy().into_owned());
            }
        }
    }
    out.sort();
    out
}

#[test]
fn an_email_file_named_dot_dot_cannot_move_its_exports_out_of_the_export_folder() {
    let dir = Dir::new();
    let demo = common::repo().join("fixtures/demo/emails/welcome.email.json");
    let text = std::fs::read_to_string(demo).expect("demo email");
    dir.write("some/dir/...email.json", &text);
    let out = dir.run(&[
        "export",
        "some/dir/...email.json",
        "--target",
        "html",
        "--out",
        "o/inner",
    ]);
    assert_exit(&out, 1);
    assert_mentions(&common::stderr(&out), &["\"..\"", "exports/"]);
    assert!(
        files_under(&dir.join("o")).is_empty(),
        "{:?}",
        files_under(&dir.join("o"))
    );
    // An ordinary file name still exports, into a folder named after it.
    dir.write("some/dir/promo.email.json", &text);
    let out = dir.run(&[
        "export",
        "some/dir/promo.email.json",
        "--target",
        "html",
        "--out",
        "o/inner",
    ]);
    assert_exit(&out, 0);
    assert!(dir.join("o/inner/promo/html/template.html").is_file());
}

#[test]
fn save_refuses_to_version_a_config_that_holds_a_password() {
    let dir = Dir::workspace();
    let config = dir.read("tessera.toml");
    dir.write(
        "tessera.toml",
        &format!("{config}\n[smtp.work]\nhost = \"smtp.example.com\"\nuser = \"me\"\npassword = \"hunter2-secret\"\n"),
    );
    let before = git(&dir, &["log", "--all", "--format=%H"]);
    let out = dir.run(&["save", "-m", "Settings", "--author", AUTHOR]);
    assert_exit(&out, 1);
    let message = common::all(&out);
    assert_mentions(&message, &["tessera.toml", "smtp.work.password", "keyring"]);
    assert!(!message.contains("hunter2-secret"), "{message}");
    assert_eq!(git(&dir, &["log", "--all", "--format=%H"]), before, "nothing committed");
    let everything = git(&dir, &["log", "--all", "-p"]);
    assert!(!everything.contains("hunter2-secret"));
}

#[test]
fn save_never_follows_a_top_level_folder_that_is_a_link() {
    let dir = Dir::workspace();
    let outside = tempfile::tempdir().expect("outside");
    std::fs::write(
        outside.path().join("id_ed25519.json"),
        r#"{"description": "PRIVATE KEY", "rule": {"attribute": "country", "eq": "DE"}}"#,
    )
    .expect("write");
    let segments = dir.join("segments");
    if segments.exists() {
        std::fs::remove_dir_all(&segments).expect("remove");
    }
    std::os::unix::fs::symlink(outside.path(), &segments).expect("link");
    dir.write("emails/extra.email.json", &dir.read("emails/welcome.email.json"));
    let out = dir.run(&["save", "-m", "More", "--author", AUTHOR]);
    assert_exit(&out, 0);
    let tracked = git(&dir, &["ls-files"]);
    assert!(tracked.contains("emails/extra.email.json"), "{tracked}");
    assert!(!tracked.contains("id_ed25519"), "{tracked}");
    let everything = git(&dir, &["log", "--all", "-p"]);
    assert!(!everything.contains("PRIVATE KEY"));
}

#[test]
fn a_test_send_to_too_many_addresses_is_refused_before_anything_is_built() {
    let dir = Dir::workspace();
    let to: Vec<String> = (0..201).map(|i| format!("seed{i}@example.com")).collect();
    let out = dir.run(&["send", "welcome", "--to", &to.join(",")]);
    assert_exit(&out, 1);
    assert_mentions(&common::stderr(&out), &["201 messages", "at most 200"]);
    assert!(files_under(&dir.join(".tessera/outbox")).is_empty());
}

#[test]
fn an_smtp_url_without_a_scheme_never_prints_its_password() {
    let dir = Dir::workspace();
    let out = dir.run(&[
        "send",
        "welcome",
        "--to",
        "a@example.com",
        "--smtp-url",
        "me:pw-not-shown@host",
    ]);
    assert_exit(&out, 1);
    let message = common::all(&out);
    assert!(message.contains("not a URL"), "{message}");
    assert!(!message.contains("pw-not-shown"), "{message}");
}
