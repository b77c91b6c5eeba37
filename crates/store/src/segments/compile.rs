//! Rules to SQL. Each rule becomes one boolean expression (0 or 1, never NULL) over the profile
//! row `p`, with every value from a definition bound as a parameter: definitions never add text
//! to SQL. Field names are checked against a strict identifier grammar when parsed and then reach
//! SQL only as a fixed column name of the `profiles` table or as a bound JSON path.

use rusqlite::types::Value as SqlValue;
use serde_json::Value;

use super::model::{
    AttrTest, Count, CustomEventRule, EventRule, NumCmp, Rule, Score, Segment, SESSION_EVENTS, SESSION_GAP_MS,
};
use super::scores::{Cuts, ENGAGEMENT_HALF_LIFE_MS, ENGAGEMENT_WINDOW_MS};
use super::{SegmentError, SegmentSet};

/// A compiled rule: SQL text with `?` placeholders, and their values in order.
#[derive(Debug, Clone, PartialEq)]
pub struct CompiledRule {
    /// A boolean expression over the profile row `p`.
    pub sql: String,
    /// The parameters, in the order of the placeholders.
    pub params: Vec<SqlValue>,
}

/// Segment references nest at most this deep (cycles are refused before this).
const MAX_DEPTH: usize = 32;

/// A compiled rule holds at most this many bound values. Each reference copies the referenced
/// segment's rule, so segments that refer to the same segments over and over grow exponentially
/// (25 levels of two references each would be 2^25 copies); this bound stops them with a message.
/// It also stays below SQLite's limit on the variables of one statement (32,766).
pub const MAX_PARAMS: usize = 4_000;

/// A compiled rule's SQL is at most this many bytes (see [`MAX_PARAMS`]).
pub const MAX_SQL_BYTES: usize = 256 * 1024;

/// Compiles a segment of `set` for the instant `as_of` (epoch milliseconds).
///
/// # Errors
/// A reference to a segment that does not exist, or nesting deeper than 32.
pub fn compile(set: &SegmentSet, segment: &Segment, cuts: &Cuts, as_of: i64) -> Result<CompiledRule, SegmentError> {
    let mut c = Compiler {
        set,
        cuts,
        as_of,
        sql: String::new(),
        params: Vec::new(),
        stack: vec![segment.name.clone()],
        compiled: std::collections::HashMap::new(),
    };
    c.rule(&segment.rule)?;
    c.check_size()?;
    Ok(CompiledRule {
        sql: c.sql,
        params: c.params,
    })
}

struct Compiler<'a> {
    set: &'a SegmentSet,
    cuts: &'a Cuts,
    as_of: i64,
    sql: String,
    params: Vec<SqlValue>,
    stack: Vec<String>,
    /// Each referenced segment compiled once: its SQL and parameters, copied at every reference.
    compiled: std::collections::HashMap<String, (String, Vec<SqlValue>)>,
}

