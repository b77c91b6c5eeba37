//! The set of segment definitions: every reference resolves and no segments refer to each other
//! in a circle ([`SegmentSet`]), and what each segment can change with ([`Deps`]).

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::model::{self, DefinitionError, Rule, Segment};

/// Why a set of segments cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SegmentError {
    /// A definition is invalid.
    #[error("segment \"{segment}\": {error}")]
    Invalid {
        /// The segment.
        segment: String,
        /// What and where.
        error: DefinitionError,
    },
    /// A rule names a segment that does not exist.
    #[error("segment \"{segment}\" refers to segment \"{missing}\", which does not exist")]
    UnknownReference {
        /// The segment with the rule.
        segment: String,
        /// The name it refers to.
        missing: String,
    },
    /// Segments refer to each other in a circle.
    #[error("segments refer to each other in a cycle: {}", path.join(" → "))]
    Cycle {
        /// The cycle, first name repeated at the end.
        path: Vec<String>,
    },
    /// A rule, with the rules of the segments it refers to copied in, is too large to evaluate.
    #[error("segment \"{segment}\" is too large to evaluate: with the segments it refers to copied in, its rule has more than {} values or {} KiB of SQL (reached {params} values, {bytes} bytes); segments that refer to the same segments again and again grow exponentially, so refer to each segment once", super::compile::MAX_PARAMS, super::compile::MAX_SQL_BYTES / 1024)]
    TooLarge {
        /// The segment being compiled.
        segment: String,
        /// Values bound so far.
        params: usize,
        /// SQL bytes so far.
        bytes: usize,
    },
    /// No segment has this name.
    #[error("no segment \"{name}\"{}", if available.is_empty() { String::new() } else { format!("; the segments are {}", available.join(", ")) })]
    NotFound {
        /// The name asked for.
        name: String,
        /// The names that exist.
        available: Vec<String>,
    },
}

/// What a segment can change with: profile fields, and events of some types.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Deps {
    /// Profile fields or attributes.
    pub attributes: bool,
    /// Event types.
    pub events: BTreeSet<&'static str>,
    /// Custom event names (as the live collector kept them).
    pub custom_events: BTreeSet<String>,
    /// Custom events of any name (a change to everything: a new or merged profile).
    #[serde(skip)]
    pub any_custom_event: bool,
}

impl Deps {
    /// A change to everything (new or updated profiles).
    #[must_use]
    pub fn everything() -> Self {
        Self {
            attributes: true,
            events: crate::events::EVENT_TYPES.iter().copied().collect(),
            custom_events: BTreeSet::new(),
            any_custom_event: true,
        }
    }

    /// Events of one type.
    #[must_use]
    pub fn event(kind: &'static str) -> Self {
        Self {
            events: BTreeSet::from([kind]),
            ..Self::default()
        }
    }

    /// Custom events of one name.
    #[must_use]
    pub fn custom_event(name: &str) -> Self {
        Self {
            custom_events: BTreeSet::from([name.to_owned()]),
            ..Self::default()
        }
    }

    /// Adds what `other` changes with.
    pub fn extend(&mut self, other: Deps) {
        self.attributes |= other.attributes;
        self.events.extend(other.events);
        self.custom_events.extend(other.custom_events);
        self.any_custom_event |= other.any_custom_event;
    }

    /// Whether a segment depending on `self` can change when `change` happens.
    #[must_use]
    pub fn touched_by(&self, change: &Deps) -> bool {
        (self.attributes && change.attributes)
            || self.events.iter().any(|e| change.events.contains(e))
            || self
                .custom_events
                .iter()
                .any(|n| change.any_custom_event || change.custom_events.contains(n))
    }
}

/// A validated set of segments: every reference resolves, no cycles.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SegmentSet {
    segments: BTreeMap<String, Segment>,
}

impl SegmentSet {
    /// Checks references and cycles.
    ///
    /// # Errors
    /// [`SegmentError::UnknownReference`] or [`SegmentError::Cycle`].
    pub fn new(segments: impl IntoIterator<Item = Segment>) -> Result<Self, SegmentError> {
        let set = Self {
            segments: segments.into_iter().map(|s| (s.name.clone(), s)).collect(),
        };
        for s in set.segments.values() {
            for r in s.references() {
                if !set.segments.contains_key(&r) {
                    return Err(SegmentError::UnknownReference {
                        segment: s.name.clone(),
                        missing: r,
                    });
                }
            }
        }
        // Depth-first search with colours: grey on the stack, black done.
        let mut done = BTreeSet::new();
        for name in set.segments.keys() {
            let mut stack = Vec::new();
            set.visit(name, &mut stack, &mut done)?;
        }
        Ok(set)
    }

    fn visit(&self, name: &str, stack: &mut Vec<String>, done: &mut BTreeSet<String>) -> Result<(), SegmentError> {
        if done.contains(name) {
            return Ok(());
        }
        if let Some(at) = stack.iter().position(|s| s == name) {
            let mut path = stack[at..].to_vec();
            path.push(name.to_owned());
            return Err(SegmentError::Cycle { path });
        }
        stack.push(name.to_owned());
        if let Some(s) = self.segments.get(name) {
            for r in s.references() {
                self.visit(&r, stack, done)?;
            }
        }
        stack.pop();
        done.insert(name.to_owned());
        Ok(())
    }

