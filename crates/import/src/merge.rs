//! ESP merge syntax in imported text: Mailchimp merge tags (`*|FNAME|*`, `*|IF:X|*`), Liquid
//! (`{{ first_name | default: "x" }}`, `{% if %}`), Braze (`{{${first_name}}}`), `AMPscript`
//! (`%%=v(@x)=%%`, `%%[ IF ... THEN ]%%`), `${first_name}` and Handlebars (`{{first_name}}`,
//! `{{#if}}`) are recognized and converted to Tessera placeholders, fallbacks and conditions when
//! the name is mapped and the meaning is clear. Everything else stays literal text (a literal `{{`
//! escaped so it can never run) and is listed in the report. Nothing is evaluated.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use crate::mapping::{Resolver, Source};
use crate::report::{MappingEntry, MergeTagEntry};

/// How a value is printed.
#[derive(Debug, Clone, PartialEq)]
enum Case {
    AsIs,
    Upper,
    Lower,
    Capitalize,
}

/// A condition on one ESP field.
#[derive(Debug, Clone, PartialEq)]
enum Test {
    Truthy,
    Falsy,
    Compare(&'static str, Operand),
}

#[derive(Debug, Clone, PartialEq)]
enum Operand {
    Text(String),
    Number(String),
}

/// One piece of a field's text after recognition.
#[derive(Debug, Clone, PartialEq)]
enum Token {
    Literal(String),
    /// A tag kept as written (unrecognized or unmapped); escaped on output.
    Kept {
        original: String,
    },
    Value {
        original: String,
        name: String,
        case: Case,
        fallback: Option<String>,
    },
    If {
        original: String,
        name: String,
        test: Test,
    },
    ElseIf {
        original: String,
        name: String,
        test: Test,
    },
    Else {
        original: String,
    },
    EndIf {
        original: String,
    },
}

/// What was found: the syntax family and the tag.
struct Found<'s> {
    syntax: &'static str,
    original: &'s str,
    token: Option<Token>,
    note: Option<&'static str>,
}

/// Converts ESP syntax field by field and remembers what it saw for the report.
pub(crate) struct Converter<'a> {
    resolver: Resolver<'a>,
    /// `AMPscript` variables set from attributes: `@fn` → `first_name`.
    amp_vars: HashMap<String, String>,
    tags: BTreeMap<String, MergeTagEntry>,
    order: Vec<String>,
    mapping: BTreeMap<String, MappingEntry>,
    /// Tags seen by the conversion under way, while [`Converter::convert_at`] runs.
    used: Option<Vec<String>>,
}

impl<'a> Converter<'a> {
    /// A converter; `whole_source` is scanned once for `AMPscript` `SET @x = AttributeValue("y")`.
    pub(crate) fn new(resolver: Resolver<'a>, whole_source: &str) -> Self {
        Self {
            resolver,
            amp_vars: ampscript_declarations(whole_source),
            tags: BTreeMap::new(),
            order: Vec::new(),
            mapping: BTreeMap::new(),
            used: None,
        }
    }

    /// The place in the report's order a conversion made now would take (see [`Self::convert_at`]).
    pub(crate) fn mark(&self) -> usize {
        self.order.len()
    }

    /// Converts `text` as if it had been converted when `mark` was taken: the tags it uses that were
    /// first seen after the mark move to the mark, so the report keeps source order of first use
    /// for parts converted later (the MJML path's HTML blocks). Convert deferred parts last-first.
    pub(crate) fn convert_at(&mut self, mark: usize, text: &str) -> String {
        self.used = Some(Vec::new());
        let out = self.convert(text);
        let used = self.used.take().unwrap_or_default();
        let mut moved = Vec::new();
        for key in used {
            if moved.contains(&key) {
                continue;
            }
            if let Some(at) = self.order.iter().position(|k| *k == key) {
                if at >= mark {
                    self.order.remove(at);
                    moved.push(key);
                }
            }
        }
        let at = mark.min(self.order.len());
        self.order.splice(at..at, moved);
        out
    }

    /// The report's merge-tag and mapping lists.
    pub(crate) fn finish(self) -> (Vec<MergeTagEntry>, Vec<MappingEntry>) {
        let mut tags = self.tags;
        let list = self.order.iter().filter_map(|k| tags.remove(k)).collect();
        (list, self.mapping.into_values().collect())
    }

