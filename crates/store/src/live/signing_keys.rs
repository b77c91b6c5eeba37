//! The workspace's signing keys: 32-byte secrets kept only in the store (`signing_keys`), used by
//! `tessera-live`'s tokens (HMAC-SHA256). The newest key not retired signs; every key not revoked
//! verifies, so a rotation leaves the tokens already sent valid until they expire.

use rusqlite::params;

use crate::{Store, StoreError};

/// One stored signing key. `Debug` never prints the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct SigningKeyRow {
    /// The key id carried in each token it signs.
    pub id: i64,
    /// The secret.
    pub secret: [u8; 32],
    /// Creation (epoch ms).
    pub created_at: i64,
    /// When a newer key took over signing (epoch ms); it still verifies.
    pub retired_at: Option<i64>,
    /// When it stopped verifying (epoch ms).
    pub revoked_at: Option<i64>,
}

impl std::fmt::Debug for SigningKeyRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKeyRow")
            .field("id", &self.id)
            .field("secret", &"<hidden>")
            .field("created_at", &self.created_at)
            .field("retired_at", &self.retired_at)
            .field("revoked_at", &self.revoked_at)
            .finish()
    }
}

impl Store {
    /// Every signing key, oldest first (revoked ones included).
    ///
    /// # Errors
    /// SQLite errors.
    pub fn signing_keys(&self) -> Result<Vec<SigningKeyRow>, StoreError> {
        let mut st = self
            .conn()
            .prepare_cached("SELECT id, secret, created_at, retired_at, revoked_at FROM signing_keys ORDER BY id")
            .map_err(|e| self.sql_error(e))?;
        let rows = st
            .query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, Vec<u8>>(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                ))
            })
            .and_then(Iterator::collect::<Result<Vec<_>, _>>)
            .map_err(|e| self.sql_error(e))?;
        Ok(rows
            .into_iter()
            .filter_map(|(id, secret, created_at, retired_at, revoked_at)| {
                Some(SigningKeyRow {
                    id,
                    secret: secret.try_into().ok()?,
                    created_at,
                    retired_at,
                    revoked_at,
                })
            })
            .collect())
    }

    /// Makes `secret` the signing key: the keys signing until now are retired (they keep
    /// verifying). One transaction; returns the new key's id.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn rotate_signing_key(&mut self, secret: &[u8; 32], now: i64) -> Result<i64, StoreError> {
        let path = self.path().to_path_buf();
        let sql = |source| StoreError::Sqlite {
            path: path.clone(),
            source,
        };
        let tx = self.conn_mut().transaction().map_err(sql)?;
        let result = (|| {
            tx.execute(
                "UPDATE signing_keys SET retired_at = ?1 WHERE retired_at IS NULL",
                [now],
            )?;
            tx.execute(
                "INSERT INTO signing_keys (secret, created_at) VALUES (?1, ?2)",
                params![secret.as_slice(), now],
            )?;
            let id = tx.last_insert_rowid();
            tx.commit()?;
            Ok(id)
        })();
        result.map_err(sql)
    }

    /// Revokes signing key `id`: its tokens are refused from now on. `false` when there is no
    /// such key in force.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn revoke_signing_key(&self, id: i64, now: i64) -> Result<bool, StoreError> {
        let changed = self
            .conn()
            .execute(
                "UPDATE signing_keys SET revoked_at = ?2, retired_at = COALESCE(retired_at, ?2) \
                 WHERE id = ?1 AND revoked_at IS NULL",
                params![id, now],
            )
            .map_err(|e| self.sql_error(e))?;
        Ok(changed > 0)
    }
}
