-- A group's weekly time may be anchored in a timezone: the same local time
-- every week, moving in UTC with that zone's clock changes. meeting_start_slot
-- stays the UTC start in the first meeting week (for ordering and display);
-- meeting_local_slot is the start in the anchor's local week (NULL for UTC,
-- where it equals meeting_start_slot).
ALTER TABLE groups ADD COLUMN meeting_anchor TEXT NOT NULL DEFAULT 'UTC';
ALTER TABLE groups ADD COLUMN meeting_local_slot INTEGER;