    /// Converts one field value (text or markup).
    pub(crate) fn convert(&mut self, text: &str) -> String {
        if !has_merge_syntax(text) {
            return text.to_owned();
        }
        let mut tokens = Vec::new();
        let mut literal = String::new();
        let mut rest = text;
        while !rest.is_empty() {
            let Some(found) = recognize(rest, &self.amp_vars) else {
                let mut chars = rest.chars();
                if let Some(c) = chars.next() {
                    literal.push(c);
                }
                rest = chars.as_str();
                continue;
            };
            if !literal.is_empty() {
                tokens.push(Token::Literal(std::mem::take(&mut literal)));
            }
            rest = &rest[found.original.len()..];
            let token = found.token.clone().map_or_else(
                || Token::Kept {
                    original: found.original.to_owned(),
                },
                |t| self.resolve_names(t),
            );
            self.record(&found, &token);
            if !(matches!(&token, Token::Literal(s) if s.is_empty())) {
                tokens.push(token);
            }
        }
        if !literal.is_empty() {
            tokens.push(Token::Literal(literal));
        }
        let tokens = keep_unbalanced_literal(tokens);
        for t in &tokens {
            if let Token::Kept { original } = t {
                if let Some(entry) = self.tags.get_mut(original).filter(|e| e.converted.is_some()) {
                    entry.converted = None;
                    entry.note = Some("its condition spans several blocks; kept as text".to_owned());
                }
            }
        }
        let tokens = fold_fallback_idiom(&tokens);
        render(&tokens)
    }

    /// Unmapped names turn a token back into kept text.
    fn resolve_names(&mut self, token: Token) -> Token {
        let name = match &token {
            Token::Value { name, .. } | Token::If { name, .. } | Token::ElseIf { name, .. } => name.clone(),
            _ => return token,
        };
        let resolved = self.resolver.resolve(&name);
        self.mapping.entry(name.clone()).or_insert_with(|| MappingEntry {
            esp_name: name.clone(),
            path: resolved.as_ref().map(|(p, _)| p.clone()),
            source: match resolved.as_ref().map(|(_, s)| *s) {
                Some(Source::Map) => "map",
                Some(Source::Dictionary) => "dictionary",
                None => "none",
            }
            .to_owned(),
        });
        match (resolved, token) {
            (
                Some((path, _)),
                Token::Value {
                    original,
                    case,
                    fallback,
                    ..
                },
            ) => Token::Value {
                original,
                name: path,
                case,
                fallback,
            },
            (Some((path, _)), Token::If { original, test, .. }) => Token::If {
                original,
                name: path,
                test,
            },
            (Some((path, _)), Token::ElseIf { original, test, .. }) => Token::ElseIf {
                original,
                name: path,
                test,
            },
            (None, Token::Value { original, .. } | Token::If { original, .. } | Token::ElseIf { original, .. }) => {
                Token::Kept { original }
            }
            (_, other) => other,
        }
    }

    fn record(&mut self, found: &Found<'_>, token: &Token) {
        let converted = match token {
            Token::Kept { .. } => None,
            Token::Literal(_) => Some(String::new()),
            t => Some(render(std::slice::from_ref(t))),
        };
        let note = match (token, found.note, &found.token) {
            (Token::Kept { .. }, Some(n), _) => Some(n.to_owned()),
            (Token::Kept { .. }, None, Some(_)) => Some("field not mapped".to_owned()),
            (Token::Kept { .. }, None, None) => Some("not recognized; kept as text".to_owned()),
            (Token::Literal(_), _, _) => found.note.map(str::to_owned),
            _ => None,
        };
        let esp_name = match &found.token {
            Some(Token::Value { name, .. } | Token::If { name, .. } | Token::ElseIf { name, .. }) => Some(name.clone()),
            _ => None,
        };
        let key = found.original.to_owned();
        if let Some(used) = &mut self.used {
            used.push(key.clone());
        }
        if let Some(e) = self.tags.get_mut(&key) {
            e.count += 1;
            return;
        }
        self.order.push(key.clone());
        self.tags.insert(
            key,
            MergeTagEntry {
                syntax: found.syntax.to_owned(),
                original: found.original.to_owned(),
                esp_name,
                converted,
                note,
                count: 1,
            },
        );
    }
}

fn has_merge_syntax(text: &str) -> bool {
    ["*|", "{{", "{%", "%%", "${", "$!{"].iter().any(|m| text.contains(m))
}

/// `SET @x = AttributeValue("name")` anywhere in the source.
fn ampscript_declarations(source: &str) -> HashMap<String, String> {
    let mut vars = HashMap::new();
    let mut rest = source;
    while let Some(start) = rest.find("%%[") {
        let after = &rest[start + 3..];
        let Some(end) = after.find("]%%") else { break };
        for stmt in split_statements(&after[..end]) {
            if let Some((var, attr)) = parse_set(&stmt) {
                vars.insert(var, attr);
            }
        }
        rest = &after[end..];
    }
    vars
}

fn split_statements(block: &str) -> Vec<String> {
    // Statements are separated by newlines or start with SET/IF/ELSE...; split on SET keywords too.
    let mut out = Vec::new();
    for line in block.lines() {
        let mut current = String::new();
        for word in line.split_whitespace() {
            if word.eq_ignore_ascii_case("set") && !current.trim().is_empty() {
                out.push(std::mem::take(&mut current));
            }
            current.push_str(word);
            current.push(' ');
        }
        if !current.trim().is_empty() {
            out.push(current);
        }
    }
    out
}

