//! ChatService: the AI tutor's sessions and streamed answers.

use std::pin::Pin;

use futures::Stream;
use lens_proto::v1::{self, chat_service_server::ChatService};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Response, Status};

use super::{convert, respond};
use crate::answers::assessment::{Assessment, for_tutor};
use crate::app::AppState;
use crate::auth;
use crate::chat::Tutor;
use crate::chat::admission;
use crate::chat::prompt::{AnswersForTutor, Turn, prompt_tokens, system_prompt_with, trim_history};
use crate::chat::relay::Answer;
use crate::chat::roleplay;
use crate::domain::{ChatRole, ChatSessionId, Invalid, UserId};
use crate::error::{AppError, AppResult};
use crate::store::SessionRecord;

/// Longest learner message, in characters.
pub const MAX_MESSAGE_CHARS: usize = 4000;
/// Token budget for system prompt and history together.
pub const HISTORY_BUDGET_TOKENS: usize = 12_000;

/// Implements `lens.v1.ChatService`.
#[derive(Debug, Clone)]
pub struct ChatApi {
    state: AppState,
}

impl ChatApi {
    /// The service over shared state.
    pub fn new(state: AppState) -> Self {
        Self { state }
    }

    fn tutor(&self) -> AppResult<&Tutor> {
        self.state.tutor.as_ref().ok_or_else(|| {
            AppError::FailedPrecondition(
                "the AI tutor is off on this platform: an operator sets ANTHROPIC_API_KEY (or LLM_PROVIDER with OPENAI_API_KEY or GEMINI_API_KEY, or LLM_BASE_URL) on the core".into(),
            )
        })
    }

    /// The learner's latest answer to each question of a lens, with its
    /// assessment, as the tutor is told them.
    async fn answers_for_tutor(
        &self,
        learner: UserId,
        lens_id: &str,
    ) -> AppResult<AnswersForTutor> {
        let mut told = AnswersForTutor::new();
        // Newest version first within each question: the first one wins.
        for record in self.state.store.answers_of(learner, lens_id).await? {
            told.entry(record.question_key.clone()).or_insert_with(|| {
                let assessed = record.score.map(|score| Assessment {
                    score: score.clamp(1, 5) as u8,
                    reasoning: record.reasoning.clone().unwrap_or_default(),
                    dimensions: Vec::new(),
                });
                for_tutor(&record.text, assessed.as_ref())
            });
        }
        Ok(told)
    }

    /// A session the caller may read: their own, or any for an admin.
    async fn readable_session(
        &self,
        caller: &auth::UserCaller,
        id: ChatSessionId,
    ) -> AppResult<SessionRecord> {
        let session = self
            .state
            .store
            .chat_session(id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("no chat session with id {id}")))?;
        if session.user_id == caller.id
            || caller.is_admin
            || self
                .state
                .store
                .facilitates(caller.id, session.user_id)
                .await?
        {
            return Ok(session);
        }
        Err(AppError::PermissionDenied(
            "this chat belongs to another learner (facilitators can read their own groups' chats)"
                .into(),
        ))
    }
}

type AnswerStream = Pin<Box<dyn Stream<Item = Result<v1::SendMessageResponse, Status>> + Send>>;

impl ChatApi {
    /// Finishes the caller's roleplay and, when it is assessed, stores its
    /// transcript as an answer to it, whose assessment is queued.
    async fn finish(
        &self,
        me: &auth::UserCaller,
        id: ChatSessionId,
    ) -> AppResult<v1::FinishRoleplayResponse> {
        let session = match self.state.store.chat_session(id).await? {
            Some(session) if session.user_id == me.id && session.roleplay_id.is_some() => session,
            _ => {
                return Err(AppError::NotFound(format!(
                    "you have no roleplay with session id {id}"
                )));
            }
        };
        let content = self.state.content.current();
        let found = content
            .snapshot
            .lenses
            .get(&session.lens_id)
            .and_then(|lens| roleplay::find(lens, session.roleplay_id.as_deref()?));
        let Some((segment_index, found)) = found else {
            return Err(AppError::FailedPrecondition(
                "this roleplay is no longer in the lens".into(),
            ));
        };
        if session.user_messages == 0 {
            return Err(AppError::FailedPrecondition(
                "say something to the character before finishing the roleplay".into(),
            ));
        }
        if !self.state.store.finish_roleplay(session.id).await? {
            return Err(AppError::FailedPrecondition(
                "this roleplay is already finished; start it again to play it anew".into(),
            ));
        }
        let messages = self.state.store.chat_messages(session.id).await?;
        let transcript =
            roleplay::transcript(messages.iter().map(|m| (m.role, m.content.as_str())));
        let assessment = match roleplay::rubric(found) {
            Some(rubric) => {
                let key = roleplay::answer_key(found);
                let stored = self
                    .state
                    .store
                    .submit_answer(
                        &crate::store::NewAnswer {
                            user_id: me.id,
                            content_id: &session.lens_id,
                            question_key: &key,
                            question: &found.content,
                            rubric: Some(&rubric),
                            text: &transcript,
                            seconds_taken: None,
                        },
                        crate::clock::now(),
                    )
                    .await?;
                let place = convert::answer::Found {
                    test_index: 0,
                    segment_index: segment_index as u32,
                    feedback: found.feedback,
                };
                Some(convert::answer::answer(&stored, &place))
            }
            None => None,
        };
        let session = self
            .state
            .store
            .chat_session(session.id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("no chat session with id {id}")))?;
        Ok(v1::FinishRoleplayResponse {
            session: Some(convert::chat::session(&session)),
            assessment,
        })
    }
}

