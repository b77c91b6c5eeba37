//! Parsing the personalization language: the `handlebars` crate parses the syntax, and this module
//! lowers the supported subset into [`Node`]s, refusing everything else with a message that names the tag.
//!
//! The same lowering serves three sources: designer-entered field text (literal text is escaped),
//! block templates (`block.hbs`, trusted markup with compose-time `block.*`/`settings.*` values) and
//! visibility rules (`show_if`, `hide_if`).

use std::collections::HashMap;

use handlebars::template::{HelperTemplate, Parameter, Template, TemplateElement};
use serde_json::Value;

use super::ast::{CmpOp, Cond, DataPath, Format, LoopVar, Node, Operand, Placeholder};
use super::error::LangError;
use crate::format::DateStyle;

/// How the literal text between tags is treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LiteralMode {
    /// Trusted markup from a block template: copied as is.
    Markup,
    /// Text a designer typed: HTML-escaped, so it always prints literally.
    Text,
    /// Text for a plain-text destination (a subject line): copied as is, never interpreted.
    Plain,
}

/// A value known when the email is composed.
#[derive(Debug, Clone, PartialEq)]
pub enum StaticValue {
    /// A constant (number, colour, choice, flag, plain string).
    Literal(Value),
    /// A field whose content is itself a template (text, rich text, URLs): `raw` for conditions,
    /// `nodes` for output.
    Content {
        /// The field value as stored, used when a condition tests the field.
        raw: Value,
        /// The lowered content to splice where the field is printed.
        nodes: Vec<Node>,
    },
    /// A `data_path` field: a path into the recipient's data.
    Path(DataPath),
    /// A `list` field: items unrolled at compose time.
    List(Vec<Value>),
}

/// What a block template can see at compose time. The composer implements it.
pub trait StaticEnv {
    /// `block.NAME` or `settings.NAME`; `None` when the name is unknown.
    fn named(&self, namespace: &str, name: &str) -> Option<Result<StaticValue, LangError>>;
    /// A field of an item of the list field `list`.
    fn item(&self, list: &str, item: &Value, name: &str) -> Option<Result<StaticValue, LangError>>;
    /// The child blocks of a slot.
    fn slot(&self, name: &str) -> Result<Vec<Node>, LangError>;
}

#[derive(Debug, Clone)]
enum Scope {
    /// A per-recipient loop; `field` is the dictionary key of the array.
    Runtime { field: Option<String> },
    /// A compose-time loop over a list field.
    Static {
        list: String,
        item: Value,
        index: usize,
        len: usize,
    },
}

/// Lowers parsed templates into nodes.
pub struct Lowerer<'a> {
    mode: LiteralMode,
    env: Option<&'a dyn StaticEnv>,
    scopes: Vec<Scope>,
}

/// Parses designer-entered text (a subject, a text field) into nodes; literal text is escaped.
///
/// # Errors
/// A syntax error, or a construct outside the supported language.
pub fn parse_text(source: &str) -> Result<Vec<Node>, LangError> {
    Lowerer::new(LiteralMode::Text, None).lower_source(&literalize_foreign_tags(source))
}

/// Designer-entered text may contain strings that look like template code of some language
/// (`{{7*7}}`, `{{{x}}}`, `{{> partial}}`). Only placeholders of our language are live; every other
/// `{{` is escaped so it prints as written.
#[must_use]
pub(crate) fn literalize_foreign_tags(source: &str) -> String {
    let mut out = String::with_capacity(source.len() + 8);
    let mut rest = source;
    while let Some(pos) = rest.find("{{") {
        // A backslash-escaped `\{{` is already literal.
        if rest[..pos].ends_with('\\') {
            out.push_str(&rest[..pos + 2]);
            rest = &rest[pos + 2..];
            continue;
        }
        out.push_str(&rest[..pos]);
        let tag_end = rest[pos..].find("}}").map(|e| pos + e + 2);
        let ours = tag_end.is_some_and(|end| is_our_tag(&rest[pos..end]));
        if !ours {
            out.push('\\');
        }
        out.push_str("{{");
        rest = &rest[pos + 2..];
    }
    out.push_str(rest);
    out
}

