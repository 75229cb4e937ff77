-- Per-user progress through content (module, learning outcome or lens).
CREATE TABLE content_progress (
    user_id             INTEGER NOT NULL REFERENCES users (id),
    content_id          TEXT    NOT NULL,
    content_kind        TEXT    NOT NULL CHECK (content_kind IN ('module', 'learning_outcome', 'lens')),
    started_at          TEXT    NOT NULL,
    last_heartbeat_at   TEXT    NOT NULL,
    time_spent_seconds  INTEGER NOT NULL DEFAULT 0,
    completed_at        TEXT,
    PRIMARY KEY (user_id, content_id)
);
