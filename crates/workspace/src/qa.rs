//! The pre-send QA use case (`tessera qa`, `tessera check`, the designer's QA panel): render an
//! email as someone, with each top-level block marked, and run `tessera-qa` on it with the
//! workspace's `[qa]` settings.

use std::path::Path;

use serde::Serialize;
use serde_json::Value;
use tessera_core::compile::Compiled;
use tessera_core::model::{BlockInstance, Document};
use tessera_core::render::{BlockEdge, Rendered};
use tessera_core::Diagnostic;
use tessera_qa::{BlockFields, Fallback, Input, Options};

use crate::{EmailEntry, Workspace, WorkspaceError, CONFIG_FILE};

pub use tessera_qa::{Category, FamilySummary, Finding, Level, QaReport, QaSettings};

/// Whom to check the email as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QaAs {
    /// Nobody: every placeholder shows its fallback.
    Empty,
    /// Recipient data read from a JSON file.
    Data(std::path::PathBuf),
    /// A stored profile (email or id).
    Profile(String),
    /// One representative of every segment the email refers to, plus the coverage preview's
    /// edge cases.
    AllSegments,
    /// The first sample recipient of `data/` (nobody when there is none): what `tessera check`
    /// checks.
    FirstSample,
}

/// The QA of one case (one recipient).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct QaCase {
    /// The case: `empty`, a data file's name, a profile, or a coverage case (`segment-vip`).
    pub name: String,
    /// The report.
    pub report: QaReport,
}

/// The QA of an email for one or more cases.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct QaResult {
    /// The email.
    pub email: String,
    /// Each case.
    pub cases: Vec<QaCase>,
    /// Whether any case fails.
    pub fails: bool,
}

/// A top-level block's fields (and its nested blocks', as `child.field`), as text.
fn block_fields(block: &BlockInstance) -> BlockFields {
    let mut fields = Vec::new();
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    for (k, v) in &block.fields {
        fields.push((k.clone(), text(v)));
    }
    for child in block.slots.values().flatten() {
        for (k, v) in block_fields(child).fields {
            fields.push((format!("{}.{k}", child.id), v));
        }
    }
    BlockFields {
        block: block.id.clone(),
        kind: block.block_type.clone(),
        fields,
    }
}

/// The comments around a top-level block that `tessera-qa` reads (left out of its checks).
fn mark(edge: BlockEdge<'_>, html: &mut String) {
    match edge {
        BlockEdge::Start(id) if tessera_core::model::is_valid_id(id) => {
            html.push_str("<!--");
            html.push_str(tessera_qa::markup::BLOCK_OPEN);
            html.push_str(id);
            html.push_str("-->");
        }
        BlockEdge::End(id) if tessera_core::model::is_valid_id(id) => {
            html.push_str("<!--");
            html.push_str(tessera_qa::markup::BLOCK_CLOSE);
            html.push_str("-->");
        }
        // Findings name top-level blocks (a nested block by `child.field`).
        BlockEdge::Start(_) | BlockEdge::End(_) | BlockEdge::InnerStart(_) | BlockEdge::InnerEnd(_) => {}
    }
}

/// Renders a compiled email for `data` with the comments around each top-level block that
/// `tessera-qa` reads to name blocks (its `html_bytes` count the email without them).
#[must_use]
pub fn render_for_qa(compiled: &Compiled, data: &Value) -> Rendered {
    tessera_core::render::render_marked(compiled, data, &mut mark)
}

impl Workspace {
    /// The `[qa]` settings, checked.
    ///
    /// # Errors
    /// An unknown client or `fail_on` name, or an ignore without a reason.
    pub fn qa_settings(&self) -> Result<&tessera_qa::QaSettings, WorkspaceError> {
        self.config.qa.validate().map_err(|e| WorkspaceError::Config {
            path: self.files().display(CONFIG_FILE),
            message: e.to_string(),
        })?;
        Ok(&self.config.qa)
    }

