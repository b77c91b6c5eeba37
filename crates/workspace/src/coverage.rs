//! The segment coverage preview (`tessera preview-matrix`): an email rendered for one
//! representative profile of every segment it refers to, plus generated edge cases, with what
//! each case sees, the blocks no case reaches, the placeholders that fell back to nothing and the
//! size of each render.

use std::collections::BTreeSet;
use std::path::Path;

use serde::Serialize;
use serde_json::{json, Value};
use tessera_core::compile::Compiled;
use tessera_core::render::HiddenBlock;

use crate::qa::{QaAs, QaCase};
use crate::{write_atomic, EmailEntry, Workspace, WorkspaceError};

/// One rendered case.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Case {
    /// File-safe name (`segment-vip`, `edge-missing-fields`).
    pub name: String,
    /// What the case is, in words.
    pub description: String,
    /// The stored profile rendered as, when one was.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub profile: Option<String>,
    /// Subject line.
    pub subject: String,
    /// Blocks that showed, in order.
    pub visible_blocks: Vec<String>,
    /// Blocks that did not show, and why.
    pub hidden_blocks: Vec<HiddenBlock>,
    /// Placeholders that rendered empty (`block: placeholder`).
    pub empty_placeholders: Vec<String>,
    /// HTML size in bytes.
    pub html_bytes: usize,
    /// The render's file in the output folder.
    pub file: String,
    /// The HTML.
    #[serde(skip)]
    pub html: String,
}

/// The whole preview.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Matrix {
    /// The email's name.
    pub email: String,
    /// Segments the email refers to.
    pub segments: Vec<String>,
    /// The cases, segments first.
    pub cases: Vec<Case>,
    /// Block instances that no case shows.
    pub unreached_blocks: Vec<String>,
    /// Things to know (segments without members, no store).
    pub notes: Vec<String>,
}

/// The coverage preview with each case's HTML, for the side-by-side grid of the Segments screen.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Coverage {
    /// The matrix as `tessera preview-matrix` writes it to `matrix.json`.
    pub matrix: Matrix,
    /// Each case's HTML, in the order of `matrix.cases`.
    pub html: Vec<String>,
    /// Each case's pre-send QA (`tessera qa --all-segments`), in the order of `matrix.cases`: a
    /// block only one segment sees can break only that segment's email.
    pub qa: Vec<QaCase>,
}

/// The coverage preview of the saved email `email` as of `now_ms` (`tessera preview-matrix`).
///
/// # Errors
/// The email cannot render; store or segment errors.
pub fn coverage(
    ws: &mut Workspace,
    email: &str,
    now_ms: i64,
    cancel: &crate::Cancel,
    progress: &dyn Fn(u64, u64),
) -> Result<Coverage, WorkspaceError> {
    let entry = ws.email(email)?;
    let matrix = ws.preview_matrix_with(&entry, now_ms, cancel, progress)?;
    let html = matrix.cases.iter().map(|c| c.html.clone()).collect();
    let qa = ws.qa(&entry, &QaAs::AllSegments, None, now_ms)?.cases;
    Ok(Coverage { matrix, html, qa })
}

/// A case's recipient data before rendering.
pub(crate) struct Input {
    /// File-safe name.
    pub(crate) name: String,
    description: String,
    profile: Option<String>,
    /// The recipient context.
    pub(crate) data: Value,
}

/// A long name (120 characters) and its parts, for the edge cases.
fn long_name() -> String {
    "Maximiliane-Alexandra Konstantinopoulou-Wolfeschlegelsteinhausen".repeat(2)[..120].to_owned()
}

/// The generated edge cases, built from a base recipient (the first sample, or nothing).
fn edge_cases(base: &Value) -> Vec<Input> {
    let with_profile = |patch: Value| {
        let mut data = base.clone();
        if !data.is_object() {
            data = json!({});
        }
        let profile = data
            .as_object_mut()
            .map(|m| m.entry("profile").or_insert_with(|| json!({})).clone())
            .unwrap_or_else(|| json!({}));
        let mut profile = if profile.is_object() { profile } else { json!({}) };
        if let (Some(p), Value::Object(patch)) = (profile.as_object_mut(), patch) {
            p.extend(patch);
        }
        data["profile"] = profile;
        data
    };
    vec![
        Input {
            name: "edge-missing-fields".into(),
            description: "every optional field missing: an email address and nothing else".into(),
            profile: None,
            data: json!({"profile": {"email": "preview@example.com"}}),
        },
        Input {
            name: "edge-empty-cart".into(),
            description: "an empty cart, no recommendations, no segments".into(),
            profile: None,
            data: {
                let mut d = with_profile(json!({}));
                d["cart"] = json!({"items": [], "total": 0});
                d["recommendations"] = json!([]);
                d["segments"] = json!([]);
                d
            },
        },
        Input {
            name: "edge-long-names".into(),
            description: "a 120-character first and last name".into(),
            profile: None,
            data: with_profile(json!({"first_name": long_name(), "last_name": long_name()})),
        },
        Input {
            name: "edge-right-to-left".into(),
            description: "right-to-left names (Hebrew and Arabic)".into(),
            profile: None,
            data: with_profile(json!({"first_name": "שירה", "last_name": "الحسيني", "locale": "he-IL"})),
        },
        Input {
            name: "edge-html-special".into(),
            description: "HTML-special characters in names".into(),
            profile: None,
            data: with_profile(
                json!({"first_name": "<b>Ada</b> & \"Co\"", "last_name": "O'Neil <script>alert(1)</script>"}),
            ),
        },
    ]
}

