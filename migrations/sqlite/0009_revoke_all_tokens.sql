-- Revoking every token of a user, or of an edge, at once: tokens issued up to
-- this moment are refused (a single token is revoked in revoked_sessions).
ALTER TABLE users ADD COLUMN tokens_valid_after TEXT;
CREATE TABLE edge_tokens_valid_after (
    edge         TEXT PRIMARY KEY CHECK (edge IN ('edge:web', 'edge:discord')),
    valid_after  TEXT NOT NULL
);
