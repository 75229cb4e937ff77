-- Groups come alive in Discord. The ids of what the bot made are kept so the
-- next sync finds them (and remakes what an admin deleted): per cohort a
-- category and a general channel; per group a voice channel beside the text
-- channel and role, and the channel its welcome was posted in (a remade
-- channel gets the welcome again). realized_at: when Discord first had all
-- of the group (channels, role, members, welcome).
ALTER TABLE cohorts ADD COLUMN discord_category_id TEXT;
ALTER TABLE cohorts ADD COLUMN discord_general_channel_id TEXT;
ALTER TABLE groups ADD COLUMN discord_voice_channel_id TEXT;
ALTER TABLE groups ADD COLUMN discord_welcome_channel_id TEXT;
ALTER TABLE groups ADD COLUMN realized_at TEXT;
-- A job asked for again while it runs (a member joined while the bot was
-- realizing the group) runs once more after this attempt, with fresh data.
ALTER TABLE jobs ADD COLUMN rerun BOOLEAN NOT NULL DEFAULT 0;
