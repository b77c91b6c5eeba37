-- Signing keys of the workspace: the secrets that sign open-time URLs (feed and live-image tokens,
-- click redirects) with HMAC-SHA256. Kept here and nowhere else: never in a file or a log.
-- The key with the highest id not revoked signs; every key not revoked verifies, so a rotation
-- keeps the tokens signed with older keys valid until they expire.
CREATE TABLE signing_keys (
    id         INTEGER PRIMARY KEY,
    secret     BLOB    NOT NULL CHECK (length(secret) = 32),
    created_at INTEGER NOT NULL,
    -- When a newer key took over signing (rotation); the key still verifies.
    retired_at INTEGER,
    -- When the key stopped verifying too: its tokens are refused from then on.
    revoked_at INTEGER
);
