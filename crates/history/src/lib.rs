//! # tessera-history
//!
//! The version store of a Tessera workspace: the workspace folder is the root of an ordinary git
//! repository, read and written with libgit2 (`git2`, local operations only). This crate knows
//! nothing of emails or blocks; it snapshots folders of the working copy into commits, lists
//! commits with the paths they changed, reads files as they were in a version and makes unified
//! diffs. `tessera-workspace` turns these into the designer's use cases.
#![deny(missing_docs)]
#![warn(clippy::unwrap_used)]

mod author;
mod error;
mod lock;
mod snapshot;

use std::path::{Path, PathBuf};

use git2::{Oid, Repository, RepositoryInitOptions, Sort};
use serde::Serialize;

pub use author::Author;
pub use error::HistoryError;
pub use lock::SaveLock;

/// The branch a new repository starts on.
pub const INITIAL_BRANCH: &str = "main";

/// One version (commit) of the workspace.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VersionInfo {
    /// The full commit id (40 hex digits).
    pub id: String,
    /// The first 8 digits of the id, as shown to designers.
    pub short_id: String,
    /// When it was saved, RFC 3339 with the author's offset.
    pub time: String,
    /// The author's name.
    pub author_name: String,
    /// The author's email address.
    pub author_email: String,
    /// The message, trimmed.
    pub message: String,
    /// Every path this version added, changed or removed against its first parent, sorted.
    pub changed_paths: Vec<String>,
}

/// A workspace's git repository. The workspace folder must be the repository's root.
pub struct Repo {
    repo: Repository,
    root: PathBuf,
}

impl std::fmt::Debug for Repo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Repo").field("root", &self.root).finish_non_exhaustive()
    }
}

impl Repo {
    /// True when `root` is the root of a git repository (a `.git` folder or file in it).
    #[must_use]
    pub fn is_repository(root: &Path) -> bool {
        Repository::open(root).is_ok_and(|r| r.workdir().is_some_and(|w| same_dir(w, root)))
    }

    /// Opens the repository whose root is `root`.
    ///
    /// # Errors
    /// [`HistoryError::NotARepository`] when `root` is not a repository's root.
    pub fn open(root: &Path) -> Result<Self, HistoryError> {
        match Repository::open(root) {
            Ok(repo) if repo.workdir().is_some_and(|w| same_dir(w, root)) => Ok(Self {
                repo,
                root: root.to_path_buf(),
            }),
            _ => Err(HistoryError::NotARepository {
                path: root.to_path_buf(),
            }),
        }
    }

    /// Makes `root` a new git repository on [`INITIAL_BRANCH`], with nothing committed.
    ///
    /// # Errors
    /// [`HistoryError::AlreadyARepository`], or libgit2 fails.
    pub fn init(root: &Path) -> Result<Self, HistoryError> {
        if Self::is_repository(root) {
            return Err(HistoryError::AlreadyARepository {
                path: root.to_path_buf(),
            });
        }
        let mut options = RepositoryInitOptions::new();
        options.initial_head(INITIAL_BRANCH);
        let repo = Repository::init_opts(root, &options).map_err(|source| HistoryError::Git {
            path: root.to_path_buf(),
            what: "creating the repository".to_owned(),
            source,
        })?;
        Ok(Self {
            repo,
            root: root.to_path_buf(),
        })
    }

    /// The repository's root folder.
    #[must_use]
    pub fn root(&self) -> &Path {
        &self.root
    }

