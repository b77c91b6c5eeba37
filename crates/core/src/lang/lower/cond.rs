//! Conditions: `if`/`unless` arguments and visibility rules (`show_if`, `hide_if`) become
//! [`Cond`] trees.

use handlebars::template::{Parameter, TemplateElement};
use serde_json::Value;

use super::super::ast::{CmpOp, Cond, Operand};
use super::super::error::LangError;
use super::{compile, describe, suggest, LiteralMode, Lowerer};

const CONDITIONS: &[&str] = &["eq", "ne", "gt", "gte", "lt", "lte", "and", "or", "not", "in_segment"];

/// Whether `name` is a segment name: 1 to 64 lower-case ASCII letters, digits, `-` and `_` (the
/// rule of the segment definitions, which are file names).
#[must_use]
pub fn is_segment_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// Parses a condition as written in a `show_if` rule, e.g. `in_segment "vip"` or `gt cart.total 50`.
///
/// # Errors
/// A syntax error, or a construct outside the supported language.
pub(crate) fn parse_condition(source: &str) -> Result<Cond, LangError> {
    Lowerer::new(LiteralMode::Text, None).lower_condition_source(source)
}

impl Lowerer<'_> {
    /// Parses and lowers a condition such as `and (in_segment "vip") (gt cart.total 50)`.
    ///
    /// # Errors
    /// A syntax error, or a construct outside the supported language.
    pub fn lower_condition_source(&mut self, source: &str) -> Result<Cond, LangError> {
        let trimmed = source.trim();
        if trimmed.is_empty() {
            return Err(LangError::unsupported(source, "the rule is empty"));
        }
        if trimmed.contains("}}") || trimmed.contains("{{") {
            return Err(LangError::unsupported(
                source,
                "write the rule without braces, e.g. in_segment \"vip\"",
            ));
        }
        // `in_segment "vip"` reads better than `(in_segment "vip")`; both are accepted.
        let wrapped = if trimmed.starts_with('(') || !trimmed.contains(char::is_whitespace) {
            trimmed.to_owned()
        } else {
            format!("({trimmed})")
        };
        let template = compile(&format!("{{{{#if {wrapped}}}}}{{{{/if}}}}")).map_err(|e| {
            // Point into the rule as written, not into the tag built around it.
            let leading = source.chars().count() - source.trim_start().chars().count();
            let added = "{{#if ".len() + usize::from(wrapped.len() != trimmed.len());
            match e {
                LangError::Syntax { column, .. } => LangError::Syntax {
                    line: 1,
                    column: (column + leading)
                        .saturating_sub(added)
                        .clamp(1, source.chars().count() + 1),
                    message: "this is not a valid condition (a quote or parenthesis may be missing)".to_owned(),
                },
                other => other,
            }
        })?;
        match template.elements.as_slice() {
            [TemplateElement::HelperBlock(helper)] => {
                let [param] = helper.params.as_slice() else {
                    return Err(LangError::unsupported(
                        source,
                        "a rule is one condition; combine several with and/or",
                    ));
                };
                if !helper.hash.is_empty() {
                    return Err(LangError::unsupported(source, "a rule takes no name=value options"));
                }
                Ok(self.lower_cond(param)?.simplify())
            }
            _ => Err(LangError::unsupported(source, "not a condition")),
        }
    }

    pub(super) fn lower_cond(&mut self, param: &Parameter) -> Result<Cond, LangError> {
        match param {
            Parameter::Subexpression(sub) => {
                let TemplateElement::Expression(helper) = sub.as_element() else {
                    return Err(LangError::unsupported("(...)", "unknown condition"));
                };
                let source = describe(helper, "(", ")");
                let Parameter::Name(name) = &helper.name else {
                    return Err(LangError::unsupported(
                        &source,
                        "a condition starts with eq, ne, gt, gte, lt, lte, and, or, not or in_segment",
                    ));
                };
                if !helper.hash.is_empty() {
                    return Err(LangError::unsupported(&source, "conditions take no name=value options"));
                }
                let params = &helper.params;
                if let Some(op) = CmpOp::from_name(name) {
                    let [a, b] = params.as_slice() else {
                        return Err(LangError::unsupported(
                            &source,
                            &format!("`{name}` compares two values"),
                        ));
                    };
                    return Ok(Cond::Compare(op, self.operand(a, &source)?, self.operand(b, &source)?));
                }
                match name.as_str() {
                    "and" | "or" => {
                        if params.len() < 2 {
                            return Err(LangError::unsupported(
                                &source,
                                &format!("`{name}` combines two or more conditions"),
                            ));
                        }
                        let parts = params
                            .iter()
                            .map(|p| self.lower_cond(p))
                            .collect::<Result<Vec<_>, _>>()?;
                        Ok(if name == "and" {
                            Cond::And(parts)
                        } else {
                            Cond::Or(parts)
                        })
                    }
                    "not" => {
                        let [inner] = params.as_slice() else {
                            return Err(LangError::unsupported(&source, "`not` takes one condition"));
                        };
                        Ok(Cond::Not(Box::new(self.lower_cond(inner)?)))
                    }
                    "in_segment" => match params.as_slice() {
                        [p] => match self.operand(p, &source)? {
                            Operand::Literal(Value::String(segment)) if is_segment_name(&segment) => {
                                Ok(Cond::InSegment(segment))
                            }
                            Operand::Literal(Value::String(segment)) if !segment.trim().is_empty() => {
                                Err(LangError::unsupported(
                                    &source,
                                    &format!("\"{segment}\" is not a segment name: use lower-case letters, digits, - and _ (at most 64)"),
                                ))
                            }
                            _ => Err(LangError::unsupported(
                                &source,
                                "in_segment takes a segment name in quotes: (in_segment \"vip\")",
                            )),
                        },
                        _ => Err(LangError::unsupported(&source, "in_segment takes one segment name")),
                    },
                    other => Err(LangError::unsupported(
                        &source,
                        &format!("unknown condition `{other}`{}", suggest(other, CONDITIONS)),
                    )),
                }
            }
            other => Ok(Cond::Truthy(self.operand(other, "{{#if ...}}")?)),
        }
    }
}
