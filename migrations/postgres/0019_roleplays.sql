-- A roleplay is a conversation with an AI character, one per learner and
-- roleplay segment: a chat session naming its roleplay, beside the tutor's
-- session on the same lens. `finished_at`: the learner finished it (no more
-- messages; its assessment, if any, is an answer to the roleplay).
ALTER TABLE chat_sessions ADD COLUMN roleplay_id TEXT;
ALTER TABLE chat_sessions ADD COLUMN finished_at TIMESTAMPTZ;
DROP INDEX chat_sessions_one_active;
CREATE UNIQUE INDEX chat_sessions_one_active
    ON chat_sessions (user_id, lens_id, COALESCE(roleplay_id, '')) WHERE archived_at IS NULL;