    /// Runs the QA on a compiled email rendered for `data`, with the workspace's `[qa]` settings
    /// (and `clients` instead of its client list when given).
    ///
    /// # Errors
    /// Invalid `[qa]` settings or client globs.
    pub fn qa_compiled(
        &self,
        compiled: &Compiled,
        document: &Document,
        data: &Value,
        clients: Option<&[String]>,
    ) -> Result<QaReport, WorkspaceError> {
        let rendered = render_for_qa(compiled, data);
        let amp_bytes = self.amp_bytes(compiled, document, data);
        self.qa_rendered_with(&rendered, document, clients, amp_bytes)
    }

    /// The size of the AMP part of an email with live blocks (each as an `amp-list` over a feed
    /// URL as long as a signed one), `None` without live blocks or when it cannot be made.
    fn amp_bytes(&self, compiled: &Compiled, document: &Document, data: &Value) -> Option<usize> {
        let base = self
            .config
            .live
            .base_url
            .as_deref()
            .unwrap_or("https://live.example.invalid");
        let live: Vec<tessera_core::amp::LiveBlock> = document
            .blocks
            .iter()
            .filter_map(|b| {
                b.live.map(|spec| tessera_core::amp::LiveBlock {
                    id: b.id.clone(),
                    spec,
                    src: Some(crate::amp::feed_url(base, &document.name, &b.id, &"t".repeat(120))),
                })
            })
            .collect();
        if live.is_empty() {
            return None;
        }
        tessera_core::amp::render(compiled, &self.dictionary, &document.name, data, &live)
            .ok()
            .map(|amp| amp.report.bytes)
    }

    /// Runs the QA on an email rendered by [`render_for_qa`] (the benchmark times this step).
    ///
    /// # Errors
    /// Invalid `[qa]` settings or client globs.
    pub fn qa_rendered(
        &self,
        rendered: &Rendered,
        document: &Document,
        clients: Option<&[String]>,
    ) -> Result<QaReport, WorkspaceError> {
        self.qa_rendered_with(rendered, document, clients, None)
    }

    fn qa_rendered_with(
        &self,
        rendered: &Rendered,
        document: &Document,
        clients: Option<&[String]>,
        amp_bytes: Option<usize>,
    ) -> Result<QaReport, WorkspaceError> {
        let settings = self.qa_settings()?;
        let clients = settings.clients_with(clients).map_err(|e| WorkspaceError::Config {
            path: self.files().display(CONFIG_FILE),
            message: e.to_string(),
        })?;
        let root = self.root.clone();
        let image_size = move |src: &str| -> Option<u64> { local_image_size(root.as_deref()?, src) };
        let input = Input {
            html: &rendered.html,
            subject: &rendered.subject,
            preheader: &rendered.preheader,
            text: &rendered.text,
            html_bytes: rendered.report.html_bytes,
            amp_bytes,
            fallbacks: rendered
                .report
                .fallbacks
                .iter()
                .map(|f| Fallback {
                    block: f.block.clone(),
                    placeholder: f.placeholder.clone(),
                    field: f.field.clone(),
                    value: f.value.clone(),
                })
                .collect(),
            blocks: document.blocks.iter().map(block_fields).collect(),
        };
        let options = Options {
            clients,
            list_unsubscribe: Some(self.config.send.unsubscribe_url.is_some()),
            image_size: Some(&image_size),
        };
        let mut report = tessera_qa::check(&input, &options);
        settings.apply(&mut report);
        Ok(report)
    }

