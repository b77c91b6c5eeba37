//! An AMPscript evaluator for the subset the `ampscript` export writes, written from Salesforce's
//! AMPscript guide (developer.salesforce.com), independently of the exporter:
//! - outside delimiters text prints as written; `%%[ ... ]%%` holds statements, `%%= expr =%%`
//!   prints one expression; `IF`/`FOR` may span several blocks with content between them;
//! - statements: `SET @v = expr`, `IF cond THEN ... [ELSEIF cond THEN ...] [ELSE ...] ENDIF`,
//!   `FOR @i = a TO b DO ... NEXT [@i]` (counts up; no iteration when `a > b`); keywords are
//!   case-insensitive;
//! - expressions: string literals in `"` or `'` (a quote doubled inside), whole numbers, `@vars`,
//!   function calls, `==`, `!=`, `>`, `>=`, `<`, `<=`, `AND`, `OR`, `NOT`, parentheses;
//!   (null, which `AttributeValue` returns for a missing attribute, never arises: a missing
//!   attribute is an error here);
//! - functions: `AttributeValue(name)` (the subscriber attribute's text), `Empty(v)` (true for
//!   null and the empty string), `IIF(cond, a, b)`, `Replace(s, find, with)` (every occurrence),
//!   `Concat(a, b, ...)`, `v(x)`, `BuildRowsetFromJSON(json, "$.name[*]", 1)` (the array `name` of
//!   the JSON object as rows; with `1` an empty rowset when the JSON or path does not match),
//!   `RowCount(rs)`, `Row(rs, n)` (1-based), `Field(row, name)`;
//! - AMPscript does not HTML-escape output.
//!
//! Strict where Marketing Cloud is lenient, so that a wrong template fails the test: an unknown
//! function or a wrong number of arguments, an unbalanced block, a `%%` that opens no block
//! (personalization strings are outside the subset), reading a variable never set, an attribute
//! the subscriber lacks, a missing row or field, comparing other than numbers (or text for `==`,
//! `!=`), a condition that is not true/false, or printing something other than text or a number.

use std::collections::HashMap;
use std::rc::Rc;

use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Var(String),
    Word(String),
    Str(String),
    Num(i64),
    Sym(&'static str),
    /// Text between blocks.
    Text(String),
    /// Starts an inline output `%%=`; its expression follows, then `OutEnd`.
    Out,
    OutEnd,
}

fn lex_code(code: &str, toks: &mut Vec<Tok>) -> Result<(), String> {
    let chars: Vec<char> = code.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '"' || c == '\'' {
            let mut s = String::new();
            i += 1;
            loop {
                match chars.get(i) {
                    None => return Err("unterminated string".to_owned()),
                    Some(&q) if q == c && chars.get(i + 1) == Some(&c) => {
                        s.push(c);
                        i += 2;
                    }
                    Some(&q) if q == c => {
                        i += 1;
                        break;
                    }
                    Some(&o) => {
                        s.push(o);
                        i += 1;
                    }
                }
            }
            toks.push(Tok::Str(s));
        } else if c == '@' || c.is_ascii_alphabetic() || c == '_' {
            let start = i;
            i += 1;
            while chars.get(i).is_some_and(|c| c.is_ascii_alphanumeric() || *c == '_') {
                i += 1;
            }
            let w: String = chars[start..i].iter().collect();
            toks.push(if let Some(v) = w.strip_prefix('@') {
                if v.is_empty() {
                    return Err("@ without a name".to_owned());
                }
                Tok::Var(v.to_ascii_lowercase())
            } else {
                Tok::Word(w.to_ascii_lowercase())
            });
        } else if c.is_ascii_digit() {
            let start = i;
            while chars.get(i).is_some_and(char::is_ascii_digit) {
                i += 1;
            }
            let n: String = chars[start..i].iter().collect();
            toks.push(Tok::Num(n.parse().map_err(|_| "number too large")?));
        } else {
            let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
            let sym = match two.as_str() {
                "==" => Some("=="),
                "!=" => Some("!="),
                ">=" => Some(">="),
                "<=" => Some("<="),
                _ => None,
            };
            if let Some(s) = sym {
                toks.push(Tok::Sym(s));
                i += 2;
                continue;
            }
            let one = match c {
                '(' => "(",
                ')' => ")",
                ',' => ",",
                '=' => "=",
                '>' => ">",
                '<' => "<",
                _ => return Err(format!("unexpected character {c:?} in AMPscript")),
            };
            toks.push(Tok::Sym(one));
            i += 1;
        }
    }
    Ok(())
}

