//! The desktop designer's use cases: open a workspace (the per-user copy of the demo on first
//! start), list what an editor needs (emails, block types, data dictionary, sample recipients,
//! stored profiles), load, create and save documents atomically, and render a document being edited
//! as a recipient, with each top-level block marked so the preview can outline and pick it.
//!
//! The types these use cases take and return derive their TypeScript bindings with the `ts`
//! feature (the desktop app's IPC types). A stored profile is rendered through
//! [`Workspace::stored_recipient`], the one path `tessera render --profile`, test sends and the
//! coverage preview take too.

use std::path::{Path, PathBuf};

use crate::qa::QaReport;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tessera_core::model::{BlockOrigin, BlockSchema, DictionaryField, Document, Settings, SCHEMA_VERSION};
use tessera_core::render::BlockEdge;
use tessera_core::{Diagnostic, RenderReport, Severity};

use crate::profiles::{ProfileHit, StaleField};
use crate::{write_atomic, EmailEntry, Workspace, WorkspaceError, EMAIL_SUFFIX};

/// The folder under the per-user data folder that holds the editable copy of the demo.
pub const DEMO_COPY_DIR: &str = "demo-workspace";
/// The file under the per-user data folder that remembers the last workspace opened.
pub const LAST_WORKSPACE_FILE: &str = "last-workspace";
/// The URL scheme of the preview's pick links: `tessera-pick://block/<id>`. The desktop shell
/// cancels every navigation to it and tells the UI which block was clicked.
pub const PICK_SCHEME: &str = "tessera-pick";

/// The URL scheme of the app protocol that serves the workspace's `assets/` to the preview,
/// read-only (the desktop shell registers it; see [`crate::Workspace::asset_bytes`]).
pub const ASSET_SCHEME: &str = "tessera-asset";

/// The address the preview loads an asset from: `tessera-asset://localhost/<name>` (WebKitGTK and
/// WebKit), `http://tessera-asset.localhost/<name>` on Windows (WebView2).
#[must_use]
pub fn asset_preview_url(name: &str) -> String {
    if cfg!(windows) {
        format!("http://{ASSET_SCHEME}.localhost/{name}")
    } else {
        format!("{ASSET_SCHEME}://localhost/{name}")
    }
}

/// A block type as the palette and the inspector see it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BlockTypeInfo {
    /// The id used as `type` in documents.
    pub id: String,
    /// Built in, or the workspace's own.
    pub origin: BlockOrigin,
    /// Name, description, category, fields, slots.
    pub schema: BlockSchema,
}

/// A sample recipient (`data/<name>.json`).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SampleInfo {
    /// The file stem, e.g. `ada`.
    pub name: String,
    /// A label: the profile's name and email when the sample has them.
    pub label: String,
}

/// Everything the editor shows about the open workspace.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct WorkspaceSummary {
    /// The workspace's display name.
    pub name: String,
    /// The folder.
    pub root: String,
    /// True when this folder is the per-user copy of the demo made on first start.
    pub is_demo_copy: bool,
    /// Email names (`welcome` for `emails/welcome.email.json`).
    pub emails: Vec<String>,
    /// Block types, built-in and the workspace's own, by id.
    pub blocks: Vec<BlockTypeInfo>,
    /// The data dictionary.
    pub dictionary: Vec<DictionaryField>,
    /// Sample recipients.
    pub samples: Vec<SampleInfo>,
    /// Whether `.tessera/store.db` exists (stored profiles can be previewed).
    pub has_store: bool,
    /// The brand's settings: what an email's settings override.
    pub brand: Settings,
    /// The email the editor opens first (`welcome` when there is one).
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_email: Option<String>,
}

/// An email document with its name.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct EmailFile {
    /// The email's name (its file stem).
    pub name: String,
    /// The document.
    pub document: Document,
}

/// Whom to render a preview as.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum PreviewAs {
    /// A sample recipient file, by name.
    Sample(String),
    /// A profile of the workspace's store, by email or id.
    Stored(String),
    /// Nobody: every placeholder shows its fallback.
    Empty,
}

