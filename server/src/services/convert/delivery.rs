//! Jobs of the delivery engine.

use lens_proto::v1;

use super::timestamp;
use crate::domain::JobState;
use crate::store::JobRecord;

/// A job's state in the contract.
pub fn state(state: JobState) -> v1::JobState {
    match state {
        JobState::Pending => v1::JobState::Pending,
        JobState::Running => v1::JobState::Running,
        JobState::Done => v1::JobState::Done,
        JobState::Failed => v1::JobState::Failed,
        JobState::Cancelled => v1::JobState::Cancelled,
    }
}

/// A contract state as stored; `None` for unspecified.
pub fn state_from(state: v1::JobState) -> Option<JobState> {
    match state {
        v1::JobState::Unspecified => None,
        v1::JobState::Pending => Some(JobState::Pending),
        v1::JobState::Running => Some(JobState::Running),
        v1::JobState::Done => Some(JobState::Done),
        v1::JobState::Failed => Some(JobState::Failed),
        v1::JobState::Cancelled => Some(JobState::Cancelled),
    }
}

/// A stored job.
pub fn job(job: JobRecord) -> v1::Job {
    v1::Job {
        id: job.id.0,
        kind: job.kind,
        payload: job.payload,
        idempotency_key: job.idempotency_key,
        state: state(job.state).into(),
        attempts: job.attempts.max(0) as u32,
        run_at: Some(timestamp(job.run_at)),
        last_error: job.last_error.unwrap_or_default(),
        created_at: Some(timestamp(job.created_at)),
        finished_at: job.finished_at.map(timestamp),
    }
}
