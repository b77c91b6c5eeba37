//! Snapshots of the working copy and saving them as a version.
//!
//! A snapshot starts from the last version's tree and replaces the given top-level entries
//! (`emails`, `exports`, `tessera.toml`, ...) with what the working copy holds, leaving out
//! ignored files. It is built in an in-memory index, so a save never depends on the state of
//! `.git/index`; that file is refreshed afterwards only so `git status` agrees.

use std::path::Path;

use git2::{IndexEntry, IndexTime, Oid};

use crate::{Author, HistoryError, Repo, SaveLock, VersionInfo};

impl Repo {
    /// The tree of the last version with `paths` (top-level files or folders of the workspace)
    /// replaced by the working copy's, ignored files left out. Writes the blobs it needs.
    ///
    /// # Errors
    /// A file cannot be read, or libgit2 fails.
    pub fn working_tree(&self, paths: &[&str]) -> Result<Oid, HistoryError> {
        let mut index = git2::Index::new().map_err(self.git_error("making a snapshot"))?;
        if let Some(head) = self.head()? {
            let tree = self
                .repo
                .find_commit(Oid::from_str(&head).map_err(self.git_error("reading HEAD"))?)
                .and_then(|c| c.tree())
                .map_err(self.git_error("reading the last version"))?;
            index
                .read_tree(&tree)
                .map_err(self.git_error("reading the last version"))?;
        }
        for top in paths {
            let _ = index.remove_dir(Path::new(top), 0);
            let _ = index.remove(Path::new(top), 0);
            // A link is never followed, at the top as below it: `emails -> ~/.ssh` versions nothing.
            let Ok(meta) = std::fs::symlink_metadata(self.root.join(top)) else {
                continue;
            };
            if meta.is_file() {
                self.add_file(&mut index, top)?;
            } else if meta.is_dir() {
                self.add_dir(&mut index, top)?;
            }
        }
        index
            .write_tree_to(&self.repo)
            .map_err(self.git_error("making a snapshot"))
    }

