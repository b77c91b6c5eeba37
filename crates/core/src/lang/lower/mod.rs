//! Lowering: the `handlebars` crate parses the syntax, and this module lowers the supported subset
//! of its AST into [`Node`]s, refusing everything else with a message that names the tag.
//!
//! The same lowering serves three sources: designer-entered field text (literal text is escaped),
//! block templates (`block.hbs`, trusted markup with compose-time `block.*`/`settings.*` values) and
//! visibility rules (`show_if`, `hide_if`). Conditions are lowered in `cond`, paths and operands
//! resolved in `path`, literal text and compose-time values handled in `literal`.

mod cond;
mod literal;
mod path;

use std::collections::HashMap;

use handlebars::template::{HelperTemplate, Parameter, Template, TemplateElement};
use serde_json::Value;

use super::ast::{Cond, DataPath, Format, Node, Operand, Placeholder};
use super::error::LangError;
use crate::format::DateStyle;
pub(crate) use cond::parse_condition;
pub(crate) use literal::{literalize_foreign_tags, value_to_text};
use literal::{push_html, splice_static};
use path::Resolved;

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
    ///
    /// # Errors
    /// The block has no such slot, or a child block cannot be lowered.
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

/// Refuses text holding the private-use characters the compiler's markers are made of
/// (`crate::markers`): in designer text they would be read as markers and break the layout.
fn refuse_reserved_characters(source: &str) -> Result<(), LangError> {
    let Some(at) = source.find(|c| matches!(c, '\u{E000}'..='\u{E002}')) else {
        return Ok(());
    };
    let before = source.get(..at).unwrap_or_default();
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    let code = source.get(at..).and_then(|r| r.chars().next()).map_or(0, u32::from);
    Err(LangError::ReservedCharacter { code, line, column })
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
        refuse_reserved_characters(source)?;
        if !source.contains("{{") {
            // Most field values are plain text: no need to run the parser.
            let mut nodes = Vec::with_capacity(1);
            self.lower_element(&TemplateElement::RawString(source.to_owned()), &mut nodes)?;
            return Ok(nodes);
        }
        let template = compile(source)?;
        self.lower_template(&template)
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
        let arity = |n: usize| {
            LangError::unsupported(
                &source,
                &format!("`{name}` takes {n} argument{}", if n == 1 { "" } else { "s" }),
            )
        };
        let one = || match params.as_slice() {
            [a] => Ok(a),
            _ => Err(arity(1)),
        };
        let two = || match params.as_slice() {
            [a, b] => Ok((a, b)),
            _ => Err(arity(2)),
        };
        match name {
            "default" => {
                let (value, text) = two()?;
                let value = self.operand(value, &source)?;
                let Parameter::Literal(text) = text else {
                    return Err(LangError::unsupported(
                        &source,
                        "the fallback must be a quoted text: {{default profile.first_name \"there\"}}",
                    ));
                };
                self.emit_value(value, Format::Plain, Some(value_to_text(text)), source, out)
            }
            "upper" | "lower" | "capitalize" => {
                let value = self.operand(one()?, &source)?;
                let format = match name {
                    "upper" => Format::Upper,
                    "lower" => Format::Lower,
                    _ => Format::Capitalize,
                };
                self.emit_value(value, format, fallback, source, out)
            }
            "currency" => {
                let (value, code) = two()?;
                let value = self.operand(value, &source)?;
                let code = self.operand(code, &source)?;
                self.emit_value(value, Format::Currency { code, locale }, fallback, source, out)
            }
            "date" => {
                let (value, style) = two()?;
                let value = self.operand(value, &source)?;
                let style = match self.operand(style, &source)? {
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
                let (Some(env), Parameter::Literal(Value::String(slot))) = (self.env, one()?) else {
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
}

const HELPERS: &[&str] = &["default", "currency", "date", "upper", "lower", "capitalize"];

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
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "only a whole number in 1..=10000 is kept"
    )]
    let whole = n as usize;
    (n >= 1.0 && n.fract() == 0.0 && n <= 10_000.0).then_some(whole)
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
