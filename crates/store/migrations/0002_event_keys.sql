-- Events arrive mostly in time order: keys that start with the time append to the de-duplication
-- index instead of landing all over it (imports of millions of events stay in memory). The key is
-- now occurred_at (8 bytes, big-endian), profile id (8 bytes), hash (16 bytes).
-- (|| yields text; the cast gives the same bytes back as a blob.)
UPDATE events SET dedup_key = CAST(substr(dedup_key, 9, 8) || substr(dedup_key, 1, 8) || substr(dedup_key, 17) AS BLOB);

-- Each index costs every insert, and large imports rebuild the per-profile one: nothing read
-- events by type across all profiles, and per-profile reads (a few hundred events at most) need
-- only the profile and the time, which makes that index half the size.
DROP INDEX events_type_time;
DROP INDEX events_profile_type_time;
CREATE INDEX events_profile_time ON events (profile_id, occurred_at);
