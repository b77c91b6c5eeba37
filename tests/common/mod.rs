//! Helpers for the CLI tests: run the real `tessera` binary in temporary folders.
// Shared by several test binaries; each uses only part of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs `tessera` with `args` in `cwd` and waits for it.
pub fn run(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tessera"))
        .args(args)
        .current_dir(cwd)
        .env("RUST_BACKTRACE", "0")
        .output()
        .expect("the tessera binary runs")
}

/// Standard output as text.
pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Standard error as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Standard output and standard error together, for messages that may go to either.
pub fn all(out: &Output) -> String {
    format!("{}{}", stdout(out), stderr(out))
}

/// Asserts the exit code, showing both streams when it differs.
pub fn assert_exit(out: &Output, code: i32) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "expected exit code {code}\n--- stdout\n{}\n--- stderr\n{}",
        stdout(out),
        stderr(out)
    );
}

/// Asserts that `text` contains every one of `parts`.
pub fn assert_mentions(text: &str, parts: &[&str]) {
    for part in parts {
        assert!(text.contains(part), "expected {part:?} in:\n{text}");
    }
}

/// The repository checkout (for the built-in blocks and the demo fixtures).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A temporary folder, deleted when dropped.
pub struct Dir {
    tmp: tempfile::TempDir,
}

impl Dir {
    /// An empty temporary folder.
    pub fn new() -> Self {
        Self {
            tmp: tempfile::tempdir().expect("create a temporary folder"),
        }
    }

    /// A temporary folder holding a workspace made by `tessera init`.
    pub fn workspace() -> Self {
        let dir = Self::new();
        let out = dir.run(&["init", "."]);
        assert_exit(&out, 0);
        dir
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        self.tmp.path()
    }

    /// A path inside the folder.
    pub fn join(&self, rel: &str) -> PathBuf {
        self.path().join(rel)
    }

    /// A path inside the folder, as a command-line argument.
    pub fn arg(&self, rel: &str) -> String {
        self.join(rel).to_str().expect("UTF-8 temporary path").to_owned()
    }

    /// Writes a file (creating its folders) and returns its path.
    pub fn write(&self, rel: &str, contents: &str) -> PathBuf {
        let path = self.join(rel);
        std::fs::create_dir_all(path.parent().expect("a file has a parent")).expect("create folders");
        std::fs::write(&path, contents).expect("write a file");
        path
    }

    /// Reads a file of the folder.
    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.join(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
    }

    /// Runs `tessera` with this folder as the current folder.
    pub fn run(&self, args: &[&str]) -> Output {
        run(args, self.path())
    }
}
