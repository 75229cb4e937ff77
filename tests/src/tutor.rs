//! What the tutor's tests and bench share: the Cascades lens of the content
//! fixture, a learner's message at its chat, and a chat session held as a
//! browser holds one (grpc-web through the web edge, with the cookie).

use lens_proto::v1;
use lens_proto::v1::chat_service_client::ChatServiceClient;

use crate::grpc_web::{self, GrpcWebTransport};

/// The "Cascades and Cycles" lens: text, article excerpt, text, chat.
pub const CASCADES: &str = "3dd47fce-a0fe-4e03-916d-a160fe697dd0";

/// A learner's message at the Cascades lens's chat (segment 3), read in
/// its module.
pub fn message(session_id: i64, text: &str) -> v1::SendMessageRequest {
    v1::SendMessageRequest {
        session_id,
        segment_index: 3,
        text: text.into(),
        module_slug: "feedback-loops".into(),
    }
}

/// A learner's chat through the web edge.
pub struct WebChat {
    /// The grpc-web client.
    pub client: ChatServiceClient<GrpcWebTransport>,
    /// The session cookie to send with each call.
    pub cookie: String,
    /// Their session on the Cascades lens.
    pub session_id: i64,
}

impl WebChat {
    /// Opens (or resumes) the session of the learner holding `token` on the
    /// Cascades lens, through the web edge at `web_url`.
    pub async fn open(web_url: &str, token: &str) -> Self {
        Self::open_as(web_url, format!("lens_session={token}")).await
    }

    /// Like [`WebChat::open`], for the browser holding `cookie` (a guest's,
    /// say).
    pub async fn open_as(web_url: &str, cookie: String) -> Self {
        let (transport, origin) = grpc_web::transport(web_url);
        let mut client = ChatServiceClient::with_origin(transport, origin);
        let session_id = client
            .get_or_start_session(grpc_web::with_cookie(
                v1::GetOrStartSessionRequest {
                    lens_id: CASCADES.into(),
                    ..Default::default()
                },
                &cookie,
            ))
            .await
            .expect("a chat session")
            .into_inner()
            .session
            .expect("a session")
            .id;
        Self {
            client,
            cookie,
            session_id,
        }
    }

    /// Sends `text` at the Cascades chat and returns the answer's events.
    pub async fn send(&mut self, text: &str) -> tonic::Streaming<v1::SendMessageResponse> {
        let request = self.call(message(self.session_id, text));
        self.client
            .send_message(request)
            .await
            .expect("SendMessage is accepted")
            .into_inner()
    }

    /// `request` with the learner's cookie.
    pub fn call<T>(&self, request: T) -> tonic::Request<T> {
        grpc_web::with_cookie(request, &self.cookie)
    }
}

/// The transcript of chat session `session_id`, read with `token` over
/// `channel`.
pub async fn transcript(
    channel: tonic::transport::Channel,
    token: &str,
    session_id: i64,
) -> Vec<v1::ChatMessage> {
    lens_proto::v1::chat_service_client::ChatServiceClient::new(channel)
        .get_transcript(crate::core::authed(
            v1::GetTranscriptRequest { session_id },
            token,
        ))
        .await
        .expect("the transcript")
        .into_inner()
        .messages
}

/// A tutor conversation as the store keeps it, written without the tutor:
/// `learner` asked `question` at `lens` and, with `answer`, was answered.
/// For tests and the browser stack that need a chat to read, not to run.
pub async fn stored_chat(
    store: &lens_server::store::Store,
    learner: lens_server::domain::UserId,
    lens: &str,
    question: &str,
    answer: Option<&str>,
) -> lens_server::domain::ChatSessionId {
    let session = store
        .get_or_start_session(learner, lens)
        .await
        .expect("session");
    let now = chrono::Utc::now();
    let admitted = store
        .admit_message(
            learner,
            None,
            session.id,
            question,
            10,
            now,
            now,
            now,
            |_, _| Ok::<(), ()>(()),
        )
        .await
        .expect("stored")
        .expect("admitted");
    if let Some(answer) = answer {
        let finished = lens_server::store::NewMessage {
            role: lens_server::domain::ChatRole::Assistant,
            content: answer,
            error: None,
            model: Some("fake"),
            input_tokens: Some(10),
            output_tokens: Some(8),
        };
        store
            .finish_answer(admitted.answer_id, &finished)
            .await
            .expect("answered");
    }
    session.id
}
