//! Roleplays of today's content: the "Question and Roleplay Trial" lens of
//! `lens-edu-relay` (a draft there; published in a copy here) has a
//! roleplay with a character, an opening message, assessment instructions
//! and feedback. A learner talks with the character in a session of its
//! own, finishes, and the transcript is assessed like an answer.

use futures::future::join_all;
use lens_proto::v1::answer_service_client::AnswerServiceClient;
use lens_proto::v1::chat_service_client::ChatServiceClient;
use lens_proto::v1::{self, AssessmentState, ChatRole, send_message_response::Event};
use lens_tests::bot::eventually;
use lens_tests::core::{CoreOptions, TestCore, authed};
use lens_tests::fakes::llm::{FAKE_LLM_KEY, FakeLlm, Step};
use lens_tests::{copy_tree, relay_fixture};
use tonic::Code;

both_backends!(
    a_roleplay_opens_talks_finishes_and_is_assessed,
    a_roleplay_is_finished_once_and_can_be_started_again,
);

const LENS: &str = "8189763f-576e-4f04-a614-4a00c628e386";
const ROLEPLAY: &str = "313958db-3b65-438f-9725-d9b483977284";
const OPENING: &str =
    "Hello! I heard you're doing some online course, about.. AI Safety? What's that?";
const SCORED: &str = r#"{"score": 3, "reasoning": "You named existential risk but not why it matters.", "dimensions": [{"name": "core concepts", "note": "Partly there."}]}"#;

/// Today's content with the trial lens published, the fake model, a core.
async fn stack(postgres: bool) -> (FakeLlm, TestCore, tempfile::TempDir, String) {
    let content = tempfile::tempdir().unwrap();
    copy_tree(&relay_fixture(), content.path());
    let lens = content.path().join("Lenses/Trial question and roleplay.md");
    let text = std::fs::read_to_string(&lens).unwrap();
    std::fs::write(&lens, text.replace("  - work-in-progress\n", "")).unwrap();
    let llm = FakeLlm::start().await;
    llm.script_structured(vec![Step::Text(SCORED)]);
    let core = TestCore::start(CoreOptions {
        postgres,
        dev_mode: true,
        env: vec![
            ("CONTENT_DIR".into(), content.path().display().to_string()),
            ("LLM_BASE_URL".into(), llm.url.clone()),
            ("ANTHROPIC_API_KEY".into(), FAKE_LLM_KEY.into()),
        ],
        ..Default::default()
    })
    .await;
    let token = core.dev_session("ada", false).await.token;
    (llm, core, content, token)
}

async fn open(core: &TestCore, token: &str, roleplay: &str) -> v1::GetOrStartSessionResponse {
    ChatServiceClient::new(core.channel().await)
        .get_or_start_session(authed(
            v1::GetOrStartSessionRequest {
                lens_id: LENS.into(),
                roleplay_id: roleplay.into(),
            },
            token,
        ))
        .await
        .unwrap()
        .into_inner()
}

async fn say(
    core: &TestCore,
    token: &str,
    session_id: i64,
    text: &str,
) -> Result<String, tonic::Status> {
    let mut events = ChatServiceClient::new(core.channel().await)
        .send_message(authed(
            v1::SendMessageRequest {
                session_id,
                segment_index: 1,
                text: text.into(),
                module_slug: String::new(),
            },
            token,
        ))
        .await?
        .into_inner();
    let mut reply = String::new();
    while let Some(event) = events.message().await? {
        match event.event.unwrap() {
            Event::Delta(delta) => reply.push_str(&delta),
            Event::Error(error) => panic!("{}", error.message),
            _ => {}
        }
    }
    Ok(reply)
}

async fn finish(
    core: &TestCore,
    token: &str,
    session_id: i64,
) -> Result<v1::FinishRoleplayResponse, tonic::Status> {
    ChatServiceClient::new(core.channel().await)
        .finish_roleplay(authed(v1::FinishRoleplayRequest { session_id }, token))
        .await
        .map(|r| r.into_inner())
}