/// Whether a single `{{...}}` tag belongs to the personalization language.
fn is_our_tag(tag: &str) -> bool {
    let inner = tag
        .trim_start_matches("{{")
        .trim_end_matches("}}")
        .trim_start_matches('~')
        .trim_end_matches('~')
        .trim();
    if tag.starts_with("{{{") || inner.is_empty() {
        return false;
    }
    if let Some(block) = inner.strip_prefix('#') {
        return ["if", "unless", "each"].iter().any(|k| {
            block
                .strip_prefix(k)
                .is_some_and(|r| r.starts_with(char::is_whitespace))
        });
    }
    if let Some(close) = inner.strip_prefix('/') {
        return matches!(close.trim(), "if" | "unless" | "each");
    }
    if inner == "else"
        || inner
            .strip_prefix("else")
            .is_some_and(|r| r.trim_start().starts_with("if "))
    {
        return true;
    }
    let first = inner.split_whitespace().next().unwrap_or_default();
    let is_path = first
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '@' | '/' | '[' | ']' | '-'))
        && first.starts_with(|c: char| c.is_alphabetic() || c == '@' || c == '.' || c == '_');
    (HELPERS.contains(&first) || is_path) && Template::compile(tag).is_ok()
}

/// Parses a condition as written in a `show_if` rule, e.g. `in_segment "vip"` or `gt cart.total 50`.
///
/// # Errors
/// A syntax error, or a construct outside the supported language.
pub(crate) fn parse_condition(source: &str) -> Result<Cond, LangError> {
    Lowerer::new(LiteralMode::Text, None).lower_condition_source(source)
}

impl<'a> Lowerer<'a> {
    /// A lowerer for the given literal mode and compose-time environment.
    #[must_use]
    pub fn new(mode: LiteralMode, env: Option<&'a dyn StaticEnv>) -> Self {
        Self {
            mode,
            env,
            scopes: Vec::new(),
        }
    }

    /// Parses and lowers a template source.
    ///
    /// # Errors
    /// A syntax error, or a construct outside the supported language.
    pub fn lower_source(&mut self, source: &str) -> Result<Vec<Node>, LangError> {
        if !source.contains("{{") {
            // Most field values are plain text: no need to run the parser.
            let mut nodes = Vec::with_capacity(1);
            self.lower_element(&TemplateElement::RawString(source.to_owned()), &mut nodes)?;
            return Ok(nodes);
        }
        let template = compile(source)?;
        self.lower_template(&template)
    }

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

    fn lower_template(&mut self, template: &Template) -> Result<Vec<Node>, LangError> {
        let mut nodes = Vec::with_capacity(template.elements.len());
        for element in &template.elements {
            self.lower_element(element, &mut nodes)?;
        }
        Ok(nodes)
    }

    fn lower_element(&mut self, element: &TemplateElement, out: &mut Vec<Node>) -> Result<(), LangError> {
        match element {
            TemplateElement::RawString(text) => {
                let html = match self.mode {
                    LiteralMode::Markup | LiteralMode::Plain => text.clone(),
                    LiteralMode::Text => crate::escape::html_escape(text),
                };
                push_html(out, &html);
            }
            TemplateElement::Comment(_) => {}
            TemplateElement::Expression(helper) => self.lower_expression(helper, out)?,
            TemplateElement::HtmlExpression(helper) => {
                return Err(LangError::unsupported(
                    &describe(helper, "{{{", "}}}"),
                    "raw (triple-brace) output is not allowed: every value is escaped; use {{...}}",
                ));
            }
            TemplateElement::HelperBlock(helper) => self.lower_block(helper, out)?,
            TemplateElement::PartialExpression(_) | TemplateElement::PartialBlock(_) => {
                return Err(LangError::unsupported(
                    "{{> ...}}",
                    "partials are not part of the language; use blocks",
                ));
            }
            TemplateElement::DecoratorExpression(_) | TemplateElement::DecoratorBlock(_) => {
                return Err(LangError::unsupported(
                    "{{* ...}}",
                    "decorators are not part of the language",
                ));
            }
            _ => return Err(LangError::unsupported("{{...}}", "unknown construct")),
        }
        Ok(())
    }

