//! A Mailchimp merge-tag evaluator for the subset the `mailchimp` export writes, written from
//! Mailchimp's merge tag reference and the conditional merge tag documentation (Mailchimp and
//! Mandrill), independently of the exporter:
//! - a merge tag is `*|` ... `|*`, found left to right; text outside tags prints as written;
//! - `*|NAME|*` prints the merge field's text HTML-escaped (`&`, `<`, `>`, `"`), `*|HTML:NAME|*`
//!   prints it as is;
//! - `*|IF:NAME|*` holds when a value for NAME is provided (not empty), `*|IFNOT:NAME|*` when it
//!   is not; `*|ELSEIF:NAME|*`, `*|ELSE:|*` and `*|END:IF|*`; blocks nest; the first branch that
//!   holds prints;
//! - merge tags are upper-case letters, digits and `_`, at most 10 characters.
//!
//! Strict where Mailchimp is lenient, so that a wrong template fails the test instead of printing
//! something plausible: an unknown merge field, a tag outside the subset (comparisons, `UPPER:`,
//! groups), an unbalanced block or a non-text merge value is an error.

use serde_json::{Map, Value};

#[derive(Debug)]
enum Node {
    Text(String),
    Field { name: String, raw: bool },
    If(Vec<Branch>),
}

fn name(s: &str) -> Result<String, String> {
    let ok = !s.is_empty()
        && s.len() <= 10
        && s.starts_with(|c: char| c.is_ascii_uppercase())
        && s.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    if ok {
        Ok(s.to_owned())
    } else {
        Err(format!("not a merge tag name: {s:?}"))
    }
}

type Branch = (Option<(bool, String)>, Vec<Node>);
type Open = (Vec<Branch>, Option<(bool, String)>, Vec<Node>, bool);

/// Parses a template into nodes.
fn parse(template: &str) -> Result<Vec<Node>, String> {
    // Each open IF: its finished branches, the current branch's condition and nodes, and whether
    // ELSE was seen.
    let mut stack: Vec<Open> = Vec::new();
    let mut top: Vec<Node> = Vec::new();
    let mut rest = template;
    while !rest.is_empty() {
        let (text, tag) = match rest.find("*|") {
            Some(at) => {
                let after = &rest[at + 2..];
                let end = after
                    .find("|*")
                    .ok_or_else(|| format!("unclosed merge tag at {:?}", &rest[at..]))?;
                let tag = &after[..end];
                let text = &rest[..at];
                rest = &after[end + 2..];
                (text, Some(tag))
            }
            None => {
                let text = rest;
                rest = "";
                (text, None)
            }
        };
        if !text.is_empty() {
            match stack.last_mut() {
                Some((_, _, nodes, _)) => nodes.push(Node::Text(text.to_owned())),
                None => top.push(Node::Text(text.to_owned())),
            }
        }
        let Some(tag) = tag else { break };
        if let Some(c) = tag.strip_prefix("IF:") {
            stack.push((Vec::new(), Some((false, name(c)?)), Vec::new(), false));
        } else if let Some(c) = tag.strip_prefix("IFNOT:") {
            stack.push((Vec::new(), Some((true, name(c)?)), Vec::new(), false));
        } else if let Some(c) = tag.strip_prefix("ELSEIF:") {
            let (branches, cond, nodes, seen_else) = stack.last_mut().ok_or("ELSEIF outside IF")?;
            if *seen_else {
                return Err("ELSEIF after ELSE".to_owned());
            }
            branches.push((cond.take(), std::mem::take(nodes)));
            *cond = Some((false, name(c)?));
        } else if tag == "ELSE:" {
            let (branches, cond, nodes, seen_else) = stack.last_mut().ok_or("ELSE outside IF")?;
            if *seen_else {
                return Err("two ELSE in one IF".to_owned());
            }
            branches.push((cond.take(), std::mem::take(nodes)));
            *seen_else = true;
        } else if tag == "END:IF" {
            let (mut branches, cond, nodes, seen_else) = stack.pop().ok_or("END:IF outside IF")?;
            branches.push((if seen_else { None } else { cond }, nodes));
            let node = Node::If(branches);
            match stack.last_mut() {
                Some((_, _, nodes, _)) => nodes.push(node),
                None => top.push(node),
            }
        } else {
            let (field, raw) = match tag.strip_prefix("HTML:") {
                Some(f) => (f, true),
                None => (tag, false),
            };
            let node = Node::Field {
                name: name(field)?,
                raw,
            };
            match stack.last_mut() {
                Some((_, _, nodes, _)) => nodes.push(node),
                None => top.push(node),
            }
        }
    }
    if !stack.is_empty() {
        return Err("IF without END:IF".to_owned());
    }
    Ok(top)
}

fn field<'a>(fields: &'a Map<String, Value>, name: &str) -> Result<&'a str, String> {
    match fields.get(name) {
        Some(Value::String(s)) => Ok(s),
        Some(other) => Err(format!("merge field {name} holds {other}, not text")),
        None => Err(format!("unknown merge field {name}")),
    }
}

fn eval(nodes: &[Node], fields: &Map<String, Value>, out: &mut String) -> Result<(), String> {
    for node in nodes {
        match node {
            Node::Text(t) => out.push_str(t),
            Node::Field { name, raw: true } => out.push_str(field(fields, name)?),
            Node::Field { name, raw: false } => {
                for c in field(fields, name)?.chars() {
                    match c {
                        '&' => out.push_str("&amp;"),
                        '<' => out.push_str("&lt;"),
                        '>' => out.push_str("&gt;"),
                        '"' => out.push_str("&quot;"),
                        c => out.push(c),
                    }
                }
            }
            Node::If(branches) => {
                for (cond, body) in branches {
                    let holds = match cond {
                        None => true,
                        Some((negated, name)) => field(fields, name)?.is_empty() == *negated,
                    };
                    if holds {
                        eval(body, fields, out)?;
                        break;
                    }
                }
            }
        }
    }
    Ok(())
}

/// Renders `template` for one subscriber's merge fields (tag → text).
///
/// # Errors
/// The template is outside the subset or reads a field the subscriber does not have.
pub fn render(template: &str, fields: &Value) -> Result<String, String> {
    let fields = fields.as_object().ok_or("merge fields must be an object")?;
    let nodes = parse(template)?;
    let mut out = String::new();
    eval(&nodes, fields, &mut out)?;
    Ok(out)
}

#[test]
fn the_evaluator_follows_the_documented_semantics() {
    let fields = serde_json::json!({"FNAME": "<Ada & \"B\">", "EMPTY": "", "ONE": "1"});
    let r = |t: &str| render(t, &fields);
    assert_eq!(r("Hi *|FNAME|*").unwrap(), "Hi &lt;Ada &amp; &quot;B&quot;&gt;");
    assert_eq!(r("*|HTML:FNAME|*").unwrap(), "<Ada & \"B\">");
    assert_eq!(r("*|IF:EMPTY|*a*|ELSEIF:ONE|*b*|ELSE:|*c*|END:IF|*").unwrap(), "b");
    assert_eq!(r("*|IFNOT:EMPTY|*x*|END:IF|*").unwrap(), "x");
    assert_eq!(r("*|IF:ONE|**|IF:EMPTY|*a*|ELSE:|*b*|END:IF|**|END:IF|*").unwrap(), "b");
    assert!(r("*|IF:ONE|*x").is_err());
    assert!(r("*|NOPE|*").is_err());
    assert!(r("*|IF:ONE=1|*x*|END:IF|*").is_err());
    assert!(r("*|UPPER:FNAME|*").is_err());
}
