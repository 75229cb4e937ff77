//! DeliveryService: admins look at the delivery engine's jobs, retry the
//! failed and cancel what should not happen.

use lens_proto::v1::{self, delivery_service_server::DeliveryService};
use tonic::{Request, Response, Status};

use super::{convert, respond};
use crate::app::AppState;
use crate::domain::{Invalid, JobId};
use crate::error::{AppError, AppResult};
use crate::store::JobRecord;

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
                let before = self.job(id).await?;
                if !self.state.store.requeue_job(id).await? {
                    return Err(AppError::FailedPrecondition(format!(
                        "job {id} is {}: only failed or cancelled jobs are retried",
                        before.state.as_str()
                    )));
                }
                tracing::info!(job = %id, kind = %before.kind, "an admin retried a job");
                Ok(v1::RetryJobResponse {
                    job: Some(convert::delivery::job(self.job(id).await?)),
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
                let before = self.job(id).await?;
                if !self.state.store.cancel_job(id).await? {
                    return Err(AppError::FailedPrecondition(format!(
                        "job {id} is {}: only pending or failed jobs are cancelled",
                        before.state.as_str()
                    )));
                }
                tracing::info!(job = %id, kind = %before.kind, "an admin cancelled a job");
                Ok(v1::CancelJobResponse {
                    job: Some(convert::delivery::job(self.job(id).await?)),
                })
            }
            .await,
        )
    }
}
