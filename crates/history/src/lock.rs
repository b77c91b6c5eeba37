//! One save at a time: an OS file lock that the kernel releases when its process dies, and the
//! clearing of git lock files a killed save left behind.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use crate::HistoryError;

/// How long a git lock file may exist before, with the save lock held, it counts as left behind
/// by a killed process (git's own commands hold theirs for milliseconds).
const STALE_AFTER: Duration = Duration::from_secs(2);

/// Held while a save runs: `.git/tessera-save.lock`, locked with `flock`. A save killed at any
/// point releases it with its process.
#[derive(Debug)]
pub struct SaveLock {
    _file: File,
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
        Ok(Self { _file: file })
    }

    /// With the save lock held, removes each of `locks` that is older than [`STALE_AFTER`] (left
    /// by a killed save), waiting for younger ones to go or to age.
    ///
    /// # Errors
    /// A lock file cannot be inspected or removed.
    pub fn clear_stale(&self, locks: &[PathBuf]) -> Result<(), HistoryError> {
        for lock in locks {
            loop {
                let age = match std::fs::metadata(lock) {
                    Ok(m) => m
                        .modified()
                        .ok()
                        .and_then(|t| SystemTime::now().duration_since(t).ok())
                        .unwrap_or_default(),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => break,
                    Err(source) => {
                        return Err(HistoryError::Io {
                            path: lock.clone(),
                            source,
                        })
                    }
                };
                if age >= STALE_AFTER {
                    match std::fs::remove_file(lock) {
                        Ok(()) => break,
                        Err(e) if e.kind() == std::io::ErrorKind::NotFound => break,
                        Err(_) => return Err(HistoryError::Locked { path: lock.clone() }),
                    }
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        }
        Ok(())
    }
}
