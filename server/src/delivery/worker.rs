//! A worker: claims due jobs of one kind family, hands each to its handler
//! and records the outcome, until told to stop.

use std::future::Future;
use std::time::Duration;

use rand::Rng;
use tokio_util::sync::CancellationToken;

use super::{Outcome, next_run};
use crate::clock;
use crate::domain::JobState;
use crate::store::{JobRecord, Store, StoreResult};

/// Delivers the jobs whose kind starts with [`Handler::kinds`].
pub trait Handler: Send + Sync + 'static {
    /// The kind prefix, for example `discord.`.
    fn kinds(&self) -> &'static str;

    /// One attempt at `job`. Must be idempotent: the same job may be
    /// delivered again after a crash or a lost lease.
    fn deliver(&self, job: &JobRecord) -> impl Future<Output = Outcome> + Send;
}

/// Claims and delivers jobs for one handler.
pub struct Worker<H> {
    store: Store,
    handler: H,
    /// How long a claimed job is this worker's.
    pub lease: Duration,
    /// Jobs claimed at once.
    pub batch: i64,
    /// The wait when nothing is due.
    pub idle: Duration,
}

impl<H: Handler> Worker<H> {
    /// A worker with a one-minute lease, batches of 10 and a one-second
    /// wait when idle.
    pub fn new(store: Store, handler: H) -> Self {
        Self {
            store,
            handler,
            lease: Duration::from_secs(60),
            batch: 10,
            idle: Duration::from_secs(1),
        }
    }

    /// Claims one batch of due jobs and delivers them in turn; how many.
    pub async fn run_once(&self) -> StoreResult<usize> {
        let jobs = self
            .store
            .claim_jobs(self.handler.kinds(), self.batch, self.lease)
            .await?;
        for job in &jobs {
            let outcome = self.handler.deliver(job).await;
            self.record(job, outcome).await?;
        }
        Ok(jobs.len())
    }

    async fn record(&self, job: &JobRecord, outcome: Outcome) -> StoreResult<()> {
        let (state, error, retry_at) = match outcome {
            Outcome::Done => (JobState::Done, None, None),
            Outcome::Retry { error, retry_after } => {
                let jitter = rand::rng().random_range(0.0..1.0);
                match next_run(job.attempts, retry_after, jitter, clock::now()) {
                    Some(at) => (JobState::Pending, Some(error), Some(at)),
                    None => (JobState::Failed, Some(error), None),
                }
            }
            Outcome::Fail { error } => (JobState::Failed, Some(error), None),
        };
        if state == JobState::Failed {
            tracing::warn!(job = %job.id, kind = %job.kind, error = error.as_deref().unwrap_or(""), "a job failed; an admin can retry it");
        }
        let kept = self
            .store
            .finish_attempt(job.id, job.attempts, state, error.as_deref(), retry_at)
            .await?;
        if !kept {
            // The lease ran out and another worker has the job now; its
            // attempt decides.
            tracing::warn!(job = %job.id, kind = %job.kind, "a job's outcome came after its lease; the newer attempt stands");
        }
        Ok(())
    }

    /// Delivers until `stop` is cancelled, waiting `idle` when nothing is
    /// due and after a database error.
    pub async fn run(self, stop: CancellationToken) {
        while !stop.is_cancelled() {
            let wait = match self.run_once().await {
                Ok(0) => self.idle,
                Ok(_) => Duration::ZERO,
                Err(error) => {
                    tracing::warn!(%error, kinds = self.handler.kinds(), "claiming jobs failed; trying again");
                    self.idle
                }
            };
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                () = stop.cancelled() => {}
            }
        }
    }
}
