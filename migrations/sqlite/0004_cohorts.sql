-- Weekly availability, facilitators, cohorts, sign-ups, groups, members and
-- the outbox of side effects. Slot lists are JSON arrays of local week slots.

CREATE TABLE user_availability (
    user_id     INTEGER PRIMARY KEY REFERENCES users (id),
    timezone    TEXT    NOT NULL,
    available   TEXT    NOT NULL,
    if_needed   TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL
);

CREATE TABLE facilitators (
    user_id            INTEGER PRIMARY KEY REFERENCES users (id),
    max_active_groups  INTEGER NOT NULL DEFAULT 2,
    certified_at       TEXT    NOT NULL
);

CREATE TABLE cohorts (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    name           TEXT    NOT NULL,
    course_slug    TEXT    NOT NULL,
    start_date     TEXT    NOT NULL,
    meeting_count  INTEGER NOT NULL,
    status         TEXT    NOT NULL DEFAULT 'planned'
                   CHECK (status IN ('planned', 'active', 'completed', 'cancelled')),
    created_at     TEXT    NOT NULL
);

CREATE TABLE signups (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    cohort_id           INTEGER NOT NULL REFERENCES cohorts (id),
    user_id             INTEGER NOT NULL REFERENCES users (id),
    role                TEXT    NOT NULL CHECK (role IN ('learner', 'facilitator')),
    ungroupable_reason  TEXT,
    created_at          TEXT    NOT NULL,
    UNIQUE (cohort_id, user_id)
);

CREATE TABLE groups (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    cohort_id           INTEGER NOT NULL REFERENCES cohorts (id),
    name                TEXT    NOT NULL,
    status              TEXT    NOT NULL CHECK (status IN ('preview', 'active', 'completed', 'cancelled')),
    meeting_start_slot  INTEGER NOT NULL,
    discord_channel_id  TEXT,
    discord_role_id     TEXT,
    created_at          TEXT    NOT NULL
);
CREATE INDEX groups_cohort ON groups (cohort_id, status);

CREATE TABLE group_members (
    group_id     INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    user_id      INTEGER NOT NULL REFERENCES users (id),
    role         TEXT    NOT NULL CHECK (role IN ('learner', 'facilitator')),
    status       TEXT    NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'dropped', 'completed', 'removed')),
    joined_at    TEXT    NOT NULL,
    left_at      TEXT,
    left_reason  TEXT,
    PRIMARY KEY (group_id, user_id)
);

-- Side effects to deliver at least once (Discord, calendar, email), written
-- in the same transaction as the change that causes them.
CREATE TABLE outbox (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    kind             TEXT    NOT NULL,
    payload          TEXT    NOT NULL,
    idempotency_key  TEXT    NOT NULL UNIQUE,
    created_at       TEXT    NOT NULL,
    done_at          TEXT
);