/// What an attribute test reads.
#[derive(Clone, Copy)]
enum Operand<'n> {
    /// A profile field or custom attribute of `p`.
    Field(&'n str),
    /// A top-level property of the custom event `c`.
    Property(&'n str),
}

fn json_to_sql(v: &Value) -> SqlValue {
    match v {
        Value::Bool(b) => SqlValue::Integer(i64::from(*b)),
        Value::Number(n) => n
            .as_i64()
            .map_or_else(|| SqlValue::Real(n.as_f64().unwrap_or(f64::NAN)), SqlValue::Integer),
        Value::String(s) => SqlValue::Text(s.clone()),
        Value::Null => SqlValue::Null,
        other => SqlValue::Text(other.to_string()),
    }
}

impl Compiler<'_> {
    fn check_size(&self) -> Result<(), SegmentError> {
        if self.params.len() > MAX_PARAMS || self.sql.len() > MAX_SQL_BYTES {
            return Err(SegmentError::TooLarge {
                segment: self.stack.first().cloned().unwrap_or_default(),
                params: self.params.len(),
                bytes: self.sql.len(),
            });
        }
        Ok(())
    }

    fn push(&mut self, text: &str) {
        self.sql.push_str(text);
    }

    /// A placeholder bound to `value`.
    fn bind(&mut self, value: SqlValue) {
        self.sql.push('?');
        self.params.push(value);
    }

    fn bind_int(&mut self, v: i64) {
        self.bind(SqlValue::Integer(v));
    }

    fn rule(&mut self, rule: &Rule) -> Result<(), SegmentError> {
        match rule {
            Rule::All(rules) => self.group(rules, " AND ", "1", false)?,
            Rule::Any(rules) => self.group(rules, " OR ", "0", false)?,
            Rule::None(rules) => self.group(rules, " OR ", "0", true)?,
            Rule::Attribute { name, test } => {
                self.push("coalesce(");
                self.test(Operand::Field(name), test);
                self.push(", 0)");
            }
            Rule::Event(e) => self.event(e),
            Rule::CustomEvent(e) => self.custom_event(e),
            Rule::Sessions { within, count } => self.sessions(within.ms, *count),
            Rule::Sum { event, within, cmp } => {
                self.push("(SELECT total(e.value) FROM events e WHERE e.profile_id = p.id AND e.type = ");
                self.bind(SqlValue::Text((*event).to_owned()));
                self.window("e", within.as_ref().map(|w| w.ms));
                self.push(") ");
                self.cmp(*cmp);
            }
            Rule::Segment(name) => {
                if self.stack.len() >= MAX_DEPTH || self.stack.contains(name) {
                    let mut path = self.stack.clone();
                    path.push(name.clone());
                    return Err(SegmentError::Cycle { path });
                }
                let other = self.set.get(name).ok_or_else(|| SegmentError::UnknownReference {
                    segment: self.stack.last().cloned().unwrap_or_default(),
                    missing: name.clone(),
                })?;
                let fragment = match self.compiled.get(name) {
                    Some(done) => done.clone(),
                    None => {
                        self.stack.push(name.clone());
                        let sql = std::mem::take(&mut self.sql);
                        let params = std::mem::take(&mut self.params);
                        let compiled = self.rule(&other.rule);
                        let fragment = (
                            std::mem::replace(&mut self.sql, sql),
                            std::mem::replace(&mut self.params, params),
                        );
                        compiled?;
                        self.stack.pop();
                        self.compiled.insert(name.clone(), fragment.clone());
                        fragment
                    }
                };
                self.push("(");
                self.push(&fragment.0);
                self.push(")");
                self.params.extend(fragment.1);
                self.check_size()?;
            }
            Rule::Score { score, cmp } => {
                self.push("coalesce(");
                self.score(*score);
                self.push(" ");
                self.cmp(*cmp);
                self.push(", 0)");
            }
        }
        Ok(())
    }

    fn group(&mut self, rules: &[Rule], joiner: &str, empty: &str, negate: bool) -> Result<(), SegmentError> {
        if negate {
            self.push("NOT ");
        }
        if rules.is_empty() {
            self.push(empty);
            return Ok(());
        }
        self.push("(");
        for (i, r) in rules.iter().enumerate() {
            if i > 0 {
                self.push(joiner);
            }
            self.rule(r)?;
        }
        self.push(")");
        Ok(())
    }

    fn cmp(&mut self, cmp: NumCmp) {
        self.push(cmp.op.sql());
        self.push(" ");
        self.bind(SqlValue::Real(cmp.value));
    }

    /// What a test reads: a profile field, or a custom event's property.
    fn operand(&mut self, operand: Operand<'_>) {
        match operand {
            Operand::Field(name) => self.field(name),
            Operand::Property(key) => {
                self.push("json_extract(c.properties, ");
                // The key holds no `"` or `\\` (checked when parsed): quoted, it is one label.
                self.bind(SqlValue::Text(format!("$.\"{key}\"")));
                self.push(")");
            }
        }
    }

    /// The field's SQL: a fixed column name, or the attribute read through a bound JSON path.
    fn field(&mut self, name: &str) {
        // Profile fields stored as columns; everything else is read from the `attributes` JSON.
        if crate::profiles::columns::is_field(name) {
            self.push("p.");
            self.push(name);
        } else {
            self.push("json_extract(p.attributes, ");
            // `name` matched [A-Za-z_][A-Za-z0-9_]*, so the path needs no quoting.
            self.bind(SqlValue::Text(format!("$.{name}")));
            self.push(")");
        }
    }

    fn test(&mut self, operand: Operand<'_>, test: &AttrTest) {
        match test {
            AttrTest::Eq(v) | AttrTest::Ne(v) | AttrTest::Gt(v) | AttrTest::Lt(v) => {
                self.operand(operand);
                self.push(match test {
                    AttrTest::Eq(_) => " = ",
                    AttrTest::Ne(_) => " IS NOT ",
                    AttrTest::Gt(_) => " > ",
                    _ => " < ",
                });
                self.bind(json_to_sql(v));
            }
            AttrTest::Contains(text) => {
                self.push("instr(lower(");
                self.operand(operand);
                self.push("), lower(");
                self.bind(SqlValue::Text(text.clone()));
                self.push(")) > 0");
            }
            AttrTest::In(values) => {
                self.operand(operand);
                self.push(" IN (SELECT value FROM json_each(");
                self.bind(SqlValue::Text(Value::Array(values.clone()).to_string()));
                self.push("))");
            }
            AttrTest::IsEmpty(empty) => {
                self.push(if *empty { "(" } else { "NOT (" });
                self.operand(operand);
                self.push(" IS NULL OR trim(");
                self.operand(operand);
                self.push(") = '')");
            }
        }
    }

    /// `AND alias.occurred_at <= as_of [AND alias.occurred_at > as_of - window]`.
    fn window(&mut self, alias: &str, ms: Option<i64>) {
        self.push(&format!(" AND {alias}.occurred_at <= "));
        self.bind_int(self.as_of);
        if let Some(ms) = ms {
            self.push(&format!(" AND {alias}.occurred_at > "));
            self.bind_int(self.as_of.saturating_sub(ms));
        }
    }

    fn event(&mut self, e: &EventRule) {
        let Count { at_least, at_most } = e.count;
        if at_least == 0 && at_most.is_none() {
            self.push("1");
            return;
        }
        let exists = at_least == 1 && at_most.is_none();
        if exists {
            self.push("EXISTS (SELECT 1");
        } else {
            // Counting stops one past the largest count that matters.
            self.push("(SELECT count(*) FROM (SELECT 1");
        }
        self.push(" FROM events e WHERE e.profile_id = p.id AND e.type = ");
        self.bind(SqlValue::Text(e.event.to_owned()));
        self.window("e", e.within.as_ref().map(|w| w.ms));
        if let Some(category) = &e.category {
            self.push(" AND e.category = ");
            self.bind(SqlValue::Text(category.clone()));
        }
        if let Some(sku) = &e.sku {
            self.push(" AND e.sku = ");
            self.bind(SqlValue::Text(sku.clone()));
        }
        if let Some(later) = e.not_followed_by {
            self.push(" AND e.occurred_at > coalesce((SELECT f.occurred_at FROM events f WHERE f.profile_id = p.id AND f.type = ");
            self.bind(SqlValue::Text(later.to_owned()));
            self.push(" AND f.occurred_at <= ");
            self.bind_int(self.as_of);
            self.push(" ORDER BY f.occurred_at DESC LIMIT 1), -9223372036854775808)");
        }
        if exists {
            self.push(")");
            return;
        }
        self.push(" LIMIT ");
        self.bind_int(i64::from(at_most.unwrap_or(at_least)) + 1);
        self.push("))");
        self.count(e.count);
    }

    /// Custom events of one name: like [`Self::event`], over `custom_events` (one seek on its
    /// `(profile_id, name, occurred_at)` index), each property test bound like an attribute's.
    fn custom_event(&mut self, e: &CustomEventRule) {
        let Count { at_least, at_most } = e.count;
        if at_least == 0 && at_most.is_none() {
            self.push("1");
            return;
        }
        let exists = at_least == 1 && at_most.is_none();
        self.push(if exists {
            "EXISTS (SELECT 1"
        } else {
            "(SELECT count(*) FROM (SELECT 1"
        });
        self.push(" FROM custom_events c WHERE c.profile_id = p.id AND c.name = ");
        self.bind(SqlValue::Text(e.name.clone()));
        self.window("c", e.within.as_ref().map(|w| w.ms));
        for property in &e.properties {
            self.push(" AND coalesce(");
            self.test(Operand::Property(&property.name), &property.test);
            self.push(", 0)");
        }
        if exists {
            self.push(")");
            return;
        }
        self.push(" LIMIT ");
        self.bind_int(i64::from(at_most.unwrap_or(at_least)) + 1);
        self.push("))");
        self.count(e.count);
    }

    fn count(&mut self, Count { at_least, at_most }: Count) {
        match at_most {
            Some(most) => {
                self.push(" BETWEEN ");
                self.bind_int(i64::from(at_least));
                self.push(" AND ");
                self.bind_int(i64::from(most));
            }
            None => {
                self.push(" >= ");
                self.bind_int(i64::from(at_least));
            }
        }
    }

    /// Sessions starting in the window: visit events with no visit event of the same profile in
    /// the 30 minutes before them (at the same instant, the lower event id starts the session).
    /// The profile's visits from one gap before the window are read once and counted by
    /// `tessera_sessions` (see [`super::scores::register_functions`]).
    fn sessions(&mut self, window_ms: i64, count: Count) {
        let types = SESSION_EVENTS
            .iter()
            .map(|t| format!("'{t}'"))
            .collect::<Vec<_>>()
            .join(", ");
        let start = self.as_of.saturating_sub(window_ms);
        self.push("(SELECT tessera_sessions(e.occurred_at, e.id, ");
        self.bind_int(start);
        self.push(", ");
        self.bind_int(SESSION_GAP_MS);
        // `+e.type`: one seek to the profile's events and a filter on the type, instead of one
        // seek per type (a profile's events sit together in the index).
        self.push(") FROM events e WHERE e.profile_id = p.id AND +e.type IN (");
        self.push(&types);
        self.push(") AND e.occurred_at <= ");
        self.bind_int(self.as_of);
        self.push(" AND e.occurred_at >= ");
        self.bind_int(start.saturating_sub(SESSION_GAP_MS));
        self.push(")");
        self.count(count);
    }

    /// A score's value for `p` (NULL when the profile has none, e.g. no purchase for R, F, M).
    fn score(&mut self, score: Score) {
        match score {
            Score::Recency | Score::Frequency | Score::Monetary => self.quintile(score),
            Score::Engagement => {
                self.push("(SELECT total((CASE e.type WHEN 'click' THEN 3.0 ELSE 1.0 END) * tessera_decay(");
                self.bind_int(self.as_of);
                self.push(" - e.occurred_at, ");
                self.bind_int(ENGAGEMENT_HALF_LIFE_MS);
                self.push(")) FROM events e WHERE e.profile_id = p.id AND +e.type IN ('email_open', 'click')");
                self.window("e", Some(ENGAGEMENT_WINDOW_MS));
                self.push(")");
            }
            Score::ChurnRisk => {
                self.push("(CASE WHEN ");
                self.quintile(Score::Monetary);
                self.push(" >= 4 THEN (5 - ");
                self.quintile(Score::Recency);
                self.push(") / 4.0 ELSE 0.0 END)");
            }
        }
    }

    /// `1 + (raw >= cut1) + ... + (raw >= cut4)` over the profile's purchases up to `as_of`.
    fn quintile(&mut self, score: Score) {
        let Some(cuts) = self.cuts.get(score) else {
            self.push("NULL");
            return;
        };
        let raw = match score {
            Score::Recency => "max(e.occurred_at)",
            Score::Frequency => "nullif(count(DISTINCT e.occurred_at), 0)",
            _ => "sum(e.value)",
        };
        self.push("(SELECT 1");
        for cut in cuts {
            self.push(&format!(" + ({raw} >= "));
            self.bind(SqlValue::Real(cut));
            self.push(")");
        }
        self.push(" FROM events e WHERE e.profile_id = p.id AND e.type = 'purchase'");
        self.window("e", None);
        self.push(")");
    }
}
