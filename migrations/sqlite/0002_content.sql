-- Requests to reload content (webhook, admin). Every replica polls the
-- newest id and reloads when it grows, so all replicas follow a push.
CREATE TABLE content_refresh_requests (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    reason        TEXT NOT NULL,
    requested_at  TEXT NOT NULL
);
