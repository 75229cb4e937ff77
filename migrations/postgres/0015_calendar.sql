-- Each group's recurring Google Calendar event. Its id is chosen by Lens
-- (derived from the group and `generation`) before it is created, so a
-- create whose answer was lost is found again instead of made twice; an
-- event deleted in Google is remade under the next generation.
CREATE TABLE calendar_events (
    group_id    BIGINT  PRIMARY KEY REFERENCES groups (id),
    generation  BIGINT  NOT NULL DEFAULT 0,
    created     BOOLEAN NOT NULL DEFAULT FALSE,
    synced_at   TIMESTAMPTZ
);
-- A postponed meeting's instance is cancelled in the calendar once.
ALTER TABLE meetings ADD COLUMN calendar_cancelled BOOLEAN NOT NULL DEFAULT FALSE;
-- The last answer the calendar gave for this person and meeting: a pull
-- changes the RSVP only when the calendar's answer changed since, so an
-- answer given in Lens afterwards is not overwritten by an older one.
ALTER TABLE attendances ADD COLUMN calendar_rsvp TEXT
    CHECK (calendar_rsvp IN ('pending', 'attending', 'not_attending', 'tentative'));
-- Calendar work is now one sync per group (it makes the event match the
-- data); the step-wise jobs queued before are superseded.
UPDATE jobs SET state = 'cancelled'
    WHERE kind IN ('calendar.create_group_event', 'calendar.add_attendee') AND state = 'pending';
