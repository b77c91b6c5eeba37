//! The store's email keys in memory, for event imports: a hash table of 128-bit hashes and
//! profile ids (about 40 bytes a profile) instead of an index lookup per event, which at millions of
//! events was the writer's largest single cost once the index no longer stayed in the page cache.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use rusqlite::Transaction;

use crate::StoreError;

/// Stores with more profiles than this are looked up in SQL per event instead.
const IN_MEMORY_AT_MOST: i64 = 2_000_000;

/// A 128-bit hash of a normalized email key (BLAKE3, truncated). Two different keys sharing one is
/// as likely as guessing a random 128-bit number; [`EmailIds`] still detects it among stored keys.
pub(crate) fn email_hash(key: &str) -> u128 {
    let digest = blake3::hash(key.as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest.as_bytes()[..16]);
    u128::from_le_bytes(bytes)
}

/// What the array says of a hash.
pub(crate) enum Lookup {
    /// The profile with this email key.
    Found(i64),
    /// No stored profile has this email key.
    Absent,
    /// Two stored keys share the hash: ask SQL.
    Ambiguous,
}

/// Every stored email key's hash with its profile id (`None`: two stored keys share the hash).
/// A hash table: one probe per event, where a binary search over a million sorted entries missed
/// the processor's caches a dozen times.
pub(crate) struct EmailIds {
    entries: HashMap<u128, Option<i64>, BuildHasherDefault<KeyHashHasher>>,
}

impl EmailIds {
    /// Reads every email key of the store; `None` when the store is too large to hold them.
    pub(crate) fn load(
        tx: &Transaction<'_>,
        sql: fn(rusqlite::Error) -> StoreError,
    ) -> Result<Option<Self>, StoreError> {
        let profiles: i64 = tx
            .query_row("SELECT count(*) FROM profiles", [], |r| r.get(0))
            .map_err(sql)?;
        if profiles > IN_MEMORY_AT_MOST {
            return Ok(None);
        }
        let mut ids = Self::with_capacity(usize::try_from(profiles).unwrap_or(0));
        let mut st = tx.prepare("SELECT email_key, id FROM profiles").map_err(sql)?;
        let mut rows = st.query([]).map_err(sql)?;
        while let Some(r) = rows.next().map_err(sql)? {
            let key: &str = r.get_ref(0).and_then(|v| Ok(v.as_str()?)).map_err(sql)?;
            ids.insert(email_hash(key), r.get(1).map_err(sql)?);
        }
        Ok(Some(ids))
    }

    fn with_capacity(capacity: usize) -> Self {
        Self {
            entries: HashMap::with_capacity_and_hasher(capacity, BuildHasherDefault::default()),
        }
    }

    /// Records a stored key's hash; a hash seen before becomes ambiguous.
    fn insert(&mut self, hash: u128, id: i64) {
        self.entries
            .entry(hash)
            .and_modify(|known| *known = None)
            .or_insert(Some(id));
    }

    /// The profile id for an email key's hash.
    pub(crate) fn get(&self, hash: u128) -> Lookup {
        match self.entries.get(&hash) {
            Some(Some(id)) => Lookup::Found(*id),
            Some(None) => Lookup::Ambiguous,
            None => Lookup::Absent,
        }
    }
}

/// Hashes the table's keys, which are already uniform hashes, by taking 64 of their bits.
#[derive(Default)]
struct KeyHashHasher(u64);

impl Hasher for KeyHashHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }

    #[allow(clippy::cast_possible_truncation)]
    fn write_u128(&mut self, n: u128) {
        self.0 = n as u64;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_find_ids_and_shared_hashes_defer_to_sql() {
        let a = email_hash("ada@example.com");
        let b = email_hash("ben@example.com");
        assert_ne!(a, b);
        let mut ids = EmailIds::with_capacity(4);
        for (hash, id) in [(b, 2), (a, 1), (7, 3), (7, 4)] {
            ids.insert(hash, id);
        }
        assert!(matches!(ids.get(a), Lookup::Found(1)));
        assert!(matches!(ids.get(b), Lookup::Found(2)));
        assert!(matches!(ids.get(7), Lookup::Ambiguous));
        assert!(matches!(ids.get(email_hash("nobody@example.com")), Lookup::Absent));
    }
}