/// A request to render a document being edited.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PreviewRequest {
    /// The document as it is in the editor (saved or not).
    pub document: Document,
    /// Whom to render it as.
    pub profile: PreviewAs,
    /// The email the document belongs to. The session keeps the newest such document as a draft
    /// and writes it if the app exits before the UI's autosave did ([`EditorSession::flush_draft`]).
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

/// A rendered preview.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(optional_fields))]
pub struct Preview {
    /// Subject line as the recipient sees it.
    pub subject: String,
    /// Preheader as the recipient sees it.
    pub preheader: String,
    /// The HTML, each top-level block wrapped in `<div class="tsr-block" data-tsr-block="ID">`
    /// with a pick link; `None` when the document has errors that stop it rendering.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub html: Option<String>,
    /// The plain-text part.
    pub text: String,
    /// What the render did; `None` when it could not render.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report: Option<RenderReport>,
    /// Problems in the document, errors and warnings, by block and field.
    pub problems: Vec<Diagnostic>,
    /// Milliseconds the engine took (compose, compile, render).
    pub engine_ms: f64,
}

/// The result of a save.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SaveResult {
    /// The file written.
    pub path: String,
    /// Bytes written.
    pub bytes: u32,
}

/// The editor's session: the open workspace and where per-user files live.
#[derive(Debug)]
pub struct EditorSession {
    workspace: Workspace,
    data_dir: PathBuf,
    /// The newest document previewed for an email and not saved since.
    draft: Option<(String, Document)>,
}

/// A QA run of a previewed document, detached from the session ([`EditorSession::qa_job`]).
#[derive(Debug)]
pub struct QaJob {
    workspace: Workspace,
    compiled: tessera_core::Compiled,
    document: Document,
    data: Value,
}

impl QaJob {
    /// Runs the QA ([`Workspace::qa_compiled`]).
    ///
    /// # Errors
    /// Invalid `[qa]` settings.
    pub fn run(self) -> Result<QaReport, WorkspaceError> {
        self.workspace
            .qa_compiled(&self.compiled, &self.document, &self.data, None)
    }
}

impl EditorSession {
    /// Opens the workspace the designer had open last time, or on first start (or when that folder
    /// is gone) a per-user copy of the demo under `data_dir`, so edits can be saved.
    ///
    /// # Errors
    /// The demo copy cannot be written or opened.
    pub fn start(data_dir: &Path) -> Result<Self, WorkspaceError> {
        if let Ok(text) = std::fs::read_to_string(data_dir.join(LAST_WORKSPACE_FILE)) {
            let last = PathBuf::from(text.trim());
            if let Ok(workspace) = Workspace::open(&last) {
                return Ok(Self {
                    workspace,
                    data_dir: data_dir.to_path_buf(),
                    draft: None,
                });
            }
        }
        let demo = data_dir.join(DEMO_COPY_DIR);
        if !demo.join(crate::CONFIG_FILE).is_file() {
            crate::init(&demo)?;
        }
        let session = Self {
            workspace: Workspace::open(&demo)?,
            data_dir: data_dir.to_path_buf(),
            draft: None,
        };
        session.remember()?;
        Ok(session)
    }

    /// Opens another workspace folder and remembers it for the next start.
    ///
    /// # Errors
    /// The folder is not a workspace or cannot be loaded; the current one stays open.
    pub fn open(&mut self, dir: &Path) -> Result<WorkspaceSummary, WorkspaceError> {
        let next = Workspace::open(dir)?;
        self.flush_draft()?;
        self.workspace = next;
        self.remember()?;
        self.summary()
    }

    fn remember(&self) -> Result<(), WorkspaceError> {
        if let Some(root) = &self.workspace.root {
            std::fs::create_dir_all(&self.data_dir).map_err(|source| WorkspaceError::Io {
                path: self.data_dir.clone(),
                source,
            })?;
            write_atomic(
                &self.data_dir.join(LAST_WORKSPACE_FILE),
                root.display().to_string().as_bytes(),
            )?;
        }
        Ok(())
    }

