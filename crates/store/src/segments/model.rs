//! The segment definition format (`segments/<name>.json`) and its typed model.
//!
//! A definition is read by hand from JSON rather than by a derived deserializer so that every
//! mistake names the JSON path it is at (`rule.all[2].within`) and unknown keys are refused with
//! the list of keys that are allowed there.

use std::collections::BTreeSet;
use std::fmt;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::events::EVENT_TYPES;

/// A segment: who belongs is decided by its rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Segment {
    /// The name (the file stem).
    pub name: String,
    /// What the segment is for, in words.
    pub description: String,
    /// Who belongs.
    pub rule: Rule,
    /// The definition as read (stored with the membership it produced).
    #[serde(skip)]
    pub definition: Value,
}

/// A rule over one profile. Every variant compiles to one SQL boolean expression.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// Every rule holds (an empty list holds).
    All(Vec<Rule>),
    /// At least one rule holds (an empty list does not).
    Any(Vec<Rule>),
    /// No rule holds.
    None(Vec<Rule>),
    /// A profile field or custom attribute.
    Attribute {
        /// Field name (`country`) or custom attribute (`loyalty_tier`).
        name: String,
        /// The comparison.
        test: AttrTest,
    },
    /// Events of a type, counted in a window.
    Event(EventRule),
    /// Custom events (names the live collector kept as sent), counted in a window, with
    /// conditions on their properties.
    CustomEvent(CustomEventRule),
    /// Visits (sessions) in a window.
    Sessions {
        /// The window.
        within: Window,
        /// How many sessions.
        count: Count,
    },
    /// The sum of the values of events of a type in a window.
    Sum {
        /// Event type (usually `purchase`).
        event: &'static str,
        /// The window; `None`: all time.
        within: Option<Window>,
        /// The comparison.
        cmp: NumCmp,
    },
    /// Membership of another segment.
    Segment(String),
    /// A built-in score.
    Score {
        /// Which score.
        score: Score,
        /// The comparison.
        cmp: NumCmp,
    },
}

/// A comparison of a profile field.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AttrTest {
    /// Equal (text exactly, numbers as numbers).
    Eq(Value),
    /// Not equal; a missing value counts as not equal.
    Ne(Value),
    /// Greater than.
    Gt(Value),
    /// Less than.
    Lt(Value),
    /// Holds this text, ignoring case.
    Contains(String),
    /// One of these values.
    In(Vec<Value>),
    /// `true`: missing or blank; `false`: present and not blank.
    IsEmpty(bool),
}

/// Events of one type in a window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventRule {
    /// Event type.
    pub event: &'static str,
    /// The window; `None`: all time up to the evaluation instant.
    pub within: Option<Window>,
    /// How many.
    pub count: Count,
    /// Only events of this category.
    pub category: Option<String>,
    /// Only events of this SKU.
    pub sku: Option<String>,
    /// Only events after the latest event of this type ("and no purchase since").
    pub not_followed_by: Option<&'static str>,
}

/// Custom events of one name in a window, with conditions on their properties.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CustomEventRule {
    /// The event's name, exactly as sent (`Trial Started`).
    pub name: String,
    /// The window; `None`: all time up to the evaluation instant.
    pub within: Option<Window>,
    /// How many.
    pub count: Count,
    /// Only events whose properties pass every test.
    pub properties: Vec<PropertyTest>,
}

/// A test of one property of a custom event (`properties.plan = "pro"`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PropertyTest {
    /// The property's key, at the top level of the event's properties.
    pub name: String,
    /// The comparison (a missing property counts as empty, and as not equal).
    pub test: AttrTest,
}

/// Custom event names and property keys are at most this many bytes.
pub const MAX_CUSTOM_NAME: usize = 1024;

/// A count range: at least `at_least`, at most `at_most`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Count {
    /// Lower bound (default 1).
    pub at_least: u32,
    /// Upper bound.
    pub at_most: Option<u32>,
}

/// A relative window: the `ms` milliseconds before the evaluation instant, that instant included
/// and the instant exactly `ms` before excluded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Window {
    /// As written (`48h`).
    pub text: String,
    /// Milliseconds.
    pub ms: i64,
}

/// A numeric comparison.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct NumCmp {
    /// The operator.
    pub op: NumOp,
    /// The value compared with.
    pub value: f64,
}

