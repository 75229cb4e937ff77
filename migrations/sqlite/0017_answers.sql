-- Answers to question segments: every version a learner submits is a row
-- (version 1, 2, … per learner and question). The question is kept as it
-- was asked, with its rubric, so an assessment can be read (and redone)
-- against what the learner saw. The assessment's state is its job's
-- (`answer:ID:assess` in jobs); its result is written here.
CREATE TABLE answers (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id          INTEGER NOT NULL REFERENCES users (id),
    -- The lens, or the learning outcome whose test holds the question.
    content_id       TEXT    NOT NULL,
    -- The question's `id::`, else a hash of its text.
    question_key     TEXT    NOT NULL,
    question         TEXT    NOT NULL,
    rubric           TEXT,
    version          INTEGER NOT NULL,
    text             TEXT    NOT NULL,
    seconds_taken    INTEGER,
    created_at       TEXT    NOT NULL,
    score            INTEGER CHECK (score BETWEEN 1 AND 5),
    reasoning        TEXT,
    -- JSON: [{"name": …, "note": …}, …]
    dimensions       TEXT,
    assessed_by      TEXT,
    assessed_at      TEXT,
    UNIQUE (user_id, question_key, version)
);
CREATE INDEX answers_of_content ON answers (user_id, content_id);