fn lex(template: &str) -> Result<Vec<Tok>, String> {
    let mut toks = Vec::new();
    let mut rest = template;
    while !rest.is_empty() {
        let Some(at) = rest.find("%%") else {
            toks.push(Tok::Text(rest.to_owned()));
            break;
        };
        if at > 0 {
            toks.push(Tok::Text(rest[..at].to_owned()));
        }
        let after = &rest[at + 2..];
        if let Some(code) = after.strip_prefix('[') {
            let end = code.find("]%%").ok_or("%%[ without ]%%")?;
            lex_code(&code[..end], &mut toks)?;
            rest = &code[end + 3..];
        } else if let Some(code) = after.strip_prefix('=') {
            let end = code.find("=%%").ok_or("%%= without =%%")?;
            toks.push(Tok::Out);
            lex_code(&code[..end], &mut toks)?;
            toks.push(Tok::OutEnd);
            rest = &code[end + 3..];
        } else {
            return Err(format!(
                "%% that opens no block (outside the subset) at {:?}",
                &rest[at..(at + 20).min(rest.len())]
            ));
        }
    }
    Ok(toks)
}

#[derive(Debug, Clone)]
enum Expr {
    Str(String),
    Num(i64),
    Var(String),
    Call(String, Vec<Expr>),
    Cmp(&'static str, Box<Expr>, Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
}

#[derive(Debug)]
enum Stmt {
    Text(String),
    Out(Expr),
    Set(String, Expr),
    If(Vec<(Expr, Vec<Stmt>)>, Vec<Stmt>),
    For(String, Expr, Expr, Vec<Stmt>),
}

/// Known functions and their arities (minimum, maximum).
const FUNCTIONS: [(&str, usize, usize); 10] = [
    ("attributevalue", 1, 1),
    ("empty", 1, 1),
    ("iif", 3, 3),
    ("replace", 3, 3),
    ("concat", 2, 64),
    ("v", 1, 1),
    ("buildrowsetfromjson", 3, 3),
    ("rowcount", 1, 1),
    ("row", 2, 2),
    ("field", 2, 2),
];

struct Parser {
    toks: Vec<Tok>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.at)
    }
    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.at).cloned();
        self.at += 1;
        t
    }
    fn word(&self, w: &str) -> bool {
        matches!(self.peek(), Some(Tok::Word(x)) if x == w)
    }
    fn expect(&mut self, t: &Tok) -> Result<(), String> {
        match self.next() {
            Some(ref got) if got == t => Ok(()),
            got => Err(format!("expected {t:?}, got {got:?}")),
        }
    }

    /// Statements until one of `stops` (a keyword) or the end.
    fn stmts(&mut self, stops: &[&str]) -> Result<Vec<Stmt>, String> {
        let mut out = Vec::new();
        loop {
            match self.peek() {
                None => return Ok(out),
                Some(Tok::Word(w)) if stops.contains(&w.as_str()) => return Ok(out),
                _ => out.push(self.stmt()?),
            }
        }
    }

    fn stmt(&mut self) -> Result<Stmt, String> {
        match self.next() {
            Some(Tok::Text(t)) => Ok(Stmt::Text(t)),
            Some(Tok::Out) => {
                let e = self.expr()?;
                self.expect(&Tok::OutEnd)?;
                Ok(Stmt::Out(e))
            }
            Some(Tok::Word(w)) if w == "set" => {
                let Some(Tok::Var(v)) = self.next() else {
                    return Err("SET without a variable".to_owned());
                };
                self.expect(&Tok::Sym("="))?;
                Ok(Stmt::Set(v, self.expr()?))
            }
            Some(Tok::Word(w)) if w == "if" => {
                let mut branches = Vec::new();
                let mut otherwise = Vec::new();
                let mut cond = self.expr()?;
                loop {
                    self.expect(&Tok::Word("then".to_owned()))?;
                    let body = self.stmts(&["elseif", "else", "endif"])?;
                    branches.push((cond, body));
                    match self.next() {
                        Some(Tok::Word(w)) if w == "elseif" => cond = self.expr()?,
                        Some(Tok::Word(w)) if w == "else" => {
                            otherwise = self.stmts(&["endif"])?;
                            self.expect(&Tok::Word("endif".to_owned()))?;
                            break;
                        }
                        Some(Tok::Word(w)) if w == "endif" => break,
                        other => return Err(format!("IF without ENDIF ({other:?})")),
                    }
                }
                Ok(Stmt::If(branches, otherwise))
            }
            Some(Tok::Word(w)) if w == "for" => {
                let Some(Tok::Var(v)) = self.next() else {
                    return Err("FOR without a variable".to_owned());
                };
                self.expect(&Tok::Sym("="))?;
                let from = self.expr()?;
                self.expect(&Tok::Word("to".to_owned()))?;
                let to = self.expr()?;
                self.expect(&Tok::Word("do".to_owned()))?;
                let body = self.stmts(&["next"])?;
                self.expect(&Tok::Word("next".to_owned()))?;
                if let Some(Tok::Var(n)) = self.peek() {
                    if *n != v {
                        return Err(format!("NEXT @{n} closes FOR @{v}"));
                    }
                    self.at += 1;
                }
                Ok(Stmt::For(v, from, to, body))
            }
            other => Err(format!("not a statement: {other:?}")),
        }
    }

    fn expr(&mut self) -> Result<Expr, String> {
        let mut left = self.and()?;
        while self.word("or") {
            self.at += 1;
            left = Expr::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }
    fn and(&mut self) -> Result<Expr, String> {
        let mut left = self.not()?;
        while self.word("and") {
            self.at += 1;
            left = Expr::And(Box::new(left), Box::new(self.not()?));
        }
        Ok(left)
    }
    fn not(&mut self) -> Result<Expr, String> {
        if self.word("not") {
            self.at += 1;
            return Ok(Expr::Not(Box::new(self.not()?)));
        }
        let left = self.primary()?;
        if let Some(Tok::Sym(s @ ("==" | "!=" | ">" | ">=" | "<" | "<="))) = self.peek() {
            let s = *s;
            self.at += 1;
            let right = self.primary()?;
            return Ok(Expr::Cmp(s, Box::new(left), Box::new(right)));
        }
        Ok(left)
    }
    fn primary(&mut self) -> Result<Expr, String> {
        match self.next() {
            Some(Tok::Str(s)) => Ok(Expr::Str(s)),
            Some(Tok::Num(n)) => Ok(Expr::Num(n)),
            Some(Tok::Var(v)) => Ok(Expr::Var(v)),
            Some(Tok::Sym("(")) => {
                let e = self.expr()?;
                self.expect(&Tok::Sym(")"))?;
                Ok(e)
            }
            Some(Tok::Word(f)) => {
                let (_, min, max) = FUNCTIONS
                    .iter()
                    .find(|(n, _, _)| *n == f)
                    .ok_or_else(|| format!("unknown function {f}"))?;
                self.expect(&Tok::Sym("("))?;
                let mut args = Vec::new();
                if self.peek() != Some(&Tok::Sym(")")) {
                    loop {
                        args.push(self.expr()?);
                        if self.peek() == Some(&Tok::Sym(",")) {
                            self.at += 1;
                        } else {
                            break;
                        }
                    }
                }
                self.expect(&Tok::Sym(")"))?;
                if args.len() < *min || args.len() > *max {
                    return Err(format!("{f} takes {min}..{max} arguments, got {}", args.len()));
                }
                Ok(Expr::Call(f, args))
            }
            other => Err(format!("not an expression: {other:?}")),
        }
    }
}

