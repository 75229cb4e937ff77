-- The outbox becomes the delivery engine's job table: every side effect is a
-- durable job, written in the transaction of the change that causes it, run
-- at least once (idempotent by key), claimed under a lease so several core
-- replicas never run one at the same time, retried with backoff, and kept as
-- failed with its last error when it gives up. See docs/architecture.md.
CREATE TABLE jobs (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    kind             TEXT        NOT NULL,
    payload          TEXT        NOT NULL,
    idempotency_key  TEXT        NOT NULL UNIQUE,
    state            TEXT        NOT NULL DEFAULT 'pending'
                     CHECK (state IN ('pending', 'running', 'done', 'failed', 'cancelled')),
    attempts         INTEGER     NOT NULL DEFAULT 0,
    run_at           TEXT        NOT NULL,
    lease_until      TEXT       ,
    last_error       TEXT,
    created_at       TEXT        NOT NULL,
    finished_at      TEXT       
);
CREATE INDEX jobs_due ON jobs (state, run_at);
INSERT INTO jobs (kind, payload, idempotency_key, state, run_at, created_at, finished_at)
    SELECT kind, payload, idempotency_key,
           CASE WHEN done_at IS NULL THEN 'pending' ELSE 'done' END,
           created_at, created_at, done_at
    FROM outbox ORDER BY id;
DROP TABLE outbox;
