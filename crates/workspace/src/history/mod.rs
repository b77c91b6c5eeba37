//! Version control of a workspace: the workspace folder is a git repository (`tessera-history`);
//! these use cases save versions that carry the exports of the emails they changed, list them,
//! compare an email block by block between versions, bring an old version back and find every
//! email and version that uses a block type. See `docs/versions.md`.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use serde::Serialize;
use tessera_core::diff::{diff_documents, DocumentDiff};
use tessera_core::export::Target;
use tessera_core::model::{is_valid_id, Document};
pub use tessera_history::HistoryError;
use tessera_history::{unified_diff, Author, Repo, VersionInfo};

pub mod view;

use crate::export::write_export;
use crate::{parse_document, write_atomic, Workspace, WorkspaceError, EMAIL_SUFFIX};

/// The top-level files and folders a version holds. Everything else in the folder (notes, the
/// store in `.tessera/`) is left alone by `save`.
pub const VERSIONED: &[&str] = &[
    ".gitignore",
    crate::CONFIG_FILE,
    "emails",
    "blocks",
    "segments",
    "data",
    "exports",
    // Images and fonts the emails use: a version must render as it did (docs/assets.md).
    "assets",
];

/// The `.gitignore` of a new workspace repository.
pub const GITIGNORE: &str = "# Local to this computer, never versioned: the profile store, outbox and send log.\n.tessera/\n# Temporary files of atomic saves.\n*.tmp-*\n# Files to import into the profile store (the demo's samples): data, not design.\n/store/\n";

/// The name of the working copy where a version is expected (`tessera diff welcome HEAD~1 working`).
pub const WORKING: &str = "working";

/// The message of the first version `tessera init` saves.
pub const FIRST_MESSAGE: &str = "Create the workspace from the Tessera demo";

/// A version as the designer sees it.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Version {
    /// The full id (a git commit id).
    pub id: String,
    /// Its first 8 characters, enough to name it.
    pub short_id: String,
    /// When it was saved (RFC 3339).
    pub time: String,
    /// Who saved it.
    pub author_name: String,
    /// Their email address.
    pub author_email: String,
    /// What they said changed.
    pub message: String,
    /// Emails whose document or exports changed in this version.
    pub emails: Vec<String>,
    /// Workspace block types (`blocks/<type>/`) that changed.
    pub blocks: Vec<String>,
    /// Every file that changed.
    pub files: Vec<String>,
}

impl From<VersionInfo> for Version {
    fn from(v: VersionInfo) -> Self {
        let mut emails = BTreeSet::new();
        let mut blocks = BTreeSet::new();
        for path in &v.changed_paths {
            if let Some(name) = email_of_path(path) {
                emails.insert(name);
            } else if let Some(rest) = path.strip_prefix("blocks/") {
                if let Some((block, _)) = rest.split_once('/') {
                    blocks.insert(block.to_owned());
                }
            }
        }
        Self {
            id: v.id,
            short_id: v.short_id,
            time: v.time,
            author_name: v.author_name,
            author_email: v.author_email,
            message: v.message,
            emails: emails.into_iter().collect(),
            blocks: blocks.into_iter().collect(),
            files: v.changed_paths,
        }
    }
}

/// The email a path belongs to: `emails/<name>.email.json` or `exports/<name>/...`.
fn email_of_path(path: &str) -> Option<String> {
    if let Some(file) = path.strip_prefix("emails/") {
        return file.strip_suffix(EMAIL_SUFFIX).map(str::to_owned);
    }
    path.strip_prefix("exports/")
        .and_then(|rest| rest.split_once('/'))
        .map(|(name, _)| name.to_owned())
}

/// One export a save regenerated.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportedTarget {
    /// The email.
    pub email: String,
    /// The target (`liquid`, `sendgrid`, ...).
    pub target: String,
}

/// What `save_version` did.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SavedVersion {
    /// The new version.
    pub version: Version,
    /// The emails this version changed: documents edited, or using a block type or brand setting
    /// that changed.
    pub changed_emails: Vec<String>,
    /// The exports regenerated for them (each to the targets it had been exported to before).
    pub exports: Vec<ExportedTarget>,
}