    pub(crate) fn git_error(&self, what: &str) -> impl FnOnce(git2::Error) -> HistoryError + '_ {
        let what = what.to_owned();
        move |source| HistoryError::Git {
            path: self.root.clone(),
            what,
            source,
        }
    }

    /// The author git is configured with (`user.name`, `user.email`).
    ///
    /// # Errors
    /// [`HistoryError::NoAuthor`] when either is not set.
    pub fn default_author(&self) -> Result<Author, HistoryError> {
        let config = self.repo.config().map_err(self.git_error("reading git config"))?;
        let name = config.get_string("user.name").ok().filter(|s| !s.trim().is_empty());
        let email = config.get_string("user.email").ok().filter(|s| !s.trim().is_empty());
        match (name, email) {
            (Some(name), Some(email)) => Ok(Author { name, email }),
            _ => Err(HistoryError::NoAuthor),
        }
    }

    /// The last version, or `None` in a repository with no commit yet.
    ///
    /// # Errors
    /// libgit2 fails to read `HEAD`.
    pub fn head(&self) -> Result<Option<String>, HistoryError> {
        match self.repo.head() {
            Ok(head) => Ok(head.target().map(|oid| oid.to_string())),
            Err(e) if matches!(e.code(), git2::ErrorCode::UnbornBranch | git2::ErrorCode::NotFound) => Ok(None),
            Err(e) => Err(self.git_error("reading HEAD")(e)),
        }
    }

    /// Resolves a version name (an id or a unique prefix of one, `HEAD`, `HEAD~2`, a tag or a
    /// branch) to the full commit id.
    ///
    /// # Errors
    /// [`HistoryError::UnknownVersion`] when it names no commit.
    pub fn resolve(&self, spec: &str) -> Result<String, HistoryError> {
        let unknown = || HistoryError::UnknownVersion {
            spec: spec.to_owned(),
            path: self.root.clone(),
        };
        if spec.trim().is_empty() || spec.starts_with('-') {
            return Err(unknown());
        }
        let object = self.repo.revparse_single(spec).map_err(|_| unknown())?;
        let commit = object.peel_to_commit().map_err(|_| unknown())?;
        Ok(commit.id().to_string())
    }

    fn commit(&self, id: &str) -> Result<git2::Commit<'_>, HistoryError> {
        let unknown = || HistoryError::UnknownVersion {
            spec: id.to_owned(),
            path: self.root.clone(),
        };
        let oid = Oid::from_str(id).map_err(|_| unknown())?;
        self.repo.find_commit(oid).map_err(|_| unknown())
    }

    /// The bytes of `path` (relative, `/`-separated) as it was in version `id`, or `None` when the
    /// version has no such file.
    ///
    /// # Errors
    /// An unknown version, or libgit2 fails to read the object.
    pub fn read_at(&self, id: &str, path: &str) -> Result<Option<Vec<u8>>, HistoryError> {
        let tree = self.commit(id)?.tree().map_err(self.git_error("reading a version"))?;
        let Ok(entry) = tree.get_path(Path::new(path)) else {
            return Ok(None);
        };
        if entry.kind() != Some(git2::ObjectType::Blob) {
            return Ok(None);
        }
        let blob = self
            .repo
            .find_blob(entry.id())
            .map_err(self.git_error(&format!("reading {path}")))?;
        Ok(Some(blob.content().to_vec()))
    }

    /// The files directly inside folder `dir` in version `id`, with their blob ids, by name.
    ///
    /// # Errors
    /// An unknown version, or libgit2 fails to read the tree.
    pub fn list_at(&self, id: &str, dir: &str) -> Result<Vec<(String, String)>, HistoryError> {
        let tree = self.commit(id)?.tree().map_err(self.git_error("reading a version"))?;
        let Ok(entry) = tree.get_path(Path::new(dir)) else {
            return Ok(Vec::new());
        };
        let Ok(sub) = self.repo.find_tree(entry.id()) else {
            return Ok(Vec::new());
        };
        let mut out: Vec<(String, String)> = sub
            .iter()
            .filter(|e| e.kind() == Some(git2::ObjectType::Blob))
            .filter_map(|e| e.name().map(|n| (n.to_owned(), e.id().to_string())))
            .collect();
        out.sort();
        Ok(out)
    }

    /// Every version reachable from `HEAD`, newest first, each with the paths it changed.
    ///
    /// # Errors
    /// libgit2 fails to walk the history.
    pub fn log(&self) -> Result<Vec<VersionInfo>, HistoryError> {
        if self.head()?.is_none() {
            return Ok(Vec::new());
        }
        let mut walk = self.repo.revwalk().map_err(self.git_error("walking the history"))?;
        walk.set_sorting(Sort::TOPOLOGICAL | Sort::TIME)
            .map_err(self.git_error("walking the history"))?;
        walk.push_head().map_err(self.git_error("walking the history"))?;
        let mut out = Vec::new();
        for oid in walk {
            let oid = oid.map_err(self.git_error("walking the history"))?;
            let commit = self
                .repo
                .find_commit(oid)
                .map_err(self.git_error("reading a version"))?;
            out.push(self.describe(&commit)?);
        }
        Ok(out)
    }

    /// The version `id` described.
    ///
    /// # Errors
    /// An unknown version, or libgit2 fails to diff it.
    pub fn version(&self, id: &str) -> Result<VersionInfo, HistoryError> {
        let commit = self.commit(id)?;
        self.describe(&commit)
    }

    fn describe(&self, commit: &git2::Commit<'_>) -> Result<VersionInfo, HistoryError> {
        let tree = commit.tree().map_err(self.git_error("reading a version"))?;
        let parent_tree = match commit.parents().next() {
            Some(parent) => Some(parent.tree().map_err(self.git_error("reading a version"))?),
            None => None,
        };
        let diff = self
            .repo
            .diff_tree_to_tree(parent_tree.as_ref(), Some(&tree), None)
            .map_err(self.git_error("comparing versions"))?;
        let mut changed_paths: Vec<String> = diff
            .deltas()
            .filter_map(|d| d.new_file().path().or_else(|| d.old_file().path()))
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .collect();
        changed_paths.sort();
        changed_paths.dedup();
        let id = commit.id().to_string();
        let author = commit.author();
        Ok(VersionInfo {
            short_id: id.chars().take(8).collect(),
            id,
            time: format_time(author.when()),
            author_name: author.name().unwrap_or_default().to_owned(),
            author_email: author.email().unwrap_or_default().to_owned(),
            message: commit.message().unwrap_or_default().trim().to_owned(),
            changed_paths,
        })
    }
}

