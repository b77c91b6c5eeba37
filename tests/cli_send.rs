//! Test sends end to end: the real `tessera` binary against a real SMTP server on loopback
//! (aiosmtpd, `tests/smtp/`), received messages parsed by Python's `email` package, the send log
//! read from the real SQLite file. Plain, STARTTLS with a trusted self-signed CA, AUTH, a server
//! without STARTTLS, an untrusted certificate, wrong credentials, a timeout, a refused connection,
//! header injection, invalid recipients, a batch that fails partway, the outbox.

mod common;
mod smtp;

use std::process::{Command, Output};

use common::{assert_exit, assert_mentions, Dir};
use serde_json::Value;
use smtp::{inspect, Options, Server};

/// An email with a local image, a remote image and text lines holding only dots.
/// The password variable of the account `tester@127.0.0.1` the test profiles log in as (keyed by
/// account, like the keyring).
const TESTER_PASSWORD_ENV: &str = "TESSERA_SMTP_PASSWORD_TESTER_40127_2E0_2E0_2E1";
const DOTS_EMAIL: &str = r#"{
  "schema_version": 1,
  "name": "Dots",
  "subject": "Hello {{default profile.first_name \"friend\"}}",
  "preheader": "Preheader for {{default profile.first_name \"friend\"}}",
  "blocks": [
    {"id": "logo", "type": "image", "fields": {"src": "images/logo.png", "alt": "Logo", "width": 120}},
    {"id": "again", "type": "image", "fields": {"src": "images/logo.png", "alt": "Logo again", "width": 60}},
    {"id": "remote", "type": "image", "fields": {"src": "https://cdn.example.com/hero.jpg", "alt": "Hero"}},
    {"id": "body", "type": "text", "fields": {"heading": "Dots", "body": "<p>Line before</p><p>.</p><p>..</p><p>.leading dot</p><p>Grüße, {{default profile.first_name \"friend\"}}</p>"}}
  ]
}"#;

/// The smallest valid PNG (1x1 transparent).
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00, 0x00, 0x00, 0x0d, 0x49,
    0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x00, 0x01, 0x00, 0x00, 0x05, 0x00, 0x01, 0x0d, 0x0a, 0x2d, 0xb4, 0x00, 0x00,
    0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

const PASSWORD: &str = "correct horse battery staple";

/// A workspace from `tessera init` with the dots email, its image and extra settings appended to
/// tessera.toml.
fn workspace(extra_toml: &str) -> Dir {
    let ws = Dir::workspace();
    ws.write("emails/dots.email.json", DOTS_EMAIL);
    std::fs::create_dir_all(ws.join("images")).expect("images folder");
    std::fs::write(ws.join("images/logo.png"), PNG).expect("write the image");
    let mut config = ws.read("tessera.toml");
    config.push_str(extra_toml);
    ws.write("tessera.toml", &config);
    ws
}

