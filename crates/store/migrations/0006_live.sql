-- The live collector (`tessera serve`): API keys, message ids seen (de-duplication), the ids a
-- Segment-style client knows a person by, what arrived before the person could be resolved to a
-- profile, and events whose names are not one of the store's event types.

-- Write and read keys, stored as a BLAKE3 hash of the secret (the secret itself is shown once).
CREATE TABLE live_keys (
    id         INTEGER PRIMARY KEY,
    kind       TEXT    NOT NULL CHECK (kind IN ('write', 'read')),
    hash       BLOB    NOT NULL UNIQUE,
    -- The first characters of the secret, to recognize a key in a list.
    prefix     TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);

-- Every messageId stored, so that a retried request never doubles an event.
CREATE TABLE live_messages (
    message_id  TEXT    PRIMARY KEY,
    received_at INTEGER NOT NULL
) WITHOUT ROWID;

-- userId and anonymousId values bound to the profile they belong to.
CREATE TABLE live_identities (
    kind        TEXT    NOT NULL CHECK (kind IN ('user', 'anonymous')),
    external_id TEXT    NOT NULL,
    profile_id  INTEGER NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    PRIMARY KEY (kind, external_id)
) WITHOUT ROWID;
CREATE INDEX live_identities_profile ON live_identities (profile_id);

-- Calls for a person who has no profile yet (an anonymous visitor, a user without an email):
-- applied in order once an identify or alias binds the id to a profile.
CREATE TABLE live_pending (
    id          INTEGER PRIMARY KEY,
    kind        TEXT    NOT NULL CHECK (kind IN ('user', 'anonymous')),
    external_id TEXT    NOT NULL,
    call        TEXT    NOT NULL CHECK (json_valid(call)),
    received_at INTEGER NOT NULL
);
CREATE INDEX live_pending_who ON live_pending (kind, external_id);

-- Events whose names map to no event type of the store, kept with their properties.
CREATE TABLE custom_events (
    id          INTEGER PRIMARY KEY,
    profile_id  INTEGER NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    name        TEXT    NOT NULL,
    properties  TEXT    NOT NULL CHECK (json_valid(properties)),
    occurred_at INTEGER NOT NULL,
    message_id  TEXT
);
CREATE INDEX custom_events_profile ON custom_events (profile_id, name, occurred_at);
