//! The export use case: an email of the workspace in an ESP's template language, written to
//! `exports/<email>/<target>/` (`template.html`, `template.txt`, `manifest.json`).

use std::path::{Path, PathBuf};

use serde_json::Value;
use tessera_core::export::{export, Export, ExportInput, Target};

use crate::{write_atomic, EmailEntry, Workspace, WorkspaceError};

impl Workspace {
    /// Exports an email to `target`. `data` is the recipient the static `html` target renders for
    /// (`None`: an empty context, so every fallback shows); templating targets ignore it.
    ///
    /// # Errors
    /// The email does not compile, or the target cannot express something it uses (the error names
    /// the block and the expression).
    pub fn export(
        &mut self,
        entry: &EmailEntry,
        target: Target,
        data: Option<&Value>,
    ) -> Result<Export, WorkspaceError> {
        let compiled = self.compile(entry)?;
        let input = ExportInput {
            compiled: &compiled,
            dictionary: &self.dictionary,
            email: &entry.name,
            data,
        };
        export(&input, target).map_err(|source| WorkspaceError::Export {
            path: entry.path.clone(),
            source,
        })
    }

    /// The folder exports go to by default: `exports/` in the workspace, or in `cwd` for the demo.
    #[must_use]
    pub fn exports_dir(&self, cwd: &Path) -> PathBuf {
        self.root.as_deref().unwrap_or(cwd).join("exports")
    }
}

/// Writes an export to `<out>/<email>/<target>/`, each file atomically; returns the folder.
///
/// # Errors
/// A folder or file cannot be written.
pub fn write_export(export: &Export, out: &Path) -> Result<PathBuf, WorkspaceError> {
    let dir = out.join(&export.manifest.email).join(export.target.name());
    std::fs::create_dir_all(&dir).map_err(|source| WorkspaceError::Io {
        path: dir.clone(),
        source,
    })?;
    let files = export.files().map_err(|source| WorkspaceError::Export {
        path: dir.clone(),
        source,
    })?;
    for (name, bytes) in files {
        write_atomic(&dir.join(name), &bytes)?;
    }
    Ok(dir)
}
