//! The profiles table's columns, spelled once: the list every full read and write of a profile
//! row is built from ([`select`], [`insert`], [`update`]), the row a read maps to
//! ([`StoredProfile`]), and which columns are profile fields ([`is_field`]).

use std::sync::OnceLock;

use serde_json::{Map, Value};

/// The text columns besides the email, in the order rows bind and read them. All but `source`
/// (where the row came from) are the profile's data as a template sees it.
pub(crate) const TEXT: [&str; 11] = [
    "crm_id",
    "shop_id",
    "first_name",
    "last_name",
    "phone",
    "locale",
    "timezone",
    "country",
    "postal_code",
    "city",
    "source",
];

/// Whether `name` is a profile field stored as a column: the email, the text columns, the consent
/// and the two times. Everything else a profile holds is a custom attribute in the `attributes`
/// JSON; `id`, `email_key`, `provenance` and `import_batch` are the store's bookkeeping.
pub(crate) fn is_field(name: &str) -> bool {
    matches!(name, "email" | "consent_email" | "created_at" | "updated_at") || TEXT.contains(&name)
}

/// The statements built from the column list, once.
struct Statements {
    select: String,
    insert: String,
    update: String,
}

fn statements() -> &'static Statements {
    static STATEMENTS: OnceLock<Statements> = OnceLock::new();
    STATEMENTS.get_or_init(|| {
        let text = TEXT.join(", ");
        // The columns a new row is written with, in binding order.
        let written = format!(
            "email, email_key, {text}, consent_email, attributes, provenance, created_at, updated_at, import_batch"
        );
        let placeholders = (1..=written.split(", ").count())
            .map(|i| format!("?{i}"))
            .collect::<Vec<_>>()
            .join(", ");
        let set = TEXT
            .iter()
            .chain(&[
                "consent_email",
                "attributes",
                "provenance",
                "updated_at",
                "import_batch",
            ])
            .enumerate()
            .map(|(i, column)| format!("{column} = ?{}", i + 2))
            .collect::<Vec<_>>()
            .join(", ");
        Statements {
            select: format!(
                "id, email, {text}, consent_email, attributes, provenance, created_at, updated_at, import_batch"
            ),
            insert: format!("INSERT INTO profiles ({written}) VALUES ({placeholders}) ON CONFLICT DO NOTHING"),
            update: format!("UPDATE profiles SET {set} WHERE id = ?1"),
        }
    })
}

/// The columns of a full read, in the order [`StoredProfile::from_row`] maps them (a query may
/// select more after them).
pub(crate) fn select() -> &'static str {
    &statements().select
}

/// Inserts a new profile unless a unique column (email key, CRM id, shop id) is taken. Binds, in
/// order: email, email key, the [`TEXT`] columns, consent, attributes (JSON), provenance (JSON),
/// created at, updated at, import batch.
pub(crate) fn insert() -> &'static str {
    &statements().insert
}

/// Rewrites a stored profile's data. Binds, in order: the id, the [`TEXT`] columns, consent,
/// attributes (JSON), provenance (JSON), updated at, import batch.
pub(crate) fn update() -> &'static str {
    &statements().update
}

/// A full profile row as read with [`select`].
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct StoredProfile {
    /// Store id.
    pub id: i64,
    /// The email as written.
    pub email: String,
    /// The [`TEXT`] columns, in that order.
    pub text: Vec<Option<String>>,
    /// Email consent.
    pub consent: Option<bool>,
    /// Custom attributes (empty when the stored JSON is not an object).
    pub attributes: Map<String, Value>,
    /// When and by which batch each field was set, where that differs from the row's own
    /// `updated_at` and `import_batch` (empty when the stored JSON is not an object).
    pub provenance: Map<String, Value>,
    /// Creation (epoch ms).
    pub created_at: i64,
    /// Last update (epoch ms).
    pub updated_at: i64,
    /// The import batch that last wrote the row.
    pub import_batch: Option<i64>,
}

impl StoredProfile {
    /// Maps a row whose first columns are [`select`]'s.
    pub(crate) fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        let n = TEXT.len();
        let mut text = Vec::with_capacity(n);
        for i in 0..n {
            text.push(r.get(2 + i)?);
        }
        let object = |s: String| match serde_json::from_str(&s) {
            Ok(Value::Object(m)) => m,
            _ => Map::new(),
        };
        Ok(Self {
            id: r.get(0)?,
            email: r.get(1)?,
            text,
            consent: r.get(2 + n)?,
            attributes: object(r.get(3 + n)?),
            provenance: object(r.get(4 + n)?),
            created_at: r.get(5 + n)?,
            updated_at: r.get(6 + n)?,
            import_batch: r.get(7 + n)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The statements name every column of the table (as the migrations create it) once.
    #[test]
    fn statements_cover_the_table() {
        let conn = rusqlite::Connection::open_in_memory().expect("memory");
        crate::migrate::apply(&conn, std::path::Path::new("memory")).expect("migrations");
        let mut table: Vec<String> = conn
            .prepare("SELECT name FROM pragma_table_info('profiles')")
            .and_then(|mut st| st.query_map([], |r| r.get(0))?.collect())
            .expect("columns");
        table.sort();
        let mut read: Vec<String> = select().split(", ").map(str::to_owned).collect();
        read.push("email_key".to_owned());
        read.sort();
        assert_eq!(read, table);
        conn.prepare(&format!("SELECT {} FROM profiles", select()))
            .expect("select");
        conn.prepare(insert()).expect("insert");
        conn.prepare(update()).expect("update");
    }

    /// The profile fields are the importable ones.
    #[test]
    fn fields_are_the_importable_profile_fields() {
        let importable = crate::import::mapping::fields(crate::import::Kind::Profiles);
        assert!(importable.iter().all(|f| is_field(f)));
        let columns = ["email", "consent_email", "created_at", "updated_at"].len() + TEXT.len();
        assert_eq!(importable.len(), columns);
        for bookkeeping in ["id", "email_key", "attributes", "provenance", "import_batch"] {
            assert!(!is_field(bookkeeping));
        }
    }
}