    fn lower_expression(&mut self, helper: &HelperTemplate, out: &mut Vec<Node>) -> Result<(), LangError> {
        let source = describe(helper, "{{", "}}");
        match &helper.name {
            Parameter::Path(path) => {
                if !helper.params.is_empty() || !helper.hash.is_empty() {
                    return Err(LangError::unsupported(
                        &source,
                        "a value takes no arguments; for a fallback write {{default path \"text\"}}",
                    ));
                }
                match self.lookup(&Parameter::Path(path.clone()), &source)? {
                    Resolved::Static(value) => {
                        for node in splice_static(value, &source)? {
                            match node {
                                Node::Html(html) => push_html(out, &html),
                                other => out.push(other),
                            }
                        }
                        Ok(())
                    }
                    Resolved::Runtime(operand) => self.emit_value(operand, Format::Plain, None, source, out),
                }
            }
            Parameter::Name(name) => self.lower_helper(name, helper, source, out),
            Parameter::Literal(value) => {
                let text = value_to_text(value);
                if self.mode == LiteralMode::Plain {
                    push_html(out, &text);
                } else {
                    push_html(out, &crate::escape::html_escape(&text));
                }
                Ok(())
            }
            Parameter::Subexpression(_) => Err(LangError::unsupported(&source, "a condition cannot be printed")),
            _ => Err(LangError::unsupported(&source, "unknown construct")),
        }
    }

    fn lower_helper(
        &mut self,
        name: &str,
        helper: &HelperTemplate,
        source: String,
        out: &mut Vec<Node>,
    ) -> Result<(), LangError> {
        let params = &helper.params;
        let allowed_hash: &[&str] = match name {
            "currency" | "date" => &["default", "locale"],
            "upper" | "lower" | "capitalize" => &["default"],
            _ => &[],
        };
        if let Some(key) = helper.hash.keys().find(|k| !allowed_hash.contains(&k.as_str())) {
            return Err(LangError::unsupported(
                &source,
                &format!("`{name}` has no option `{key}`"),
            ));
        }
        let fallback = match helper.hash.get("default") {
            Some(Parameter::Literal(v)) => Some(value_to_text(v)),
            Some(_) => return Err(LangError::unsupported(&source, "default=\"...\" must be a quoted text")),
            None => None,
        };
        let locale = match helper.hash.get("locale") {
            Some(p) => Some(self.operand(p, &source)?),
            None => None,
        };
        let arity = |n: usize| -> Result<(), LangError> {
            if params.len() == n {
                Ok(())
            } else {
                Err(LangError::unsupported(
                    &source,
                    &format!("`{name}` takes {n} argument{}", if n == 1 { "" } else { "s" }),
                ))
            }
        };
        match name {
            "default" => {
                arity(2)?;
                let value = self.operand(&params[0], &source)?;
                let Parameter::Literal(text) = &params[1] else {
                    return Err(LangError::unsupported(
                        &source,
                        "the fallback must be a quoted text: {{default profile.first_name \"there\"}}",
                    ));
                };
                self.emit_value(value, Format::Plain, Some(value_to_text(text)), source, out)
            }
            "upper" | "lower" | "capitalize" => {
                arity(1)?;
                let value = self.operand(&params[0], &source)?;
                let format = match name {
                    "upper" => Format::Upper,
                    "lower" => Format::Lower,
                    _ => Format::Capitalize,
                };
                self.emit_value(value, format, fallback, source, out)
            }
            "currency" => {
                arity(2)?;
                let value = self.operand(&params[0], &source)?;
                let code = self.operand(&params[1], &source)?;
                self.emit_value(value, Format::Currency { code, locale }, fallback, source, out)
            }
            "date" => {
                arity(2)?;
                let value = self.operand(&params[0], &source)?;
                let style = match self.operand(&params[1], &source)? {
                    Operand::Literal(Value::String(style)) => style
                        .parse::<DateStyle>()
                        .map_err(|e| LangError::unsupported(&source, &e.to_string()))?,
                    _ => {
                        return Err(LangError::unsupported(
                            &source,
                            "the date style must be one of \"short\", \"medium\", \"long\", \"iso\"",
                        ))
                    }
                };
                self.emit_value(value, Format::Date { style, locale }, fallback, source, out)
            }
            "slot" => {
                arity(1)?;
                let (Some(env), Parameter::Literal(Value::String(slot))) = (self.env, &params[0]) else {
                    return Err(LangError::unsupported(
                        &source,
                        "slots exist only in block templates: {{slot \"left\"}}",
                    ));
                };
                out.extend(env.slot(slot)?);
                Ok(())
            }
            "eq" | "ne" | "gt" | "gte" | "lt" | "lte" | "and" | "or" | "not" | "in_segment" => {
                Err(LangError::unsupported(
                    &source,
                    &format!("`{name}` is a condition; use it in {{{{#if ({name} ...)}}}}"),
                ))
            }
            other => Err(LangError::unsupported(
                &source,
                &format!("unknown helper `{other}`{}", suggest(other, HELPERS)),
            )),
        }
    }

