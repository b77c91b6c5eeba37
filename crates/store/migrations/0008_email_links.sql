-- The links Tessera put in an email it sent (test sends with `[live] base_url`): a click goes to
-- `/r/<token>`, whose signed token names a row here, and is redirected to that row's URL only, so
-- the redirect can never send anyone to an address Tessera did not write (no open redirect).
CREATE TABLE email_links (
    id         INTEGER PRIMARY KEY,
    -- The email (its name in the workspace) the link is in.
    email      TEXT    NOT NULL,
    -- The link's target as rendered (an http or https URL).
    url        TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (email, url)
);
