//! A worker: claims due jobs of one kind family, hands each to its handler
//! and records the outcome, until told to stop.

use std::future::Future;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio_util::sync::CancellationToken;

use super::{Outcome, record_at};
use crate::clock;
use crate::store::{JobRecord, Store, StoreResult};

/// Delivers the jobs whose kind starts with [`Handler::kinds`].
pub trait Handler: Send + Sync + 'static {
    /// The kind prefix, for example `discord.`.
    fn kinds(&self) -> &'static str;

    /// One attempt at `job`, at `now` (the time it was claimed: rules that
    /// depend on the time read it here, so tests can set it). Must be
    /// idempotent: the same job may be delivered again after a crash or a
    /// lost lease.
    fn deliver(&self, job: &JobRecord, now: DateTime<Utc>) -> impl Future<Output = Outcome> + Send;
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
        self.run_once_at(clock::now()).await
    }

    /// As [`Worker::run_once`], as if it were `now`: what is due then is
    /// claimed and delivered (tests run through hours this way).
    pub async fn run_once_at(&self, now: DateTime<Utc>) -> StoreResult<usize> {
        let jobs = self
            .store
            .claim_jobs_at(self.handler.kinds(), self.batch, self.lease, now)
            .await?;
        for job in &jobs {
            let outcome = self.handler.deliver(job, now).await;
            record_at(&self.store, job.id, job.attempts, &job.kind, outcome, now).await?;
        }
        Ok(jobs.len())
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
