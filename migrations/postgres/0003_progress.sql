-- Per-user progress through content (module, learning outcome or lens).
CREATE TABLE content_progress (
    user_id             BIGINT      NOT NULL REFERENCES users (id),
    content_id          TEXT        NOT NULL,
    content_kind        TEXT        NOT NULL CHECK (content_kind IN ('module', 'learning_outcome', 'lens')),
    started_at          TIMESTAMPTZ NOT NULL,
    last_heartbeat_at   TIMESTAMPTZ NOT NULL,
    time_spent_seconds  BIGINT      NOT NULL DEFAULT 0,
    completed_at        TIMESTAMPTZ,
    PRIMARY KEY (user_id, content_id)
);