async fn a_roleplay_opens_talks_finishes_and_is_assessed(postgres: bool) {
    let (llm, core, _content, token) = stack(postgres).await;

    // Opened twice at once: one session, one opening message.
    let opened = join_all([open(&core, &token, ROLEPLAY), open(&core, &token, ROLEPLAY)]).await;
    assert_eq!(opened[0].session, opened[1].session);
    let session = opened[0].session.clone().unwrap();
    assert_eq!(session.roleplay_id, ROLEPLAY);
    let texts: Vec<_> = opened[0]
        .messages
        .iter()
        .map(|m| (m.role(), m.text.as_str()))
        .collect();
    assert_eq!(texts, [(ChatRole::Assistant, OPENING)]);
    // The tutor's chat on the same lens is another conversation.
    let tutor = open(&core, &token, "").await.session.unwrap();
    assert_ne!(tutor.id, session.id);

    llm.script_each(vec![
        vec![Step::Text("Oh, like making chatbots less biased?")],
        vec![Step::Text("Huh. Extinction? That sounds far-fetched.")],
    ]);
    let first = say(
        &core,
        &token,
        session.id,
        "It's about making sure advanced AI doesn't go badly wrong.",
    )
    .await
    .unwrap();
    assert_eq!(first, "Oh, like making chatbots less biased?");
    say(
        &core,
        &token,
        session.id,
        "Bigger than bias: systems smarter than us pursuing the wrong goals.",
    )
    .await
    .unwrap();
    let request = &llm.requests()[1];
    let system = request["system"].to_string();
    assert!(
        system.contains("university-educated non-STEM character"),
        "{system}"
    );
    assert!(
        request["tools"].is_null(),
        "the character is offered no tools"
    );
    assert_eq!(request["messages"][1]["content"], OPENING, "{request}");

    let finished = finish(&core, &token, session.id).await.unwrap();
    assert!(finished.session.unwrap().finished_at.is_some());
    let pending = finished.assessment.unwrap();
    assert_eq!(
        pending.assessment.unwrap().state(),
        AssessmentState::Pending
    );
    assert_eq!(pending.place.unwrap().segment_index, 1);

    let refused = say(&core, &token, session.id, "One more thing")
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Code::FailedPrecondition);

    let answers = || async {
        AnswerServiceClient::new(core.channel().await)
            .list_answers(authed(
                v1::ListAnswersRequest {
                    content_id: LENS.into(),
                },
                &token,
            ))
            .await
            .unwrap()
            .into_inner()
            .answers
    };
    eventually("the roleplay's assessment", || async {
        answers().await[0].assessment.as_ref().unwrap().state() == AssessmentState::Done
    })
    .await;
    let assessed = answers().await.remove(0);
    assert!(
        assessed
            .text
            .starts_with(&format!("Character: {OPENING}\n\nLearner: It's about"))
    );
    let assessment = assessed.assessment.unwrap();
    assert_eq!((assessment.score, assessment.feedback), (3, true));
    let asked = llm.requests().last().unwrap()["messages"][0]["content"].to_string();
    assert!(
        asked.contains("Assess the learner's side of the conversation"),
        "{asked}"
    );
}

async fn a_roleplay_is_finished_once_and_can_be_started_again(postgres: bool) {
    let (llm, core, _content, token) = stack(postgres).await;
    let session = open(&core, &token, ROLEPLAY).await.session.unwrap();
    assert_eq!(
        finish(&core, &token, session.id).await.unwrap_err().code(),
        Code::FailedPrecondition,
        "nothing said yet"
    );
    llm.script(vec![Step::Text("Tell me more.")]);
    say(&core, &token, session.id, "It's about AI going well.")
        .await
        .unwrap();
    let finishes = join_all([
        finish(&core, &token, session.id),
        finish(&core, &token, session.id),
    ])
    .await;
    assert_eq!(
        finishes.iter().filter(|f| f.is_ok()).count(),
        1,
        "finished once"
    );

    ChatServiceClient::new(core.channel().await)
        .archive_session(authed(
            v1::ArchiveSessionRequest {
                session_id: session.id,
            },
            &token,
        ))
        .await
        .unwrap();
    let again = open(&core, &token, ROLEPLAY).await;
    assert_ne!(again.session.unwrap().id, session.id);
    assert_eq!(
        again.messages.len(),
        1,
        "a fresh start, with the opening again"
    );
    assert_eq!(again.messages[0].text, OPENING);

    let missing = ChatServiceClient::new(core.channel().await)
        .get_or_start_session(authed(
            v1::GetOrStartSessionRequest {
                lens_id: LENS.into(),
                roleplay_id: "no-such-roleplay".into(),
            },
            &token,
        ))
        .await
        .unwrap_err();
    assert_eq!(missing.code(), Code::NotFound);
}