/// A numeric operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NumOp {
    /// `=`
    Eq,
    /// `>`
    Gt,
    /// `>=`
    Gte,
    /// `<`
    Lt,
    /// `<=`
    Lte,
}

impl NumOp {
    const KEYS: [(&'static str, NumOp); 5] = [
        ("eq", NumOp::Eq),
        ("gt", NumOp::Gt),
        ("gte", NumOp::Gte),
        ("lt", NumOp::Lt),
        ("lte", NumOp::Lte),
    ];

    /// The SQL operator.
    #[must_use]
    pub fn sql(self) -> &'static str {
        match self {
            Self::Eq => "=",
            Self::Gt => ">",
            Self::Gte => ">=",
            Self::Lt => "<",
            Self::Lte => "<=",
        }
    }
}

/// The built-in scores (see `docs/segments.md` for the formulas).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Score {
    /// R: quintile 1-5 of the last purchase time (5: most recent).
    Recency,
    /// F: quintile 1-5 of the number of orders.
    Frequency,
    /// M: quintile 1-5 of the purchase value.
    Monetary,
    /// Opens and clicks with exponential decay (half-life 14 days).
    Engagement,
    /// 0 to 1: previously high-value customers whose recency slips.
    ChurnRisk,
}

impl Score {
    /// Every score with its name in definitions.
    pub const ALL: [(&'static str, Score); 5] = [
        ("recency", Score::Recency),
        ("frequency", Score::Frequency),
        ("monetary", Score::Monetary),
        ("engagement", Score::Engagement),
        ("churn_risk", Score::ChurnRisk),
    ];

    /// The name in definitions.
    #[must_use]
    pub fn name(self) -> &'static str {
        Self::ALL.iter().find(|(_, s)| *s == self).map_or("?", |(n, _)| n)
    }

    /// Event types the score reads.
    #[must_use]
    pub fn event_types(self) -> &'static [&'static str] {
        match self {
            Self::Recency | Self::Frequency | Self::Monetary | Self::ChurnRisk => &["purchase"],
            Self::Engagement => &["email_open", "click"],
        }
    }
}

/// Event types that make up a visit (session).
pub const SESSION_EVENTS: &[&str] = &["page_view", "product_view", "add_to_cart", "purchase"];

/// A gap longer than this between two visit events starts a new session.
pub const SESSION_GAP_MS: i64 = 30 * 60 * 1000;

/// A mistake in a definition: where (a JSON path like `rule.all[1].within`) and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefinitionError {
    /// The JSON path.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for DefinitionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// Segment names: lower-case letters, digits, `-` and `_`, starting with a letter or digit, at most
/// 64 characters (they are file names and appear in templates as `in_segment "name"`).
#[must_use]
pub fn is_valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    name.len() <= 64
        && chars
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

/// Attribute names: an identifier (`[A-Za-z_][A-Za-z0-9_]*`, at most 64 characters), the shape
/// imports give custom attributes (`Loyalty Tier` → `loyalty_tier`).
#[must_use]
pub fn is_valid_attribute(name: &str) -> bool {
    let mut chars = name.chars();
    name.len() <= 64
        && chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Parses a duration like `90s`, `15m`, `48h` or `30d` into seconds.
///
/// # Errors
/// A readable message for anything else.
pub fn parse_duration(text: &str) -> Result<i64, String> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let wrong = || format!("\"{text}\" is not a duration like 15m, 24h or 7d");
    let n: i64 = number.parse().map_err(|_| wrong())?;
    let unit = match unit.trim() {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return Err(wrong()),
    };
    n.checked_mul(unit).ok_or_else(|| format!("\"{text}\" is too long"))
}

impl Segment {
    /// Parses a definition file's text.
    ///
    /// # Errors
    /// Invalid JSON, a wrong name, or a rule mistake with its JSON path.
    pub fn parse(name: &str, text: &str) -> Result<Self, DefinitionError> {
        if !is_valid_name(name) {
            return Err(DefinitionError {
                path: "(file name)".to_owned(),
                message: format!(
                    "\"{name}\" is not a segment name: use lower-case letters, digits, - and _ (at most 64)"
                ),
            });
        }
        let value: Value = serde_json::from_str(text).map_err(|e| DefinitionError {
            path: format!("line {}, column {}", e.line(), e.column()),
            message: e.to_string(),
        })?;
        Self::from_value(name, &value)
    }