/// One side of a comparison.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Side {
    /// The version's full id, `None` for the working copy.
    pub version: Option<String>,
    /// How to show it: a short id, or `working copy`.
    pub label: String,
}

/// The exported template of one ESP compared between two versions.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportDiff {
    /// The target.
    pub target: String,
    /// A unified diff of `template.html`, `template.txt` and `manifest.json`; empty when equal.
    pub unified: String,
    /// Sides whose export was made now from their document (the working copy, or a version
    /// saved without that export) rather than read from the version.
    pub generated: Vec<String>,
}

/// An email compared between two versions.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EmailDiff {
    /// The email.
    pub email: String,
    /// The older side.
    pub from: Side,
    /// The newer side.
    pub to: Side,
    /// What changed, block by block.
    pub changes: DocumentDiff,
    /// The exported template compared, when a target was asked for.
    pub export: Option<ExportDiff>,
}

/// What `restore` did.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Restored {
    /// The email.
    pub email: String,
    /// The version it came from (full id).
    pub version: String,
    /// The file written.
    pub path: String,
}

/// Blocks of one type in one email.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EmailUsage {
    /// The email.
    pub email: String,
    /// The ids of the blocks of that type (slots and fallbacks included).
    pub blocks: Vec<String>,
}

/// A version that uses a block type.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VersionUsage {
    /// The version.
    pub id: String,
    /// Its short id.
    pub short_id: String,
    /// When it was saved.
    pub time: String,
    /// Its message.
    pub message: String,
    /// The emails of that version using the type.
    pub emails: Vec<EmailUsage>,
}

/// Where a block type is used.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BlockUsage {
    /// The block type.
    pub block_type: String,
    /// Emails of the working copy using it.
    pub working: Vec<EmailUsage>,
    /// Versions using it, newest first (empty when the workspace is not a repository).
    pub versions: Vec<VersionUsage>,
    /// Documents that could not be read (file, version and reason); they are left out above.
    pub unreadable: Vec<String>,
}

/// What `init_versioned` did.
#[derive(Debug, Clone)]
pub struct Initialized {
    /// The demo files written (empty when the folder already held a workspace).
    pub files: Vec<PathBuf>,
    /// The folder was made a git repository.
    pub made_repository: bool,
    /// The first version, when an author was known.
    pub first_version: Option<Version>,
}

/// Creates a workspace as `tessera init` does: the demo content, a git repository with
/// [`GITIGNORE`] and a first version. A folder that already holds a workspace but no repository
/// is only made a repository (nothing committed). With no author given or configured, the
/// first version is left for the user to save.
///
/// # Errors
/// The folder already holds a versioned workspace, a bad `author`, or a file or git failure.
pub fn init_versioned(dir: &Path, author: Option<&str>) -> Result<Initialized, WorkspaceError> {
    let author = author.map(str::parse::<Author>).transpose()?;
    if dir.join(crate::CONFIG_FILE).exists() {
        let ws = Workspace::open(dir)?;
        if ws.is_repository() {
            return Err(WorkspaceError::AlreadyExists {
                path: dir.to_path_buf(),
            });
        }
        ws.init_repository()?;
        return Ok(Initialized {
            files: Vec::new(),
            made_repository: true,
            first_version: None,
        });
    }
    let files = crate::init(dir)?;
    let mut ws = Workspace::open(dir)?;
    let made_repository = !ws.is_repository();
    if made_repository {
        ws.init_repository()?;
    } else {
        ensure_gitignore(dir)?;
    }
    let repo = ws.repo()?;
    let author = match author {
        Some(a) => Some(a),
        None => repo.default_author().ok(),
    };
    let first_version = match author {
        Some(author) => Some(
            ws.save_as(&repo, FIRST_MESSAGE, &author, &crate::Cancel::new(), &|_, _| {})?
                .version,
        ),
        None => None,
    };
    Ok(Initialized {
        files,
        made_repository,
        first_version,
    })
}

