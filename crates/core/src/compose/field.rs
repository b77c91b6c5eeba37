//! Block field values: each value is checked and converted by its field type (text parsed for
//! placeholders and escaped, rich text sanitized, URLs checked, constants validated), with a
//! [`FieldError`] in a designer's words when it cannot be used.

use serde_json::Value;

use crate::lang::{self, DataPath, LangError, LiteralMode, Lowerer, Node, StaticValue};
use crate::model::{FieldSpec, FieldType};
use crate::plan::{self, PlanError};

pub(super) fn empty_value(spec: &FieldSpec) -> StaticValue {
    match spec.field_type {
        FieldType::List => StaticValue::List(Vec::new()),
        FieldType::Number => StaticValue::Literal(Value::from(0)),
        FieldType::Boolean => StaticValue::Literal(Value::Bool(false)),
        _ => StaticValue::Content {
            raw: Value::String(String::new()),
            nodes: Vec::new(),
        },
    }
}

/// Why a block field's value cannot be used; the message names the problem in a designer's words.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub(crate) enum FieldError {
    /// A required field is blank.
    #[error("this field must not be empty")]
    Empty,
    /// A text-like field holds something else (`found` describes it: `a list`, `true/false`, ...).
    #[error("expected text, found {found}")]
    NotText {
        /// What the value is.
        found: &'static str,
    },
    /// Text that does not parse as the personalization language.
    #[error(transparent)]
    Lang(#[from] LangError),
    /// Rich text whose placeholders stand where HTML cannot hold them.
    #[error(transparent)]
    RichText(#[from] PlanError),
    /// A link or image URL with an unsafe scheme.
    #[error("\"{0}\" is not a link email clients can open safely: use https://, mailto: or tel:")]
    UnsafeUrl(String),
    /// A colour field that is not a colour.
    #[error("\"{0}\" is not a colour like #1f6f50")]
    NotColour(String),
    /// A number field that is not a finite number.
    #[error("expected a number, found {found}")]
    NotNumber {
        /// What the value is.
        found: &'static str,
    },
    /// A number outside the field's `min`..`max`.
    #[error("{value} is outside {}..{}", bound(*.min), bound(*.max))]
    OutOfRange {
        /// The number.
        value: f64,
        /// The field's minimum, if any.
        min: Option<f64>,
        /// The field's maximum, if any.
        max: Option<f64>,
    },
    /// A boolean field that is not `true` or `false`.
    #[error("expected true or false, found {found}")]
    NotBoolean {
        /// What the value is.
        found: &'static str,
    },
    /// A select field whose value is not one of its options.
    #[error("\"{value}\" is not one of {}", quoted_list(.options))]
    NotAnOption {
        /// The value.
        value: String,
        /// The field's options.
        options: Vec<String>,
    },
    /// A data-path field that is not a root data path.
    #[error("\"{0}\" is not a data path like recommendations or cart.items")]
    NotDataPath(String),
    /// A list field that is not a list of items.
    #[error("expected a list of items, found {found}")]
    NotList {
        /// What the value is.
        found: &'static str,
    },
}

fn bound(b: Option<f64>) -> String {
    b.map_or(String::new(), |v| v.to_string())
}

fn quoted_list(options: &[String]) -> String {
    options
        .iter()
        .map(|o| format!("\"{o}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Converts a field value by its type: text is parsed for placeholders and escaped, rich text is
/// sanitized, URLs are checked, and constants are validated.
///
/// # Errors
/// A [`FieldError`] saying what is wrong with the value.
pub(crate) fn convert_field(spec: &FieldSpec, value: &Value) -> Result<StaticValue, FieldError> {
    let text = match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Null => Some(String::new()),
        _ => None,
    };
    let blank = text.as_deref().is_some_and(|t| t.trim().is_empty());
    if spec.required && (blank || value.is_null()) {
        return Err(FieldError::Empty);
    }
    let need_text = || text.clone().ok_or(FieldError::NotText { found: kind_of(value) });
    match spec.field_type {
        FieldType::Text => {
            let s = need_text()?;
            let nodes = lang::parse_text(&s)?;
            Ok(StaticValue::Content {
                raw: Value::String(s),
                nodes,
            })
        }
        FieldType::RichText => {
            let s = need_text()?;
            let nodes =
                Lowerer::new(LiteralMode::Markup, None).lower_source(&lang::lower::literalize_foreign_tags(&s))?;
            let nodes = sanitize_markup(nodes, crate::sanitize::Policy::RichText)?;
            Ok(StaticValue::Content {
                raw: Value::String(s),
                nodes,
            })
        }
        FieldType::Html => {
            let s = need_text()?;
            let nodes =
                Lowerer::new(LiteralMode::Markup, None).lower_source(&lang::lower::literalize_foreign_tags(&s))?;
            let nodes = sanitize_markup(nodes, crate::sanitize::Policy::EmailHtml)?;
            Ok(StaticValue::Content {
                raw: Value::String(s),
                nodes,
            })
        }
        FieldType::Url | FieldType::Image => {
            let s = need_text()?;
            let literal_prefix = s.split("{{").next().unwrap_or_default();
            if !literal_prefix.is_empty() && !crate::escape::is_safe_url(literal_prefix) {
                return Err(FieldError::UnsafeUrl(s));
            }
            let nodes = lang::parse_text(s.trim())?;
            Ok(StaticValue::Content {
                raw: Value::String(s),
                nodes,
            })
        }
        FieldType::Colour => {
            let s = need_text()?;
            if s.is_empty() || crate::model::is_colour(&s) {
                Ok(StaticValue::Literal(Value::String(s)))
            } else {
                Err(FieldError::NotColour(s))
            }
        }
        FieldType::Number => {
            let n = match value {
                Value::Number(n) => n.as_f64(),
                Value::String(s) => s.trim().parse::<f64>().ok(),
                _ => None,
            }
            .filter(|n| n.is_finite())
            .ok_or(FieldError::NotNumber { found: kind_of(value) })?;
            if spec.min.is_some_and(|min| n < min) || spec.max.is_some_and(|max| n > max) {
                return Err(FieldError::OutOfRange {
                    value: n,
                    min: spec.min,
                    max: spec.max,
                });
            }
            Ok(StaticValue::Literal(serde_json::Number::from_f64(n).map_or(
                Value::Null,
                |num| {
                    #[allow(
                        clippy::cast_possible_truncation,
                        reason = "a whole number below 1e15 is an exact i64"
                    )]
                    let whole = n as i64;
                    if n.fract() == 0.0 && n.abs() < 1e15 {
                        Value::from(whole)
                    } else {
                        Value::Number(num)
                    }
                },
            )))
        }
        FieldType::Boolean => match value {
            Value::Bool(b) => Ok(StaticValue::Literal(Value::Bool(*b))),
            Value::Null => Ok(StaticValue::Literal(Value::Bool(false))),
            other => Err(FieldError::NotBoolean { found: kind_of(other) }),
        },
        FieldType::Select => {
            let s = need_text()?;
            if spec.options.contains(&s) {
                Ok(StaticValue::Literal(Value::String(s)))
            } else {
                Err(FieldError::NotAnOption {
                    value: s,
                    options: spec.options.clone(),
                })
            }
        }
        FieldType::DataPath => {
            let s = need_text()?;
            parse_data_path(&s)
                .map(StaticValue::Path)
                .ok_or(FieldError::NotDataPath(s))
        }
        FieldType::List => match value {
            Value::Array(items) if items.iter().all(Value::is_object) => Ok(StaticValue::List(items.clone())),
            Value::Null => Ok(StaticValue::List(Vec::new())),
            other => Err(FieldError::NotList { found: kind_of(other) }),
        },
    }
}

/// Sanitizes rich-text or email-HTML nodes (see [`crate::sanitize`]): the placeholders and
/// conditions are marked so that they survive the HTML parser in place; the tags the policy allows
/// (links and images with safe URLs only) and text are kept.
fn sanitize_markup(nodes: Vec<Node>, policy: crate::sanitize::Policy) -> Result<Vec<Node>, PlanError> {
    let marked = plan::mark(nodes, true)?;
    let clean = crate::sanitize::sanitize(&marked.html, policy);
    let part = marked.split(&clean, plan::Output::Html)?;
    // The split checked every marker against the tables, so nothing can be missing here.
    plan::to_nodes(&part, &marked.tables).ok_or(PlanError::Reordered)
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "nothing",
        Value::Bool(_) => "true/false",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// A root data path such as `cart.items`: letters, digits and underscores, dot-separated.
#[must_use]
pub(crate) fn parse_data_path(s: &str) -> Option<DataPath> {
    let valid = !s.is_empty()
        && s.split('.')
            .all(|seg| !seg.is_empty() && seg.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'));
    valid.then(|| DataPath::absolute(s))
}
