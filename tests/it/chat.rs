//! The AI tutor against a fake Anthropic server: grounding, streamed
//! answers, durability when the model fails or the learner leaves, and a
//! stream through the web edge over grpc-web.

use std::time::Duration;

use futures::StreamExt;
use lens_proto::v1;
use lens_proto::v1::chat_service_client::ChatServiceClient;
use lens_server::chat::prompt::{PromptError, system_prompt};
use lens_server::content::{ContentFiles, build};
use lens_tests::core::{CoreOptions, TestCore, authed};
use lens_tests::fakes::llm::{FAKE_ANTHROPIC_KEY, FakeAnthropic, Step};
use lens_tests::web::TestWeb;
use lens_tests::{content_fixture, grpc_web};
use tonic::Code;
use v1::send_message_response::Event;

/// The "Cascades and Cycles" lens: text, article excerpt, text, chat.
const CASCADES: &str = "3dd47fce-a0fe-4e03-916d-a160fe697dd0";

#[test]
fn the_prompt_is_grounded_in_what_the_learner_just_read() {
    let snapshot = build(&ContentFiles::read_dir(&content_fixture()).unwrap())
        .snapshot
        .unwrap();
    let lens = &snapshot.lenses[CASCADES];
    let prompt = system_prompt(lens, 3).unwrap();
    assert!(prompt.starts_with(lens_server::chat::prompt::PREAMBLE));
    assert!(prompt.contains(
        "about the article \"Cascades, Cycles, Insight... — LessWrong\" by Eliezer Yudkowsky"
    ));
    assert!(prompt.contains(
        "## Excerpt of \"Cascades, Cycles, Insight... — LessWrong\"\n\nCascades are when"
    ));
    assert!(
        prompt
            .contains("What are the properties that make something a cycle rather than a cascade?")
    );
    assert!(prompt.trim_end().ends_with(
        "the ability to predict a system's abilities at time t+1 based on its abilities at time t."
    ));
    assert_eq!(
        system_prompt(lens, 1),
        Err(PromptError::NotAChat {
            lens: "Cascades and Cycles".into(),
            index: 1
        })
    );
    assert!(matches!(
        system_prompt(lens, 9),
        Err(PromptError::NoSuchSegment { .. })
    ));

    // A second chat in a lens sees only what came after the first one.
    let demo = snapshot
        .lenses
        .values()
        .find(|l| l.name == "Kurzgesagt software demo")
        .unwrap();
    let second_chat = demo
        .segments
        .iter()
        .enumerate()
        .filter(|(_, s)| matches!(s, lens_server::content::model::Segment::Chat { .. }))
        .nth(1)
        .unwrap()
        .0;
    let prompt = system_prompt(demo, second_chat).unwrap();
    assert!(prompt.contains("intelligence explosion"));
    assert!(
        !prompt.contains("Please watch this"),
        "content before the first chat is left out"
    );
}

/// A core with the content fixture, talking to `llm` (if any) as Anthropic;
/// `extra` variables are added last, so they override.
async fn tutor_core(
    postgres: bool,
    llm: Option<&FakeAnthropic>,
    extra: &[(&str, &str)],
) -> TestCore {
    let mut env = vec![(
        "CONTENT_DIR".to_owned(),
        content_fixture().display().to_string(),
    )];
    if let Some(llm) = llm {
        env.push(("LLM_BASE_URL".into(), llm.url.clone()));
        env.push(("ANTHROPIC_API_KEY".into(), FAKE_ANTHROPIC_KEY.into()));
    }
    env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    TestCore::start(CoreOptions {
        postgres,
        dev_mode: true,
        env,
        ..Default::default()
    })
    .await
}

/// The learner's session on the Cascades lens, over plain gRPC.
async fn cascades_session(core: &TestCore, token: &str) -> i64 {
    let mut chat = ChatServiceClient::new(core.channel().await);
    chat.get_or_start_session(authed(
        v1::GetOrStartSessionRequest {
            lens_id: CASCADES.into(),
        },
        token,
    ))
    .await
    .unwrap()
    .into_inner()
    .session
    .unwrap()
    .id
}

async fn learner(core: &TestCore) -> String {
    core.dev_session("lea", false).await.token
}