    fn emit_value(
        &mut self,
        value: Operand,
        format: Format,
        fallback: Option<String>,
        source: String,
        out: &mut Vec<Node>,
    ) -> Result<(), LangError> {
        // A value fixed at compose time prints as text now; content fields splice their own nodes.
        if let Operand::Literal(literal) = &value {
            if let (Format::Plain, Value::Array(_) | Value::Object(_)) = (&format, literal) {
                return Err(LangError::unsupported(
                    &source,
                    "a list cannot be printed; loop over it with {{#each}}",
                ));
            }
        }
        let field = match &value {
            Operand::Path(path) => Some(self.dictionary_key(path)),
            _ => None,
        };
        out.push(Node::Value(Box::new(Placeholder {
            value,
            format,
            fallback,
            dictionary_default: None,
            field,
            source,
        })));
        Ok(())
    }

    fn lower_block(&mut self, helper: &HelperTemplate, out: &mut Vec<Node>) -> Result<(), LangError> {
        let source = describe(helper, "{{#", "}}");
        let Parameter::Name(name) = &helper.name else {
            return Err(LangError::unsupported(&source, "unknown block"));
        };
        match name.as_str() {
            "if" | "unless" => {
                let [param] = helper.params.as_slice() else {
                    return Err(LangError::unsupported(
                        &source,
                        &format!("`{name}` takes one condition; combine several with (and ...) or (or ...)"),
                    ));
                };
                if !helper.hash.is_empty() {
                    return Err(LangError::unsupported(&source, &format!("`{name}` takes no options")));
                }
                let mut cond = self.lower_cond(param)?;
                if name == "unless" {
                    cond = Cond::Not(Box::new(cond));
                }
                let cond = cond.simplify();
                let then = self.lower_optional(helper.template.as_ref())?;
                let otherwise = self.lower_optional(helper.inverse.as_ref())?;
                match cond {
                    Cond::Const(true) => out.extend(then),
                    Cond::Const(false) => out.extend(otherwise),
                    cond => out.push(Node::If { cond, then, otherwise }),
                }
                Ok(())
            }
            "each" => self.lower_each(helper, &source, out),
            other => Err(LangError::unsupported(
                &source,
                &format!("unknown block `{other}`; blocks are #if, #unless and #each"),
            )),
        }
    }

    fn lower_each(&mut self, helper: &HelperTemplate, source: &str, out: &mut Vec<Node>) -> Result<(), LangError> {
        let [param] = helper.params.as_slice() else {
            return Err(LangError::unsupported(
                source,
                "`each` takes one list: {{#each recommendations limit=4}}",
            ));
        };
        if helper.block_param.is_some() {
            return Err(LangError::unsupported(
                source,
                "`as |item|` is not supported; use this.name inside the loop",
            ));
        }
        if let Some(key) = helper.hash.keys().find(|k| k.as_str() != "limit") {
            return Err(LangError::unsupported(
                source,
                &format!("`each` has no option `{key}`; it has limit=N"),
            ));
        }
        let limit = match helper.hash.get("limit") {
            None => None,
            Some(p) => match self.operand(p, source)? {
                Operand::Literal(v) => Some(
                    as_limit(&v)
                        .ok_or_else(|| LangError::unsupported(source, "limit must be a whole number of at least 1"))?,
                ),
                _ => {
                    return Err(LangError::unsupported(
                        source,
                        "limit must be a number written in the template or a number field",
                    ))
                }
            },
        };
        let list = match param {
            Parameter::Path(path) => self.operand(&Parameter::Path(path.clone()), source)?,
            _ => {
                return Err(LangError::unsupported(
                    source,
                    "`each` loops over a list such as cart.items",
                ))
            }
        };
        match list {
            Operand::Literal(Value::Array(items)) => self.unroll(param, items, limit, helper, out),
            Operand::Literal(Value::Null) => {
                out.extend(self.lower_optional(helper.inverse.as_ref())?);
                Ok(())
            }
            Operand::Path(path) => {
                let field = Some(self.dictionary_key(&path));
                self.scopes.push(Scope::Runtime { field: field.clone() });
                let body = self.lower_optional(helper.template.as_ref());
                self.scopes.pop();
                let body = body?;
                let otherwise = self.lower_optional(helper.inverse.as_ref())?;
                out.push(Node::Each {
                    path,
                    field,
                    limit,
                    body,
                    otherwise,
                });
                Ok(())
            }
            _ => Err(LangError::unsupported(source, "`each` loops over a list")),
        }
    }