/// A unified diff (`git diff` style, 3 lines of context) of two texts; empty when they are equal.
/// `None` on either side is a file that does not exist there.
///
/// # Errors
/// libgit2 fails to make the patch.
pub fn unified_diff(path: &str, old: Option<&[u8]>, new: Option<&[u8]>) -> Result<String, HistoryError> {
    if old == new {
        return Ok(String::new());
    }
    let old_path = old.map(|_| Path::new(path));
    let new_path = new.map(|_| Path::new(path));
    let mut patch = git2::Patch::from_buffers(
        old.unwrap_or_default(),
        old_path,
        new.unwrap_or_default(),
        new_path,
        None,
    )
    .map_err(|source| HistoryError::Git {
        path: PathBuf::from(path),
        what: "making a diff".to_owned(),
        source,
    })?;
    let buf = patch.to_buf().map_err(|source| HistoryError::Git {
        path: PathBuf::from(path),
        what: "making a diff".to_owned(),
        source,
    })?;
    let mut text = String::from_utf8_lossy(&buf).into_owned();
    // libgit2 names both sides after the path; `git diff` names a missing side /dev/null.
    if old.is_none() {
        text = text.replacen(&format!("--- a/{path}\n"), "--- /dev/null\n", 1);
    }
    if new.is_none() {
        text = text.replacen(&format!("+++ b/{path}\n"), "+++ /dev/null\n", 1);
    }
    Ok(text)
}

fn format_time(when: git2::Time) -> String {
    let offset = time::UtcOffset::from_whole_seconds(when.offset_minutes() * 60).unwrap_or(time::UtcOffset::UTC);
    time::OffsetDateTime::from_unix_timestamp(when.seconds())
        .map(|t| t.to_offset(offset))
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_else(|| when.seconds().to_string())
}