/// Runs tessera with `env` set, no inherited SMTP passwords, and no session bus or runtime folder
/// (so no test ever reads or writes the keyring of the person running it).
fn tessera(ws: &Dir, args: &[&str], env: &[(&str, &str)]) -> Output {
    let runtime = tempfile::tempdir().expect("runtime folder");
    let mut command = Command::new(env!("CARGO_BIN_EXE_tessera"));
    command
        .args(args)
        .current_dir(ws.path())
        .env("RUST_BACKTRACE", "0")
        .env("XDG_RUNTIME_DIR", runtime.path())
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY");
    for (key, _) in std::env::vars() {
        if key.starts_with("TESSERA_SMTP_PASSWORD") {
            command.env_remove(key);
        }
    }
    for (k, v) in env {
        command.env(k, v);
    }
    command.output().expect("the tessera binary runs")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The send log, oldest first, from the workspace's SQLite file.
fn send_log(ws: &Dir) -> Vec<Value> {
    let conn = rusqlite::Connection::open(ws.join(".tessera/store.db")).expect("open the store");
    let mut stmt = conn
        .prepare("SELECT email, email_version, content_hash, profile, recipient, transport, message_id, status, response, error_code, error, size_bytes FROM send_log ORDER BY id")
        .expect("prepare");
    stmt.query_map([], |r| {
        Ok(serde_json::json!({
            "email": r.get::<_, String>(0)?, "email_version": r.get::<_, String>(1)?,
            "content_hash": r.get::<_, String>(2)?, "profile": r.get::<_, String>(3)?,
            "recipient": r.get::<_, String>(4)?, "transport": r.get::<_, String>(5)?,
            "message_id": r.get::<_, String>(6)?, "status": r.get::<_, String>(7)?,
            "response": r.get::<_, Option<String>>(8)?, "error_code": r.get::<_, Option<String>>(9)?,
            "error": r.get::<_, Option<String>>(10)?, "size_bytes": r.get::<_, i64>(11)?,
        }))
    })
    .expect("query")
    .collect::<Result<Vec<_>, _>>()
    .expect("rows")
}

fn profile(name: &str, security: &str, port: u16, extra: &str) -> String {
    format!("\n[smtp.{name}]\nhost = \"127.0.0.1\"\nport = {port}\nsecurity = \"{security}\"\ntimeout = 5\n{extra}\n")
}

/// The leaves of a MIME tree in order, as (content type, part).
fn leaves(part: &Value) -> Vec<(String, Value)> {
    match part["parts"].as_array() {
        Some(children) => children.iter().flat_map(leaves).collect(),
        None => vec![(
            part["content_type"].as_str().unwrap_or_default().to_owned(),
            part.clone(),
        )],
    }
}

#[test]
fn plain_loopback_send_arrives_whole_as_parsed_by_python_email() {
    let server = Server::start(&Options::default());
    let ws = workspace(&profile("local", "none", server.port, ""));
    let out = tessera(&ws, &["send", "dots", "--to", "seed@example.com"], &[]);
    assert_exit(&out, 0);
    assert_mentions(
        &text(&out),
        &[
            "sent    seed@example.com as sample:ada",
            "\"[TEST] Hello Ada\"",
            "250 2.0.0 Accepted as 0001",
            "1 inline and 1 remote image(s)",
            "of Gmail's 102.0 KB budget",
        ],
    );

    let received = server.received();
    assert_eq!(received.len(), 1);
    let (eml, envelope) = &received[0];
    assert_eq!(envelope["rcpt_tos"], serde_json::json!(["seed@example.com"]));
    assert_eq!(envelope["mail_from"], "news@northwind.example");
    let msg = inspect(eml);
    let h = &msg["headers"];
    assert_eq!(h["Subject"], "[TEST] Hello Ada");
    assert_eq!(h["From"], "Northwind Outfitters <news@northwind.example>");
    assert_eq!(h["Reply-To"], "help@northwind.example");
    assert_eq!(h["To"], "seed@example.com");
    assert_eq!(
        h["List-Unsubscribe"],
        "<mailto:unsubscribe@northwind.example?subject=unsubscribe>, <https://northwind.example/unsubscribe?email=seed%40example.com>"
    );
    assert_eq!(h["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click");
    assert_eq!(msg["all_ascii"], true, "8-bit content must be encoded");
    assert!(msg["max_line"].as_u64().unwrap_or(u64::MAX) <= 998);

    // multipart/alternative: text/plain, then multipart/related (HTML + the one image, once).
    let tree = &msg["tree"];
    assert_eq!(tree["content_type"], "multipart/alternative");
    assert_eq!(tree["parts"][0]["content_type"], "text/plain");
    assert_eq!(tree["parts"][1]["content_type"], "multipart/related");
    let related = &tree["parts"][1]["parts"];
    assert_eq!(related.as_array().map(Vec::len), Some(2), "{related}");
    assert_eq!(related[0]["content_type"], "text/html");
    let image = &related[1];
    assert_eq!(image["content_type"], "image/png");
    assert_eq!(image["disposition"], "inline");
    assert_eq!(image["bytes"], PNG.len());
    assert_eq!(image["hex_start"], "89504e470d0a1a0a");
    let cid = image["content_id"].as_str().expect("Content-ID");
    let cid = cid.trim_start_matches('<').trim_end_matches('>');
    let html = related[0]["text"].as_str().expect("HTML");
    assert_eq!(
        html.matches(&format!("src=\"cid:{cid}\"")).count(),
        2,
        "both img tags point at the part"
    );
    assert!(!html.contains("images/logo.png"));
    assert!(
        html.contains("https://cdn.example.com/hero.jpg"),
        "remote images stay links"
    );
    assert!(html.contains("Preheader for Ada"));
    assert!(html.contains("Grüße, Ada"));
    for (_, part) in leaves(tree) {
        assert_eq!(part["defects"], serde_json::json!([]), "{part}");
    }

    // Lines holding only dots arrive intact (SMTP dot-stuffing undone by the server).
    let plain = tree["parts"][0]["text"].as_str().expect("text part");
    let lines: Vec<&str> = plain.lines().map(str::trim_end).collect();
    for expected in [".", "..", ".leading dot"] {
        assert!(
            lines.contains(&expected),
            "{expected:?} missing from the text part:\n{plain}"
        );
    }
    assert!(plain.contains("Grüße, Ada"));

    // The send log, in the real SQLite file.
    let log = send_log(&ws);
    assert_eq!(log.len(), 1);
    assert_eq!(log[0]["status"], "sent");
    assert_eq!(log[0]["email"], "dots");
    assert_eq!(log[0]["profile"], "sample:ada");
    assert_eq!(log[0]["recipient"], "seed@example.com");
    assert_eq!(log[0]["transport"], "smtp:local");
    assert_eq!(log[0]["response"], "250 2.0.0 Accepted as 0001");
    assert_eq!(
        format!("<{}>", log[0]["message_id"].as_str().unwrap_or_default()),
        h["Message-ID"].as_str().unwrap_or_default()
    );
    assert_eq!(log[0]["email_version"].as_str().map(str::len), Some(64));
    // The logged size is the message as built; on the wire SMTP adds the final line break.
    let on_wire = std::fs::metadata(eml).map(|m| m.len()).unwrap_or_default();
    assert!(
        log[0]["size_bytes"].as_u64().is_some_and(|s| on_wire.abs_diff(s) <= 2),
        "{} vs {on_wire}",
        log[0]["size_bytes"]
    );
}

#[test]
fn starttls_with_an_explicitly_trusted_certificate_and_auth_delivers() {
    let server = Server::start(&Options {
        starttls: true,
        auth: Some(("tester", PASSWORD)),
        ..Options::default()
    });
    let ca = smtp::certs().ca_cert.to_str().expect("UTF-8 path").to_owned();
    let ws = workspace(&profile(
        "secure",
        "starttls",
        server.port,
        &format!("user = \"tester\"\nca_file = \"{ca}\""),
    ));
    // Two profiles of the store, two seed addresses: four messages.
    ws.write("p.csv", "email,first_name\nada@example.com,Ada\nben@example.com,Ben\n");
    assert_exit(&tessera(&ws, &["import", "p.csv", "--kind", "profiles"], &[]), 0);
    let out = tessera(
        &ws,
        &[
            "send",
            "dots",
            "--to",
            "a@example.com,b@example.com",
            "--profile",
            "ada@example.com",
            "--profile",
            "ben@example.com",
        ],
        &[(TESTER_PASSWORD_ENV, PASSWORD)],
    );
    assert_exit(&out, 0);
    assert_mentions(
        &text(&out),
        &[
            "4 message(s) of dots to 127.0.0.1:",
            "(profile secure, starttls): 4 sent, 0 not delivered",
        ],
    );
    let received = server.received();
    assert_eq!(received.len(), 4);
    for (_, envelope) in &received {
        assert_eq!(envelope["tls"], true);
        assert_eq!(envelope["authenticated"], true);
    }
    let subjects: Vec<String> = received
        .iter()
        .map(|(eml, _)| {
            inspect(eml)["headers"]["Subject"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    assert_eq!(
        subjects,
        [
            "[TEST] Hello Ada",
            "[TEST] Hello Ada",
            "[TEST] Hello Ben",
            "[TEST] Hello Ben"
        ]
    );
    let log = send_log(&ws);
    assert_eq!(log.iter().filter(|r| r["status"] == "sent").count(), 4);
    assert!(!text(&out).contains(PASSWORD));
}

#[test]
fn implicit_tls_with_auth_delivers() {
    let server = Server::start(&Options {
        implicit_tls: true,
        auth: Some(("tester", PASSWORD)),
        ..Options::default()
    });
    let ca = smtp::certs().ca_cert.to_str().expect("UTF-8 path").to_owned();
    let ws = workspace(&profile(
        "wrapped",
        "tls",
        server.port,
        &format!("user = \"tester\"\nca_file = \"{ca}\""),
    ));
    let out = tessera(
        &ws,
        &["send", "dots", "--to", "a@example.com"],
        &[(TESTER_PASSWORD_ENV, PASSWORD)],
    );
    assert_exit(&out, 0);
    assert_mentions(&text(&out), &["(profile wrapped, tls): 1 sent"]);
    let received = server.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].1["tls"], true);
    assert_eq!(received[0].1["authenticated"], true);
}

#[test]
fn a_wrong_password_is_named_never_printed_and_stops_the_batch() {
    let server = Server::start(&Options {
        starttls: true,
        auth: Some(("tester", PASSWORD)),
        ..Options::default()
    });
    let ca = smtp::certs().ca_cert.to_str().expect("UTF-8 path").to_owned();
    let ws = workspace(&profile(
        "secure",
        "starttls",
        server.port,
        &format!("user = \"tester\"\nca_file = \"{ca}\""),
    ));
    let wrong = "wrong-Pa55word";
    let out = tessera(
        &ws,
        &["send", "dots", "--to", "a@example.com,b@example.com"],
        &[(TESTER_PASSWORD_ENV, wrong)],
    );
    assert_exit(&out, 1);
    let all = text(&out);
    assert_mentions(
        &all,
        &[
            "refused the login of tester (wrong user name or password): 535",
            "b@example.com (as sample:ada): not attempted",
        ],
    );
    assert!(!all.contains(wrong) && !all.contains(PASSWORD), "{all}");
    assert!(server.received().is_empty());
    let log = send_log(&ws);
    let status: Vec<(&str, &str)> = log
        .iter()
        .map(|r| {
            (
                r["status"].as_str().unwrap_or_default(),
                r["error_code"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(status, [("failed", "auth_failed"), ("not_attempted", "auth_failed")]);
    let stored = std::fs::read(ws.join(".tessera/store.db")).expect("read the store");
    assert!(!String::from_utf8_lossy(&stored).contains(wrong));
}

#[test]
fn a_server_without_starttls_gets_nothing_when_starttls_is_required() {
    let server = Server::start(&Options::default());
    let ws = workspace(&profile("strict", "starttls", server.port, "user = \"tester\""));
    let out = tessera(
        &ws,
        &["send", "dots", "--to", "a@example.com"],
        &[(TESTER_PASSWORD_ENV, PASSWORD)],
    );
    assert_exit(&out, 1);
    assert_mentions(
        &text(&out),
        &[
            "does not offer STARTTLS, and this profile requires it",
            "no password was sent",
        ],
    );
    assert!(server.received().is_empty());
    assert_eq!(send_log(&ws)[0]["error_code"], "starttls_not_offered");
}

#[test]
fn an_untrusted_certificate_is_refused() {
    let server = Server::start(&Options {
        starttls: true,
        ..Options::default()
    });
    let ws = workspace(&profile("untrusted", "starttls", server.port, ""));
    let out = tessera(&ws, &["send", "dots", "--to", "a@example.com"], &[]);
    assert_exit(&out, 1);
    assert_mentions(
        &text(&out),
        &[
            "presented a TLS certificate that is not trusted (issued by an unknown authority)",
            "ca_file",
        ],
    );
    assert!(server.received().is_empty());
    assert_eq!(send_log(&ws)[0]["error_code"], "bad_certificate");
}

#[test]
fn a_silent_server_times_out_and_a_closed_port_is_refused() {
    let silent = smtp::silent_port();
    let closed = smtp::closed_port();
    let ws = workspace(&format!(
        "{}{}",
        profile("silent", "none", silent, "").replace("timeout = 5", "timeout = 1"),
        profile("closed", "none", closed, "")
    ));
    let started = std::time::Instant::now();
    let out = tessera(&ws, &["send", "dots", "--to", "a@example.com", "--smtp", "silent"], &[]);
    assert_exit(&out, 1);
    assert_mentions(
        &text(&out),
        &[&format!("127.0.0.1:{silent} did not answer within 1 s (timeout)")],
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    let out = tessera(&ws, &["send", "dots", "--to", "a@example.com", "--smtp", "closed"], &[]);
    assert_exit(&out, 1);
    assert_mentions(&text(&out), &[&format!("127.0.0.1:{closed} refused the connection")]);
    let codes: Vec<Value> = send_log(&ws).iter().map(|r| r["error_code"].clone()).collect();
    assert_eq!(codes, [Value::from("timeout"), Value::from("connection_refused")]);
}

#[test]
fn a_batch_that_fails_partway_names_each_failure_and_logs_every_message() {
    let server = Server::start(&Options {
        reject_containing: Some("bounce"),
        ..Options::default()
    });
    let ws = workspace(&profile("local", "none", server.port, ""));
    let out = tessera(
        &ws,
        &[
            "send",
            "dots",
            "--to",
            "a@example.com,bounce@example.com",
            "--to",
            "c@example.com",
        ],
        &[],
    );
    assert_exit(&out, 1);
    let all = text(&out);
    assert_mentions(&all, &["2 sent, 1 not delivered", "bounce@example.com (as sample:ada): the server rejected it: 550 5.1.1 <bounce@example.com>: mailbox unavailable"]);
    let delivered: Vec<Value> = server
        .received()
        .into_iter()
        .map(|(_, e)| e["rcpt_tos"][0].clone())
        .collect();
    assert_eq!(delivered, [Value::from("a@example.com"), Value::from("c@example.com")]);
    let log = send_log(&ws);
    let rows: Vec<(&str, &str)> = log
        .iter()
        .map(|r| {
            (
                r["recipient"].as_str().unwrap_or_default(),
                r["status"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("a@example.com", "sent"),
            ("bounce@example.com", "failed"),
            ("c@example.com", "sent")
        ]
    );
    assert_eq!(log[1]["error_code"], "rejected");
}

#[test]
fn line_breaks_in_data_and_settings_never_create_headers() {
    let server = Server::start(&Options::default());
    let ws = workspace(&profile("local", "none", server.port, ""));
    // The first sample recipient (alphabetically) carries the attack in its name.
    ws.write(
        "data/aa-hostile.json",
        r#"{"profile": {"first_name": "Eve\r\nBcc: victim@attacker.example\r\nX-Injected: yes\n\nbody"}}"#,
    );
    let config = ws.read("tessera.toml").replace(
        "from_name = \"Northwind Outfitters\"",
        "from_name = \"Northwind\\r\\nX-From-Injected: yes\"",
    );
    ws.write("tessera.toml", &config);
    let out = tessera(&ws, &["send", "dots", "--to", "seed@example.com"], &[]);
    assert_exit(&out, 0);
    let received = server.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].1["rcpt_tos"], serde_json::json!(["seed@example.com"]));
    let msg = inspect(&received[0].0);
    let names: Vec<String> = msg["header_names"]
        .as_array()
        .expect("names")
        .iter()
        .map(|n| n.as_str().unwrap_or_default().to_ascii_lowercase())
        .collect();
    for forbidden in ["bcc", "x-injected", "x-from-injected"] {
        assert!(
            !names.contains(&forbidden.to_owned()),
            "{forbidden} became a header: {names:?}"
        );
    }
    assert_eq!(
        msg["headers"]["Subject"],
        "[TEST] Hello Eve Bcc: victim@attacker.example X-Injected: yes body"
    );
    assert_eq!(msg["tree"]["content_type"], "multipart/alternative");
}

#[test]
fn invalid_recipients_are_refused_with_reasons_before_anything_is_sent() {
    let server = Server::start(&Options::default());
    let ws = workspace(&profile("local", "none", server.port, ""));
    let out = tessera(
        &ws,
        &[
            "send",
            "dots",
            "--to",
            "good@example.com,bad@,two@@example.com,\"quoted\"@example.com",
            "--to",
            "a@b.example\r\nRCPT TO:<x@y.example>",
        ],
        &[],
    );
    assert_exit(&out, 1);
    assert_mentions(
        &text(&out),
        &[
            "nothing was sent",
            "\"bad@\" is not a valid address (nothing after the @)",
            "\"two@@example.com\" is not a valid address (more than one @)",
            "quoted local parts are not accepted",
            "(contains a line break)",
        ],
    );
    assert!(server.received().is_empty());
    assert!(!ws.join(".tessera/store.db").exists() || send_log(&ws).is_empty());
}

#[test]
fn smtp_urls_send_one_off_and_refuse_passwords_in_the_url() {
    let server = Server::start(&Options::default());
    let ws = workspace("");
    let url = format!("smtp://127.0.0.1:{}", server.port);
    let out = tessera(&ws, &["send", "dots", "--to", "a@example.com", "--smtp-url", &url], &[]);
    assert_exit(&out, 0);
    assert_eq!(server.received().len(), 1);
    assert_eq!(
        send_log(&ws)[0]["transport"],
        format!("smtp-url:127.0.0.1:{}", server.port)
    );
    let out = tessera(
        &ws,
        &[
            "send",
            "dots",
            "--to",
            "a@example.com",
            "--smtp-url",
            "smtp://me:s3cret@mail.example.com",
        ],
        &[],
    );
    assert_exit(&out, 1);
    assert_mentions(
        &text(&out),
        &["never reads passwords from files or URLs", "TESSERA_SMTP_PASSWORD"],
    );
    assert!(!text(&out).contains("s3cret"));
    let out = tessera(
        &ws,
        &[
            "send",
            "dots",
            "--to",
            "a@example.com",
            "--smtp-url",
            "smtp://mail.example.com?security=none",
        ],
        &[],
    );
    assert_exit(&out, 1);
    assert_mentions(&text(&out), &["only allowed for servers on this machine"]);
}

#[test]
fn passwords_come_from_the_keyring_or_the_environment_never_a_file() {
    let ws = workspace(&profile("work", "starttls", 2525, "user = \"sender@example.com\""));
    // No session bus: no keyring. A clear error naming the variable, not a plaintext fallback.
    let out = tessera(&ws, &["send", "dots", "--to", "a@example.com"], &[]);
    assert_exit(&out, 1);
    assert_mentions(
        &text(&out),
        &[
            "no OS keyring is available to read the password for sender@example.com@127.0.0.1",
            "set TESSERA_SMTP_PASSWORD_SENDER_40EXAMPLE_2ECOM_40127_2E0_2E0_2E1",
        ],
    );
    let mut set = Command::new(env!("CARGO_BIN_EXE_tessera"))
        .args(["smtp", "set-password", "work"])
        .current_dir(ws.path())
        .env("XDG_RUNTIME_DIR", ws.path())
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .env_remove("DISPLAY")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("tessera runs");
    {
        use std::io::Write as _;
        let mut stdin = set.stdin.take().expect("stdin");
        stdin.write_all(b"from-stdin\n").expect("write the password");
    }
    let out = set.wait_with_output().expect("tessera ends");
    assert_exit(&out, 1);
    assert!(!text(&out).contains("from-stdin"));
    assert_mentions(&text(&out), &["no OS keyring is available"]);

    let config = ws.read("tessera.toml").replace(
        "user = \"sender@example.com\"",
        "user = \"sender@example.com\"\npassword = \"plaintext-secret\"",
    );
    ws.write("tessera.toml", &config);
    let out = tessera(&ws, &["send", "dots", "--to", "a@example.com"], &[]);
    assert_exit(&out, 1);
    assert_mentions(
        &text(&out),
        &[
            "[smtp.work]: a password was given here; Tessera never reads passwords from files or URLs",
            "tessera smtp set-password work",
        ],
    );
    assert!(!text(&out).contains("plaintext-secret"));
}

#[test]
fn without_an_smtp_profile_sends_go_to_the_outbox() {
    let ws = workspace("");
    let out = tessera(&ws, &["send", "dots", "--to", "a@example.com,b@example.com"], &[]);
    assert_exit(&out, 0);
    assert_mentions(
        &text(&out),
        &["2 message(s) of dots to the outbox", "2 sent, 0 not delivered"],
    );
    let files: Vec<_> = std::fs::read_dir(ws.join(".tessera/outbox"))
        .expect("outbox")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "eml"))
        .collect();
    assert_eq!(files.len(), 2);
    for file in &files {
        let msg = inspect(file);
        assert_eq!(msg["headers"]["Subject"], "[TEST] Hello Ada");
        assert_eq!(msg["tree"]["parts"][1]["parts"][1]["content_type"], "image/png");
    }
    let log = send_log(&ws);
    assert!(log.iter().all(|r| r["transport"] == "outbox" && r["status"] == "sent"));

    let list = tessera(&ws, &["outbox", "list"], &[]);
    assert_exit(&list, 0);
    assert_mentions(&text(&list), &["a@example.com", "b@example.com", "[TEST] Hello Ada"]);
    let json = tessera(&ws, &["outbox", "list", "--json"], &[]);
    let entries: Value = serde_json::from_slice(&json.stdout).expect("JSON");
    let id = entries[0]["id"].as_str().expect("id").to_owned();
    let show = tessera(&ws, &["outbox", "show", &id[..8]], &[]);
    assert_exit(&show, 0);
    assert_eq!(
        show.stdout,
        std::fs::read(entries[0]["path"].as_str().expect("path")).expect("read")
    );
    let open = tessera(&ws, &["outbox", "open", "latest"], &[("TESSERA_OPEN", "ls")]);
    assert_exit(&open, 0);
    assert_mentions(&text(&open), &[&format!("{id}.eml")]);
    let missing = tessera(&ws, &["outbox", "show", "nope"], &[]);
    assert_exit(&missing, 1);
    assert_mentions(&text(&missing), &["no message \"nope\" in the outbox"]);

    let forced = workspace(&profile("local", "none", smtp::closed_port(), ""));
    let out = tessera(&forced, &["send", "dots", "--to", "a@example.com", "--outbox"], &[]);
    assert_exit(&out, 0);
}

#[test]
fn the_demo_workspace_cannot_send_and_says_why() {
    let dir = Dir::new();
    let out = tessera(&dir, &["send", "welcome", "--to", "a@example.com"], &[]);
    assert_exit(&out, 1);
    assert_mentions(&text(&out), &["demo workspace", "tessera init"]);
}

#[test]
fn an_amp_test_send_arrives_with_the_amp_part_between_text_and_html() {
    let server = Server::start(&Options::default());
    let ws = workspace(&format!(
        "{}\n[live]\nbase_url = \"https://live.northwind.example\"\n",
        profile("local", "none", server.port, "")
    ));
    let store = common::repo().join("fixtures/demo/store");
    for (file, kind) in [
        ("profiles.csv", "profiles"),
        ("products.csv", "products"),
        ("events.jsonl", "events"),
    ] {
        let file = store.join(file);
        assert_exit(
            &tessera(&ws, &["import", file.to_str().expect("UTF-8"), "--kind", kind], &[]),
            0,
        );
    }
    let out = tessera(
        &ws,
        &[
            "send",
            "abandoned-cart",
            "--to",
            "seed@example.com",
            "--profile",
            "uwejaeger@webmail.example",
            "--amp",
        ],
        &[],
    );
    assert_exit(&out, 0);
    let received = server.received();
    assert_eq!(received.len(), 1);
    let msg = inspect(&received[0].0);
    let tree = &msg["tree"];
    assert_eq!(tree["content_type"], "multipart/alternative");
    let order: Vec<&str> = tree["parts"]
        .as_array()
        .expect("parts")
        .iter()
        .map(|p| p["content_type"].as_str().unwrap_or_default())
        .collect();
    // The HTML part comes last; with the demo's own images it travels with them as CID parts in a
    // multipart/related whose first part is the HTML.
    let html_last = match order.as_slice() {
        ["text/plain", "text/x-amp-html", "text/html"] => true,
        ["text/plain", "text/x-amp-html", "multipart/related"] => {
            tree["parts"][2]["parts"][0]["content_type"] == "text/html"
        }
        _ => false,
    };
    assert!(html_last, "text, AMP, then HTML: {order:?} in {tree}");
    let amp = tree["parts"][1]["text"].as_str().expect("AMP text");
    assert!(
        amp.starts_with("<!doctype html><html \u{26a1}4email data-css-strict"),
        "{}",
        &amp[..80]
    );
    assert!(amp.contains(
        "<amp-list layout=\"container\" src=\"https://live.northwind.example/feeds/abandoned-cart/cart-items?t="
    ));
    for (_, part) in leaves(tree) {
        assert_eq!(part["defects"], serde_json::json!([]), "{part}");
    }
    // Without --amp the message has no AMP part.
    let plain = tessera(
        &ws,
        &[
            "send",
            "abandoned-cart",
            "--to",
            "seed@example.com",
            "--profile",
            "uwejaeger@webmail.example",
        ],
        &[],
    );
    assert_exit(&plain, 0);
    let received = server.received();
    let msg = inspect(&received[1].0);
    let types: Vec<String> = leaves(&msg["tree"]).into_iter().map(|(t, _)| t).collect();
    assert!(!types.iter().any(|t| t == "text/x-amp-html"), "{types:?}");
}