    /// Reads a definition from parsed JSON.
    ///
    /// # Errors
    /// As [`Segment::parse`].
    pub fn from_value(name: &str, value: &Value) -> Result<Self, DefinitionError> {
        let obj = object(value, "")?;
        allow_keys(obj, "", &["description", "rule"])?;
        let description = match obj.get("description") {
            None => String::new(),
            Some(Value::String(s)) => s.clone(),
            Some(_) => return Err(err("description", "must be text")),
        };
        let rule = obj.get("rule").ok_or_else(|| err("rule", "is missing"))?;
        Ok(Self {
            name: name.to_owned(),
            description,
            rule: parse_rule(rule, "rule")?,
            definition: value.clone(),
        })
    }

    /// Names of the segments this one refers to, directly.
    #[must_use]
    pub fn references(&self) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        self.rule.walk(&mut |r| {
            if let Rule::Segment(s) = r {
                out.insert(s.clone());
            }
        });
        out
    }
}

impl Rule {
    /// Calls `f` on this rule and every rule inside it.
    pub fn walk(&self, f: &mut dyn FnMut(&Rule)) {
        f(self);
        if let Self::All(rules) | Self::Any(rules) | Self::None(rules) = self {
            for r in rules {
                r.walk(f);
            }
        }
    }
}

fn err(path: &str, message: impl Into<String>) -> DefinitionError {
    DefinitionError {
        path: if path.is_empty() {
            "(top level)".to_owned()
        } else {
            path.to_owned()
        },
        message: message.into(),
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

fn object<'v>(value: &'v Value, path: &str) -> Result<&'v Map<String, Value>, DefinitionError> {
    value.as_object().ok_or_else(|| err(path, "must be an object"))
}

fn allow_keys(obj: &Map<String, Value>, path: &str, allowed: &[&str]) -> Result<(), DefinitionError> {
    match obj.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(k) => Err(err(
            &join(path, k),
            format!("unknown key \"{k}\"; allowed here: {}", allowed.join(", ")),
        )),
        None => Ok(()),
    }
}

const RULE_KINDS: &[&str] = &[
    "all",
    "any",
    "none",
    "attribute",
    "event",
    "sessions",
    "sum",
    "segment",
    "score",
    "custom_event",
];

