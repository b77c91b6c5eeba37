//! A real SMTP server for the send tests: `tests/smtp/server.py` (aiosmtpd) on a free loopback
//! port, certificates made with the openssl command at test time, and Python's `email` package
//! (`tests/smtp/inspect_eml.py`) as an independent MIME parser. Nothing is mocked: if the server
//! cannot start, the test fails and says why.
#![allow(dead_code)]

use std::io::{BufRead as _, BufReader, Read as _};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use serde_json::Value;

/// The Python that has aiosmtpd: `TESSERA_TEST_PYTHON`, else Debian's `/usr/bin/python3` (where
/// `apt-get install python3-aiosmtpd` puts it), else `python3` on the PATH.
pub fn python() -> PathBuf {
    if let Some(p) = std::env::var_os("TESSERA_TEST_PYTHON") {
        return PathBuf::from(p);
    }
    let debian = PathBuf::from("/usr/bin/python3");
    if debian.is_file() {
        debian
    } else {
        PathBuf::from("python3")
    }
}

fn script(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/smtp").join(name)
}

/// How the server behaves.
#[derive(Debug, Default, Clone)]
pub struct Options {
    /// Offer STARTTLS with the test certificate.
    pub starttls: bool,
    /// Speak TLS from the first byte (port-465 style) with the test certificate.
    pub implicit_tls: bool,
    /// Require AUTH with `user:password` (over TLS only).
    pub auth: Option<(&'static str, &'static str)>,
    /// Refuse recipients containing this text with 550.
    pub reject_containing: Option<&'static str>,
}

/// A running aiosmtpd server; killed when dropped.
pub struct Server {
    child: Child,
    /// Its port on 127.0.0.1.
    pub port: u16,
    maildir: tempfile::TempDir,
}

impl Server {
    /// Starts a server and waits until it accepts connections. Panics (the test fails) if it
    /// cannot start.
    pub fn start(options: &Options) -> Self {
        let maildir = tempfile::tempdir().expect("a folder for received mail");
        let mut command = Command::new(python());
        command
            .arg(script("server.py"))
            .arg("--maildir")
            .arg(maildir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if options.starttls || options.implicit_tls {
            let certs = certs();
            command
                .arg("--tls-cert")
                .arg(&certs.server_cert)
                .arg("--tls-key")
                .arg(&certs.server_key);
        }
        if options.implicit_tls {
            command.arg("--implicit-tls");
        }
        if let Some((user, password)) = options.auth {
            command.arg("--auth").arg(format!("{user}:{password}"));
        }
        if let Some(text) = options.reject_containing {
            command.arg("--reject-containing").arg(text);
        }
        let mut child = command
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start the test SMTP server with {}: {e}", python().display()));
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx.recv_timeout(Duration::from_secs(30)).unwrap_or_default();
        let Some(port) = line.trim().strip_prefix("READY ").and_then(|p| p.parse().ok()) else {
            let _ = child.kill();
            let mut err = String::new();
            if let Some(mut stderr) = child.stderr.take() {
                let _ = stderr.read_to_string(&mut err);
            }
            panic!(
                "the test SMTP server did not start (is python3-aiosmtpd installed? scripts/test.sh installs it)\n{line}\n{err}"
            );
        };
        Self { child, port, maildir }
    }

    /// The received messages, in order: (the .eml file, the envelope).
    pub fn received(&self) -> Vec<(PathBuf, Value)> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.maildir.path())
            .expect("read the maildir")
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "eml"))
            .collect();
        files.sort();
        files
            .into_iter()
            .map(|eml| {
                let envelope = std::fs::read_to_string(eml.with_extension("json")).expect("envelope");
                (eml, serde_json::from_str(&envelope).expect("envelope JSON"))
            })
            .collect()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Parses a message with Python's `email` package (see `inspect_eml.py` for the JSON's shape).
pub fn inspect(eml: &Path) -> Value {
    let out = Command::new(python())
        .arg(script("inspect_eml.py"))
        .arg(eml)
        .output()
        .expect("run inspect_eml.py");
    assert!(
        out.status.success(),
        "inspect_eml.py failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("inspect_eml.py prints JSON")
}

/// The test certificate authority and a server certificate it signed for 127.0.0.1 and localhost.
pub struct Certs {
    /// The CA certificate (PEM): what a profile trusts with `ca_file`.
    pub ca_cert: PathBuf,
    /// The server's certificate (PEM).
    pub server_cert: PathBuf,
    /// The server's key (PEM).
    pub server_key: PathBuf,
}

/// Makes the certificates once per test binary, with the openssl command.
pub fn certs() -> &'static Certs {
    static CERTS: OnceLock<Certs> = OnceLock::new();
    CERTS.get_or_init(|| {
        let dir = tempfile::tempdir().expect("a folder for certificates").keep();
        let run = |args: &[&str]| {
            let out = Command::new("openssl")
                .args(args)
                .current_dir(&dir)
                .output()
                .expect("the openssl command runs (scripts/test.sh installs it)");
            assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        };
        std::fs::write(
            dir.join("server.ext"),
            "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n",
        )
        .expect("write extensions");
        run(&["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=Tessera Test CA"]);
        run(&["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost"]);
        run(&["x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "server.ext"]);
        Certs {
            ca_cert: dir.join("ca.pem"),
            server_cert: dir.join("server.pem"),
            server_key: dir.join("server.key"),
        }
    })
}

/// A port on 127.0.0.1 that accepts connections and never says a word. The listener lives as long
/// as the returned handle's thread (the whole test binary).
pub fn silent_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("address").port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    port
}

/// A port on 127.0.0.1 where nothing listens.
pub fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("address").port()
}