#[tonic::async_trait]
impl ChatService for ChatApi {
    async fn finish_roleplay(
        &self,
        request: Request<v1::FinishRoleplayRequest>,
    ) -> Result<Response<v1::FinishRoleplayResponse>, Status> {
        let me = auth::learner(&request).map_err(Status::from)?.clone();
        let id = ChatSessionId(request.get_ref().session_id);
        respond(self.finish(&me, id).await)
    }

    async fn get_or_start_session(
        &self,
        request: Request<v1::GetOrStartSessionRequest>,
    ) -> Result<Response<v1::GetOrStartSessionResponse>, Status> {
        respond(
            async {
                let me = auth::learner(&request)?;
                let lens_id = request.get_ref().lens_id.trim();
                let roleplay_id = request.get_ref().roleplay_id.trim();
                let content = self.state.content.current();
                let Some(lens) = content.snapshot.lenses.get(lens_id) else {
                    return Err(AppError::NotFound(format!("no lens with id {lens_id:?}")));
                };
                let roleplay = if roleplay_id.is_empty() {
                    None
                } else {
                    let (_, roleplay) = roleplay::find(lens, roleplay_id).ok_or_else(|| {
                        AppError::NotFound(format!(
                            "lens {lens_id:?} has no roleplay with id {roleplay_id:?}"
                        ))
                    })?;
                    Some((roleplay_id, roleplay.opening_message.as_deref()))
                };
                let session = self
                    .state
                    .store
                    .get_or_start_conversation(me.id, lens_id, roleplay)
                    .await?;
                let messages = self.state.store.chat_messages(session.id).await?;
                Ok(v1::GetOrStartSessionResponse {
                    session: Some(convert::chat::session(&session)),
                    messages: messages.into_iter().map(convert::chat::message).collect(),
                })
            }
            .await,
        )
    }

    type SendMessageStream = AnswerStream;

