//! DeliveryService: admins look at the delivery engine's jobs, retry the
//! failed and cancel what should not happen.

use lens_proto::v1::{self, delivery_service_server::DeliveryService};
use tonic::{Request, Response, Status};

use super::{convert, respond};
use crate::app::AppState;
use crate::domain::{Invalid, JobId};
use crate::error::{AppError, AppResult};
use crate::store::JobRecord;

/// What an admin does to a job.
#[derive(Debug, Clone, Copy)]
enum Action {
    Retry,
    Cancel,
}

/// Implements `lens.v1.DeliveryService`.
#[derive(Debug, Clone)]
pub struct DeliveryApi {
    state: AppState,
}

impl DeliveryApi {
    /// The service over shared state.
    pub fn new(state: AppState) -> Self {
        Self { state }
    }

    /// Retries or cancels job `id` for an admin; the job as it is then.
    async fn change(&self, id: JobId, action: Action) -> AppResult<v1::Job> {
        let before = self.job(id).await?;
        let (changed, rule, done) = match action {
            Action::Retry => (
                self.state.store.requeue_job(id).await?,
                "only failed or cancelled jobs are retried",
                "an admin retried a job",
            ),
            Action::Cancel => (
                self.state.store.cancel_job(id).await?,
                "only pending or failed jobs are cancelled",
                "an admin cancelled a job",
            ),
        };
        if !changed {
            return Err(AppError::FailedPrecondition(format!(
                "job {id} is {}: {rule}",
                before.state.as_str()
            )));
        }
        tracing::info!(job = %id, kind = %before.kind, "{done}");
        Ok(convert::delivery::job(self.job(id).await?))
    }

    async fn job(&self, id: JobId) -> AppResult<JobRecord> {
        self.state
            .store
            .job(id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("no job with id {id}")))
    }
}

#[tonic::async_trait]
impl DeliveryService for DeliveryApi {
    async fn list_jobs(
        &self,
        request: Request<v1::ListJobsRequest>,
    ) -> Result<Response<v1::ListJobsResponse>, Status> {
        respond(
            async {
                let r = request.get_ref();
                let limit = match r.limit {
                    0 => 100,
                    n @ 1..=1000 => n,
                    n => {
                        return Err(
                            Invalid::new("limit", format!("is {n}; ask for 1 to 1000")).into()
                        );
                    }
                };
                let states: Vec<_> = r
                    .states()
                    .filter_map(convert::delivery::state_from)
                    .collect();
                let jobs = self
                    .state
                    .store
                    .list_jobs(&states, i64::from(limit))
                    .await?;
                Ok(v1::ListJobsResponse {
                    jobs: jobs.into_iter().map(convert::delivery::job).collect(),
                })
            }
            .await,
        )
    }

    async fn retry_job(
        &self,
        request: Request<v1::RetryJobRequest>,
    ) -> Result<Response<v1::RetryJobResponse>, Status> {
        respond(
            async {
                let id = JobId(request.get_ref().job_id);
                Ok(v1::RetryJobResponse {
                    job: Some(self.change(id, Action::Retry).await?),
                })
            }
            .await,
        )
    }

    async fn cancel_job(
        &self,
        request: Request<v1::CancelJobRequest>,
    ) -> Result<Response<v1::CancelJobResponse>, Status> {
        respond(
            async {
                let id = JobId(request.get_ref().job_id);
                Ok(v1::CancelJobResponse {
                    job: Some(self.change(id, Action::Cancel).await?),
                })
            }
            .await,
        )
    }
}
