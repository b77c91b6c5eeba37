//! Value semantics shared by every stage (constant folding in the language, the renderer, the
//! exporters' derived fields): truthiness, comparison, "missing", lookup.

use std::cmp::Ordering;

use serde_json::Value;

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CmpOp {
    /// `eq`
    Eq,
    /// `ne`
    Ne,
    /// `gt`
    Gt,
    /// `gte`
    Gte,
    /// `lt`
    Lt,
    /// `lte`
    Lte,
}

impl CmpOp {
    /// The helper name in the language.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Eq => "eq",
            Self::Ne => "ne",
            Self::Gt => "gt",
            Self::Gte => "gte",
            Self::Lt => "lt",
            Self::Lte => "lte",
        }
    }

    /// The operator for a helper name.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "eq" => Self::Eq,
            "ne" => Self::Ne,
            "gt" => Self::Gt,
            "gte" => Self::Gte,
            "lt" => Self::Lt,
            "lte" => Self::Lte,
            _ => return None,
        })
    }
}

/// Handlebars truthiness: false, null, 0, "", [] and {} are false; everything else is true.
#[must_use]
pub fn is_truthy(v: &Value) -> bool {
    match v {
        Value::Bool(b) => *b,
        Value::Null => false,
        Value::Number(n) => n.as_f64().is_some_and(f64::is_normal),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

/// Whether a value counts as missing for fallbacks and required data: absent, null, blank text,
/// an empty list or an empty object. `0` and `false` are values, not missing.
#[must_use]
pub fn is_missing(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.trim().is_empty(),
        Some(Value::Array(a)) => a.is_empty(),
        Some(Value::Object(o)) => o.is_empty(),
        Some(_) => false,
    }
}

/// Compares two values: numbers numerically (a numeric string counts as a number when compared with
/// a number), strings by code point, booleans false < true; anything else is unordered.
#[must_use]
pub fn compare(op: CmpOp, a: &Value, b: &Value) -> bool {
    match op {
        CmpOp::Eq => equals(a, b),
        CmpOp::Ne => !equals(a, b),
        CmpOp::Gt => order(a, b) == Some(Ordering::Greater),
        CmpOp::Gte => order(a, b).is_some_and(|o| o != Ordering::Less),
        CmpOp::Lt => order(a, b) == Some(Ordering::Less),
        CmpOp::Lte => order(a, b).is_some_and(|o| o != Ordering::Greater),
    }
}

fn equals(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

fn order(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64()?.partial_cmp(&y.as_f64()?),
        (Value::String(x), Value::String(y)) => Some(x.cmp(y)),
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
        (Value::Number(x), Value::String(y)) => x.as_f64()?.partial_cmp(&y.trim().parse::<f64>().ok()?),
        (Value::String(x), Value::Number(y)) => x.trim().parse::<f64>().ok()?.partial_cmp(&y.as_f64()?),
        _ => None,
    }
}

/// Looks up named segments in a value; a segment of digits indexes an array.
#[must_use]
pub fn lookup<'v>(mut v: &'v Value, segments: &[String]) -> Option<&'v Value> {
    for seg in segments {
        v = match v {
            Value::Object(map) => map.get(seg.as_str())?,
            Value::Array(items) => items.get(seg.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(v)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn truthiness_follows_handlebars() {
        for falsy in [
            json!(false),
            json!(null),
            json!(0),
            json!(0.0),
            json!(""),
            json!([]),
            json!({}),
        ] {
            assert!(!is_truthy(&falsy), "{falsy} should be falsy");
        }
        for truthy in [
            json!(true),
            json!(1),
            json!(-2.5),
            json!(" "),
            json!("0"),
            json!([0]),
            json!({"a": 1}),
        ] {
            assert!(is_truthy(&truthy), "{truthy} should be truthy");
        }
    }

    #[test]
    fn missing_means_no_usable_value() {
        assert!(is_missing(None));
        assert!(is_missing(Some(&json!(null))));
        assert!(is_missing(Some(&json!("  \t"))));
        assert!(is_missing(Some(&json!([]))));
        assert!(!is_missing(Some(&json!(0))));
        assert!(!is_missing(Some(&json!(false))));
        assert!(!is_missing(Some(&json!("x"))));
    }

    #[test]
    fn comparisons_coerce_numeric_strings_only_against_numbers() {
        assert!(compare(CmpOp::Gt, &json!(10), &json!(9.5)));
        assert!(compare(CmpOp::Gt, &json!("10"), &json!(9)));
        assert!(
            !compare(CmpOp::Gt, &json!("10"), &json!("9")),
            "strings compare as text"
        );
        assert!(compare(CmpOp::Eq, &json!(3), &json!(3.0)));
        assert!(!compare(CmpOp::Eq, &json!(3), &json!("3")));
        assert!(!compare(CmpOp::Lt, &json!(null), &json!(1)), "null is unordered");
        assert!(!compare(CmpOp::Gte, &json!(null), &json!(1)));
        assert!(compare(CmpOp::Ne, &json!(null), &json!(1)));
    }

    #[test]
    fn lookup_walks_objects_and_array_indexes() {
        let v = json!({"a": {"b": [10, {"c": "x"}]}});
        let path = |s: &str| s.split('.').map(str::to_owned).collect::<Vec<_>>();
        assert_eq!(lookup(&v, &path("a.b.1.c")), Some(&json!("x")));
        assert_eq!(lookup(&v, &path("a.b.7")), None);
        assert_eq!(lookup(&v, &path("a.x")), None);
        assert_eq!(lookup(&v, &[]), Some(&v));
    }
}