    fn unroll(
        &mut self,
        param: &Parameter,
        items: Vec<Value>,
        limit: Option<usize>,
        helper: &HelperTemplate,
        out: &mut Vec<Node>,
    ) -> Result<(), LangError> {
        let list = match param {
            Parameter::Path(handlebars::Path::Relative((_, raw))) => raw.trim_start_matches("block.").to_owned(),
            _ => String::new(),
        };
        let count = limit.map_or(items.len(), |l| l.min(items.len()));
        if count == 0 {
            out.extend(self.lower_optional(helper.inverse.as_ref())?);
            return Ok(());
        }
        for (index, item) in items.into_iter().take(count).enumerate() {
            self.scopes.push(Scope::Static {
                list: list.clone(),
                item,
                index,
                len: count,
            });
            let body = self.lower_optional(helper.template.as_ref());
            self.scopes.pop();
            out.extend(body?);
        }
        Ok(())
    }

    fn lower_optional(&mut self, template: Option<&Template>) -> Result<Vec<Node>, LangError> {
        template.map_or_else(|| Ok(Vec::new()), |t| self.lower_template(t))
    }

    fn lower_cond(&mut self, param: &Parameter) -> Result<Cond, LangError> {
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
                            Operand::Literal(Value::String(segment)) if !segment.trim().is_empty() => {
                                Ok(Cond::InSegment(segment))
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

    /// Turns a parameter into an operand, resolving compose-time values.
    fn operand(&mut self, param: &Parameter, source: &str) -> Result<Operand, LangError> {
        Ok(match self.lookup(param, source)? {
            Resolved::Static(value) => static_operand(value),
            Resolved::Runtime(operand) => operand,
        })
    }

    fn lookup(&mut self, param: &Parameter, source: &str) -> Result<Resolved, LangError> {
        match param {
            Parameter::Literal(v) => Ok(Resolved::Runtime(Operand::Literal(v.clone()))),
            Parameter::Path(handlebars::Path::Local((level, name, _))) => {
                let var = match name.as_str() {
                    "index" => LoopVar::Index,
                    "first" => LoopVar::First,
                    "last" => LoopVar::Last,
                    other => {
                        return Err(LangError::unsupported(
                            source,
                            &format!("unknown loop variable `@{other}`; there are @index, @first and @last"),
                        ))
                    }
                };
                match self.scope_at(*level) {
                    Some(Scope::Static { index, len, .. }) => Ok(Resolved::Static(StaticValue::Literal(match var {
                        LoopVar::Index => Value::from(*index),
                        LoopVar::First => Value::Bool(*index == 0),
                        LoopVar::Last => Value::Bool(*index + 1 == *len),
                    }))),
                    Some(Scope::Runtime { .. }) if *level == 0 => Ok(Resolved::Runtime(Operand::Loop(var))),
                    _ => Err(LangError::unsupported(
                        source,
                        &format!("`@{name}` only exists inside {{{{#each}}}}"),
                    )),
                }
            }
            Parameter::Path(handlebars::Path::Relative((segs, raw))) => {
                let path = parse_path(raw, segs.len()).map_err(|e| LangError::unsupported(source, &e.to_string()))?;
                self.resolve(path, raw, source)
            }
            Parameter::Subexpression(_) => Err(LangError::unsupported(
                source,
                "a condition cannot be used as a value here",
            )),
            Parameter::Name(name) => Err(LangError::unsupported(source, &format!("`{name}` is not a value"))),
            _ => Err(LangError::unsupported(source, "unknown construct")),
        }
    }

    fn resolve(&mut self, path: DataPath, raw: &str, source: &str) -> Result<Resolved, LangError> {
        // block.* and settings.* are compose-time values wherever they appear.
        if let (Some(env), false, 0, [namespace, name]) = (self.env, path.root, path.up, path.segments.as_slice()) {
            if namespace == "block" || namespace == "settings" {
                return match env.named(namespace, name) {
                    Some(value) => Ok(Resolved::Static(value?)),
                    None => Err(LangError::unsupported(
                        source,
                        &format!(
                            "`{raw}` is not a {} of this block",
                            if namespace == "block" { "field" } else { "setting" }
                        ),
                    )),
                };
            }
        }
        if let (Some(env), Some(Scope::Static { list, item, .. })) = (self.env, self.scope_at(path.up as usize)) {
            if path.root {
                return Ok(Resolved::Runtime(Operand::Path(path)));
            }
            let (list, item) = (list.clone(), item.clone());
            return match path.segments.as_slice() {
                [] => Ok(Resolved::Static(StaticValue::Literal(item))),
                [name] => match env.item(&list, &item, name) {
                    Some(value) => Ok(Resolved::Static(value?)),
                    None => Err(LangError::unsupported(
                        source,
                        &format!("the items of `{list}` have no field `{name}`"),
                    )),
                },
                _ => Err(LangError::unsupported(
                    source,
                    &format!("`{raw}`: list items have flat fields"),
                )),
            };
        }
        Ok(Resolved::Runtime(Operand::Path(path)))
    }

    fn scope_at(&self, up: usize) -> Option<&Scope> {
        self.scopes.len().checked_sub(up + 1).and_then(|i| self.scopes.get(i))
    }

    /// The data dictionary key of a path: `profile.first_name`, or `cart.items[].name` inside a loop.
    fn dictionary_key(&self, path: &DataPath) -> String {
        if path.root {
            return path.dotted();
        }
        // Climb `up` scopes; static scopes are transparent for runtime data.
        let mut remaining = path.up as usize;
        let mut base = None;
        for scope in self.scopes.iter().rev() {
            if remaining == 0 {
                if let Scope::Runtime { field } = scope {
                    base = Some(field.clone().unwrap_or_else(|| "?".to_owned()));
                    break;
                }
                continue;
            }
            remaining -= 1;
        }
        match base {
            None => path.dotted(),
            Some(base) if path.segments.is_empty() => format!("{base}[]"),
            Some(base) => format!("{base}[].{}", path.segments.join(".")),
        }
    }
}

/// A parameter resolved: known at compose time, or read per recipient.
enum Resolved {
    Static(StaticValue),
    Runtime(Operand),
}

fn static_operand(value: StaticValue) -> Operand {
    match value {
        StaticValue::Literal(v) | StaticValue::Content { raw: v, .. } => Operand::Literal(v),
        StaticValue::Path(p) => Operand::Path(p),
        StaticValue::List(items) => Operand::Literal(Value::Array(items)),
    }
}

/// Compile-time splice of a static value in output position.
fn splice_static(value: StaticValue, source: &str) -> Result<Vec<Node>, LangError> {
    match value {
        StaticValue::Literal(Value::Array(_) | Value::Object(_)) | StaticValue::List(_) => Err(LangError::unsupported(
            source,
            "a list cannot be printed; loop over it with {{#each}}",
        )),
        StaticValue::Literal(v) => Ok(vec![Node::Html(crate::escape::html_escape(&value_to_text(&v)))]),
        StaticValue::Content { nodes, .. } => Ok(nodes),
        StaticValue::Path(_) => Err(LangError::unsupported(
            source,
            "a data path field cannot be printed; loop over it with {{#each}}",
        )),
    }
}

const HELPERS: &[&str] = &["default", "currency", "date", "upper", "lower", "capitalize"];
const CONDITIONS: &[&str] = &["eq", "ne", "gt", "gte", "lt", "lte", "and", "or", "not", "in_segment"];

fn suggest(word: &str, candidates: &[&str]) -> String {
    crate::suggest::closest(word, candidates.iter().copied())
        .map_or_else(String::new, |s| format!(" (did you mean `{s}`?)"))
}

fn as_limit(v: &Value) -> Option<usize> {
    let n = match v {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => s.trim().parse::<f64>().ok()?,
        _ => return None,
    };
    (n >= 1.0 && n.fract() == 0.0 && n <= 10_000.0).then_some(n as usize)
}

/// The text a JSON value prints as (Handlebars rules for scalars).
#[must_use]
pub(crate) fn value_to_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        other => other.to_string(),
    }
}