    fn add_dir(&self, index: &mut git2::Index, rel: &str) -> Result<(), HistoryError> {
        if self.ignored(&format!("{rel}/")) {
            return Ok(());
        }
        let dir = self.root.join(rel);
        let entries = std::fs::read_dir(&dir).map_err(|source| HistoryError::Io {
            path: dir.clone(),
            source,
        })?;
        let mut names: Vec<(String, std::fs::FileType)> = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|source| HistoryError::Io {
                path: dir.clone(),
                source,
            })?;
            let file_type = entry.file_type().map_err(|source| HistoryError::Io {
                path: entry.path(),
                source,
            })?;
            if let Some(name) = entry.file_name().to_str() {
                names.push((name.to_owned(), file_type));
            }
        }
        names.sort_by(|a, b| a.0.cmp(&b.0));
        for (name, file_type) in names {
            let child = format!("{rel}/{name}");
            if name == ".git" || is_temporary(&name) {
                continue;
            }
            if file_type.is_dir() {
                self.add_dir(index, &child)?;
            } else if file_type.is_file() {
                self.add_file(index, &child)?;
            }
        }
        Ok(())
    }

    fn add_file(&self, index: &mut git2::Index, rel: &str) -> Result<(), HistoryError> {
        if self.ignored(rel) {
            return Ok(());
        }
        let path = self.root.join(rel);
        let bytes = std::fs::read(&path).map_err(|source| HistoryError::Io { path, source })?;
        let id = self
            .repo
            .blob(&bytes)
            .map_err(self.git_error(&format!("storing {rel}")))?;
        let entry = IndexEntry {
            ctime: IndexTime::new(0, 0),
            mtime: IndexTime::new(0, 0),
            dev: 0,
            ino: 0,
            mode: 0o100_644,
            uid: 0,
            gid: 0,
            file_size: u32::try_from(bytes.len()).unwrap_or(u32::MAX),
            id,
            flags: 0,
            flags_extended: 0,
            path: rel.as_bytes().to_vec(),
        };
        index.add(&entry).map_err(self.git_error(&format!("adding {rel}")))
    }

    fn ignored(&self, rel: &str) -> bool {
        self.repo.is_path_ignored(rel).unwrap_or(false)
    }

    /// The paths under `paths` that differ between the last version and the working copy, sorted.
    ///
    /// # Errors
    /// As [`Repo::working_tree`].
    pub fn changed_in_working_copy(&self, paths: &[&str]) -> Result<Vec<String>, HistoryError> {
        let tree = self.working_tree(paths)?;
        self.changed_between(self.head()?.as_deref(), tree)
    }

    fn changed_between(&self, head: Option<&str>, tree: Oid) -> Result<Vec<String>, HistoryError> {
        let new = self
            .repo
            .find_tree(tree)
            .map_err(self.git_error("reading a snapshot"))?;
        let old = match head {
            Some(id) => Some(
                self.repo
                    .find_commit(Oid::from_str(id).map_err(self.git_error("reading HEAD"))?)
                    .and_then(|c| c.tree())
                    .map_err(self.git_error("reading the last version"))?,
            ),
            None => None,
        };
        let diff = self
            .repo
            .diff_tree_to_tree(old.as_ref(), Some(&new), None)
            .map_err(self.git_error("comparing with the last version"))?;
        let mut out: Vec<String> = diff
            .deltas()
            .filter_map(|d| d.new_file().path().or_else(|| d.old_file().path()))
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .collect();
        out.sort();
        out.dedup();
        Ok(out)
    }

    /// Takes the save lock of this repository (see [`SaveLock`]).
    ///
    /// # Errors
    /// The lock file cannot be created or locked.
    pub fn lock(&self) -> Result<SaveLock, HistoryError> {
        SaveLock::acquire(self.repo.path())
    }

    /// Commits the working copy's `paths` (see [`Repo::working_tree`]) as a new version on the
    /// current branch, then refreshes `.git/index` to match. Call with the save lock held.
    ///
    /// # Errors
    /// [`HistoryError::EmptyMessage`], [`HistoryError::NothingToSave`] when nothing under `paths`
    /// changed, a git lock file held by another process, or libgit2 fails.
    pub fn save(
        &self,
        lock: &SaveLock,
        paths: &[&str],
        message: &str,
        author: &Author,
    ) -> Result<VersionInfo, HistoryError> {
        let message = message.trim();
        if message.is_empty() {
            return Err(HistoryError::EmptyMessage);
        }
        let head = self.head()?;
        let tree_id = self.working_tree(paths)?;
        if self.changed_between(head.as_deref(), tree_id)?.is_empty() {
            return Err(HistoryError::NothingToSave {
                path: self.root.clone(),
            });
        }
        let git_dir = self.repo.path().to_path_buf();
        let branch = self
            .repo
            .find_reference("HEAD")
            .ok()
            .and_then(|r| r.symbolic_target().map(str::to_owned))
            .unwrap_or_else(|| format!("refs/heads/{}", crate::INITIAL_BRANCH));
        lock.clear_stale(&[
            git_dir.join("index.lock"),
            git_dir.join("HEAD.lock"),
            git_dir.join(format!("{branch}.lock")),
        ])?;
        let tree = self
            .repo
            .find_tree(tree_id)
            .map_err(self.git_error("reading a snapshot"))?;
        let signature = git2::Signature::now(&author.name, &author.email).map_err(|_| HistoryError::BadAuthor {
            given: author.to_string(),
        })?;
        let parents = match &head {
            Some(id) => vec![self
                .repo
                .find_commit(Oid::from_str(id).map_err(self.git_error("reading HEAD"))?)
                .map_err(self.git_error("reading the last version"))?],
            None => Vec::new(),
        };
        let parent_refs: Vec<&git2::Commit<'_>> = parents.iter().collect();
        lock.begin()?;
        let oid = self
            .repo
            .commit(
                Some("HEAD"),
                &signature,
                &signature,
                &format!("{message}\n"),
                &tree,
                &parent_refs,
            )
            .map_err(|source| {
                if source.code() == git2::ErrorCode::Locked {
                    HistoryError::Locked {
                        path: git_dir.join(format!("{branch}.lock")),
                        holder: None,
                    }
                } else {
                    self.git_error("saving the version")(source)
                }
            });
        let oid = match oid {
            Ok(oid) => oid,
            Err(e) => {
                // libgit2 removes its own lock files when a commit fails: nothing is left to clear.
                lock.finish();
                return Err(e);
            }
        };
        // `.git/index` only serves `git status`; the version is saved whatever happens here.
        if let Ok(mut index) = self.repo.index() {
            if index.read_tree(&tree).is_ok() {
                let _ = index.write();
            }
        }
        lock.finish();
        self.version(&oid.to_string())
    }
}

/// Temporary files of atomic writes (`.name.tmp-PID`) are never versioned.
fn is_temporary(name: &str) -> bool {
    name.starts_with('.') && name.contains(".tmp-")
}
