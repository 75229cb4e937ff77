//! The AI tutor against a fake Anthropic server: grounding, streamed
//! answers, durability when the model fails or the learner leaves, and a
//! stream through the web edge over grpc-web.

use std::time::Duration;

use futures::StreamExt;
use lens_proto::v1;
use lens_proto::v1::chat_service_client::ChatServiceClient;
use lens_server::chat::prompt::{PREAMBLE, PromptError, system_prompt};
use lens_server::content::{ContentFiles, PlaceError, build};
use lens_tests::content_fixture;
use lens_tests::core::{CoreOptions, TestCore, authed};
use lens_tests::fakes::llm::{FAKE_LLM_KEY, FakeLlm, Step};
use lens_tests::tutor::{CASCADES, WebChat, message};
use lens_tests::web::TestWeb;
use tonic::{Code, Status};
use v1::send_message_response::Event;

#[test]
fn the_prompt_is_grounded_in_what_the_learner_just_read() {
    let snapshot = build(&ContentFiles::read_dir(&content_fixture()).unwrap()).snapshot;
    let lens = &snapshot.lenses[CASCADES];
    let prompt = system_prompt(lens, 3, None).unwrap();
    assert!(prompt.starts_with(PREAMBLE));
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
        system_prompt(lens, 1, None),
        Err(PromptError::NotAChat {
            lens: "Cascades and Cycles".into(),
            index: 1
        })
    );
    assert!(matches!(
        system_prompt(lens, 9, None),
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
        .filter(|(_, s)| {
            matches!(
                s.kind,
                lens_server::content::model::SegmentKind::Chat { .. }
            )
        })
        .nth(1)
        .unwrap()
        .0;
    let prompt = system_prompt(demo, second_chat, None).unwrap();
    assert!(prompt.contains("intelligence explosion"));
    assert!(
        !prompt.contains("Please watch this"),
        "content before the first chat is left out"
    );
}

#[test]
fn the_tutor_is_told_the_learners_answer_and_its_assessment() {
    use lens_server::answers::{assessment, question_key};
    use lens_server::chat::prompt::{AnswersForTutor, system_prompt_with};
    use lens_server::content::model::{Segment, SegmentKind};

    // Today's content asks its questions in learning outcome tests; a lens
    // that asks one before a chat is built from the real question.
    let snapshot = build(&ContentFiles::read_dir(&lens_tests::relay_fixture()).unwrap()).snapshot;
    let test = &snapshot.outcomes["cafc40b7-fb3a-4415-9b1d-c65b85329b73"].tests[0];
    let SegmentKind::Question(question) = &test.segments[1].kind else {
        unreachable!()
    };
    let mut lens = (*snapshot.lenses.values().next().unwrap().clone()).clone();
    lens.segments = vec![
        Segment::from(SegmentKind::Question(question.clone())),
        Segment::from(SegmentKind::Chat {
            title: String::new(),
            instructions: "Discuss their answer.".into(),
            hide_previous_content_from_user: false,
            hide_previous_content_from_tutor: false,
        }),
    ];
    let unanswered = system_prompt_with(&lens, 1, None, &AnswersForTutor::new()).unwrap();
    assert!(unanswered.contains("They have not answered it yet."));

    let scored = assessment::Assessment {
        score: 3,
        reasoning: "Both parts, loosely joined.".into(),
        dimensions: Vec::new(),
    };
    let answers = AnswersForTutor::from([(
        question_key(question),
        assessment::for_tutor("Capability times generality.", Some(&scored)),
    )]);
    let prompt = system_prompt_with(&lens, 1, None, &answers).unwrap();
    assert!(prompt.contains(&format!(
        "## Question to the learner\n\n{}\n\nThe learner answered:\n\nCapability times generality.\n\nIts assessment: 3/5. Both parts, loosely joined.",
        question.content
    )));
}

#[test]
fn after_a_roleplay_the_tutor_is_told_how_it_went() {
    use lens_server::answers::assessment;
    use lens_server::chat::prompt::{AnswersForTutor, system_prompt_with};
    use lens_server::chat::roleplay;
    use lens_server::content::model::{Roleplay, Segment, SegmentKind};
    use lens_server::domain::ChatRole;

    let snapshot = build(&ContentFiles::read_dir(&content_fixture()).unwrap()).snapshot;
    let played = Roleplay {
        id: "313958db-3b65-438f-9725-d9b483977284".into(),
        content: "You're meeting someone who's never heard of AI Safety before.".into(),
        ai_instructions: "You're a university-educated non-STEM character.".into(),
        opening_message: Some("Hello! What's AI safety?".into()),
        assessment_instructions: Some("Did they explain existential risk?".into()),
        feedback: true,
        user_customizable: false,
    };
    let mut lens = (*snapshot.lenses[CASCADES].clone()).clone();
    lens.segments = vec![
        Segment::from(SegmentKind::Roleplay(played.clone())),
        Segment::from(SegmentKind::Chat {
            title: String::new(),
            instructions: "Give feedback on the roleplay.".into(),
            hide_previous_content_from_user: false,
            hide_previous_content_from_tutor: false,
        }),
    ];
    let transcript = roleplay::transcript([
        (ChatRole::Assistant, "Hello! What's AI safety?"),
        (
            ChatRole::User,
            "Making sure smarter-than-human AI does not go wrong.",
        ),
    ]);
    let answers = AnswersForTutor::from([(
        roleplay::answer_key(&played),
        assessment::for_tutor(&transcript, None),
    )]);
    let prompt = system_prompt_with(&lens, 1, None, &answers).unwrap();
    assert!(prompt.contains(
        "## Roleplay briefing\n\nYou're meeting someone who's never heard of AI Safety before.\n\nThe learner answered:\n\nCharacter: Hello! What's AI safety?\n\nLearner: Making sure"
    ), "{prompt}");
}

#[test]
fn the_prompt_places_the_lens_in_its_module_and_course() {
    let snapshot = build(&ContentFiles::read_dir(&content_fixture()).unwrap()).snapshot;
    let lens = &snapshot.lenses[CASCADES];
    let place = snapshot.place_of(CASCADES, None).unwrap().unwrap();
    assert_eq!(place.module.slug, "feedback-loops");
    assert_eq!(place.course.as_ref().unwrap().title, "AI Safety Course");
    assert_eq!(place.meeting, Some(2));
    let same = snapshot
        .place_of(CASCADES, Some("feedback-loops"))
        .unwrap()
        .unwrap();
    assert_eq!(same.module.id, place.module.id);

    let prompt = system_prompt(lens, 3, Some(&place)).unwrap();
    let course = "# The course\n\nThe learner is taking the course \"AI Safety Course\". They are reading \
                  the module \"Feedback Loops\", which prepares them for group meeting 2. Its parts, in reading order:\n\
                  \n- Page \"Welcome\"\
                  \n- Learning outcome \"Feedback cycles create discontinuity\", through the lenses \
                  \"Cascades and Cycles\" (the learner is here), \"Speculations concerning the first ultraintelligent machine\"";
    assert!(prompt.contains(course), "{prompt}");
    // Shared parts first, so a prompt cache serves them: preamble, course,
    // then the lens, then the chat's instructions.
    let at = |needle: &str| prompt.find(needle).unwrap();
    assert!(at(PREAMBLE) < at("# The course"));
    assert!(at("# The course") < at("# Where the learner is"));
    assert!(at("# Where the learner is") < at("# Your instructions"));

    assert_eq!(
        snapshot
            .place_of(CASCADES, Some("no-such-module"))
            .unwrap_err(),
        PlaceError::NoSuchModule("no-such-module".into())
    );
    assert!(matches!(
        snapshot.place_of(CASCADES, Some("introduction")),
        Err(PlaceError::NotInModule { .. })
    ));
}

/// A core with the content fixture, talking to `llm` (if any) as Anthropic;
/// `extra` variables are added last, so they override.
pub(crate) async fn tutor_core(
    postgres: bool,
    llm: Option<&FakeLlm>,
    extra: &[(&str, &str)],
) -> TestCore {
    let mut env = vec![(
        "CONTENT_DIR".to_owned(),
        content_fixture().display().to_string(),
    )];
    if let Some(llm) = llm {
        env.push(("LLM_BASE_URL".into(), llm.url.clone()));
        env.push(("ANTHROPIC_API_KEY".into(), FAKE_LLM_KEY.into()));
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
pub(crate) async fn cascades_session(core: &TestCore, token: &str) -> i64 {
    let mut chat = ChatServiceClient::new(core.channel().await);
    chat.get_or_start_session(authed(
        v1::GetOrStartSessionRequest {
            lens_id: CASCADES.into(),
            ..Default::default()
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

pub(crate) async fn learner(core: &TestCore) -> String {
    core.dev_session("lea", false).await.token
}

both_backends!(answers_stream_and_every_message_is_kept);

async fn answers_stream_and_every_message_is_kept(postgres: bool) {
    let llm = FakeLlm::start().await;
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
    let send = |text: &str| message(session_id, text);
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
            other => panic!("unexpected event {other:?}"),
        }
    }
    assert_eq!(deltas, ["Cycles ", "feed back ", "into themselves."]);
    let complete = complete.unwrap();
    assert_eq!(complete.model, "anthropic/claude-sonnet-4-20250514");
    assert_eq!((complete.input_tokens, complete.output_tokens), (321, 13));
    let request = &llm.requests()[0];
    let system = &request["system"][0];
    assert!(
        system["text"].as_str().unwrap().contains(
            "## Excerpt of \"Cascades, Cycles, Insight... — LessWrong\"\n\nCascades are when"
        ),
        "grounded in the excerpt: {system}"
    );
    assert!(
        system["text"]
            .as_str()
            .unwrap()
            .contains("They are reading the module \"Feedback Loops\""),
        "placed in its module"
    );
    assert_eq!(
        system["cache_control"]["type"], "ephemeral",
        "the system prompt is cached by the provider across turns"
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
    assert_eq!(
        error.message,
        "The tutor's model is overloaded right now; try again in a minute. What arrived is kept."
    );

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
        if transcript.len() == 6
            && transcript[5].status() == v1::MessageStatus::Partial
            && llm.disconnected_at().is_some()
        {
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
        .map(|m| (role(m), m.text.clone(), status(m).to_owned()))
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
        "stopped before the end: the learner pressed Stop or left"
    );

    // Resuming the lens finds the same session and its history.
    let resumed = chat
        .get_or_start_session(authed(
            v1::GetOrStartSessionRequest {
                lens_id: CASCADES.into(),
                ..Default::default()
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
                ..Default::default()
            },
            &token,
        ))
        .await
        .unwrap()
        .into_inner();
    assert_ne!(fresh.session.unwrap().id, session_id);
    assert!(fresh.messages.is_empty());
    let sessions = chat
        .list_sessions(authed(v1::ListSessionsRequest { user_id: 0 }, &token))
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
        segment_index: 1,
        ..message(session_id, "hi")
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
    let request = message(session_id, "hello");
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
    let llm = FakeLlm::start().await;
    let core = tutor_core(false, Some(&llm), &[]).await;
    let web = TestWeb::start(&core, true).await;
    let token = learner(&core).await;
    let mut chat = WebChat::open(&web.url, &token).await;
    llm.script(vec![
        Step::Text("One "),
        Step::Wait(Duration::from_millis(300)),
        Step::Text("two."),
    ]);
    let mut events = chat.send("Count").await;
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

/// Sends `request` and reads the whole answer: the text and the last event.
async fn converse(
    core: &TestCore,
    token: &str,
    request: v1::SendMessageRequest,
) -> (String, Event) {
    let mut chat = ChatServiceClient::new(core.channel().await);
    let mut events = chat
        .send_message(authed(request, token))
        .await
        .unwrap()
        .into_inner();
    let mut text = String::new();
    let mut last = None;
    while let Some(message) = events.message().await.unwrap() {
        match message.event.unwrap() {
            Event::Delta(delta) => text.push_str(&delta),
            other => last = Some(other),
        }
    }
    (text, last.expect("an answer ends with complete or error"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openai_compatible_and_gemini_models_answer_in_their_own_formats() {
    let llm = FakeLlm::start().await;
    let providers = [
        // A self-hosted OpenAI-compatible server (Ollama, vLLM, LM Studio).
        (
            vec![
                ("LLM_PROVIDER", "openai/llama3.1:8b"),
                ("OPENAI_API_KEY", FAKE_LLM_KEY),
            ],
            "openai/llama3.1:8b",
            "llama3.1:8b",
            (123, 12),
        ),
        (
            vec![
                ("LLM_PROVIDER", "gemini/gemini-2.5-flash"),
                ("GEMINI_API_KEY", FAKE_LLM_KEY),
                ("LLM_BASE_URL", llm.gemini_url.as_str()),
            ],
            "gemini/gemini-2.5-flash",
            "gemini-2.5-flash",
            (222, 12),
        ),
    ];
    for (env, label, model, usage) in providers {
        let core = tutor_core(false, Some(&llm), &env).await;
        let token = learner(&core).await;
        let session_id = cascades_session(&core, &token).await;
        llm.script(vec![Step::Text("Local "), Step::Text("answer.")]);
        let (text, last) = converse(&core, &token, message(session_id, "Hi")).await;
        assert_eq!(text, "Local answer.");
        let Event::Complete(done) = last else {
            panic!("{label}: {last:?}")
        };
        assert_eq!(done.model, label);
        assert_eq!((done.input_tokens, done.output_tokens), usage, "{label}");
        let request = llm.requests().pop().unwrap();
        assert_eq!(request["model"], model);
        assert!(
            request.to_string().contains("Cascades are when"),
            "{label}: the system prompt went with the request"
        );

        // An error mid-answer in each format: what arrived is kept, and said.
        llm.script(vec![Step::Text("Partly "), Step::Fail("boom")]);
        let (text, last) = converse(&core, &token, message(session_id, "Break")).await;
        assert_eq!(text, "Partly ");
        let Event::Error(error) = last else {
            panic!("{label}: {last:?}")
        };
        assert!(
            error.message.ends_with("What arrived is kept."),
            "{label}: {}",
            error.message
        );

        // Each format's refusal reaches the learner with the provider's wait.
        llm.script(vec![Step::Refuse {
            status: 429,
            retry_after: Some(120),
        }]);
        let (text, last) = converse(&core, &token, message(session_id, "Again")).await;
        assert_eq!(text, "");
        assert_eq!(
            last,
            Event::Error(v1::ChatError {
                message:
                    "The tutor is answering a lot of learners right now; try again in 2 minutes."
                        .into(),
                retry_after_seconds: 120,
            }),
            "{label}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn provider_refusals_are_retried_when_short_and_explained_when_not() {
    let llm = FakeLlm::start().await;
    let core = tutor_core(false, Some(&llm), &[]).await;
    let token = learner(&core).await;
    let session_id = cascades_session(&core, &token).await;
    let refuse = |status, retry_after| {
        vec![Step::Refuse {
            status,
            retry_after,
        }]
    };
    let requests_before = |llm: &FakeLlm| llm.requests().len();

    // A 429 asking for a second's wait: waited out, then answered.
    llm.script_each(vec![
        refuse(429, Some(1)),
        vec![Step::Text("After a wait.")],
    ]);
    let started = std::time::Instant::now();
    let (text, last) = converse(&core, &token, message(session_id, "One")).await;
    assert_eq!(text, "After a wait.");
    assert!(matches!(last, Event::Complete(_)), "{last:?}");
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "the provider's wait was kept"
    );
    assert_eq!(requests_before(&llm), 2);

    // Overloaded without guidance: three tries (0.5 s, then 1 s apart), then words.
    llm.script(refuse(529, None));
    let (_, last) = converse(&core, &token, message(session_id, "Two")).await;
    assert_eq!(
        last,
        Event::Error(v1::ChatError {
            message: "The tutor's model is overloaded right now; try again in a minute.".into(),
            retry_after_seconds: 0,
        })
    );
    assert_eq!(requests_before(&llm), 5);

    // A long wait is not held: the learner is told when to come back.
    llm.script(refuse(429, Some(600)));
    let (_, last) = converse(&core, &token, message(session_id, "Three")).await;
    let Event::Error(error) = last else {
        panic!("{last:?}")
    };
    assert_eq!(error.retry_after_seconds, 600);
    assert!(
        error.message.ends_with("try again in 10 minutes."),
        "{}",
        error.message
    );
    assert_eq!(requests_before(&llm), 6);

    // A refused key is not retried, and its details stay in the log.
    llm.script(refuse(401, None));
    let (_, last) = converse(&core, &token, message(session_id, "Four")).await;
    let Event::Error(error) = last else {
        panic!("{last:?}")
    };
    assert!(
        error.message.contains("problem with the platform's setup"),
        "{}",
        error.message
    );
    assert!(!error.message.contains("401"));
    assert_eq!(requests_before(&llm), 7);

    // Leaving during a retry's wait ends it: no second request is made.
    llm.script(refuse(429, Some(2)));
    let mut chat = ChatServiceClient::new(core.channel().await);
    let events = chat
        .send_message(authed(message(session_id, "Five"), &token))
        .await
        .unwrap()
        .into_inner();
    tokio::time::sleep(Duration::from_millis(300)).await;
    drop(events);
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(requests_before(&llm), 8, "no retry after the learner left");

    // Every message and every failure is in the transcript.
    let transcript = chat
        .get_transcript(authed(v1::GetTranscriptRequest { session_id }, &token))
        .await
        .unwrap()
        .into_inner()
        .messages;
    let answers: Vec<(&str, &str, &str)> = transcript
        .iter()
        .filter(|m| m.role() == v1::ChatRole::Assistant)
        .map(|m| (m.text.as_str(), status(m), m.error.as_str()))
        .collect();
    assert_eq!(
        answers,
        vec![
            ("After a wait.", "complete", ""),
            ("", "partial", "the model provider was overloaded"),
            (
                "",
                "partial",
                "the model provider was rate-limiting requests"
            ),
            ("", "partial", "the model provider refused the request"),
            (
                "",
                "partial",
                "stopped before the end: the learner pressed Stop or left"
            ),
        ]
    );
    assert_eq!(transcript.len(), 10, "the learner's five messages are kept");
}

/// A tutor core with the given limits, a learner and a session.
async fn limited(llm: &FakeLlm, per_minute: &str, tokens: &str) -> (TestCore, String, i64) {
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
    let request = message(session_id, "Hi");
    let mut events = chat
        .send_message(authed(request, token))
        .await?
        .into_inner();
    while events.message().await?.is_some() {}
    Ok(())
}

/// A refusal for a limit: RESOURCE_EXHAUSTED, saying `starts_with`, with a
/// `retry-after` of 1 to `longest_wait` seconds.
fn assert_exhausted(status: &Status, starts_with: &str, longest_wait: u64) {
    assert_eq!(status.code(), Code::ResourceExhausted);
    assert!(
        status.message().starts_with(starts_with),
        "{}",
        status.message()
    );
    let retry: u64 = status
        .metadata()
        .get("retry-after")
        .expect("a retry-after")
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=longest_wait).contains(&retry), "{retry}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_over_the_rate_is_refused_with_when_to_retry_and_not_stored() {
    let llm = FakeLlm::start().await;
    llm.script(vec![Step::Text("Hello.")]);
    // Two messages a minute: the third is refused, with a wait under a minute.
    let (core, token, session) = limited(&llm, "2", "1000000").await;
    ask(&core, &token, session).await.unwrap();
    ask(&core, &token, session).await.unwrap();
    let status = ask(&core, &token, session).await.unwrap_err();
    assert_exhausted(&status, "you can send 2 messages a minute", 60);
    let transcript = transcript(&core, &token, session).await;
    assert_eq!(transcript.len(), 4, "the refused message was not stored");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_over_the_daily_allowance_waits_for_midnight_utc() {
    let llm = FakeLlm::start().await;
    llm.script(vec![Step::Text("Hello.")]);
    // 500 tokens a day: each answer here costs 321 + 11, so the second
    // answer goes over and the third message is refused until midnight UTC.
    let (core, token, session) = limited(&llm, "100", "500").await;
    ask(&core, &token, session).await.unwrap();
    ask(&core, &token, session).await.unwrap();
    let status = ask(&core, &token, session).await.unwrap_err();
    assert_exhausted(
        &status,
        "you have used today's tutor allowance (500 tokens)",
        86_400,
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_first_token_is_waited_for_not_cut_off() {
    let llm = FakeLlm::start().await;
    let core = tutor_core(false, Some(&llm), &[]).await;
    let web = TestWeb::start(&core, true).await;
    let token = learner(&core).await;
    let mut chat = WebChat::open(&web.url, &token).await;
    // Models can think for seconds before the first token.
    llm.script(vec![
        Step::Wait(Duration::from_secs(3)),
        Step::Text("Finally."),
    ]);
    let started = std::time::Instant::now();
    let mut events = chat.send("Think hard").await;
    let first = events.next().await.unwrap().unwrap();
    assert_eq!(first.event, Some(Event::Delta("Finally.".into())));
    assert!(started.elapsed() >= Duration::from_secs(3));
    let last = events.next().await.unwrap().unwrap();
    assert!(matches!(last.event, Some(Event::Complete(_))));
}

/// The learner's transcript of `session_id`.
async fn transcript(core: &TestCore, token: &str, session_id: i64) -> Vec<v1::ChatMessage> {
    lens_tests::tutor::transcript(core.channel().await, token, session_id).await
}

/// Sends a message and returns its first event, leaving the answer streaming.
async fn start_answer(
    core: &TestCore,
    token: &str,
    session_id: i64,
) -> Result<tonic::Streaming<v1::SendMessageResponse>, tonic::Status> {
    let mut chat = ChatServiceClient::new(core.channel().await);
    Ok(chat
        .send_message(authed(message(session_id, "Hi"), token))
        .await?
        .into_inner())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pressing_stop_is_charged_so_stopping_never_saves_allowance() {
    let llm = FakeLlm::start().await;
    // No end event, so no usage from the provider: what was sent is estimated.
    llm.script(vec![
        Step::Text("A long answer begins "),
        Step::Wait(Duration::from_secs(30)),
    ]);
    let (core, token, session) = limited(&llm, "100", "700").await;
    let mut stops = 0;
    let refused = loop {
        let mut events = match start_answer(&core, &token, session).await {
            Ok(events) => events,
            Err(refused) => break refused,
        };
        events.message().await.unwrap().expect("the first words");
        drop(events);
        stops += 1;
        assert!(stops < 20, "stopping must cost allowance");
        // The stop is stored (and charged) before the next message goes.
        for _ in 0..100 {
            if transcript(&core, &token, session)
                .await
                .last()
                .is_some_and(|m| m.status() == v1::MessageStatus::Partial)
            {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    assert_eq!(refused.code(), Code::ResourceExhausted);
    assert!(
        refused.message().contains("today's tutor allowance"),
        "{}",
        refused.message()
    );
    assert!(stops >= 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_sends_get_one_answer_at_a_time() {
    let llm = FakeLlm::start().await;
    llm.script(vec![
        Step::Text("One "),
        Step::Wait(Duration::from_secs(2)),
        Step::Text("at a time."),
    ]);
    let (core, token, session) = limited(&llm, "10", "1000000").await;
    let sends = (0..20).map(|_| start_answer(&core, &token, session));
    let results = futures::future::join_all(sends).await;
    let (answered, refused): (Vec<_>, Vec<_>) = results.into_iter().partition(Result::is_ok);
    assert_eq!(answered.len(), 1, "one answer at a time");
    for refusal in refused {
        let status = refusal.unwrap_err();
        assert_eq!(status.code(), Code::ResourceExhausted);
        assert!(
            status.message().starts_with("the tutor is still answering"),
            "{}",
            status.message()
        );
        assert!(status.metadata().get("retry-after").is_some());
    }
    let messages = transcript(&core, &token, session).await;
    assert_eq!(
        messages.len(),
        2,
        "only the admitted message and its answer are stored"
    );
    assert_eq!(messages[1].status(), v1::MessageStatus::Streaming);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_is_saved_while_it_streams() {
    let llm = FakeLlm::start().await;
    llm.script(vec![
        Step::Text("Saved "),
        Step::Wait(Duration::from_millis(700)),
        Step::Text("as it comes."),
        Step::Wait(Duration::from_secs(30)),
    ]);
    let (core, token, session) = limited(&llm, "10", "1000000").await;
    let mut events = start_answer(&core, &token, session).await.unwrap();
    events.message().await.unwrap();
    events.message().await.unwrap();
    // A core killed now would leave this in the transcript (see the lease).
    let mut seen = String::new();
    for _ in 0..100 {
        seen = transcript(&core, &token, session).await[1].text.clone();
        if seen == "Saved as it comes." {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(seen, "Saved as it comes.");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_provider_that_stops_sending_fails_as_unreachable_and_keeps_what_arrived() {
    let llm = FakeLlm::start().await;
    let limits = [
        ("LLM_IDLE_TIMEOUT_SECS", "1"),
        ("LLM_FIRST_BYTE_TIMEOUT_SECS", "1"),
    ];
    let core = tutor_core(false, Some(&llm), &limits).await;
    let token = learner(&core).await;
    let session = cascades_session(&core, &token).await;

    // Silent before its headers, or after them before the first word.
    for silence in [
        Step::HangBeforeHeaders(Duration::from_secs(60)),
        Step::Wait(Duration::from_secs(60)),
    ] {
        llm.script(vec![silence, Step::Text("too late")]);
        let started = std::time::Instant::now();
        let mut events = start_answer(&core, &token, session).await.unwrap();
        let Some(Event::Error(error)) = events.message().await.unwrap().and_then(|e| e.event)
        else {
            panic!("an error event");
        };
        assert!(
            error
                .message
                .starts_with("The tutor could not reach its model"),
            "{}",
            error.message
        );
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "given up, not hanging"
        );
    }

    // Silent mid-answer: what arrived is kept, marked partial.
    llm.script(vec![
        Step::Text("Half an "),
        Step::Wait(Duration::from_secs(60)),
    ]);
    let mut events = start_answer(&core, &token, session).await.unwrap();
    let mut last = None;
    while let Some(event) = events.message().await.unwrap() {
        last = event.event;
    }
    let Some(Event::Error(error)) = last else {
        panic!("an error event, got {last:?}")
    };
    assert!(
        error.message.ends_with("What arrived is kept."),
        "{}",
        error.message
    );
    let messages = transcript(&core, &token, session).await;
    let answer = messages.last().unwrap();
    assert_eq!(
        (answer.text.as_str(), status(answer)),
        ("Half an ", "partial")
    );
    assert_eq!(answer.error, "the model provider could not be reached");
}

/// A message's status as the words the transcript assertions use.
fn status(message: &v1::ChatMessage) -> &'static str {
    match message.status() {
        v1::MessageStatus::Complete => "complete",
        v1::MessageStatus::Partial => "partial",
        v1::MessageStatus::Streaming => "streaming",
        v1::MessageStatus::Unspecified => "unspecified",
    }
}

/// A message's role as the words the transcript assertions use.
fn role(message: &v1::ChatMessage) -> String {
    match message.role() {
        v1::ChatRole::User => "user".into(),
        v1::ChatRole::Assistant => "assistant".into(),
        v1::ChatRole::Unspecified => "unspecified".into(),
    }
}