/// A grpc-web chat client through `web` with the learner's cookie, and
/// their session on the Cascades lens.
async fn web_chat(
    web: &TestWeb,
    token: &str,
) -> (ChatServiceClient<grpc_web::GrpcWebTransport>, String, i64) {
    let cookie = format!("lens_session={token}");
    let (transport, origin) = grpc_web::transport(&web.url);
    let mut chat = ChatServiceClient::with_origin(transport, origin);
    let session = chat
        .get_or_start_session(grpc_web::with_cookie(
            v1::GetOrStartSessionRequest {
                lens_id: CASCADES.into(),
            },
            &cookie,
        ))
        .await
        .unwrap()
        .into_inner()
        .session
        .unwrap()
        .id;
    (chat, cookie, session)
}

both_backends!(answers_stream_and_every_message_is_kept);

async fn answers_stream_and_every_message_is_kept(postgres: bool) {
    let llm = FakeAnthropic::start().await;
    let core = tutor_core(postgres, Some(&llm), &[]).await;
    let token = learner(&core).await;
    let mut chat = ChatServiceClient::new(core.channel().await);
    let session_id = cascades_session(&core, &token).await;

    // A complete answer: deltas, then the stored ids and usage.
    llm.script(vec![
        Step::Text("Cycles "),
        Step::Text("feed back "),
        Step::Text("into themselves."),
    ]);
    let send = |text: &str| v1::SendMessageRequest {
        session_id,
        segment_index: 3,
        text: text.into(),
    };
    let mut events = chat
        .send_message(authed(send("What makes a cycle?"), &token))
        .await
        .unwrap()
        .into_inner();
    let mut deltas = Vec::new();
    let mut complete = None;
    while let Some(message) = events.message().await.unwrap() {
        match message.event.unwrap() {
            Event::Delta(text) => deltas.push(text),
            Event::Complete(done) => complete = Some(done),
            Event::Error(error) => panic!("unexpected error {}", error.message),
        }
    }
    assert_eq!(deltas, ["Cycles ", "feed back ", "into themselves."]);
    let complete = complete.unwrap();
    assert_eq!(complete.model, "anthropic/claude-sonnet-4-20250514");
    assert_eq!((complete.input_tokens, complete.output_tokens), (321, 13));
    let request = &llm.requests()[0];
    assert!(
        request["system"].to_string().contains("Cascades are when"),
        "grounded in the excerpt"
    );
    assert!(
        request["messages"][0]["content"]
            .to_string()
            .contains("What makes a cycle?")
    );

    // The model fails mid-answer: an error event, and the part that arrived is kept.
    llm.script(vec![Step::Text("Partly "), Step::Fail("Overloaded")]);
    let mut events = chat
        .send_message(authed(send("And cascades?"), &token))
        .await
        .unwrap()
        .into_inner();
    let mut last = None;
    while let Some(message) = events.message().await.unwrap() {
        last = message.event;
    }
    let Some(Event::Error(error)) = last else {
        panic!("expected an error event, got {last:?}")
    };
    assert!(error.message.contains("broke off"), "{}", error.message);

    // The learner goes away mid-answer: the provider request is cancelled.
    llm.script(vec![
        Step::Text("Slowly "),
        Step::Wait(Duration::from_secs(30)),
        Step::Text("never sent"),
    ]);
    let mut events = chat
        .send_message(authed(send("Tell me more"), &token))
        .await
        .unwrap()
        .into_inner();
    let first = events.message().await.unwrap().unwrap();
    assert_eq!(first.event, Some(Event::Delta("Slowly ".into())));
    let left = std::time::Instant::now();
    drop(events);
    let mut transcript = Vec::new();
    for _ in 0..100 {
        transcript = chat
            .get_transcript(authed(v1::GetTranscriptRequest { session_id }, &token))
            .await
            .unwrap()
            .into_inner()
            .messages;
        if transcript.len() == 6 && llm.disconnected_at().is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let disconnected = llm
        .disconnected_at()
        .expect("the provider request was cancelled");
    assert!(disconnected.duration_since(left) < Duration::from_secs(5));
    let summary: Vec<(String, String, String)> = transcript
        .iter()
        .map(|m| (m.role.clone(), m.text.clone(), m.status.clone()))
        .collect();
    assert_eq!(
        summary,
        vec![
            (
                "user".into(),
                "What makes a cycle?".into(),
                "complete".into()
            ),
            (
                "assistant".into(),
                "Cycles feed back into themselves.".into(),
                "complete".into()
            ),
            ("user".into(), "And cascades?".into(), "complete".into()),
            ("assistant".into(), "Partly ".into(), "partial".into()),
            ("user".into(), "Tell me more".into(), "complete".into()),
            ("assistant".into(), "Slowly ".into(), "partial".into()),
        ]
    );
    assert_eq!(
        transcript[5].error,
        "the learner left before the answer was complete"
    );

    // Resuming the lens finds the same session and its history.
    let resumed = chat
        .get_or_start_session(authed(
            v1::GetOrStartSessionRequest {
                lens_id: CASCADES.into(),
            },
            &token,
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(resumed.session.unwrap().id, session_id);
    assert_eq!(resumed.messages.len(), 6);

    // Archiving starts afresh; the archived chat stays readable, only by its owner.
    chat.archive_session(authed(v1::ArchiveSessionRequest { session_id }, &token))
        .await
        .unwrap();
    let fresh = chat
        .get_or_start_session(authed(
            v1::GetOrStartSessionRequest {
                lens_id: CASCADES.into(),
            },
            &token,
        ))
        .await
        .unwrap()
        .into_inner();
    assert_ne!(fresh.session.unwrap().id, session_id);
    assert!(fresh.messages.is_empty());
    let sessions = chat
        .list_sessions(authed(v1::ListSessionsRequest {}, &token))
        .await
        .unwrap()
        .into_inner()
        .sessions;
    assert_eq!(sessions.len(), 2);
    assert!(
        sessions
            .iter()
            .any(|s| s.id == session_id && s.archived_at.is_some())
    );
    let stranger = core.dev_session("other", false).await.token;
    let status = chat
        .get_transcript(authed(v1::GetTranscriptRequest { session_id }, &stranger))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::PermissionDenied);
    let status = chat
        .archive_session(authed(v1::ArchiveSessionRequest { session_id }, &stranger))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::NotFound);

    // Bad input, precisely.
    let status = chat
        .send_message(authed(send(&"x".repeat(4001)), &token))
        .await
        .unwrap_err();
    assert_eq!(
        (status.code(), status.message()),
        (
            Code::InvalidArgument,
            "invalid text: is 4001 characters; send 1 to 4000"
        )
    );
    let not_chat = v1::SendMessageRequest {
        session_id,
        segment_index: 1,
        text: "hi".into(),
    };
    let status = chat
        .send_message(authed(not_chat, &token))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::InvalidArgument);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_model_chat_says_what_to_configure() {
    let core = tutor_core(false, None, &[]).await;
    let token = learner(&core).await;
    let mut chat = ChatServiceClient::new(core.channel().await);
    let session_id = cascades_session(&core, &token).await;
    let request = v1::SendMessageRequest {
        session_id,
        segment_index: 3,
        text: "hello".into(),
    };
    let status = chat
        .send_message(authed(request, &token))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::FailedPrecondition);
    assert!(
        status.message().contains("ANTHROPIC_API_KEY"),
        "{}",
        status.message()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_streams_through_the_web_edge() {
    let llm = FakeAnthropic::start().await;
    let core = tutor_core(false, Some(&llm), &[]).await;
    let web = TestWeb::start(&core, true).await;
    let token = learner(&core).await;
    let (mut chat, cookie, session_id) = web_chat(&web, &token).await;
    llm.script(vec![
        Step::Text("One "),
        Step::Wait(Duration::from_millis(300)),
        Step::Text("two."),
    ]);
    let request = v1::SendMessageRequest {
        session_id,
        segment_index: 3,
        text: "Count".into(),
    };
    let mut events = chat
        .send_message(grpc_web::with_cookie(request, &cookie))
        .await
        .unwrap()
        .into_inner();
    let first = events.next().await.unwrap().unwrap();
    let first_at = std::time::Instant::now();
    assert_eq!(first.event, Some(Event::Delta("One ".into())));
    let second = events.next().await.unwrap().unwrap();
    assert_eq!(second.event, Some(Event::Delta("two.".into())));
    assert!(
        first_at.elapsed() >= Duration::from_millis(200),
        "the first delta arrived before the model paused, unbuffered"
    );
    let last = events.next().await.unwrap().unwrap();
    assert!(matches!(last.event, Some(Event::Complete(_))));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_self_hosted_openai_compatible_model_answers_too() {
    let llm = FakeAnthropic::start().await;
    let openai = [
        ("LLM_PROVIDER", "openai/llama3.1:8b"),
        ("OPENAI_API_KEY", FAKE_ANTHROPIC_KEY),
    ];
    let core = tutor_core(false, Some(&llm), &openai).await;
    let token = learner(&core).await;
    let mut chat = ChatServiceClient::new(core.channel().await);
    let session_id = cascades_session(&core, &token).await;
    llm.script(vec![Step::Text("Local "), Step::Text("answer.")]);
    let request = v1::SendMessageRequest {
        session_id,
        segment_index: 3,
        text: "Hi".into(),
    };
    let mut events = chat
        .send_message(authed(request, &token))
        .await
        .unwrap()
        .into_inner();
    let mut text = String::new();
    let mut done = None;
    while let Some(message) = events.message().await.unwrap() {
        match message.event.unwrap() {
            Event::Delta(delta) => text.push_str(&delta),
            Event::Complete(complete) => done = Some(complete),
            Event::Error(error) => panic!("{}", error.message),
        }
    }
    assert_eq!(text, "Local answer.");
    let done = done.unwrap();
    assert_eq!(done.model, "openai/llama3.1:8b");
    assert_eq!((done.input_tokens, done.output_tokens), (123, 12));
    assert_eq!(llm.requests()[0]["model"], "llama3.1:8b");
}

/// A tutor core with the given limits, a learner and a session.
async fn limited(llm: &FakeAnthropic, per_minute: &str, tokens: &str) -> (TestCore, String, i64) {
    let limits = [
        ("CHAT_MESSAGES_PER_MINUTE", per_minute),
        ("CHAT_DAILY_TOKEN_QUOTA", tokens),
    ];
    let core = tutor_core(false, Some(llm), &limits).await;
    let token = learner(&core).await;
    let session = cascades_session(&core, &token).await;
    (core, token, session)
}

async fn ask(core: &TestCore, token: &str, session_id: i64) -> Result<(), tonic::Status> {
    let mut chat = ChatServiceClient::new(core.channel().await);
    let request = v1::SendMessageRequest {
        session_id,
        segment_index: 3,
        text: "Hi".into(),
    };
    let mut events = chat
        .send_message(authed(request, token))
        .await?
        .into_inner();
    while events.message().await?.is_some() {}
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_and_daily_allowance_are_enforced_with_when_to_retry() {
    let llm = FakeAnthropic::start().await;
    llm.script(vec![Step::Text("Hello.")]);

    // Two messages a minute: the third is refused, with a wait under a minute.
    let (core, token, session) = limited(&llm, "2", "1000000").await;
    ask(&core, &token, session).await.unwrap();
    ask(&core, &token, session).await.unwrap();
    let status = ask(&core, &token, session).await.unwrap_err();
    assert_eq!(status.code(), Code::ResourceExhausted);
    assert!(
        status
            .message()
            .starts_with("you can send 2 messages a minute"),
        "{}",
        status.message()
    );
    let retry: u64 = status
        .metadata()
        .get("retry-after")
        .unwrap()
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry));
    let mut chat = ChatServiceClient::new(core.channel().await);
    let transcript = chat
        .get_transcript(authed(
            v1::GetTranscriptRequest {
                session_id: session,
            },
            &token,
        ))
        .await
        .unwrap()
        .into_inner()
        .messages;
    assert_eq!(transcript.len(), 4, "the refused message was not stored");

    // 500 tokens a day: each answer here costs 321 + 11, so the second
    // answer goes over and the third message is refused until midnight UTC.
    let (core, token, session) = limited(&llm, "100", "500").await;
    ask(&core, &token, session).await.unwrap();
    ask(&core, &token, session).await.unwrap();
    let status = ask(&core, &token, session).await.unwrap_err();
    assert_eq!(status.code(), Code::ResourceExhausted);
    assert!(
        status
            .message()
            .starts_with("you have used today's tutor allowance (500 tokens)"),
        "{}",
        status.message()
    );
    let retry: u64 = status
        .metadata()
        .get("retry-after")
        .unwrap()
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=86_400).contains(&retry));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_first_token_is_waited_for_not_cut_off() {
    let llm = FakeAnthropic::start().await;
    let core = tutor_core(false, Some(&llm), &[]).await;
    let web = TestWeb::start(&core, true).await;
    let token = learner(&core).await;
    let (mut chat, cookie, session_id) = web_chat(&web, &token).await;
    // Models can think for seconds before the first token.
    llm.script(vec![
        Step::Wait(Duration::from_secs(3)),
        Step::Text("Finally."),
    ]);
    let started = std::time::Instant::now();
    let request = v1::SendMessageRequest {
        session_id,
        segment_index: 3,
        text: "Think hard".into(),
    };
    let mut events = chat
        .send_message(grpc_web::with_cookie(request, &cookie))
        .await
        .unwrap()
        .into_inner();
    let first = events.next().await.unwrap().unwrap();
    assert_eq!(first.event, Some(Event::Delta("Finally.".into())));
    assert!(started.elapsed() >= Duration::from_secs(3));
    let last = events.next().await.unwrap().unwrap();
    assert!(matches!(last.event, Some(Event::Complete(_))));
}