    /// The open workspace.
    #[must_use]
    pub fn workspace(&self) -> &Workspace {
        &self.workspace
    }

    /// The open workspace, for use cases that compile (export, coverage, send).
    pub fn workspace_mut(&mut self) -> &mut Workspace {
        &mut self.workspace
    }

    /// Forgets the previewed draft of `email` (after its file was replaced, e.g. by a restored
    /// version, the draft must not overwrite it when the app exits).
    pub fn discard_draft(&mut self, email: &str) {
        if self.draft.as_ref().is_some_and(|(n, _)| n == email) {
            self.draft = None;
        }
    }

    fn root(&self) -> Result<&Path, WorkspaceError> {
        self.workspace.root.as_deref().ok_or(WorkspaceError::ReadOnly)
    }

    /// What the editor shows about the open workspace.
    ///
    /// # Errors
    /// A sample recipient file that is not valid JSON.
    pub fn summary(&self) -> Result<WorkspaceSummary, WorkspaceError> {
        let ws = &self.workspace;
        let samples = ws
            .samples()?
            .into_iter()
            .map(|(name, data)| SampleInfo {
                label: sample_label(&name, &data),
                name,
            })
            .collect();
        let brand = Settings::resolve(&ws.config.brand, &serde_json::Map::new()).unwrap_or_default();
        let demo_copy = self.data_dir.join(DEMO_COPY_DIR);
        Ok(WorkspaceSummary {
            name: if ws.config.workspace.name.is_empty() {
                ws.describe()
            } else {
                ws.config.workspace.name.clone()
            },
            root: ws.describe(),
            is_demo_copy: ws.root.as_deref() == Some(demo_copy.as_path()),
            emails: ws.email_names(),
            blocks: ws
                .library
                .iter()
                .map(|b| BlockTypeInfo {
                    id: b.id.clone(),
                    origin: b.origin.clone(),
                    schema: b.schema.clone(),
                })
                .collect(),
            dictionary: ws.dictionary.iter().cloned().collect(),
            samples,
            has_store: ws.has_store(),
            brand,
            default_email: self.default_email(),
        })
    }

    /// The email the editor opens first: `welcome` when there is one, else the first by name.
    #[must_use]
    pub fn default_email(&self) -> Option<String> {
        let names = self.workspace.email_names();
        if names.iter().any(|n| n == "welcome") {
            Some("welcome".to_owned())
        } else {
            names.into_iter().next()
        }
    }

    /// Compiles the default email so the first preview is served from the compile cache (the app
    /// calls this while its window starts). Problems are left for the preview to report.
    pub fn warm_up(&mut self) {
        if let Some(entry) = self.default_email().and_then(|n| self.workspace.email(&n).ok()) {
            let _ = self.workspace.compile(&entry);
        }
    }

    /// Loads an email by name.
    ///
    /// # Errors
    /// Not found, or not a valid document.
    pub fn load(&self, name: &str) -> Result<EmailFile, WorkspaceError> {
        let entry = self.workspace.email(name)?;
        Ok(EmailFile {
            name: entry.name,
            document: entry.document,
        })
    }

    /// Creates an empty email `emails/<name>.email.json` titled `title`.
    ///
    /// # Errors
    /// A bad or taken name, the read-only demo, or a write failure.
    pub fn create(&mut self, name: &str, title: &str) -> Result<EmailFile, WorkspaceError> {
        if !tessera_core::model::is_valid_id(name) {
            return Err(WorkspaceError::BadNewEmailName(name.to_owned()));
        }
        let path = self.email_path(name)?;
        if path.exists() {
            return Err(WorkspaceError::EmailExists(name.to_owned()));
        }
        let document = Document {
            schema_version: SCHEMA_VERSION,
            name: if title.trim().is_empty() {
                name.to_owned()
            } else {
                title.trim().to_owned()
            },
            subject: String::new(),
            preheader: String::new(),
            settings: serde_json::Map::new(),
            blocks: Vec::new(),
        };
        self.save(name, &document)?;
        Ok(EmailFile {
            name: name.to_owned(),
            document,
        })
    }