/// `SET @fn = AttributeValue("first_name")` → (`@fn`, `first_name`).
fn parse_set(stmt: &str) -> Option<(String, String)> {
    let s = stmt.trim();
    let rest = strip_keyword(s, "set")?;
    let (var, value) = rest.split_once('=')?;
    let var = var.trim();
    if !is_amp_var(var) {
        return None;
    }
    let value = value.trim();
    let inner = strip_call(value, "attributevalue")?;
    Some((var.to_ascii_lowercase(), unquote(inner)?))
}

fn strip_keyword<'s>(s: &'s str, keyword: &str) -> Option<&'s str> {
    let head = s.get(..keyword.len())?;
    let rest = s.get(keyword.len()..)?;
    (head.eq_ignore_ascii_case(keyword) && (rest.is_empty() || rest.starts_with(char::is_whitespace)))
        .then(|| rest.trim_start())
}

/// `Name( inner )` (case-insensitive name) → `inner`.
fn strip_call<'s>(s: &'s str, name: &str) -> Option<&'s str> {
    let s = s.trim();
    let open = s.find('(')?;
    (s[..open].trim().eq_ignore_ascii_case(name) && s.ends_with(')')).then(|| s[open + 1..s.len() - 1].trim())
}

fn is_amp_var(s: &str) -> bool {
    s.strip_prefix('@')
        .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
}

/// A quoted string without quotes inside (`"x"` or `'x'`).
fn unquote(s: &str) -> Option<String> {
    let s = s.trim();
    let q = s.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let inner = s.strip_prefix(q)?.strip_suffix(q)?;
    (!inner.contains(['"', '\''])).then(|| inner.to_owned())
}

fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
        && !s.ends_with('.')
}

/// The tag at the start of `s`, if any. Inside markup the tag's operators and quotes arrive as
/// character references (`&gt;`, `&quot;`): the tag is read decoded and reported as written.
fn recognize<'s>(s: &'s str, amp_vars: &HashMap<String, String>) -> Option<Found<'s>> {
    let found = recognize_raw(s, amp_vars)?;
    if !found.original.contains('&') {
        return Some(found);
    }
    let original = found.original;
    let decoded = decode_references(original);
    let Some(again) = recognize_raw(&decoded, amp_vars).filter(|f| f.original.len() == decoded.len()) else {
        return Some(found);
    };
    let token = again.token.map(|t| with_original(t, original));
    Some(Found {
        syntax: again.syntax,
        original,
        token,
        note: again.note,
    })
}

fn decode_references(s: &str) -> String {
    s.replace("&gt;", ">")
        .replace("&lt;", "<")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&amp;", "&")
}

fn with_original(token: Token, written: &str) -> Token {
    let o = written.to_owned();
    match token {
        Token::Literal(l) => Token::Literal(l),
        Token::Kept { .. } => Token::Kept { original: o },
        Token::Value {
            name, case, fallback, ..
        } => Token::Value {
            original: o,
            name,
            case,
            fallback,
        },
        Token::If { name, test, .. } => Token::If {
            original: o,
            name,
            test,
        },
        Token::ElseIf { name, test, .. } => Token::ElseIf {
            original: o,
            name,
            test,
        },
        Token::Else { .. } => Token::Else { original: o },
        Token::EndIf { .. } => Token::EndIf { original: o },
    }
}

fn recognize_raw<'s>(s: &'s str, amp_vars: &HashMap<String, String>) -> Option<Found<'s>> {
    if let Some(after) = s.strip_prefix("*|") {
        let end = after.find("|*")? + 4;
        let original = &s[..end];
        return Some(mailchimp(original));
    }
    if s.starts_with("{{") {
        let end = if s.starts_with("{{{") && !s.starts_with("{{${") {
            s.find("}}}")? + 3
        } else if let Some(after) = s.strip_prefix("{{${") {
            // Braze: the `${name}` closes first, then the tag.
            let name_end = after.find('}')? + 5;
            name_end + s[name_end..].find("}}")? + 2
        } else {
            s.find("}}")? + 2
        };
        return s.get(..end).map(curly);
    }
    if s.starts_with("{%") {
        if let Some(after) = strip_liquid_comment_open(s) {
            let close = after.find("endcomment")?;
            let end = s.len() - after.len() + close + after[close..].find("%}")? + 2;
            return Some(Found {
                syntax: "liquid",
                original: &s[..end],
                token: Some(Token::Literal(String::new())),
                note: Some("a Liquid comment, which prints nothing"),
            });
        }
        let end = s.find("%}")? + 2;
        return Some(liquid_tag(&s[..end]));
    }
    if s.starts_with("%%[") {
        let end = s.find("]%%")? + 3;
        return Some(ampscript_block(&s[..end], amp_vars));
    }
    if let Some(after) = s.strip_prefix("%%=") {
        let end = after.find("=%%")? + 6;
        return Some(ampscript_inline(&s[..end], amp_vars));
    }
    if let Some(after) = s.strip_prefix("%%") {
        let end = after.find("%%")?;
        let name = &after[..end];
        if is_name(name) && !name.contains('.') {
            return Some(value_found("ampscript", &s[..end + 4], name, Case::AsIs, None));
        }
        return None;
    }
    let dollar = s
        .strip_prefix("$!{")
        .map(|r| (r, 3))
        .or_else(|| s.strip_prefix("${").map(|r| (r, 2)));
    if let Some((after, skip)) = dollar {
        let end = after.find('}')?;
        let name = &after[..end];
        if is_name(name) {
            return Some(value_found("dollar", &s[..=skip + end], name, Case::AsIs, None));
        }
    }
    None
}