    /// The QA of an email as someone (`tessera qa`).
    ///
    /// # Errors
    /// The email cannot render; the data file, the profile or the store cannot be read; invalid
    /// `[qa]` settings or client globs.
    pub fn qa(
        &mut self,
        entry: &EmailEntry,
        who: &QaAs,
        clients: Option<&[String]>,
        now_ms: i64,
    ) -> Result<QaResult, WorkspaceError> {
        let compiled = self.compile(entry)?;
        let cases: Vec<(String, Value)> = match who {
            QaAs::Empty => vec![("empty".to_owned(), Value::Object(serde_json::Map::new()))],
            QaAs::Data(path) => {
                let name = path
                    .file_stem()
                    .map_or_else(|| "data".to_owned(), |s| s.to_string_lossy().into_owned());
                vec![(name, crate::read_data(path)?)]
            }
            QaAs::Profile(key) => {
                let recipient = self.stored_recipient(key, now_ms)?;
                vec![(key.clone(), recipient.data)]
            }
            QaAs::FirstSample => match self.samples()?.into_iter().next() {
                Some(sample) => vec![sample],
                None => vec![("empty".to_owned(), Value::Object(serde_json::Map::new()))],
            },
            QaAs::AllSegments => self
                .matrix_inputs(&compiled, now_ms)?
                .into_iter()
                .map(|i| (i.name, i.data))
                .collect(),
        };
        let mut out = Vec::new();
        for (name, data) in cases {
            let report = self.qa_compiled(&compiled, &entry.document, &data, clients)?;
            out.push(QaCase { name, report });
        }
        let fails = out.iter().any(|c| c.report.fails);
        Ok(QaResult {
            email: entry.name.clone(),
            cases: out,
            fails,
        })
    }
}

impl Workspace {
    /// The QA findings that fail under the workspace's `[qa]` settings, as problems of
    /// `tessera check` (checked as the first sample recipient).
    ///
    /// # Errors
    /// As [`Workspace::qa`].
    pub fn qa_problems(&mut self, entry: &EmailEntry, now_ms: i64) -> Result<Vec<Diagnostic>, WorkspaceError> {
        let result = self.qa(entry, &QaAs::FirstSample, None, now_ms)?;
        let mut out = Vec::new();
        for case in &result.cases {
            for f in case.report.findings.iter().filter(|f| f.fails) {
                let d = Diagnostic::error(
                    f.block.as_deref(),
                    f.field.as_deref(),
                    format!("qa: {} ({}, as {})", f.message, f.rule, case.name),
                );
                if !out.contains(&d) {
                    out.push(d);
                }
            }
        }
        Ok(out)
    }
}

/// The size of an image the email refers to by a path inside the workspace (`images/hero.jpg`);
/// `None` for remote images and paths outside it.
fn local_image_size(root: &Path, src: &str) -> Option<u64> {
    let src = src.trim();
    if src.is_empty()
        || src.contains("://")
        || src.starts_with("data:")
        || src.starts_with("cid:")
        || src.contains("..")
    {
        return None;
    }
    let path = root.join(src.trim_start_matches('/'));
    std::fs::metadata(path)
        .ok()
        .filter(std::fs::Metadata::is_file)
        .map(|m| m.len())
}

/// What requesting a link gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkStatus {
    /// The URL as the email has it.
    pub url: String,
    /// The final status, when a response came.
    pub status: Option<u16>,
    /// Each redirect target, in order.
    pub redirects: Vec<String>,
    /// Why no response came (timeout, DNS, TLS, too many redirects).
    pub error: Option<String>,
}

/// At most this many redirects are followed.
const MAX_REDIRECTS: usize = 10;

