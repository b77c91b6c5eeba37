//! One save at a time: an OS file lock that the kernel releases when its process dies, and the
//! clearing of git lock files a killed save left behind (and only those: a journal records that a
//! save was under way).

use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::HistoryError;

/// How long a save waits for another git process to release a lock before refusing
/// (git's own commands hold theirs for milliseconds; `git commit` holds the index while its editor runs).
const WAIT_FOR_GIT: Duration = Duration::from_secs(2);

/// Held while a save runs: `.git/tessera-save.lock`, locked with `flock`. A save killed at any
/// point releases it with its process.
#[derive(Debug)]
pub struct SaveLock {
    _file: File,
    /// `.git/tessera-save.journal`: present while a save holds git's lock files.
    journal: PathBuf,
    /// The working folder (the git folder's parent).
    root: PathBuf,
}

impl SaveLock {
    /// Waits for the save lock of the repository whose git folder is `git_dir`.
    ///
    /// # Errors
    /// The lock file cannot be created or locked.
    pub fn acquire(git_dir: &Path) -> Result<Self, HistoryError> {
        let path = git_dir.join("tessera-save.lock");
        let io = |source| HistoryError::Io {
            path: path.clone(),
            source,
        };
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(io)?;
        file.lock().map_err(io)?;
        Ok(Self {
            _file: file,
            journal: git_dir.join("tessera-save.journal"),
            root: git_dir.parent().unwrap_or(git_dir).to_path_buf(),
        })
    }

    /// With the save lock held, clears each of `locks` that a killed Tessera save left, and refuses
    /// the others. A lock counts as a killed save's when the journal an unfinished save leaves
    /// (`.git/tessera-save.journal`, see [`SaveLock::begin`]) exists and the lock is not older than
    /// it. Any other lock belongs to another git process: it is waited for (git's own commands
    /// hold theirs for milliseconds) and, still there after [`WAIT_FOR_GIT`], refused with a message
    /// naming the git process running in the repository when one is found.
    ///
    /// # Errors
    /// A lock file held by another process, or one that cannot be inspected or removed.
    pub fn clear_stale(&self, locks: &[PathBuf]) -> Result<(), HistoryError> {
        let journal = std::fs::metadata(&self.journal).ok().and_then(|m| m.modified().ok());
        let started = Instant::now();
        for lock in locks {
            loop {
                let created = match std::fs::metadata(lock) {
                    Ok(m) => m.modified().ok(),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => break,
                    Err(source) => {
                        return Err(HistoryError::Io {
                            path: lock.clone(),
                            source,
                        })
                    }
                };
                let ours = match (journal, created) {
                    // Timestamps may be coarse: a lock within a second of the journal counts as after it.
                    (Some(journal), Some(created)) => created + Duration::from_secs(1) >= journal,
                    _ => false,
                };
                if ours {
                    match std::fs::remove_file(lock) {
                        Ok(()) => break,
                        Err(e) if e.kind() == std::io::ErrorKind::NotFound => break,
                        Err(_) => return Err(self.locked(lock)),
                    }
                }
                if started.elapsed() >= WAIT_FOR_GIT {
                    return Err(self.locked(lock));
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        Ok(())
    }

    /// Records that a save is about to take git's lock files: if it is killed before
    /// [`SaveLock::finish`], the next save knows the locks it finds are that save's.
    ///
    /// # Errors
    /// The journal cannot be written.
    pub fn begin(&self) -> Result<(), HistoryError> {
        std::fs::write(&self.journal, format!("{}\n", std::process::id())).map_err(|source| HistoryError::Io {
            path: self.journal.clone(),
            source,
        })
    }

    /// The save finished: its journal goes.
    pub fn finish(&self) {
        let _ = std::fs::remove_file(&self.journal);
    }

    fn locked(&self, lock: &Path) -> HistoryError {
        HistoryError::Locked {
            path: lock.to_path_buf(),
            holder: running_git(&self.root),
        }
    }
}

/// A git process whose working folder is inside `root`, as `pid N: git ...` (Linux's `/proc`);
/// `None` elsewhere or when none is found.
fn running_git(root: &Path) -> Option<String> {
    let root = root.canonicalize().ok()?;
    let me = std::process::id().to_string();
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let pid = entry.file_name().to_string_lossy().into_owned();
        if pid == me || !pid.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let dir = entry.path();
        let is_git =
            std::fs::read_to_string(dir.join("comm")).is_ok_and(|c| c.trim() == "git" || c.starts_with("git-"));
        if !is_git || !std::fs::read_link(dir.join("cwd")).is_ok_and(|cwd| cwd.starts_with(&root)) {
            continue;
        }
        let command = std::fs::read(dir.join("cmdline")).map_or_else(
            |_| "git".to_owned(),
            |raw| {
                raw.split(|&b| b == 0)
                    .filter(|a| !a.is_empty())
                    .map(|a| String::from_utf8_lossy(a).into_owned())
                    .collect::<Vec<_>>()
                    .join(" ")
            },
        );
        return Some(format!("pid {pid}: {command}"));
    }
    None
}
