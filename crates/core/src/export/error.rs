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
    /// Two fields the template reads would have the same name in the ESP (e.g. Mailchimp's
    /// upper-case merge tags of at most 10 characters).
    #[error("{target}: fields \"{first}\" and \"{second}\" would both be read as {name}; rename one of them")]
    NameCollision {
        /// The target's name.
        target: &'static str,
        /// One field's path.
        first: String,
        /// The other field's path.
        second: String,
        /// The name both map to.
        name: String,
    },
    /// No target of that name.
    #[error("unknown export target \"{0}\" (targets: {targets})", targets = super::Target::names())]
    UnknownTarget(String),
    /// The manifest could not be serialized.
    #[error("manifest: {0}")]
    Manifest(String),
}
