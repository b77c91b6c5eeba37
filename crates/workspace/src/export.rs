//! The export use case: an email of the workspace in an ESP's template language, written to
//! `exports/<email>/<target>/` (`template.html`, `template.txt`, `manifest.json`); and an email in
//! several targets at once with each target's data contract or the refusal of what it cannot
//! express (naming the block), which `tessera export` and the Export screen both show.

use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::Value;
pub use tessera_core::export::{accepts_amp, Export, ExportError, FieldContract, Target, AMP_FILE, MANIFEST_FILE};
use tessera_core::export::{export, ExportInput};

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
        self.export_compiled(&compiled, entry, target, data)
    }

    /// Exports an email to each target from one compile (the translations share the compiled
    /// plan): one result per target, in order; a target that cannot express the email does not
    /// stop the others.
    pub fn export_each(
        &mut self,
        entry: &EmailEntry,
        targets: &[Target],
        data: Option<&Value>,
    ) -> Vec<(Target, Result<Export, WorkspaceError>)> {
        match self.compile(entry) {
            Ok(compiled) => targets
                .iter()
                .map(|&target| (target, self.export_compiled(&compiled, entry, target, data)))
                .collect(),
            // Each target reports the compile error as its own result.
            Err(_) => targets
                .iter()
                .map(|&target| (target, self.export(entry, target, data)))
                .collect(),
        }
    }

    fn export_compiled(
        &self,
        compiled: &tessera_core::Compiled,
        entry: &EmailEntry,
        target: Target,
        data: Option<&Value>,
    ) -> Result<Export, WorkspaceError> {
        // Live blocks: the AMP templates of the ESPs that accept AMP read their feed URLs from the
        // recipient's data (the `amp` target renders one recipient, its live blocks static).
        let live: Vec<tessera_core::amp::LiveBlock> = Self::live_blocks(entry)
            .into_iter()
            .map(|(id, spec)| tessera_core::amp::LiveBlock { id, spec, src: None })
            .collect();
        let input = ExportInput {
            compiled,
            dictionary: &self.dictionary,
            email: &entry.name,
            data,
            velocity_object: self.config.export.velocity_object.as_deref(),
            asset_base_url: self.config.assets.base_url.as_deref(),
            live: &live,
        };
        export(&input, target).map_err(|source| WorkspaceError::export(entry.path.clone(), source))
    }

    /// The values the ESP's AMP template reads for one recipient besides the HTML template's
    /// fields: `{"tessera_live": {"<block>": "<signed feed URL>"}}` (see
    /// [`tessera_core::export::live_field`]); empty (`{}`) when the recipient is not a stored
    /// profile or `[live] base_url` is not an `https` address, so the template shows the
    /// send-time content.
    ///
    /// # Errors
    /// The store (where the signing keys are) cannot be opened.
    pub fn live_feed_values(
        &self,
        entry: &EmailEntry,
        recipient: &crate::amp::AmpRecipient,
    ) -> Result<Value, WorkspaceError> {
        let mut values = serde_json::Map::new();
        for block in self.signed_live_blocks(entry, recipient)? {
            if let Some(src) = block.src {
                let field = tessera_core::export::live_field(&block.id);
                let name = field.rsplit('.').next().unwrap_or(&field).to_owned();
                values.insert(name, Value::String(src));
            }
        }
        let mut out = serde_json::Map::new();
        if !values.is_empty() {
            out.insert(
                tessera_core::export::amp_template::LIVE_ROOT.to_owned(),
                Value::Object(values),
            );
        }
        Ok(Value::Object(out))
    }

    /// A CSV file's bytes: for every stored profile, its email address and the signed feed URL of
    /// each live block of `entry` (columns `email`, `tessera_live.<block>`, ...), the values the
    /// ESPs' AMP templates read; an ESP imports them as the recipients' attributes. Also returns
    /// the number of profiles. `file` is the file it is meant for (named in errors).
    ///
    /// # Errors
    /// The email has no live block, `[live] base_url` is not an `https` address, or the store cannot
    /// be read.
    pub fn live_urls_csv(
        &self,
        entry: &EmailEntry,
        now: time::OffsetDateTime,
        file: &Path,
    ) -> Result<(Vec<u8>, usize), WorkspaceError> {
        let config = || self.root.as_deref().unwrap_or(Path::new(".")).join("tessera.toml");
        let blocks = Self::live_blocks(entry);
        if blocks.is_empty() {
            return Err(WorkspaceError::Config {
                path: entry.path.clone(),
                message: format!("--live-urls: the email \"{}\" has no live block", entry.name),
            });
        }
        let Some(base) = self.live_https_base() else {
            return Err(WorkspaceError::Config {
                path: config(),
                message:
                    "--live-urls: set [live] base_url to the collector's https address; feed URLs are signed under it"
                        .to_owned(),
            });
        };
        let mut store = self.open_store()?;
        let keys = tessera_store::signing::SigningKeys::load(&mut store)?;
        let profiles = store.list_profiles(None, usize::MAX)?;
        let expires = now + time::Duration::days(crate::amp::FEED_TOKEN_DAYS);
        let csv_error = |e: csv::Error| WorkspaceError::Io {
            path: file.to_path_buf(),
            source: std::io::Error::other(e.to_string()),
        };
        let mut writer = csv::Writer::from_writer(Vec::new());
        let header: Vec<String> = std::iter::once("email".to_owned())
            .chain(blocks.iter().map(|(id, _)| tessera_core::export::live_field(id)))
            .collect();
        writer.write_record(&header).map_err(csv_error)?;
        for profile in &profiles {
            let id = profile.id.to_string();
            let mut row = vec![profile.email.clone()];
            for (block, _) in &blocks {
                let token = keys
                    .sign(crate::amp::FEED_PURPOSE, &[&id, &entry.name, block], expires)
                    .map_err(|e| WorkspaceError::Config {
                        path: entry.path.clone(),
                        message: format!("block \"{block}\": a feed URL cannot be signed: {e}"),
                    })?;
                row.push(crate::amp::feed_url(base, &entry.name, block, &token));
            }
            writer.write_record(&row).map_err(csv_error)?;
        }
        let bytes = writer.into_inner().map_err(|e| csv_error(e.into_error().into()))?;
        Ok((bytes, profiles.len()))
    }

    /// The data an ESP holds for one recipient of `export`: the recipient's context with the AMP
    /// template's feed URLs added ([`Self::live_feed_values`]), shaped by
    /// [`tessera_core::export::contract::prepare_data`].
    ///
    /// # Errors
    /// The store (where the signing keys are) cannot be opened.
    pub fn prepare_esp_data(
        &self,
        entry: &EmailEntry,
        export: &Export,
        data: &Value,
        recipient: &crate::amp::AmpRecipient,
    ) -> Result<Value, WorkspaceError> {
        let mut data = data.clone();
        if !export.manifest.live_feeds.is_empty() {
            if let (Value::Object(map), Value::Object(live)) = (&mut data, self.live_feed_values(entry, recipient)?) {
                map.extend(live);
            }
        }
        Ok(tessera_core::export::contract::prepare_data(&export.manifest, &data))
    }

    /// The folder exports go to by default: `exports/` in the workspace, or in `cwd` for the demo.
    #[must_use]
    pub fn exports_dir(&self, cwd: &Path) -> PathBuf {
        self.root.as_deref().unwrap_or(cwd).join("exports")
    }

    /// Exports an email to each target and writes each export into `<out>/<email>/<target>/`:
    /// one result per target, in order (a target that cannot express the email does not stop the
    /// others).
    pub fn export_to(
        &mut self,
        entry: &EmailEntry,
        targets: &[Target],
        data: Option<&Value>,
        out: &Path,
    ) -> Vec<(Target, Result<PathBuf, WorkspaceError>)> {
        self.export_each(entry, targets, data)
            .into_iter()
            .map(|(target, export)| (target, export.and_then(|export| write_export(&export, out))))
            .collect()
    }
}