/// The text after `{% comment %}` (any spacing, `-` trims), if `s` starts with it.
fn strip_liquid_comment_open(s: &str) -> Option<&str> {
    let end = s.find("%}")?;
    let inner = s[2..end].trim().trim_matches('-').trim();
    (inner == "comment").then(|| &s[end + 2..])
}

fn value_found<'s>(
    syntax: &'static str,
    original: &'s str,
    name: &str,
    case: Case,
    fallback: Option<String>,
) -> Found<'s> {
    Found {
        syntax,
        original,
        token: Some(Token::Value {
            original: original.to_owned(),
            name: name.to_owned(),
            case,
            fallback,
        }),
        note: None,
    }
}

fn kept<'s>(syntax: &'static str, original: &'s str, note: &'static str) -> Found<'s> {
    Found {
        syntax,
        original,
        token: None,
        note: Some(note),
    }
}

fn block_found<'s>(syntax: &'static str, original: &'s str, token: Token) -> Found<'s> {
    Found {
        syntax,
        original,
        token: Some(token),
        note: None,
    }
}

fn mailchimp(original: &str) -> Found<'_> {
    let inner = original[2..original.len() - 2].trim();
    let o = || original.to_owned();
    if inner == "ELSE:" {
        return block_found("mailchimp", original, Token::Else { original: o() });
    }
    if inner == "END:IF" {
        return block_found("mailchimp", original, Token::EndIf { original: o() });
    }
    let cond = |rest: &str, negate: bool| -> Option<(String, Test)> {
        let (name, test) = parse_comparison(rest, &["!=", ">=", "<=", "=", ">", "<"])?;
        let test = match (negate, test) {
            (false, t) => t,
            (true, Test::Truthy) => Test::Falsy,
            (true, _) => return None,
        };
        is_name(&name).then_some((name, test))
    };
    if let Some(rest) = inner.strip_prefix("IF:") {
        return match cond(rest, false) {
            Some((name, test)) => block_found(
                "mailchimp",
                original,
                Token::If {
                    original: o(),
                    name,
                    test,
                },
            ),
            None => kept("mailchimp", original, "condition not recognized"),
        };
    }
    if let Some(rest) = inner.strip_prefix("IFNOT:") {
        return match cond(rest, true) {
            Some((name, test)) => block_found(
                "mailchimp",
                original,
                Token::If {
                    original: o(),
                    name,
                    test,
                },
            ),
            None => kept("mailchimp", original, "condition not recognized"),
        };
    }
    if let Some(rest) = inner.strip_prefix("ELSEIF:") {
        return match cond(rest, false) {
            Some((name, test)) => block_found(
                "mailchimp",
                original,
                Token::ElseIf {
                    original: o(),
                    name,
                    test,
                },
            ),
            None => kept("mailchimp", original, "condition not recognized"),
        };
    }
    let (case, name) = match inner.split_once(':') {
        Some(("UPPER", n)) => (Case::Upper, n),
        Some(("LOWER", n)) => (Case::Lower, n),
        Some(("TITLE", n)) => (Case::Capitalize, n),
        Some(("HTML", n)) => (Case::AsIs, n),
        Some(_) => {
            return kept(
                "mailchimp",
                original,
                "a Mailchimp system tag with no Tessera equivalent",
            )
        }
        None => (Case::AsIs, inner),
    };
    if is_name(name) {
        value_found("mailchimp", original, name, case, None)
    } else {
        kept("mailchimp", original, "not a merge field")
    }
}

/// `name OP value` or `name` alone; `=` and `==` both mean equality.
fn parse_comparison(s: &str, ops: &[&'static str]) -> Option<(String, Test)> {
    let s = s.trim();
    for op in ops {
        if let Some((l, r)) = s.split_once(op) {
            let name = l.trim().to_owned();
            let r = r.trim().trim_start_matches('=').trim();
            let operand = match unquote(r) {
                Some(t) => Operand::Text(t),
                None if r.parse::<f64>().is_ok() => Operand::Number(r.to_owned()),
                None if !r.is_empty() && r.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ' ') => {
                    Operand::Text(r.to_owned())
                }
                None => return None,
            };
            let helper = match *op {
                "=" | "==" => "eq",
                "!=" => "ne",
                ">" => "gt",
                "<" => "lt",
                ">=" => "gte",
                "<=" => "lte",
                _ => return None,
            };
            return Some((name, Test::Compare(helper, operand)));
        }
    }
    Some((s.to_owned(), Test::Truthy))
}