fn parse_rule(value: &Value, path: &str) -> Result<Rule, DefinitionError> {
    let obj = object(value, path)?;
    let kinds: Vec<&str> = RULE_KINDS.iter().copied().filter(|k| obj.contains_key(*k)).collect();
    let kind = match kinds.as_slice() {
        [one] => *one,
        [] => return Err(err(path, format!("a rule needs one of: {}", RULE_KINDS.join(", ")))),
        many => {
            return Err(err(
                path,
                format!("a rule has one kind; this one has {}", many.join(" and ")),
            ))
        }
    };
    match kind {
        "all" | "any" | "none" => {
            allow_keys(obj, path, &[kind])?;
            let here = join(path, kind);
            let list = obj[kind]
                .as_array()
                .ok_or_else(|| err(&here, "must be a list of rules"))?;
            let rules = list
                .iter()
                .enumerate()
                .map(|(i, r)| parse_rule(r, &format!("{here}[{i}]")))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(match kind {
                "all" => Rule::All(rules),
                "any" => Rule::Any(rules),
                _ => Rule::None(rules),
            })
        }
        "attribute" => parse_attribute(obj, path),
        "event" => {
            allow_keys(
                obj,
                path,
                &[
                    "event",
                    "within",
                    "at_least",
                    "at_most",
                    "category",
                    "sku",
                    "not_followed_by",
                ],
            )?;
            Ok(Rule::Event(EventRule {
                event: event_type(&obj["event"], &join(path, "event"))?,
                within: optional_window(obj, path)?,
                count: count(obj, path)?,
                category: optional_text(obj, path, "category")?,
                sku: optional_text(obj, path, "sku")?,
                not_followed_by: obj
                    .get("not_followed_by")
                    .map(|v| event_type(v, &join(path, "not_followed_by")))
                    .transpose()?,
            }))
        }
        "custom_event" => parse_custom_event(obj, path),
        "sessions" => {
            allow_keys(obj, path, &["sessions"])?;
            let here = join(path, "sessions");
            let inner = object(&obj["sessions"], &here)?;
            allow_keys(inner, &here, &["within", "at_least", "at_most"])?;
            let within = optional_window(inner, &here)?.ok_or_else(|| err(&join(&here, "within"), "is missing"))?;
            Ok(Rule::Sessions {
                within,
                count: count(inner, &here)?,
            })
        }
        "sum" => {
            let mut allowed = vec!["sum", "within"];
            allowed.extend(NumOp::KEYS.iter().map(|(k, _)| *k));
            allow_keys(obj, path, &allowed)?;
            Ok(Rule::Sum {
                event: event_type(&obj["sum"], &join(path, "sum"))?,
                within: optional_window(obj, path)?,
                cmp: num_cmp(obj, path)?,
            })
        }
        "segment" => {
            allow_keys(obj, path, &["segment"])?;
            let here = join(path, "segment");
            match &obj["segment"] {
                Value::String(s) if is_valid_name(s) => Ok(Rule::Segment(s.clone())),
                Value::String(s) => Err(err(&here, format!("\"{s}\" is not a segment name"))),
                _ => Err(err(&here, "must be a segment name")),
            }
        }
        _ => {
            let mut allowed = vec!["score"];
            allowed.extend(NumOp::KEYS.iter().map(|(k, _)| *k));
            allow_keys(obj, path, &allowed)?;
            let here = join(path, "score");
            let name = obj["score"].as_str().unwrap_or_default();
            let score = Score::ALL
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, s)| *s)
                .ok_or_else(|| {
                    err(
                        &here,
                        format!(
                            "unknown score {}; the scores are {}",
                            obj["score"],
                            Score::ALL.map(|(n, _)| n).join(", ")
                        ),
                    )
                })?;
            Ok(Rule::Score {
                score,
                cmp: num_cmp(obj, path)?,
            })
        }
    }
}

const ATTR_OPS: &[&str] = &["eq", "ne", "gt", "lt", "contains", "in", "is_empty"];

fn parse_attribute(obj: &Map<String, Value>, path: &str) -> Result<Rule, DefinitionError> {
    let mut allowed = vec!["attribute"];
    allowed.extend_from_slice(ATTR_OPS);
    allow_keys(obj, path, &allowed)?;
    let here = join(path, "attribute");
    let name = obj["attribute"]
        .as_str()
        .ok_or_else(|| err(&here, "must be a field name"))?;
    if !is_valid_attribute(name) {
        return Err(err(
            &here,
            format!("\"{name}\" is not a field name (letters, digits and _, like loyalty_tier)"),
        ));
    }
    Ok(Rule::Attribute {
        name: name.to_owned(),
        test: parse_test(obj, path, "an attribute rule")?,
    })
}

/// Whether `name` can be a custom event's name or property key in a rule: 1 to
/// [`MAX_CUSTOM_NAME`] bytes, no control characters, no `"` or `\` (a property key is bound into a
/// quoted JSON path, never into SQL text).
#[must_use]
pub fn is_valid_custom_name(name: &str) -> bool {
    !name.trim().is_empty()
        && name.len() <= MAX_CUSTOM_NAME
        && !name.chars().any(|c| c.is_control() || c == '"' || c == '\\')
}

fn custom_name(value: &Value, path: &str, what: &str) -> Result<String, DefinitionError> {
    match value {
        Value::String(s) if is_valid_custom_name(s) => Ok(s.clone()),
        Value::String(_) => Err(err(
            path,
            format!("is not a {what}: 1 to {MAX_CUSTOM_NAME} bytes, no control characters, quotes or backslashes"),
        )),
        _ => Err(err(path, format!("must be a {what} (text)"))),
    }
}

fn parse_custom_event(obj: &Map<String, Value>, path: &str) -> Result<Rule, DefinitionError> {
    allow_keys(obj, path, &["custom_event", "within", "at_least", "at_most", "where"])?;
    let name = custom_name(&obj["custom_event"], &join(path, "custom_event"), "custom event name")?;
    let properties = match obj.get("where") {
        None => Vec::new(),
        Some(list) => {
            let here = join(path, "where");
            list.as_array()
                .ok_or_else(|| err(&here, "must be a list of property tests"))?
                .iter()
                .enumerate()
                .map(|(i, test)| parse_property_test(test, &format!("{here}[{i}]")))
                .collect::<Result<_, _>>()?
        }
    };
    Ok(Rule::CustomEvent(CustomEventRule {
        name,
        within: optional_window(obj, path)?,
        count: count(obj, path)?,
        properties,
    }))
}

