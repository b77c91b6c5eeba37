//! Importing an existing email (`tessera import-email`, the app's "Import email…"): the file is
//! read, handed to `tessera-import` with the field mapping and the data dictionary, checked by
//! composing and compiling it like any email, and written atomically as
//! `emails/<name>.email.json` (an existing email is kept unless overwriting was asked for).

use std::path::{Path, PathBuf};

use serde::Serialize;
use tessera_core::model::Document;
use tessera_core::Severity;
use tessera_import::{FieldMapping, ImportInput, ImportReport};

use crate::{EmailEntry, Workspace, WorkspaceError, EMAIL_SUFFIX};

pub use tessera_import::{Destination, ElementEntry, MappingEntry, MergeTagEntry, RemovedEntry, Warning};

/// What to import and how.
#[derive(Debug, Clone, Default)]
pub struct ImportEmailOptions {
    /// The HTML or MJML file.
    pub file: PathBuf,
    /// The email's name (its file name is made from it); by default the file's stem.
    pub name: Option<String>,
    /// A field mapping file (`[fields]` of `"ESP name" = "data.path"`).
    pub map_file: Option<PathBuf>,
    /// Replace an existing email of the same name.
    pub overwrite: bool,
    /// Draw the original and the import with Chromium and give the difference
    /// ([`crate::import_visual`]); fails before anything is written when Chromium is missing.
    pub visual: bool,
}

/// An imported email: where it was written and the report.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct ImportedEmail {
    /// The email's name (`emails/<name>.email.json`).
    pub email: String,
    /// The file written (empty for a preview).
    pub path: String,
    /// The document's title.
    pub title: String,
    /// Top-level blocks made.
    pub blocks: usize,
    /// What went where.
    pub report: ImportReport,
    /// Problems composing the imported email found (empty when it renders cleanly).
    pub problems: Vec<String>,
    /// The data dictionary's paths, for the mapping shown against it.
    pub dictionary: Vec<String>,
    /// The visual difference at each width, when a comparison was asked for (empty otherwise).
    pub visual: Vec<crate::import_visual::VisualDifference>,
}

/// A name usable as an email's file name: lowercase letters, digits and dashes, from a letter.
#[must_use]
pub fn email_name_from(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let trimmed = out
        .trim_matches('-')
        .trim_start_matches(|c: char| c.is_ascii_digit() || c == '-');
    if trimmed.is_empty() {
        "imported-email".to_owned()
    } else {
        trimmed
            .chars()
            .take(60)
            .collect::<String>()
            .trim_end_matches('-')
            .to_owned()
    }
}

fn read_text(path: &Path) -> Result<(String, bool), WorkspaceError> {
    let bytes = std::fs::read(path).map_err(|source| WorkspaceError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(match String::from_utf8(bytes) {
        Ok(s) => (s, false),
        Err(e) => (String::from_utf8_lossy(e.as_bytes()).into_owned(), true),
    })
}

impl Workspace {
    /// Imports an email without writing it: the document and the report, as the app's dialog shows
    /// them before the user confirms the mapping.
    ///
    /// # Errors
    /// The file or the mapping file cannot be read, or [`tessera_import::ImportError`] (file, line,
    /// reason); with `visual`, [`WorkspaceError::NoBrowser`] without Chromium (checked first) or
    /// a failed draw.
    pub fn preview_email_import(
        &mut self,
        options: &ImportEmailOptions,
    ) -> Result<(Document, ImportedEmail), WorkspaceError> {
        if options.visual {
            crate::import_visual::chromium()?;
        }
        let (source, lossy) = read_text(&options.file)?;
        let mapping = match &options.map_file {
            Some(map) => {
                let (text, _) = read_text(map)?;
                FieldMapping::from_toml(&map.display().to_string(), &text)?
            }
            None => FieldMapping::default(),
        };
        let dictionary: Vec<String> = self.dictionary.iter().map(|f| f.path.clone()).collect();
        let file = options.file.display().to_string();
        let imported = tessera_import::import_email(&ImportInput {
            file: &file,
            source: &source,
            name: options.name.as_deref(),
            mapping: &mapping,
            dictionary: &dictionary,
        })?;
        let mut report = imported.report;
        if lossy {
            report.warnings.insert(
                0,
                tessera_import::Warning {
                    line: 0,
                    message: "the file is not UTF-8; bytes that are not were replaced".to_owned(),
                },
            );
        }
        let document = imported.document;
        let stem = options
            .file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let email = email_name_from(options.name.as_deref().unwrap_or(&stem));
        let composed = self.compose(&document);
        let problems = composed
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .map(ToString::to_string)
            .collect::<Vec<_>>();
        let visual = if options.visual && problems.is_empty() {
            self.compare_import_visually(options, &document)?
        } else {
            Vec::new()
        };
        Ok((
            document.clone(),
            ImportedEmail {
                email,
                path: String::new(),
                title: document.name.clone(),
                blocks: document.blocks.len(),
                report,
                problems,
                dictionary,
                visual,
            },
        ))
    }

    /// Imports an email and writes it atomically as `emails/<name>.email.json`.
    ///
    /// # Errors
    /// As [`Workspace::preview_email_import`]; the read-only demo; an email of that name exists
    /// (and `overwrite` is off); the imported email does not compose (nothing is written).
    pub fn import_email(&mut self, options: &ImportEmailOptions) -> Result<ImportedEmail, WorkspaceError> {
        let root = self.root.clone().ok_or(WorkspaceError::ReadOnly)?;
        let (document, mut imported) = self.preview_email_import(options)?;
        if !tessera_core::model::is_valid_id(&imported.email) {
            return Err(WorkspaceError::BadNewEmailName(imported.email));
        }
        let path = root.join("emails").join(format!("{}{EMAIL_SUFFIX}", imported.email));
        if path.exists() && !options.overwrite {
            return Err(WorkspaceError::EmailExists(imported.email));
        }
        if !imported.problems.is_empty() {
            let entry = EmailEntry {
                name: imported.email.clone(),
                path: path.clone(),
                document,
            };
            let composed = self.compose(&entry.document);
            return Err(WorkspaceError::Invalid {
                path,
                diagnostics: composed.diagnostics,
            });
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|source| WorkspaceError::Io {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        let mut text = serde_json::to_string_pretty(&document).map_err(|e| WorkspaceError::Io {
            path: path.clone(),
            source: std::io::Error::new(std::io::ErrorKind::InvalidData, e),
        })?;
        text.push('\n');
        crate::write_atomic(&path, text.as_bytes())?;
        imported.path = path.display().to_string();
        Ok(imported)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_names_are_file_safe() {
        assert_eq!(email_name_from("Spring Sale (2024).mjml"), "spring-sale-2024-mjml");
        assert_eq!(email_name_from("2024 newsletter"), "newsletter");
        assert_eq!(email_name_from("!!!"), "imported-email");
    }
}
