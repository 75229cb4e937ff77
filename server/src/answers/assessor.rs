//! Delivers `answer.assess` jobs: asks the model for a structured
//! assessment of one answer and stores it. A provider that is busy or away
//! is tried again with the engine's backoff; a reply that is no assessment
//! fails the job at once (asking again costs as much and rarely helps), for
//! an admin to retry.

use chrono::{DateTime, Utc};

use super::assessment::{self, INSTRUCTIONS};
use super::{ASSESS, AssessJob};
use crate::chat::llm::Tutor;
use crate::delivery::Outcome;
use crate::delivery::worker::Handler;
use crate::store::{JobRecord, Store};

/// Assesses answers with the tutor's model.
pub struct Assessor {
    store: Store,
    model: Tutor,
}

impl Assessor {
    /// An assessor writing to `store`, asking `model`.
    pub fn new(store: Store, model: Tutor) -> Self {
        Self { store, model }
    }

    async fn assess(&self, job: &JobRecord, now: DateTime<Utc>) -> Outcome {
        let Some(AssessJob(id)) = AssessJob::parse(&job.payload) else {
            return Outcome::Fail {
                error: format!("unreadable payload {:?}", job.payload),
            };
        };
        let answer = match self.store.answer(id).await {
            Ok(Some(answer)) => answer,
            Ok(None) => {
                return Outcome::Fail {
                    error: format!("answer {id} no longer exists"),
                };
            }
            Err(error) => return retry(error.to_string()),
        };
        let Some(rubric) = &answer.rubric else {
            return Outcome::Done;
        };
        let request = assessment::request(&answer.question, rubric, &answer.text);
        let reply = match self
            .model
            .structured(INSTRUCTIONS, &request, "assessment", assessment::schema())
            .await
        {
            Ok(reply) => reply,
            Err(failure) if failure.is_transient() => {
                return Outcome::Retry {
                    error: failure.to_string(),
                    retry_after: failure.retry_after(),
                };
            }
            Err(failure) => {
                return Outcome::Fail {
                    error: failure.to_string(),
                };
            }
        };
        let assessed = match assessment::parse(&reply) {
            Ok(assessed) => assessed,
            Err(invalid) => {
                tracing::warn!(answer_id = %id, %invalid, "an assessment reply was refused");
                return Outcome::Fail {
                    error: invalid.to_string(),
                };
            }
        };
        let dimensions = serde_json::to_string(&assessed.dimensions).unwrap_or_default();
        match self
            .store
            .save_assessment(
                id,
                i32::from(assessed.score),
                &assessed.reasoning,
                &dimensions,
                self.model.label(),
                now,
            )
            .await
        {
            Ok(()) => Outcome::Done,
            Err(error) => retry(error.to_string()),
        }
    }
}

fn retry(error: String) -> Outcome {
    Outcome::Retry {
        error,
        retry_after: None,
    }
}

impl Handler for Assessor {
    fn kinds(&self) -> &'static str {
        ASSESS
    }

    async fn deliver(&self, job: &JobRecord, now: DateTime<Utc>) -> Outcome {
        self.assess(job, now).await
    }
}