fn parse_property_test(value: &Value, path: &str) -> Result<PropertyTest, DefinitionError> {
    let obj = object(value, path)?;
    let mut allowed = vec!["property"];
    allowed.extend_from_slice(ATTR_OPS);
    allow_keys(obj, path, &allowed)?;
    let name = custom_name(
        obj.get("property").unwrap_or(&Value::Null),
        &join(path, "property"),
        "property key",
    )?;
    Ok(PropertyTest {
        name,
        test: parse_test(obj, path, "a property test")?,
    })
}

/// The one comparison of an attribute rule or property test (`eq`, `in`, `is_empty`...).
fn parse_test(obj: &Map<String, Value>, path: &str, what: &str) -> Result<AttrTest, DefinitionError> {
    let ops: Vec<&str> = ATTR_OPS.iter().copied().filter(|k| obj.contains_key(*k)).collect();
    let op = match ops.as_slice() {
        [one] => *one,
        _ => {
            return Err(err(
                path,
                format!("{what} needs exactly one of: {}", ATTR_OPS.join(", ")),
            ))
        }
    };
    let at = join(path, op);
    let v = &obj[op];
    let scalar = |v: &Value, at: &str| -> Result<Value, DefinitionError> {
        match v {
            Value::String(_) | Value::Number(_) | Value::Bool(_) => Ok(v.clone()),
            _ => Err(err(at, "must be text, a number or true/false")),
        }
    };
    Ok(match op {
        "eq" => AttrTest::Eq(scalar(v, &at)?),
        "ne" => AttrTest::Ne(scalar(v, &at)?),
        "gt" => AttrTest::Gt(scalar(v, &at)?),
        "lt" => AttrTest::Lt(scalar(v, &at)?),
        "contains" => AttrTest::Contains(v.as_str().ok_or_else(|| err(&at, "must be text"))?.to_owned()),
        "in" => AttrTest::In(
            v.as_array()
                .ok_or_else(|| err(&at, "must be a list of values"))?
                .iter()
                .enumerate()
                .map(|(i, x)| scalar(x, &format!("{at}[{i}]")))
                .collect::<Result<_, _>>()?,
        ),
        _ => AttrTest::IsEmpty(v.as_bool().ok_or_else(|| err(&at, "must be true or false"))?),
    })
}

fn event_type(value: &Value, path: &str) -> Result<&'static str, DefinitionError> {
    let name = value.as_str().unwrap_or_default();
    crate::events::known_type(name).ok_or_else(|| {
        err(
            path,
            format!("unknown event type {value}; the types are {}", EVENT_TYPES.join(", ")),
        )
    })
}

fn optional_window(obj: &Map<String, Value>, path: &str) -> Result<Option<Window>, DefinitionError> {
    let Some(v) = obj.get("within") else {
        return Ok(None);
    };
    let at = join(path, "within");
    let text = v
        .as_str()
        .ok_or_else(|| err(&at, "must be a duration like \"48h\" or \"30d\""))?;
    let seconds = parse_duration(text).map_err(|m| err(&at, m))?;
    if seconds <= 0 {
        return Err(err(&at, "must be longer than zero"));
    }
    Ok(Some(Window {
        text: text.trim().to_owned(),
        ms: seconds.saturating_mul(1000),
    }))
}

fn optional_text(obj: &Map<String, Value>, path: &str, key: &str) -> Result<Option<String>, DefinitionError> {
    match obj.get(key) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(err(&join(path, key), "must be text")),
    }
}

fn count(obj: &Map<String, Value>, path: &str) -> Result<Count, DefinitionError> {
    let get = |key: &str| -> Result<Option<u32>, DefinitionError> {
        obj.get(key)
            .map(|v| {
                v.as_u64()
                    .and_then(|n| u32::try_from(n).ok())
                    .ok_or_else(|| err(&join(path, key), "must be a whole number, 0 or more"))
            })
            .transpose()
    };
    let at_least = get("at_least")?;
    let at_most = get("at_most")?;
    // `at_most` alone means "at most N", from zero.
    let at_least = at_least.unwrap_or(if at_most.is_some() { 0 } else { 1 });
    if let Some(most) = at_most {
        if most < at_least {
            return Err(err(&join(path, "at_most"), "is smaller than at_least"));
        }
    }
    Ok(Count { at_least, at_most })
}

