-- Events arrive mostly in time order: keys that start with the time append to the de-duplication
-- index instead of landing all over it (imports of millions of events stay in memory). The key is
-- now occurred_at (8 bytes, big-endian), profile id (8 bytes), hash (16 bytes).
-- (|| yields text; the cast gives the same bytes back as a blob.)
UPDATE events SET dedup_key = CAST(substr(dedup_key, 9, 8) || substr(dedup_key, 1, 8) || substr(dedup_key, 17) AS BLOB);

-- Each index costs every insert: nothing reads events by type across all profiles through this
-- one (per-profile reads and segment rules use events_profile_type_time).
DROP INDEX events_type_time;
