//! Durable jobs: the delivery engine's queue (see `crate::delivery`).
//!
//! A job is claimed by setting it `running` with a lease; the attempt number
//! it was claimed with is the fence every later write names, so a worker
//! whose lease ran out (and whose job another worker claimed) cannot
//! overwrite the newer attempt's outcome.

use chrono::{DateTime, Utc};

use super::{Store, StoreResult, on_backend};
use crate::clock;
use crate::domain::{JobId, JobState};

/// Writes a job inside the caller's transaction (bind kind, payload,
/// idempotency key, run at, created at). A key already queued is kept as it
/// is: enqueueing is idempotent.
pub(crate) const ENQUEUE: &str = "INSERT INTO jobs (kind, payload, idempotency_key, run_at, created_at) VALUES ($1, $2, $3, $4, $5) \
     ON CONFLICT (idempotency_key) DO NOTHING";

/// Asks for a job again inside the caller's transaction (same binds as
/// [`ENQUEUE`]), for work that makes something match the current data (a
/// group's Discord state): a pending job is left as it is (it will read the
/// new data), a running one is marked to run once more when its attempt
/// ends, and a finished one is queued afresh. So a burst of changes costs
/// one run, and no change is missed by a run that read the data before it.
pub(crate) const ENQUEUE_AGAIN: &str = "INSERT INTO jobs (kind, payload, idempotency_key, run_at, created_at) VALUES ($1, $2, $3, $4, $5) \
     ON CONFLICT (idempotency_key) DO UPDATE SET \
       rerun = (jobs.state = 'running'), \
       state = CASE WHEN jobs.state = 'running' THEN 'running' ELSE 'pending' END, \
       attempts = CASE WHEN jobs.state IN ('pending', 'running') THEN jobs.attempts ELSE 0 END, \
       run_at = CASE WHEN jobs.state IN ('pending', 'running') THEN jobs.run_at ELSE excluded.run_at END, \
       finished_at = CASE WHEN jobs.state = 'running' THEN jobs.finished_at ELSE NULL END";

/// Writes `$job` (anything with `kind`, `payload` and `key`) with `$sql`
/// ([`ENQUEUE`] or [`ENQUEUE_AGAIN`]) on `$executor` (the caller's
/// transaction), due at `$now`; rows affected.
macro_rules! write_job {
    ($sql:expr, $executor:expr, $job:expr, $now:expr) => {{
        let job = $job;
        sqlx::query($sql)
            .bind(job.kind())
            .bind(job.payload())
            .bind(job.key())
            .bind($now)
            .bind($now)
            .execute($executor)
            .await
            .map(|done| done.rows_affected())
    }};
}
pub(crate) use write_job;

/// Asks again for `$job` (a [`crate::domain::DiscordJob`] or a
/// [`crate::calendar::CalendarJob`]: work that makes a third party match
/// the data) with [`ENQUEUE_AGAIN`] inside the caller's transaction, due
/// at `$now`.
macro_rules! ask_again {
    ($executor:expr, $job:expr, $now:expr) => {{ $crate::store::jobs::write_job!($crate::store::jobs::ENQUEUE_AGAIN, $executor, $job, $now) }};
}
pub(crate) use ask_again;

/// Queues `$email` (a [`crate::email::EmailJob`]) with [`ENQUEUE`] inside
/// the caller's transaction, due at `$now`: an email queued with the change
/// it tells of.
macro_rules! queue_email {
    ($executor:expr, $email:expr, $now:expr) => {{
        let email: $crate::email::EmailJob = $email;
        $crate::store::jobs::write_job!($crate::store::jobs::ENQUEUE, $executor, email, $now)
    }};
}
pub(crate) use queue_email;

const COLUMNS: &str = "id, kind, payload, idempotency_key, state, attempts, run_at, lease_until, last_error, created_at, finished_at";

/// A stored job.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct JobRecord {
    /// Id.
    pub id: JobId,
    /// What to do, for example `discord.realize_group`.
    pub kind: String,
    /// Its input, JSON.
    pub payload: String,
    /// Unique per effect: queueing the same effect twice queues it once.
    pub idempotency_key: String,
    /// Where it is.
    pub state: JobState,
    /// Attempts started so far (the current one included while running).
    pub attempts: i32,
    /// Not to run before.
    pub run_at: DateTime<Utc>,
    /// While running: until when its worker holds it.
    pub lease_until: Option<DateTime<Utc>>,
    /// Why the last attempt did not deliver.
    pub last_error: Option<String>,
    /// Queued at.
    pub created_at: DateTime<Utc>,
    /// Done, failed or cancelled at.
    pub finished_at: Option<DateTime<Utc>>,
}

