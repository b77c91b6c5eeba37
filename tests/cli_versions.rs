//! Version control through the real `tessera` binary in temporary folders, with the history read
//! back by the `git` command line as an independent reader. Each test has its own HOME, so the
//! author comes from the git config the test writes (or from none).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

struct Env {
    tmp: tempfile::TempDir,
}

impl Env {
    /// A temporary HOME with `user.name`/`user.email` set when `author` is given.
    fn new(author: Option<(&str, &str)>) -> Self {
        let tmp = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir_all(tmp.path().join("home")).expect("home");
        if let Some((name, email)) = author {
            std::fs::write(
                tmp.path().join("home/.gitconfig"),
                format!("[user]\n\tname = {name}\n\temail = {email}\n"),
            )
            .expect("gitconfig");
        }
        Self { tmp }
    }

    fn ws(&self) -> PathBuf {
        self.tmp.path().join("ws")
    }

    fn command(&self, program: &str, args: &[&str], cwd: &Path) -> Output {
        Command::new(program)
            .args(args)
            .current_dir(cwd)
            .env("HOME", self.tmp.path().join("home"))
            .env("XDG_CONFIG_HOME", self.tmp.path().join("home/.config"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE")
            .env("RUST_BACKTRACE", "0")
            .output()
            .expect("the program runs")
    }

    /// `tessera --workspace ws ARGS`.
    fn tessera(&self, args: &[&str]) -> Output {
        let ws = self.ws();
        let mut all = vec!["--workspace", ws.to_str().expect("utf-8")];
        all.extend_from_slice(args);
        self.command(env!("CARGO_BIN_EXE_tessera"), &all, self.tmp.path())
    }

    /// `tessera ARGS` that must succeed; its standard output.
    fn ok(&self, args: &[&str]) -> String {
        let out = self.tessera(args);
        assert!(
            out.status.success(),
            "tessera {args:?} failed:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// `tessera ARGS` that must fail with exit code 1; its standard error.
    fn fails(&self, args: &[&str]) -> String {
        let out = self.tessera(args);
        assert_eq!(
            out.status.code(),
            Some(1),
            "tessera {args:?}:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stderr).into_owned()
    }

    /// `git ARGS` in the workspace, which must succeed; its standard output.
    fn git(&self, args: &[&str]) -> String {
        let out = self.command("git", args, &self.ws());
        assert!(
            out.status.success(),
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn init(&self) -> String {
        let ws = self.ws();
        let out = self.command(
            env!("CARGO_BIN_EXE_tessera"),
            &["init", ws.to_str().expect("utf-8")],
            self.tmp.path(),
        );
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn email_path(&self, name: &str) -> PathBuf {
        self.ws().join("emails").join(format!("{name}.email.json"))
    }

    /// Edits an email's JSON as a designer's tool would.
    fn edit(&self, name: &str, change: impl FnOnce(&mut Value)) {
        let path = self.email_path(name);
        let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("json");
        change(&mut doc);
        std::fs::write(&path, serde_json::to_string_pretty(&doc).expect("json") + "\n").expect("write");
    }
}

const ADA: (&str, &str) = ("Ada Lovelace", "ada@example.com");

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}):\n{text}"))
}

#[test]
fn init_makes_a_repository_with_a_first_version_by_the_configured_author() {
    let env = Env::new(Some(ADA));
    let said = env.init();
    assert!(said.contains("Saved the first version"), "{said}");
    assert_eq!(
        env.git(&["log", "--format=%an <%ae>|%s"]).trim(),
        "Ada Lovelace <ada@example.com>|Create the workspace from the Tessera demo"
    );
    assert_eq!(
        env.git(&["status", "--porcelain"]),
        "",
        "init leaves nothing uncommitted"
    );
    let files = env.git(&["ls-files"]);
    for f in [
        ".gitignore",
        "tessera.toml",
        "emails/welcome.email.json",
        "blocks/testimonial/block.hbs",
        "segments/vip.json",
        "data/ada.json",
    ] {
        assert!(files.lines().any(|l| l == f), "{f} not committed:\n{files}");
    }
    let ignore = std::fs::read_to_string(env.ws().join(".gitignore")).expect("gitignore");
    assert!(ignore.lines().any(|l| l == ".tessera/"), "{ignore}");
    // The store stays out of git once it exists.
    let profiles = env.ws().join("store/profiles.csv");
    env.ok(&["import", profiles.to_str().expect("utf-8"), "--kind", "profiles"]);
    assert!(env.ws().join(".tessera/store.db").is_file());
    assert_eq!(env.git(&["status", "--porcelain"]), "");
    // A second init refuses.
    let out = env.command(
        env!("CARGO_BIN_EXE_tessera"),
        &["init", env.ws().to_str().expect("utf-8")],
        env.tmp.path(),
    );
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn without_an_author_nothing_is_committed_until_one_is_given() {
    let env = Env::new(None);
    let said = env.init();
    assert!(said.contains("nothing committed yet"), "{said}");
    assert!(env.ws().join(".git").is_dir());
    assert_eq!(env.git(&["rev-list", "--all"]), "", "no commit without an author");
    let err = env.fails(&["save", "-m", "First"]);
    assert!(err.contains("--author") && err.contains("git config"), "{err}");
    let err = env.fails(&["save", "-m", "First", "--author", "Ada"]);
    assert!(err.contains("NAME <EMAIL>"), "{err}");
    let err = env.fails(&["save", "-m", "  ", "--author", "Ada <ada@example.com>"]);
    assert!(err.contains("message"), "{err}");
    env.ok(&["save", "-m", "First", "--author", "Grace Hopper <grace@example.com>"]);
    assert_eq!(
        env.git(&["log", "--format=%an <%ae>|%s"]).trim(),
        "Grace Hopper <grace@example.com>|First"
    );
}

#[test]
fn a_workspace_that_is_not_a_repository_is_offered_one_and_nothing_is_committed() {
    let env = Env::new(Some(ADA));
    env.init();
    std::fs::remove_dir_all(env.ws().join(".git")).expect("rm .git");
    let err = env.fails(&["history"]);
    assert!(
        err.contains("not a git repository yet") && err.contains("tessera init"),
        "{err}"
    );
    let said = env.init();
    assert!(said.contains("Made") && said.contains("Nothing is committed"), "{said}");
    assert_eq!(env.git(&["rev-list", "--all"]), "");
    assert!(env.ok(&["history"]).contains("No versions yet"));
    env.ok(&["save", "-m", "Start versioning"]);
    assert_eq!(env.git(&["rev-list", "--count", "HEAD"]).trim(), "1");
}

#[test]
fn save_commits_the_changed_email_with_its_regenerated_exports() {
    let env = Env::new(Some(ADA));
    env.init();
    env.ok(&["export", "welcome", "--target", "liquid"]);
    env.ok(&["export", "welcome", "--target", "sendgrid"]);
    let saved = json(&env.ok(&["save", "-m", "Export welcome", "--format", "json"]));
    assert_eq!(
        saved["exports"],
        serde_json::json!([]),
        "no email changed, so nothing re-exported"
    );
    env.edit("welcome", |d| d["subject"] = Value::from("Fresh subject line"));
    let saved = json(&env.ok(&[
        "save",
        "-m",
        "New welcome subject",
        "--author",
        "Grace Hopper <grace@example.com>",
        "--format",
        "json",
    ]));
    assert_eq!(saved["changed_emails"], serde_json::json!(["welcome"]));
    assert_eq!(saved["exports"].as_array().map(Vec::len), Some(2), "{saved}");
    // git, as an independent reader: the commit holds the document and both exports.
    let files = env.git(&["show", "--name-only", "--format=%an|%s", "HEAD"]);
    assert!(files.starts_with("Grace Hopper|New welcome subject"), "{files}");
    for f in [
        "emails/welcome.email.json",
        "exports/welcome/liquid/template.html",
        "exports/welcome/sendgrid/template.html",
        "exports/welcome/liquid/manifest.json",
    ] {
        assert!(files.lines().any(|l| l == f), "{f} not in the version:\n{files}");
    }
    assert!(!files.contains("seasonal-sale"), "{files}");
    let html = env.git(&["show", "HEAD:exports/welcome/liquid/template.html"]);
    assert!(
        html.contains("<title>Fresh subject line</title>"),
        "the version carries the new export"
    );
    assert_eq!(env.git(&["status", "--porcelain"]), "");
    let err = env.fails(&["save", "-m", "Again"]);
    assert!(err.contains("nothing to save"), "{err}");
}

#[test]
fn a_document_that_does_not_open_is_refused_and_nothing_is_committed() {
    let env = Env::new(Some(ADA));
    env.init();
    let before = env.git(&["rev-parse", "HEAD"]);
    // An email that was never exported, broken by hand: a save must not record it.
    let path = env.email_path("welcome");
    let text = std::fs::read_to_string(&path).expect("read");
    std::fs::write(&path, text.replacen("\"subject\": \"", "\"subject\": \"\"broken", 1)).expect("write");
    let err = env.fails(&["save", "-m", "Broken"]);
    assert!(err.contains("welcome.email.json") && err.contains("line"), "{err}");
    std::fs::write(&path, &text).expect("write");
    // A segment that is not a valid definition.
    let segment = env.ws().join("segments/vip.json");
    std::fs::write(&segment, r#"{"rule": {"attribute": "tier", "eq": 1, "gt": 2}}"#).expect("write");
    let err = env.fails(&["save", "-m", "Broken segment"]);
    assert!(err.contains("vip.json"), "{err}");
    assert_eq!(env.git(&["rev-parse", "HEAD"]), before, "nothing was committed");
}

#[test]
fn a_changed_block_type_re_exports_every_email_using_it() {
    let env = Env::new(Some(ADA));
    env.init();
    env.ok(&["export", "welcome", "--target", "braze"]);
    env.ok(&["export", "seasonal-sale", "--target", "braze"]);
    env.ok(&["save", "-m", "Exports"]);
    let hbs = env.ws().join("blocks/testimonial/block.hbs");
    let text = std::fs::read_to_string(&hbs).expect("hbs");
    std::fs::write(&hbs, text.replacen('>', "><!-- quote v2 -->", 1)).expect("write");
    let saved = json(&env.ok(&["save", "-m", "Testimonial v2", "--format", "json"]));
    assert_eq!(saved["changed_emails"], serde_json::json!(["welcome"]));
    let shown = env.git(&["show", "--name-only", "--format=", "HEAD"]);
    assert!(shown.contains("exports/welcome/braze/template.html"), "{shown}");
    assert!(!shown.contains("seasonal-sale"), "{shown}");
    let history = json(&env.ok(&["history", "--format", "json"]));
    assert_eq!(history[0]["blocks"], serde_json::json!(["testimonial"]));
    assert_eq!(history[0]["emails"], serde_json::json!(["welcome"]));
}

#[test]
fn history_lists_versions_with_author_time_message_and_emails() {
    let env = Env::new(Some(ADA));
    env.init();
    env.edit("welcome", |d| d["preheader"] = Value::from("Hello there"));
    env.ok(&["save", "-m", "Welcome preheader"]);
    env.edit("seasonal-sale", |d| d["name"] = Value::from("Winter sale"));
    env.ok(&["save", "-m", "Rename the sale"]);
    let all = json(&env.ok(&["history", "--format", "json"]));
    let all = all.as_array().expect("array");
    assert_eq!(all.len(), 3);
    let ids: Vec<String> = env.git(&["log", "--format=%H"]).lines().map(str::to_owned).collect();
    let ours: Vec<&str> = all.iter().map(|v| v["id"].as_str().unwrap_or("")).collect();
    assert_eq!(ours, ids, "the same versions as git log, newest first");
    assert_eq!(all[0]["message"], "Rename the sale");
    assert_eq!(all[0]["emails"], serde_json::json!(["seasonal-sale"]));
    assert_eq!(all[0]["author_email"], "ada@example.com");
    let git_time = env.git(&["log", "-1", "--format=%aI"]);
    assert_eq!(all[0]["time"].as_str(), Some(git_time.trim()));
    let welcome = json(&env.ok(&["history", "welcome", "--format", "json"]));
    let messages: Vec<&str> = welcome
        .as_array()
        .expect("array")
        .iter()
        .map(|v| v["message"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        messages,
        ["Welcome preheader", "Create the workspace from the Tessera demo"]
    );
    let text = env.ok(&["history", "welcome"]);
    assert!(
        text.contains(&ids[1][..8])
            && text.contains("Ada Lovelace <ada@example.com>")
            && text.contains("emails: welcome"),
        "{text}"
    );
    let err = env.fails(&["history", "no-such-email"]);
    assert!(err.contains("no email \"no-such-email\""), "{err}");
}

#[test]
fn diff_shows_blocks_added_removed_moved_and_fields_old_and_new() {
    let env = Env::new(Some(ADA));
    env.init();
    let first = env.git(&["rev-parse", "HEAD"]).trim().to_owned();
    env.edit("welcome", |d| {
        let blocks = d["blocks"].as_array_mut().expect("blocks");
        blocks.retain(|b| b["id"] != "social");
        blocks.swap(1, 2); // intro before hero
        blocks[2]["fields"]["headline"] = Value::from("Welcome aboard");
        blocks[2]["show_if"] = Value::from("in_segment \"vip\"");
        blocks.push(serde_json::json!({"id": "spacer-end", "type": "spacer"}));
    });
    let text = env.ok(&["diff", "welcome"]);
    for part in [
        "welcome: ",
        "-> working copy",
        "+ block spacer-end (spacer) added at #8",
        "- block social (social) removed from #7",
        "~ block hero (hero)",
        "moved: #2 -> #3",
        "field headline: \"Welcome to Northwind, {{default profile.first_name",
        "-> \"Welcome aboard\"",
        "rule show_if: (not set) -> \"in_segment \\\"vip\\\"\"",
    ] {
        assert!(text.contains(part), "{part:?} not in:\n{text}");
    }
    assert!(
        !text.contains("block footer"),
        "unchanged blocks are not listed:\n{text}"
    );
    let d = json(&env.ok(&["diff", "welcome", "--format", "json"]));
    assert_eq!(d["from"]["version"], Value::from(first.clone()));
    assert_eq!(d["to"]["version"], Value::Null);
    let kinds: Vec<&str> = d["changes"]["blocks"]
        .as_array()
        .expect("blocks")
        .iter()
        .map(|b| b["change"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(kinds, ["changed", "added", "removed"], "{d}");
    env.ok(&["save", "-m", "Rework welcome"]);
    // Between two versions, named by short ids; and the exported template as a unified diff.
    let d = env.ok(&["diff", "welcome", &first[..8], "HEAD", "--target", "liquid"]);
    assert!(d.contains("--- a/exports/welcome/liquid/template.html"), "{d}");
    assert!(
        d.lines().any(|l| l.starts_with('+') && l.contains("Welcome aboard")),
        "{d}"
    );
    assert!(d.lines().any(|l| l.starts_with('-') && l.contains("t-social")), "{d}");
    assert!(env.ok(&["diff", "welcome"]).contains("no changes to the design"));
    let err = env.fails(&["diff", "welcome", "0000000000"]);
    assert!(err.contains("no version \"0000000000\""), "{err}");
    let err = env.fails(&["diff", "welcome", "HEAD", "--target", "nope"]);
    assert!(err.contains("nope"), "{err}");
}

#[test]
fn restore_brings_a_version_back_as_a_new_change_and_saves_are_byte_identical() {
    let env = Env::new(Some(ADA));
    env.init();
    env.ok(&["export", "welcome", "--target", "liquid"]);
    env.ok(&["save", "-m", "Export"]);
    let v1 = env.git(&["rev-parse", "HEAD"]).trim().to_owned();
    env.edit("welcome", |d| d["subject"] = Value::from("Experiment"));
    env.ok(&["save", "-m", "Experiment"]);
    let said = env.ok(&["restore", "welcome", &v1[..8]]);
    assert!(said.contains("Restored welcome"), "{said}");
    assert_eq!(
        std::fs::read_to_string(env.email_path("welcome")).expect("read"),
        env.git(&["show", &format!("{v1}:emails/welcome.email.json")]),
        "the document is back byte for byte"
    );
    assert_eq!(
        env.git(&["rev-list", "--count", "HEAD"]).trim(),
        "3",
        "restore commits nothing"
    );
    assert_eq!(
        env.git(&["status", "--porcelain"]).trim(),
        "M emails/welcome.email.json"
    );
    env.ok(&["save", "-m", "Back to the first subject"]);
    assert_eq!(
        env.git(&["rev-list", "--count", "HEAD"]).trim(),
        "4",
        "history is only added to"
    );
    // The same design saved again gives byte-identical files: document and regenerated exports.
    assert_eq!(env.git(&["diff", "--stat", &v1, "HEAD"]), "", "same design, same bytes");
    let err = env.fails(&["restore", "no-such", &v1[..8]]);
    assert!(err.contains("no-such") && err.contains("not in version"), "{err}");
    let err = env.fails(&["restore", "welcome", "feedfacefeed"]);
    assert!(err.contains("no version \"feedfacefeed\""), "{err}");
}

#[test]
fn block_usage_lists_emails_and_versions_and_changed_by_re_exports_them() {
    let env = Env::new(Some(ADA));
    env.init();
    env.edit("welcome", |d| {
        d["blocks"]
            .as_array_mut()
            .expect("blocks")
            .retain(|b| b["type"] != "testimonial");
    });
    env.ok(&["save", "-m", "No testimonial"]);
    let usage = json(&env.ok(&["blocks", "usage", "testimonial", "--format", "json"]));
    assert_eq!(usage["working"], serde_json::json!([]));
    let versions = usage["versions"].as_array().expect("versions");
    assert_eq!(versions.len(), 1, "{usage}");
    assert_eq!(versions[0]["message"], "Create the workspace from the Tessera demo");
    assert_eq!(
        versions[0]["emails"],
        serde_json::json!([{"email": "welcome", "blocks": ["testimonial"]}])
    );
    let text = env.ok(&["blocks", "usage", "product-grid"]);
    assert!(
        text.contains("abandoned-cart") && text.contains("seasonal-sale") && !text.contains("welcome"),
        "{text}"
    );
    let err = env.fails(&["blocks", "usage", "no-such-block"]);
    assert!(err.contains("no block type \"no-such-block\""), "{err}");
    // --changed-by: every email using the type, to the targets it was exported to.
    env.ok(&["export", "seasonal-sale", "--target", "liquid"]);
    let html = env.ws().join("exports/seasonal-sale/liquid/template.html");
    let before = std::fs::read(&html).expect("export");
    std::fs::remove_file(&html).expect("rm");
    let said = env.ok(&["export", "--changed-by", "product-grid"]);
    assert!(said.contains("abandoned-cart: never exported"), "{said}");
    assert_eq!(std::fs::read(&html).expect("re-exported"), before);
    assert!(!env.ws().join("exports/abandoned-cart").exists());
    env.ok(&["export", "--changed-by", "product-grid", "--target", "html"]);
    assert!(env.ws().join("exports/abandoned-cart/html/template.html").is_file());
}