fn push_html(out: &mut Vec<Node>, html: &str) {
    if html.is_empty() {
        return;
    }
    if let Some(Node::Html(last)) = out.last_mut() {
        last.push_str(html);
    } else {
        out.push(Node::Html(html.to_owned()));
    }
}

/// Why a path as written is not a data path.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
enum PathError {
    /// More `../` than a path can count.
    #[error("too many ../")]
    TooManyUp,
    /// An empty segment (`a..b`, `a.`).
    #[error("`{0}` is not a valid path")]
    Invalid(String),
    /// Both `@root` and `../`.
    #[error("`{0}`: use either @root or ../, not both")]
    RootAndUp(String),
}

/// Parses a path as written (`../x`, `@root.a.b`, `this.name`, `a.[b c]`).
fn parse_path(raw: &str, named_hint: usize) -> Result<DataPath, PathError> {
    let mut rest = raw;
    let mut path = DataPath {
        up: 0,
        root: false,
        segments: Vec::with_capacity(named_hint),
    };
    if let Some(r) = rest.strip_prefix("@root") {
        path.root = true;
        rest = r.strip_prefix('.').or_else(|| r.strip_prefix('/')).unwrap_or(r);
    }
    loop {
        if let Some(r) = rest.strip_prefix("../") {
            path.up = path.up.checked_add(1).ok_or(PathError::TooManyUp)?;
            rest = r;
        } else if let Some(r) = rest.strip_prefix("./") {
            rest = r;
        } else {
            break;
        }
    }
    if rest == "this" {
        rest = "";
    } else if let Some(r) = rest.strip_prefix("this.").or_else(|| rest.strip_prefix("this/")) {
        rest = r;
    }
    let mut chars = rest.char_indices().peekable();
    let mut current = String::new();
    while let Some((_, c)) = chars.next() {
        match c {
            '[' => {
                for (_, c) in chars.by_ref() {
                    if c == ']' {
                        break;
                    }
                    current.push(c);
                }
            }
            '.' | '/' => path.segments.push(std::mem::take(&mut current)),
            c => current.push(c),
        }
    }
    if !current.is_empty() {
        path.segments.push(current);
    }
    if path.segments.iter().any(String::is_empty) {
        return Err(PathError::Invalid(raw.to_owned()));
    }
    if path.root && path.up > 0 {
        return Err(PathError::RootAndUp(raw.to_owned()));
    }
    Ok(path)
}