/// Adds the lines of [`GITIGNORE`] that `dir/.gitignore` lacks (creating it if needed).
fn ensure_gitignore(dir: &Path) -> Result<(), WorkspaceError> {
    let path = dir.join(".gitignore");
    let current = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(source) => return Err(WorkspaceError::Io { path, source }),
    };
    let have: BTreeSet<&str> = current.lines().map(str::trim).collect();
    let missing: Vec<&str> = GITIGNORE
        .lines()
        .filter(|l| !l.starts_with('#') && !have.contains(l.trim()))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let text = if current.is_empty() {
        GITIGNORE.to_owned()
    } else {
        let sep = if current.ends_with('\n') { "" } else { "\n" };
        format!("{current}{sep}{}\n", missing.join("\n"))
    };
    write_atomic(&path, text.as_bytes())
}

/// The name of an email given by name or as `emails/<name>.email.json`.
fn email_name(arg: &str) -> Result<String, WorkspaceError> {
    let file = Path::new(arg).file_name().and_then(|f| f.to_str()).unwrap_or(arg);
    let name = file.strip_suffix(EMAIL_SUFFIX).unwrap_or(file);
    if is_valid_id(name) {
        Ok(name.to_owned())
    } else {
        Err(WorkspaceError::BadEmailName { name: arg.to_owned() })
    }
}

fn email_rel(name: &str) -> String {
    format!("emails/{name}{EMAIL_SUFFIX}")
}

impl Workspace {
    fn root_dir(&self) -> Result<&Path, WorkspaceError> {
        self.root.as_deref().ok_or(WorkspaceError::DemoHasNoHistory)
    }

    /// True when the workspace folder is the root of a git repository.
    #[must_use]
    pub fn is_repository(&self) -> bool {
        self.root.as_deref().is_some_and(Repo::is_repository)
    }

    /// Makes the workspace folder a git repository with a `.gitignore` for `.tessera/`. Nothing is
    /// committed: the user saves the first version when they choose.
    ///
    /// # Errors
    /// The demo, a folder that is already a repository, or a file or git failure.
    pub fn init_repository(&self) -> Result<(), WorkspaceError> {
        let root = self.root_dir()?;
        Repo::init(root)?;
        ensure_gitignore(root)
    }

    fn repo(&self) -> Result<Repo, WorkspaceError> {
        Ok(Repo::open(self.root_dir()?)?)
    }

    /// The email names of the working copy whose documents use `block_type` anywhere (slots and
    /// fallbacks included). Documents that cannot be read are left out.
    #[must_use]
    pub fn emails_using(&self, block_type: &str) -> Vec<String> {
        self.email_names()
            .into_iter()
            .filter(|name| {
                self.email(name)
                    .is_ok_and(|e| e.document.all_blocks().iter().any(|b| b.block_type == block_type))
            })
            .collect()
    }

    /// The targets `exports/<email>/` holds an export for.
    #[must_use]
    pub fn exported_targets(&self, email: &str) -> Vec<Target> {
        let Some(root) = &self.root else {
            return Vec::new();
        };
        let Ok(entries) = std::fs::read_dir(root.join("exports").join(email)) else {
            return Vec::new();
        };
        let mut out: Vec<Target> = entries
            .flatten()
            .filter(|e| e.path().is_dir())
            .filter_map(|e| e.file_name().to_str().and_then(|n| n.parse().ok()))
            .collect();
        out.sort_by_key(|t: &Target| t.name());
        out
    }

    /// Saves the working copy as a new version: first re-exports every changed email to each
    /// target it had been exported to, then commits the emails, blocks, segments, data,
    /// `tessera.toml` and exports. `author` is `NAME <EMAIL>`; `None` takes git's configured
    /// `user.name` and `user.email`.
    ///
    /// # Errors
    /// Not a repository, no author, an empty message, nothing changed, an export that fails
    /// (nothing is committed then), or a file or git failure.
    pub fn save_version(&mut self, message: &str, author: Option<&str>) -> Result<SavedVersion, WorkspaceError> {
        self.save_version_with(message, author, &crate::Cancel::new(), &|_, _| {})
    }