    async fn send_message(
        &self,
        request: Request<v1::SendMessageRequest>,
    ) -> Result<Response<AnswerStream>, Status> {
        let prepared = async {
            let me = auth::learner(&request)?.clone();
            let r = request.get_ref();
            let text = r.text.trim();
            let length = text.chars().count();
            if length == 0 || length > MAX_MESSAGE_CHARS {
                return Err(Invalid::new(
                    "text",
                    format!("is {length} characters; send 1 to {MAX_MESSAGE_CHARS}"),
                )
                .into());
            }
            let tutor = self.tutor()?.clone();
            let session = match self
                .state
                .store
                .chat_session(ChatSessionId(r.session_id))
                .await?
            {
                Some(session) if session.user_id == me.id => session,
                _ => {
                    return Err(AppError::NotFound(format!(
                        "you have no chat session with id {}",
                        r.session_id
                    )));
                }
            };
            // One snapshot for the whole prompt, even if content is swapped meanwhile.
            let content = self.state.content.current();
            let lens = content
                .snapshot
                .lenses
                .get(&session.lens_id)
                .cloned()
                .ok_or_else(|| {
                    AppError::FailedPrecondition(
                        "the lens of this chat is no longer published".into(),
                    )
                })?;
            // A roleplay's character speaks from its own prompt, with no
            // tools; the tutor's chat is grounded in the course.
            let (system, offer_tools) = match &session.roleplay_id {
                Some(id) => {
                    if session.finished_at.is_some() {
                        return Err(AppError::FailedPrecondition(
                            "this roleplay is finished; start it again to talk more".into(),
                        ));
                    }
                    let (_, found) = roleplay::find(&lens, id).ok_or_else(|| {
                        AppError::FailedPrecondition(
                            "this roleplay is no longer in the lens".into(),
                        )
                    })?;
                    (roleplay::prompt(found), false)
                }
                None => {
                    let module_slug = Some(r.module_slug.trim()).filter(|s| !s.is_empty());
                    let place = content.snapshot.place_of(&lens.id, module_slug)?;
                    let answers = self.answers_for_tutor(me.id, &lens.id).await?;
                    let system = system_prompt_with(
                        &lens,
                        r.segment_index as usize,
                        place.as_ref(),
                        &answers,
                    )?;
                    (system, true)
                }
            };
            let mut history: Vec<Turn> = self
                .state
                .store
                .chat_messages(session.id)
                .await?
                .into_iter()
                .filter(|m| !m.content.is_empty())
                .map(|m| (m.role, m.content))
                .collect();
            history.push((ChatRole::User, text.to_owned()));
            if history
                .first()
                .is_some_and(|(role, _)| *role == ChatRole::Assistant)
            {
                // A roleplay opens with the character; providers want a
                // conversation to open with the person.
                history.insert(
                    0,
                    (
                        ChatRole::User,
                        "(The learner joins the conversation.)".into(),
                    ),
                );
            }
            let history = trim_history(&system, &history, HISTORY_BUDGET_TOKENS).to_vec();
            // Admitted and stored in one step, before the model is called:
            // the learner's words are never lost, and concurrent sends all
            // see each other against the limits.
            let input_estimate = prompt_tokens(&system, &history);
            let now = crate::clock::now();
            let (window_start, day_start) = admission::windows(now);
            let limits = self.state.config.chat_limits;
            let guest_limits = self.state.config.guest_limits;
            let network = auth::caller(&request)?.guest().map(|g| g.network.clone());
            let admitted = self
                .state
                .store
                .admit_message(
                    me.id,
                    network.as_ref(),
                    session.id,
                    text,
                    input_estimate,
                    window_start,
                    day_start,
                    now + limits.answer_lease,
                    |usage, network| match network {
                        Some(network) => {
                            admission::admit_guest(usage, network, limits, guest_limits, now)
                        }
                        None => admission::admit(usage, limits, now),
                    },
                )
                .await?
                .map_err(|refusal| AppError::ResourceExhausted {
                    message: refusal.to_string(),
                    retry_after: Some(refusal.retry_after()),
                })?;
            Ok((
                tutor,
                admitted,
                input_estimate,
                system,
                history,
                content,
                offer_tools,
            ))
        };
        let (tutor, admitted, input_estimate, system, history, content, offer_tools) =
            match prepared.await {
                Ok(prepared) => prepared,
                Err(error) => return Err(Status::from(error)),
            };
        let (tx, rx) = mpsc::channel(32);
        let answer = Answer {
            store: self.state.store.clone(),
            tutor,
            admitted,
            input_estimate,
            lease: self.state.config.chat_limits.answer_lease,
            cut_off: self.state.cut_off.clone(),
            system,
            history,
            content,
            offer_tools,
        };
        self.state.answers.spawn(answer.relay(tx));
        Ok(Response::new(Box::pin(ReceiverStream::new(rx))))
    }

    async fn list_sessions(
        &self,
        request: Request<v1::ListSessionsRequest>,
    ) -> Result<Response<v1::ListSessionsResponse>, Status> {
        respond(
            async {
                let me = auth::learner(&request)?;
                let whose = match request.get_ref().user_id {
                    0 => me.id,
                    id => UserId(id),
                };
                let allowed = whose == me.id
                    || me.is_admin
                    || self.state.store.facilitates(me.id, whose).await?;
                if !allowed {
                    return Err(AppError::PermissionDenied(
                        "only a learner's facilitator (or an admin) can list their chats".into(),
                    ));
                }
                let sessions = self.state.store.chat_sessions_of(whose).await?;
                Ok(v1::ListSessionsResponse {
                    sessions: sessions.iter().map(convert::chat::session).collect(),
                })
            }
            .await,
        )
    }

    async fn archive_session(
        &self,
        request: Request<v1::ArchiveSessionRequest>,
    ) -> Result<Response<v1::ArchiveSessionResponse>, Status> {
        respond(
            async {
                let me = auth::learner(&request)?;
                let id = ChatSessionId(request.get_ref().session_id);
                match self.state.store.chat_session(id).await? {
                    Some(session) if session.user_id == me.id => {
                        self.state.store.archive_chat_session(id).await?;
                        Ok(v1::ArchiveSessionResponse {})
                    }
                    _ => Err(AppError::NotFound(format!(
                        "you have no chat session with id {id}"
                    ))),
                }
            }
            .await,
        )
    }

    async fn get_transcript(
        &self,
        request: Request<v1::GetTranscriptRequest>,
    ) -> Result<Response<v1::GetTranscriptResponse>, Status> {
        respond(
            async {
                let me = auth::learner(&request)?;
                let session = self
                    .readable_session(me, ChatSessionId(request.get_ref().session_id))
                    .await?;
                let messages = self.state.store.chat_messages(session.id).await?;
                Ok(v1::GetTranscriptResponse {
                    session: Some(convert::chat::session(&session)),
                    messages: messages.into_iter().map(convert::chat::message).collect(),
                })
            }
            .await,
        )
    }
}