/// `{{ ... }}`: Liquid output with filters, Braze `{{${x}}}`, Handlebars values, blocks and helpers.
fn curly(original: &str) -> Found<'_> {
    let triple = original.starts_with("{{{") && !original.starts_with("{{${");
    let inner = if triple {
        &original[3..original.len() - 3]
    } else {
        &original[2..original.len() - 2]
    };
    let inner = inner.trim().trim_matches('~').trim();
    let o = || original.to_owned();
    let braze_inner;
    let (inner, braze) = match inner.strip_prefix("${").and_then(|r| r.split_once('}')) {
        Some((name, rest)) => {
            braze_inner = format!("{name}{rest}");
            (braze_inner.as_str(), true)
        }
        None => (inner, false),
    };
    if braze && !inner.contains('|') {
        return if is_name(inner) {
            value_found("braze", original, inner, Case::AsIs, None)
        } else {
            kept("braze", original, "not a field name")
        };
    }
    if let Some(block) = inner.strip_prefix('#') {
        let (helper, arg) = block.split_once(char::is_whitespace).unwrap_or((block, ""));
        let arg = arg.trim();
        let test = match helper {
            "if" => Test::Truthy,
            "unless" => Test::Falsy,
            _ => return kept("handlebars", original, "block helper with no Tessera equivalent"),
        };
        return if is_name(arg) {
            block_found(
                "handlebars",
                original,
                Token::If {
                    original: o(),
                    name: arg.to_owned(),
                    test,
                },
            )
        } else {
            kept("handlebars", original, "condition not recognized")
        };
    }
    if inner == "else" {
        return block_found("handlebars", original, Token::Else { original: o() });
    }
    if inner == "/if" || inner == "/unless" {
        return block_found("handlebars", original, Token::EndIf { original: o() });
    }
    // Liquid filters.
    if inner.contains('|') {
        let mut parts = inner.split('|').map(str::trim);
        let name = parts.next().unwrap_or_default();
        if !is_name(name) {
            return kept("liquid", original, "not a field name");
        }
        let mut case = Case::AsIs;
        let mut fallback = None;
        for filter in parts {
            let (f, arg) = filter
                .split_once(':')
                .map_or((filter, ""), |(f, a)| (f.trim(), a.trim()));
            match f {
                "default" => match unquote(arg) {
                    Some(v) => fallback = Some(v),
                    None => return kept("liquid", original, "default is not a plain quoted text"),
                },
                "upcase" => case = Case::Upper,
                "downcase" => case = Case::Lower,
                "capitalize" => case = Case::Capitalize,
                "escape" | "strip" => {}
                _ => return kept("liquid", original, "filter with no Tessera equivalent"),
            }
        }
        return value_found("liquid", original, name, case, fallback);
    }
    let words: Vec<&str> = inner.split_whitespace().collect();
    match words.as_slice() {
        [name] if is_name(name) => {
            let syntax = if original.starts_with("{{ ") {
                "liquid"
            } else {
                "handlebars"
            };
            value_found(syntax, original, name, Case::AsIs, None)
        }
        // SendGrid `{{insert name "default=Customer"}}`, Iterable `{{defaultIfEmpty name "x"}}`.
        ["insert", name, rest @ ..] if is_name(name) => {
            let joined = rest.join(" ");
            match unquote(&joined).as_deref().and_then(|d| d.strip_prefix("default=")) {
                Some(d) => value_found("handlebars", original, name, Case::AsIs, Some(d.to_owned())),
                None => kept("handlebars", original, "insert without a plain default"),
            }
        }
        ["defaultIfEmpty", name, rest @ ..] if is_name(name) => match unquote(&rest.join(" ")) {
            Some(d) => value_found("handlebars", original, name, Case::AsIs, Some(d)),
            None => kept("handlebars", original, "default is not a plain quoted text"),
        },
        _ => kept("handlebars", original, "expression with no Tessera equivalent"),
    }
}

