-- Test sends: one row per message (a profile rendered for one seed address). The row is written
-- before the message leaves ('pending') and completed after, so a crash mid-batch still leaves a
-- trace of every attempt. No password or other secret is ever stored here.

CREATE TABLE send_log (
    id            INTEGER PRIMARY KEY,
    batch_id      TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,            -- UTC ms, when the row was written
    finished_at   INTEGER,                     -- UTC ms, when the outcome was known
    email         TEXT    NOT NULL,            -- the email's name
    email_version TEXT    NOT NULL,            -- template version (content hash of the compiled email)
    content_hash  TEXT    NOT NULL,            -- blake3 of this message's subject, HTML and text
    profile       TEXT    NOT NULL,            -- the profile rendered as (store reference or sample:<name>)
    recipient     TEXT    NOT NULL,
    transport     TEXT    NOT NULL,            -- outbox, smtp:<profile> or smtp-url:<host:port>
    message_id    TEXT    NOT NULL,
    size_bytes    INTEGER NOT NULL,
    status        TEXT    NOT NULL CHECK (status IN ('pending', 'sent', 'failed', 'not_attempted')),
    response      TEXT,                        -- the server's reply, or the outbox file
    error_code    TEXT,                        -- e.g. auth_failed, timeout, rejected
    error         TEXT                         -- the readable error
);
CREATE INDEX send_log_time ON send_log (created_at);
CREATE INDEX send_log_batch ON send_log (batch_id);