fn num_cmp(obj: &Map<String, Value>, path: &str) -> Result<NumCmp, DefinitionError> {
    let found: Vec<_> = NumOp::KEYS.iter().filter(|(k, _)| obj.contains_key(*k)).collect();
    match found.as_slice() {
        [(key, op)] => {
            let value = obj[*key]
                .as_f64()
                .filter(|v| v.is_finite())
                .ok_or_else(|| err(&join(path, key), "must be a number"))?;
            Ok(NumCmp { op: *op, value })
        }
        _ => Err(err(path, "needs exactly one comparison: eq, gt, gte, lt or lte")),
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |f: &mut fmt::Formatter<'_>, word: &str, rules: &[Rule]| {
            write!(f, "{word} (")?;
            for (i, r) in rules.iter().enumerate() {
                if i > 0 {
                    f.write_str("; ")?;
                }
                write!(f, "{r}")?;
            }
            f.write_str(")")
        };
        let count = |f: &mut fmt::Formatter<'_>, c: &Count| match c.at_most {
            Some(m) if m == c.at_least => write!(f, "exactly {m}"),
            Some(m) => write!(f, "{} to {m}", c.at_least),
            None => write!(f, "{}+", c.at_least),
        };
        match self {
            Self::All(r) => list(f, "all of", r),
            Self::Any(r) => list(f, "any of", r),
            Self::None(r) => list(f, "none of", r),
            Self::Attribute { name, test } => write_test(f, name, test),
            Self::CustomEvent(e) => {
                count(f, &e.count)?;
                write!(f, " {:?}", e.name)?;
                for (i, p) in e.properties.iter().enumerate() {
                    f.write_str(if i == 0 { " where " } else { " and " })?;
                    write_test(f, &p.name, &p.test)?;
                }
                if let Some(w) = &e.within {
                    write!(f, " in the last {}", w.text)?;
                }
                Ok(())
            }
            Self::Event(e) => {
                count(f, &e.count)?;
                write!(f, " {}", e.event)?;
                if let Some(c) = &e.category {
                    write!(f, " in category {c:?}")?;
                }
                if let Some(s) = &e.sku {
                    write!(f, " of {s:?}")?;
                }
                if let Some(w) = &e.within {
                    write!(f, " in the last {}", w.text)?;
                }
                if let Some(t) = e.not_followed_by {
                    write!(f, " with no {t} since")?;
                }
                Ok(())
            }
            Self::Sessions { within, count: c } => {
                count(f, c)?;
                write!(f, " sessions in the last {}", within.text)
            }
            Self::Sum { event, within, cmp } => {
                write!(f, "sum of {event} values")?;
                if let Some(w) = within {
                    write!(f, " over {}", w.text)?;
                }
                write!(f, " {} {}", cmp.op.sql(), cmp.value)
            }
            Self::Segment(s) => write!(f, "in segment {s}"),
            Self::Score { score, cmp } => write!(f, "{} {} {}", score.name(), cmp.op.sql(), cmp.value),
        }
    }
}

