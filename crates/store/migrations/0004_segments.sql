-- Segments: the definitions the membership below was computed from, materialized membership with
-- the time each profile entered and left, the cut points of the RFM quintiles, and product
-- popularity for the bestseller fallback of recommendations.

-- A copy of each workspace segment file (`segments/<name>.json`) as last synchronized: imports
-- re-evaluate affected profiles against these without reading the workspace.
CREATE TABLE segment_definitions (
    name        TEXT    PRIMARY KEY,
    definition  TEXT    NOT NULL CHECK (json_valid(definition)),
    hash        TEXT    NOT NULL,
    synced_at   INTEGER NOT NULL,
    -- When the segment was last evaluated over the whole store (NULL: never).
    evaluated_at INTEGER
);

-- One row per stay in a segment: a profile that leaves gets left_at; re-entering opens a new row.
CREATE TABLE segment_membership (
    segment    TEXT    NOT NULL,
    profile_id INTEGER NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    entered_at INTEGER NOT NULL,
    left_at    INTEGER,
    CHECK (left_at IS NULL OR left_at >= entered_at)
);
-- At most one current stay per segment and profile; also the index for counts and member lists.
CREATE UNIQUE INDEX segment_membership_current ON segment_membership (segment, profile_id) WHERE left_at IS NULL;
CREATE INDEX segment_membership_profile ON segment_membership (profile_id) WHERE left_at IS NULL;

-- The four cut points of each quintile score (recency, frequency, monetary), computed over the store
-- by a full refresh; incremental updates place a profile against the last ones.
CREATE TABLE segment_score_cuts (
    score       TEXT    PRIMARY KEY,
    cuts        TEXT    NOT NULL CHECK (json_valid(cuts)),
    computed_at INTEGER NOT NULL
);

-- Purchases per product over the popularity window, for the bestseller fallback of recommendations.
CREATE TABLE product_popularity (
    sku         TEXT    PRIMARY KEY,
    purchases   INTEGER NOT NULL,
    computed_at INTEGER NOT NULL
);
