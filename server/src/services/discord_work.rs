//! DiscordWorkService: the discord edge takes Discord jobs from the core
//! and reports what became of them. The core never speaks Discord.

use std::pin::Pin;
use std::time::Duration;

use futures::Stream;
use lens_proto::v1::{self, discord_work_service_server::DiscordWorkService};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Response, Status};

use super::respond;
use crate::app::AppState;
use crate::delivery::{Outcome, record};
use crate::domain::{Invalid, JobId};
use crate::error::{AppError, AppResult};

/// Kinds of the jobs the discord edge performs.
const DISCORD_JOBS: &str = "discord.";

/// Longest error text kept from a report.
const MAX_ERROR_CHARS: usize = 500;

/// Implements `lens.v1.DiscordWorkService`.
#[derive(Debug, Clone)]
pub struct DiscordWorkApi {
    state: AppState,
}

impl DiscordWorkApi {
    /// The service over shared state.
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

type WorkStream = Pin<Box<dyn Stream<Item = Result<v1::TakeWorkResponse, Status>> + Send>>;

fn lease(request: &v1::TakeWorkRequest) -> AppResult<Duration> {
    match request.lease_seconds {
        0 => Ok(Duration::from_secs(60)),
        n @ 1..=600 => Ok(Duration::from_secs(u64::from(n))),
        n => Err(Invalid::new("lease_seconds", format!("is {n}; ask for 1 to 600")).into()),
    }
}

fn outcome(request: &v1::ReportWorkRequest) -> AppResult<Outcome> {
    let error: String = request.error.chars().take(MAX_ERROR_CHARS).collect();
    let error = if error.trim().is_empty() {
        "the discord edge gave no reason".to_owned()
    } else {
        error
    };
    match request.outcome() {
        v1::WorkOutcome::Done => Ok(Outcome::Done),
        v1::WorkOutcome::Retry => Ok(Outcome::Retry {
            error,
            retry_after: (request.retry_after_ms > 0)
                .then(|| Duration::from_millis(u64::from(request.retry_after_ms))),
        }),
        v1::WorkOutcome::Fail => Ok(Outcome::Fail { error }),
        v1::WorkOutcome::Unspecified => {
            Err(Invalid::new("outcome", "say done, retry or fail").into())
        }
    }
}

#[tonic::async_trait]
impl DiscordWorkService for DiscordWorkApi {
    type TakeWorkStream = WorkStream;

    async fn take_work(
        &self,
        request: Request<v1::TakeWorkRequest>,
    ) -> Result<Response<Self::TakeWorkStream>, Status> {
        let lease = lease(request.get_ref()).map_err(Status::from)?;
        let (tx, rx) = mpsc::channel(16);
        let store = self.state.store.clone();
        let stop = self.state.shutdown.clone();
        tokio::spawn(async move {
            tracing::info!("the discord edge is taking Discord work");
            loop {
                // Claim only what the bot has room for: a job sent is a job
                // leased, and a full channel would hold leases idle.
                let room = tx.capacity().max(1) as i64;
                let jobs = match store.claim_jobs(DISCORD_JOBS, room, lease).await {
                    Ok(jobs) => jobs,
                    Err(error) => {
                        tracing::warn!(%error, "claiming Discord work failed; trying again");
                        Vec::new()
                    }
                };
                let idle = jobs.is_empty();
                for job in jobs {
                    let work = v1::TakeWorkResponse {
                        job_id: job.id.0,
                        attempt: job.attempts.max(0) as u32,
                        kind: job.kind,
                        payload: job.payload,
                    };
                    // A bot that hung up leaves its jobs leased; they return
                    // to the queue when the lease ends.
                    if tx.send(Ok(work)).await.is_err() {
                        return;
                    }
                }
                if idle {
                    tokio::select! {
                        () = tokio::time::sleep(Duration::from_millis(500)) => {}
                        () = tx.closed() => return,
                        () = stop.cancelled() => return,
                    }
                }
            }
        });
        Ok(Response::new(Box::pin(ReceiverStream::new(rx))))
    }

    async fn report_work(
        &self,
        request: Request<v1::ReportWorkRequest>,
    ) -> Result<Response<v1::ReportWorkResponse>, Status> {
        respond(
            async {
                let r = request.get_ref();
                let outcome = outcome(r)?;
                let id = JobId(r.job_id);
                let job = self
                    .state
                    .store
                    .job(id)
                    .await?
                    .filter(|job| job.kind.starts_with(DISCORD_JOBS))
                    .ok_or_else(|| AppError::NotFound(format!("no Discord job with id {id}")))?;
                let attempt = i32::try_from(r.attempt).unwrap_or(i32::MAX);
                let kept = record(&self.state.store, id, attempt, &job.kind, outcome).await?;
                Ok(v1::ReportWorkResponse { kept })
            }
            .await,
        )
    }
}
