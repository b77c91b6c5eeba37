//! The links Tessera put in the emails it sent (`email_links`), for signed click redirects: a
//! token names a row, and the redirect goes to that row's URL and nowhere else.

use rusqlite::{params, OptionalExtension};

use crate::{Store, StoreError};

impl Store {
    /// The id of `url` in `email`, recorded now if it was not yet.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn email_link_id(&self, email: &str, url: &str, now: i64) -> Result<i64, StoreError> {
        self.conn()
            .prepare_cached(
                "INSERT INTO email_links (email, url, created_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (email, url) DO UPDATE SET email = excluded.email RETURNING id",
            )
            .and_then(|mut st| st.query_row(params![email, url, now], |r| r.get(0)))
            .map_err(|e| self.sql_error(e))
    }

    /// The URL of link `id` in `email` (none: no such link in that email).
    ///
    /// # Errors
    /// SQLite errors.
    pub fn email_link_url(&self, id: i64, email: &str) -> Result<Option<String>, StoreError> {
        self.conn()
            .prepare_cached("SELECT url FROM email_links WHERE id = ?1 AND email = ?2")
            .and_then(|mut st| st.query_row(params![id, email], |r| r.get(0)).optional())
            .map_err(|e| self.sql_error(e))
    }
}
