//! The delivery engine: every side effect (a Discord channel, a calendar
//! event, an email, a reminder) is a durable job, written in the same
//! transaction as the change that causes it (`store::jobs::ENQUEUE`), and
//! delivered at least once by a worker that claims it under a lease.
//!
//! - **Idempotent by key**: a job's `idempotency_key` names the effect
//!   (`group:7:discord.create_group_channel`); queueing it again is a no-op,
//!   and handlers make the effect so that running it twice changes nothing.
//! - **Leases**: a claimed job is the worker's until its lease ends; a
//!   worker that dies leaves it to be claimed again after the lease. Every
//!   outcome names the attempt it belongs to, so a late worker cannot
//!   overwrite a newer attempt.
//! - **Backoff**: a transient failure is tried again after
//!   `min(2^attempt, 1800)` seconds plus up to a quarter more at random
//!   (so retries of many jobs spread out), or after the third party's
//!   `retry_after` when it gives one; after [`MAX_ATTEMPTS`] the job is
//!   *failed* with its last error, for an admin to retry or cancel
//!   (`DeliveryService`).
//! - **Scheduling**: a job's `run_at` may be in the future (reminders).
//!
//! Why not a job library: see docs/architecture.md ("Delivery").

pub mod http;
pub mod worker;

use std::time::Duration;

use chrono::{DateTime, Utc};
use rand::Rng;

use crate::clock;
use crate::domain::{JobId, JobState};
use crate::store::{Store, StoreResult};

/// Attempts before a job is failed for good.
pub const MAX_ATTEMPTS: i32 = 12;

/// The longest wait between two attempts.
pub const LONGEST_BACKOFF: Duration = Duration::from_secs(1800);

/// What became of one attempt at a job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Delivered.
    Done,
    /// Not delivered this time; worth trying again (a timeout, a 5xx, a
    /// rate limit), after `retry_after` when the third party said so.
    Retry {
        /// Why, for admins.
        error: String,
        /// The third party's wait, if it named one.
        retry_after: Option<Duration>,
    },
    /// Cannot succeed as things are (a missing permission, a deleted
    /// group): failed now, for an admin to act on and retry.
    Fail {
        /// Why, in words an admin can act on.
        error: String,
    },
}

/// The wait before attempt `attempt + 1` after attempt `attempt` (1-based)
/// failed: `min(2^attempt, 1800)` seconds, plus `jitter` (0..1) of a
/// quarter of that.
pub fn backoff(attempt: i32, jitter: f64) -> Duration {
    let base = 2f64
        .powi(attempt.clamp(0, 30))
        .min(LONGEST_BACKOFF.as_secs_f64());
    Duration::from_secs_f64(base + base * 0.25 * jitter.clamp(0.0, 1.0))
}

/// When a job whose attempt `attempt` failed with `retry_after` should run
/// again, from `now`; `None` when it has had its last attempt.
pub fn next_run(
    attempt: i32,
    retry_after: Option<Duration>,
    jitter: f64,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    if attempt >= MAX_ATTEMPTS {
        return None;
    }
    let wait = retry_after.unwrap_or_else(|| backoff(attempt, jitter));
    Some(now + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::MAX))
}

/// Records the outcome of attempt `attempt` at job `id` (of `kind`, for
/// the log): done, pending again at its next time, or failed. False if the
/// attempt no longer holds the job (its lease ran out and another worker
/// took it): the newer attempt decides.
pub async fn record(
    store: &Store,
    id: JobId,
    attempt: i32,
    kind: &str,
    outcome: Outcome,
) -> StoreResult<bool> {
    record_at(store, id, attempt, kind, outcome, clock::now()).await
}

/// As [`record`], for an attempt made at `now` (a retry waits from then).
pub async fn record_at(
    store: &Store,
    id: JobId,
    attempt: i32,
    kind: &str,
    outcome: Outcome,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let (state, error, retry_at) = match outcome {
        Outcome::Done => (JobState::Done, None, None),
        Outcome::Retry { error, retry_after } => {
            let jitter = rand::rng().random_range(0.0..1.0);
            match next_run(attempt, retry_after, jitter, now) {
                Some(at) => (JobState::Pending, Some(error), Some(at)),
                None => (JobState::Failed, Some(error), None),
            }
        }
        Outcome::Fail { error } => (JobState::Failed, Some(error), None),
    };
    if state == JobState::Failed {
        tracing::warn!(job = %id, %kind, error = error.as_deref().unwrap_or(""), "a job failed; an admin can retry it");
    }
    let kept = store
        .finish_attempt(id, attempt, state, error.as_deref(), retry_at)
        .await?;
    if !kept {
        tracing::warn!(job = %id, %kind, "a job's outcome came after its lease; the newer attempt stands");
    }
    Ok(kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_up_to_half_an_hour_plus_at_most_a_quarter() {
        assert_eq!(backoff(1, 0.0), Duration::from_secs(2));
        assert_eq!(backoff(5, 0.0), Duration::from_secs(32));
        assert_eq!(backoff(11, 0.0), Duration::from_secs(1800));
        assert_eq!(backoff(11, 1.0), Duration::from_secs(2250));
        assert!(backoff(3, 0.5) > backoff(3, 0.0));
    }

    #[test]
    fn a_named_retry_after_wins_and_the_twelfth_failure_is_the_last() {
        let now = Utc::now();
        assert_eq!(
            next_run(1, Some(Duration::from_secs(7)), 0.9, now),
            Some(now + chrono::Duration::seconds(7))
        );
        assert_eq!(next_run(MAX_ATTEMPTS, None, 0.0, now), None);
        assert!(next_run(MAX_ATTEMPTS - 1, None, 0.0, now).is_some());
    }
}
