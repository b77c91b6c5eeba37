//! # tessera-workspace
//!
//! Loads a Tessera workspace (a folder with `tessera.toml`, `emails/`, `blocks/`, `data/`) or the
//! demo embedded in the binary, and offers the use cases both front ends call: render an email as a
//! recipient, render a batch, check a document, list block types, create a workspace, send tests.
#![deny(missing_docs)]
#![warn(clippy::unwrap_used)]

pub mod amp;
pub mod assets;
pub mod batch;
pub mod blocks;
pub mod clock;
pub mod config;
pub mod coverage;
pub mod editor;
pub mod error;
pub mod export;
pub mod files;
pub mod history;
pub mod import;
pub mod import_email;
pub mod import_visual;
pub mod profiles;
pub mod qa;
pub mod segments;
pub mod send;
pub mod sent_values;
pub mod work;

use std::path::{Path, PathBuf};

use serde_json::Value;
use tessera_core::model::{BlockLibrary, BlockOrigin, BlockType, Dictionary, Document};
use tessera_core::{compose, Compiled, Compiler, ComposeInput, Composed, Diagnostic, Rendered};

pub use config::{Config, CONFIG_FILE};
pub use error::{ErrorKind, WorkspaceError};
pub use files::Files;
/// The one cancellation flag long work accepts (see [`tessera_store::cancel`]).
pub use tessera_store::Cancel;

/// Suffix of email documents.
pub const EMAIL_SUFFIX: &str = ".email.json";

/// An open workspace.
#[derive(Debug)]
pub struct Workspace {
    files: Files,
    /// The folder, or `None` for the embedded demo.
    pub root: Option<PathBuf>,
    /// `tessera.toml`.
    pub config: Config,
    /// Built-in blocks plus the workspace's own.
    pub library: BlockLibrary,
    /// The data dictionary.
    pub dictionary: Dictionary,
    compiler: Compiler,
    /// The AMP plan of each email's last compiled version (see `amp.rs`).
    amp_plans: std::collections::HashMap<String, std::sync::Arc<tessera_core::amp::AmpPlan>>,
}

/// Threads for compiling the blocks the cache lacks: one when every core already has a runnable
/// task (measured on 2 cores under a load average of 18: threads took 43 ms wall and 7.2 ms CPU for
/// seasonal-sale, one thread 13 ms and 5.1 ms, since the extra threads only wait for their turn),
/// else one per core (the default). Where the load is unknown, the default.
fn compile_threads() -> usize {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    let load = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|l| l.parse::<f64>().ok()));
    match load {
        Some(load) if load >= cores as f64 => 1,
        _ => 0,
    }
}

/// An email of the workspace.
#[derive(Debug, Clone)]
pub struct EmailEntry {
    /// The name, e.g. `welcome` for `emails/welcome.email.json`.
    pub name: String,
    /// Path relative to the workspace (or an absolute path given by the user).
    pub path: PathBuf,
    /// The document.
    pub document: Document,
}

impl Workspace {
    /// Opens the workspace the way git finds a repository: `explicit` if given, else the nearest
    /// folder from `cwd` upward that holds `tessera.toml`, else the embedded demo.
    ///
    /// # Errors
    /// The chosen workspace cannot be loaded.
    pub fn discover(explicit: Option<&Path>, cwd: &Path) -> Result<Self, WorkspaceError> {
        if let Some(dir) = explicit {
            return Self::open(dir);
        }
        let mut dir = Some(cwd);
        while let Some(d) = dir {
            if d.join(CONFIG_FILE).is_file() {
                return Self::open(d);
            }
            dir = d.parent();
        }
        Self::demo()
    }

    /// Opens a workspace folder.
    ///
    /// # Errors
    /// No `tessera.toml`, or an invalid config or block type.
    pub fn open(dir: &Path) -> Result<Self, WorkspaceError> {
        if !dir.join(CONFIG_FILE).is_file() {
            return Err(WorkspaceError::NotAWorkspace {
                path: dir.to_path_buf(),
            });
        }
        Self::load(Files::Dir(dir.to_path_buf()), Some(dir.to_path_buf()))
    }

    /// The demo workspace embedded in the binary.
    ///
    /// # Errors
    /// Only if the embedded files are broken (a build problem).
    pub fn demo() -> Result<Self, WorkspaceError> {
        Self::load(Files::Embedded("demo"), None)
    }

