//! Kill -9 during `tessera save` and `tessera restore`, again and again, at random points: every
//! document and export must still open, the repository must pass `git fsck`, every version must
//! carry the export of its own document, and the next save must succeed.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use serde_json::Value;

fn tessera(home: &Path, ws: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tessera"));
    cmd.arg("--workspace")
        .arg(ws)
        .args(args)
        .current_dir(ws)
        .env("HOME", home)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    cmd
}

fn git(home: &Path, ws: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(ws)
        .env("HOME", home)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn set_subject(ws: &Path, subject: &str) {
    let path = ws.join("emails/welcome.email.json");
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("json");
    doc["subject"] = Value::from(subject);
    std::fs::write(&path, serde_json::to_string_pretty(&doc).expect("json") + "\n").expect("write");
}

/// Every email and every export manifest parses, every template is there.
fn assert_documents_open(ws: &Path, round: usize) {
    for entry in std::fs::read_dir(ws.join("emails")).expect("emails").flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.ends_with(".email.json") {
            continue;
        }
        let text = std::fs::read_to_string(entry.path()).expect("read email");
        let doc: Result<Value, _> = serde_json::from_str(&text);
        assert!(
            doc.is_ok_and(|d| d["blocks"].is_array()),
            "round {round}: {name} is torn:\n{text}"
        );
    }
    for target in ["liquid", "sendgrid"] {
        let dir = ws.join("exports/welcome").join(target);
        let manifest = std::fs::read_to_string(dir.join("manifest.json")).expect("manifest");
        let parsed: Result<Value, _> = serde_json::from_str(&manifest);
        assert!(
            parsed.is_ok_and(|m| m["email"] == "welcome"),
            "round {round}: {target} manifest is torn"
        );
        let html = std::fs::read_to_string(dir.join("template.html")).expect("template");
        assert!(
            html.trim_end().ends_with("</html>"),
            "round {round}: {target} template is torn"
        );
    }
}

fn next(seed: &mut u64) -> u64 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    *seed
}

#[test]
fn killing_saves_and_restores_never_tears_a_document_or_a_version() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let home = tmp.path().join("home");
    std::fs::create_dir_all(&home).expect("home");
    std::fs::write(
        home.join(".gitconfig"),
        "[user]\n\tname = Crash Test\n\temail = crash@example.com\n",
    )
    .expect("gitconfig");
    let ws = tmp.path().join("ws");
    let status = Command::new(env!("CARGO_BIN_EXE_tessera"))
        .arg("init")
        .arg(&ws)
        .env("HOME", &home)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .stdout(Stdio::null())
        .status()
        .expect("init");
    assert!(status.success());
    for target in ["liquid", "sendgrid"] {
        assert!(tessera(&home, &ws, &["export", "welcome", "--target", target])
            .status()
            .expect("export")
            .success());
    }
    assert!(tessera(&home, &ws, &["save", "-m", "Exports"])
        .status()
        .expect("save")
        .success());
    let first = git(&home, &ws, &["rev-parse", "HEAD"]).trim().to_owned();

    // Calibrate: how long does one save take here?
    set_subject(&ws, "Subject 0");
    let started = Instant::now();
    assert!(tessera(&home, &ws, &["save", "-m", "Round 0"])
        .status()
        .expect("save")
        .success());
    let full = started.elapsed();

    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut killed = 0;
    for round in 1..=30 {
        let mut child = if round % 3 == 0 {
            tessera(&home, &ws, &["restore", "welcome", &first])
                .spawn()
                .expect("spawn")
        } else {
            set_subject(&ws, &format!("Subject {round}"));
            tessera(&home, &ws, &["save", "-m", &format!("Round {round}")])
                .spawn()
                .expect("spawn")
        };
        // Somewhere between the start and a little after the expected end.
        let delay = full.mul_f64((next(&mut seed) % 1000) as f64 / 800.0);
        std::thread::sleep(delay);
        if child.try_wait().expect("poll").is_none() {
            killed += 1;
        }
        let _ = child.kill();
        let _ = child.wait();
        assert_documents_open(&ws, round);
        let fsck = Command::new("git")
            .args(["fsck", "--no-progress"])
            .current_dir(&ws)
            .env("HOME", &home)
            .output()
            .expect("fsck");
        assert!(
            fsck.status.success(),
            "round {round}: git fsck: {}",
            String::from_utf8_lossy(&fsck.stderr)
        );
    }
    eprintln!("{killed} of 30 processes killed mid-way (a save takes {full:?} here)");
    assert!(
        killed >= 5,
        "only {killed} of 30 processes were killed mid-way: the test proves little"
    );

    // Every version carries the export of its own document.
    let versions = git(&home, &ws, &["rev-list", "HEAD"]);
    for id in versions.lines() {
        let doc: Value =
            serde_json::from_str(&git(&home, &ws, &["show", &format!("{id}:emails/welcome.email.json")])).expect("doc");
        let subject = doc["subject"].as_str().expect("subject");
        if subject.starts_with("Subject ") {
            let html = git(
                &home,
                &ws,
                &["show", &format!("{id}:exports/welcome/liquid/template.html")],
            );
            assert!(
                html.contains(&format!("<title>{subject}</title>")),
                "version {id} carries another export than its document's ({subject})"
            );
        }
    }
    // And the next save goes through, leaving git's own view clean.
    set_subject(&ws, "After the storm");
    let out = tessera(&home, &ws, &["save", "-m", "After the storm"])
        .output()
        .expect("save");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(git(&home, &ws, &["status", "--porcelain"]), "");
    assert_eq!(git(&home, &ws, &["log", "-1", "--format=%s"]).trim(), "After the storm");
}