fn liquid_tag(original: &str) -> Found<'_> {
    let trimmed = original[2..original.len() - 2].trim().trim_matches('-').trim();
    // Braze writes attributes as `${name}` in tags too.
    let unbraced = trimmed.replace("${", "").replace('}', "");
    let inner = unbraced.as_str();
    let o = || original.to_owned();
    let (keyword, rest) = inner.split_once(char::is_whitespace).unwrap_or((inner, ""));
    let cond = |rest: &str| parse_comparison(rest, &["==", "!=", ">=", "<=", ">", "<"]).filter(|(n, _)| is_name(n));
    let no_logic = !rest.contains(" and ") && !rest.contains(" or ") && !rest.contains(" contains ");
    match keyword {
        "if" | "unless" | "elsif" if no_logic => match cond(rest) {
            Some((name, test)) => {
                let test = match (keyword, test) {
                    ("unless", Test::Truthy) => Test::Falsy,
                    ("unless", _) => return kept("liquid", original, "condition not recognized"),
                    (_, t) => t,
                };
                let token = if keyword == "elsif" {
                    Token::ElseIf {
                        original: o(),
                        name,
                        test,
                    }
                } else {
                    Token::If {
                        original: o(),
                        name,
                        test,
                    }
                };
                block_found("liquid", original, token)
            }
            None => kept("liquid", original, "condition not recognized"),
        },
        "else" => block_found("liquid", original, Token::Else { original: o() }),
        "endif" | "endunless" => block_found("liquid", original, Token::EndIf { original: o() }),
        _ => kept("liquid", original, "tag with no Tessera equivalent"),
    }
}

fn amp_name(expr: &str, vars: &HashMap<String, String>) -> Option<String> {
    let e = expr.trim();
    if is_amp_var(e) {
        return vars.get(&e.to_ascii_lowercase()).cloned();
    }
    if let Some(inner) = strip_call(e, "v") {
        return amp_name(inner, vars);
    }
    strip_call(e, "attributevalue").and_then(unquote)
}

fn ampscript_inline<'s>(original: &'s str, vars: &HashMap<String, String>) -> Found<'s> {
    let expr = original[3..original.len() - 3].trim();
    if let Some(name) = amp_name(expr, vars) {
        return value_found("ampscript", original, &name, Case::AsIs, None);
    }
    for (func, case) in [
        ("uppercase", Case::Upper),
        ("lowercase", Case::Lower),
        ("propercase", Case::Capitalize),
    ] {
        if let Some(name) = strip_call(expr, func).and_then(|i| amp_name(i, vars)) {
            return value_found("ampscript", original, &name, case, None);
        }
    }
    // IIF(Empty(@x), "fallback", @x)
    if let Some(args) = strip_call(expr, "iif") {
        let parts: Vec<&str> = args.splitn(3, ',').map(str::trim).collect();
        if let [test, fallback, value] = parts.as_slice() {
            let tested = strip_call(test, "empty").and_then(|i| amp_name(i, vars));
            let shown = amp_name(value, vars);
            if let (Some(t), Some(s), Some(f)) = (tested, shown, unquote(fallback)) {
                if t == s {
                    return value_found("ampscript", original, &s, Case::AsIs, Some(f));
                }
            }
        }
    }
    kept("ampscript", original, "expression with no Tessera equivalent")
}

fn ampscript_block<'s>(original: &'s str, vars: &HashMap<String, String>) -> Found<'s> {
    let body = original[3..original.len() - 3].trim();
    let o = || original.to_owned();
    let statements = split_statements(body);
    if !statements.is_empty() && statements.iter().all(|s| parse_set(s).is_some()) {
        return Found {
            syntax: "ampscript",
            original,
            token: Some(Token::Literal(String::new())),
            note: Some("attribute declarations, read into the placeholders that use them"),
        };
    }
    let cond = |c: &str| -> Option<(String, Test)> {
        let c = c.trim().trim_start_matches('(').trim_end_matches(')').trim();
        if let Some(inner) = strip_keyword(c, "not") {
            let name = strip_call(inner, "empty").and_then(|i| amp_name(i, vars))?;
            return Some((name, Test::Truthy));
        }
        if let Some(inner) = strip_call(c, "empty") {
            return Some((amp_name(inner, vars)?, Test::Falsy));
        }
        let (lhs, test) = parse_comparison(c, &["==", "!=", ">=", "<=", ">", "<"])?;
        if matches!(test, Test::Truthy) || lhs.contains(' ') {
            return None;
        }
        Some((amp_name(&lhs, vars)?, test))
    };
    let upper = body.to_ascii_uppercase();
    if upper == "ELSE" {
        return block_found("ampscript", original, Token::Else { original: o() });
    }
    if upper == "ENDIF" {
        return block_found("ampscript", original, Token::EndIf { original: o() });
    }
    for (keyword, is_else) in [("if", false), ("elseif", true)] {
        if let Some(rest) = strip_keyword(body, keyword) {
            let Some(c) = rest
                .strip_suffix("THEN")
                .or_else(|| rest.strip_suffix("then"))
                .filter(|c| !c.to_ascii_uppercase().contains(" AND ") && !c.to_ascii_uppercase().contains(" OR "))
            else {
                return kept("ampscript", original, "condition not recognized");
            };
            return match cond(c) {
                Some((name, test)) => {
                    let token = if is_else {
                        Token::ElseIf {
                            original: o(),
                            name,
                            test,
                        }
                    } else {
                        Token::If {
                            original: o(),
                            name,
                            test,
                        }
                    };
                    // The name is already the attribute's; resolve it like any other.
                    block_found("ampscript", original, token)
                }
                None => kept("ampscript", original, "condition not recognized"),
            };
        }
    }
    kept("ampscript", original, "code block with no Tessera equivalent")
}

