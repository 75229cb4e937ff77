-- A learner is in at most one group of a cohort: the database says so, as
-- well as the join code that checks it under a lock. Members carry their
-- group's cohort for that rule (facilitators may lead several groups).
ALTER TABLE group_members ADD COLUMN cohort_id BIGINT REFERENCES cohorts (id);
UPDATE group_members SET cohort_id = (SELECT cohort_id FROM groups WHERE groups.id = group_members.group_id);
CREATE UNIQUE INDEX group_members_one_group_per_learner ON group_members (cohort_id, user_id)
    WHERE role = 'learner' AND status = 'active';