    /// A segment by name.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&Segment> {
        self.segments.get(name)
    }

    /// The segments, by name.
    pub fn iter(&self) -> impl Iterator<Item = &Segment> {
        self.segments.values()
    }

    /// The names, sorted.
    #[must_use]
    pub fn names(&self) -> Vec<String> {
        self.segments.keys().cloned().collect()
    }

    /// Whether the set is empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.segments.is_empty()
    }

    /// A segment by name, or an error listing the names.
    ///
    /// # Errors
    /// [`SegmentError::NotFound`].
    pub fn require(&self, name: &str) -> Result<&Segment, SegmentError> {
        self.get(name).ok_or_else(|| SegmentError::NotFound {
            name: name.to_owned(),
            available: self.names(),
        })
    }

    /// What a segment can change with, through the segments it refers to too.
    #[must_use]
    pub fn deps(&self, name: &str) -> Deps {
        let mut deps = Deps::default();
        let mut seen = BTreeSet::new();
        self.collect_deps(name, &mut deps, &mut seen);
        deps
    }

    fn collect_deps(&self, name: &str, deps: &mut Deps, seen: &mut BTreeSet<String>) {
        if !seen.insert(name.to_owned()) {
            return;
        }
        let Some(segment) = self.segments.get(name) else {
            return;
        };
        let mut refs = Vec::new();
        segment.rule.walk(&mut |r| match r {
            Rule::Attribute { .. } => deps.attributes = true,
            Rule::Event(e) => {
                deps.events.insert(e.event);
                deps.events.extend(e.not_followed_by);
            }
            Rule::CustomEvent(e) => {
                deps.custom_events.insert(e.name.clone());
            }
            Rule::Sessions { .. } => deps.events.extend(model::SESSION_EVENTS.iter().copied()),
            Rule::Sum { event, .. } => {
                deps.events.insert(event);
            }
            Rule::Score { score, .. } => deps.events.extend(score.event_types().iter().copied()),
            Rule::Segment(s) => refs.push(s.clone()),
            Rule::All(_) | Rule::Any(_) | Rule::None(_) => {}
        });
        for r in refs {
            self.collect_deps(&r, deps, seen);
        }
    }

    /// `names` and every segment that refers to one of them, directly or not.
    pub(super) fn with_dependents(&self, names: &BTreeSet<String>) -> BTreeSet<String> {
        let mut out = names.clone();
        loop {
            let before = out.len();
            for s in self.segments.values() {
                if s.references().iter().any(|r| out.contains(r)) {
                    out.insert(s.name.clone());
                }
            }
            if out.len() == before {
                return out;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(name: &str, json: &str) -> Segment {
        Segment::parse(name, json).expect("valid")
    }

    #[test]
    fn cycles_and_unknown_references_are_refused() {
        let a = seg("a", r#"{"rule": {"segment": "b"}}"#);
        let b = seg("b", r#"{"rule": {"any": [{"segment": "c"}]}}"#);
        let c = seg("c", r#"{"rule": {"none": [{"segment": "a"}]}}"#);
        match SegmentSet::new([a.clone(), b.clone(), c]) {
            Err(SegmentError::Cycle { path }) => assert_eq!(path, ["a", "b", "c", "a"]),
            other => panic!("{other:?}"),
        }
        let own = seg("own", r#"{"rule": {"segment": "own"}}"#);
        assert!(matches!(SegmentSet::new([own]), Err(SegmentError::Cycle { .. })));
        match SegmentSet::new([a]) {
            Err(e @ SegmentError::UnknownReference { .. }) => {
                assert_eq!(
                    e.to_string(),
                    "segment \"a\" refers to segment \"b\", which does not exist"
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn dependencies_follow_references() {
        let vip = seg("vip", r#"{"rule": {"attribute": "loyalty_tier", "eq": "Summit"}}"#);
        let carts = seg(
            "carts",
            r#"{"rule": {"all": [{"segment": "vip"}, {"event": "add_to_cart", "within": "1d", "not_followed_by": "purchase"}]}}"#,
        );
        let engaged = seg("engaged", r#"{"rule": {"score": "engagement", "gte": 2}}"#);
        let set = SegmentSet::new([vip, carts, engaged]).expect("valid");
        let d = set.deps("carts");
        assert!(d.attributes);
        assert_eq!(d.events, BTreeSet::from(["add_to_cart", "purchase"]));
        let views = Deps::event("page_view");
        assert!(!set.deps("carts").touched_by(&views));
        assert!(!set.deps("vip").touched_by(&views));
        let opens = Deps::event("email_open");
        assert!(set.deps("engaged").touched_by(&opens));
        assert_eq!(
            set.with_dependents(&BTreeSet::from(["vip".to_owned()])),
            BTreeSet::from(["carts".to_owned(), "vip".to_owned()])
        );
    }

    #[test]
    fn custom_events_touch_only_the_segments_naming_them() {
        let trials = seg(
            "trials",
            r#"{"rule": {"custom_event": "Trial Started", "within": "14d", "where": [{"property": "plan", "eq": "pro"}]}}"#,
        );
        let pro = seg("pro", r#"{"rule": {"all": [{"segment": "trials"}]}}"#);
        let vip = seg("vip", r#"{"rule": {"attribute": "loyalty_tier", "eq": "Summit"}}"#);
        let set = SegmentSet::new([trials, pro, vip]).expect("valid");
        let started = Deps::custom_event("Trial Started");
        assert!(set.deps("trials").touched_by(&started));
        assert!(set.deps("pro").touched_by(&started), "through the reference");
        assert!(!set.deps("vip").touched_by(&started));
        assert!(
            !set.deps("trials").touched_by(&Deps::custom_event("trial started")),
            "names are exact"
        );
        assert!(!set.deps("trials").touched_by(&Deps::event("click")));
        assert!(set.deps("trials").touched_by(&Deps::everything()), "a merged profile");
    }
}