/// Conditions whose opening and closing tags are not both in this text (they span several blocks)
/// stay literal, so the placeholders that remain always balance.
fn keep_unbalanced_literal(tokens: Vec<Token>) -> Vec<Token> {
    let mut depth: i64 = 0;
    let mut balanced = true;
    for t in &tokens {
        match t {
            Token::If { .. } => depth += 1,
            Token::EndIf { .. } => {
                depth -= 1;
                if depth < 0 {
                    balanced = false;
                }
            }
            Token::Else { .. } | Token::ElseIf { .. } if depth == 0 => balanced = false,
            Token::Kept { original } if is_block_like(original) => balanced = false,
            _ => {}
        }
    }
    if balanced && depth == 0 {
        return tokens;
    }
    tokens
        .into_iter()
        .map(|t| match t {
            Token::If { original, .. }
            | Token::ElseIf { original, .. }
            | Token::Else { original }
            | Token::EndIf { original } => Token::Kept { original },
            other => other,
        })
        .collect()
}

/// A kept tag that opens or closes a block in its language: converting the conditions around it
/// would unbalance them.
fn is_block_like(original: &str) -> bool {
    let s = original.to_ascii_lowercase();
    s.starts_with("{{#")
        || s.starts_with("{{/")
        || s.starts_with("{{else")
        || s.starts_with("*|if")
        || s.starts_with("*|end")
        || s.starts_with("*|else")
        || (s.starts_with("{%")
            && ["if", "unless", "els", "end"]
                .iter()
                .any(|k| s[2..].trim_start().starts_with(k)))
        || (s.starts_with("%%[")
            && ["if", "else", "endif"]
                .iter()
                .any(|k| s[3..].trim_start().starts_with(k)))
}

/// `IF x` + `x` + `ELSE` + text + `END` is the ESPs' way to write a fallback:
/// it becomes `{{default x "text"}}`.
fn fold_fallback_idiom(tokens: &[Token]) -> Vec<Token> {
    let mut out: Vec<Token> = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        if let [Token::If {
            name: cond_name,
            test: Test::Truthy,
            original: o1,
        }, Token::Value {
            name,
            case: Case::AsIs,
            fallback: None,
            original: o2,
        }, Token::Else { original: o3 }, Token::Literal(text), Token::EndIf { original: o4 }, ..] =
            tokens.get(i..).unwrap_or_default()
        {
            if cond_name == name && !text.contains(['"', '<', '>', '{', '}']) {
                out.push(Token::Value {
                    original: format!("{o1}{o2}{o3}{text}{o4}"),
                    name: name.clone(),
                    case: Case::AsIs,
                    fallback: Some(text.clone()),
                });
                i += 5;
                continue;
            }
        }
        if let Some(t) = tokens.get(i) {
            out.push(t.clone());
        }
        i += 1;
    }
    out
}

fn operand_text(o: &Operand) -> String {
    match o {
        Operand::Text(t) => format!("\"{}\"", t.replace('"', "")),
        Operand::Number(n) => n.clone(),
    }
}

fn condition(name: &str, test: &Test) -> String {
    match test {
        Test::Truthy => name.to_owned(),
        Test::Falsy => format!("(not {name})"),
        Test::Compare(helper, operand) => format!("({helper} {name} {})", operand_text(operand)),
    }
}

