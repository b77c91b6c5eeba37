-- Product popularity (the bestseller fallback) counts the purchases of a 90-day window by SKU.
-- No index held purchases by time, so every full refresh and every import of purchases read the
-- whole events table for it (at 10,000,000 events: all of a 1 GB table, on the CPU and in the
-- resident memory of the mapped pass). This one holds only purchases, time first: the window is
-- one range of it, read without the table (`type` is in it so that the read needs nothing else),
-- and events imported in time order append to it.
CREATE INDEX events_purchases ON events (occurred_at, sku, type) WHERE type = 'purchase';
