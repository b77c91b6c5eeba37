//! Errors in personalization templates.

/// Why a template or rule could not be parsed or is outside the supported language.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LangError {
    /// The text is not valid template syntax.
    #[error("syntax error at line {line}, column {column}: {message}")]
    Syntax {
        /// 1-based line in the text.
        line: usize,
        /// 1-based column in the text.
        column: usize,
        /// What the parser expected.
        message: String,
    },
    /// Valid syntax, but not part of the language every export target can express.
    #[error("`{tag}`: {reason}")]
    Unsupported {
        /// The tag as written.
        tag: String,
        /// Why, and what to write instead.
        reason: String,
    },
    /// The text holds a private-use character Tessera reserves for its own markers.
    #[error("the text holds the private-use character U+{code:04X} at line {line}, column {column}; Tessera reserves U+E000, U+E001 and U+E002 for its own markers, so remove it (it prints as nothing in most fonts)")]
    ReservedCharacter {
        /// The character's code point.
        code: u32,
        /// 1-based line in the text.
        line: usize,
        /// 1-based column in the text.
        column: usize,
    },
}

impl LangError {
    pub(crate) fn unsupported(tag: &str, reason: &str) -> Self {
        Self::Unsupported {
            tag: tag.to_owned(),
            reason: reason.to_owned(),
        }
    }

    pub(crate) fn from_template_error(e: &handlebars::TemplateError) -> Self {
        let message = match &e.reason() {
            handlebars::TemplateErrorReason::MismatchingClosedHelper(open, close) => {
                format!("{{{{#{open}}}}} is closed by {{{{/{close}}}}}")
            }
            handlebars::TemplateErrorReason::InvalidSyntax(_) => {
                "this is not a valid {{...}} tag (a quote or brace may be missing)".to_owned()
            }
            other => other.to_string(),
        };
        let (line, column) = e.pos().unwrap_or((1, 1));
        Self::Syntax { line, column, message }
    }
}