    /// As [`Workspace::save_version`], reporting `progress(emails re-exported, changed emails)`
    /// and checking `cancel` before each email and before the commit (after it, the version is
    /// saved; a cancel before it commits nothing, though re-exported files stay written).
    ///
    /// # Errors
    /// As [`Workspace::save_version`]; cancelled ([`tessera_store::StoreError::Cancelled`]).
    pub fn save_version_with(
        &mut self,
        message: &str,
        author: Option<&str>,
        cancel: &crate::Cancel,
        progress: &dyn Fn(u64, u64),
    ) -> Result<SavedVersion, WorkspaceError> {
        let repo = self.repo()?;
        let author = match author {
            Some(a) => a.parse::<Author>()?,
            None => repo.default_author()?,
        };
        if message.trim().is_empty() {
            return Err(HistoryError::EmptyMessage.into());
        }
        self.save_as(&repo, message, &author, cancel, progress)
    }

    fn save_as(
        &mut self,
        repo: &Repo,
        message: &str,
        author: &Author,
        cancel: &crate::Cancel,
        progress: &dyn Fn(u64, u64),
    ) -> Result<SavedVersion, WorkspaceError> {
        let lock = repo.lock()?;
        let root = self.root_dir()?.to_path_buf();
        refuse_passwords_in_config(&root.join(crate::CONFIG_FILE))?;
        let changed = repo.changed_in_working_copy(VERSIONED)?;
        let changed_emails = self.affected_emails(&changed);
        let out = root.join("exports");
        let mut exports = Vec::new();
        let existing: BTreeSet<String> = self.email_names().into_iter().collect();
        // A version holds documents that open: a changed email or segment that does not parse is
        // refused here, naming the file and the mistake, before anything is exported or committed.
        for name in changed_emails.iter().filter(|name| existing.contains(*name)) {
            self.email(name)?;
        }
        if changed.iter().any(|path| path.starts_with("segments/")) {
            self.segments()?;
        }
        let total = changed_emails.len() as u64;
        for (done, name) in changed_emails.iter().enumerate() {
            cancel.check()?;
            progress(done as u64, total);
            if !existing.contains(name) {
                // The email was deleted: its exports go with it.
                let dir = out.join(name);
                if dir.is_dir() {
                    std::fs::remove_dir_all(&dir).map_err(|source| WorkspaceError::Io { path: dir, source })?;
                }
                continue;
            }
            let targets = self.exported_targets(name);
            if targets.is_empty() {
                continue;
            }
            let entry = self.email(name)?;
            for target in targets {
                let export = self.export(&entry, target, None)?;
                write_export(&export, &out)?;
                exports.push(ExportedTarget {
                    email: name.clone(),
                    target: target.name().to_owned(),
                });
            }
        }
        cancel.check()?;
        progress(total, total);
        let version = repo.save(&lock, VERSIONED, message, author)?;
        Ok(SavedVersion {
            version: version.into(),
            changed_emails: changed_emails.into_iter().collect(),
            exports,
        })
    }