fn compile(source: &str) -> Result<Template, LangError> {
    Template::compile(source).map_err(|e| LangError::from_template_error(&e))
}

/// A readable rendering of a tag for messages, e.g. `{{currency cart.total "EUR"}}`.
fn describe(helper: &HelperTemplate, open: &str, close: &str) -> String {
    let mut s = String::from(open);
    s.push_str(&param_text(&helper.name));
    for p in &helper.params {
        s.push(' ');
        s.push_str(&param_text(p));
    }
    let mut hash: Vec<_> = helper.hash.iter().collect::<HashMap<_, _>>().into_iter().collect();
    hash.sort_by(|a, b| a.0.cmp(b.0));
    for (k, v) in hash {
        s.push(' ');
        s.push_str(k);
        s.push('=');
        s.push_str(&param_text(v));
    }
    s.push_str(close);
    s
}

fn param_text(p: &Parameter) -> String {
    match p {
        Parameter::Name(n) => n.clone(),
        Parameter::Path(handlebars::Path::Relative((_, raw)) | handlebars::Path::Local((_, _, raw))) => raw.clone(),
        Parameter::Literal(v) => v.to_string(),
        Parameter::Subexpression(sub) => match sub.as_element() {
            TemplateElement::Expression(h) => describe(h, "(", ")"),
            _ => "(...)".to_owned(),
        },
        _ => "?".to_owned(),
    }
}

