-- The send-time values of live blocks (`.tessera/sent-values.db`, a file of its own beside the
-- store): what each live block showed a stored profile when an email was sent, so that
-- `tessera serve` can answer with them when the store cannot answer in time. Only the newest
-- values per (profile, email, block) are kept.
CREATE TABLE IF NOT EXISTS sent_values (
    profile_id INTEGER NOT NULL,
    email      TEXT    NOT NULL,
    block      TEXT    NOT NULL,
    -- When the send rendered them (Unix milliseconds).
    sent_at    INTEGER NOT NULL,
    -- The test send's batch id in the store's send log.
    batch_id   TEXT    NOT NULL,
    -- The block's feed data at send time as the feed answers it (`{"items": [item]}`), JSON.
    feed       TEXT    NOT NULL CHECK (json_valid(feed)),
    -- The feed kind's shape at send time (what the live image draws), JSON.
    shape      TEXT    NOT NULL CHECK (json_valid(shape)),
    PRIMARY KEY (profile_id, email, block)
) WITHOUT ROWID;