fn same_dir(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn git(root: &Path, args: &[&str]) -> String {
        let out = std::process::Command::new("git")
            .args(args)
            .current_dir(root)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .output()
            .expect("git runs");
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn ada() -> Author {
        Author {
            name: "Ada".to_owned(),
            email: "ada@example.com".to_owned(),
        }
    }

    #[test]
    fn saves_only_the_given_paths_and_keeps_what_git_committed_elsewhere() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let root = tmp.path();
        let repo = Repo::init(root).expect("init");
        assert!(Repo::is_repository(root));
        assert!(matches!(Repo::init(root), Err(HistoryError::AlreadyARepository { .. })));
        std::fs::create_dir_all(root.join("emails/sub")).expect("mkdir");
        std::fs::write(root.join("emails/a.json"), "a1").expect("write");
        std::fs::write(root.join("emails/sub/b.json"), "b1").expect("write");
        std::fs::write(root.join("emails/.a.json.tmp-42"), "torn").expect("write");
        std::fs::write(root.join("notes.txt"), "not ours").expect("write");
        std::fs::write(root.join(".gitignore"), "*.secret\n").expect("write");
        std::fs::write(root.join("emails/key.secret"), "x").expect("write");
        let lock = repo.lock().expect("lock");
        let v1 = repo
            .save(&lock, &["emails", ".gitignore"], "First", &ada())
            .expect("save");
        assert_eq!(v1.changed_paths, [".gitignore", "emails/a.json", "emails/sub/b.json"]);
        assert_eq!(
            git(root, &["ls-files"]).lines().collect::<Vec<_>>(),
            [".gitignore", "emails/a.json", "emails/sub/b.json"]
        );
        assert_eq!(
            git(root, &["log", "--format=%an <%ae> %s"]).trim(),
            "Ada <ada@example.com> First"
        );
        // A file git committed outside the given paths survives our saves.
        git(
            root,
            &[
                "-c",
                "user.name=G",
                "-c",
                "user.email=g@example.com",
                "add",
                "notes.txt",
            ],
        );
        git(
            root,
            &[
                "-c",
                "user.name=G",
                "-c",
                "user.email=g@example.com",
                "commit",
                "-qm",
                "notes",
            ],
        );
        std::fs::remove_file(root.join("emails/sub/b.json")).expect("rm");
        std::fs::write(root.join("emails/a.json"), "a2").expect("write");
        assert_eq!(
            repo.changed_in_working_copy(&["emails"]).expect("changed"),
            ["emails/a.json", "emails/sub/b.json"]
        );
        let v3 = repo.save(&lock, &["emails"], "Second", &ada()).expect("save");
        assert_eq!(git(root, &["show", "HEAD:notes.txt"]), "not ours");
        std::fs::remove_file(root.join("emails/.a.json.tmp-42")).expect("rm");
        assert_eq!(git(root, &["status", "--porcelain"]), "", "the index was refreshed");
        assert!(matches!(
            repo.save(&lock, &["emails"], "Again", &ada()),
            Err(HistoryError::NothingToSave { .. })
        ));
        assert!(matches!(
            repo.save(&lock, &["emails"], " ", &ada()),
            Err(HistoryError::EmptyMessage)
        ));
        // Reading back.
        assert_eq!(
            repo.read_at(&v1.id, "emails/a.json").expect("read"),
            Some(b"a1".to_vec())
        );
        assert_eq!(repo.read_at(&v3.id, "emails/sub/b.json").expect("read"), None);
        assert_eq!(repo.resolve(&v1.id[..6]).expect("prefix"), v1.id);
        assert_eq!(repo.resolve("HEAD~2").expect("relative"), v1.id);
        assert!(matches!(repo.resolve("nope"), Err(HistoryError::UnknownVersion { .. })));
        assert!(matches!(
            repo.resolve("--all"),
            Err(HistoryError::UnknownVersion { .. })
        ));
        let log = repo.log().expect("log");
        let messages: Vec<&str> = log.iter().map(|v| v.message.as_str()).collect();
        assert_eq!(messages, ["Second", "notes", "First"]);
        assert_eq!(
            repo.list_at(&v1.id, "emails").expect("list").len(),
            1,
            "files only, not folders"
        );
    }

    #[test]
    fn a_lock_left_by_a_killed_save_is_cleared_and_any_other_is_refused() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let repo = Repo::init(tmp.path()).expect("init");
        std::fs::write(tmp.path().join("a.txt"), "a").expect("write");
        let stale = tmp.path().join(".git/index.lock");
        // A save killed while holding git's locks leaves its journal and the locks.
        let lock = repo.lock().expect("lock");
        lock.begin().expect("journal");
        std::fs::write(&stale, "").expect("lock");
        let started = std::time::Instant::now();
        repo.save(&lock, &["a.txt"], "One", &ada())
            .expect("save through a killed save's lock");
        assert!(started.elapsed() < std::time::Duration::from_secs(1));
        assert!(!stale.exists());
        assert!(!tmp.path().join(".git/tessera-save.journal").exists());
        // A lock no Tessera save left is waited for, then refused and kept, however old it is.
        std::fs::write(&stale, "").expect("lock");
        let old = std::time::SystemTime::now() - std::time::Duration::from_secs(60);
        std::fs::File::options()
            .write(true)
            .open(&stale)
            .and_then(|f| f.set_modified(old))
            .expect("age the lock");
        std::fs::write(tmp.path().join("a.txt"), "b").expect("write");
        let started = std::time::Instant::now();
        let refused = repo.save(&lock, &["a.txt"], "Two", &ada());
        assert!(matches!(refused, Err(HistoryError::Locked { .. })), "{refused:?}");
        assert!(started.elapsed() >= std::time::Duration::from_millis(1500));
        assert!(stale.exists(), "another process's lock is never deleted");
        // Released while the save waits: the save goes ahead.
        let remover = {
            let stale = stale.clone();
            std::thread::spawn(move || {
                std::thread::sleep(std::time::Duration::from_millis(300));
                std::fs::remove_file(stale).expect("release");
            })
        };
        repo.save(&lock, &["a.txt"], "Two", &ada()).expect("save");
        remover.join().expect("remover");
    }

    #[test]
    fn a_git_commit_waiting_for_its_editor_keeps_its_lock_and_is_named() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let root = tmp.path();
        let repo = Repo::init(root).expect("init");
        std::fs::write(root.join("a.txt"), "a").expect("write");
        git(root, &["add", "a.txt"]);
        git(
            root,
            &[
                "-c",
                "user.name=G",
                "-c",
                "user.email=g@example.com",
                "commit",
                "-q",
                "-m",
                "a",
            ],
        );
        std::fs::write(root.join("a.txt"), "b").expect("write");
        // `commit -a` holds `index.lock` while its editor runs.
        let mut commit = std::process::Command::new("git")
            .args(["-c", "user.name=G", "-c", "user.email=g@example.com", "commit", "-a"])
            .current_dir(root)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_EDITOR", "sleep 10; :")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("git commit starts");
        let index_lock = root.join(".git/index.lock");
        let waited = std::time::Instant::now();
        while !index_lock.exists() && waited.elapsed() < std::time::Duration::from_secs(5) {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        assert!(index_lock.exists(), "git commit holds the index while its editor runs");
        let lock = repo.lock().expect("lock");
        let result = repo.save(&lock, &["a.txt"], "Mine", &ada());
        let still_locked = index_lock.exists();
        let _ = commit.kill();
        let _ = commit.wait();
        let message = result.expect_err("refused while git runs").to_string();
        assert!(still_locked, "the running git's index.lock was deleted");
        assert!(
            message.contains("index.lock") && message.contains("pid ") && message.contains(" commit -a"),
            "{message}"
        );
    }

    #[test]
    fn unified_diff_is_empty_for_equal_texts_and_shows_lines_otherwise() {
        assert_eq!(unified_diff("x.txt", Some(b"a\n"), Some(b"a\n")).expect("diff"), "");
        let d = unified_diff("x.txt", Some(b"a\nb\n"), Some(b"a\nc\n")).expect("diff");
        assert!(d.contains("--- a/x.txt") && d.contains("+++ b/x.txt"), "{d}");
        assert!(d.contains("\n-b\n") && d.contains("\n+c\n"), "{d}");
        let added = unified_diff("x.txt", None, Some(b"new\n")).expect("diff");
        assert!(added.contains("--- /dev/null") && added.contains("+new"), "{added}");
    }

    #[test]
    fn a_folder_inside_another_repository_is_not_one() {
        let tmp = tempfile::tempdir().expect("temp dir");
        Repo::init(tmp.path()).expect("init");
        let inner = tmp.path().join("inner");
        std::fs::create_dir_all(&inner).expect("mkdir");
        assert!(!Repo::is_repository(&inner));
        assert!(matches!(Repo::open(&inner), Err(HistoryError::NotARepository { .. })));
    }
}
