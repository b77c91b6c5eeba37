//! The store's email keys in memory, for event imports: one sorted array of 128-bit hashes and
//! profile ids (32 bytes a profile) instead of an index lookup per event, which at millions of
//! events was the writer's largest single cost once the index no longer stayed in the page cache.

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

/// Every stored email key's hash with its profile id, sorted by hash.
pub(crate) struct EmailIds {
    entries: Vec<(u128, i64)>,
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
        let mut entries = Vec::with_capacity(usize::try_from(profiles).unwrap_or(0));
        let mut st = tx.prepare("SELECT email_key, id FROM profiles").map_err(sql)?;
        let mut rows = st.query([]).map_err(sql)?;
        while let Some(r) = rows.next().map_err(sql)? {
            let key: String = r.get(0).map_err(sql)?;
            entries.push((email_hash(&key), r.get(1).map_err(sql)?));
        }
        entries.sort_unstable();
        Ok(Some(Self { entries }))
    }

    /// The profile id for an email key's hash.
    pub(crate) fn get(&self, hash: u128) -> Lookup {
        let at = self.entries.partition_point(|(h, _)| *h < hash);
        match self.entries.get(at) {
            Some((h, id)) if *h == hash => {
                if self.entries.get(at + 1).is_some_and(|(next, _)| *next == hash) {
                    Lookup::Ambiguous
                } else {
                    Lookup::Found(*id)
                }
            }
            _ => Lookup::Absent,
        }
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
        let mut entries = vec![(b, 2), (a, 1), (7, 3), (7, 4)];
        entries.sort_unstable();
        let ids = EmailIds { entries };
        assert!(matches!(ids.get(a), Lookup::Found(1)));
        assert!(matches!(ids.get(b), Lookup::Found(2)));
        assert!(matches!(ids.get(7), Lookup::Ambiguous));
        assert!(matches!(ids.get(email_hash("nobody@example.com")), Lookup::Absent));
    }
}