    fn load(files: Files, root: Option<PathBuf>) -> Result<Self, WorkspaceError> {
        let config_text = files.read(CONFIG_FILE)?;
        let config: Config = toml::from_str(&config_text).map_err(|e| WorkspaceError::Config {
            path: files.display(CONFIG_FILE),
            message: describe_toml_error(&config_text, &e),
        })?;
        let dictionary = Dictionary::new(config.fields.clone()).map_err(|e| WorkspaceError::Config {
            path: files.display(CONFIG_FILE),
            message: e.to_string(),
        })?;
        let mut library = BlockLibrary::new();
        load_blocks(&Files::Embedded("blocks"), "", BlockOrigin::BuiltIn, &mut library)?;
        load_blocks(&files, "blocks", BlockOrigin::Workspace, &mut library)?;
        Ok(Self {
            files,
            root,
            config,
            library,
            dictionary,
            compiler: Compiler::new(),
            amp_plans: std::collections::HashMap::new(),
        })
    }

    /// A display name for messages: the folder, or "the demo workspace".
    #[must_use]
    pub fn describe(&self) -> String {
        self.root
            .as_ref()
            .map_or_else(|| "the demo workspace".to_owned(), |r| r.display().to_string())
    }

    /// The names of the workspace's emails.
    #[must_use]
    pub fn email_names(&self) -> Vec<String> {
        self.files
            .list("emails")
            .into_iter()
            .filter_map(|f| f.strip_suffix(EMAIL_SUFFIX).map(str::to_owned))
            .collect()
    }

    /// Loads an email by name (`welcome`) or by path to a `.email.json` file.
    ///
    /// # Errors
    /// Not found, unreadable, or not a valid document.
    pub fn email(&self, name_or_path: &str) -> Result<EmailEntry, WorkspaceError> {
        let as_path = Path::new(name_or_path);
        if name_or_path.ends_with(".json") || as_path.components().count() > 1 {
            if as_path.is_file() || !as_path.is_relative() {
                let text = std::fs::read_to_string(as_path).map_err(|source| WorkspaceError::Io {
                    path: as_path.to_path_buf(),
                    source,
                })?;
                let name = as_path
                    .file_name()
                    .map(|f| {
                        let f = f.to_string_lossy();
                        f.strip_suffix(EMAIL_SUFFIX)
                            .or_else(|| f.strip_suffix(".json"))
                            .unwrap_or(&f)
                            .to_owned()
                    })
                    .unwrap_or_default();
                return Ok(EmailEntry {
                    name,
                    path: as_path.to_path_buf(),
                    document: parse_document(&text, as_path)?,
                });
            }
            if let Some(stem) = as_path
                .file_name()
                .and_then(|f| f.to_str())
                .and_then(|f| f.strip_suffix(EMAIL_SUFFIX))
            {
                return self.email(stem);
            }
        }
        let rel = format!("emails/{name_or_path}{EMAIL_SUFFIX}");
        if !self.files.exists(&rel) {
            return Err(WorkspaceError::EmailNotFound {
                name: name_or_path.to_owned(),
                place: self.describe(),
                available: self.email_names(),
            });
        }
        let text = self.files.read(&rel)?;
        let path = self.files.display(&rel);
        Ok(EmailEntry {
            name: name_or_path.to_owned(),
            document: parse_document(&text, &path)?,
            path,
        })
    }

    /// Composes an email (problems are in the result's diagnostics).
    #[must_use]
    pub fn compose(&self, document: &Document) -> Composed {
        let brand = self.config.brand.clone();
        compose(&ComposeInput {
            document,
            library: &self.library,
            dictionary: &self.dictionary,
            brand: &brand,
        })
    }

    /// Composes and compiles an email, reusing compiled blocks that did not change.
    ///
    /// # Errors
    /// The email has errors, or its markup cannot be compiled.
    pub fn compile(&mut self, entry: &EmailEntry) -> Result<Compiled, WorkspaceError> {
        self.compiler.set_threads(compile_threads());
        let composed = self.compose(&entry.document);
        if composed.has_errors() {
            return Err(WorkspaceError::Invalid {
                path: entry.path.clone(),
                diagnostics: composed
                    .diagnostics
                    .into_iter()
                    .filter(|d| d.severity == tessera_core::Severity::Error)
                    .collect(),
            });
        }
        self.compiler
            .compile(&composed)
            .map_err(|source| WorkspaceError::Compile {
                path: entry.path.clone(),
                source,
            })
    }

