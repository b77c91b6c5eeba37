//! Why an export failed.

/// Why an email could not be exported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ExportError {
    /// The target cannot express something the email uses.
    #[error("{target}: block \"{block}\": `{expression}` cannot be exported: {reason}")]
    Unsupported {
        /// The target's name.
        target: &'static str,
        /// The innermost block id (`layout`, `subject` or `preheader` outside blocks).
        block: String,
        /// The expression as written (or as the engine understood it).
        expression: String,
        /// Why the target cannot express it.
        reason: String,
    },
    /// No target of that name.
    #[error("unknown export target \"{0}\" (targets: {targets})", targets = super::Target::names())]
    UnknownTarget(String),
    /// The manifest could not be serialized.
    #[error("manifest: {0}")]
    Manifest(String),
}
