-- People who signed in with Discord, and sessions revoked before expiry.
-- Timestamps are RFC 3339 text in UTC (sqlx's encoding of DateTime<Utc>).

CREATE TABLE users (
    -- AUTOINCREMENT: ids of deleted rows are never handed out again.
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    discord_id         TEXT    NOT NULL UNIQUE,
    discord_username   TEXT    NOT NULL,
    avatar_hash        TEXT,
    nickname           TEXT,
    email              TEXT,
    -- Who set the email: 'discord' (refreshed on sign-in) or 'user' (kept).
    email_source       TEXT    CHECK (email_source IN ('discord', 'user')),
    email_verified_at  TEXT,
    timezone           TEXT,
    notify_email       BOOLEAN NOT NULL DEFAULT 1,
    notify_discord_dm  BOOLEAN NOT NULL DEFAULT 1,
    is_admin           BOOLEAN NOT NULL DEFAULT 0,
    last_active_at     TEXT,
    created_at         TEXT    NOT NULL,
    updated_at         TEXT    NOT NULL,
    deleted_at         TEXT
);

CREATE TABLE revoked_sessions (
    jti         TEXT    PRIMARY KEY,
    user_id     INTEGER REFERENCES users (id),
    -- Kept until the token would have expired anyway, then purged.
    expires_at  TEXT    NOT NULL,
    revoked_at  TEXT    NOT NULL
);

CREATE INDEX revoked_sessions_expires_at ON revoked_sessions (expires_at);