    /// Cache statistics of the compiler.
    #[must_use]
    pub fn compile_stats(&self) -> tessera_core::compile::CacheStats {
        self.compiler.stats()
    }

    /// Renders an email for one recipient context.
    ///
    /// # Errors
    /// As [`Workspace::compile`].
    pub fn render(&mut self, entry: &EmailEntry, data: &Value) -> Result<Rendered, WorkspaceError> {
        let compiled = self.compile(entry)?;
        Ok(tessera_core::render(&compiled, data))
    }

    /// Checks an email: every problem, errors and warnings, located by block and field.
    #[must_use]
    pub fn check(&mut self, entry: &EmailEntry) -> Vec<Diagnostic> {
        let composed = self.compose(&entry.document);
        let mut problems = composed.diagnostics.clone();
        if !composed.has_errors() {
            match self.compiler.compile(&composed) {
                Ok(compiled) => {
                    for d in compiled.warnings {
                        if !problems.contains(&d) {
                            problems.push(d);
                        }
                    }
                }
                Err(e) => problems.push(Diagnostic::error(None, None, e.to_string())),
            }
        }
        problems
    }

    /// A copy of this workspace (its files, settings, block types and dictionary) with an empty
    /// compile cache: for work on an already compiled email (the designer's QA) that runs without
    /// holding the session.
    #[must_use]
    pub fn detached(&self) -> Self {
        Self {
            files: self.files.clone(),
            root: self.root.clone(),
            config: self.config.clone(),
            library: self.library.clone(),
            dictionary: self.dictionary.clone(),
            compiler: Compiler::new(),
            amp_plans: std::collections::HashMap::new(),
        }
    }

    /// The sample recipient contexts in `data/*.json`, by file stem.
    ///
    /// # Errors
    /// A sample file that is not valid JSON.
    pub fn samples(&self) -> Result<Vec<(String, Value)>, WorkspaceError> {
        let mut out = Vec::new();
        for name in self.files.list("data") {
            let Some(stem) = name.strip_suffix(".json") else {
                continue;
            };
            let rel = format!("data/{name}");
            let text = self.files.read(&rel)?;
            let value: Value =
                serde_json::from_str(&text).map_err(|e| WorkspaceError::json(self.files.display(&rel), &e))?;
            out.push((stem.to_owned(), value));
        }
        Ok(out)
    }

    /// The profile store's file (`.tessera/store.db`).
    ///
    /// # Errors
    /// The embedded demo has no store.
    pub fn store_path(&self) -> Result<PathBuf, WorkspaceError> {
        self.root
            .as_ref()
            .map(|r| r.join(tessera_store::STORE_FILE))
            .ok_or(WorkspaceError::DemoHasNoStore)
    }

    /// The workspace's rules for imported SKUs and categories (`[import]`, `[taxonomy]`).
    #[must_use]
    pub fn import_rules(&self) -> tessera_store::import::Normalization {
        tessera_store::import::Normalization {
            sku: self.config.import.sku,
            taxonomy: self
                .config
                .taxonomy
                .iter()
                .map(|(k, v)| (k.trim().to_lowercase(), v.trim().to_lowercase()))
                .collect(),
        }
    }

    /// Whether the workspace has a profile store yet (`.tessera/store.db` exists).
    #[must_use]
    pub fn has_store(&self) -> bool {
        self.store_path().is_ok_and(|p| p.is_file())
    }

    /// The workspace's folder, for use cases that write into it; the built-in demo has none.
    ///
    /// # Errors
    /// [`WorkspaceError::ReadOnly`] for the built-in demo.
    pub fn writable_root(&self) -> Result<&Path, WorkspaceError> {
        self.root.as_deref().ok_or(WorkspaceError::ReadOnly)
    }

    /// Opens (creating if needed) the workspace's profile store.
    ///
    /// # Errors
    /// The demo has no store; SQLite errors.
    pub fn open_store(&self) -> Result<tessera_store::Store, WorkspaceError> {
        Ok(tessera_store::Store::open(&self.store_path()?)?)
    }

    /// The files of this workspace.
    #[must_use]
    pub fn files(&self) -> &Files {
        &self.files
    }
}

/// Parses a document, naming the file, line and column of a mistake.
///
/// # Errors
/// Invalid JSON or a document that does not match the format.
pub fn parse_document(text: &str, path: &Path) -> Result<Document, WorkspaceError> {
    serde_json::from_str(text).map_err(|e| WorkspaceError::json(path.to_path_buf(), &e))
}

