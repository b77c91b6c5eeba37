//! Where a workspace's files come from: a folder on disk, or the demo embedded in the binary.

use std::path::{Path, PathBuf};

use crate::error::WorkspaceError;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded.rs"));
}

/// A read-only view of workspace files by relative path (`emails/welcome.email.json`).
#[derive(Debug, Clone)]
pub enum Files {
    /// A folder on disk.
    Dir(PathBuf),
    /// Files embedded in the binary under a prefix (`demo`, `blocks`).
    Embedded(&'static str),
}

impl Files {
    /// Reads a file as UTF-8 text.
    ///
    /// # Errors
    /// The file is missing, unreadable or not UTF-8.
    pub fn read(&self, rel: &str) -> Result<String, WorkspaceError> {
        let bytes = self.read_bytes(rel)?;
        String::from_utf8(bytes).map_err(|_| WorkspaceError::Io {
            path: self.display(rel),
            source: std::io::Error::new(std::io::ErrorKind::InvalidData, "not UTF-8"),
        })
    }

    /// Reads a file's bytes.
    ///
    /// # Errors
    /// The file is missing or unreadable.
    pub fn read_bytes(&self, rel: &str) -> Result<Vec<u8>, WorkspaceError> {
        match self {
            Self::Dir(root) => {
                let path = root.join(rel);
                std::fs::read(&path).map_err(|source| WorkspaceError::Io { path, source })
            }
            Self::Embedded(prefix) => {
                let key = format!("{prefix}/{rel}");
                embedded::FILES
                    .iter()
                    .find(|(p, _)| *p == key)
                    .map(|(_, b)| b.to_vec())
                    .ok_or_else(|| WorkspaceError::Io {
                        path: PathBuf::from(format!("<built-in>/{key}")),
                        source: std::io::Error::new(std::io::ErrorKind::NotFound, "not in the built-in files"),
                    })
            }
        }
    }

    /// Whether a file exists.
    #[must_use]
    pub fn exists(&self, rel: &str) -> bool {
        match self {
            Self::Dir(root) => root.join(rel).is_file(),
            Self::Embedded(prefix) => {
                let key = format!("{prefix}/{rel}");
                embedded::FILES.iter().any(|(p, _)| *p == key)
            }
        }
    }

    /// Names of the entries directly inside `dir` (files and folders), sorted.
    #[must_use]
    pub fn list(&self, dir: &str) -> Vec<String> {
        let mut names: Vec<String> = match self {
            Self::Dir(root) => std::fs::read_dir(root.join(dir))
                .map(|entries| {
                    entries
                        .flatten()
                        .map(|e| e.file_name().to_string_lossy().into_owned())
                        .filter(|n| !n.starts_with('.'))
                        .collect()
                })
                .unwrap_or_default(),
            Self::Embedded(prefix) => {
                let base = if dir.is_empty() {
                    format!("{prefix}/")
                } else {
                    format!("{prefix}/{dir}/")
                };
                embedded::FILES
                    .iter()
                    .filter_map(|(p, _)| p.strip_prefix(base.as_str()))
                    .filter_map(|rest| rest.split('/').next())
                    .map(str::to_owned)
                    .collect()
            }
        };
        names.sort();
        names.dedup();
        names
    }

    /// A path to show in messages.
    #[must_use]
    pub fn display(&self, rel: &str) -> PathBuf {
        match self {
            Self::Dir(root) => root.join(rel),
            Self::Embedded(prefix) => Path::new("<built-in>").join(prefix).join(rel),
        }
    }

    /// Every embedded file of a prefix, as (relative path, bytes).
    #[must_use]
    pub fn embedded_files(prefix: &str) -> Vec<(&'static str, &'static [u8])> {
        let base = format!("{prefix}/");
        embedded::FILES
            .iter()
            .filter_map(|(p, b)| p.strip_prefix(base.as_str()).map(|rel| (rel, *b)))
            .collect()
    }
}
