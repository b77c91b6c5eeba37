//! Paths and operands: a path as written (`../x`, `@root.a.b`, `this.name`) becomes a [`DataPath`],
//! and a parameter an operand, resolved against loop scopes and compose-time values.

use handlebars::template::Parameter;
use serde_json::Value;

use super::super::ast::{DataPath, LoopVar, Operand};
use super::super::error::LangError;
use super::{Lowerer, Scope, StaticValue};

impl Lowerer<'_> {
    /// Turns a parameter into an operand, resolving compose-time values.
    pub(super) fn operand(&mut self, param: &Parameter, source: &str) -> Result<Operand, LangError> {
        Ok(match self.lookup(param, source)? {
            Resolved::Static(value) => static_operand(value),
            Resolved::Runtime(operand) => operand,
        })
    }

    pub(super) fn lookup(&mut self, param: &Parameter, source: &str) -> Result<Resolved, LangError> {
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

    pub(super) fn resolve(&mut self, path: DataPath, raw: &str, source: &str) -> Result<Resolved, LangError> {
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

    pub(super) fn scope_at(&self, up: usize) -> Option<&Scope> {
        self.scopes.len().checked_sub(up + 1).and_then(|i| self.scopes.get(i))
    }

    /// The data dictionary key of a path: `profile.first_name`, or `cart.items[].name` inside a loop.
    pub(super) fn dictionary_key(&self, path: &DataPath) -> String {
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
pub(super) enum Resolved {
    Static(StaticValue),
    Runtime(Operand),
}

pub(super) fn static_operand(value: StaticValue) -> Operand {
    match value {
        StaticValue::Literal(v) | StaticValue::Content { raw: v, .. } => Operand::Literal(v),
        StaticValue::Path(p) => Operand::Path(p),
        StaticValue::List(items) => Operand::Literal(Value::Array(items)),
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