type Row = Rc<serde_json::Map<String, Value>>;

#[derive(Debug, Clone)]
enum Val {
    Str(String),
    Num(i64),
    Bool(bool),
    Rows(Rc<Vec<Row>>),
    Row(Row),
}

struct Eval<'a> {
    attributes: &'a serde_json::Map<String, Value>,
    vars: HashMap<String, Val>,
}

fn text(v: &Val) -> Result<String, String> {
    match v {
        Val::Str(s) => Ok(s.clone()),
        Val::Num(n) => Ok(n.to_string()),
        other => Err(format!("{other:?} is not text")),
    }
}

impl Eval<'_> {
    fn run(&mut self, stmts: &[Stmt], out: &mut String) -> Result<(), String> {
        for s in stmts {
            match s {
                Stmt::Text(t) => out.push_str(t),
                Stmt::Out(e) => out.push_str(&text(&self.eval(e)?)?),
                Stmt::Set(v, e) => {
                    let val = self.eval(e)?;
                    self.vars.insert(v.clone(), val);
                }
                Stmt::If(branches, otherwise) => {
                    let mut done = false;
                    for (c, body) in branches {
                        if self.truth(c)? {
                            self.run(body, out)?;
                            done = true;
                            break;
                        }
                    }
                    if !done {
                        self.run(otherwise, out)?;
                    }
                }
                Stmt::For(v, from, to, body) => {
                    let (Val::Num(a), Val::Num(b)) = (self.eval(from)?, self.eval(to)?) else {
                        return Err("FOR bounds must be numbers".to_owned());
                    };
                    let mut i = a;
                    while i <= b {
                        self.vars.insert(v.clone(), Val::Num(i));
                        self.run(body, out)?;
                        i += 1;
                    }
                }
            }
        }
        Ok(())
    }

    fn truth(&mut self, e: &Expr) -> Result<bool, String> {
        match self.eval(e)? {
            Val::Bool(b) => Ok(b),
            other => Err(format!("condition is {other:?}, not true/false")),
        }
    }

    fn eval(&mut self, e: &Expr) -> Result<Val, String> {
        Ok(match e {
            Expr::Str(s) => Val::Str(s.clone()),
            Expr::Num(n) => Val::Num(*n),
            Expr::Var(v) => self
                .vars
                .get(v)
                .cloned()
                .ok_or_else(|| format!("@{v} read before SET"))?,
            Expr::And(a, b) => Val::Bool(self.truth(a)? && self.truth(b)?),
            Expr::Or(a, b) => Val::Bool(self.truth(a)? || self.truth(b)?),
            Expr::Not(a) => Val::Bool(!self.truth(a)?),
            Expr::Cmp(op, a, b) => {
                let (a, b) = (self.eval(a)?, self.eval(b)?);
                let ord = match (&a, &b) {
                    (Val::Num(x), Val::Num(y)) => x.cmp(y),
                    (Val::Str(x), Val::Str(y)) if matches!(*op, "==" | "!=") => {
                        // String comparison in AMPscript is case-insensitive.
                        x.to_lowercase().cmp(&y.to_lowercase())
                    }
                    _ => return Err(format!("comparison {a:?} {op} {b:?} outside the subset")),
                };
                Val::Bool(match *op {
                    "==" => ord.is_eq(),
                    "!=" => ord.is_ne(),
                    ">" => ord.is_gt(),
                    ">=" => ord.is_ge(),
                    "<" => ord.is_lt(),
                    _ => ord.is_le(),
                })
            }
            Expr::Call(f, args) => self.call(f, args)?,
        })
    }

    fn call(&mut self, f: &str, args: &[Expr]) -> Result<Val, String> {
        if f == "iif" {
            // Both branches are evaluated (as reported for Marketing Cloud); one is returned.
            let c = self.truth(&args[0])?;
            let (a, b) = (self.eval(&args[1])?, self.eval(&args[2])?);
            return Ok(if c { a } else { b });
        }
        let vals = args.iter().map(|a| self.eval(a)).collect::<Result<Vec<_>, _>>()?;
        Ok(match f {
            "attributevalue" => {
                let name = text(&vals[0])?;
                match self.attributes.get(&name) {
                    Some(Value::String(s)) => Val::Str(s.clone()),
                    Some(other) => return Err(format!("attribute {name} holds {other}, not text")),
                    None => return Err(format!("unknown attribute {name}")),
                }
            }
            "empty" => Val::Bool(match &vals[0] {
                Val::Str(s) => s.is_empty(),
                Val::Num(_) => false,
                other => return Err(format!("Empty({other:?}) outside the subset")),
            }),
            "replace" => {
                let (s, find, with) = (text(&vals[0])?, text(&vals[1])?, text(&vals[2])?);
                if find.is_empty() {
                    return Err("Replace with nothing to find".to_owned());
                }
                Val::Str(s.replace(&find, &with))
            }
            "concat" => Val::Str(vals.iter().map(text).collect::<Result<String, _>>()?),
            "v" => match &vals[0] {
                v @ (Val::Str(_) | Val::Num(_)) => v.clone(),
                other => return Err(format!("v({other:?}) outside the subset")),
            },
            "buildrowsetfromjson" => {
                let (json, path) = (text(&vals[0])?, text(&vals[1])?);
                let lenient = matches!(vals[2], Val::Num(1));
                let name = path
                    .strip_prefix("$.")
                    .and_then(|p| p.strip_suffix("[*]"))
                    .ok_or_else(|| format!("JSON path {path:?} outside the subset"))?;
                let parsed: Result<Value, _> = serde_json::from_str(&json);
                let rows = match parsed.as_ref().ok().and_then(|v| v.get(name)) {
                    Some(Value::Array(items)) => items
                        .iter()
                        .map(|i| match i {
                            Value::Object(m) => Ok(Rc::new(m.clone())),
                            other => Err(format!("row {other} is not an object")),
                        })
                        .collect::<Result<Vec<_>, _>>()?,
                    _ if lenient => Vec::new(),
                    _ => return Err(format!("BuildRowsetFromJSON: no array at {path}")),
                };
                Val::Rows(Rc::new(rows))
            }
            "rowcount" => match &vals[0] {
                Val::Rows(r) => Val::Num(i64::try_from(r.len()).map_err(|e| e.to_string())?),
                other => return Err(format!("RowCount({other:?})")),
            },
            "row" => match (&vals[0], &vals[1]) {
                (Val::Rows(r), Val::Num(n)) => {
                    let i = usize::try_from(*n - 1).map_err(|_| format!("Row index {n}"))?;
                    Val::Row(Rc::clone(r.get(i).ok_or_else(|| format!("no row {n}"))?))
                }
                other => return Err(format!("Row{other:?}")),
            },
            "field" => match (&vals[0], &vals[1]) {
                (Val::Row(r), Val::Str(name)) => match r.get(name) {
                    Some(Value::String(s)) => Val::Str(s.clone()),
                    Some(other) => return Err(format!("field {name} holds {other}, not text")),
                    None => return Err(format!("no field {name} in the row")),
                },
                other => return Err(format!("Field{other:?}")),
            },
            other => return Err(format!("unknown function {other}")),
        })
    }
}

