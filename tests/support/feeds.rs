//! What the tests of `tessera serve`'s open-time endpoints share (`tests/live_feeds.rs`,
//! `tests/live_images.rs`): a workspace with the demo store and a collector address, the CLI run
//! in it, and one HTTP/1.1 request over loopback.
// Shared by several test binaries; each uses only part of it.
#![allow(dead_code)]

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::time::Duration;

use serde_json::Value;

use super::serve::tessera;

pub fn run(dir: &Path, args: &[&str]) -> String {
    let out = tessera(dir).args(args).output().expect("tessera runs");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub const SENDER: &str = "news@northwind.example";
pub const UWE: &str = "uwejaeger@webmail.example";

/// A workspace with the demo store, a collector address and an allowed AMP sender.
pub fn workspace() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let ws = dir.path().join("ws");
    run(dir.path(), &["init", ws.to_str().expect("utf-8")]);
    let store = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo/store");
    for (file, kind) in [
        ("profiles.csv", "profiles"),
        ("products.csv", "products"),
        ("events.jsonl", "events"),
    ] {
        run(
            &ws,
            &["import", store.join(file).to_str().expect("utf-8"), "--kind", kind],
        );
    }
    let mut config = std::fs::read_to_string(ws.join("tessera.toml")).expect("config");
    config.push_str(&format!(
        "\n[live]\nbase_url = \"https://live.northwind.example\"\namp_senders = [\"{SENDER}\"]\n"
    ));
    std::fs::write(ws.join("tessera.toml"), config).expect("config");
    (dir, ws)
}

pub struct Answer {
    /// The status code.
    pub status: u16,
    /// Headers, names in lower case.
    pub headers: Vec<(String, String)>,
    /// The body's bytes.
    pub bytes: Vec<u8>,
    /// The body as text.
    pub body: String,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

pub fn request(addr: SocketAddr, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Answer {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5)).expect("connect");
    stream.set_read_timeout(Some(Duration::from_secs(20))).expect("timeout");
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).expect("write");
    stream.write_all(body.as_bytes()).expect("write");
    let mut bytes = Vec::new();
    stream.read_to_end(&mut bytes).expect("read");
    let split = bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(bytes.len(), |at| at + 4);
    let head = String::from_utf8_lossy(&bytes[..split]).into_owned();
    let body = bytes[split..].to_vec();
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .expect("status");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Answer {
        status,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
        bytes: body,
    }
}

/// A process holding every read lock of the store (`tests/live/hold_read_locks.py`): while it
/// lives, no connection can start reading, so the server's reads wait past their budget.
pub struct StoreLock {
    child: std::process::Child,
}

impl StoreLock {
    /// Starts the holder on `db` and waits until it holds the locks.
    pub fn hold(db: &Path) -> Self {
        use std::io::BufRead as _;
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/live/hold_read_locks.py");
        let mut child = std::process::Command::new("/usr/bin/python3")
            .arg(script)
            .arg(db)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("python3");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("read");
        assert_eq!(line.trim(), "locked", "the read locks could not be taken");
        Self { child }
    }
}

impl Drop for StoreLock {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}
