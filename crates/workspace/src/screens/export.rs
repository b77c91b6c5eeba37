//! Export screen: an email in one or more targets' template languages, with each target's data
//! contract, the refusals of constructs a target cannot express (naming the block), and saving to
//! `exports/<email>/<target>/` as `tessera export` does.

use serde::Serialize;
use tessera_core::export::{ExportError, FieldContract, Target};

use super::root;
use crate::export::write_export;
use crate::{Workspace, WorkspaceError};

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
    /// The target's name (`liquid`, `braze`, ...).
    pub target: String,
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

/// The names of every export target.
#[must_use]
pub fn targets() -> Vec<String> {
    Target::ALL.iter().map(|t| t.name().to_owned()).collect()
}

fn parse_targets(names: &[String]) -> Result<Vec<Target>, WorkspaceError> {
    names
        .iter()
        .map(|n| {
            n.parse::<Target>()
                .map_err(|source| WorkspaceError::Export { path: n.into(), source })
        })
        .collect()
}

/// Exports the saved email `email` to each target; a target that cannot express something the
/// email uses comes back with its refusal, the others with their code and contract.
///
/// # Errors
/// An unknown target, an email that does not exist or does not compile.
pub fn export_email(ws: &mut Workspace, email: &str, targets: &[String]) -> Result<Vec<TargetExport>, WorkspaceError> {
    let entry = ws.email(email)?;
    let mut out = Vec::new();
    for target in parse_targets(targets)? {
        let mut result = TargetExport {
            target: target.name().to_owned(),
            html: None,
            text: None,
            subject: None,
            manifest: None,
            fields: None,
            refusal: None,
        };
        match ws.export(&entry, target, None) {
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
                let (block, expression) = match &source {
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
/// As [`export_email`], a target that refuses the email, a write failure.
pub fn save(ws: &mut Workspace, email: &str, targets: &[String]) -> Result<Vec<String>, WorkspaceError> {
    let out = root(ws)?.join("exports");
    let entry = ws.email(email)?;
    let mut written = Vec::new();
    for target in parse_targets(targets)? {
        let export = ws.export(&entry, target, None)?;
        written.push(write_export(&export, &out)?.display().to_string());
    }
    Ok(written)
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
        assert_eq!(liquid.target, "liquid");
        assert!(liquid.html.as_deref().is_some_and(|h| h.contains("{{")));
        assert!(liquid.fields.as_ref().is_some_and(|f| !f.is_empty()));
        for r in &results {
            assert!(r.html.is_some() != r.refusal.is_some(), "{}", r.target);
            if let Some(refusal) = &r.refusal {
                assert!(refusal.block.is_some(), "{refusal:?}");
            }
        }
        let dirs = save(&mut ws, "welcome", &["liquid".to_owned()]).expect("save");
        let written = std::fs::read_to_string(std::path::Path::new(&dirs[0]).join("template.html")).expect("written");
        assert_eq!(Some(written), liquid.html.clone());
        assert!(export_email(&mut ws, "welcome", &["nope".to_owned()]).is_err());
    }
}
