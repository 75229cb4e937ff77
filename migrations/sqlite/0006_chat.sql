-- AI tutor conversations: one active session per user and lens (resumed on
-- return), and their messages.
CREATE TABLE chat_sessions (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id         INTEGER NOT NULL REFERENCES users (id),
    lens_id         TEXT    NOT NULL,
    started_at      TEXT    NOT NULL,
    last_active_at  TEXT    NOT NULL,
    archived_at     TEXT
);
CREATE UNIQUE INDEX chat_sessions_one_active ON chat_sessions (user_id, lens_id) WHERE archived_at IS NULL;

CREATE TABLE chat_messages (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id     INTEGER NOT NULL REFERENCES chat_sessions (id),
    role           TEXT    NOT NULL CHECK (role IN ('user', 'assistant')),
    content        TEXT    NOT NULL,
    status         TEXT    NOT NULL CHECK (status IN ('complete', 'partial')),
    error          TEXT,
    model          TEXT,
    input_tokens   INTEGER,
    output_tokens  INTEGER,
    created_at     TEXT    NOT NULL
);
CREATE INDEX chat_messages_session ON chat_messages (session_id, id);
