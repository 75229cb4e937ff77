//! Faults only real processes have: the core killed (SIGKILL) in the middle
//! of an answer, then started again on the same database.

use std::time::Duration;

use lens_proto::v1;
use lens_proto::v1::chat_service_client::ChatServiceClient;
use lens_tests::content_fixture;
use lens_tests::core::{authed, dev_sign_in};
use lens_tests::fakes::llm::{FAKE_LLM_KEY, FakeLlm, Step};
use lens_tests::processes::{Profile, Spawned, spawn_core_at, spawn_core_on, spawn_web_of};
use lens_tests::tutor::{CASCADES, WebChat, message, transcript};
use tonic::transport::Channel;
use v1::send_message_response::Event;

fn core_on(database_url: &str, llm: &FakeLlm) -> Spawned {
    let vars = [
        ("CONTENT_DIR", content_fixture().display().to_string()),
        ("LLM_BASE_URL", llm.url.clone()),
        ("ANTHROPIC_API_KEY", FAKE_LLM_KEY.to_owned()),
        ("DEV_MODE", "1".to_owned()),
        // A short lease, so the restarted core sees the answer as orphaned soon.
        ("CHAT_ANSWER_LEASE_SECS", "2".to_owned()),
    ];
    spawn_core_on(
        Profile::Debug,
        database_url,
        vars.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_core_killed_mid_answer_leaves_what_the_learner_saw_in_the_transcript() {
    let llm = FakeLlm::start().await;
    llm.script(vec![
        Step::Text("Saved "),
        Step::Wait(Duration::from_millis(700)),
        Step::Text("before the kill."),
        Step::Wait(Duration::from_secs(60)),
    ]);
    let folder = tempfile::tempdir().unwrap();
    let database_url = format!("sqlite://{}", folder.path().join("lens.db").display());
    let mut core = core_on(&database_url, &llm);
    let (token, session) = learner_with_session(core.channel().await, "kim").await;
    let mut chat = ChatServiceClient::new(core.channel().await);
    let mut events = chat
        .send_message(authed(message(session, "Why cycles?"), &token))
        .await
        .unwrap()
        .into_inner();
    let mut seen = String::new();
    while seen != "Saved before the kill." {
        match events.message().await.unwrap().and_then(|e| e.event) {
            Some(Event::Delta(delta)) => seen.push_str(&delta),
            other => panic!("expected words, got {other:?}"),
        }
    }
    // The second piece came 0.7 s after the first: past the flush interval,
    // so it was saved when it arrived. Then the core dies without a word.
    tokio::time::sleep(Duration::from_millis(200)).await;
    core.kill_hard();
    drop(events);

    let core = core_on(&database_url, &llm);
    let mut chat = ChatServiceClient::new(core.channel().await);
    let channel = core.channel().await;
    let transcript = || transcript(channel.clone(), &token, session);
    let mut answer = transcript().await[1].clone();
    for _ in 0..50 {
        if answer.status() != v1::MessageStatus::Streaming {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        answer = transcript().await[1].clone();
    }
    assert_eq!(answer.text, "Saved before the kill.");
    assert_eq!(answer.status(), v1::MessageStatus::Partial);
    assert_eq!(
        answer.error,
        "the answer stopped: the platform restarted while answering"
    );

    // The learner is not locked out by the dead core's answer.
    llm.script(vec![Step::Text("Back.")]);
    let mut events = chat
        .send_message(authed(message(session, "Again?"), &token))
        .await
        .unwrap()
        .into_inner();
    let first = events.message().await.unwrap().unwrap();
    assert_eq!(first.event, Some(Event::Delta("Back.".into())));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_survives_the_database_cutting_its_connections_mid_answer() {
    let llm = FakeLlm::start().await;
    llm.script(vec![
        Step::Text("Through "),
        Step::Wait(Duration::from_millis(800)),
        Step::Text("the outage."),
    ]);
    let core = lens_tests::core::TestCore::start(lens_tests::core::CoreOptions {
        postgres: true,
        dev_mode: true,
        env: vec![
            (
                "CONTENT_DIR".into(),
                content_fixture().display().to_string(),
            ),
            ("LLM_BASE_URL".into(), llm.url.clone()),
            ("ANTHROPIC_API_KEY".into(), FAKE_LLM_KEY.into()),
        ],
        ..Default::default()
    })
    .await;
    let (token, session) = learner_with_session(core.channel().await, "noor").await;
    let mut chat = ChatServiceClient::new(core.channel().await);
    let mut events = chat
        .send_message(authed(message(session, "Still there?"), &token))
        .await
        .unwrap()
        .into_inner();
    events.message().await.unwrap();
    // Every connection of the core's pool is cut, as a failover or a
    // restarted database would.
    let admin = sqlx::PgPool::connect(&lens_tests::db::postgres_admin_url())
        .await
        .unwrap();
    let database = core.database_url.rsplit('/').next().unwrap().to_owned();
    let cut: i64 = sqlx::query_scalar(
        "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity \
         WHERE datname = $1 AND pid <> pg_backend_pid()",
    )
    .bind(&database)
    .fetch_one(&admin)
    .await
    .unwrap();
    assert!(cut >= 1, "the core's connections were cut");
    let mut last = None;
    while let Some(event) = events.message().await.unwrap() {
        last = event.event;
    }
    assert!(matches!(last, Some(Event::Complete(_))), "{last:?}");
    let transcript = transcript(core.channel().await, &token, session).await;
    assert_eq!(
        (transcript[1].text.as_str(), transcript[1].status()),
        ("Through the outage.", v1::MessageStatus::Complete)
    );
}

/// A learner with a chat session on `core`.
async fn learner_with_session(channel: Channel, name: &str) -> (String, i64) {
    let learner = dev_sign_in(channel.clone(), name, false).await;
    let mut chat = ChatServiceClient::new(channel);
    let session = chat
        .get_or_start_session(authed(
            v1::GetOrStartSessionRequest {
                lens_id: CASCADES.into(),
                ..Default::default()
            },
            &learner.token,
        ))
        .await
        .unwrap()
        .into_inner()
        .session
        .unwrap()
        .id;
    (learner.token, session)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_shutdown_answers_in_flight_finish_within_the_grace_period_or_are_kept_partial() {
    let llm = FakeLlm::start().await;
    let folder = tempfile::tempdir().unwrap();
    let database_url = format!("sqlite://{}", folder.path().join("lens.db").display());
    // A short answer finishes while the core drains; a long one is cut at
    // the end of the grace period and stored with what arrived.
    for (grace, script, wanted) in [
        (
            "10",
            vec![
                Step::Text("Done "),
                Step::Wait(Duration::from_millis(800)),
                Step::Text("in time."),
            ],
            v1::MessageStatus::Complete,
        ),
        (
            "1",
            vec![Step::Text("Cut "), Step::Wait(Duration::from_secs(60))],
            v1::MessageStatus::Partial,
        ),
    ] {
        llm.script(script);
        let mut vars = vec![("LENS_SHUTDOWN_GRACE_SECS".to_owned(), grace.to_owned())];
        vars.extend([
            (
                "CONTENT_DIR".to_owned(),
                content_fixture().display().to_string(),
            ),
            ("LLM_BASE_URL".to_owned(), llm.url.clone()),
            ("ANTHROPIC_API_KEY".to_owned(), FAKE_LLM_KEY.to_owned()),
            ("DEV_MODE".to_owned(), "1".to_owned()),
        ]);
        let mut core = spawn_core_on(Profile::Debug, &database_url, vars);
        let (token, session) = learner_with_session(core.channel().await, "lee").await;
        let mut chat = ChatServiceClient::new(core.channel().await);
        let mut events = chat
            .send_message(authed(message(session, "Go"), &token))
            .await
            .unwrap()
            .into_inner();
        events.message().await.unwrap();
        core.terminate();
        let mut last = None;
        while let Ok(Some(event)) = events.message().await {
            last = event.event;
        }
        match wanted {
            v1::MessageStatus::Complete => {
                assert!(matches!(last, Some(Event::Complete(_))), "{last:?}")
            }
            _ => {
                let Some(Event::Error(error)) = &last else {
                    panic!("{last:?}")
                };
                assert!(
                    error.message.starts_with("The platform is restarting"),
                    "{}",
                    error.message
                );
            }
        }
        assert!(core.wait_exit(Duration::from_secs(15)), "the core exits");
        drop(core);
        let core = spawn_core_on(
            Profile::Debug,
            &database_url,
            vec![("DEV_MODE".to_owned(), "1".to_owned())],
        );
        let transcript = transcript(core.channel().await, &token, session).await;
        let answer = transcript.last().unwrap();
        assert_eq!(answer.status(), wanted, "{answer:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_core_restarted_under_the_web_edge_mid_stream_gives_a_clear_error_and_the_next_call_works()
 {
    let llm = FakeLlm::start().await;
    llm.script(vec![
        Step::Text("Half "),
        Step::Wait(Duration::from_secs(60)),
    ]);
    let folder = tempfile::tempdir().unwrap();
    let database_url = format!("sqlite://{}", folder.path().join("lens.db").display());
    let vars = || {
        vec![
            (
                "CONTENT_DIR".to_owned(),
                content_fixture().display().to_string(),
            ),
            ("LLM_BASE_URL".to_owned(), llm.url.clone()),
            ("ANTHROPIC_API_KEY".to_owned(), FAKE_LLM_KEY.to_owned()),
            ("DEV_MODE".to_owned(), "1".to_owned()),
            ("CHAT_ANSWER_LEASE_SECS".to_owned(), "1".to_owned()),
        ]
    };
    let mut core = spawn_core_on(Profile::Debug, &database_url, vars());
    let web = spawn_web_of(Profile::Debug, &core);
    let learner = dev_sign_in(core.channel().await, "ines", false).await;
    let mut chat = WebChat::open(&web.url, &learner.token).await;
    let mut events = chat.send("Hello?").await;
    events.message().await.unwrap();
    core.kill_hard();
    // The browser's stream ends with an error, not silence.
    let ended = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            match events.message().await {
                Ok(Some(_)) => continue,
                other => return other,
            }
        }
    })
    .await
    .expect("the stream ends within seconds");
    let error = ended.expect_err("an error, not a clean end");
    assert_eq!(error.code(), tonic::Code::Unavailable, "{error:?}");

    let port = core.port;
    drop(core);
    let _core = spawn_core_at(Profile::Debug, port, &database_url, vars());
    llm.script(vec![Step::Text("Back again.")]);
    // The lease of the answer the dead core held runs out; then the next
    // message through the same edge is answered.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let mut events = chat.send("And now?").await;
    let first = events.message().await.unwrap().unwrap();
    assert_eq!(first.event, Some(Event::Delta("Back again.".into())));
}