impl Lowerer<'_> {
    /// Lowers a template parsed earlier (block templates are parsed once, when the library loads).
    ///
    /// # Errors
    /// A construct outside the supported language.
    pub fn lower_source_parsed(&mut self, template: &Template) -> Result<Vec<Node>, LangError> {
        self.lower_template(template)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(source: &str) -> String {
        match parse_text(source) {
            Err(e) => e.to_string(),
            Ok(nodes) => panic!("{source} should be refused, got {nodes:?}"),
        }
    }

    #[test]
    fn placeholders_become_values_with_dictionary_keys() {
        let nodes = parse_text("Hi {{default profile.first_name \"there\"}} & {{upper profile.city}}").expect("valid");
        let [Node::Html(a), Node::Value(first), Node::Html(b), Node::Value(city)] = nodes.as_slice() else {
            panic!("{nodes:?}")
        };
        assert_eq!((a.as_str(), b.as_str()), ("Hi ", " &amp; "));
        assert_eq!(first.field.as_deref(), Some("profile.first_name"));
        assert_eq!(first.fallback.as_deref(), Some("there"));
        assert_eq!(city.format, Format::Upper);
    }

    #[test]
    fn loop_paths_get_item_keys() {
        let nodes =
            parse_text("{{#each cart.items limit=2}}{{this.name}}{{@root.profile.id}}{{/each}}").expect("valid");
        let [Node::Each { field, limit, body, .. }] = nodes.as_slice() else {
            panic!("{nodes:?}")
        };
        assert_eq!((field.as_deref(), *limit), (Some("cart.items"), Some(2)));
        let keys: Vec<_> = body
            .iter()
            .filter_map(|n| if let Node::Value(p) = n { p.field.clone() } else { None })
            .collect();
        assert_eq!(keys, ["cart.items[].name", "profile.id"]);
    }

    #[test]
    fn constructs_outside_the_language_are_refused_with_a_reason() {
        assert!(refusal("{{lookup profile \"x\"}}").contains("unknown helper `lookup`"));
        assert!(refusal("{{currancy cart.total \"EUR\"}}").contains("did you mean `currency`"));
        let block_template = Lowerer::new(LiteralMode::Markup, None).lower_source("{{#with profile}}x{{/with}}");
        assert!(block_template
            .expect_err("refused")
            .to_string()
            .contains("#if, #unless and #each"));
        assert!(
            Lowerer::new(LiteralMode::Markup, None)
                .lower_source("{{{raw}}}")
                .is_err(),
            "no raw output in block templates"
        );
        assert!(refusal("{{#each items as |i|}}x{{/each}}").contains("as |item|"));
        assert!(refusal("{{#each items limit=0}}x{{/each}}").contains("limit"));
        assert!(refusal("{{date x \"weekly\"}}").contains("weekly"));
        assert!(refusal("{{#if a}}x{{/each}}").contains("syntax error"));
    }

    #[test]
    fn foreign_template_syntax_in_text_stays_literal() {
        for literal in ["{{7*7}}", "{{{x}}}", "{{> partial}}", "{{!comment}}", "{{^x}}y{{/x}}"] {
            let nodes = parse_text(literal).expect("literal text parses");
            assert!(nodes.iter().all(|n| matches!(n, Node::Html(_))), "{literal}: {nodes:?}");
        }
        assert_eq!(literalize_foreign_tags("a {{x}} {{7*7}}"), "a {{x}} \\{{7*7}}");
    }

    #[test]
    fn rules_parse_with_or_without_parentheses() {
        assert_eq!(
            parse_condition("in_segment \"vip\"").expect("valid"),
            Cond::InSegment("vip".into())
        );
        assert_eq!(
            parse_condition("(in_segment \"vip\")").expect("valid"),
            Cond::InSegment("vip".into())
        );
        assert!(matches!(
            parse_condition("cart.items").expect("valid"),
            Cond::Truthy(Operand::Path(_))
        ));
        assert!(matches!(
            parse_condition("and (gt cart.total 5) (not (in_segment \"x\"))").expect("valid"),
            Cond::And(_)
        ));
    }

    #[test]
    fn rule_syntax_errors_point_into_the_rule() {
        match parse_condition("in_segment ((") {
            Err(LangError::Syntax { line, column, message }) => {
                assert_eq!(line, 1);
                assert!(column <= "in_segment ((".len() + 1, "column {column} is past the rule");
                assert!(message.contains("condition"), "{message}");
            }
            other => panic!("{other:?}"),
        }
    }
}
