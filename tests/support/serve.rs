//! A real `tessera serve` process for the collector's tests (`tests/live.rs`, `tests/live_feeds.rs`):
//! started on a free loopback port, its address read from the ready line it prints, killed when
//! dropped.
// Shared by several test binaries; each uses only part of it.
#![allow(dead_code)]

use std::io::{BufRead as _, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// The `tessera` binary in `dir`.
pub fn tessera(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tessera"));
    cmd.current_dir(dir);
    cmd
}

/// A running `tessera serve`.
pub struct Server {
    /// The process.
    pub child: Child,
    /// Where it listens.
    pub addr: SocketAddr,
}

impl Server {
    /// Starts `tessera serve --listen 127.0.0.1:0` on the workspace `ws` with `args` and `env`
    /// added, and waits for its ready line.
    pub fn spawn(ws: &Path, env: &[(&str, &str)], args: &[&str]) -> Self {
        let mut child = tessera(ws)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(args)
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("serve");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("the ready line");
        let addr = line
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|a| a.parse().ok())
            .unwrap_or_else(|| panic!("no address in {line:?}"));
        Self { child, addr }
    }

    /// Kills the process as `kill -9` does, and reaps it.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