    fn email_path(&self, name: &str) -> Result<PathBuf, WorkspaceError> {
        if !tessera_core::model::is_valid_id(name) {
            return Err(WorkspaceError::BadNewEmailName(name.to_owned()));
        }
        Ok(self.root()?.join("emails").join(format!("{name}{EMAIL_SUFFIX}")))
    }

    /// Saves a document atomically (temporary file, fsync, rename, fsync the folder), written
    /// deterministically: two-space JSON in the format's key order, ending with a newline.
    ///
    /// # Errors
    /// A bad name, the read-only demo, or a write failure (the old file is left as it was).
    pub fn save(&mut self, name: &str, document: &Document) -> Result<SaveResult, WorkspaceError> {
        let path = self.email_path(name)?;
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|source| WorkspaceError::Io {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        let mut text = serde_json::to_string_pretty(document).map_err(|e| WorkspaceError::Io {
            path: path.clone(),
            source: std::io::Error::new(std::io::ErrorKind::InvalidData, e),
        })?;
        text.push('\n');
        write_atomic(&path, text.as_bytes())?;
        // What the UI saves is its newest version of this email: an older previewed draft of it
        // must not overwrite it later.
        if self.draft.as_ref().is_some_and(|(n, _)| n == name) {
            self.draft = None;
        }
        Ok(SaveResult {
            path: path.display().to_string(),
            bytes: u32::try_from(text.len()).unwrap_or(u32::MAX),
        })
    }

    /// Renders a document being edited as a recipient. Each top-level block's HTML is wrapped in a
    /// `div` carrying its id, with a transparent pick link over it (see [`PICK_SCHEME`]); the
    /// report counts the email's bytes without these marks. A document with errors comes back with
    /// no HTML and its problems.
    ///
    /// # Errors
    /// An unknown sample recipient or stored profile, store errors.
    pub fn preview(&mut self, request: &PreviewRequest, now_ms: i64) -> Result<Preview, WorkspaceError> {
        let started = std::time::Instant::now();
        if let Some(name) = &request.email {
            self.draft = Some((name.clone(), request.document.clone()));
        }
        let (data, stale_fields) = self.preview_data(&request.profile, now_ms)?;
        let entry = preview_entry(&request.document);
        let problems = self.workspace.check(&entry);
        if problems.iter().any(|d| d.severity == Severity::Error) {
            return Ok(Preview {
                subject: String::new(),
                preheader: String::new(),
                html: None,
                text: String::new(),
                report: None,
                problems,
                engine_ms: started.elapsed().as_secs_f64() * 1000.0,
            });
        }
        let compiled = self.workspace.compile(&entry)?;
        let mut rendered = tessera_core::render::render_marked(&compiled, &data, &mut mark_block);
        rendered.report.stale_fields = stale_fields;
        let (html, _) = tessera_core::assets::rewrite_asset_urls(&rendered.html, |name| Some(asset_preview_url(name)));
        Ok(Preview {
            subject: rendered.subject,
            preheader: rendered.preheader,
            html: Some(html),
            text: rendered.text,
            report: Some(rendered.report),
            problems,
            engine_ms: started.elapsed().as_secs_f64() * 1000.0,
        })
    }

    /// The pre-send QA ([`Workspace::qa_compiled`], with the workspace's `[qa]` settings) of the
    /// document being edited, as the preview's recipient: what the designer's QA panel shows after
    /// each preview. `None` when the document has errors that stop it rendering. Unlike
    /// [`EditorSession::preview`] it keeps no draft (the preview of the same edit did).
    ///
    /// # Errors
    /// An unknown sample recipient or stored profile, store errors, invalid `[qa]` settings.
    pub fn qa_preview(&mut self, request: &PreviewRequest, now_ms: i64) -> Result<Option<QaReport>, WorkspaceError> {
        self.qa_job(request, now_ms)?.map(QaJob::run).transpose()
    }

    /// What [`EditorSession::qa_preview`] needs, taken from the session (the document compiled with
    /// its cache, the recipient's data, the workspace's settings), so the QA itself runs with the
    /// session free: the desktop shell holds the session's lock only for this, and the next
    /// keystroke's preview never waits for a QA run. `None` when the document has errors.
    ///
    /// # Errors
    /// An unknown sample recipient or stored profile, store errors.
    pub fn qa_job(&mut self, request: &PreviewRequest, now_ms: i64) -> Result<Option<QaJob>, WorkspaceError> {
        let (data, _) = self.preview_data(&request.profile, now_ms)?;
        let entry = preview_entry(&request.document);
        if self
            .workspace
            .check(&entry)
            .iter()
            .any(|d| d.severity == Severity::Error)
        {
            return Ok(None);
        }
        let compiled = self.workspace.compile(&entry)?;
        Ok(Some(QaJob {
            workspace: self.workspace.detached(),
            compiled,
            document: entry.document,
            data,
        }))
    }

    /// The recipient data a preview renders with, and the stored profile's stale fields.
    fn preview_data(&self, profile: &PreviewAs, now_ms: i64) -> Result<(Value, Vec<StaleField>), WorkspaceError> {
        Ok(match profile {
            PreviewAs::Sample(name) => (self.sample(name)?, Vec::new()),
            PreviewAs::Stored(key) => {
                if !self.workspace.has_store() {
                    return Err(WorkspaceError::NoStore);
                }
                let recipient = self.workspace.stored_recipient(key, now_ms)?;
                (recipient.data, recipient.stale_fields)
            }
            PreviewAs::Empty => (Value::Object(serde_json::Map::new()), Vec::new()),
        })
    }

    /// Writes the newest previewed document that was not saved since (the app calls this when it
    /// exits, so an edit made just before closing is kept even if the UI could not save it).
    ///
    /// # Errors
    /// As [`EditorSession::save`]; the draft is kept.
    pub fn flush_draft(&mut self) -> Result<Option<SaveResult>, WorkspaceError> {
        match self.draft.clone() {
            Some((name, document)) => self.save(&name, &document).map(Some),
            None => Ok(None),
        }
    }

    fn sample(&self, name: &str) -> Result<Value, WorkspaceError> {
        let rel = format!("data/{name}.json");
        if !tessera_core::model::is_valid_id(name) || !self.workspace.files().exists(&rel) {
            return Err(WorkspaceError::NoSample(name.to_owned()));
        }
        let text = self.workspace.files().read(&rel)?;
        serde_json::from_str(&text).map_err(|e| WorkspaceError::json(self.workspace.files().display(&rel), &e))
    }

    /// Stored profiles whose email or name contains `query`, at most `limit`.
    ///
    /// # Errors
    /// No store yet; SQLite errors.
    pub fn search_profiles(&self, query: &str, limit: u32) -> Result<Vec<ProfileHit>, WorkspaceError> {
        crate::profiles::search(&self.workspace, query, limit as usize)
    }
}

/// The preview's marks around a block (top-level, or nested in a column): a `div` with its id and
/// a transparent pick link covering it (a nested block's link lies above its parent's). Ids are validated (`[a-z0-9_-]`), so they need no escaping; any other id gets no
/// pick link.
/// The document being edited as an email entry (checked and compiled like a saved one).
fn preview_entry(document: &Document) -> EmailEntry {
    EmailEntry {
        name: document.name.clone(),
        path: PathBuf::from(format!("{}{EMAIL_SUFFIX}", document.name)),
        document: document.clone(),
    }
}

fn mark_block(edge: BlockEdge<'_>, html: &mut String) {
    match edge {
        BlockEdge::Start(id) | BlockEdge::InnerStart(id) if tessera_core::model::is_valid_id(id) => {
            html.push_str("<div class=\"tsr-block\" id=\"tsr-");
            html.push_str(id);
            html.push_str("\" data-tsr-block=\"");
            html.push_str(id);
            html.push_str("\">");
        }
        BlockEdge::Start(_) | BlockEdge::InnerStart(_) => html.push_str("<div class=\"tsr-block\">"),
        BlockEdge::End(id) | BlockEdge::InnerEnd(id) if tessera_core::model::is_valid_id(id) => {
            html.push_str("<a class=\"tsr-pick\" href=\"");
            html.push_str(PICK_SCHEME);
            html.push_str("://block/");
            html.push_str(id);
            html.push_str("\" aria-label=\"Select this block\"></a></div>");
        }
        BlockEdge::End(_) | BlockEdge::InnerEnd(_) => html.push_str("</div>"),
    }
}

fn sample_label(name: &str, data: &Value) -> String {
    let profile = data.get("profile");
    let text = |key: &str| profile.and_then(|p| p.get(key)).and_then(Value::as_str).unwrap_or("");
    let full = format!("{} {}", text("first_name"), text("last_name"));
    let full = full.trim();
    match (full.is_empty(), text("email")) {
        (true, "") => name.to_owned(),
        (true, email) => email.to_owned(),
        (false, "") => full.to_owned(),
        (false, email) => format!("{full} <{email}>"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session() -> (tempfile::TempDir, EditorSession) {
        let dir = tempfile::tempdir().expect("temp dir");
        let s = EditorSession::start(dir.path()).expect("start");
        (dir, s)
    }

    #[test]
    fn first_start_copies_the_demo_and_remembers_it() {
        let (dir, s) = session();
        let summary = s.summary().expect("summary");
        assert!(summary.is_demo_copy);
        assert!(summary.emails.contains(&"welcome".to_owned()));
        assert!(summary.blocks.iter().any(|b| b.id == "hero"));
        assert!(summary
            .samples
            .iter()
            .any(|x| x.name == "ada" && x.label.contains("Ada")));
        let last = std::fs::read_to_string(dir.path().join(LAST_WORKSPACE_FILE)).expect("remembered");
        assert_eq!(PathBuf::from(last), dir.path().join(DEMO_COPY_DIR));
        // A second start opens the same folder, keeping edits.
        let again = EditorSession::start(dir.path()).expect("restart");
        assert_eq!(again.workspace().root, s.workspace().root);
    }

    #[test]
    fn create_save_load_round_trip() {
        let (_dir, mut s) = session();
        let mut email = s.create("spring", "Spring news").expect("create");
        assert!(email.document.blocks.is_empty());
        assert!(matches!(
            s.create("spring", "again"),
            Err(WorkspaceError::EmailExists(_))
        ));
        assert!(matches!(
            s.create("../x", "bad"),
            Err(WorkspaceError::BadNewEmailName(_))
        ));
        email.document.subject = "Hello {{default profile.first_name \"friend\"}}".to_owned();
        s.save("spring", &email.document).expect("save");
        assert_eq!(s.load("spring").expect("load").document, email.document);
    }

    #[test]
    fn preview_marks_blocks_and_personalizes() {
        let (_dir, mut s) = session();
        let doc = s.load("welcome").expect("welcome").document;
        let ada = s
            .preview(
                &PreviewRequest {
                    document: doc.clone(),
                    profile: PreviewAs::Sample("ada".to_owned()),
                    email: None,
                },
                0,
            )
            .expect("preview");
        let html = ada.html.expect("html");
        for b in &doc.blocks {
            assert!(html.contains(&format!("data-tsr-block=\"{}\"", b.id)), "{}", b.id);
            assert!(html.contains(&format!("tessera-pick://block/{}", b.id)));
        }
        // Blocks in columns are marked too, inside their parent's mark, so a click picks them.
        let mut nested = 0;
        for parent in &doc.blocks {
            for child in parent.slots.values().flatten() {
                let outer = html.find(&format!("data-tsr-block=\"{}\"", parent.id)).expect("parent");
                let outer_end = html
                    .find(&format!("tessera-pick://block/{}\"", parent.id))
                    .expect("parent pick");
                let inner = html
                    .find(&format!("data-tsr-block=\"{}\"", child.id))
                    .expect("child marked");
                let inner_end = html
                    .find(&format!("tessera-pick://block/{}\"", child.id))
                    .expect("child pick");
                assert!(
                    outer < inner && inner < inner_end && inner_end < outer_end,
                    "{} in {}",
                    child.id,
                    parent.id
                );
                nested += 1;
            }
        }
        assert!(nested >= 2, "the welcome email has blocks in columns");
        let report = ada.report.expect("report");
        // The marks wrap the blocks and nothing else: without them the HTML is the email's own,
        // and the report counts only that.
        let plain = s
            .workspace
            .render(
                &s.workspace.email("welcome").expect("welcome"),
                &s.sample("ada").expect("ada"),
            )
            .expect("render");
        assert_eq!(report.html_bytes, plain.html.len(), "marks are not counted");
        assert_eq!(ada.subject, plain.subject);
        let empty = s
            .preview(
                &PreviewRequest {
                    document: doc,
                    profile: PreviewAs::Empty,
                    email: None,
                },
                0,
            )
            .expect("preview");
        assert!(!empty.report.expect("report").fallbacks.is_empty());
        let unknown = s.preview(
            &PreviewRequest {
                document: s.load("welcome").expect("welcome").document,
                profile: PreviewAs::Sample("nobody".to_owned()),
                email: None,
            },
            0,
        );
        assert_eq!(
            unknown.expect_err("no sample").kind(),
            crate::ErrorKind::ProfileNotFound
        );
    }

    #[test]
    fn the_newest_previewed_document_is_saved_on_exit_unless_saved_already() {
        let (_dir, mut s) = session();
        let mut doc = s.load("welcome").expect("welcome").document;
        doc.subject = "Edited just before closing".to_owned();
        let request = PreviewRequest {
            document: doc.clone(),
            profile: PreviewAs::Empty,
            email: Some("welcome".to_owned()),
        };
        s.preview(&request, 0).expect("preview");
        assert!(s.flush_draft().expect("flush").is_some());
        assert_eq!(
            s.load("welcome").expect("load").document.subject,
            "Edited just before closing"
        );
        assert!(s.flush_draft().expect("nothing left").is_none());
        s.preview(&request, 0).expect("preview");
        let mut newer = doc.clone();
        newer.subject = "Newer, saved by the UI".to_owned();
        s.save("welcome", &newer).expect("autosave");
        assert!(s.flush_draft().expect("saved already").is_none());
        assert_eq!(
            s.load("welcome").expect("load").document.subject,
            "Newer, saved by the UI"
        );
    }

    #[test]
    fn stored_profiles_are_searched_and_previewed_once_the_store_exists() {
        let (_dir, mut s) = session();
        assert!(!s.summary().expect("summary").has_store);
        assert!(matches!(s.search_profiles("lea", 5), Err(WorkspaceError::NoStore)));
        let mut store = s.workspace().open_store().expect("store");
        let csv = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/demo/store/profiles.csv");
        let options = tessera_store::import::ImportOptions::new(tessera_store::import::Kind::Profiles);
        tessera_store::import::import(&mut store, &csv, &options, &|_| {}).expect("import");
        drop(store);
        assert!(s.summary().expect("summary").has_store);
        let hits = s.search_profiles("lea schäfer", 5).expect("search");
        let lea = hits
            .iter()
            .find(|h| h.email.starts_with("lea.schaefer"))
            .unwrap_or_else(|| panic!("{hits:?}"));
        assert_eq!(lea.name, "Lea Schäfer");
        let doc = s.load("welcome").expect("welcome").document;
        let preview = s
            .preview(
                &PreviewRequest {
                    document: doc,
                    profile: PreviewAs::Stored(lea.email.clone()),
                    email: None,
                },
                0,
            )
            .expect("preview as a stored profile");
        assert!(preview.subject.contains("Lea"), "{}", preview.subject);
    }

    #[test]
    fn a_document_with_errors_previews_its_problems() {
        let (_dir, mut s) = session();
        let mut doc = s.load("welcome").expect("welcome").document;
        doc.blocks[0].block_type = "no-such-block".to_owned();
        let p = s
            .preview(
                &PreviewRequest {
                    document: doc,
                    profile: PreviewAs::Empty,
                    email: None,
                },
                0,
            )
            .expect("preview");
        assert!(p.html.is_none());
        assert!(p.problems.iter().any(|d| d.severity == Severity::Error));
    }

    #[test]
    fn qa_checks_the_unsaved_document_as_the_previews_recipient() {
        let (_dir, mut s) = session();
        let mut doc = s.load("welcome").expect("welcome").document;
        let hero = doc.blocks.iter().position(|b| b.block_type == "hero").expect("a hero");
        let id = doc.blocks[hero].id.clone();
        doc.blocks[hero].fields.insert(
            "cta_url".to_owned(),
            Value::String("http://shop.example/insecure".to_owned()),
        );
        let request = |doc: &Document, profile: PreviewAs| PreviewRequest {
            document: doc.clone(),
            profile,
            email: Some("welcome".to_owned()),
        };
        let unsafe_links = |r: &QaReport| {
            r.findings
                .iter()
                .filter(|f| f.rule == "link:http" && f.level == crate::qa::Level::Warning)
                .map(|f| (f.block.clone(), f.field.clone()))
                .collect::<Vec<_>>()
        };
        let ada = s
            .qa_preview(&request(&doc, PreviewAs::Sample("ada".to_owned())), 0)
            .expect("qa")
            .expect("renders");
        // The hero links its image and its button to the URL: each finding names the block and field.
        let found = unsafe_links(&ada);
        assert!(!found.is_empty());
        assert!(
            found
                .iter()
                .all(|f| *f == (Some(id.clone()), Some("cta_url".to_owned()))),
            "{found:?}"
        );
        // The saved email has no such link: the QA is of the document as edited.
        let saved = s.load("welcome").expect("welcome").document;
        let clean = s
            .qa_preview(&request(&saved, PreviewAs::Sample("ada".to_owned())), 0)
            .expect("qa")
            .expect("renders");
        assert!(unsafe_links(&clean).is_empty());
        // As nobody, the placeholders fall back: the QA is as the preview's recipient.
        let fell_back = |r: &QaReport| {
            r.findings
                .iter()
                .filter(|f| f.rule.starts_with("content:fallback"))
                .count()
        };
        let nobody = s
            .qa_preview(&request(&saved, PreviewAs::Empty), 0)
            .expect("qa")
            .expect("renders");
        assert!(fell_back(&nobody) > fell_back(&clean), "{:#?}", nobody.findings);
        // A document that cannot render has no QA; an unknown recipient is an error.
        doc.blocks[0].block_type = "no-such-block".to_owned();
        assert!(s.qa_preview(&request(&doc, PreviewAs::Empty), 0).expect("qa").is_none());
        assert_eq!(
            s.qa_preview(&request(&saved, PreviewAs::Sample("nobody".to_owned())), 0)
                .expect_err("no sample")
                .kind(),
            crate::ErrorKind::ProfileNotFound
        );
    }

    #[test]
    fn opening_a_folder_that_is_not_a_workspace_keeps_the_current_one() {
        let (dir, mut s) = session();
        let err = s.open(dir.path()).expect_err("not a workspace");
        assert_eq!(err.kind(), crate::ErrorKind::NotAWorkspace);
        assert!(s.summary().expect("summary").is_demo_copy);
    }
}
