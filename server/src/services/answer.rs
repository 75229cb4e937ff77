//! AnswerService: answers to question segments, every version kept, with
//! their assessments.

use lens_proto::v1::{self, answer_service_server::AnswerService};
use tonic::{Request, Response, Status};

use super::convert::answer::{Found, answer};
use super::respond;
use crate::answers::{QuestionPlace, checked_text, question_at, question_key, questions_of};
use crate::app::AppState;
use crate::auth;
use crate::clock;
use crate::content::model::SegmentKind;
use crate::domain::Invalid;
use crate::error::AppResult;
use crate::store::NewAnswer;

/// Implements `lens.v1.AnswerService`.
#[derive(Debug, Clone)]
pub struct AnswerApi {
    state: AppState,
}

impl AnswerApi {
    /// The service over shared state.
    pub fn new(state: AppState) -> Self {
        Self { state }
    }

    async fn submit(
        &self,
        me: &auth::UserCaller,
        request: v1::SubmitAnswerRequest,
    ) -> AppResult<v1::SubmitAnswerResponse> {
        let place = request
            .place
            .ok_or_else(|| Invalid::new("place", "name the question answered"))?;
        let content = self.state.content.current();
        let question = question_at(
            &content.snapshot,
            QuestionPlace {
                content_id: place.content_id.trim(),
                test_index: place.test_index as usize,
                segment_index: place.segment_index as usize,
            },
        )?;
        let text = checked_text(question, &request.text)?;
        let key = question_key(question);
        let stored = self
            .state
            .store
            .submit_answer(
                &NewAnswer {
                    user_id: me.id,
                    content_id: place.content_id.trim(),
                    question_key: &key,
                    question: &question.content,
                    rubric: question.assessment_instructions.as_deref(),
                    text,
                    seconds_taken: Some(request.seconds_taken.min(i32::MAX as u32) as i32),
                },
                clock::now(),
            )
            .await?;
        let found = Found {
            test_index: place.test_index,
            segment_index: place.segment_index,
            feedback: question.feedback,
        };
        Ok(v1::SubmitAnswerResponse {
            answer: Some(answer(&stored, &found)),
        })
    }

    async fn list(
        &self,
        me: &auth::UserCaller,
        request: v1::ListAnswersRequest,
    ) -> AppResult<v1::ListAnswersResponse> {
        let content_id = request.content_id.trim();
        let content = self.state.content.current();
        // Where each question is now, by key; answers to questions no
        // longer published are still listed, without feedback.
        let places: std::collections::HashMap<String, Found> =
            questions_of(&content.snapshot, content_id)
                .into_iter()
                .map(|(test, segment, question)| {
                    (
                        question_key(question),
                        Found {
                            test_index: test as u32,
                            segment_index: segment as u32,
                            feedback: question.feedback,
                        },
                    )
                })
                .collect();
        let mut places = places;
        // A roleplay's assessed transcript is an answer to the roleplay.
        if let Some(lens) = content.snapshot.lenses.get(content_id) {
            for (index, segment) in lens.segments.iter().enumerate() {
                if let SegmentKind::Roleplay(roleplay) = &segment.kind {
                    places.insert(
                        crate::chat::roleplay::answer_key(roleplay),
                        Found {
                            test_index: 0,
                            segment_index: index as u32,
                            feedback: roleplay.feedback,
                        },
                    );
                }
            }
        }
        let gone = Found {
            test_index: 0,
            segment_index: u32::MAX,
            feedback: false,
        };
        let answers = self
            .state
            .store
            .answers_of(me.id, content_id)
            .await?
            .iter()
            .map(|record| answer(record, places.get(&record.question_key).unwrap_or(&gone)))
            .collect();
        Ok(v1::ListAnswersResponse { answers })
    }
}

#[tonic::async_trait]
impl AnswerService for AnswerApi {
    async fn submit_answer(
        &self,
        request: Request<v1::SubmitAnswerRequest>,
    ) -> Result<Response<v1::SubmitAnswerResponse>, Status> {
        let me = auth::learner(&request).map_err(Status::from)?.clone();
        respond(self.submit(&me, request.into_inner()).await)
    }

    async fn list_answers(
        &self,
        request: Request<v1::ListAnswersRequest>,
    ) -> Result<Response<v1::ListAnswersResponse>, Status> {
        let me = auth::learner(&request).map_err(Status::from)?.clone();
        respond(self.list(&me, request.into_inner()).await)
    }
}
