-- Every notification sent (or skipped, and why), once per person, kind and
-- reference: a retried job finds its notification here and sends nothing.
CREATE TABLE notifications (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     INTEGER NOT NULL REFERENCES users (id),
    kind        TEXT    NOT NULL,
    reference   TEXT    NOT NULL,
    channel     TEXT    NOT NULL CHECK (channel IN ('email', 'discord_dm', 'discord_channel')),
    status      TEXT    NOT NULL CHECK (status IN ('sent', 'skipped')),
    detail      TEXT,
    created_at  TEXT    NOT NULL,
    UNIQUE (user_id, kind, reference, channel)
);
