-- An answer is stored from its first moment: admitted with the learner's
-- message, flushed as it streams, finished when the model ends. While it
-- streams, `streaming_until` holds a lease (renewed by each flush); a lease
-- that has run out means the core that answered is gone, and the row keeps
-- what had been flushed, marked partial.
ALTER TABLE chat_messages ADD COLUMN streaming_until TIMESTAMPTZ;
CREATE INDEX chat_messages_streaming ON chat_messages (session_id) WHERE streaming_until IS NOT NULL;