/// Writes an export to `<out>/<email>/<target>/`, each file atomically; returns the folder.
///
/// # Errors
/// A folder or file cannot be written.
pub fn write_export(export: &Export, out: &Path) -> Result<PathBuf, WorkspaceError> {
    let email = export.manifest.email.as_str();
    if !is_folder_name(email) {
        return Err(WorkspaceError::BadExportFolder(email.to_owned()));
    }
    let dir = out.join(email).join(export.target.name());
    std::fs::create_dir_all(&dir).map_err(|source| WorkspaceError::Io {
        path: dir.clone(),
        source,
    })?;
    let files = export
        .files()
        .map_err(|source| WorkspaceError::export(dir.clone(), source))?;
    for (name, bytes) in files {
        write_atomic(&dir.join(name), &bytes)?;
    }
    if export.amp.is_none() {
        // An AMP template of an earlier export no longer matches this one.
        let stale = dir.join(tessera_core::export::AMP_FILE);
        if stale.exists() {
            std::fs::remove_file(&stale).map_err(|source| WorkspaceError::Io { path: stale, source })?;
        }
    }
    Ok(dir)
}

/// Whether an email's name can be the one folder under `exports/` that holds its exports: one
/// path component that is not hidden, `.` or `..` (an email read from `some/dir/...email.json`
/// would otherwise write to `<out>/../`).
fn is_folder_name(name: &str) -> bool {
    !name.is_empty() && !name.starts_with('.') && !name.chars().any(|c| matches!(c, '/' | '\\' | ':') || c.is_control())
}

