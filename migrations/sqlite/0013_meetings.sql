-- A committed group's weekly meetings, numbered 1..N. A postponed meeting
-- keeps its row (status 'postponed', no number); the later ones take the
-- numbers down and one is added a week after the last.
CREATE TABLE meetings (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    group_id    INTEGER NOT NULL REFERENCES groups (id),
    number      INTEGER,
    starts_at   TEXT    NOT NULL,
    minutes     INTEGER NOT NULL,
    status      TEXT    NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'postponed')),
    created_at  TEXT    NOT NULL
);
CREATE INDEX meetings_group ON meetings (group_id, starts_at);

-- Who said they would come, and who came. A member without a row has not
-- answered (pending) and has no attendance recorded.
CREATE TABLE attendances (
    meeting_id   INTEGER NOT NULL REFERENCES meetings (id),
    user_id      INTEGER NOT NULL REFERENCES users (id),
    rsvp         TEXT    NOT NULL DEFAULT 'pending'
                 CHECK (rsvp IN ('pending', 'attending', 'not_attending', 'tentative')),
    rsvp_at      TEXT,
    attended     BOOLEAN,
    recorded_at  TEXT,
    PRIMARY KEY (meeting_id, user_id)
);
