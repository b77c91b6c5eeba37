-- Segment rules and scores read a profile's events by type and time and add up their values
-- (sums, monetary score). With the value in the per-profile index those reads stay inside it:
-- a full evaluation no longer looks up each purchase's row in the table, which is in arrival
-- order, spread over the whole file. Same name: queries that name the index keep working.
DROP INDEX events_profile_type_time;
CREATE INDEX events_profile_type_time ON events (profile_id, type, occurred_at, value);
