-- How long a cohort runs, in days (the original system kept it beside the
-- meeting count: reading weeks can extend past the last meeting).
ALTER TABLE cohorts ADD COLUMN duration_days BIGINT NOT NULL DEFAULT 0;
