-- Profiles, behavioural events, products and import batches.
-- Times are UTC milliseconds since the Unix epoch (INTEGER): they sort and compare exactly.

CREATE TABLE import_batches (
    id          INTEGER PRIMARY KEY,
    kind        TEXT    NOT NULL CHECK (kind IN ('profiles', 'events', 'products')),
    file_name   TEXT    NOT NULL,
    file_hash   TEXT    NOT NULL,
    encoding    TEXT    NOT NULL,
    started_at  INTEGER NOT NULL,
    finished_at INTEGER NOT NULL,
    rows_read   INTEGER NOT NULL,
    inserted    INTEGER NOT NULL,
    updated     INTEGER NOT NULL,
    merged      INTEGER NOT NULL,
    unchanged   INTEGER NOT NULL,
    rejected    INTEGER NOT NULL,
    report      TEXT    NOT NULL CHECK (json_valid(report))
);
CREATE INDEX import_batches_hash ON import_batches (kind, file_hash);

CREATE TABLE profiles (
    id            INTEGER PRIMARY KEY,
    email         TEXT    NOT NULL,
    email_key     TEXT    NOT NULL UNIQUE,
    crm_id        TEXT    UNIQUE,
    shop_id       TEXT    UNIQUE,
    first_name    TEXT,
    last_name     TEXT,
    phone         TEXT,
    locale        TEXT,
    timezone      TEXT,
    country       TEXT,
    postal_code   TEXT,
    city          TEXT,
    consent_email INTEGER CHECK (consent_email IN (0, 1)),
    attributes    TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(attributes)),
    provenance    TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(provenance)),
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    source        TEXT,
    import_batch  INTEGER REFERENCES import_batches (id)
);
CREATE INDEX profiles_match ON profiles (postal_code, last_name COLLATE NOCASE);

CREATE TABLE events (
    id           INTEGER PRIMARY KEY,
    profile_id   INTEGER NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    type         TEXT    NOT NULL CHECK (type IN ('page_view', 'product_view', 'add_to_cart', 'purchase', 'email_open', 'click')),
    sku          TEXT,
    category     TEXT,
    value        REAL,
    currency     TEXT,
    occurred_at  INTEGER NOT NULL,
    source       TEXT,
    import_batch INTEGER REFERENCES import_batches (id),
    -- profile id and time first (big-endian) so that inserts stay local in the index, then a hash
    -- of the rest: the same event imported twice is one row.
    dedup_key    BLOB    NOT NULL UNIQUE
);
CREATE INDEX events_type_time ON events (type, occurred_at);
CREATE INDEX events_profile_type_time ON events (profile_id, type, occurred_at);

CREATE TABLE products (
    sku          TEXT    PRIMARY KEY,
    name         TEXT    NOT NULL,
    price        REAL    CHECK (price >= 0),
    currency     TEXT,
    category     TEXT,
    image_url    TEXT,
    url          TEXT,
    stock        INTEGER,
    updated_at   INTEGER NOT NULL,
    import_batch INTEGER REFERENCES import_batches (id)
);
CREATE INDEX products_category ON products (category);
