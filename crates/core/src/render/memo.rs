//! What one recipient's HTML walk decided, replayed by the text walk: each value formatted (with its
//! fallback applied), each condition and each block gate, keyed by where they are in the plan and by
//! the loop iteration they are in. The text part follows the same plan (its markers are the HTML's),
//! so it formats nothing twice. The maps and the arena keep their capacity across recipients.

use rustc_hash::FxHashMap;

/// A place in the plan: the tables (or block list) it belongs to, what and which entry, and the
/// loop iteration (see [`loop_position`]).
pub(super) type Key = (usize, u32, u64);

/// What kind of entry a key names (the high bits of its index).
#[derive(Clone, Copy)]
pub(super) enum Kind {
    /// A placeholder's text before escaping.
    Value,
    /// An `if` condition.
    Cond,
    /// A block's gates.
    Gate,
}

impl Kind {
    /// The kind's bits above the index.
    fn bits(self) -> u32 {
        match self {
            Kind::Value => 0,
            Kind::Cond => 1 << 30,
            Kind::Gate => 2 << 30,
        }
    }
}

/// A block's gates as decided: the index of the gate that failed, or `None` when all held.
#[derive(Debug, Clone, Copy)]
pub(super) struct Gates(pub(super) Option<u32>);

/// Entries above this index are not memoized (their key could not tell kinds apart).
const MAX_INDEX: u32 = (1 << 30) - 1;

/// The memo of one recipient.
#[derive(Debug, Default, Clone)]
pub(super) struct Memo {
    /// Placeholder texts, as ranges of `arena`.
    values: FxHashMap<Key, (u32, u32)>,
    arena: String,
    /// Conditions decided.
    conds: FxHashMap<Key, bool>,
    /// Block gates: the index of the gate that failed, if any.
    gates: FxHashMap<Key, Gates>,
}

/// The loop iteration a walk is in, from each enclosing loop's index (outermost first): unique for
/// up to four nested loops of fewer than 65,535 items each; `None` (not memoized) beyond.
pub(super) fn loop_position(indexes: impl ExactSizeIterator<Item = usize>) -> Option<u64> {
    if indexes.len() > 4 {
        return None;
    }
    let mut position = 0u64;
    for index in indexes {
        let one_based = u16::try_from(index + 1).ok()?;
        position = (position << 16) | u64::from(one_based);
    }
    Some(position)
}

/// The key of entry `index` of `kind` in the tables at `owner`, at loop `position`.
pub(super) fn key(owner: usize, kind: Kind, index: u32, position: Option<u64>) -> Option<Key> {
    (index <= MAX_INDEX).then_some(())?;
    Some((owner, kind.bits() | index, position?))
}

impl Memo {
    /// Forgets the previous recipient, keeping the capacity.
    pub(super) fn clear(&mut self) {
        self.values.clear();
        self.arena.clear();
        self.conds.clear();
        self.gates.clear();
    }

    /// Remembers a placeholder's text.
    pub(super) fn put_value(&mut self, key: Key, text: &str) {
        let (Ok(start), Ok(end)) = (
            u32::try_from(self.arena.len()),
            u32::try_from(self.arena.len() + text.len()),
        ) else {
            return;
        };
        self.arena.push_str(text);
        self.values.insert(key, (start, end));
    }

    /// A placeholder's text, if the HTML walk formatted it.
    pub(super) fn value(&self, key: &Key) -> Option<&str> {
        let &(start, end) = self.values.get(key)?;
        self.arena.get(start as usize..end as usize)
    }

    /// Remembers a condition.
    pub(super) fn put_cond(&mut self, key: Key, holds: bool) {
        self.conds.insert(key, holds);
    }

    /// A condition, if decided.
    pub(super) fn cond(&self, key: &Key) -> Option<bool> {
        self.conds.get(key).copied()
    }

    /// Remembers a block's gates.
    pub(super) fn put_gate(&mut self, key: Key, failed: Option<u32>) {
        self.gates.insert(key, Gates(failed));
    }

    /// A block's gates, if decided.
    pub(super) fn gate(&self, key: &Key) -> Option<Gates> {
        self.gates.get(key).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loop_positions_are_unique_per_nesting_and_index() {
        let outside = loop_position(std::iter::empty());
        let first = loop_position([0].into_iter());
        let first_of_first = loop_position([0, 0].into_iter());
        let second = loop_position([1].into_iter());
        let all = [outside, first, first_of_first, second];
        for (i, a) in all.iter().enumerate() {
            assert!(a.is_some());
            for b in &all[i + 1..] {
                assert_ne!(a, b);
            }
        }
        assert_eq!(loop_position([0, 0, 0, 0, 0].into_iter()), None, "too deep");
        assert_eq!(loop_position([70_000].into_iter()), None, "too long");
    }

    #[test]
    fn values_come_back_until_cleared() {
        let mut memo = Memo::default();
        let k = key(1, Kind::Value, 3, Some(0)).expect("key");
        memo.put_value(k, "Ada");
        memo.put_cond(k, true);
        assert_eq!(memo.value(&k), Some("Ada"));
        assert_eq!(memo.cond(&k), Some(true));
        assert_eq!(memo.value(&key(1, Kind::Cond, 3, Some(0)).expect("key")), None);
        memo.clear();
        assert_eq!(memo.value(&k), None);
        assert_eq!(memo.cond(&k), None);
    }
}