impl Store {
    /// Queues a job outside any other change (for work that is not the
    /// consequence of a stored change, such as a scheduled reminder).
    pub async fn enqueue_job(
        &self,
        kind: &str,
        payload: &str,
        idempotency_key: &str,
        run_at: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let queued = self
            .write_job(ENQUEUE, kind, payload, idempotency_key, run_at)
            .await?;
        Ok(queued == 1)
    }

    /// Asks for a job again outside any other change, with
    /// [`ENQUEUE_AGAIN`]'s semantics (a finished one is queued afresh, a
    /// running one runs once more): for work asked for on demand or on a
    /// timer, such as reading calendar answers.
    pub async fn ask_again_job(
        &self,
        kind: &str,
        payload: &str,
        idempotency_key: &str,
        run_at: DateTime<Utc>,
    ) -> StoreResult<()> {
        self.write_job(ENQUEUE_AGAIN, kind, payload, idempotency_key, run_at)
            .await
            .map(drop)
    }

    async fn write_job(
        &self,
        sql: &'static str,
        kind: &str,
        payload: &str,
        idempotency_key: &str,
        run_at: DateTime<Utc>,
    ) -> StoreResult<u64> {
        let written = on_backend!(self, |pool| {
            sqlx::query(sql)
                .bind(kind)
                .bind(payload)
                .bind(idempotency_key)
                .bind(run_at)
                .bind(clock::now())
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(written)
    }

    /// How many jobs of each kind are pending, running or failed (for the
    /// metrics; finished jobs are not counted).
    pub async fn job_counts(&self) -> StoreResult<Vec<(String, JobState, i64)>> {
        let sql = "SELECT kind, state, COUNT(*) FROM jobs \
                   WHERE state IN ('pending', 'running', 'failed') GROUP BY kind, state";
        let counts = on_backend!(self, |pool| {
            sqlx::query_as::<_, (String, JobState, i64)>(sql)
                .fetch_all(pool)
                .await?
        });
        Ok(counts)
    }

    /// Claims up to `limit` due jobs whose kind starts with `kind_prefix`:
    /// pending ones whose time has come, and running ones whose lease ran
    /// out (their worker died). Each is held until `now + lease`. Two
    /// claimers never get the same job: PostgreSQL skips rows another
    /// transaction has locked; SQLite runs one writer at a time.
    pub async fn claim_jobs(
        &self,
        kind_prefix: &str,
        limit: i64,
        lease: std::time::Duration,
    ) -> StoreResult<Vec<JobRecord>> {
        self.claim_jobs_at(kind_prefix, limit, lease, clock::now())
            .await
    }

    /// As [`Store::claim_jobs`], with `now` deciding what is due (a
    /// scheduled job's time, a lease's end).
    pub async fn claim_jobs_at(
        &self,
        kind_prefix: &str,
        limit: i64,
        lease: std::time::Duration,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<JobRecord>> {
        let lease_until = now + chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::MAX);
        let due = "SELECT id FROM jobs WHERE substr(kind, 1, length($3)) = $3 \
                   AND ((state = 'pending' AND run_at <= $1) OR (state = 'running' AND lease_until < $1)) \
                   ORDER BY run_at, id LIMIT $4";
        let claim = |lock: &str| {
            format!(
                "UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_until = $2 \
                 WHERE id IN ({due}{lock}) RETURNING {COLUMNS}"
            )
        };
        let mut jobs = match &self.backend {
            super::Backend::Sqlite(pool) => {
                sqlx::query_as::<_, JobRecord>(sqlx::AssertSqlSafe(claim("")))
                    .bind(now)
                    .bind(lease_until)
                    .bind(kind_prefix)
                    .bind(limit)
                    .fetch_all(pool)
                    .await?
            }
            // Replicas claim side by side: each skips the rows the others
            // are claiming instead of waiting for them.
            super::Backend::Postgres(pool) => {
                sqlx::query_as::<_, JobRecord>(sqlx::AssertSqlSafe(claim(
                    " FOR UPDATE SKIP LOCKED",
                )))
                .bind(now)
                .bind(lease_until)
                .bind(kind_prefix)
                .bind(limit)
                .fetch_all(pool)
                .await?
            }
        };
        jobs.sort_by_key(|j| (j.run_at, j.id));
        Ok(jobs)
    }

    /// Records the outcome of attempt `attempt` of job `id`: `state` with
    /// `error`, and for a retry the time to try again. A job asked for again
    /// while this attempt ran ([`ENQUEUE_AGAIN`]) goes back to the queue
    /// instead of ending done. False if the attempt no longer holds the job
    /// (its lease ran out and another took it).
    pub async fn finish_attempt(
        &self,
        id: JobId,
        attempt: i32,
        state: JobState,
        error: Option<&str>,
        retry_at: Option<DateTime<Utc>>,
    ) -> StoreResult<bool> {
        let now = clock::now();
        let finished = (state != JobState::Pending).then_some(now);
        let again = state == JobState::Done;
        let sql = "UPDATE jobs SET \
                   state = CASE WHEN rerun AND $7 THEN 'pending' ELSE $3 END, \
                   attempts = CASE WHEN rerun AND $7 THEN 0 ELSE attempts END, \
                   last_error = COALESCE($4, last_error), \
                   run_at = CASE WHEN rerun AND $7 THEN $8 ELSE COALESCE($5, run_at) END, \
                   finished_at = CASE WHEN rerun AND $7 THEN NULL ELSE $6 END, \
                   lease_until = NULL, rerun = FALSE \
                   WHERE id = $1 AND attempts = $2 AND state = 'running'";
        let changed = on_backend!(self, |pool| {
            sqlx::query(sql)
                .bind(id)
                .bind(attempt)
                .bind(state)
                .bind(error)
                .bind(retry_at)
                .bind(finished)
                .bind(again)
                .bind(now)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(changed == 1)
    }

    /// Jobs in any of `states` (every state when empty), newest first.
    pub async fn list_jobs(&self, states: &[JobState], limit: i64) -> StoreResult<Vec<JobRecord>> {
        // The states as ",pending,failed," matched against ",<state>,": one
        // statement for any number of states on both backends.
        let wanted: String = states
            .iter()
            .map(|s| format!(",{}", s.as_str()))
            .collect::<String>()
            + ",";
        let sql = format!(
            "SELECT {COLUMNS} FROM jobs WHERE $1 = ',' OR $1 LIKE ('%,' || state || ',%') \
             ORDER BY id DESC LIMIT $2"
        );
        let jobs = on_backend!(self, |pool| {
            sqlx::query_as::<_, JobRecord>(sqlx::AssertSqlSafe(sql.clone()))
                .bind(&wanted)
                .bind(limit)
                .fetch_all(pool)
                .await?
        });
        Ok(jobs)
    }

    /// The jobs with these idempotency keys (each names one piece of work,
    /// such as a group's Discord sync), in no order.
    pub async fn jobs_by_keys(&self, keys: &[String]) -> StoreResult<Vec<JobRecord>> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let places: Vec<String> = (1..=keys.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT {COLUMNS} FROM jobs WHERE idempotency_key IN ({})",
            places.join(", ")
        );
        let jobs = on_backend!(self, |pool| {
            let mut query = sqlx::query_as::<_, JobRecord>(sqlx::AssertSqlSafe(sql.clone()));
            for key in keys {
                query = query.bind(key);
            }
            query.fetch_all(pool).await?
        });
        Ok(jobs)
    }

    /// One job.
    pub async fn job(&self, id: JobId) -> StoreResult<Option<JobRecord>> {
        let sql = format!("SELECT {COLUMNS} FROM jobs WHERE id = $1");
        let job = on_backend!(self, |pool| {
            sqlx::query_as::<_, JobRecord>(sqlx::AssertSqlSafe(sql.clone()))
                .bind(id)
                .fetch_optional(pool)
                .await?
        });
        Ok(job)
    }

    /// Puts a failed or cancelled job back in the queue, due now, with a
    /// fresh series of attempts. False if it is in another state.
    pub async fn requeue_job(&self, id: JobId) -> StoreResult<bool> {
        self.change_job(
            id,
            "UPDATE jobs SET state = 'pending', attempts = 0, run_at = $2, finished_at = NULL \
             WHERE id = $1 AND state IN ('failed', 'cancelled')",
        )
        .await
    }

    /// Calls off a pending or failed job. False if it is running or over.
    pub async fn cancel_job(&self, id: JobId) -> StoreResult<bool> {
        self.change_job(
            id,
            "UPDATE jobs SET state = 'cancelled', finished_at = $2 \
             WHERE id = $1 AND state IN ('pending', 'failed')",
        )
        .await
    }

    /// Runs an admin's change `sql` on job `$1` at `$2` = now; whether the
    /// job was in a state the change applies to.
    async fn change_job(&self, id: JobId, sql: &'static str) -> StoreResult<bool> {
        let changed = on_backend!(self, |pool| {
            sqlx::query(sql)
                .bind(id)
                .bind(clock::now())
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(changed == 1)
    }
}
