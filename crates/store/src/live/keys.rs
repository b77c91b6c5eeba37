//! API keys of the live collector: stored as a BLAKE3 hash of the secret, never the secret.

use rusqlite::{params, OptionalExtension};

use crate::{Store, StoreError};

/// What a key may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum KeyKind {
    /// Send data (the Segment write key).
    Write,
    /// Read profiles, members and the stream.
    Read,
}

impl KeyKind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Write => "write",
            Self::Read => "read",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        match text {
            "write" => Some(Self::Write),
            "read" => Some(Self::Read),
            _ => None,
        }
    }
}

impl std::fmt::Display for KeyKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A stored key as listed (no secret).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct KeyInfo {
    /// The key's id (for `tessera keys revoke`).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub id: i64,
    /// What it may do.
    pub kind: KeyKind,
    /// The first characters of the secret.
    pub prefix: String,
    /// Creation (epoch ms).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub created_at: i64,
    /// Revocation (epoch ms), when revoked.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub revoked_at: Option<i64>,
}

/// The hash a secret is stored and looked up by.
#[must_use]
pub fn key_hash(secret: &str) -> [u8; 32] {
    *blake3::hash(secret.as_bytes()).as_bytes()
}

impl Store {
    /// Stores a new key by the hash of its secret; returns its id.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn add_live_key(&self, kind: KeyKind, secret: &str, now: i64) -> Result<i64, StoreError> {
        let prefix: String = secret.chars().take(10).collect();
        self.conn()
            .execute(
                "INSERT INTO live_keys (kind, hash, prefix, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![kind.as_str(), key_hash(secret).as_slice(), prefix, now],
            )
            .map_err(|e| self.sql_error(e))?;
        Ok(self.conn().last_insert_rowid())
    }

    /// Every key, revoked ones included, oldest first.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn live_keys(&self) -> Result<Vec<KeyInfo>, StoreError> {
        let mut st = self
            .conn()
            .prepare("SELECT id, kind, prefix, created_at, revoked_at FROM live_keys ORDER BY id")
            .map_err(|e| self.sql_error(e))?;
        let rows = st
            .query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                ))
            })
            .and_then(Iterator::collect::<Result<Vec<_>, _>>)
            .map_err(|e| self.sql_error(e))?;
        Ok(rows
            .into_iter()
            .filter_map(|(id, kind, prefix, created_at, revoked_at)| {
                Some(KeyInfo {
                    id,
                    kind: KeyKind::parse(&kind)?,
                    prefix,
                    created_at,
                    revoked_at,
                })
            })
            .collect())
    }

    /// The hashes of the keys in force, with their kinds.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn active_live_keys(&self) -> Result<Vec<([u8; 32], KeyKind)>, StoreError> {
        let mut st = self
            .conn()
            .prepare_cached("SELECT hash, kind FROM live_keys WHERE revoked_at IS NULL")
            .map_err(|e| self.sql_error(e))?;
        let rows = st
            .query_map([], |r| Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, String>(1)?)))
            .and_then(Iterator::collect::<Result<Vec<_>, _>>)
            .map_err(|e| self.sql_error(e))?;
        Ok(rows
            .into_iter()
            .filter_map(|(hash, kind)| Some((hash.try_into().ok()?, KeyKind::parse(&kind)?)))
            .collect())
    }

    /// Revokes key `id`; `false` when there is no such key in force.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn revoke_live_key(&self, id: i64, now: i64) -> Result<bool, StoreError> {
        let found: Option<i64> = self
            .conn()
            .query_row(
                "SELECT id FROM live_keys WHERE id = ?1 AND revoked_at IS NULL",
                [id],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.sql_error(e))?;
        if found.is_none() {
            return Ok(false);
        }
        self.conn()
            .execute("UPDATE live_keys SET revoked_at = ?2 WHERE id = ?1", params![id, now])
            .map_err(|e| self.sql_error(e))?;
        Ok(true)
    }
}

impl Store {
    /// The profile a `userId` or `anonymousId` of the collector is bound to, if any.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn live_identity(&self, external_id: &str) -> Result<Option<i64>, StoreError> {
        self.conn()
            .prepare_cached("SELECT profile_id FROM live_identities WHERE external_id = ?1 ORDER BY kind DESC LIMIT 1")
            .and_then(|mut st| st.query_row([external_id], |r| r.get(0)).optional())
            .map_err(|e| self.sql_error(e))
    }
}
