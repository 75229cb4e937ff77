-- What the tutor looked up while answering (`search_course`, `read_lens`),
-- kept with the answer: the call, what the model was told, and whether it
-- failed. And what the model thought before answering, where the provider
-- streams it: kept apart from the answer, never sent back to the model.
CREATE TABLE chat_tool_uses (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id  INTEGER NOT NULL REFERENCES chat_messages (id),
    name        TEXT    NOT NULL,
    arguments   TEXT    NOT NULL,
    summary     TEXT    NOT NULL,
    result      TEXT    NOT NULL,
    failed      BOOLEAN NOT NULL,
    created_at  TEXT    NOT NULL
);
CREATE INDEX chat_tool_uses_message ON chat_tool_uses (message_id, id);
ALTER TABLE chat_messages ADD COLUMN thinking TEXT;