/// Tessera's syntax for the tokens.
fn render(tokens: &[Token]) -> String {
    let mut out = String::new();
    for t in tokens {
        match t {
            Token::Literal(s) => out.push_str(s),
            Token::Kept { original } => {
                // A literal `{{` must never become one of our placeholders.
                out.push_str(&original.replace("{{", "\\{{"));
            }
            Token::Value {
                name,
                case,
                fallback,
                original,
            } => {
                // Only Mailchimp fills a missing field from the audience's default, as the data
                // dictionary's default does; every other language prints nothing.
                let dictionary_default = original.starts_with("*|");
                let fallback = match fallback {
                    None if !dictionary_default && *case == Case::AsIs => Some(String::new()),
                    f => f.clone(),
                };
                let fallback = &fallback;
                let helper = match case {
                    Case::AsIs => None,
                    Case::Upper => Some("upper"),
                    Case::Lower => Some("lower"),
                    Case::Capitalize => Some("capitalize"),
                };
                match (helper, fallback) {
                    (None, None) => {
                        let _ = write!(out, "{{{{{name}}}}}");
                    }
                    (None, Some(f)) => {
                        let _ = write!(out, "{{{{default {name} \"{f}\"}}}}");
                    }
                    (Some(h), None) if dictionary_default => {
                        let _ = write!(out, "{{{{{h} {name}}}}}");
                    }
                    (Some(h), None) => {
                        let _ = write!(out, "{{{{#if {name}}}}}{{{{{h} {name}}}}}{{{{/if}}}}");
                    }
                    (Some(h), Some(f)) => {
                        let _ = write!(out, "{{{{#if {name}}}}}{{{{{h} {name}}}}}{{{{else}}}}{f}{{{{/if}}}}");
                    }
                }
            }
            Token::If { name, test, .. } => {
                let _ = write!(out, "{{{{#if {}}}}}", condition(name, test));
            }
            Token::ElseIf { name, test, .. } => {
                let _ = write!(out, "{{{{else if {}}}}}", condition(name, test));
            }
            Token::Else { .. } => out.push_str("{{else}}"),
            Token::EndIf { .. } => out.push_str("{{/if}}"),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mapping::FieldMapping;

    fn convert(text: &str, map: &[(&str, &str)]) -> String {
        let mapping = FieldMapping {
            fields: map.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect(),
        };
        let dictionary = vec!["profile.first_name".to_owned(), "profile.tier".to_owned()];
        let mut c = Converter::new(Resolver::new(&mapping, &dictionary), text);
        c.convert(text)
    }

    #[test]
    fn a_deferred_conversion_takes_its_place_in_the_report_order() {
        let mapping = FieldMapping::default();
        let dictionary = vec!["profile.first_name".to_owned()];
        let mut c = Converter::new(Resolver::new(&mapping, &dictionary), "");
        c.convert("*|A|*");
        let mark = c.mark();
        c.convert("*|C|* then *|B|*");
        // Written between *|A|* and *|C|*, converted last: *|B|* and *|D|* move to the mark.
        assert_eq!(c.convert_at(mark, "*|B|* *|D|* *|A|*"), "*|B|* *|D|* *|A|*");
        let order: Vec<String> = c.finish().0.into_iter().map(|t| t.original).collect();
        assert_eq!(order, ["*|A|*", "*|B|*", "*|D|*", "*|C|*"]);
    }

    #[test]
    fn each_syntax_becomes_a_placeholder() {
        assert_eq!(convert("Hi *|FNAME|*!", &[]), "Hi {{profile.first_name}}!");
        assert_eq!(
            convert("Hi {{ first_name | default: \"there\" }}", &[]),
            "Hi {{default profile.first_name \"there\"}}"
        );
        assert_eq!(
            convert("%%[ SET @fn = AttributeValue(\"first_name\") ]%%Hi %%=v(@fn)=%%", &[]),
            "Hi {{default profile.first_name \"\"}}"
        );
        assert_eq!(
            convert("Hi ${first_name} {{first_name}} *|FNAME|*", &[]),
            "Hi {{default profile.first_name \"\"}} {{default profile.first_name \"\"}} {{profile.first_name}}"
        );
        assert_eq!(
            convert("Hi {{${first_name}}} {{${city}}} {{ first_name | upcase }}", &[]),
            "Hi {{default profile.first_name \"\"}} \\{{${city}}} {{#if profile.first_name}}{{upper profile.first_name}}{{/if}}"
        );
        assert_eq!(
            convert(
                "{{${first_name} | default: \"x\"}}{% if ${first_name} %}!{% endif %}",
                &[]
            ),
            "{{default profile.first_name \"x\"}}{{#if profile.first_name}}!{{/if}}"
        );
        assert_eq!(
            convert("*|IF:FNAME|**|FNAME|**|ELSE:|*friend*|END:IF|*", &[]),
            "{{default profile.first_name \"friend\"}}"
        );
        assert_eq!(
            convert("{% if tier == \"gold\" %}G{% else %}S{% endif %}", &[]),
            "{{#if (eq profile.tier \"gold\")}}G{{else}}S{{/if}}"
        );
        assert_eq!(
            convert("{{#if first_name}}x{{/if}}", &[]),
            "{{#if profile.first_name}}x{{/if}}"
        );
    }

    #[test]
    fn unmapped_and_unknown_stay_literal_and_inert() {
        assert_eq!(convert("{{nickname}} *|UNSUB|*", &[]), "\\{{nickname}} *|UNSUB|*");
        assert_eq!(
            convert("{{nickname}}", &[("nickname", "profile.first_name")]),
            "{{default profile.first_name \"\"}}"
        );
        assert_eq!(convert("{% if tier %}open", &[]), "{% if tier %}open");
        assert_eq!(convert("a{% comment %} note {% endcomment %}b", &[]), "ab");
        assert_eq!(
            convert("{% if tier &gt; 100 %}x{% endif %}", &[]),
            "{{#if (gt profile.tier 100)}}x{{/if}}"
        );
        assert_eq!(convert("{{7*7}} {{> partial}}", &[]), "\\{{7*7}} \\{{> partial}}");
    }
}