    /// The emails whose output changes with these changed paths: edited documents, users of a
    /// changed workspace block type, and every email when `tessera.toml` (brand, dictionary)
    /// changed.
    fn affected_emails(&self, changed: &[String]) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        for path in changed {
            if let Some(name) = path.strip_prefix("emails/").and_then(|f| f.strip_suffix(EMAIL_SUFFIX)) {
                out.insert(name.to_owned());
            } else if let Some((block, _)) = path.strip_prefix("blocks/").and_then(|r| r.split_once('/')) {
                out.extend(self.emails_using(block));
            } else if path == crate::CONFIG_FILE {
                out.extend(self.email_names());
            }
        }
        out
    }

    /// The versions, newest first; with `email`, only those that changed its document or its
    /// exports.
    ///
    /// # Errors
    /// Not a repository, an email unknown to the working copy and every version, or a git failure.
    pub fn history(&self, email: Option<&str>) -> Result<Vec<Version>, WorkspaceError> {
        let repo = self.repo()?;
        let all: Vec<Version> = repo.log()?.into_iter().map(Version::from).collect();
        let Some(email) = email else {
            return Ok(all);
        };
        let name = email_name(email)?;
        let picked: Vec<Version> = all.into_iter().filter(|v| v.emails.contains(&name)).collect();
        if picked.is_empty() && !self.email_names().contains(&name) {
            return Err(self.email_not_found(&name));
        }
        Ok(picked)
    }

    fn email_not_found(&self, name: &str) -> WorkspaceError {
        WorkspaceError::EmailNotFound {
            name: name.to_owned(),
            place: self.describe(),
            available: self.email_names(),
        }
    }

    /// Resolves one side of a comparison: `None` or [`WORKING`] is the working copy.
    fn side(&self, repo: &Repo, spec: Option<&str>) -> Result<Side, WorkspaceError> {
        match spec {
            None | Some(WORKING) => Ok(Side {
                version: None,
                label: "working copy".to_owned(),
            }),
            Some(spec) => {
                let id = repo.resolve(spec)?;
                Ok(Side {
                    label: id.chars().take(8).collect(),
                    version: Some(id),
                })
            }
        }
    }

    fn read_side(&self, repo: &Repo, side: &Side, rel: &str) -> Result<Option<Vec<u8>>, WorkspaceError> {
        match &side.version {
            Some(id) => Ok(repo.read_at(id, rel)?),
            None => {
                let path = self.root_dir()?.join(rel);
                match std::fs::read(&path) {
                    Ok(bytes) => Ok(Some(bytes)),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                    Err(source) => Err(WorkspaceError::Io { path, source }),
                }
            }
        }
    }

    fn document_at(&self, repo: &Repo, side: &Side, name: &str) -> Result<Option<Document>, WorkspaceError> {
        let rel = email_rel(name);
        let Some(bytes) = self.read_side(repo, side, &rel)? else {
            return Ok(None);
        };
        let shown = PathBuf::from(match &side.version {
            Some(_) => format!("{rel} (version {})", side.label),
            None => rel.clone(),
        });
        let text = String::from_utf8(bytes).map_err(|_| WorkspaceError::Io {
            path: shown.clone(),
            source: std::io::Error::new(std::io::ErrorKind::InvalidData, "not UTF-8"),
        })?;
        parse_document(&text, &shown).map(Some)
    }

    /// Compares an email between two versions, block by block; with `target`, also the exported
    /// template for that ESP as a unified diff. `from` defaults to the last version and `to` to
    /// the working copy; either may be [`WORKING`].
    ///
    /// # Errors
    /// Not a repository, no version yet (with `from` left out), an unknown version, an email in
    /// neither side, an unreadable document, or an export that fails.
    pub fn diff(
        &mut self,
        email: &str,
        from: Option<&str>,
        to: Option<&str>,
        target: Option<Target>,
    ) -> Result<EmailDiff, WorkspaceError> {
        let repo = self.repo()?;
        let name = email_name(email)?;
        let from = match from {
            Some(spec) => self.side(&repo, Some(spec))?,
            None => {
                let head = repo.head()?.ok_or_else(|| HistoryError::NoVersions {
                    path: repo.root().to_path_buf(),
                })?;
                self.side(&repo, Some(&head))?
            }
        };
        let to = self.side(&repo, to)?;
        let old = self.document_at(&repo, &from, &name)?;
        let new = self.document_at(&repo, &to, &name)?;
        if old.is_none() && new.is_none() {
            return Err(WorkspaceError::NotInVersions {
                email: name,
                from: from.label,
                to: to.label,
            });
        }
        let export = match target {
            Some(target) => Some(self.export_diff(&repo, &name, target, (&from, old.as_ref()), (&to, new.as_ref()))?),
            None => None,
        };
        Ok(EmailDiff {
            changes: diff_documents(old.as_ref(), new.as_ref()),
            email: name,
            from,
            to,
            export,
        })
    }

    fn export_diff(
        &mut self,
        repo: &Repo,
        name: &str,
        target: Target,
        old: (&Side, Option<&Document>),
        new: (&Side, Option<&Document>),
    ) -> Result<ExportDiff, WorkspaceError> {
        let mut generated = Vec::new();
        let mut sides: Vec<BTreeMap<&'static str, Vec<u8>>> = Vec::new();
        for (side, document) in [old, new] {
            let files = self.export_files(repo, name, target, side, document)?;
            if files.1 {
                generated.push(side.label.clone());
            }
            sides.push(files.0);
        }
        let mut unified = String::new();
        for file in [
            tessera_core::export::HTML_FILE,
            tessera_core::export::TEXT_FILE,
            tessera_core::export::MANIFEST_FILE,
        ] {
            let path = format!("exports/{name}/{}/{file}", target.name());
            let a = sides[0].get(file).map(Vec::as_slice);
            let b = sides[1].get(file).map(Vec::as_slice);
            unified.push_str(&unified_diff(&path, a, b)?);
        }
        Ok(ExportDiff {
            target: target.name().to_owned(),
            unified,
            generated,
        })
    }

    /// The export files of one side: read from the version when it carries them, else made now
    /// from the side's document (the bool says so). No document: no files.
    fn export_files(
        &mut self,
        repo: &Repo,
        name: &str,
        target: Target,
        side: &Side,
        document: Option<&Document>,
    ) -> Result<(BTreeMap<&'static str, Vec<u8>>, bool), WorkspaceError> {
        let mut files = BTreeMap::new();
        let Some(document) = document else {
            return Ok((files, false));
        };
        if side.version.is_some() {
            let dir = format!("exports/{name}/{}", target.name());
            for file in [
                tessera_core::export::HTML_FILE,
                tessera_core::export::TEXT_FILE,
                tessera_core::export::MANIFEST_FILE,
            ] {
                if let Some(bytes) = self.read_side(repo, side, &format!("{dir}/{file}"))? {
                    files.insert(file, bytes);
                }
            }
            if !files.is_empty() {
                return Ok((files, false));
            }
        }
        let entry = crate::EmailEntry {
            name: name.to_owned(),
            path: PathBuf::from(email_rel(name)),
            document: document.clone(),
        };
        let export = self.export(&entry, target, None)?;
        let made = export
            .files()
            .map_err(|source| WorkspaceError::export(entry.path.clone(), source))?;
        files.extend(made);
        Ok((files, true))
    }

    /// Brings an email back as it was in `version`, as a change to the working copy (history is
    /// untouched; `save_version` records it). Returns what was written.
    ///
    /// # Errors
    /// Not a repository, an unknown version, an email the version does not have, a document that
    /// does not parse, or a write failure.
    pub fn restore(&self, email: &str, version: &str) -> Result<Restored, WorkspaceError> {
        let repo = self.repo()?;
        let name = email_name(email)?;
        let id = repo.resolve(version)?;
        let rel = email_rel(&name);
        let bytes = repo.read_at(&id, &rel)?.ok_or_else(|| WorkspaceError::NotInVersions {
            email: name.clone(),
            from: id.chars().take(8).collect(),
            to: id.chars().take(8).collect(),
        })?;
        let shown = PathBuf::from(format!("{rel} (version {})", &id[..8.min(id.len())]));
        let text = String::from_utf8(bytes).map_err(|_| WorkspaceError::Io {
            path: shown.clone(),
            source: std::io::Error::new(std::io::ErrorKind::InvalidData, "not UTF-8"),
        })?;
        parse_document(&text, &shown)?;
        let path = self.root_dir()?.join(&rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|source| WorkspaceError::Io {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        write_atomic(&path, text.as_bytes())?;
        Ok(Restored {
            email: name,
            version: id,
            path: path.display().to_string(),
        })
    }

    /// Every email of the working copy and of every version that uses `block_type`.
    ///
    /// # Errors
    /// A type that is neither in the block library nor used anywhere, or a git failure.
    pub fn block_usage(&self, block_type: &str) -> Result<BlockUsage, WorkspaceError> {
        let mut unreadable = Vec::new();
        let mut working = Vec::new();
        for name in self.email_names() {
            match self.email(&name) {
                Ok(entry) => {
                    let blocks = blocks_of_type(&entry.document, block_type);
                    if !blocks.is_empty() {
                        working.push(EmailUsage { email: name, blocks });
                    }
                }
                Err(e) => unreadable.push(e.to_string()),
            }
        }
        let mut versions = Vec::new();
        if self.is_repository() {
            let repo = self.repo()?;
            let mut by_blob: HashMap<String, Option<Vec<String>>> = HashMap::new();
            for info in repo.log()? {
                let mut emails = Vec::new();
                for (file, blob) in repo.list_at(&info.id, "emails")? {
                    let Some(name) = file.strip_suffix(EMAIL_SUFFIX) else {
                        continue;
                    };
                    let blocks = match by_blob.get(&blob) {
                        Some(cached) => cached.clone(),
                        None => {
                            let rel = email_rel(name);
                            let shown = PathBuf::from(format!("{rel} (version {})", info.short_id));
                            let parsed = repo
                                .read_at(&info.id, &rel)?
                                .and_then(|b| String::from_utf8(b).ok())
                                .ok_or_else(|| format!("{}: not UTF-8", shown.display()))
                                .and_then(|t: String| parse_document(&t, &shown).map_err(|e| e.to_string()));
                            let blocks = match parsed {
                                Ok(doc) => Some(blocks_of_type(&doc, block_type)),
                                Err(reason) => {
                                    unreadable.push(reason);
                                    None
                                }
                            };
                            by_blob.insert(blob, blocks.clone());
                            blocks
                        }
                    };
                    if let Some(blocks) = blocks.filter(|b| !b.is_empty()) {
                        emails.push(EmailUsage {
                            email: name.to_owned(),
                            blocks,
                        });
                    }
                }
                if !emails.is_empty() {
                    versions.push(VersionUsage {
                        id: info.id,
                        short_id: info.short_id,
                        time: info.time,
                        message: info.message,
                        emails,
                    });
                }
            }
        }
        if working.is_empty() && versions.is_empty() && self.library.get(block_type).is_none() {
            return Err(WorkspaceError::UnknownBlockType {
                name: block_type.to_owned(),
                available: self.library.iter().map(|b| b.id.clone()).collect(),
            });
        }
        Ok(BlockUsage {
            block_type: block_type.to_owned(),
            working,
            versions,
            unreadable,
        })
    }
}

fn blocks_of_type(document: &Document, block_type: &str) -> Vec<String> {
    document
        .all_blocks()
        .into_iter()
        .filter(|b| b.block_type == block_type)
        .map(|b| b.id.clone())
        .collect()
}

/// Refuses to version a `tessera.toml` that holds a `password` key anywhere (an `[smtp.NAME]`
/// profile with `password = ...`): a version keeps it in the git history for good, and a shared
/// workspace would hand it to every teammate.
fn refuse_passwords_in_config(path: &std::path::Path) -> Result<(), WorkspaceError> {
    fn find(value: &toml::Value, at: &str) -> Option<String> {
        match value {
            toml::Value::Table(table) => table.iter().find_map(|(key, v)| {
                let here = if at.is_empty() {
                    key.clone()
                } else {
                    format!("{at}.{key}")
                };
                if key.eq_ignore_ascii_case("password") {
                    Some(here)
                } else {
                    find(v, &here)
                }
            }),
            toml::Value::Array(items) => items.iter().find_map(|v| find(v, at)),
            _ => None,
        }
    }
    let Ok(text) = std::fs::read_to_string(path) else {
        return Ok(());
    };
    // An invalid file is refused elsewhere with its line and column.
    let Ok(table) = toml::from_str::<toml::Table>(&text) else {
        return Ok(());
    };
    match find(&toml::Value::Table(table), "") {
        Some(key) => Err(WorkspaceError::Config {
            path: path.to_path_buf(),
            message: format!(
                "`{key}` holds a password; a saved version would keep it in the git history for good. Remove that line and keep the password in the OS keyring (tessera smtp set-password) or in the environment"
            ),
        }),
        None => Ok(()),
    }
}