/// Renders `template` for one subscriber's attributes (name → text).
///
/// # Errors
/// The template is outside the subset or reads something the subscriber does not have.
pub fn render(template: &str, attributes: &Value) -> Result<String, String> {
    let attributes = attributes.as_object().ok_or("attributes must be an object")?;
    let mut parser = Parser {
        toks: lex(template)?,
        at: 0,
    };
    let program = parser.stmts(&[])?;
    if parser.at < parser.toks.len() {
        return Err(format!("unbalanced block at {:?}", parser.peek()));
    }
    let mut eval = Eval {
        attributes,
        vars: HashMap::new(),
    };
    let mut out = String::new();
    eval.run(&program, &mut out)?;
    Ok(out)
}

#[test]
fn the_evaluator_follows_the_documented_semantics() {
    let attrs = serde_json::json!({
        "name": "<Ada & 'B'>", "blank": "", "one": "1",
        "list": "{\"items\":[{\"n\":\"a\"},{\"n\":\"b\"},{\"n\":\"c\"}]}"
    });
    let r = |t: &str| render(t, &attrs);
    assert_eq!(
        r("%%[ SET @n = AttributeValue(\"name\") ]%%Hi %%=Replace(Replace(@n, \"&\", \"&amp;\"), \"<\", \"&lt;\")=%%")
            .unwrap(),
        "Hi &lt;Ada &amp; 'B'>"
    );
    assert_eq!(
        r("%%[ set @b = AttributeValue('blank') ]%%%%=IIF(Empty(@b), \"x\"\"y\", @b)=%%").unwrap(),
        "x\"y"
    );
    assert_eq!(
        r("%%[ SET @o = AttributeValue(\"one\") IF (NOT Empty(@o)) AND (1 == 0) THEN ]%%a%%[ ELSEIF (@o == \"1\") THEN ]%%b%%[ ELSE ]%%c%%[ ENDIF ]%%").unwrap(),
        "b"
    );
    assert_eq!(
        r("%%[ SET @l = AttributeValue(\"list\") SET @rs = BuildRowsetFromJSON(@l, \"$.items[*]\", 1) SET @c = RowCount(@rs) IF (@c > 2) THEN SET @c = 2 ENDIF FOR @i = 1 TO @c DO SET @r = Row(@rs, @i) ]%%[%%=v(Field(@r, \"n\"))=%%]%%[ NEXT @i ]%%").unwrap(),
        "[a][b]"
    );
    assert_eq!(r("%%=Concat(\"%\",\"%\")=%%[x]").unwrap(), "%%[x]");
    assert!(r("%%first_name%%").is_err());
    assert!(r("%%[ IF (1 == 1) THEN ]%%x").is_err());
    assert!(r("%%=Uppercase(\"x\")=%%").is_err());
    assert!(r("%%=Replace(\"x\", \"y\")=%%").is_err());
    assert!(r("%%=v(@unset)=%%").is_err());
    assert!(r("%%=AttributeValue(\"nope\")=%%").is_err());
    assert!(r("%%[ IF @one THEN ]%%x%%[ ENDIF ]%%").is_err());
}