/// Requests each URL (HEAD, then GET when the server refuses HEAD), following redirects by hand
/// so each is reported, with `timeout` for each request. The only networked check of the QA.
#[must_use]
pub fn request_links(urls: &[String], timeout: std::time::Duration) -> Vec<LinkStatus> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .max_redirects(0)
        .http_status_as_error(false)
        .user_agent("tessera-qa (link check)")
        .build()
        .into();
    urls.iter()
        .map(|url| {
            let mut status = LinkStatus {
                url: url.clone(),
                status: None,
                redirects: Vec::new(),
                error: None,
            };
            let mut current = url.clone();
            loop {
                let response = match agent.head(&current).call() {
                    Ok(r) if matches!(r.status().as_u16(), 405 | 501) => agent.get(&current).call(),
                    other => other,
                };
                let response = match response {
                    Ok(r) => r,
                    Err(e) => {
                        status.error = Some(e.to_string());
                        break;
                    }
                };
                let code = response.status().as_u16();
                let location = response
                    .headers()
                    .get("location")
                    .and_then(|l| l.to_str().ok())
                    .map(str::to_owned);
                match location {
                    Some(next) if (300..400).contains(&code) => {
                        if status.redirects.len() >= MAX_REDIRECTS {
                            status.error = Some(format!("more than {MAX_REDIRECTS} redirects"));
                            break;
                        }
                        let next = resolve(&current, &next);
                        status.redirects.push(next.clone());
                        current = next;
                    }
                    _ => {
                        status.status = Some(code);
                        break;
                    }
                }
            }
            status
        })
        .collect()
}

/// A `Location` relative to the URL it came from.
fn resolve(base: &str, location: &str) -> String {
    if location.contains("://") {
        return location.to_owned();
    }
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let origin_end = base
        .get(scheme_end..)
        .and_then(|rest| rest.find('/'))
        .map_or(base.len(), |i| scheme_end + i);
    let origin = base.get(..origin_end).unwrap_or(base);
    if location.starts_with('/') {
        format!("{origin}{location}")
    } else {
        let dir = base
            .rfind('/')
            .filter(|i| *i >= origin_end)
            .map_or(origin.to_owned(), |i| base.get(..i).unwrap_or(base).to_owned());
        format!("{dir}/{location}")
    }
}

/// The findings of a link check: an error for a link that fails or answers 4xx/5xx, a warning for
/// a link that redirects (the redirects named).
#[must_use]
pub fn link_findings(statuses: &[LinkStatus]) -> Vec<Finding> {
    let mut out = Vec::new();
    for s in statuses {
        let finding =
            |level, message: String| Finding::new("link:status", Category::Links, level, message).about(s.url.clone());
        match (&s.error, s.status) {
            (Some(e), _) => out.push(finding(Level::Error, format!("{} did not answer: {e}", s.url))),
            (None, Some(code)) if code >= 400 => out.push(finding(
                Level::Error,
                format!("{} answers {code}{}", s.url, via(&s.redirects)),
            )),
            (None, Some(code)) if !s.redirects.is_empty() => out.push(finding(
                Level::Warning,
                format!("{} redirects{} (final status {code})", s.url, via(&s.redirects)),
            )),
            _ => {}
        }
    }
    out
}

fn via(redirects: &[String]) -> String {
    if redirects.is_empty() {
        String::new()
    } else {
        format!(" via {}", redirects.join(" -> "))
    }
}

impl Workspace {
    /// Requests every distinct link of the checked cases (`tessera qa --check-links`) and adds
    /// what fails or redirects to each case that has the link.
    ///
    /// # Errors
    /// Invalid `[qa]` settings.
    pub fn qa_check_links(&self, result: &mut QaResult, timeout: std::time::Duration) -> Result<(), WorkspaceError> {
        let settings = self.qa_settings()?;
        let mut urls: Vec<String> = Vec::new();
        for case in &result.cases {
            for u in &case.report.urls {
                if !urls.contains(u) {
                    urls.push(u.clone());
                }
            }
        }
        let statuses = request_links(&urls, timeout);
        for case in &mut result.cases {
            let mine: Vec<LinkStatus> = statuses
                .iter()
                .filter(|s| case.report.urls.contains(&s.url))
                .cloned()
                .collect();
            case.report.findings.extend(link_findings(&mine));
            settings.apply(&mut case.report);
        }
        result.fails = result.cases.iter().any(|c| c.report.fails);
        Ok(())
    }
}