/// Why a target could not export the email.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ExportRefusal {
    /// The engine's message (target, block, expression, reason).
    pub message: String,
    /// The block at fault (`subject`, `preheader` or `layout` outside blocks), when one is.
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub block: Option<String>,
    /// The expression the target cannot express, when one is.
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expression: Option<String>,
}

/// One target's export, or why it was refused.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(optional_fields))]
pub struct TargetExport {
    /// The target.
    pub target: Target,
    /// `template.html`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub html: Option<String>,
    /// `template.txt`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// The subject line template.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// `manifest.json` as written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manifest: Option<String>,
    /// The data contract: every field the templates read and how the ESP names it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<Vec<FieldContract>>,
    /// Why the target could not export the email.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refusal: Option<ExportRefusal>,
}

/// Every export target.
#[must_use]
pub fn targets() -> Vec<Target> {
    Target::ALL.to_vec()
}

/// Exports the saved email `email` to each target; a target that cannot express something the
/// email uses comes back with its refusal, the others with their code and contract.
///
/// # Errors
/// An unknown target, an email that does not exist or does not compile.
pub fn export_email(ws: &mut Workspace, email: &str, targets: &[Target]) -> Result<Vec<TargetExport>, WorkspaceError> {
    let entry = ws.email(email)?;
    let mut out = Vec::new();
    for (target, export) in ws.export_each(&entry, targets, None) {
        let mut result = TargetExport {
            target,
            html: None,
            text: None,
            subject: None,
            manifest: None,
            fields: None,
            refusal: None,
        };
        match export {
            Ok(export) => {
                let mut manifest = serde_json::to_string_pretty(&export.manifest).unwrap_or_default();
                manifest.push('\n');
                result.subject = Some(export.manifest.subject.clone());
                result.fields = Some(export.manifest.fields.clone());
                result.manifest = Some(manifest);
                result.html = Some(export.html);
                result.text = Some(export.text);
            }
            Err(WorkspaceError::Export { source, .. }) => {
                let (block, expression) = match source.as_ref() {
                    ExportError::Unsupported { block, expression, .. } => {
                        (Some(block.clone()), Some(expression.clone()))
                    }
                    _ => (None, None),
                };
                result.refusal = Some(ExportRefusal {
                    message: source.to_string(),
                    block,
                    expression,
                });
            }
            Err(e) => return Err(e),
        }
        out.push(result);
    }
    Ok(out)
}

/// Writes the saved email's export to each target into `exports/<email>/<target>/` in the
/// workspace, as `tessera export --target` does; returns the folders written.
///
/// # Errors
/// As [`export_email`], a target that refuses the email (the others are written), a write failure.
pub fn save(ws: &mut Workspace, email: &str, targets: &[Target]) -> Result<Vec<String>, WorkspaceError> {
    let out = ws.writable_root()?.join("exports");
    let entry = ws.email(email)?;
    ws.export_to(&entry, targets, None, &out)
        .into_iter()
        .map(|(_, written)| written.map(|dir| dir.display().to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_target_exports_or_names_the_block_it_cannot_express() {
        let dir = tempfile::tempdir().expect("temp dir");
        crate::init(dir.path()).expect("init");
        let mut ws = Workspace::open(dir.path()).expect("open");
        let results = export_email(&mut ws, "welcome", &targets()).expect("export");
        assert_eq!(results.len(), Target::ALL.len());
        let liquid = &results[0];
        assert_eq!(liquid.target, Target::Liquid);
        assert!(liquid.html.as_deref().is_some_and(|h| h.contains("{{")));
        assert!(liquid.fields.as_ref().is_some_and(|f| !f.is_empty()));
        for r in &results {
            assert!(r.html.is_some() != r.refusal.is_some(), "{}", r.target);
            if let Some(refusal) = &r.refusal {
                assert!(refusal.block.is_some(), "{refusal:?}");
            }
        }
        let dirs = save(&mut ws, "welcome", &[Target::Liquid]).expect("save");
        let written = std::fs::read_to_string(std::path::Path::new(&dirs[0]).join("template.html")).expect("written");
        assert_eq!(Some(written), liquid.html.clone());
        assert!(export_email(&mut ws, "no-such-email", &[Target::Liquid]).is_err());
    }
}