fn write_test(f: &mut fmt::Formatter<'_>, name: &str, test: &AttrTest) -> fmt::Result {
    match test {
        AttrTest::Eq(v) => write!(f, "{name} = {v}"),
        AttrTest::Ne(v) => write!(f, "{name} ≠ {v}"),
        AttrTest::Gt(v) => write!(f, "{name} > {v}"),
        AttrTest::Lt(v) => write!(f, "{name} < {v}"),
        AttrTest::Contains(v) => write!(f, "{name} contains {v:?}"),
        AttrTest::In(v) => write!(f, "{name} in {}", Value::Array(v.clone())),
        AttrTest::IsEmpty(true) => write!(f, "{name} is empty"),
        AttrTest::IsEmpty(false) => write!(f, "{name} is not empty"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Result<Segment, DefinitionError> {
        Segment::parse("test", json)
    }

    #[test]
    fn a_full_definition_parses() {
        let s = parse(
            r#"{"description": "x", "rule": {"all": [
                {"event": "add_to_cart", "within": "24h", "not_followed_by": "purchase"},
                {"attribute": "country", "in": ["DE", "AT"]},
                {"sessions": {"within": "30d", "at_least": 3}},
                {"sum": "purchase", "within": "90d", "gt": 500},
                {"none": [{"segment": "vip"}]},
                {"score": "recency", "gte": 4}
            ]}}"#,
        )
        .expect("valid");
        assert_eq!(s.references(), BTreeSet::from(["vip".to_owned()]));
        let Rule::All(parts) = &s.rule else { panic!("all") };
        assert_eq!(
            parts[0],
            Rule::Event(EventRule {
                event: "add_to_cart",
                within: Some(Window {
                    text: "24h".into(),
                    ms: 86_400_000
                }),
                count: Count {
                    at_least: 1,
                    at_most: None
                },
                category: None,
                sku: None,
                not_followed_by: Some("purchase"),
            })
        );
        assert_eq!(
            s.rule.to_string(),
            "all of (1+ add_to_cart in the last 24h with no purchase since; country in [\"DE\",\"AT\"]; 3+ sessions in the last 30d; sum of purchase values over 90d > 500; none of (in segment vip); recency >= 4)"
        );
    }

    #[test]
    fn mistakes_name_their_json_path() {
        let cases = [
            (
                r#"{"rule": {"all": [{"event": "purchase"}, {"event": "buy"}]}}"#,
                "rule.all[1].event",
                "unknown event type \"buy\"",
            ),
            (
                r#"{"rule": {"event": "purchase", "withn": "2d"}}"#,
                "rule.withn",
                "unknown key \"withn\"",
            ),
            (
                r#"{"rule": {"event": "purchase", "within": "2 weeks"}}"#,
                "rule.within",
                "not a duration",
            ),
            (
                r#"{"rule": {"attribute": "a.b", "eq": 1}}"#,
                "rule.attribute",
                "not a field name",
            ),
            (
                r#"{"rule": {"attribute": "x", "eq": 1, "ne": 2}}"#,
                "rule",
                "exactly one of",
            ),
            (
                r#"{"rule": {"attribute": "x", "in": [1, {"a": 1}]}}"#,
                "rule.in[1]",
                "text, a number",
            ),
            (
                r#"{"rule": {"score": "karma", "gt": 1}}"#,
                "rule.score",
                "unknown score",
            ),
            (
                r#"{"rule": {"sum": "purchase", "gt": "lots"}}"#,
                "rule.gt",
                "must be a number",
            ),
            (
                r#"{"rule": {"event": "click", "at_least": 3, "at_most": 2}}"#,
                "rule.at_most",
                "smaller",
            ),
            (
                r#"{"rule": {"segment": "Bad Name"}}"#,
                "rule.segment",
                "not a segment name",
            ),
            (r#"{"rule": {"all": [], "any": []}}"#, "rule", "one kind"),
            (r#"{"rules": {}}"#, "rules", "unknown key"),
            (r#"{"description": "no rule"}"#, "rule", "missing"),
        ];
        for (json, path, message) in cases {
            let e = parse(json).expect_err(json);
            assert_eq!(e.path, path, "{json}: {e}");
            assert!(e.message.contains(message), "{json}: {e}");
        }
        assert!(parse("{").expect_err("broken").path.starts_with("line 1"));
        assert!(Segment::parse("../etc", "{}").is_err());
    }

    #[test]
    fn names_and_attributes_follow_strict_grammars() {
        for ok in ["vip", "cart-abandoners", "rfm_5", "3plus"] {
            assert!(is_valid_name(ok), "{ok}");
        }
        for bad in ["", "VIP", "-x", "a b", "a\"b", "x;drop", &"a".repeat(65)] {
            assert!(!is_valid_name(bad), "{bad}");
        }
        for ok in ["country", "loyalty_tier", "_x9"] {
            assert!(is_valid_attribute(ok), "{ok}");
        }
        for bad in ["", "9x", "a.b", "a\"b", "a') OR 1=1 --", "$.x", "ü"] {
            assert!(!is_valid_attribute(bad), "{bad}");
        }
    }
}