impl Workspace {
    /// The cases of the coverage preview (and of `tessera qa --all-segments`): a representative of
    /// every segment the email refers to, then the edge cases.
    ///
    /// # Errors
    /// Store or segment errors.
    pub(crate) fn matrix_inputs(&mut self, compiled: &Compiled, as_of: i64) -> Result<Vec<Input>, WorkspaceError> {
        self.matrix_cases(compiled, as_of, &mut Vec::new(), &crate::Cancel::new(), &|_, _| {})
    }

    /// The cases, checking `cancel` before each segment's case and reporting
    /// `progress(segments done, segments)`.
    fn matrix_cases(
        &mut self,
        compiled: &Compiled,
        as_of: i64,
        notes: &mut Vec<String>,
        cancel: &crate::Cancel,
        progress: &dyn Fn(u64, u64),
    ) -> Result<Vec<Input>, WorkspaceError> {
        let segments: Vec<String> = compiled.segments_referenced().into_iter().collect();
        let samples = self.samples()?;
        let base = samples.first().map_or_else(|| json!({}), |(_, d)| d.clone());
        let defined = self.segments()?;
        let store = match self.store_path() {
            Ok(path) if path.is_file() => Some(self.open_store_with_segments(as_of)?),
            _ => {
                notes
                    .push("no profile store: segment cases use the first sample recipient with the segment set".into());
                None
            }
        };
        let mut inputs = Vec::new();
        let total = segments.len() as u64;
        for (done, segment) in segments.iter().enumerate() {
            cancel.check()?;
            progress(done as u64, total);
            if defined.get(segment).is_none() {
                notes.push(format!("segment \"{segment}\" is not defined in segments/"));
            }
            let representative = match &store {
                Some(s) => s.representative(segment)?,
                None => None,
            };
            match (representative, &store) {
                (Some(id), Some(store)) => {
                    let recipient = self.stored_recipient_in(store, &id.to_string(), as_of)?;
                    let email = recipient.data["profile"]["email"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned();
                    inputs.push(Input {
                        name: format!("segment-{segment}"),
                        description: format!("a member of {segment}: {email}"),
                        profile: Some(email),
                        data: recipient.data,
                    });
                }
                _ => {
                    if store.is_some() {
                        notes.push(format!(
                            "segment \"{segment}\" has no members; a sample recipient stands in"
                        ));
                    }
                    let mut data = base.clone();
                    if data.is_object() {
                        data["segments"] = json!([segment]);
                    }
                    inputs.push(Input {
                        name: format!("segment-{segment}"),
                        description: format!("the first sample recipient, in {segment} only"),
                        profile: None,
                        data,
                    });
                }
            }
        }
        cancel.check()?;
        progress(total, total);
        inputs.extend(edge_cases(&base));
        Ok(inputs)
    }

    /// Builds the coverage preview of an email as of `as_of` (for the stored profiles' segments
    /// and recommendations).
    ///
    /// # Errors
    /// The email cannot render; store or segment errors.
    pub fn preview_matrix(&mut self, entry: &EmailEntry, as_of: i64) -> Result<Matrix, WorkspaceError> {
        self.preview_matrix_with(entry, as_of, &crate::Cancel::new(), &|_, _| {})
    }

    /// As [`Workspace::preview_matrix`], checking `cancel` before each segment's case and
    /// reporting `progress(segments done, segments)`.
    ///
    /// # Errors
    /// As [`Workspace::preview_matrix`]; cancelled ([`tessera_store::StoreError::Cancelled`]).
    pub fn preview_matrix_with(
        &mut self,
        entry: &EmailEntry,
        as_of: i64,
        cancel: &crate::Cancel,
        progress: &dyn Fn(u64, u64),
    ) -> Result<Matrix, WorkspaceError> {
        let compiled = self.compile(entry)?;
        let segments: Vec<String> = compiled.segments_referenced().into_iter().collect();
        let mut notes = Vec::new();
        let inputs = self.matrix_cases(&compiled, as_of, &mut notes, cancel, progress)?;
        let mut cases = Vec::new();
        let mut reached = BTreeSet::new();
        for input in inputs {
            let rendered = tessera_core::render(&compiled, &input.data);
            let report = rendered.report;
            reached.extend(report.visible_blocks.iter().cloned());
            cases.push(Case {
                file: format!("{}.html", input.name),
                name: input.name,
                description: input.description,
                profile: input.profile,
                subject: rendered.subject,
                visible_blocks: report.visible_blocks,
                hidden_blocks: report.hidden_blocks,
                empty_placeholders: report
                    .fallbacks
                    .iter()
                    .filter(|f| f.used == "empty")
                    .map(|f| format!("{}: {}", f.block, f.placeholder))
                    .collect(),
                html_bytes: report.html_bytes,
                html: rendered.html,
            });
        }
        let unreached_blocks = compiled
            .block_ids()
            .into_iter()
            .filter(|b| !reached.contains(b))
            .collect();
        Ok(Matrix {
            email: entry.name.clone(),
            segments,
            cases,
            unreached_blocks,
            notes,
        })
    }
}

impl Matrix {
    /// Writes every render, `matrix.json` and `index.html` (the renders side by side) into `dir`.
    ///
    /// # Errors
    /// A file that cannot be written.
    pub fn write(&self, dir: &Path) -> Result<(), WorkspaceError> {
        std::fs::create_dir_all(dir).map_err(|source| WorkspaceError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        for case in &self.cases {
            write_atomic(&dir.join(&case.file), case.html.as_bytes())?;
        }
        let json = serde_json::to_string_pretty(self).unwrap_or_default();
        write_atomic(&dir.join("matrix.json"), json.as_bytes())?;
        write_atomic(&dir.join("index.html"), self.index_html().as_bytes())
    }

    /// The index page: a summary table and the renders side by side in sandboxed frames.
    #[must_use]
    pub fn index_html(&self) -> String {
        let esc = tessera_core::render::escape::html_escape;
        let mut h = format!(
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Coverage of {0}</title>\n<style>body{{font-family:system-ui,sans-serif;margin:1.5rem}}td,th{{padding:.3rem .6rem;text-align:left;border-bottom:1px solid #ddd;vertical-align:top}}.row{{display:flex;gap:1rem;overflow-x:auto}}.row figure{{margin:0}}iframe{{width:620px;height:900px;border:1px solid #ccc}}.warn{{color:#a40}}</style></head><body>\n<h1>Coverage of {0}</h1>\n",
            esc(&self.email)
        );
        h.push_str(&format!(
            "<p>Segments referred to: {}</p>\n",
            if self.segments.is_empty() {
                "none".to_owned()
            } else {
                esc(&self.segments.join(", "))
            }
        ));
        if !self.unreached_blocks.is_empty() {
            h.push_str(&format!(
                "<p class=\"warn\">Blocks no case reaches: {}</p>\n",
                esc(&self.unreached_blocks.join(", "))
            ));
        }
        for note in &self.notes {
            h.push_str(&format!("<p>Note: {}</p>\n", esc(note)));
        }
        h.push_str("<table><tr><th>Case</th><th>Blocks seen</th><th>Hidden</th><th>Empty placeholders</th><th>Size</th></tr>\n");
        for c in &self.cases {
            h.push_str(&format!(
                "<tr><td><a href=\"{}\">{}</a><br><small>{}</small></td><td>{}</td><td>{}</td><td class=\"warn\">{}</td><td>{:.1} KB</td></tr>\n",
                esc(&c.file),
                esc(&c.name),
                esc(&c.description),
                esc(&c.visible_blocks.join(", ")),
                esc(&c.hidden_blocks.iter().map(|b| format!("{} ({})", b.block, b.reason)).collect::<Vec<_>>().join("; ")),
                esc(&c.empty_placeholders.join("; ")),
                c.html_bytes as f64 / 1024.0
            ));
        }
        h.push_str("</table>\n<div class=\"row\">\n");
        for c in &self.cases {
            h.push_str(&format!(
                "<figure><figcaption>{}</figcaption><iframe sandbox src=\"{}\" title=\"{}\"></iframe></figure>\n",
                esc(&c.name),
                esc(&c.file),
                esc(&c.description)
            ));
        }
        h.push_str("</div></body></html>\n");
        h
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    fn demo() -> (tempfile::TempDir, Workspace, String) {
        let dir = tempfile::tempdir().expect("temp dir");
        crate::init(dir.path()).expect("init");
        let ws = Workspace::open(dir.path()).expect("open");
        // The demo's seasonal sale refers to segments.
        (dir, ws, "seasonal-sale".to_owned())
    }

    #[test]
    fn coverage_reports_progress_to_the_end() {
        let (_dir, mut ws, email) = demo();
        let seen = RefCell::new(Vec::new());
        let report = |done: u64, total: u64| seen.borrow_mut().push((done, total));
        let coverage = coverage(&mut ws, &email, 0, &crate::Cancel::new(), &report).expect("coverage");
        let seen = seen.into_inner();
        let last = *seen.last().expect("progress reported");
        assert_eq!(last.0, last.1, "{seen:?}");
        assert!(!coverage.matrix.cases.is_empty());
    }

    #[test]
    fn cancelled_coverage_stops_with_a_cancelled_error() {
        let (_dir, mut ws, email) = demo();
        let cancel = crate::Cancel::new();
        cancel.cancel();
        let e = coverage(&mut ws, &email, 0, &cancel, &|_, _| {}).expect_err("cancelled");
        assert_eq!(e.kind(), crate::ErrorKind::Cancelled, "{e}");
    }
}