/// Reads recipient data (`--data FILE.json`).
///
/// # Errors
/// Unreadable file, invalid JSON, or JSON that is not an object.
pub fn read_data(path: &Path) -> Result<Value, WorkspaceError> {
    let text = std::fs::read_to_string(path).map_err(|source| WorkspaceError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let value: Value = serde_json::from_str(&text).map_err(|e| WorkspaceError::json(path.to_path_buf(), &e))?;
    if !value.is_object() {
        return Err(WorkspaceError::Json {
            path: path.to_path_buf(),
            line: 1,
            column: 1,
            message: "recipient data must be an object like {\"profile\": {...}}".to_owned(),
        });
    }
    Ok(value)
}

fn load_blocks(
    files: &Files,
    dir: &str,
    origin: BlockOrigin,
    library: &mut BlockLibrary,
) -> Result<(), WorkspaceError> {
    for id in files.list(dir) {
        let base = if dir.is_empty() {
            id.clone()
        } else {
            format!("{dir}/{id}")
        };
        let schema_rel = format!("{base}/block.json");
        if !files.exists(&schema_rel) {
            continue;
        }
        let read_optional = |rel: String| {
            if files.exists(&rel) {
                files.read(&rel)
            } else {
                Ok(String::new())
            }
        };
        let schema = files.read(&schema_rel)?;
        let template = files.read(&format!("{base}/block.hbs"))?;
        let css = read_optional(format!("{base}/block.css"))?;
        let block = BlockType::from_sources(&id, &schema, &template, &css, origin.clone()).map_err(|source| {
            WorkspaceError::BlockType {
                path: files.display(&base),
                source,
            }
        })?;
        library.insert(block);
    }
    Ok(())
}

fn describe_toml_error(text: &str, e: &toml::de::Error) -> String {
    let location = e.span().map(|span| {
        let before = &text[..span.start.min(text.len())];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        format!("line {line}, column {column}: ")
    });
    format!("{}{}", location.unwrap_or_default(), e.message())
}

/// Creates a new workspace in `dir` with the demo content (emails, blocks, dictionary, sample data).
///
/// # Errors
/// `dir` already holds a workspace, or a file cannot be written.
pub fn init(dir: &Path) -> Result<Vec<PathBuf>, WorkspaceError> {
    if dir.join(CONFIG_FILE).exists() {
        return Err(WorkspaceError::AlreadyExists {
            path: dir.to_path_buf(),
        });
    }
    let mut written = Vec::new();
    for (rel, bytes) in Files::embedded_files("demo") {
        if rel == "README.md" {
            continue;
        }
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|source| WorkspaceError::Io {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        write_atomic(&path, bytes)?;
        written.push(path);
    }
    written.sort();
    Ok(written)
}

/// Writes a file atomically: a temporary file in the same folder, fsync, rename, fsync the folder.
///
/// # Errors
/// Any I/O failure; the old file (if any) is left as it was.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), WorkspaceError> {
    use std::io::Write as _;
    let io = |source| WorkspaceError::Io {
        path: path.to_path_buf(),
        source,
    };
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let file_name = path
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    // A fresh name no one can guess, created with O_EXCL: a file or link planted under the
    // temporary's name is never opened, so nothing outside the workspace is written through it.
    let (tmp, mut f) = create_temporary(dir, &file_name).map_err(io)?;
    let result = (|| {
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, path)?;
        std::fs::File::open(dir)?.sync_all()
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(io)
}

/// Creates `.NAME.tmp-PID-RANDOM` in `dir` with `create_new` (which never follows a link), trying
/// new random names while one exists.
fn create_temporary(dir: &Path, file_name: &str) -> std::io::Result<(PathBuf, std::fs::File)> {
    use std::hash::{BuildHasher as _, Hasher as _};
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let mut last = None;
    for _ in 0..16 {
        // `RandomState` is seeded from the OS's random source once per process, then varies per instance.
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u64(COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
        hasher.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos()),
        );
        let tmp = dir.join(format!(
            ".{file_name}.tmp-{}-{:016x}",
            std::process::id(),
            hasher.finish()
        ));
        match std::fs::File::options().write(true).create_new(true).open(&tmp) {
            Ok(f) => return Ok((tmp, f)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::other("no free temporary name")))
}
